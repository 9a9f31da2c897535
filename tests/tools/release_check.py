# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make release-check``: the checks Automation Hub and Red Hat's partner certification run on a collection, run here.

Each check is a function; any finding fails it, and the run ends with a table (check, result, seconds)
and a nonzero exit code when a check failed, each failure saying what to fix.

- metadata: galaxy.yml's version is 1.0.0 or newer (certified content); meta/runtime.yml's
  ``requires_ansible`` is ``>=<the oldest ansible-core tested>.0``; requirements.txt (which
  meta/execution-environment.yml points to) pins nothing and lists neither ``ansible`` nor ``ansible-core``;
  no tests/sanity/ignore-*.txt has an entry.
- galaxy-importer: the tarball ``ansible-galaxy collection build`` makes, imported by the newest galaxy-importer (what
  Galaxy imports with) with the certification settings (``require_v1_or_greater``,
  ``check_required_tags``, ``run_flake8``), from its own virtualenv ``.venv-release/`` (pinned in
  tests/release/requirements.txt, remade when that file changes). Any WARNING or ERROR line fails it.
  Its ``run_ansible_test`` needs containers: the sanity checks below run ansible-test instead.
- galaxy-importer-certification: the collection as Red Hat's partner certification checker checks it
  (github.com/ansible-collections/partner-certification-checker, .github/workflows/certification-reusable.yml, jobs
  build-import and lint): its pinned galaxy-importer 0.4.31 under ansible-core 2.16.0 on Python 3.12, building the
  collection itself from its folder (``--git-clone-path``) with the checker's configuration file
  (``CHECK_REQUIRED_TAGS=True``, ``RUN_ANSIBLE_LINT=False``, every other setting galaxy-importer's default), then its
  pinned ansible-lint 24.12.2 with ``--profile=production`` on the collection's folder; from the virtualenv
  ``.venv-release-certification/`` (tests/release/requirements-certification.txt). Any WARNING or ERROR line of
  either, or a nonzero exit, fails it. The checker's sanity job (stable-2.16, 2.18 and 2.20) is within the sanity
  checks below.
- ansible-lint: the production profile, on the repository (as ``make lint``).
- antsibull-docs: ``lint-collection-docs --plugin-docs``.
- sanity: ``ansible-test sanity`` on every supported ansible-core (tests/tools/run_matrix.py's versions, each from its
  ``.venv-matrix/`` virtualenv), every test on every Python it supports, a skipped test failing it
  (tests/tools/run_sanity.py).

``--in-test-all`` (what ``make test-all`` passes) leaves out what it has just run: ansible-lint and the
antsibull-docs linter (``make test``), sanity on the version ``make test`` runs (``make sanity``: same ansible-core
and Python as .venv, checked as ``run_matrix.py --after-make-test`` checks it) and on every other version
(``make test-matrix`` runs these sanity checks beside its tests, ``--only sanity-2.16,...``): so it runs the metadata
and the two galaxy-importer checks.

Usage: ``python tests/tools/release_check.py [--in-test-all] [--only metadata,galaxy-importer-certification,...]
[--galaxy-version 1.0.0]``. ``--galaxy-version`` builds the tarball with another version than galaxy.yml's,
to try the importer before a release's version bump; the metadata check still reads galaxy.yml.
"""

import argparse
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOLS_DIR))
# Each tool's output (not in the importers' virtualenvs, which are remade when their pins change).
LOGS_DIR = os.path.join(REPO_ROOT, 'build', 'release-check')
DEV_BIN = os.path.join(REPO_ROOT, '.venv', 'bin')

# galaxy-importer's settings for certified content, through its environment overrides (galaxy_importer/config.py).
IMPORTER_SETTINGS = {
    'GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER': 'true',
    'GALAXY_IMPORTER_CHECK_REQUIRED_TAGS': 'true',
    'GALAXY_IMPORTER_RUN_FLAKE8': 'true',
    # Set as its defaults are, so that no configuration file changes them:
    'GALAXY_IMPORTER_CHECK_CHANGELOG': 'true',
    'GALAXY_IMPORTER_RUN_ANSIBLE_DOC': 'true',
    'GALAXY_IMPORTER_RUN_ANSIBLE_LINT': 'true',
    'GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT': 'true',
    # ansible-test in a container (--docker): the sanity checks run ansible-test here instead.
    'GALAXY_IMPORTER_RUN_ANSIBLE_TEST': 'false',
}

# The checker's galaxy-importer.cfg, whole (certification-reusable.yml, job build-import): every other setting is
# galaxy-importer's default; its ansible-lint runs on its own (job lint, CERTIFICATION_LINT).
CERTIFICATION_CONFIG = '[galaxy-importer]\nCHECK_REQUIRED_TAGS=True\nRUN_ANSIBLE_LINT=False\n'
CERTIFICATION_LINT = ('ansible-lint', '--profile=production')


class Importer:  # pylint: disable=too-few-public-methods
    """One way of running galaxy-importer: its virtualenv (folder, requirements file, Python), its configuration
    file's text and environment settings, whether it builds the collection itself from a source folder
    (``--git-clone-path``) or imports the tarball ``ansible-galaxy collection build`` made, and the command
    (from its virtualenv, in the collection's folder) that lints beside it, if any."""

    def __init__(self, venv, requirements, python, config_text, settings, from_source, lint=None):
        self.venv = os.path.join(REPO_ROOT, venv)
        self.requirements = os.path.join(REPO_ROOT, 'tests', 'release', requirements)
        self.python = python
        self.config_text = config_text
        self.settings = settings
        self.from_source = from_source
        self.lint = lint

    def command(self, bin_dir, collection, output):
        """galaxy-importer's command line on ``collection`` (the source folder or the tarball)."""
        command = [os.path.join(bin_dir, 'python'), '-m', 'galaxy_importer.main']
        if self.from_source:
            return command + ['--git-clone-path', collection, '--output-path', output]
        return command + [collection]


IMPORTERS = {
    # The newest galaxy-importer (what Galaxy runs), with the certification settings above.
    'galaxy-importer': Importer('.venv-release', 'requirements.txt', '3.11', '[galaxy-importer]\n', IMPORTER_SETTINGS,
                                from_source=False),
    # Red Hat's partner certification checker (github.com/ansible-collections/partner-certification-checker,
    # .github/workflows/certification-reusable.yml): its pinned galaxy-importer and ansible-core on Python 3.12, building
    # from the source folder with its configuration file, then its pinned ansible-lint with the production profile.
    'galaxy-importer-certification': Importer('.venv-release-certification', 'requirements-certification.txt', '3.12',
                                              CERTIFICATION_CONFIG, {}, from_source=True, lint=CERTIFICATION_LINT),
}
IMPORTER_FINDING = re.compile(r'\b(?:WARNING|ERROR)\b')

# Packages an execution environment's image brings itself: a collection listing them would replace the image's.
ANSIBLE_PACKAGES = ('ansible', 'ansible-core', 'ansible-base')
REQUIREMENT = re.compile(r'^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;]*)(?:;.*)?$')
# A version specifier that pins (==, ===, ~=) or caps (<, <=).
PINNING = re.compile(r'(?:===?|~=|<)')


@functools.lru_cache(maxsize=None)
def load_tool(name):
    """A script of tests/tools as a module (this file is also loaded by path, without tests/tools on sys.path)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOOLS_DIR, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_yaml_text(text):
    import yaml  # pylint: disable=import-outside-toplevel

    return yaml.safe_load(text)


def read(*parts):
    with open(os.path.join(REPO_ROOT, *parts), encoding='utf-8') as handle:
        return handle.read()


# The metadata checks: each takes a file's text (so that the unit tests give it a bad one) and returns its problems.

def version_problems(galaxy_text):
    """galaxy.yml's version: certified content is 1.0.0 or newer (galaxy-importer's require_v1_or_greater)."""
    version = str((load_yaml_text(galaxy_text) or {}).get('version', ''))
    match = re.match(r'^(\d+)\.(\d+)\.(\d+)', version)
    if not match:
        return ['galaxy.yml: version %r is not a semantic version X.Y.Z' % version]
    if int(match.group(1)) < 1:
        return ['galaxy.yml: version %s is below 1.0.0; Automation Hub certifies only 1.0.0 and newer: set version to 1.0.0 '
                'or later (with `make changelog` for the release)' % version]
    return []


def requires_ansible_problems(runtime_text, oldest):
    """meta/runtime.yml's requires_ansible: one lower bound, the oldest ansible-core tested (``oldest``, say '2.16')."""
    expected = '>=%s.0' % oldest
    value = (load_yaml_text(runtime_text) or {}).get('requires_ansible')
    if value is None:
        return ['meta/runtime.yml: no requires_ansible; set requires_ansible: "%s"' % expected]
    if str(value).replace(' ', '') != expected:
        return ['meta/runtime.yml: requires_ansible is %r; the oldest ansible-core tested (tests/tools/run_matrix.py) is %s: set '
                'requires_ansible: "%s" (one lower bound, no upper bound)' % (value, oldest, expected)]
    return []


def requirements_problems(requirements_text, path='requirements.txt'):
    """The Python requirements of an execution environment: unpinned, without ansible or ansible-core."""
    problems = []
    for number, line in enumerate(requirements_text.splitlines(), start=1):
        text = line.split(' #', 1)[0].strip()
        if not text or text.startswith('#'):
            continue
        match = REQUIREMENT.match(text)
        if text.startswith('-') or not match:
            problems.append('%s line %d: %r is not a plain requirement (a name and, at most, a lower bound)' % (path, number, text))
            continue
        name = re.sub(r'[-_.]+', '-', match.group('name')).lower()
        if name in ANSIBLE_PACKAGES:
            problems.append('%s line %d: %r: the execution environment brings its own ansible-core; remove the line'
                            % (path, number, text))
        elif PINNING.search(match.group('spec')):
            problems.append('%s line %d: %r pins or caps a version; certified content gives a lower bound at most (>=), '
                            'so that an image can resolve it with other collections' % (path, number, text))
    return problems


def execution_environment_problems(ee_text, exists=os.path.exists):
    """meta/execution-environment.yml: its Python dependencies are requirements.txt (checked by requirements_problems)."""
    data = load_yaml_text(ee_text) or {}
    dependencies = data.get('dependencies') or {}
    problems = []
    if dependencies.get('python') != 'requirements.txt':
        problems.append('meta/execution-environment.yml: dependencies.python is %r; point it at requirements.txt'
                        % dependencies.get('python'))
    for key in ('ansible_core', 'ansible_runner'):
        if key in dependencies:
            problems.append('meta/execution-environment.yml: dependencies.%s belongs in an image\'s definition, not a '
                            'collection\'s: remove it' % key)
    for key in ('python', 'system'):
        if isinstance(dependencies.get(key), str) and not exists(os.path.join(REPO_ROOT, dependencies[key])):
            problems.append('meta/execution-environment.yml: dependencies.%s names %s, which does not exist' % (key, dependencies[key]))
    return problems


def sanity_ignore_problems(root):
    """Entries in tests/sanity/ignore-*.txt: certified content passes sanity without any."""
    problems = []
    folder = os.path.join(root, 'tests', 'sanity')
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        if not re.match(r'^ignore-.*\.txt$', name):
            continue
        with open(os.path.join(folder, name), encoding='utf-8') as handle:
            entries = [line.strip() for line in handle if line.strip() and not line.strip().startswith('#')]
        if entries:
            problems.append('tests/sanity/%s has %d entr%s (%s): fix what ansible-test finds instead and delete the file'
                            % (name, len(entries), 'y' if len(entries) == 1 else 'ies', entries[0]))
    return problems


def importer_findings(lines):
    """The lines of galaxy-importer's output that are a warning or an error."""
    return [line.rstrip('\n') for line in lines if IMPORTER_FINDING.search(line)]


class Outcome:
    """What a check found: passed, failed (with problems and what to do) or left out (why)."""

    def __init__(self, problems=(), left_out=None, notes=()):
        self.problems = list(problems)
        self.left_out = left_out
        self.notes = list(notes)

    @property
    def result(self):
        if self.left_out:
            return 'left out'
        return 'FAILED' if self.problems else 'passed'


def check_metadata(_options):
    oldest = load_tool('run_matrix').VERSIONS[0][0]
    return Outcome(version_problems(read('galaxy.yml'))
                   + requires_ansible_problems(read('meta', 'runtime.yml'), oldest)
                   + execution_environment_problems(read('meta', 'execution-environment.yml'))
                   + requirements_problems(read('requirements.txt'))
                   + sanity_ignore_problems(REPO_ROOT))


def ensure_importer_venv(importer, label):
    """The importer's virtualenv, made (or remade when its requirements file or the interpreter changed); its bin folder."""
    run_matrix = load_tool('run_matrix')
    python = run_matrix.find_python(importer.python)
    with open(importer.requirements, encoding='utf-8') as handle:
        wanted = 'python: %s\n%s' % (python, handle.read())
    _venv_python, done = run_matrix.ensure_virtualenv(importer.venv, python, importer.requirements, wanted, label)
    if done:
        print(done, flush=True)
    return os.path.join(importer.venv, 'bin')


def set_version(galaxy_path, version):
    """Rewrite galaxy.yml's version line in a copy (--galaxy-version)."""
    with open(galaxy_path, encoding='utf-8') as handle:
        text = handle.read()
    text, count = re.subn(r'^version:.*$', 'version: %s' % version, text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit('galaxy.yml has no version line')
    with open(galaxy_path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def run_logged(command, log_name, **kwargs):
    """Run ``command``, its output kept in build/release-check/<log_name>.log; (exit code, its lines)."""
    os.makedirs(LOGS_DIR, exist_ok=True)
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, **kwargs)
    with open(os.path.join(LOGS_DIR, log_name + '.log'), 'w', encoding='utf-8') as handle:
        handle.write(completed.stdout)
    return completed.returncode, completed.stdout.splitlines()


def clean_env(**extra):
    """The environment without the caller's Ansible settings."""
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('ANSIBLE_', 'GALAXY_IMPORTER_')))
    env.update(extra)
    return env


