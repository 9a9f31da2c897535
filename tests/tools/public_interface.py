# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's public interface, as its documentation states it, and what a change to it breaks.

The interface is what playbooks, inventories and rulebooks name: every module option and return key, the
facts, the role's variables and the facts it publishes, the inventory's options, the event source's
arguments and event fields, the environment variables behind options, and the action group. It is read
from what users read: ``ansible-doc --json`` for the modules and the inventory, the role's
``meta/argument_specs.yml``, and the event source's DOCUMENTATION and event schema.

``tests/public-interface.json`` records it as released. Within a major version an entry may be added
but not removed or changed incompatibly (docs/docsite/rst/support.rst); ``breaking_changes`` finds what
a change breaks, and ``tests/integration/test_public_interface.py`` fails on it.

Usage:
  python tests/tools/public_interface.py            # print what differs from the record
  python tests/tools/public_interface.py --write    # record additions (refuses a breaking change)
  python tests/tools/public_interface.py --write --major   # record a breaking change, for a major release
"""

import argparse
import ast
import json
import os
import subprocess
import sys

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

import harness  # noqa: E402  pylint: disable=wrong-import-position
RECORD_PATH = os.path.join(REPO_ROOT, 'tests', 'public-interface.json')
COLLECTION = 'partnercenter.devices'
ROLE_DIR = os.path.join(REPO_ROOT, 'roles')
EVENT_SOURCE_DIR = os.path.join(REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source')
OWN_FRAGMENT = os.path.join(REPO_ROOT, 'plugins', 'doc_fragments', 'partner_center.py')


def _option_entry(option):
    """What a playbook relies on in one option: its type, default, choices, aliases, whether it is required,
    and the environment variables and ini entries behind it."""
    entry = {
        'type': option.get('type') or 'str',
        'default': option.get('default'),
        'required': bool(option.get('required')),
    }
    if option.get('elements'):
        entry['elements'] = option['elements']
    if option.get('choices'):
        choices = option['choices']
        entry['choices'] = sorted(str(choice) for choice in (choices.keys() if isinstance(choices, dict) else choices))
    if option.get('aliases'):
        entry['aliases'] = sorted(option['aliases'])
    env = [item['name'] for item in option.get('env') or () if isinstance(item, dict) and item.get('name')]
    if env:
        entry['env'] = sorted(env)
    return entry


def _options(options, prefix=''):
    """Every option and sub-option, by dotted path."""
    flat = {}
    for name, option in sorted((options or {}).items()):
        flat[prefix + name] = _option_entry(option)
        flat.update(_options(option.get('suboptions'), prefix + name + '.'))
    return flat


def _returns(returns, prefix=''):
    """Every return key and nested key, by dotted path, with its type."""
    flat = {}
    for name, value in sorted((returns or {}).items()):
        entry = {'type': value.get('type') or 'str'}
        if value.get('elements'):
            entry['elements'] = value['elements']
        flat[prefix + name] = entry
        flat.update(_returns(value.get('contains'), prefix + name + '.'))
    return flat


def _ansible_doc(plugin_type, names, collections_path):
    """``ansible-doc --json`` of ``names`` (short names) of ``plugin_type``, keyed by short name."""
    ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    command = [ansible_doc, '-t', plugin_type, '--json'] + ['%s.%s' % (COLLECTION, name) for name in names]
    completed = subprocess.run(command, capture_output=True, text=True, env=harness.ansible_env(collections_path), check=False)
    if completed.returncode != 0:
        raise RuntimeError('%s failed:\n%s' % (' '.join(command), completed.stderr))
    return dict((full_name.split('.')[-1], value) for full_name, value in json.loads(completed.stdout).items())


def _plugin_names(directory):
    return sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py') and not name.startswith('_'))


def _own_option_names(plugin_path):
    """The option names the collection documents itself for a plugin: its own DOCUMENTATION and the collection's
    doc fragment, not ansible-core's fragments (constructed, inventory_cache), which ansible-core owns."""
    names = set(harness.documentation_block(plugin_path).get('options') or {})
    with open(OWN_FRAGMENT, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), OWN_FRAGMENT)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            names.update((yaml.safe_load(node.value.value) or {}).get('options') or {})
    return names


def _module_utils_literal(file_name, name):
    """A literal constant of a module_utils file, read without importing the collection."""
    path = os.path.join(REPO_ROOT, 'plugins', 'module_utils', file_name)
    value = harness.python_constant(path, name)
    if value is None:
        raise RuntimeError('%s not found in %s' % (name, path))
    return value


def _environment_variables():
    """The environment variable behind each shared option of the modules (``ENV_VARS`` of auth.py)."""
    return dict(sorted(_module_utils_literal('auth.py', 'ENV_VARS').items()))


