# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every integration test relies on: the ansible-playbook that runs, and how its warnings are read.

make test-matrix runs these tests from one virtualenv per ansible-core version; the playbooks must
run on that version, not on whichever ansible-playbook comes first on PATH.
"""

import os
import re
import subprocess
import sys
import textwrap

import pytest

import harness

from ansible.release import __version__ as ANSIBLE_CORE_VERSION

RETRY = ('GET /v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932: '
         'HTTP 503 Service Unavailable (code 900503); retry 1 of 5 in 1.0 s (Retry-After)')


def test_ansible_playbook_is_the_one_of_the_python_running_the_tests(collections_path):
    completed = subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-playbook'), '--version'],
                               env=harness.ansible_env(collections_path), capture_output=True, text=True, check=True)
    assert re.match(r'ansible-playbook \[core %s\]' % re.escape(ANSIBLE_CORE_VERSION), completed.stdout), completed.stdout
    python = re.search(r'python version = .*\((.+)\)$', completed.stdout, re.MULTILINE).group(1)
    assert os.path.realpath(python) == os.path.realpath(sys.executable)
    # make test-matrix names the version each of its runs is for.
    expected = os.environ.get('MATRIX_ANSIBLE_CORE')
    if expected:
        assert ANSIBLE_CORE_VERSION.startswith(expected + '.')


def test_playbooks_run_on_the_ansible_core_and_python_the_tests_import(playbook):
    run = playbook('versions.yml')
    assert run.returncode == 0, run
    assert run.results['ansible_version'] == ANSIBLE_CORE_VERSION
    assert os.path.realpath(run.results['controller_python']) == os.path.realpath(sys.executable)
    assert os.path.realpath(run.results['module_python']) == os.path.realpath(sys.executable)


@pytest.mark.parametrize('message', [
    '[WARNING]: ' + RETRY,
    '[WARNING]: POST /contoso-partner.onmicrosoft.com/oauth2/token: the server closed the connection without an '
    'answer; retry 2 of 5 in 0.37 s',
    '[DEPRECATION WARNING]: ' + 'a-hyphenated-word-list ' * 9 + 'and the end.',
    '[ERROR]: short',
])
def test_unwrap_messages_rejoins_what_ansible_core_before_2_19_wraps(monkeypatch, message):
    monkeypatch.setattr(harness, 'WRAPS_MESSAGES', True)
    wrapped = '\n'.join(textwrap.wrap(message, harness.WRAP_WIDTH))
    output = 'before\n%s\n\n[WARNING]: next one\nok: [localhost]\n' % wrapped
    assert harness.unwrap_messages(output) == 'before\n%s\n\n[WARNING]: next one\nok: [localhost]\n' % message


def test_unwrap_messages_leaves_other_lines_and_newer_versions_alone(monkeypatch):
    output = '[WARNING]: a short warning\nfollowed by a line of its own\n'
    monkeypatch.setattr(harness, 'WRAPS_MESSAGES', True)
    assert harness.unwrap_messages(output) == output
    monkeypatch.setattr(harness, 'WRAPS_MESSAGES', False)
    wrapped = '\n'.join(textwrap.wrap('[WARNING]: ' + RETRY, harness.WRAP_WIDTH))
    assert harness.unwrap_messages(wrapped) == wrapped


def test_a_module_exception_fails_the_run_whatever_the_test_expects(collections_path, tmp_path):
    """Every playbook run of the suite fails on an exception that escaped a module ("Module failed", MODULE FAILURE)."""
    library = tmp_path / 'library'
    library.mkdir()
    (library / 'raises.py').write_text('from ansible.module_utils.basic import AnsibleModule\n'
                                       'AnsibleModule(argument_spec={})\n'
                                       'raise RuntimeError("escaped on purpose")\n', encoding='utf-8')
    playbook = tmp_path / 'raises.yml'
    playbook.write_text(textwrap.dedent('''\
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Run a module that raises
              raises:
              ignore_errors: true
        '''), encoding='utf-8')
    with pytest.raises(harness.EscapedException, match='an exception escaped a module'):
        harness.run_playbook(str(playbook), collections_path, str(tmp_path), env={'ANSIBLE_LIBRARY': str(library)})
    # The hostile suite judges escapes case by case, so it can ask for the run as it is.
    run = harness.run_playbook(str(playbook), collections_path, str(tmp_path), env={'ANSIBLE_LIBRARY': str(library)},
                               judge_escapes=False)
    assert run.returncode == 0


@pytest.mark.parametrize('random_part', ['2inivwdf', '57is4716', '0ifylgma'])
def test_a_temporary_collections_path_makes_ansible_core_print_no_syntax_warning(tmp_path, random_part):
    # Random parts that, after a hyphen, made Python warn once per ANSIBLE_HOME-based default.
    made = harness.make_temp_dir('partnercenter-devices', parent=str(tmp_path))
    base = made[:-len(random_part)] + random_part
    os.rename(made, base)
    collections_path = harness.make_collections_path(base)
    completed = subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-playbook'), '--version'],
                               env=harness.ansible_env(collections_path), capture_output=True, text=True, check=True)
    assert 'SyntaxWarning' not in completed.stderr, completed.stderr
