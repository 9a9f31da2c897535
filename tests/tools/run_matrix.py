# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make test-matrix``: the unit and integration tests on every ansible-core minor version galaxy.yml supports.

Each version gets its own virtualenv, ``.venv-matrix/ansible-<minor>/``, made from
``tests/matrix/ansible-<minor>.txt`` with the Python that version is run on here (remade when
that file or the interpreter changes; the virtualenvs are made side by side). pytest runs from that
virtualenv, so ``tests/harness.py`` finds that version's ``ansible-playbook`` next to
``sys.executable``; ``tests/integration/test_harness.py`` checks it is so, and the summary prints
each ``ansible-playbook --version``.

The newest version runs with ``ANSIBLE_INJECT_FACT_VARS=false`` (the default from ansible-core 2.24
on) as its one run; the older versions run with the default. Beside them, ``ansible-test sanity`` on each
version run, one after the other: the release check's sanity checks (``release_check.py --only sanity-2.16,...``;
each runs ``run_sanity.py`` with the version's own ansible-test, every test on every Python, none skipped).

A missing interpreter fails the run, naming it and how to get it: a supported version never goes
untested in silence.

Usage: ``python tests/tools/run_matrix.py [--only 2.16,2.21] [--after-make-test] [--jobs N] [--workers N]
[--no-sanity]``. CI (``.ci/run``) passes ``--after-make-test``: the version ``make test`` has just
run (same ansible-core, test pins and Python) is not run twice.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MATRIX_DIR = os.path.join(REPO_ROOT, 'tests', 'matrix')
VENVS_DIR = os.path.join(REPO_ROOT, '.venv-matrix')

# (ansible-core minor version, the Python it runs on in the matrix). Oldest first; the last is the newest.
VERSIONS = (
    ('2.16', '3.11'),
    ('2.17', '3.11'),
    ('2.18', '3.11'),
    ('2.19', '3.11'),
    ('2.20', '3.12'),
    ('2.21', '3.13'),
)

# What the matrix runs: the tests that exercise ansible-core (ansible-playbook runs, module and
# module_utils code under each version's module_utils). New test files are in by default.
SELECTION = ('tests/unit', 'tests/integration')
# Left out, because ansible-core's version is not what they test and `make test` runs them once:
LEFT_OUT = (
    # the docs site: antsibull-docs and Sphinx read the docs, ansible-core only lists the plugins.
    'tests/integration/test_docs_site.py',
    # the changelog: antsibull-changelog lints fragments and renders CHANGELOG.md.
    'tests/integration/test_changelog.py',
    # the execution environment: ansible-builder writes a build context; no ansible-core run.
    'tests/integration/test_execution_environment.py',
    # the real ansible-rulebook (and its JVM) is installed in make test's virtualenv only; the event
    # source's code runs under every ansible-core in test_event_source.py and tests/unit.
    'tests/integration/test_rulebook.py',
    # the event source's JSON schemas, with jsonschema (make test's virtualenv only); the events themselves come from
    # the source under every ansible-core in test_event_source.py and tests/unit.
    'tests/integration/test_event_source_schema.py',
)
# Single tests left out, for the same reason:
LEFT_OUT_TESTS = (
    # the provisioning guide's commands as a reader types them: `make setup`, then .venv's ansible-playbook,
    # i.e. make test's ansible-core whatever the matrix version; and its build/ files in the checkout would be
    # shared by versions run side by side (--jobs). The waiting guide's tasks run under every version.
    'tests/integration/test_guides.py::test_the_provisioning_guide_runs_as_written_against_the_simulator',
)
INJECT_FACT_VARS_OFF = {'ANSIBLE_INJECT_FACT_VARS': 'false'}


class MissingInterpreter(Exception):
    """No working interpreter for a version of the matrix."""


class VenvFailed(Exception):
    """A version's virtualenv could not be made."""