def _role_facts(role_dir):
    """The facts a role's tasks set with set_fact: names that plays read after the role."""
    facts = set()
    tasks_dir = os.path.join(role_dir, 'tasks')
    for name in sorted(os.listdir(tasks_dir)):
        with open(os.path.join(tasks_dir, name), encoding='utf-8') as handle:
            for task in yaml.safe_load(handle) or ():
                for key in ('ansible.builtin.set_fact', 'set_fact'):
                    if isinstance(task, dict) and isinstance(task.get(key), dict):
                        facts.update(fact for fact in task[key] if fact != 'cacheable')
    return sorted(facts)


def _event_fields():
    """The event source's event fields, by dotted path, from its JSON schema of events
    (``schemas/event/<source>.json``, where ansible.eda keeps its one event schema)."""
    fields = {}
    for name in _plugin_names(EVENT_SOURCE_DIR):
        schema_path = os.path.join(REPO_ROOT, 'schemas', 'event', name + '.json')
        if os.path.exists(schema_path):
            with open(schema_path, encoding='utf-8') as handle:
                schema = json.load(handle)
            fields[name] = _schema_fields(schema, schema)
    return fields


def _resolved(node, root):
    """A schema node with its local ``$ref`` (``#/$defs/...``) merged in: the node's own keywords and properties win."""
    if not isinstance(node, dict) or '$ref' not in node:
        return node
    target = root
    for part in node['$ref'].lstrip('#/').split('/'):
        target = target[part]
    merged = dict(_resolved(target, root))
    merged.update((key, value) for key, value in node.items() if key not in ('$ref', 'properties'))
    merged['properties'] = dict(merged.get('properties') or {}, **(node.get('properties') or {}))
    return merged


def _field_entry(node):
    entry = {}
    for key in ('type', 'const', 'enum'):
        if key in node:
            entry[key] = sorted(node[key], key=str) if isinstance(node[key], list) else node[key]
    return entry


def _schema_fields(node, root, prefix=''):
    """Every field a schema node allows, by path; a ``oneOf`` branch that fixes ``type`` is named by it."""
    node = _resolved(node, root)
    flat = {}
    for branch in node.get('oneOf') or node.get('anyOf') or ():
        branch = _resolved(branch, root)
        kind = ((branch.get('properties') or {}).get('type') or {}).get('const')
        flat.update(_schema_fields(branch, root, prefix[:-1] + '[%s].' % kind if kind and prefix else prefix))
    for name, value in sorted((node.get('properties') or {}).items()):
        value = _resolved(value, root)
        flat[prefix + name] = _field_entry(value)
        flat.update(_schema_fields(value, root, prefix + name + '.'))
        items = _resolved(value.get('items'), root)
        if isinstance(items, dict):
            flat.update(_schema_fields(items, root, prefix + name + '[].'))
    return flat


