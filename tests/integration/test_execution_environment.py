# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment: the collection's own declaration, and the documented definition built with ansible-builder.

``ansible-builder create`` only writes a build context (it needs no container engine, no Galaxy
and no network). What the image build would then do with the collection, these tests do offline
too: install it from the context's requirements with ansible-galaxy (the galaxy stage), and run
ansible-builder's own ``introspect.py`` on it (the builder stage), which gathers the Python and
system packages every installed collection declares.
"""

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import harness

EXAMPLE_DIR = os.path.join(harness.REPO_ROOT, 'docs', 'execution-environment')
EXAMPLE_FILES = ('execution-environment.yml', 'requirements.yml')


def load_yaml(path):
    """A YAML file, parsed."""
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def requirement_lines(path):
    """The requirement lines of a pip requirements file (no comments, no blank lines)."""
    with open(path, encoding='utf-8') as handle:
        lines = (re.sub(r'(^|\s)#.*$', '', line).strip() for line in handle)
        return [line for line in lines if line]


def run(arguments, cwd, env=None):
    """Run a command; fail the test with its output when it fails."""
    completed = subprocess.run(arguments, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def dev_pin(name):
    """The version requirements-dev.txt pins ``name`` to."""
    for line in requirement_lines(os.path.join(harness.REPO_ROOT, 'requirements-dev.txt')):
        requirement = Requirement(line)
        if requirement.name == name:
            return str(requirement.specifier)
    raise AssertionError('%s is not pinned in requirements-dev.txt' % name)


# -- the collection's declaration ------------------------------------------------------------------


def test_collection_declares_its_requirements_for_ansible_builder():
    meta = load_yaml(os.path.join(harness.REPO_ROOT, 'meta', 'execution-environment.yml'))
    assert meta['version'] == 3
    assert meta['dependencies'] == {'python': 'requirements.txt'}
    for requirement in requirement_lines(os.path.join(harness.REPO_ROOT, 'requirements.txt')):
        Requirement(requirement)  # a line pip and ansible-builder can read
    assert not os.path.exists(os.path.join(harness.REPO_ROOT, 'bindep.txt')), 'declare bindep.txt as dependencies.system'


def imported_top_level_names(path):
    """The top-level names of the modules a Python file imports (relative imports left out)."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split('.')[0])
    return names


def test_plugins_import_nothing_that_requirements_txt_does_not_provide():
    # An execution environment has ansible-core and its dependencies, plus what requirements.txt lists.
    provided = {'ansible-core'} | set(Requirement(line).name for line in importlib.metadata.requires('ansible-core') or []
                                      if 'extra ==' not in line)
    provided |= set(Requirement(line).name for line in requirement_lines(os.path.join(harness.REPO_ROOT, 'requirements.txt')))
    provided = set(name.lower().replace('_', '-') for name in provided)
    distributions = importlib.metadata.packages_distributions()
    plugins_dir = os.path.join(harness.REPO_ROOT, 'plugins')
    missing = {}
    for directory, _dirs, files in os.walk(plugins_dir):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(directory, name)
            for module in imported_top_level_names(path):
                if module in sys.stdlib_module_names or module in ('__future__', 'ansible', 'ansible_collections'):
                    continue
                owners = set(owner.lower().replace('_', '-') for owner in distributions.get(module, []))
                if not owners & provided:
                    missing.setdefault(os.path.relpath(path, harness.REPO_ROOT), set()).add(module)
    assert not missing, 'imports that an execution environment would lack; add them to requirements.txt: %s' % missing


def test_documented_ansible_core_is_the_tested_one_and_satisfies_requires_ansible():
    definition = load_yaml(os.path.join(EXAMPLE_DIR, 'execution-environment.yml'))
    pin = Requirement(definition['dependencies']['ansible_core']['package_pip'])
    assert pin.name == 'ansible-core'
    assert str(pin.specifier) == dev_pin('ansible-core')
    [version] = [spec.version for spec in pin.specifier if spec.operator == '==']
    requires_ansible = load_yaml(os.path.join(harness.REPO_ROOT, 'meta', 'runtime.yml'))['requires_ansible']
    assert Version(version) in SpecifierSet(requires_ansible)


def test_the_guide_shows_the_files_the_tests_use():
    with open(os.path.join(harness.REPO_ROOT, 'docs', 'docsite', 'rst', 'execution-environment.rst'), encoding='utf-8') as handle:
        guide = handle.read()
    for name in EXAMPLE_FILES:
        with open(os.path.join(EXAMPLE_DIR, name), encoding='utf-8') as handle:
            shown = ''.join(('   ' + line) if line.strip() else '\n' for line in handle.read().splitlines(True))
        block = '.. code-block:: yaml\n   :caption: docs/execution-environment/%s\n\n%s' % (name, shown)
        assert block in guide, '%s differs from docs/docsite/rst/execution-environment.rst' % name


# -- ansible-builder create on the documented definition -------------------------------------------------


