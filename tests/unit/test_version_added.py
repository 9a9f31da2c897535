# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every ``version_added`` of the collection names a release: one in changelogs/changelog.yaml, or the next one.

The next release is galaxy.yml's version, which no release of the changelog may carry yet. A plugin (module, inventory,
event source, role entry point) carries the release that first shipped it: the one whose changelog lists it, else the
next one. An option or returned key is not older than its plugin, nor than the option it is part of. The collection's
own doc fragments count as part of every plugin that extends them.
"""

import ast
import glob
import os
import re

import pytest
import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRAGMENT_PREFIX = 'partnercenter.devices.'
VERSION = re.compile(r'^\d+\.\d+\.\d+$')


def load_yaml(*parts):
    with open(os.path.join(COLLECTION_ROOT, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def version_key(version):
    """A version's parts as numbers, to compare versions."""
    return tuple(int(part) for part in str(version).split('.'))


CHANGELOG = load_yaml('changelogs', 'changelog.yaml')
RELEASES = sorted(CHANGELOG.get('releases') or {}, key=version_key)
NEXT_RELEASE = str(load_yaml('galaxy.yml')['version'])


def released_in():
    """(kind, name) -> the release whose changelog lists it: modules, plugins by type, and objects such as roles."""
    first = {}
    for release in RELEASES:
        changes = CHANGELOG['releases'][release]
        listed = [('module', entry['name']) for entry in changes.get('modules') or []]
        for kind, entries in (changes.get('plugins') or {}).items():
            listed += [(kind, entry['name']) for entry in entries]
        for kind, entries in (changes.get('objects') or {}).items():
            listed += [(kind, entry['name']) for entry in entries]
        for key in listed:
            first.setdefault(key, release)
    return first


def python_docs(path, fragment=False):
    """The DOCUMENTATION and RETURN of a Python file (of a doc fragment: every block of its classes), read without
    importing it."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    if fragment:
        body = [node for top in tree.body if isinstance(top, ast.ClassDef) for node in top.body]
    else:
        body = tree.body
    blocks = {}
    for node in body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and (node.targets[0].id in ('DOCUMENTATION', 'RETURN') or fragment and node.targets[0].id.isupper())
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            blocks[node.targets[0].id] = yaml.safe_load(node.value.value)
    return blocks


def fragment_options(name):
    """The options of one of the collection's doc fragments, by its name in extends_documentation_fragment."""
    short = name[len(FRAGMENT_PREFIX):]
    module, unused, block = short.partition('.')
    blocks = python_docs(os.path.join(COLLECTION_ROOT, 'plugins', 'doc_fragments', module + '.py'), fragment=True)
    return (blocks[(block or 'documentation').upper()] or {}).get('options') or {}


class Plugin:
    """What the collection documents about one plugin: its version_added, its options (with those of its fragments),
    its returned keys."""

    def __init__(self, kind, name, version_added, options, returned=None, where=''):
        self.kind = kind
        self.name = name
        self.version_added = version_added
        self.options = options
        self.returned = returned or {}
        self.where = where

    @property
    def id(self):
        return '%s:%s' % (self.kind, self.name)


def documented_plugin(kind, path):
    blocks = python_docs(path)
    documentation = blocks['DOCUMENTATION']
    options = dict(documentation.get('options') or {})
    for fragment in documentation.get('extends_documentation_fragment') or []:
        if fragment.startswith(FRAGMENT_PREFIX):
            for option, spec in fragment_options(fragment).items():
                # A plugin's own entry wins; a fragment that only adds env or ini entries (such as PLUGINS) adds no option.
                if option not in options and 'description' in spec:
                    options[option] = spec
    name = documentation.get('module') or documentation.get('name') or os.path.basename(path)[:-3]
    return Plugin(kind, name, documentation.get('version_added'), options, blocks.get('RETURN') or {},
                  os.path.relpath(path, COLLECTION_ROOT))


