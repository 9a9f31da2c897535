# One entry point for people and CI. Everything runs from the virtualenv in .venv, which the
# first target that needs it creates from requirements-dev.txt.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: setup demo test test-all test-matrix release-check pytest coverage sanity lint docs changelog bench clean

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

## test: every test: pytest (unit, hostile, simulator, integration), ansible-test sanity, ansible-lint
# pytest leaves cores idle while playbooks wait on the simulator, so the three run side by side
# (each one's output shown whole when it ends). tests/integration/test_changelog.py runs ansible-test
# too; it and make sanity take turns through a lock (tests/tools/run_sanity.py), as two ansible-tests
# creating the same ~/.ansible/test virtualenv at once break it.
# shellcheck (make sanity's) is installed first: two apt-gets at once (make pytest installs chromium and Java) collide on apt's lock.
test: setup
	tests/tools/ensure_shellcheck.sh
	$(MAKE) --no-print-directory -j3 --output-sync=target pytest lint sanity

## test-all: every test, as CI runs it (.ci/run): make test (ansible-core 2.19), then make test-matrix on the other supported versions, then make release-check (less what these two have just run)
test-all: test
	$(MAKE) --no-print-directory test-matrix MATRIX_ARGS=--after-make-test
	$(MAKE) --no-print-directory release-check RELEASE_CHECK_ARGS=--in-test-all

## test-matrix: unit and integration tests on every supported ansible-core (2.16-2.21, one .venv-matrix/ virtualenv each; the newest with ANSIBLE_INJECT_FACT_VARS=false), with ansible-test sanity on each version beside them (release_check.py's sanity checks); MATRIX_ARGS="--only 2.16" etc. (see tests/tools/run_matrix.py)
MATRIX_ARGS ?=
test-matrix:
	tests/tools/ensure_shellcheck.sh
	$(PYTHON) tests/tools/run_matrix.py $(MATRIX_ARGS)

## release-check: the checks Automation Hub and Red Hat's certification run: metadata, the newest galaxy-importer on the built tarball (.venv-release/), galaxy-importer and ansible-lint as Red Hat's partner certification checker pins them (galaxy-importer-certification: 0.4.31, ansible-lint 24.12.2, ansible-core 2.16.0, Python 3.12; .venv-release-certification/), ansible-lint (production), antsibull-docs lint-collection-docs --plugin-docs, ansible-test sanity on every supported ansible-core with no test skipped; any finding fails it (tests/tools/release_check.py; RELEASE_CHECK_ARGS="--only galaxy-importer" etc.)
RELEASE_CHECK_ARGS ?=
release-check: setup
	tests/tools/ensure_shellcheck.sh
	$(BIN)/python tests/tools/release_check.py $(RELEASE_CHECK_ARGS)

# Two pytest workers per core: the integration tests spend much of their time waiting (on the
# simulator's delays, poll intervals, timeouts), and with one worker per core a core sat idle then.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))

## pytest: every test under tests/: unit tests and module cases in-process, the hostile suite, simulator tests and integration tests (real ansible-playbook runs); PYTEST_WORKERS workers (two per core); worksteal: an idle worker takes tests queued on a busy one, so one slow test does not hold up the end; installs chromium for the report layout tests and Java 17 for ansible-rulebook
pytest: setup
	tests/tools/ensure_chromium.sh
	tests/tools/ensure_java.sh
	$(BIN)/python -m pytest tests -n $(PYTEST_WORKERS) --dist worksteal

## coverage: line and branch coverage of plugins/ and extensions/ by the in-process tests (unit, hostile), not part of make test; the report ends with the total
COVERAGE_TESTS ?= tests/unit tests/hostile tests/integration/test_event_source.py
coverage: setup
	$(BIN)/python -m pytest $(COVERAGE_TESTS) -q -n $(PYTEST_WORKERS) --cov --cov-config=.coveragerc --cov-report=term

## sanity: ansible-test sanity, locally and offline-capable, every test on every Python it supports, a skipped test failing it (installs shellcheck)
sanity: setup
	tests/tools/ensure_shellcheck.sh
	$(BIN)/python tests/tools/run_sanity.py

## lint: ansible-lint with the production profile
lint: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-lint

## bench: the performance benchmark against the simulator (a few minutes; not part of test); BENCH_RUNS=5 etc., see tests/benchmarks/README.md
bench: setup
	$(BIN)/python tests/benchmarks/run_benchmarks.py

## docs: the HTML docs site into build/docsite/ with antsibull-docs (sphinx-init, its build.sh: every module, role and plugin, the guides of docs/docsite/extra-docs.yml), offline, failing on any warning; lint-collection-docs alongside
docs: setup
	$(BIN)/python tests/tools/build_docs.py --dest build/docsite

## changelog: lint the changelog fragments, then release them into CHANGELOG.md as galaxy.yml's version (once per release)
changelog: setup
	$(BIN)/antsibull-changelog lint
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/antsibull-changelog release --version \
		"$$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"

clean:
	rm -rf $(VENV) .venv-matrix .venv-release .venv-release-certification .ansible .pytest_cache tests/output build .coverage .coverage.*
