# One entry point for people and CI. Everything runs from the virtualenv in .venv, which the
# first target that needs it creates from requirements-dev.txt.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: setup demo test pytest sanity lint docs changelog bench clean

$(SETUP_STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## setup: create .venv with ansible-core, pytest, ansible-lint and antsibull-changelog
setup: $(SETUP_STAMP)

## demo: start the Partner Center simulator and run the demo playbook against it
demo: setup
	$(BIN)/python tests/demo/run_demo.py

## test: every test: pytest (unit, simulator, integration), ansible-test sanity, ansible-lint
test: pytest sanity lint

## pytest: unit tests, simulator tests and integration tests (real ansible-playbook runs); installs chromium for the report layout tests
pytest: setup
	tests/tools/ensure_chromium.sh
	$(BIN)/python -m pytest tests -n auto

## sanity: ansible-test sanity, locally and offline-capable
sanity: setup
	$(BIN)/python tests/tools/run_sanity.py

## lint: ansible-lint with the production profile
lint: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-lint

## bench: the performance benchmark against the simulator (a few minutes; not part of test); BENCH_RUNS=5 etc., see tests/benchmarks/README.md
bench: setup
	$(BIN)/python tests/benchmarks/run_benchmarks.py

## docs: the HTML docs site (modules, roles, guides) into build/docsite/, failing on any warning
docs: setup
	$(BIN)/python tests/tools/build_docs.py --dest build/docsite

## changelog: lint the changelog fragments, then release them into CHANGELOG.md as galaxy.yml's version (once per release)
changelog: setup
	$(BIN)/antsibull-changelog lint
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/antsibull-changelog release --version \
		"$$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"

clean:
	rm -rf $(VENV) .ansible .pytest_cache tests/output build