def resolved_python(path, version):
    """The real path of the interpreter ``path`` runs when it is Python ``version``, else None.

    A pyenv shim without that version selected is not it; one that has it selected resolves to the
    interpreter behind it, so that the same Python is recognised whichever way it was found.
    """
    try:
        completed = subprocess.run([path, '-c', 'import sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'],
                                   capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    lines = completed.stdout.split()
    if completed.returncode != 0 or len(lines) != 2 or lines[0] != version:
        return None
    return os.path.realpath(lines[1])


def pyenv_version_key(path):
    """Sort key of .../versions/3.12.1/bin/python3.12: the version as numbers (3.12.10 after 3.12.9)."""
    name = os.path.basename(os.path.dirname(os.path.dirname(path)))
    return [int(part) for part in re.findall(r'\d+', name)]


def find_python(version):
    """The path of a working Python ``version`` (e.g. '3.12'), or raise MissingInterpreter saying how to get one."""
    override_name = 'MATRIX_PYTHON_' + version.replace('.', '_')
    looked_at = []
    candidates = []
    if os.environ.get(override_name):
        candidates.append(os.environ[override_name])
    on_path = shutil.which('python' + version)
    if on_path:
        candidates.append(on_path)
    # pyenv installs versions side by side; its shims answer only for the versions selected.
    pyenv = shutil.which('pyenv')
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    if pyenv:
        completed = subprocess.run([pyenv, 'root'], capture_output=True, text=True, check=False)
        pyenv_root = completed.stdout.strip() or pyenv_root
    installed = glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', 'python' + version))
    candidates.extend(sorted(installed, key=pyenv_version_key, reverse=True))
    candidates.append('/usr/bin/python' + version)
    for candidate in candidates:
        if candidate in looked_at:
            continue
        looked_at.append(candidate)
        resolved = resolved_python(candidate, version) if os.path.exists(candidate) else None
        if resolved:
            return resolved
    if not on_path:
        looked_at.insert(0, 'python%s on PATH (none)' % version)
    raise MissingInterpreter(
        'no working Python %s (looked at: %s). Install it (pyenv install %s, or the python%s package of your '
        'system), or set %s to its path.' % (version, ', '.join(looked_at) or 'nothing on PATH', version, version,
                                             override_name))


def requirements_text(minor):
    """The requirements of a version's virtualenv, with the files they include, as one text."""
    parts = []
    for name in ('ansible-%s.txt' % minor, 'common.txt'):
        with open(os.path.join(MATRIX_DIR, name), encoding='utf-8') as handle:
            parts.append(handle.read())
    return '\n'.join(parts)


def ensure_virtualenv(venv, python, requirements_path, wanted, label):
    """The virtualenv ``venv`` made with ``python`` from ``requirements_path``, remade when ``wanted`` (the text its
    stamp file records: the interpreter and the requirements) changed. Also what the release check uses for its own.

    Returns (its python, what was done: None when it was up to date). pip's output is kept and
    raised with ``label`` when the install fails, as several virtualenvs install at once.
    """
    stamp = os.path.join(venv, '.matrix-requirements')
    venv_python = os.path.join(venv, 'bin', 'python')
    if os.path.exists(stamp):
        with open(stamp, encoding='utf-8') as handle:
            if handle.read() == wanted:
                return venv_python, None
    shutil.rmtree(venv, ignore_errors=True)
    started = time.monotonic()
    for command in ([python, '-m', 'venv', venv],
                    [venv_python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements_path]):
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise VenvFailed('%s: `%s` failed (exit %d):\n%s%s' % (
                label, ' '.join(command), completed.returncode, completed.stdout, completed.stderr))
    with open(stamp, 'w', encoding='utf-8') as handle:
        handle.write(wanted)
    return venv_python, 'created %s with %s in %.0f s' % (os.path.relpath(venv, REPO_ROOT), python,
                                                          time.monotonic() - started)


def ensure_venv(minor, python):
    """The virtualenv of ``minor``, made or remade when its requirements or interpreter changed (see ensure_virtualenv)."""
    return ensure_virtualenv(os.path.join(VENVS_DIR, 'ansible-' + minor), python,
                             os.path.join(MATRIX_DIR, 'ansible-%s.txt' % minor),
                             'python: %s\n%s' % (python, requirements_text(minor)), 'ansible-core ' + minor)


def ensure_venvs(pythons):
    """Every version's virtualenv, made side by side (pip waits on the index and unpacks; one core
    each is plenty); {minor: its python}. Raises VenvFailed naming each version that failed."""
    venv_pythons = {}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(pythons) or 1) as pool:
        futures = dict((pool.submit(ensure_venv, minor, python), minor) for minor, python in pythons.items())
        for future in concurrent.futures.as_completed(futures):
            minor = futures[future]
            try:
                venv_pythons[minor], done = future.result()
            except VenvFailed as error:
                failures.append(str(error))
                continue
            if done:
                print('ansible-core %s: %s' % (minor, done), flush=True)
    if failures:
        raise VenvFailed('\n'.join(failures))
    return venv_pythons