def collect():
    """The public interface of this checkout."""
    collections_path = harness.make_collections_path()
    modules_dir = os.path.join(REPO_ROOT, 'plugins', 'modules')
    inventory_dir = os.path.join(REPO_ROOT, 'plugins', 'inventory')
    interface = {'modules': {}, 'inventory': {}, 'roles': {}, 'event_sources': {}}
    for name, doc in sorted(_ansible_doc('module', _plugin_names(modules_dir), collections_path).items()):
        interface['modules'][name] = {'options': _options(doc['doc'].get('options')), 'returns': _returns(doc.get('return'))}
    for name, doc in sorted(_ansible_doc('inventory', _plugin_names(inventory_dir), collections_path).items()):
        own = _own_option_names(os.path.join(inventory_dir, name + '.py'))
        options = dict((key, value) for key, value in (doc['doc'].get('options') or {}).items() if key in own)
        interface['inventory'][name] = {'options': _options(options)}
    # The variables every customer host gets (``CUSTOMER_KEYS`` of customers.py, which the inventory sets).
    interface['inventory']['customers']['host_variables'] = sorted(_module_utils_literal('customers.py', 'CUSTOMER_KEYS'))
    for role in sorted(os.listdir(ROLE_DIR)):
        with open(os.path.join(ROLE_DIR, role, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
            specs = yaml.safe_load(handle)['argument_specs']
        interface['roles'][role] = {
            'entry_points': dict((entry, _options(spec.get('options'))) for entry, spec in sorted(specs.items())),
            'facts': _role_facts(os.path.join(ROLE_DIR, role)),
        }
    events = _event_fields()
    for name in _plugin_names(EVENT_SOURCE_DIR):
        documentation = harness.documentation_block(os.path.join(EVENT_SOURCE_DIR, name + '.py'))
        interface['event_sources'][name] = {'options': _options(documentation.get('options')),
                                            'event_fields': events.get(name, {})}
    interface['module_environment'] = _environment_variables()
    with open(os.path.join(REPO_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        interface['action_groups'] = dict((group, sorted(members))
                                          for group, members in sorted((yaml.safe_load(handle).get('action_groups') or {}).items()))
    return interface


def _option_breaks(where, frozen, current):
    """What a change of one option breaks for a task that used it as it was."""
    found = []
    for key in ('type', 'elements'):
        if frozen.get(key) != current.get(key):
            found.append('%s: %s changed from %r to %r' % (where, key, frozen.get(key), current.get(key)))
    if frozen.get('default') != current.get('default'):
        found.append('%s: default changed from %r to %r' % (where, frozen.get('default'), current.get('default')))
    if current.get('required') and not frozen.get('required'):
        found.append('%s: now required' % where)
    for key in ('choices', 'aliases', 'env'):
        gone = sorted(set(frozen.get(key) or ()) - set(current.get(key) or ()))
        if gone:
            found.append('%s: %s removed: %s' % (where, key, ', '.join(gone)))
    return found


def _options_breaks(where, frozen, current):
    found = []
    for path, option in sorted(frozen.items()):
        if path not in current:
            found.append('%s option %s: removed' % (where, path))
        else:
            found.extend(_option_breaks('%s option %s' % (where, path), option, current[path]))
    for path, option in sorted(current.items()):
        if path not in frozen and option.get('required'):
            found.append('%s option %s: new and required' % (where, path))
    return found


def _keys_breaks(where, kind, frozen, current):
    found = []
    for path, entry in sorted(frozen.items()):
        if path not in current:
            found.append('%s %s %s: removed' % (where, kind, path))
        elif entry != current[path]:
            found.append('%s %s %s: changed from %r to %r' % (where, kind, path, entry, current[path]))
    return found


def breaking_changes(frozen, current):
    """Every difference between the recorded interface ``frozen`` and ``current`` that breaks a playbook, inventory or
    rulebook written against ``frozen``; additions are not breaking."""
    found = []
    for kind in ('modules', 'inventory', 'event_sources'):
        for name, plugin in sorted(frozen.get(kind, {}).items()):
            where = '%s %s' % (kind.rstrip('s'), name)
            if name not in current.get(kind, {}):
                found.append('%s: removed' % where)
                continue
            now = current[kind][name]
            found.extend(_options_breaks(where, plugin.get('options', {}), now.get('options', {})))
            found.extend(_keys_breaks(where, 'return key', plugin.get('returns', {}), now.get('returns', {})))
            found.extend('%s host variable %s: no longer set' % (where, variable)
                         for variable in sorted(set(plugin.get('host_variables', ())) - set(now.get('host_variables', ()))))
            found.extend(_keys_breaks(where, 'event field', plugin.get('event_fields', {}), now.get('event_fields', {})))
    for name, role in sorted(frozen.get('roles', {}).items()):
        where = 'role %s' % name
        if name not in current.get('roles', {}):
            found.append('%s: removed' % where)
            continue
        now = current['roles'][name]
        for entry, options in sorted(role['entry_points'].items()):
            if entry not in now['entry_points']:
                found.append('%s entry point %s: removed' % (where, entry))
            else:
                found.extend(_options_breaks('%s entry point %s' % (where, entry), options, now['entry_points'][entry]))
        found.extend('%s fact %s: no longer set' % (where, fact) for fact in sorted(set(role['facts']) - set(now['facts'])))
    for option, variable in sorted(frozen.get('module_environment', {}).items()):
        if current.get('module_environment', {}).get(option) != variable:
            found.append('modules: option %s no longer read from %s' % (option, variable))
    for group, members in sorted(frozen.get('action_groups', {}).items()):
        gone = sorted(set(members) - set(current.get('action_groups', {}).get(group, ())))
        if gone:
            found.append('action group %s: %s removed' % (group, ', '.join(gone)))
    return found


def additions(frozen, current, prefix=''):
    """Paths present in ``current`` and not in ``frozen`` (entries new since the record)."""
    found = []
    if isinstance(current, dict) and isinstance(frozen, dict):
        for key, value in sorted(current.items()):
            if key not in frozen:
                found.append(prefix + key)
            else:
                found.extend(additions(frozen[key], value, prefix + key + ' / '))
    elif isinstance(current, list) and isinstance(frozen, list):
        found.extend(prefix + str(item) for item in current if item not in frozen)
    return found


def load_record(path=RECORD_PATH):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--write', action='store_true', help='record the interface in %s' % os.path.relpath(RECORD_PATH, REPO_ROOT))
    parser.add_argument('--major', action='store_true', help='with --write: record breaking changes too (a major release)')
    arguments = parser.parse_args(argv)
    current = collect()
    frozen = load_record() if os.path.exists(RECORD_PATH) else {}
    broken = breaking_changes(frozen, current)
    added = additions(frozen, current)
    for line in broken:
        print('BREAKING: %s' % line)
    for line in added:
        print('added: %s' % line)
    if arguments.write:
        if broken and not arguments.major:
            print('not written: the changes above break the interface; they belong in a major release (--major).')
            return 1
        with open(RECORD_PATH, 'w', encoding='utf-8') as handle:
            json.dump(current, handle, indent=1, sort_keys=True)
            handle.write('\n')
        print('written: %s' % os.path.relpath(RECORD_PATH, REPO_ROOT))
        return 0
    return 1 if broken or added else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
