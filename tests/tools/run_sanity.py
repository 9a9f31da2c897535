# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ``ansible-test sanity`` on this checkout, locally (no containers) and without ansible-test's download site.

Two things stand between a plain checkout and ansible-test:

- ansible-test wants the collection at ``.../ansible_collections/partnercenter/devices``. The files
  git knows of (tracked, or new and not ignored) are copied into a temporary tree of that shape.
- To bootstrap pip in its per-test virtualenvs it downloads ``get-pip.py`` from its own site, which
  air-gapped machines cannot reach. It first looks in its cache,
  ``~/.ansible/test/cache/get_pip_<version>.py``; when that is missing, this script writes a small
  stand-in there that bootstraps pip with ``ensurepip`` and then installs what ansible-test asked for
  from the configured package index.

Every test runs on every Python this ansible-test supports for the collection (the controller's Pythons, and the
modules' target Pythons tests/config.yml declares): the interpreters are found the way make test-matrix finds its
own (``run_matrix.find_python``: PATH, pyenv's versions, ``MATRIX_PYTHON_3_12`` and the like) and put on
ansible-test's PATH. A sanity test that ansible-test skips (an interpreter or a program such as shellcheck
missing, a test disabled) fails the run, naming it: a release is certified with every test run. The one
exception is a Python listed in ``PYTHONS_NOT_OBTAINABLE``: its skipped tests are printed as NOT RUN, and the
run passes.

Usage: ``python tests/tools/run_sanity.py [extra ansible-test sanity arguments]``.
"""

import contextlib
import fcntl
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOLS_DIR))

# Pythons that ansible-test supports but this project's machines cannot get: their tests are reported as not run
# instead of failing the run. 3.14 (a controller Python of ansible-core 2.20 and 2.21): pyenv builds it from
# python.org's sources, which the CI machines cannot reach, and Debian 12 packages no Python 3.14. Take a
# version out of this list once CI can install it: its skipped tests then fail the run again.
PYTHONS_NOT_OBTAINABLE = ('3.14',)

# What ansible-test prints when it does not run a sanity test (ansible_test/_internal/commands/sanity/__init__.py,
# test.py's TestSkipped, util.py's find_executable): the skip itself, a program it needs that is missing, the
# tests it leaves out unless --allow-disabled is given.
SKIPPED = re.compile(r'^WARNING: (?P<message>(?:Skipping .*|Required program "[^"]+" not found\.))\s*$')
MISSING_PYTHON = re.compile(r'^Skipping sanity test "(?P<test>[^"]+)" on Python (?P<python>[0-9.]+) because it could not be found\.$')

GET_PIP_STAND_IN = '''"""Stand-in for get-pip.py written by partnercenter.devices' tests/tools/run_sanity.py.

ansible-test runs it to put pip into a fresh virtualenv; this does so with ensurepip and the
configured package index instead of a download from ansible-test's site.
"""
import subprocess
import sys

ARGUMENTS = [argument for argument in sys.argv[1:] if argument not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + ARGUMENTS)
'''


def pip_version_wanted():
    """The pip version this ansible-test bootstraps (read from its own source)."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    source_path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(source_path, encoding='utf-8') as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        raise SystemExit('cannot find the pip version in %s; update tests/tools/run_sanity.py' % source_path)
    return match.group(1)


def ensure_get_pip_cache():
    """Write the get-pip stand-in to ansible-test's cache unless a script is already there."""
    version = pip_version_wanted()
    cache_path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))
    if not os.path.exists(cache_path):
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        with open(cache_path, 'w', encoding='utf-8') as handle:
            handle.write(GET_PIP_STAND_IN)


@contextlib.contextmanager
def ansible_test_lock():
    """Held while ansible-test runs: two at once (make sanity beside tests/integration/test_changelog.py, which
    make test runs side by side) would create the same ~/.ansible/test sanity virtualenv together and break it."""
    path = os.path.expanduser('~/.ansible/test/partnercenter-devices.lock')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'a', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def collection_files():
    """The files of the checkout that belong to the collection: tracked, or new and not ignored."""
    listing = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'],
                             cwd=REPO_ROOT, capture_output=True, check=True).stdout.decode('utf-8')
    return [path for path in listing.split('\0') if path and os.path.isfile(os.path.join(REPO_ROOT, path))]


def copy_collection(destination):
    """Copy the collection's files into ``destination``/ansible_collections/partnercenter/devices."""
    root = os.path.join(destination, 'ansible_collections', 'partnercenter', 'devices')
    for path in collection_files():
        target = os.path.join(root, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(REPO_ROOT, path), target)
    return root


