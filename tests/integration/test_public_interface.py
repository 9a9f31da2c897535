# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The public interface stays what 1.x promised: nothing documented is removed or changed incompatibly.

The interface is read as users read it (ansible-doc, the role's argument specs, the event source's documentation
and event schema) by tests/tools/public_interface.py and compared with tests/public-interface.json.
"""

import copy
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools'))

import public_interface  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='module')
def current():
    return public_interface.collect()


@pytest.fixture(scope='module')
def recorded():
    return public_interface.load_record()


def test_the_documented_interface_breaks_nothing_recorded(current, recorded):
    broken = public_interface.breaking_changes(recorded, current)
    assert not broken, (
        'These changes break playbooks written for this major version; an option or return key is removed only in '
        'a major release, after a minor release that deprecates it (docs/docsite/rst/support.rst):\n  '
        + '\n  '.join(broken))


def test_the_record_is_the_documented_interface(current, recorded):
    added = public_interface.additions(recorded, current)
    assert current == recorded, (
        'The documented interface differs from the record in compatible ways (additions, a required option made '
        'optional); record it with `python tests/tools/public_interface.py --write`, and give each addition its '
        'version_added. Added:\n  ' + ('\n  '.join(added) or '(nothing: a value changed)'))


def test_the_record_covers_every_kind_of_interface(recorded):
    assert sorted(recorded) == ['action_groups', 'event_sources', 'inventory', 'module_environment', 'modules', 'roles']
    assert 'ansible_facts.partnercenter_batch_upload_details' in recorded['modules']['batch_upload_status']['returns']
    assert 'wait_for_batch_upload_details' in recorded['roles']['wait_for_batch_upload']['facts']
    assert recorded['module_environment']['client_secret'] == 'PARTNER_CENTER_CLIENT_SECRET'
    assert recorded['inventory']['customers']['options']['tenant_id']['env'] == ['PARTNER_CENTER_TENANT_ID']
    assert 'relationship_to_partner' in recorded['inventory']['customers']['host_variables']
    fields = recorded['event_sources']['batch_status']['event_fields']
    assert 'partner_center_batch[batch_complete].devices_with_errors[].remediation' in fields
    assert 'partner_center_batch[batch_poll_failed].will_retry' in fields


def _edited(record, edit):
    changed = copy.deepcopy(record)
    edit(changed)
    return changed


def _set(path, value):
    def edit(record):
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(path):
    def edit(record):
        target = record
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return edit


BREAKING_EDITS = {
    'option removed': (_delete(['modules', 'device_batch', 'options', 'skip_existing']),
                       'module device_batch option skip_existing: removed'),
    'option renamed': (lambda record: record['modules']['device'].setdefault('options', {}).update(
        {'serials': record['modules']['device']['options'].pop('serial_numbers')}), 'module device option serial_numbers: removed'),
    'default changed': (_set(['modules', 'batch_upload_status', 'options', 'poll_interval', 'default'], 30),
                        'module batch_upload_status option poll_interval: default changed from 15 to 30'),
    'type changed': (_set(['modules', 'device_batch', 'options', 'wait_timeout', 'type'], 'float'),
                     'module device_batch option wait_timeout: type changed'),
    'choice removed': (_set(['modules', 'batch_upload_status', 'options', 'return_devices', 'choices'], ['all', 'none']),
                       'module batch_upload_status option return_devices: choices removed: with_errors'),
    'alias removed': (_set(['modules', 'device_batch', 'options', 'customer_id', 'aliases'], []),
                      'module device_batch option customer_id: aliases removed: customer_tenant_id'),
    'option now required': (_set(['modules', 'device_batch', 'options', 'wait', 'required'], True),
                            'module device_batch option wait: now required'),
    'new required option': (_set(['modules', 'device', 'options', 'confirm'], {'type': 'bool', 'default': None, 'required': True}),
                            'module device option confirm: new and required'),
    'return key removed': (_delete(['modules', 'device', 'returns', 'removed']), 'module device return key removed: removed'),
    'fact removed': (_delete(['modules', 'batch_upload_status', 'returns', 'ansible_facts.partnercenter_batch_upload_details']),
                     'return key ansible_facts.partnercenter_batch_upload_details: removed'),
    'inventory environment variable removed': (_set(['inventory', 'customers', 'options', 'tenant_id', 'env'], []),
                                               'inventory customers option tenant_id: env removed: PARTNER_CENTER_TENANT_ID'),
    'inventory host variable no longer set': (_set(['inventory', 'customers', 'host_variables'], ['customer_id']),
                                              'inventory customers host variable company_name: no longer set'),
    'module environment variable renamed': (_set(['module_environment', 'tenant_id'], 'PC_TENANT'),
                                            'option tenant_id no longer read from PARTNER_CENTER_TENANT_ID'),
    'role variable removed': (_delete(['roles', 'wait_for_batch_upload', 'entry_points', 'main', 'wait_for_batch_upload_delay']),
                              'role wait_for_batch_upload entry point main option wait_for_batch_upload_delay: removed'),
    'role fact no longer set': (_set(['roles', 'wait_for_batch_upload', 'facts'], []),
                                'role wait_for_batch_upload fact wait_for_batch_upload_details: no longer set'),
    'event source argument removed': (_delete(['event_sources', 'batch_status', 'options', 'delay']),
                                      'event_source batch_status option delay: removed'),
    'event field removed': (_delete(['event_sources', 'batch_status', 'event_fields', 'partner_center_batch[batch_poll_failed].will_retry']),
                            'event_source batch_status event field partner_center_batch[batch_poll_failed].will_retry: removed'),
    'event field type changed': (_set(['event_sources', 'batch_status', 'event_fields', 'partner_center_batch[batch_complete].devices_count'],
                                      {'type': 'string'}), 'event field partner_center_batch[batch_complete].devices_count: changed'),
    'action group member removed': (_set(['action_groups', 'all'], ['device']), 'action group all: access_token'),
    'module removed': (_delete(['modules', 'device_profile']), 'module device_profile: removed'),
}


@pytest.mark.parametrize('case', sorted(BREAKING_EDITS))
def test_a_breaking_change_is_found(recorded, case):
    edit, expected = BREAKING_EDITS[case]
    broken = public_interface.breaking_changes(recorded, _edited(recorded, edit))
    assert any(expected in line for line in broken), broken


NON_BREAKING_EDITS = {
    'new optional option': _set(['modules', 'device', 'options', 'confirm'], {'type': 'bool', 'default': False, 'required': False}),
    'new return key': _set(['modules', 'device', 'returns', 'removed_count'], {'type': 'int'}),
    'new choice': _set(['modules', 'batch_upload_status', 'options', 'return_devices', 'choices'], ['all', 'none', 'with_errors', 'summary']),
    'required option made optional': _set(['modules', 'device_batch', 'options', 'customer_id', 'required'], False),
    'new module': _set(['modules', 'device_info'], {'options': {}, 'returns': {}}),
    'new role fact': _set(['roles', 'wait_for_batch_upload', 'facts'], ['wait_for_batch_upload_details', 'wait_for_batch_upload_devices_with_errors',
                                                                        'wait_for_batch_upload_device_status_counts', 'wait_for_batch_upload_summary']),
}


@pytest.mark.parametrize('case', sorted(NON_BREAKING_EDITS))
def test_an_addition_breaks_nothing_and_is_listed(recorded, case):
    changed = _edited(recorded, NON_BREAKING_EDITS[case])
    assert public_interface.breaking_changes(recorded, changed) == []
    assert changed != recorded
    assert public_interface.additions(recorded, changed) or case == 'required option made optional'