def check_galaxy_importer(name, options):
    importer = IMPORTERS[name]
    bin_dir = ensure_importer_venv(importer, 'the release check ' + name)
    workdir = tempfile.mkdtemp(prefix='partnercenter-devices-release_')
    try:
        root = load_tool('run_sanity').copy_collection(os.path.join(workdir, 'source'))
        if options.galaxy_version:
            set_version(os.path.join(root, 'galaxy.yml'), options.galaxy_version)
        output = os.path.join(workdir, 'built')
        os.mkdir(output)
        if importer.from_source:
            collection = root
        else:
            returncode, lines = run_logged([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'build', '--output-path', output],
                                           name + '-build', cwd=root, env=clean_env())
            if returncode != 0:
                return Outcome(['ansible-galaxy collection build failed (exit %d): %s' % (returncode, ' / '.join(lines[-5:]))])
            collection = os.path.join(output, os.listdir(output)[0])
            print('built %s' % os.path.basename(collection), flush=True)
        # galaxy-importer writes importer_result.json into its working directory; its configuration file is the
        # importer's own text, so that only its settings apply.
        run_dir = os.path.join(workdir, 'import')
        os.mkdir(run_dir)
        config = os.path.join(workdir, 'galaxy-importer.cfg')
        with open(config, 'w', encoding='utf-8') as handle:
            handle.write(importer.config_text)
        env = clean_env(PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''), GALAXY_IMPORTER_CONFIG=config, **importer.settings)
        returncode, lines = run_logged(importer.command(bin_dir, collection, output), name, cwd=run_dir, env=env)
        problems = ['galaxy-importer: ' + line for line in importer_findings(lines)]
        if returncode != 0:
            problems.append('galaxy-importer exited with %d; its last lines: %s' % (returncode, ' / '.join(lines[-5:])))
        if not os.path.exists(os.path.join(run_dir, 'importer_result.json')):
            problems.append('galaxy-importer wrote no importer_result.json')
        notes = ['galaxy-importer %s (ansible-core %s) imported %s' % (
            package_version(bin_dir, 'galaxy-importer'), package_version(bin_dir, 'ansible-core'),
            ' '.join(sorted(os.listdir(output))) or os.path.basename(collection))]
        if importer.lint:
            problems += run_importer_lint(importer, bin_dir, root, name)
            notes.append('ansible-lint %s: %s' % (package_version(bin_dir, 'ansible-lint'), ' '.join(importer.lint[1:])))
        return Outcome(problems, notes=notes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_importer_lint(importer, bin_dir, root, name):
    """The importer's linter on the collection's folder ``root``; its problems (a nonzero exit, any WARNING line)."""
    env = clean_env(PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''), NO_COLOR='1')
    # The collection installed first where ansible-lint installs it (<root>/.ansible/collections): ansible-lint 24's
    # in-process plugin loader does not see the copy it installs in the same run, and leaves the rules that look up a
    # module (fqcn) out on every task of the collection's own modules, logging a WARNING for each.
    returncode, lines = run_logged([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'install', '--force',
                                    '--collections-path', os.path.join(root, '.ansible', 'collections'), root],
                                   name + '-lint-install', cwd=root, env=env)
    if returncode != 0:
        return ['ansible-galaxy collection install of the collection for ansible-lint failed (exit %d): %s'
                % (returncode, ' / '.join(lines[-5:]))]
    returncode, lines = run_logged([os.path.join(bin_dir, importer.lint[0])] + list(importer.lint[1:]), name + '-lint', cwd=root, env=env)
    problems = ['%s: %s' % (importer.lint[0], line) for line in importer_findings(lines)]
    if returncode != 0:
        problems.append('%s (exit %d): %s' % (' '.join(importer.lint), returncode, ' / '.join(lines[-5:])))
    return problems


