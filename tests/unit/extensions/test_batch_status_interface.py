# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch_status event source's interface as it is documented, against what the source does: its DOCUMENTATION,
the JSON schema of its arguments and the guide agree with the arguments the source reads, their types, defaults and
bounds; the guide and DOCUMENTATION name every field of the event schema.

Read without a JSON-schema validator (the schemas are data here); tests/integration/test_event_source_schema.py
validates events and arguments against them."""

import ast
import json
import os
import re

import pytest
import yaml
from ansible.parsing import plugin_docs

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import CLOUDS, ENV_VARS
from ansible_collections.partnercenter.devices.plugins.module_utils.options import SHARED_OPTIONS, SharedOptionAdapter
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import NUMBER_BOUNDS

import harness

source = harness.load_file_as_module('batch_status_interface', harness.EVENT_SOURCE_PATH)

ARGS_SCHEMA_PATH = os.path.join(harness.REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'schemas', 'batch_status.json')
EVENT_SCHEMA_PATH = os.path.join(harness.REPO_ROOT, 'schemas', 'event', 'batch_status.json')
GUIDE_PATH = os.path.join(harness.REPO_ROOT, 'docs', 'docsite', 'rst', 'event-driven-ansible.rst')


def _load_json(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def _source_text():
    with open(harness.EVENT_SOURCE_PATH, encoding='utf-8') as handle:
        return handle.read()


ARGS_SCHEMA = _load_json(ARGS_SCHEMA_PATH)
EVENT_SCHEMA = _load_json(EVENT_SCHEMA_PATH)
DOCUMENTATION = harness.documentation_block(harness.EVENT_SOURCE_PATH)
OPTIONS = DOCUMENTATION['options']
PROPERTIES = ARGS_SCHEMA['properties']
ONE_BATCH = [{'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID}]
# Enough for the source to build its client without any request.
MINIMAL = {'batches': ONE_BATCH, 'access_token': 'interface-test-token'}
# ansible-doc types and the JSON type each is in the schema.
JSON_TYPES = {'str': 'string', 'float': 'number', 'int': 'integer', 'bool': 'boolean', 'list': 'array', 'dict': 'object'}
# Per documented option, a value the source refuses, with a message naming the option.
REFUSED = {
    'batches': 'x',
    'batches_file': ['x'],
    'delay': 'soon',
    'status_changes': 'maybe',
    'tenant_id': 5,
    'client_id': 5,
    'client_secret': 5,
    'refresh_token': 5,
    'access_token': 5,
    'cloud': 'mars',
    'base_url': 'http://pc.example.com',
    'authority_url': 'http://login.example.com',
    'validate_certs': 'maybe',
    'timeout': 0,
    'retries': 21,
    'locale': 'english!',
    'correlation_id': 'nope',
}
# The numbers with bounds: the schema states them, the source holds to them.
BOUNDED = {'delay': source.DELAY_BOUNDS, 'timeout': NUMBER_BOUNDS['timeout'], 'retries': NUMBER_BOUNDS['retries']}


def json_types(schema):
    """Every JSON type a property's schema admits (from type, enum and the branches of anyOf)."""
    types = set()
    declared = schema.get('type')
    if declared:
        types.update([declared] if isinstance(declared, str) else declared)
    for value in schema.get('enum', ()):
        types.add('null' if value is None else JSON_TYPES[type(value).__name__])
    for branch in schema.get('anyOf', ()):
        types.update(json_types(branch))
    return types


def numeric_branch(schema):
    [branch] = [branch for branch in schema.get('anyOf', [schema]) if branch.get('type') in ('number', 'integer')]
    return branch


def builds(args):
    """Whether the source takes ``args`` (its ValueError otherwise), with nothing from the environment."""
    return source.watcher_from_args(args, environ={})


def test_ansible_doc_reads_the_documentation_and_examples_without_a_word(monkeypatch):
    """What galaxy-importer gets from ``ansible-doc -M extensions/eda/plugins/event_source batch_status``: ansible-core's
    own reader of a plugin file, which warns about any module-level assignment it cannot read."""
    said = []
    monkeypatch.setattr(plugin_docs.display, 'warning', lambda message, *args, **kwargs: said.append(message))
    monkeypatch.setattr(plugin_docs.display, 'error', lambda message, *args, **kwargs: said.append(message))
    read = plugin_docs.read_docstring(harness.EVENT_SOURCE_PATH, verbose=True, ignore_errors=True)
    assert said == []
    assert read['doc']['short_description'] == DOCUMENTATION['short_description']
    assert read['doc']['version_added'] == '1.0.0'
    assert yaml.safe_load(read['plainexamples']) == yaml.safe_load(source.EXAMPLES)


