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

Usage: ``python tests/tools/run_sanity.py [extra ansible-test sanity arguments]``.
"""

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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
    """The ansible-test sanity command line, for this Python, with extra ``arguments``."""
    python_version = '%d.%d' % sys.version_info[:2]
    ansible_test = os.path.join(os.path.dirname(sys.executable), 'ansible-test')
    return [ansible_test, 'sanity', '--python', python_version, '--color', 'no'] + list(arguments)


def main(arguments):
    """Copy, prepare the cache, run ansible-test sanity; return its exit code.

    Every test ansible-test has for a collection runs, ``changelog`` included (it lints
    changelogs/config.yaml and the fragments); tests/integration/test_changelog.py checks that
    it does and that it catches a broken fragment.
    """
    ensure_get_pip_cache()
    workdir = tempfile.mkdtemp(prefix='partnercenter-devices-sanity-')
    try:
        root = copy_collection(workdir)
        command = sanity_command(arguments)
        # Which ansible-test runs: the one of this interpreter's ansible-core (make test-matrix runs the newest's).
        version = subprocess.run([command[0], '--version'], capture_output=True, text=True, check=False).stdout.strip()
        print('%s (%s, Python %s)' % (version, command[0], command[3]), flush=True)
        with ansible_test_lock():
            return subprocess.run(command, cwd=root, check=False).returncode
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