@pytest.fixture(scope='module')
def context(tmp_path_factory):
    """The build context ansible-builder creates from the documented definition, the collection as a tarball."""
    workdir = tmp_path_factory.mktemp('execution-environment')
    for name in EXAMPLE_FILES:
        shutil.copy(os.path.join(EXAMPLE_DIR, name), str(workdir))
    env = harness.ansible_env(str(workdir))
    run([os.path.join(harness.BIN_DIR, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(workdir)],
        cwd=harness.REPO_ROOT, env=env)
    [tarball] = [name for name in os.listdir(workdir) if name.endswith('.tar.gz')]

    # As docs/docsite/rst/execution-environment.rst says, for a collection from a tarball instead of Galaxy.
    definition = load_yaml(workdir / 'execution-environment.yml')
    definition['additional_build_files'] = [{'src': tarball, 'dest': '.'}]
    (workdir / 'execution-environment.yml').write_text(yaml.safe_dump(definition), encoding='utf-8')
    requirements = load_yaml(workdir / 'requirements.yml')
    [collection] = requirements['collections']
    assert collection['name'] == 'partnercenter.devices'
    requirements['collections'] = [{'name': tarball, 'type': 'file'}]
    (workdir / 'requirements.yml').write_text(yaml.safe_dump(requirements), encoding='utf-8')

    run([os.path.join(harness.BIN_DIR, 'ansible-builder'), 'create', '--file', 'execution-environment.yml',
         '--context', 'context', '--output-filename', 'Containerfile'], cwd=str(workdir), env=env)
    return workdir / 'context', tarball, env


def test_create_writes_a_containerfile_that_installs_what_the_definition_says(context):
    context_dir, tarball, _env = context
    definition = load_yaml(os.path.join(EXAMPLE_DIR, 'execution-environment.yml'))
    containerfile = (context_dir / 'Containerfile').read_text(encoding='utf-8')
    lines = containerfile.splitlines()
    assert 'ARG EE_BASE_IMAGE="%s"' % definition['images']['base_image']['name'] in lines
    install_refs = (definition['dependencies']['ansible_core']['package_pip'],
                    definition['dependencies']['ansible_runner']['package_pip'])
    assert 'ARG ANSIBLE_INSTALL_REFS="%s %s"' % install_refs in lines
    assert 'RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS' in lines
    assert 'COPY _build /build' in lines
    assert any(line.startswith('RUN ') and 'ansible-galaxy collection install' in line and '-r requirements.yml' in line
               for line in lines)
    assert any(line.startswith('RUN $PYCMD /output/scripts/introspect.py introspect') for line in lines)
    assert 'RUN /output/scripts/check_ansible $PYCMD' in lines  # the image must end up with ansible and ansible-runner
    assert (context_dir / '_build' / tarball).is_file()
    assert load_yaml(context_dir / '_build' / 'requirements.yml') == {'collections': [{'name': tarball, 'type': 'file'}]}
    # The collection asks for no Python or system packages, so the definition adds none of its own.
    assert not (context_dir / '_build' / 'requirements.txt').exists()
    assert not (context_dir / '_build' / 'bindep.txt').exists()


def test_image_stages_install_the_collection_and_find_its_requirements(context, tmp_path):
    context_dir, _tarball, env = context
    collections_dir = tmp_path / 'usr-share-ansible' / 'collections'
    # The galaxy stage: ansible-galaxy in /build, that is the context's _build folder.
    run([os.path.join(harness.BIN_DIR, 'ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml',
         '--collections-path', str(collections_dir)], cwd=str(context_dir / '_build'),
        env=dict(env, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1'))
    installed = collections_dir / 'ansible_collections' / 'partnercenter' / 'devices'
    assert load_yaml(installed / 'meta' / 'execution-environment.yml') == load_yaml(
        os.path.join(harness.REPO_ROOT, 'meta', 'execution-environment.yml'))

    # The builder stage: ansible-builder's introspection of every installed collection.
    def introspect():
        output_dir = tmp_path / 'introspected'
        shutil.rmtree(str(output_dir), ignore_errors=True)
        completed = run([sys.executable, str(context_dir / '_build' / 'scripts' / 'introspect.py'), 'introspect',
                         str(collections_dir), '--write-pip', str(output_dir / 'requirements.txt'),
                         '--write-bindep', str(output_dir / 'bindep.txt')], cwd=str(tmp_path))
        return yaml.safe_load(completed.stdout.split('---', 1)[1])

    expected = ['%s  # from collection partnercenter.devices' % line
                for line in requirement_lines(os.path.join(harness.REPO_ROOT, 'requirements.txt'))]
    assert introspect() == {'python': expected, 'system': []}

    # What the collection would declare reaches the image: a package added to its requirements.txt.
    with open(installed / 'requirements.txt', 'a', encoding='utf-8') as handle:
        handle.write('example-package>=1.0\n')
    assert introspect()['python'] == expected + ['example-package>=1.0  # from collection partnercenter.devices']