def sanity_command(arguments):
    """The ansible-test sanity command line of this interpreter's ansible-core, with extra ``arguments``."""
    ansible_test = os.path.join(os.path.dirname(sys.executable), 'ansible-test')
    return [ansible_test, 'sanity', '--color', 'no'] + list(arguments)


def supported_pythons():
    """The Python versions this ansible-test runs sanity tests on, oldest first (its own constants)."""
    from ansible_test._util.target.common import constants  # pylint: disable=import-outside-toplevel

    return list(constants.REMOTE_ONLY_PYTHON_VERSIONS) + list(constants.CONTROLLER_PYTHON_VERSIONS)


def load_run_matrix():
    """tests/tools/run_matrix.py as a module (this script is also loaded by path, without tests/tools on sys.path)."""
    spec = importlib.util.spec_from_file_location('run_matrix', os.path.join(TOOLS_DIR, 'run_matrix.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def interpreters_dir(workdir, versions):
    """A folder of ``pythonX.Y`` links, one per version found, to put first on ansible-test's PATH; and the versions not found.

    ansible-test looks for ``pythonX.Y`` on PATH; a pyenv shim there answers only for the versions pyenv has selected
    (and fails for the others), so each link goes to the interpreter itself.
    """
    run_matrix = load_run_matrix()
    bin_dir = os.path.join(workdir, 'pythons')
    os.makedirs(bin_dir)
    missing = []
    for version in versions:
        try:
            os.symlink(run_matrix.find_python(version), os.path.join(bin_dir, 'python' + version))
        except run_matrix.MissingInterpreter:
            missing.append(version)
    return bin_dir, missing


def skipped_tests(lines):
    """The sanity tests ansible-test did not run, from its output: (ansible-test's message, whether only because a
    Python in PYTHONS_NOT_OBTAINABLE is missing), each once (its closing review repeats the warnings)."""
    found = []
    for line in lines:
        match = SKIPPED.match(line.rstrip('\n'))
        if not match or any(message == match.group('message') for message, _excused in found):
            continue
        missing = MISSING_PYTHON.match(match.group('message'))
        found.append((match.group('message'), bool(missing) and missing.group('python') in PYTHONS_NOT_OBTAINABLE))
    return found


def run_and_echo(command, cwd, env):
    """Run ``command``, its output (stdout and stderr together) shown as it comes; (exit code, its lines)."""
    lines = []
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    return process.returncode, lines


def verdict(returncode, skipped):
    """The run's exit code and its closing message: a failed test or a skipped one (not excused) fails it."""
    failing = [message for message, excused in skipped if not excused]
    excused = [message for message, excused in skipped if excused]
    notes = []
    if excused:
        notes.append('NOT RUN, no such Python on this machine (run_sanity.PYTHONS_NOT_OBTAINABLE: %s):\n  %s'
                     % (', '.join(PYTHONS_NOT_OBTAINABLE), '\n  '.join(excused)))
    if failing:
        notes.append('ansible-test sanity FAILED: it skipped %d test run(s); install what each needs (a Python: pyenv install '
                     'X.Y, or MATRIX_PYTHON_X_Y=/path/to/pythonX.Y; shellcheck: tests/tools/ensure_shellcheck.sh):\n  %s'
                     % (len(failing), '\n  '.join(failing)))
        return returncode or 1, '\n'.join(notes)
    return returncode, '\n'.join(notes)


def main(arguments):
    """Copy, prepare the cache, run ansible-test sanity; return its exit code, or 1 when it skipped a test.

    Every test ansible-test has for a collection runs, ``changelog`` included (it lints
    changelogs/config.yaml and the fragments); tests/integration/test_changelog.py checks that
    it does and that it catches a broken fragment.
    """
    ensure_get_pip_cache()
    workdir = tempfile.mkdtemp(prefix='partnercenter-devices-sanity-')
    try:
        root = copy_collection(workdir)
        command = sanity_command(arguments)
        bin_dir, missing = interpreters_dir(workdir, supported_pythons())
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''))
        # Which ansible-test runs: the one of this interpreter's ansible-core (make test-matrix runs the newest's).
        version = subprocess.run([command[0], '--version'], capture_output=True, text=True, check=False).stdout.strip()
        print('%s (%s); Pythons: %s%s' % (version, command[0], ', '.join(sorted(os.listdir(bin_dir), key=version_key)),
                                          '; not found: ' + ', '.join(missing) if missing else ''), flush=True)
        with ansible_test_lock():
            returncode, lines = run_and_echo(command, root, env)
        returncode, message = verdict(returncode, skipped_tests(lines))
        if message:
            print(message, flush=True)
        return returncode
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def version_key(name):
    """Sort key of python3.10: its version as numbers (after python3.9)."""
    return [int(part) for part in re.findall(r'\d+', name)]


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