def test_the_documented_options_are_the_schemas_properties():
    assert sorted(OPTIONS) == sorted(PROPERTIES)


def test_the_source_reads_the_documented_arguments_and_no_other():
    """The names the source takes from its arguments: its own (args.get) and the shared options the modules take."""
    tree = ast.parse(_source_text())
    own = set(node.args[0].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'get'
              and getattr(node.func.value, 'id', None) == 'args' and node.args and isinstance(node.args[0], ast.Constant))
    assert own == {'batches', 'batches_file', 'delay', 'status_changes'}
    assert sorted(own | set(SHARED_OPTIONS)) == sorted(OPTIONS)
    # The names the warning about unknown arguments takes as known.
    assert sorted(source.OWN_ARGUMENTS) == sorted(own)


def test_every_documented_option_has_a_refused_value_here():
    assert sorted(REFUSED) == sorted(OPTIONS)


@pytest.mark.parametrize('name', sorted(REFUSED))
def test_the_source_checks_each_documented_argument(name):
    args = dict(MINIMAL, **{name: REFUSED[name]})
    with pytest.raises(ValueError) as raised:
        builds(args)
    assert str(raised.value).startswith(name) or re.search(r'\b%s\b' % name, str(raised.value)), str(raised.value)


@pytest.mark.parametrize('name', sorted(OPTIONS))
def test_the_documented_type_is_the_schemas(name):
    documented = OPTIONS[name].get('type', 'str')
    types = json_types(PROPERTIES[name]) - {'null'}
    if documented != 'str':
        # Numbers and booleans are taken as text too, as a rulebook variable arrives (see the schema's patterns).
        types -= {'string'}
    assert types == {JSON_TYPES[documented]}, (documented, types)


@pytest.mark.parametrize('name', sorted(OPTIONS))
def test_the_documented_default_is_the_schemas(name):
    assert OPTIONS[name].get('default') == PROPERTIES[name].get('default')


@pytest.mark.parametrize('name', sorted(SHARED_OPTIONS))
def test_the_documented_default_of_a_shared_option_is_the_one_the_source_uses(name):
    if name in ('base_url', 'authority_url'):
        # The cloud's: documented with cloud.
        assert OPTIONS[name].get('default') is None
        return
    assert SharedOptionAdapter.from_dict({}, environ={}).checked()[name] == OPTIONS[name].get('default')


def test_the_documented_defaults_of_the_sources_own_options_are_the_ones_it_uses():
    watcher = builds(dict(MINIMAL))
    assert (watcher.delay, watcher.status_changes) == (OPTIONS['delay']['default'], OPTIONS['status_changes']['default'])


@pytest.mark.parametrize('name', sorted(BOUNDED))
def test_the_schemas_bounds_are_the_sources_and_the_documented_ones(name):
    lowest, highest = BOUNDED[name][:2]
    branch = numeric_branch(PROPERTIES[name])
    assert (branch['minimum'], branch['maximum']) == (lowest, highest)
    text = ' '.join(OPTIONS[name]['description']) if isinstance(OPTIONS[name]['description'], list) else OPTIONS[name]['description']
    plain = [('%g' % bound) for bound in (lowest, highest)]
    assert '%s to %s' % tuple(plain) in text, text


@pytest.mark.parametrize('name', sorted(BOUNDED))
def test_the_source_takes_the_schemas_bounds_and_refuses_beyond_them(name):
    branch = numeric_branch(PROPERTIES[name])
    step = 1 if branch['type'] == 'integer' else 0.01
    for value in (branch['minimum'], branch['maximum']):
        builds(dict(MINIMAL, **{name: value}))
    for value in (branch['minimum'] - step, branch['maximum'] + step):
        with pytest.raises(ValueError, match=name):
            builds(dict(MINIMAL, **{name: value}))