def plugins():
    found = []
    for path in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'plugins', '*', '*.py'))):
        kind = os.path.basename(os.path.dirname(path))
        if kind in ('module_utils', 'plugin_utils', 'doc_fragments') or os.path.basename(path) == '__init__.py':
            continue
        if 'DOCUMENTATION' not in python_docs(path):
            continue  # an action plugin shares its module's documentation
        found.append(documented_plugin('module' if kind == 'modules' else kind, path))
    for path in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'extensions', 'eda', 'plugins', '*', '*.py'))):
        if os.path.basename(path) != '__init__.py':
            found.append(documented_plugin(os.path.basename(os.path.dirname(path)), path))
    for specs in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'roles', '*', 'meta', 'argument_specs.yml'))):
        role = specs.split(os.sep)[-3]
        with open(specs, encoding='utf-8') as handle:
            entry_points = yaml.safe_load(handle)['argument_specs']
        for entry_point, spec in entry_points.items():
            found.append(Plugin('role', '%s:%s' % (role, entry_point), spec.get('version_added'), spec.get('options') or {},
                                where=os.path.relpath(specs, COLLECTION_ROOT)))
    return found


def fragment_blocks():
    """Each block of the collection's doc fragments, as a Plugin without a version of its own."""
    found = []
    for path in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'plugins', 'doc_fragments', '*.py'))):
        for block, parsed in sorted(python_docs(path, fragment=True).items()):
            found.append(Plugin('doc_fragment', '%s.%s' % (os.path.basename(path)[:-3], block.lower()), None,
                                (parsed or {}).get('options') or {}, where=os.path.relpath(path, COLLECTION_ROOT)))
    return found


PLUGINS = plugins()
FRAGMENTS = fragment_blocks()


def entries(tree, nested, path=''):
    """(path, version_added, entries under it) for every option or returned key, depth first."""
    for name, spec in (tree or {}).items():
        spec = spec or {}
        yield path + name, spec.get('version_added'), spec.get(nested)
        yield from entries(spec.get(nested), nested, path + name + '.')


def version_floors(tree, nested, floor, path=''):
    """(path, version_added, the oldest it may be) for every option or returned key: none older than what holds it."""
    for name, spec in (tree or {}).items():
        spec = spec or {}
        own = spec.get('version_added')
        yield path + name, own, floor
        if own is not None and (floor is None or version_key(own) > version_key(floor)):
            inner = str(own)
        else:
            inner = floor
        yield from version_floors(spec.get(nested), nested, inner, path + name + '.')


def every_version_added(plugin):
    """(what, version_added) for the plugin and each of its options and returned keys that has one."""
    found = [('version_added', plugin.version_added)] if plugin.version_added is not None else []
    for label, tree, nested in (('option', plugin.options, 'suboptions'), ('returned key', plugin.returned, 'contains')):
        found += [('%s %s' % (label, path), version) for path, version, unused in entries(tree, nested) if version is not None]
    return found


def test_the_next_release_is_the_newest_release_or_newer():
    # Right after a release galaxy.yml names it; the first change after it names the next one.
    assert VERSION.match(NEXT_RELEASE), NEXT_RELEASE
    newest = max(RELEASES, key=version_key)
    assert version_key(NEXT_RELEASE) >= version_key(newest), 'galaxy.yml names %s, older than the release %s' % (NEXT_RELEASE, newest)


def test_the_scan_finds_every_kind_of_plugin():
    kinds = set(plugin.kind for plugin in PLUGINS)
    assert {'module', 'inventory', 'event_source', 'role'} <= kinds, kinds
    assert 'partner_center.results' in [fragment.name for fragment in FRAGMENTS]


@pytest.mark.parametrize('plugin', PLUGINS + FRAGMENTS, ids=lambda plugin: plugin.id)
def test_every_version_added_is_a_release_or_the_next(plugin):
    known = set(RELEASES) | {NEXT_RELEASE}
    wrong = ['%s: %r' % (what, version) for what, version in every_version_added(plugin)
             if not isinstance(version, str) or not VERSION.match(version) or version not in known]
    assert not wrong, '%s (%s) has version_added that is neither a release of changelogs/changelog.yaml (%s) nor the next ' \
        'release %s: %s' % (plugin.id, plugin.where, ', '.join(RELEASES), NEXT_RELEASE, '; '.join(wrong))


@pytest.mark.parametrize('plugin', PLUGINS, ids=lambda plugin: plugin.id)
def test_a_plugin_carries_the_release_that_first_shipped_it(plugin):
    first = released_in().get((plugin.kind, plugin.name.split(':')[0]))
    if plugin.kind == 'role' and first is not None and not plugin.name.endswith(':main'):
        # An entry point added to a role after its first release carries its own release, not older than the role's.
        assert plugin.version_added is not None and version_key(plugin.version_added) >= version_key(first), plugin.id
        return
    expected = first or NEXT_RELEASE
    assert str(plugin.version_added) == expected, '%s (%s) says version_added %s; %s' % (
        plugin.id, plugin.where, plugin.version_added,
        'the changelog lists it in %s' % first if first else 'no release lists it, so it is new in %s' % NEXT_RELEASE)


