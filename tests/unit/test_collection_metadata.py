# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Consistency of the collection's metadata: version, action group, shared options and their docs."""

import ast
import json
import os
import re

import pytest
import yaml

from ansible.module_utils.basic import env_fallback

from ansible_collections.partnercenter.devices.plugins.doc_fragments.partner_center import ModuleDocFragment
from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ENV_VARS
from ansible_collections.partnercenter.devices.plugins.module_utils.client import COLLECTION_VERSION, USER_AGENT
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PARTNER_CENTER_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC
from ansible_collections.partnercenter.devices.plugins.module_utils.options import SHARED_OPTIONS, SharedOptionAdapter

import harness

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES_DIR = os.path.join(COLLECTION_ROOT, 'plugins', 'modules')
DOC_FRAGMENT = 'partnercenter.devices.partner_center'
WAIT_DOC_FRAGMENT = 'partnercenter.devices.partner_center.wait'
# The names ansible-test's validate-modules expects no_log on (its NO_LOG_REGEX).
NO_LOG_NAME = re.compile(r'(?:pass(?!ive)|secret|token|key)', re.I)


def load_yaml(*parts):
    """A YAML file of the collection, parsed."""
    with open(os.path.join(COLLECTION_ROOT, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def module_names():
    """The modules of plugins/modules, by name."""
    return sorted(name[:-3] for name in os.listdir(MODULES_DIR)
                  if name.endswith('.py') and name != '__init__.py')


def module_documentation(name):
    """The parsed DOCUMENTATION of a module, read without importing it."""
    with open(os.path.join(MODULES_DIR, name + '.py'), encoding='utf-8') as handle:
        source = handle.read()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == 'DOCUMENTATION'
                                                for target in node.targets):
            return source, yaml.safe_load(node.value.value)
    raise AssertionError('%s has no DOCUMENTATION' % name)


FRAGMENT = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
DOCUMENTED = FRAGMENT['options']


def description(option):
    """The documented description of a shared option, as one string."""
    text = DOCUMENTED[option]['description']
    return ' '.join(text) if isinstance(text, list) else text


def test_collection_version_matches_galaxy_yml():
    galaxy = load_yaml('galaxy.yml')
    assert galaxy['namespace'] == 'partnercenter'
    assert galaxy['name'] == 'devices'
    assert COLLECTION_VERSION == galaxy['version']
    assert USER_AGENT.startswith('partnercenter.devices/%s ' % galaxy['version'])


def test_license_file_is_the_gpl_v3_galaxy_yml_names():
    galaxy = load_yaml('galaxy.yml')
    # galaxy.yml names the license by SPDX id; LICENSE carries its full text into the tarball.
    assert galaxy['license'] == ['GPL-3.0-or-later']
    assert 'license_file' not in galaxy
    assert 'LICENSE' not in galaxy['build_ignore']
    with open(os.path.join(COLLECTION_ROOT, 'LICENSE'), encoding='utf-8') as handle:
        text = handle.read()
    assert text.lstrip().startswith('GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007')
    assert 'END OF TERMS AND CONDITIONS' in text


def test_there_are_modules():
    assert 'batch_upload_status' in module_names()


def test_every_module_is_in_action_group_all():
    groups = load_yaml('meta', 'runtime.yml')['action_groups']
    assert sorted(groups['all']) == module_names()


def test_action_group_has_no_duplicates():
    group = load_yaml('meta', 'runtime.yml')['action_groups']['all']
    assert len(group) == len(set(group))


@pytest.mark.parametrize('name', module_names())
def test_modules_on_the_shared_options_extend_the_doc_fragment(name):
    source, documentation = module_documentation(name)
    assert documentation['module'] == name
    if 'PartnerCenterModule' in source:
        assert DOC_FRAGMENT in documentation.get('extends_documentation_fragment', [])
        own = set(documentation.get('options') or {})
        assert not own & set(PARTNER_CENTER_ARGUMENT_SPEC), 'shared options documented again in %s' % name


def test_every_spec_option_is_documented_and_back():
    assert sorted(DOCUMENTED) == sorted(PARTNER_CENTER_ARGUMENT_SPEC)


@pytest.mark.parametrize('name', sorted(PARTNER_CENTER_ARGUMENT_SPEC))
def test_option_type_default_choices_match(name):
    spec = PARTNER_CENTER_ARGUMENT_SPEC[name]
    doc = DOCUMENTED[name]
    assert doc.get('type', 'str') == spec.get('type', 'str')
    assert doc.get('default') == spec.get('default')
    assert isinstance(doc.get('default'), bool) == isinstance(spec.get('default'), bool)
    assert sorted(doc.get('choices') or []) == sorted(spec.get('choices') or [])
    assert bool(doc.get('required', False)) == bool(spec.get('required', False))
    assert sorted(doc.get('aliases') or []) == sorted(spec.get('aliases') or [])
    assert doc.get('elements') == spec.get('elements')
    assert description(name).strip()


@pytest.mark.parametrize('name', sorted(PARTNER_CENTER_ARGUMENT_SPEC))
def test_no_log_matches_credential_names(name):
    spec = PARTNER_CENTER_ARGUMENT_SPEC[name]
    doc = DOCUMENTED[name]
    assert bool(spec.get('no_log', False)) == bool(NO_LOG_NAME.search(name))
    if 'no_log' in doc:
        assert bool(doc['no_log']) == bool(spec.get('no_log', False))
    if spec.get('no_log'):
        assert 'default' not in spec
        assert 'default' not in doc


def test_secret_options():
    assert sorted(name for name, spec in PARTNER_CENTER_ARGUMENT_SPEC.items() if spec.get('no_log')) == [
        'access_token', 'client_secret', 'refresh_token']


@pytest.mark.parametrize('name', sorted(PARTNER_CENTER_ARGUMENT_SPEC))
def test_env_fallback_matches_env_vars_and_docs(name):
    spec = PARTNER_CENTER_ARGUMENT_SPEC[name]
    mentioned = re.findall(r'E\((PARTNER_CENTER_[A-Z_]+)\)', description(name))
    if name in ENV_VARS:
        assert spec['fallback'] == (env_fallback, [ENV_VARS[name]])
        assert mentioned == [ENV_VARS[name]]
        assert 'If not set, the environment variable E(%s) is used.' % ENV_VARS[name] in description(name)
    else:
        assert 'fallback' not in spec
        assert mentioned == []


def test_every_env_var_is_an_option():
    assert set(ENV_VARS) <= set(PARTNER_CENTER_ARGUMENT_SPEC)
    assert all(value == 'PARTNER_CENTER_' + key.upper() for key, value in ENV_VARS.items())


WAIT_DOCUMENTED = yaml.safe_load(ModuleDocFragment.WAIT)['options']


def test_wait_fragment_matches_wait_argument_spec():
    assert sorted(WAIT_DOCUMENTED) == sorted(WAIT_ARGUMENT_SPEC)
    for name, spec in WAIT_ARGUMENT_SPEC.items():
        assert WAIT_DOCUMENTED[name]['type'] == spec['type']
        assert WAIT_DOCUMENTED[name]['default'] == spec['default']


@pytest.mark.parametrize('name', module_names())
def test_modules_with_the_wait_options_extend_the_wait_fragment(name):
    source, documentation = module_documentation(name)
    if 'WAIT_ARGUMENT_SPEC' in source:
        assert WAIT_DOC_FRAGMENT in documentation.get('extends_documentation_fragment', [])
        assert not set(documentation.get('options') or {}) & set(WAIT_ARGUMENT_SPEC), 'wait options documented again in %s' % name


@pytest.mark.parametrize('name', module_names())
def test_every_module_has_examples_and_return_that_parse(name):
    with open(os.path.join(MODULES_DIR, name + '.py'), encoding='utf-8') as handle:
        blocks = dict((target.id, node.value.value) for node in ast.parse(handle.read()).body if isinstance(node, ast.Assign)
                      for target in node.targets if getattr(target, 'id', None) in ('EXAMPLES', 'RETURN'))
    assert isinstance(yaml.safe_load(blocks['EXAMPLES']), list)
    assert isinstance(yaml.safe_load(blocks['RETURN']), dict)


def test_the_argument_spec_is_the_shared_option_list():
    assert list(PARTNER_CENTER_ARGUMENT_SPEC) == list(SHARED_OPTIONS)
    for name, option in SHARED_OPTIONS.items():
        assert dict((key, value) for key, value in PARTNER_CENTER_ARGUMENT_SPEC[name].items() if key != 'fallback') == option


def test_the_adapters_defaults_are_the_documented_ones():
    options = SharedOptionAdapter.from_dict({}, environ={}).checked()
    for name in SHARED_OPTIONS:
        if name in ('base_url', 'authority_url'):
            continue  # documented as the cloud's, checked in test_options
        assert options[name] == DOCUMENTED[name].get('default'), name


def test_the_plugins_fragment_reads_each_environment_variable():
    plugins = yaml.safe_load(ModuleDocFragment.PLUGINS)['options']
    assert dict((name, [entry['name'] for entry in option['env']]) for name, option in plugins.items()) == dict(
        (name, [variable]) for name, variable in ENV_VARS.items())


def event_source_documentation():
    """The event source's DOCUMENTATION, read without importing it."""
    return harness.documentation_block(harness.EVENT_SOURCE_PATH)


@pytest.mark.parametrize('name', sorted(SHARED_OPTIONS))
def test_the_event_source_documents_each_shared_option_as_the_modules_do(name):
    documented = event_source_documentation()['options'][name]
    assert documented.get('type', 'str') == DOCUMENTED[name].get('type', 'str')
    assert documented.get('default') == DOCUMENTED[name].get('default')
    assert sorted(documented.get('choices') or []) == sorted(DOCUMENTED[name].get('choices') or [])
    if name in ENV_VARS:
        assert 'E(%s)' % ENV_VARS[name] in json.dumps(documented['description'])


# The extension directories galaxy-importer lists as content (its ALLOWED_EXTENSION_DIRS); another is only warned about.
GALAXY_EXTENSION_DIRS = ('eda/plugins/event_source', 'eda/plugins/event_filter')


def test_meta_extensions_lists_each_directory_of_eda_plugins_as_galaxy_importer_reads_it():
    """meta/extensions.yml as ansible.eda has it: ``extensions``, a list of ``args: {ext_dir: ...}`` below extensions/."""
    listed = [entry['args']['ext_dir'] for entry in load_yaml('meta', 'extensions.yml')['extensions']]
    holding_plugins = sorted(os.path.relpath(path, os.path.join(COLLECTION_ROOT, 'extensions'))
                             for path, dummy, files in os.walk(os.path.join(COLLECTION_ROOT, 'extensions'))
                             if any(name.endswith('.py') and name != '__init__.py' for name in files))
    assert sorted(listed) == holding_plugins == ['eda/plugins/event_source']
    assert set(listed) <= set(GALAXY_EXTENSION_DIRS)