def package_version(bin_dir, package):
    completed = subprocess.run([os.path.join(bin_dir, 'python'), '-c',
                                'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))', package],
                               capture_output=True, text=True, check=False)
    return completed.stdout.strip() or '(version unknown)'


def check_ansible_lint(options):
    if options.in_test_all:
        return Outcome(left_out='make test has just run it (make lint)')
    returncode, lines = run_logged([os.path.join(DEV_BIN, 'ansible-lint')], 'ansible-lint', cwd=REPO_ROOT,
                                   env=clean_env(PATH=DEV_BIN + os.pathsep + os.environ.get('PATH', '')))
    if returncode != 0:
        return Outcome(['ansible-lint (production profile) found problems; run `make lint`: ' + ' / '.join(lines[-3:])])
    return Outcome()


def check_collection_docs(options):
    if options.in_test_all:
        return Outcome(left_out='make test has just run it (tests/integration/test_docs_site.py::test_lint_collection_docs)')
    build_docs = load_tool('build_docs')
    workdir = tempfile.mkdtemp(prefix='partnercenter-devices-docs_')
    try:
        collections_path = build_docs.collections_tree(workdir)
        collection_dir = os.path.join(collections_path, 'ansible_collections', build_docs.NAMESPACE, build_docs.NAME)
        returncode, lines = run_logged([os.path.join(DEV_BIN, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs', collection_dir],
                                       'antsibull-docs-lint', env=build_docs.tool_env(collections_path, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    findings = [line.replace(collection_dir + os.sep, '') for line in lines if line.strip()]
    if returncode != 0 or findings:
        return Outcome(['antsibull-docs lint-collection-docs --plugin-docs (exit %d): %s' % (returncode, line) for line in findings or ['']])
    return Outcome()


def sanity_versions(options):
    """[(minor, why it is left out or None)] of every supported ansible-core."""
    run_matrix = load_tool('run_matrix')
    ran = run_matrix.version_make_test_ran(run_matrix.VERSIONS, os.path.join(DEV_BIN, 'python')) if options.in_test_all else None
    found = []
    for minor, _python in run_matrix.VERSIONS:
        if not options.in_test_all:
            found.append((minor, None))
        elif minor == ran:
            found.append((minor, 'make test has just run it (make sanity: same ansible-core and Python as .venv)'))
        else:
            # make test-matrix runs these checks beside its tests on each version it runs: every version but make test's.
            found.append((minor, 'make test-matrix has just run it beside its tests'))
    return found


def check_sanity(minor, options):  # pylint: disable=unused-argument
    run_matrix = load_tool('run_matrix')
    python = run_matrix.find_python(dict(run_matrix.VERSIONS)[minor])
    venv_python, done = run_matrix.ensure_venv(minor, python)
    if done:
        print('ansible-core %s: %s' % (minor, done), flush=True)
    returncode, lines = run_logged([venv_python, os.path.join(TOOLS_DIR, 'run_sanity.py')], 'sanity-' + minor, cwd=REPO_ROOT,
                                   env=clean_env())
    run_sanity = load_tool('run_sanity')
    skipped = run_sanity.skipped_tests(lines)
    notes = ['not run, no such Python here: ' + message for message, excused in skipped if excused]
    if returncode == 0:
        return Outcome(notes=notes)
    failed_tests = [line for line in lines if line.startswith(('ERROR:', 'FATAL:'))]
    problems = ['skipped, install what it needs: ' + message for message, excused in skipped if not excused]
    log = os.path.relpath(os.path.join(LOGS_DIR, 'sanity-%s.log' % minor), REPO_ROOT)
    problems += failed_tests[:40] or ['exit %d; see %s' % (returncode, log)]
    return Outcome(problems, notes=notes)


def checks(options):
    """[(name, function of options -> Outcome)] in the order they run."""
    found = [('metadata', check_metadata)]
    found += [(name, functools.partial(check_galaxy_importer, name)) for name in IMPORTERS]
    found += [('ansible-lint', check_ansible_lint), ('antsibull-docs', check_collection_docs)]
    for minor, left_out in sanity_versions(options):
        if left_out:
            found.append(('sanity %s' % minor, lambda _options, why=left_out: Outcome(left_out=why)))
        else:
            found.append(('sanity %s' % minor, lambda options, minor=minor: check_sanity(minor, options)))
    return found


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--in-test-all', action='store_true',
                        help='leave out what make test-all has run before: ansible-lint and the docs linter (make test), '
                             'sanity on every version (make sanity on make test\'s, make test-matrix on the others)')
    parser.add_argument('--only', help='comma-separated checks to run (metadata, galaxy-importer, galaxy-importer-certification, '
                                       'ansible-lint, antsibull-docs, sanity, or one version: sanity-2.16)')
    parser.add_argument('--galaxy-version', help="build the tarball with this version instead of galaxy.yml's (to try the importer "
                                                 'before the version bump; the metadata check still reads galaxy.yml)')
    return parser.parse_args(argv)


def selected(name, only):
    if not only:
        return True
    wanted = only.split(',')
    return name in wanted or name.replace(' ', '-') in wanted or name.split(' ')[0] in wanted


def main(argv):
    options = parse_arguments(argv)
    rows = []
    for name, function in checks(options):
        if not selected(name, options.only):
            continue
        print('\n=== release check: %s' % name, flush=True)
        started = time.monotonic()
        run_matrix = load_tool('run_matrix')
        try:
            outcome = function(options)
        except (run_matrix.MissingInterpreter, run_matrix.VenvFailed) as error:
            outcome = Outcome([str(error)])
        seconds = time.monotonic() - started
        for note in outcome.notes:
            print('  ' + note, flush=True)
        for problem in outcome.problems:
            print('  FAILED: ' + problem, flush=True)
        if outcome.left_out:
            print('  left out: ' + outcome.left_out, flush=True)
        print('  %s (%.0f s)' % (outcome.result, seconds), flush=True)
        rows.append((name, outcome, seconds))
    print('\n=== make release-check: %.0f s' % sum(seconds for _name, _outcome, seconds in rows))
    for name, outcome, seconds in rows:
        print('  %-29s %-9s %5.0f s%s' % (name, outcome.result, seconds, '  (%s)' % outcome.left_out if outcome.left_out else ''))
    not_run = [name + ': ' + note for name, outcome, _seconds in rows for note in outcome.notes if note.startswith('not run')]
    if not_run:
        print('Not run on this machine (no such Python; see run_sanity.PYTHONS_NOT_OBTAINABLE):\n  ' + '\n  '.join(not_run))
    failed = [name for name, outcome, _seconds in rows if outcome.problems]
    if failed:
        print('make release-check FAILED: %s (what to fix: the FAILED lines above; logs in %s)'
              % (', '.join(failed), os.path.relpath(LOGS_DIR, REPO_ROOT)), file=sys.stderr)
        return 1
    # The last line says it all (make test-matrix shows only the last line of a step that passed).
    print('make release-check passed: %d check(s) in %.0f s%s' % (
        len([row for row in rows if not row[1].left_out]), sum(seconds for _name, _outcome, seconds in rows),
        '; not run on this machine: %d (no such Python, listed above)' % len(not_run) if not_run else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
