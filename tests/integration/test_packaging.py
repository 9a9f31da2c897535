# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users get it: built with ansible-galaxy, installed, and run."""

import os
import subprocess
import tarfile

import harness

from test_batch_upload_status import example_vars  # pylint: disable=import-error


def galaxy(*arguments, cwd, env):
    """Run ansible-galaxy; fail the test with its output when it fails."""
    completed = subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-galaxy')] + list(arguments), cwd=cwd, env=env,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def test_built_collection_installs_and_runs(simulator, tmp_path):
    install_path = tmp_path / 'installed'
    env = harness.ansible_env(str(install_path))
    galaxy('collection', 'build', '--output-path', str(tmp_path), cwd=harness.REPO_ROOT, env=env)
    [tarball] = [name for name in os.listdir(tmp_path) if name.endswith('.tar.gz')]
    with tarfile.open(tmp_path / tarball) as archive:
        names = archive.getnames()
    for needed in ('plugins/modules/batch_upload_status.py', 'plugins/modules/access_token.py',
                   'plugins/action/access_token.py', 'plugins/module_utils/client.py',
                   'roles/wait_for_batch_upload/meta/argument_specs.yml', 'meta/runtime.yml'):
        assert needed in names
    for left_out in ('.venv', '.ci/run', 'Makefile', 'requirements-dev.txt', 'pytest.ini'):
        assert not any(name == left_out or name.startswith(left_out + '/') for name in names), left_out
    galaxy('collection', 'install', '-p', str(install_path), str(tmp_path / tarball), cwd=str(tmp_path), env=env)
    installed = install_path / 'ansible_collections' / 'partnercenter' / 'devices'
    assert (installed / 'MANIFEST.json').exists()

    workdir = tmp_path / 'run'
    workdir.mkdir()
    playbook = os.path.join(harness.TESTS_DIR, 'integration', 'playbooks', 'batch_upload_status.yml')
    (install_path / 'ansible.cfg').write_text('[defaults]\n', encoding='utf-8')
    run = harness.run_playbook(playbook, str(install_path), str(workdir), extra_vars=example_vars(),
                               env=harness.simulator_credentials(simulator.url), verbosity=3)
    assert run.returncode == 0, run
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    # The module that ran is the installed one, not the checkout.
    assert 'Using module file %s/plugins/modules/batch_upload_status.py' % installed in run.output