BOOLEANS = sorted(name for name, option in OPTIONS.items() if option.get('type') == 'bool')
# How the source holds each boolean argument once it has read it.
TAKEN_BOOLEAN = {
    'status_changes': lambda watcher: watcher.status_changes,
    'validate_certs': lambda watcher: watcher.client._http.validate_certs,  # pylint: disable=protected-access
}
BOOLEAN_TEXTS = {'true': True, 'false': False, 'YES': True, 'No': False, 'on': True, 'OFF': False, 'y': True, 'n': False,
                 't': True, 'F': False, '1': True, '0': False, ' yes ': True}
NOT_BOOLEANS = {'maybe': 'maybe', 'ja': 'ja', 'two': '2', 'empty-text': '', 'integer-1': 1, 'list': [True]}


def test_the_boolean_arguments_are_the_ones_the_source_reads():
    assert BOOLEANS == sorted(TAKEN_BOOLEAN) == ['status_changes', 'validate_certs']


def test_every_boolean_argument_has_the_same_schema_but_its_text():
    schemas = [dict((key, value) for key, value in PROPERTIES[name].items() if key not in ('title', 'description', 'default'))
               for name in BOOLEANS]
    assert all(schema == schemas[0] for schema in schemas), schemas


BOOLEAN_CASES = [(name, text) for name in BOOLEANS for text in sorted(BOOLEAN_TEXTS)]


@pytest.mark.parametrize('name, text', BOOLEAN_CASES, ids=['%s-%s' % (name, text.strip()) for name, text in BOOLEAN_CASES])
def test_a_boolean_argument_takes_its_text_as_the_schema_says(name, text):
    """A rulebook that templates ``name: "{{ var }}"`` gives text: every boolean argument reads it the same way."""
    string_branch = [branch for branch in PROPERTIES[name]['anyOf'] if branch.get('type') == 'string'][0]
    assert re.search(string_branch['pattern'], text)
    assert TAKEN_BOOLEAN[name](builds(dict(MINIMAL, **{name: text}))) is BOOLEAN_TEXTS[text]


@pytest.mark.parametrize('name', BOOLEANS)
@pytest.mark.parametrize('value', [True, False])
def test_a_boolean_argument_takes_a_boolean(name, value):
    assert TAKEN_BOOLEAN[name](builds(dict(MINIMAL, **{name: value}))) is value


NOT_BOOLEAN_CASES = [(name, case) for name in BOOLEANS for case in sorted(NOT_BOOLEANS)]


@pytest.mark.parametrize('name, case', NOT_BOOLEAN_CASES, ids=['%s-%s' % pair for pair in NOT_BOOLEAN_CASES])
def test_a_boolean_argument_refuses_what_is_not_a_boolean_nor_its_text(name, case):
    value = NOT_BOOLEANS[case]
    if isinstance(value, str):
        string_branch = [branch for branch in PROPERTIES[name]['anyOf'] if branch.get('type') == 'string'][0]
        assert not re.search(string_branch['pattern'], value)
    with pytest.raises(ValueError, match='%s must be true or false' % name):
        builds(dict(MINIMAL, **{name: value}))


@pytest.mark.parametrize('name', sorted(OPTIONS))
def test_null_is_allowed_by_the_schema_for_every_argument(name):
    assert 'null' in json_types(PROPERTIES[name])


@pytest.mark.parametrize('name', sorted(OPTIONS))
def test_null_is_not_given_for_every_argument(name):
    """``name: null`` builds the same source as leaving ``name`` out (the default, or the environment's)."""
    base = dict(MINIMAL, batches_file='batches.yml') if name == 'batches' else dict(MINIMAL)
    # An access token in the environment too: the argument wins over it, and null or nothing leaves it to the environment.
    environ = {'PARTNER_CENTER_ACCESS_TOKEN': 'interface-test-environment-token'}
    given_null = source.watcher_from_args(dict(base, **{name: None}), environ=environ)
    left_out = source.watcher_from_args(dict((key, value) for key, value in base.items() if key != name), environ=environ)

    def settings(watcher):
        client = watcher.client
        return (sorted(watcher.watched), watcher.batches_file, watcher.delay, watcher.status_changes, client.base_url,
                client.locale, client.retries, client.timeout, client._http.validate_certs,  # pylint: disable=protected-access
                sorted(client.secrets))

    assert settings(given_null) == settings(left_out)