def pins(text):
    """{package name: pinned version} of a requirements text's ``name==version`` lines."""
    return dict((match.group(1).lower(), match.group(2))
                for match in re.finditer(r'^\s*([A-Za-z0-9_.-]+)\s*==\s*(\S+)', text, re.MULTILINE))


def version_make_test_ran(versions, make_test_python):
    """The matrix version that ``make test`` runs already, or None.

    ``make test`` runs every test of the matrix's selection (and more) from ``.venv``, made from
    requirements-dev.txt. A matrix version is that same run when requirements-dev.txt pins its
    ansible-core and every test-runner pin of common.txt alike, and ``.venv``'s Python is the
    version's. When a pin or the Python differs, nothing is left out.
    """
    with open(os.path.join(REPO_ROOT, 'requirements-dev.txt'), encoding='utf-8') as handle:
        make_test_pins = pins(handle.read())
    python_version = None
    if os.path.exists(make_test_python):
        completed = subprocess.run([make_test_python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                                   capture_output=True, text=True, check=False)
        python_version = completed.stdout.strip()
    for minor, matrix_python in versions:
        matrix_pins = pins(requirements_text(minor))
        if matrix_python == python_version and all(make_test_pins.get(name) == version
                                                   for name, version in matrix_pins.items()):
            return minor
    return None


def ansible_playbook_version(venv_python):
    """The first line of the virtualenv's ``ansible-playbook --version`` and its Python line."""
    completed = subprocess.run([os.path.join(os.path.dirname(venv_python), 'ansible-playbook'), '--version'],
                               capture_output=True, text=True, check=False)
    lines = completed.stdout.splitlines()
    python_line = [line.strip() for line in lines if line.strip().startswith('python version')]
    return ' / '.join(lines[:1] + python_line[:1]) or completed.stderr.strip()


def test_environment(minor, extra=None):
    """The environment of a matrix pytest run: no ANSIBLE_* from the caller, the expected version named."""
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))
    env['MATRIX_ANSIBLE_CORE'] = minor
    env.update(extra or {})
    return env


def pytest_command(venv_python, paths, workers):
    """pytest from the virtualenv on ``paths``, minus the suites left out."""
    command = [venv_python, '-m', 'pytest'] + list(paths) + ['-q', '-p', 'no:cacheprovider', '-n', str(workers),
                                                             '--dist', 'worksteal', '--durations', '15']
    for path in LEFT_OUT:
        command += ['--ignore', path]
    for test in LEFT_OUT_TESTS:
        command += ['--deselect', test]
    return command


