# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ids from Partner Center's answers before a changing request: a hostile answer never picks what a DELETE, PUT or PATCH
changes, and an id listed twice is changed once. In-process module runs against the simulator, whose answers a fault
replaces; each case is judged on the simulator's request log."""

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
BATCH = 'existing-batch-1'
DEVICE_1 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01'
DEVICE_2 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a02'
PROFILE_ID = '11111111-2222-4333-8444-555555555555'
OTHER_PROFILE_ID = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'
CHANGING = ('POST', 'PUT', 'PATCH', 'DELETE')

# Ids a hostile or broken answer may give: each must stop the task before any changing request.
HOSTILE_IDS = [
    ('dot-dot', '..'), ('dot', '.'), ('null', None), ('number', 42), ('empty', ''), ('none-text', 'None'),
    ('slash', 'a/b'), ('encoded-slash', 'a%2Fb'), ('query', 'x?y=1'), ('fragment', 'x#y'), ('backslash', 'a\\b'),
    ('line-break', DEVICE_1 + '\n'), ('spaces', ' %s ' % DEVICE_1), ('not-a-guid', 'd1'), ('list', [DEVICE_1]),
]
HOSTILE_ID_VALUES = [value for _name, value in HOSTILE_IDS]
HOSTILE_ID_NAMES = [name for name, _value in HOSTILE_IDS]


def changing_requests(simulator):
    return [(entry['method'], entry['path']) for entry in simulator.stats['api_requests'] if entry['method'] in CHANGING]


def listed_device(device_id, serial, **fields):
    """A device as the one real listing shows it: no hardware hash, no product key, empty links."""
    device = {'id': device_id, 'serialNumber': serial, 'modelName': 'Surface Laptop 5', 'oemManufacturerName': 'Microsoft Corporation',
              'policies': [{'key': 'o_o_b_e', 'value': None}], 'links': {}}
    device.update(fields)
    return device


def serve_devices(simulator, *devices):
    """The batch's device listing answers ``devices`` (every time)."""
    simulator.add_fault('status', match='%s/devices$' % BATCH, status=200, count=-1,
                        body={'totalCount': len(devices), 'items': list(devices), 'attributes': {'objectType': 'Collection'}})


def with_profile(seed):
    seed['customers'][CUSTOMER]['policies'] = [{'id': PROFILE_ID, 'name': 'Contoso kiosks', 'category': 'o_o_b_e',
                                                'policySettings': ['skip_eula']}]


def policy(policy_id, name='Contoso kiosks'):
    return {'id': policy_id, 'name': name, 'category': 'o_o_b_e', 'description': None, 'devicesAssigned': 0,
            'policySettings': ['skip_eula'], 'attributes': {'objectType': 'ConfigurationPolicy'}}


def serve_policies(simulator, *policies):
    simulator.add_fault('status', match='/policies$', status=200, count=-1,
                        body={'totalCount': len(policies), 'items': list(policies), 'attributes': {'objectType': 'Collection'}})


# -- device: DELETE ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('device_id', HOSTILE_ID_VALUES, ids=HOSTILE_ID_NAMES)
def test_device_removal_refuses_a_listed_device_id_without_the_shape_of_a_device_id(run_module, simulator, sim_args, device_id):
    serve_devices(simulator, listed_device(device_id, 'SN-HOSTILE'), listed_device(DEVICE_2, 'EB1-0002'))
    result = run_module('device', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, state='absent',
                                       serial_numbers=['EB1-0002', 'SN-HOSTILE']))
    assert result.failed and "serial number 'SN-HOSTILE'" in result['msg'] and 'Nothing was removed' in result['msg']
    assert result['removed'] == [] and result['changed'] is False
    assert changing_requests(simulator) == []


@pytest.mark.parametrize('batch_id', ['..', '.', ' .. '], ids=['dot-dot', 'dot', 'dot-dot-spaced'])
def test_device_removal_refuses_a_dot_segment_batch_before_any_request(run_module, simulator, sim_args, batch_id):
    result = run_module('device', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=batch_id, state='absent',
                                       device_ids=[DEVICE_1]))
    assert result.failed and 'dot segment' in result['msg']
    assert simulator.stats['api_requests'] == []


def test_device_removal_sends_one_delete_for_a_device_listed_in_two_spellings(run_module, simulator, sim_args):
    serve_devices(simulator, listed_device(DEVICE_1, 'EB1-0001'), listed_device(DEVICE_1.upper(), 'EB1-0001-B'))
    result = run_module('device', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, state='absent',
                                       serial_numbers=['EB1-0001', 'EB1-0001-B']))
    assert not result.failed, result
    assert [device['id'] for device in result['removed']] == [DEVICE_1]
    assert changing_requests(simulator) == [('DELETE', '/v1/customers/%s/deviceBatches/%s/devices/%s' % (CUSTOMER, BATCH, DEVICE_1))]