@pytest.mark.parametrize('plugin', PLUGINS, ids=lambda plugin: plugin.id)
def test_no_option_or_returned_key_is_older_than_its_plugin(plugin):
    older = []
    for label, tree, nested in (('option', plugin.options, 'suboptions'), ('returned key', plugin.returned, 'contains')):
        for path, version, floor in version_floors(tree, nested, str(plugin.version_added)):
            if version is not None and version_key(version) < version_key(floor):
                older.append('%s %s: %s, older than %s' % (label, path, version, floor))
    assert not older, '%s (%s): %s' % (plugin.id, plugin.where, '; '.join(older))


# What release 0.1.0 shipped (the changelog's release commit): the documented options and returned keys of the plugins it
# listed, beside the shared options of the doc fragment partnercenter.devices.partner_center. Anything else of these
# plugins came later and says since when.
SHARED_OPTIONS_0_1_0 = ('tenant_id', 'client_id', 'client_secret', 'refresh_token', 'access_token', 'cloud', 'base_url',
                        'authority_url', 'validate_certs', 'timeout', 'retries', 'locale', 'correlation_id')
SHIPPED_IN_0_1_0 = {
    'module:access_token': (
        (),
        ('access_token', 'correlation_id', 'credential_kind', 'error_code', 'error_description', 'expires_in',
         'http_status', 'request_id')),
    'module:batch_upload_status': (
        ('batch_tracking_id', 'customer_id', 'poll_interval', 'wait', 'wait_timeout'),
        ('ansible_facts', 'batch_upload_details', 'complete', 'correlation_id', 'device_status_counts', 'devices_with_errors',
         'error_code', 'error_description', 'http_status', 'polls', 'raw_batch_upload_details', 'request_id', 'waited_seconds')),
    'module:device_batch': (
        ('batch_id', 'csv_content', 'csv_path', 'customer_id', 'devices', 'poll_interval', 'wait', 'wait_timeout'),
        ('batch_id', 'batch_tracking_id', 'batch_upload_details', 'complete', 'correlation_id', 'created', 'device_status_counts',
         'devices_count', 'devices_with_errors', 'error_code', 'error_description', 'http_status', 'location', 'polls',
         'problems', 'raw_batch_upload_details', 'request_id', 'upload_request_id', 'waited_seconds')),
    'module:device_batch_info': (
        ('batch_id', 'customer_id'),
        ('batch_id', 'correlation_id', 'device_batches', 'devices', 'error_code', 'error_description', 'http_status', 'pages',
         'raw_device_batches', 'request_id')),
    'role:wait_for_batch_upload:main': (
        ('wait_for_batch_upload_access_token', 'wait_for_batch_upload_batch_tracking_id', 'wait_for_batch_upload_customer_id',
         'wait_for_batch_upload_delay', 'wait_for_batch_upload_fail_on_device_errors', 'wait_for_batch_upload_report_csv',
         'wait_for_batch_upload_report_html', 'wait_for_batch_upload_report_mode', 'wait_for_batch_upload_retries'),
        ()),
}


@pytest.mark.parametrize('plugin', [plugin for plugin in PLUGINS if plugin.id in SHIPPED_IN_0_1_0], ids=lambda plugin: plugin.id)
def test_what_came_after_0_1_0_says_since_when(plugin):
    options, returned = SHIPPED_IN_0_1_0[plugin.id]
    if plugin.kind == 'module':
        options += SHARED_OPTIONS_0_1_0
    unmarked = ['option %s' % name for name, spec in plugin.options.items()
                if name not in options and (spec or {}).get('version_added') is None]
    unmarked += ['returned key %s' % name for name, spec in plugin.returned.items()
                 if name not in returned and (spec or {}).get('version_added') is None]
    assert not unmarked, '%s (%s): not in release 0.1.0, yet without version_added: %s' % (
        plugin.id, plugin.where, ', '.join(unmarked))


def test_every_plugin_of_0_1_0_is_in_the_table():
    assert sorted(plugin.id for plugin in PLUGINS if plugin.version_added == '0.1.0') == sorted(SHIPPED_IN_0_1_0)