class Step:
    """One run of the matrix: a name, a command, an environment; its outcome once run."""

    def __init__(self, name, command, env):
        self.name = name
        self.command = command
        self.env = env
        self.returncode = None
        self.seconds = None
        # CPU seconds of the step and every process it waited for (pytest, its workers, ansible-playbook,
        # the modules): on a machine shared with other work, a measure that wall time is not.
        self.cpu_seconds = None
        self.log_path = os.path.join(VENVS_DIR, 'logs', re.sub(r'[^A-Za-z0-9.]+', '-', name).strip('-') + '.log')

    def start(self, quiet):
        """Start the step; its output goes to the terminal, or only to its log when ``quiet``."""
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.started = time.monotonic()
        self.log = open(self.log_path, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        if quiet:
            self.process = subprocess.Popen(self.command, cwd=REPO_ROOT, env=self.env, stdout=self.log,
                                            stderr=subprocess.STDOUT)
        else:
            self.process = subprocess.Popen(self.command, cwd=REPO_ROOT, env=self.env, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True)

    def reap(self, block):
        """Collect the step's exit status and CPU time once it has ended; whether it has."""
        pid, status, usage = os.wait4(self.process.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return False
        self.returncode = self.process.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        self.seconds = time.monotonic() - self.started
        return True

    def finish(self):
        """Wait for the step (echoing its output when not quiet); return its exit code."""
        if self.process.stdout is not None:
            for line in self.process.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                self.log.write(line)
        if self.returncode is None:
            self.reap(block=True)
        self.log.close()
        return self.returncode


def report_quiet_step(step):
    """Print the outcome of a step whose output went to its log: its last line, or its failures."""
    with open(step.log_path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    summary = [line for line in lines if line.strip()][-1:]
    if step.returncode != 0:
        # A failed step's failures shown here too (CI keeps the console, not always the logs).
        firsts = [number for number, line in enumerate(lines) if line.startswith('=') and 'FAILURES' in line]
        summary = lines[firsts[0] if firsts else -60:][-400:]
    print('--- %s: exit %s in %.0f s, %.0f CPU s (%s)\n    %s' % (
        step.name, step.returncode, step.seconds, step.cpu_seconds, os.path.relpath(step.log_path, REPO_ROOT),
        '\n    '.join(summary)), flush=True)


def run_steps(steps, jobs, alongside=()):
    """Run the steps, ``jobs`` at a time (output shown as it comes when one at a time).

    ``alongside``: steps started first that run beside all the others, their output in their logs. ansible-test
    sanity keeps about one core busy, and a step of tests leaves part of the second idle while its tests wait on
    the simulator, so sanity beside them shortens the run by most of its own length.
    """
    waiters = []
    for step in alongside:
        print('\n=== %s, beside the other steps (output in %s)\n$ %s' % (
            step.name, os.path.relpath(step.log_path, REPO_ROOT), ' '.join(step.command)), flush=True)
        step.start(quiet=True)
        # Reaped as soon as it ends, so that its time is its own, not the other steps'.
        waiters.append(threading.Thread(target=step.reap, kwargs=dict(block=True), daemon=True))
        waiters[-1].start()
    pending = list(steps)
    running = []
    while pending or running:
        while pending and len(running) < jobs:
            step = pending.pop(0)
            print('\n=== %s\n$ %s' % (step.name, ' '.join(step.command)), flush=True)
            step.start(quiet=jobs > 1)
            running.append(step)
        if jobs == 1:
            running.pop(0).finish()
            continue
        time.sleep(0.5)
        for step in list(running):
            if step.reap(block=False):
                step.finish()
                running.remove(step)
                report_quiet_step(step)
    for step, waiter in zip(alongside, waiters):
        waiter.join()
        step.finish()
        report_quiet_step(step)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--only', help='comma-separated minor versions to run (default: all of them)')
    # One step at a time with a worker more than the cores: a step alone keeps both cores of the CI machine
    # busy, so steps side by side only add contention, and can push tests with 1 s timeouts past them.
    parser.add_argument('--jobs', type=int, default=1, help='steps run at the same time (default 1: output shown as it comes)')
    parser.add_argument('--workers', default='3', help="pytest-xdist workers per step (default 3; 'auto' = one per core)")
    parser.add_argument('--no-sanity', action='store_true', help='leave out ansible-test sanity (run beside the tests on each version)')
    parser.add_argument('--after-make-test', action='store_true',
                        help="leave out the version make test has just run (same ansible-core, test pins and Python as "
                             ".venv, checked from requirements-dev.txt); what CI's .ci/run does")
    return parser.parse_args(argv)


def main(argv):
    arguments = parse_arguments(argv)
    versions = list(VERSIONS)
    if arguments.only:
        wanted = arguments.only.split(',')
        unknown = set(wanted) - set(minor for minor, _python in VERSIONS)
        if unknown:
            raise SystemExit('make test-matrix: unknown version(s) %s; the matrix has %s'
                             % (', '.join(sorted(unknown)), ', '.join(minor for minor, _python in VERSIONS)))
        versions = [item for item in VERSIONS if item[0] in wanted]
    newest = VERSIONS[-1][0]
    if arguments.after_make_test:
        ran = version_make_test_ran(versions, os.path.join(REPO_ROOT, '.venv', 'bin', 'python'))
        if ran:
            print('ansible-core %s: left out, make test has just run it (requirements-dev.txt pins the same '
                  'ansible-core and test runner, .venv has the same Python)' % ran)
            versions = [item for item in versions if item[0] != ran]
        else:
            print('make test ran no version of the matrix as the matrix pins it: every version runs')

    # Every interpreter first: a missing one fails the run at once, before minutes of tests.
    pythons = {}
    missing = []
    for minor, python_version in versions:
        try:
            pythons[minor] = find_python(python_version)
        except MissingInterpreter as error:
            missing.append('ansible-core %s needs Python %s: %s' % (minor, python_version, error))
    if missing:
        print('make test-matrix FAILED: an interpreter of a supported ansible-core version is missing.\n  '
              + '\n  '.join(missing), file=sys.stderr)
        return 2

    started = time.monotonic()
    try:
        venv_pythons = ensure_venvs(pythons)
    except VenvFailed as error:
        print('make test-matrix FAILED: a virtualenv could not be made.\n%s' % error, file=sys.stderr)
        return 2
    setup_seconds = time.monotonic() - started

    steps = []
    for minor, python_version in versions:
        name, env = 'ansible-core %s on Python %s' % (minor, python_version), test_environment(minor)
        if minor == newest:
            # Facts as ansible-core 2.24 will give them: only under ansible_facts. This is the newest
            # version's one run: false only takes the top-level copies of facts away (true adds them,
            # with a deprecation warning where one is used), so a use of such a copy fails here outright,
            # and the default's path runs on every older version.
            name, env = name + ' with ANSIBLE_INJECT_FACT_VARS=false', test_environment(minor, INJECT_FACT_VARS_OFF)
        steps.append(Step(name, pytest_command(venv_pythons[minor], SELECTION, arguments.workers), env))
    alongside = []
    if venv_pythons and not arguments.no_sanity:
        minors = [minor for minor, _python in versions]
        alongside.append(Step('ansible-test sanity on ansible-core %s' % ', '.join(minors),
                              [sys.executable, os.path.join('tests', 'tools', 'release_check.py'),
                               '--only', ','.join('sanity-' + minor for minor in minors)],
                              dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))))
    run_steps(steps, arguments.jobs, alongside)
    steps.extend(alongside)

    cpu_seconds = sum(step.cpu_seconds or 0 for step in steps)
    print('\n=== make test-matrix: %.0f s (virtualenvs %.0f s); the tests took %.0f CPU s, %.0f s of %d cores at least'
          % (time.monotonic() - started, setup_seconds, cpu_seconds, cpu_seconds / (os.cpu_count() or 1), os.cpu_count() or 1))
    for minor, _python in versions:
        print('  ansible-core %s: %s' % (minor, ansible_playbook_version(venv_pythons[minor])))
    for step in steps:
        outcome = 'passed' if step.returncode == 0 else 'FAILED'
        print('  %-70s %-6s %5.0f s %6.0f CPU s' % (step.name, outcome, step.seconds, step.cpu_seconds))
    failed = [step.name for step in steps if step.returncode != 0]
    if failed:
        print('make test-matrix FAILED: %s (logs in %s)' % ('; '.join(failed), os.path.relpath(VENVS_DIR, REPO_ROOT) + '/logs'),
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