@pytest.mark.parametrize('name', ['delay', 'status_changes'])
def test_null_is_the_documented_default_of_the_sources_own_arguments(name):
    watcher = builds(dict(MINIMAL, **{name: None}))
    assert getattr(watcher, name) == OPTIONS[name]['default']


def test_the_cloud_choices_are_the_schemas_and_the_sources():
    assert sorted(OPTIONS['cloud']['choices']) == sorted(value for value in PROPERTIES['cloud']['enum'] if value) == sorted(CLOUDS)
    for cloud in CLOUDS:
        builds(dict(MINIMAL, cloud=cloud))


@pytest.mark.parametrize('name', sorted(ENV_VARS))
def test_the_environment_variable_of_an_option_is_documented_and_in_the_schema(name):
    assert 'E(%s)' % ENV_VARS[name] in json.dumps(OPTIONS[name]['description'])
    assert ENV_VARS[name] in PROPERTIES[name]['description']


@pytest.mark.parametrize('name', sorted(set(OPTIONS) - set(ENV_VARS)))
def test_an_option_without_an_environment_variable_names_none(name):
    assert 'PARTNER_CENTER_' not in json.dumps(OPTIONS[name]) + PROPERTIES[name]['description']


def test_the_source_needs_no_json_schema_validator():
    imported = set()
    for node in ast.walk(ast.parse(_source_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or '').split('.')[0])
    assert imported <= {'asyncio', 'json', 'logging', 'os', 'stat', 'sys', 'time', 'yaml', 'ansible_collections'}, imported


# -- the events ---------------------------------------------------------------------------------------

def event_types():
    """The event types of the event schema (the const of each branch's type)."""
    return [EVENT_SCHEMA['$defs'][ref['$ref'].rsplit('/', 1)[1]]['properties']['type']['const']
            for ref in EVENT_SCHEMA['properties']['partner_center_batch']['oneOf']]


def event_fields():
    """Every field an event of the schema has, under partner_center_batch, with those of a device in error."""
    definitions = EVENT_SCHEMA['$defs']
    fields = set()
    for name in event_types():
        fields.update(definitions[name].get('required', ()))
        fields.update(definitions[name]['properties'])
    fields.update(definitions['details']['required'])
    fields.update(definitions['device']['required'])
    return sorted(fields)


def test_the_event_schema_has_the_three_event_types():
    assert sorted(event_types()) == ['batch_complete', 'batch_poll_failed', 'batch_status_changed']


def test_the_event_key_is_the_sources():
    assert EVENT_SCHEMA['required'] == [source.EVENT_KEY]


def test_the_device_fields_of_the_schema_are_the_sources():
    assert sorted(EVENT_SCHEMA['$defs']['device']['required']) == sorted(source.DEVICE_FIELDS)


def _guide():
    with open(GUIDE_PATH, encoding='utf-8') as handle:
        return handle.read()


@pytest.mark.parametrize('field', event_fields())
def test_the_guide_lists_each_field_of_the_event_schema(field):
    table = _guide().split('Each event is under', 1)[1].split('The sample rulebooks', 1)[0]
    assert '``%s``' % field in table


@pytest.mark.parametrize('event_type', event_types())
def test_the_guide_lists_each_event_type_of_the_schema(event_type):
    table = _guide().split('Each event is under', 1)[1].split('The sample rulebooks', 1)[0]
    assert '``%s``' % event_type in table


@pytest.mark.parametrize('field', event_fields())
def test_the_documentation_names_each_field_of_the_event_schema(field):
    assert 'C(%s)' % field in ' '.join(DOCUMENTATION['description'])


@pytest.mark.parametrize('event_type', event_types())
def test_the_documentation_names_each_event_type_of_the_schema(event_type):
    assert 'V(%s)' % event_type in ' '.join(DOCUMENTATION['description'])


def test_the_guide_and_the_documentation_name_no_field_the_schema_lacks():
    """Every ``name`` in the guide's table of event fields is a field or an event type of the schema."""
    table = _guide().split('Each event is under', 1)[1].split('The sample rulebooks', 1)[0]
    known = set(event_fields()) | set(event_types()) | {source.EVENT_KEY}
    named = set(re.findall(r'^   \* - (.*)$', table, re.M))
    keys = set(name for row in named for name in re.findall(r'``([a-z_]+)``', row))
    assert keys <= known, keys - known