# -- device_profile: PATCH ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('device_id', HOSTILE_ID_VALUES, ids=HOSTILE_ID_NAMES)
def test_device_profile_refuses_a_listed_device_id_without_the_shape_of_a_device_id(
        run_module, make_simulator, sim_args, device_id):
    simulator = make_simulator(with_profile)
    serve_devices(simulator, listed_device(DEVICE_2, 'EB1-0002'), listed_device(device_id, 'SN-HOSTILE'))
    result = run_module('device_profile', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, profile_id=PROFILE_ID))
    assert result.failed and "serial number 'SN-HOSTILE'" in result['msg'] and 'Nothing was assigned' in result['msg']
    assert changing_requests(simulator) == []


def test_device_profile_refuses_an_answer_about_another_profile_than_the_one_asked_for(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profile)
    simulator.add_fault('status', match='/policies/%s$' % PROFILE_ID, status=200, count=-1, body=policy(OTHER_PROFILE_ID))
    result = run_module('device_profile', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, profile_id=PROFILE_ID))
    assert result.failed and 'another profile' in result['msg'] and OTHER_PROFILE_ID in result['msg']
    assert changing_requests(simulator) == []


@pytest.mark.parametrize('policy_id', HOSTILE_ID_VALUES, ids=HOSTILE_ID_NAMES)
def test_device_profile_by_name_refuses_a_listed_profile_id_that_is_not_a_guid(run_module, make_simulator, sim_args, policy_id):
    simulator = make_simulator(with_profile)
    serve_policies(simulator, policy(policy_id))
    result = run_module('device_profile', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH,
                                               profile_name='Contoso kiosks'))
    assert result.failed and 'Nothing was assigned' in result['msg'] and 'Contoso kiosks' in result['msg']
    assert changing_requests(simulator) == []


def test_device_profile_lists_a_device_listed_twice_once_and_counts_it_once(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profile)
    serve_devices(simulator, listed_device(DEVICE_1, 'EB1-0001'), listed_device(DEVICE_1.upper(), 'EB1-0001'),
                  listed_device(DEVICE_2, 'EB1-0002'))
    result = run_module('device_profile', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, profile_id=PROFILE_ID,
                                               wait=True, poll_interval=0.1))
    assert not result.failed, result
    assert result['devices_count'] == 2 and [device['id'] for device in result['devices']] == [DEVICE_1, DEVICE_2]
    # One outcome per device of the PATCH: DEVICE_1 was sent once.
    assert sorted(outcome['device_id'] for outcome in result['batch_upload_details']['devices_status']) == [DEVICE_1, DEVICE_2]
    assert changing_requests(simulator) == [('PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER)]


def test_device_profile_reads_no_batch_whose_listed_name_is_a_dot_segment(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profile)
    simulator.add_fault('status', match='/deviceBatches$', status=200, count=-1, body={'totalCount': 2, 'items': [
        {'id': '..', 'devicesCount': 1}, {'id': BATCH, 'devicesCount': 3}]})
    result = run_module('device_profile', dict(sim_args(simulator), customer_id=CUSTOMER, profile_id=PROFILE_ID,
                                               serial_numbers=['EB1-0001']))
    assert not result.failed, result
    assert not [entry for entry in simulator.stats['api_requests'] if '/../' in entry['path'] or entry['path'].endswith('/..')]
    assert changing_requests(simulator) == [('PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER)]


# -- autopilot_profile: PUT and DELETE ----------------------------------------------------------------------------

@pytest.mark.parametrize('state', ['absent', 'present'])
@pytest.mark.parametrize('policy_id', HOSTILE_ID_VALUES, ids=HOSTILE_ID_NAMES)
def test_autopilot_profile_refuses_a_listed_profile_id_that_is_not_a_guid(run_module, simulator, sim_args, policy_id, state):
    serve_policies(simulator, policy(policy_id))
    result = run_module('autopilot_profile', dict(sim_args(simulator), customer_id=CUSTOMER, name='Contoso kiosks', state=state,
                                                  settings=['skip_eula', 'skip_express_settings']))
    assert result.failed and 'Nothing was changed' in result['msg'] and 'Contoso kiosks' in result['msg']
    assert changing_requests(simulator) == []


def test_autopilot_profile_deletes_a_profile_listed_twice_in_two_spellings_once(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profile)
    serve_policies(simulator, policy(PROFILE_ID), policy(PROFILE_ID.upper(), name='CONTOSO KIOSKS'))
    result = run_module('autopilot_profile', dict(sim_args(simulator), customer_id=CUSTOMER, name='Contoso kiosks', state='absent'))
    assert not result.failed, result
    assert result['action'] == 'deleted'
    assert changing_requests(simulator) == [('DELETE', '/v1/customers/%s/policies/%s' % (CUSTOMER, PROFILE_ID))]
