# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users get it: built with ansible-galaxy, installed, documented and run."""

import collections
import json
import os
import subprocess
import tarfile

import pytest

import harness


# What the tarball may hold at its top level: the collection, its docs and its metadata. Anything
# else (a new tool's config, a dev requirements file) is for developers: add it to build_ignore.
TOP_LEVEL_ALLOWED = {'MANIFEST.json', 'FILES.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'COPYING',
                     'plugins', 'roles', 'meta', 'docs', 'changelogs', 'requirements.txt', 'bindep.txt',
                     # Event-Driven Ansible plugins (extensions/eda/plugins/event_source), the schema of their events.
                     'extensions', 'schemas',
                     # ansible-test's configuration (tests/config.yml) only.
                     'tests'}
NEEDED = ('LICENSE', 'plugins/modules/batch_upload_status.py', 'plugins/modules/access_token.py', 'plugins/action/access_token.py',
          'plugins/inventory/customers.py', 'extensions/eda/plugins/event_source/batch_status.py', 'meta/extensions.yml',
          'extensions/eda/plugins/event_source/schemas/batch_status.json', 'schemas/event/batch_status.json',
          'plugins/module_utils/client.py', 'plugins/doc_fragments/partner_center.py',
          'roles/wait_for_batch_upload/meta/argument_specs.yml', 'roles/wait_for_batch_upload/tasks/main.yml',
          'meta/runtime.yml', 'meta/execution-environment.yml', 'requirements.txt',
          'changelogs/changelog.yaml', 'changelogs/config.yaml',
          'docs/docsite/extra-docs.yml', 'docs/docsite/links.yml', 'docs/docsite/rst/execution-environment.rst',
          'docs/execution-environment/execution-environment.yml', 'docs/docsite/rst/awx.rst',
          'docs/awx/credential-type-inputs.yml', 'docs/awx/credential-type-injectors.yml',
          'docs/awx/wait_for_batch_upload.yml')
LEFT_OUT = ('.venv', '.venv-matrix', '.venv-release', '.venv-release-certification', '.ci', '.git', '.gitignore', '.ansible',
            '.ansible-lint', '.pytest_cache', '.benchmarks',
            'Makefile', 'requirements-dev.txt', 'pytest.ini', 'build', 'changelogs/.plugin-cache.yaml')

Built = collections.namedtuple('Built', 'tarball names install_path installed env')


def command(name, *arguments, cwd, env):
    """Run an Ansible command line tool; fail the test with its output when it fails."""
    completed = subprocess.run([os.path.join(harness.BIN_DIR, name)] + list(arguments), cwd=cwd, env=env,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    """The collection built from this checkout with ansible-galaxy and installed from the tarball."""
    tmp_path = tmp_path_factory.mktemp('packaging')
    install_path = tmp_path / 'installed'
    install_path.mkdir()
    # An empty config, so that neither an ansible.cfg in the working directory nor the user's is read.
    (install_path / 'ansible.cfg').write_text('[defaults]\n', encoding='utf-8')
    env = harness.ansible_env(str(install_path))
    command('ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path), cwd=harness.REPO_ROOT, env=env)
    [tarball] = [name for name in os.listdir(tmp_path) if name.endswith('.tar.gz')]
    with tarfile.open(tmp_path / tarball) as archive:
        names = archive.getnames()
    command('ansible-galaxy', 'collection', 'install', '-p', str(install_path), str(tmp_path / tarball),
            cwd=str(tmp_path), env=env)
    installed = install_path / 'ansible_collections' / 'partnercenter' / 'devices'
    assert (installed / 'MANIFEST.json').exists()
    return Built(tmp_path / tarball, names, install_path, installed, env)


def test_tarball_holds_the_collection_and_its_docs(built):
    for needed in NEEDED:
        assert needed in built.names
    for module in os.listdir(os.path.join(harness.REPO_ROOT, 'plugins', 'modules')):
        if module.endswith('.py'):
            assert 'plugins/modules/' + module in built.names


def test_tarball_holds_no_development_files(built):
    for left_out in LEFT_OUT:
        assert not any(name == left_out or name.startswith(left_out + '/') for name in built.names), left_out
    # Of the tests, only ansible-test's configuration ships (the Pythons the modules support, for a sanity run on
    # the tarball); a new file or folder under tests/ must be added to galaxy.yml's build_ignore.
    assert sorted(name for name in built.names if name == 'tests' or name.startswith('tests/')) == ['tests', 'tests/config.yml']
    assert not [name for name in built.names if '__pycache__' in name or name.endswith(('.pyc', '.tar.gz'))]
    assert set(name.split('/')[0] for name in built.names) <= TOP_LEVEL_ALLOWED


def test_ansible_doc_documents_every_module_and_role_from_the_tarball(built):
    modules = sorted('partnercenter.devices.' + name[len('plugins/modules/'):-3] for name in built.names
                     if name.startswith('plugins/modules/') and name.endswith('.py'))
    roles = sorted('partnercenter.devices.' + name.split('/')[1] for name in built.names
                   if name.startswith('roles/') and name.endswith('/meta/argument_specs.yml'))
    assert 'partnercenter.devices.batch_upload_status' in modules
    assert roles == ['partnercenter.devices.wait_for_batch_upload']

    documented = json.loads(command('ansible-doc', '--json', *modules, cwd=str(built.install_path), env=built.env).stdout)
    assert sorted(documented) == modules
    for name, doc in documented.items():
        assert doc['doc']['filename'].startswith(str(built.installed) + '/'), name
        assert doc['doc']['short_description'] and doc['examples'] and doc['return'], name

    documented = json.loads(command('ansible-doc', '-t', 'role', '--json', *roles, cwd=str(built.install_path),
                                    env=built.env).stdout)
    assert sorted(documented) == roles
    for name, doc in documented.items():
        assert doc['path'] == str(built.installed), name
        assert doc['entry_points']['main']['options'], name


def test_built_collection_installs_and_runs(built, simulator, tmp_path):
    playbook = os.path.join(harness.TESTS_DIR, 'integration', 'playbooks', 'batch_upload_status.yml')
    example = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID, 'return_raw': True}
    run = harness.run_playbook(playbook, str(built.install_path), str(tmp_path), extra_vars=example,
                               env=harness.simulator_credentials(simulator.url), verbosity=3)
    assert run.returncode == 0, run
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    # The module that ran is the installed one, not the checkout.
    assert 'Using module file %s/plugins/modules/batch_upload_status.py' % built.installed in run.output
