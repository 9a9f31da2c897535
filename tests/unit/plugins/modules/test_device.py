# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device module in-process against the simulator: removal once (check mode sends nothing, the diff names the device,
a second run finds it absent), by serial number from a listing without hashes, a DELETE answered 204 or 200 or whose
outcome only a retry settles, what a failed task still reports as removed, and bad input refused before any request."""

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
BATCH = 'existing-batch-1'
DEVICE_1 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01'
DEVICE_2 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a02'
DEVICES_PATH = '/v1/customers/%s/deviceBatches/%s/devices' % (CUSTOMER, BATCH)


def removal(sim_args, simulator, **options):
    args = dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, state='absent')
    args.update(options)
    return args


def deletes(simulator):
    return [(entry['path'], entry['status']) for entry in simulator.stats['api_requests'] if entry['method'] == 'DELETE']


def strip_hashes_and_product_keys(seed):
    """As the one real listing shows devices: id, serial number, model, manufacturer, policies; no hash, no product key."""
    for device in seed['customers'][CUSTOMER]['device_batches'][BATCH]['devices']:
        device.pop('hardwareHash', None)
        device.pop('productKey', None)


def test_removal_by_serial_number_works_from_a_listing_without_hash_or_product_key(run_module, make_simulator, sim_args):
    simulator = make_simulator(strip_hashes_and_product_keys)
    result = run_module('device', removal(sim_args, simulator, serial_numbers=['eb1-0001', 'EB1-0002']))
    assert not result.failed, result
    assert [device['id'] for device in result['removed']] == [DEVICE_1, DEVICE_2]
    assert deletes(simulator) == [(DEVICES_PATH + '/' + DEVICE_1, 204), (DEVICES_PATH + '/' + DEVICE_2, 204)]


def test_a_device_named_by_id_in_two_spellings_and_by_serial_is_removed_once(run_module, simulator, sim_args):
    result = run_module('device', removal(sim_args, simulator, device_ids=[DEVICE_1, DEVICE_1.upper()], serial_numbers=['EB1-0001']))
    assert not result.failed, result
    assert [device['id'] for device in result['removed']] == [DEVICE_1]
    assert deletes(simulator) == [(DEVICES_PATH + '/' + DEVICE_1, 204)]


def test_a_delete_that_timed_out_after_it_was_applied_is_a_removal_of_this_task(run_module, simulator, sim_args):
    simulator.add_fault('late_answer', match='/devices/', seconds=4)
    result = run_module('device', removal(sim_args, simulator, timeout=1, device_ids=[DEVICE_1]))
    assert not result.failed, result
    assert result['changed'] is True
    assert [device['id'] for device in result['removed']] == [DEVICE_1]
    assert result['removed_unconfirmed'] == result['removed'] and result['already_absent'] == []
    assert deletes(simulator) == [(DEVICES_PATH + '/' + DEVICE_1, 204), (DEVICES_PATH + '/' + DEVICE_1, 404)]
    assert any('device %s' % DEVICE_1 in text and 'same MS-RequestId' in text for text in result.warnings), result.warnings


def test_a_delete_answered_504_after_it_was_applied_is_a_removal_of_this_task(run_module, simulator, sim_args):
    # Device 2 here, device 1 in the timed-out case: each case's warning is its own text.
    simulator.add_fault('late_answer', match='/devices/', status=504)
    result = run_module('device', removal(sim_args, simulator, device_ids=[DEVICE_2]))
    assert not result.failed, result
    assert result['changed'] is True and result['already_absent'] == []
    assert [device['id'] for device in result['removed_unconfirmed']] == [DEVICE_2]
    assert result['removed_unconfirmed'][0]['serial_number'] == 'EB1-0002' and result['removed_unconfirmed'][0]['batch_id'] == BATCH
    assert any('device %s' % DEVICE_2 in text and 'same MS-RequestId' in text for text in result.warnings), result.warnings


def test_a_device_someone_else_removed_is_already_absent(run_module, simulator, sim_args):
    simulator.add_fault('status', match='/devices/', status=404)
    result = run_module('device', removal(sim_args, simulator, device_ids=[DEVICE_1]))
    assert not result.failed, result
    assert result['changed'] is False and result['removed'] == []
    assert result['already_absent'] == [{'device_id': DEVICE_1, 'serial_number': 'EB1-0001'}]


def test_a_failure_after_a_removal_keeps_the_record_of_what_was_removed(run_module, simulator, sim_args):
    simulator.add_fault('status', match='/devices/' + DEVICE_2, status=403)
    result = run_module('device', removal(sim_args, simulator, device_ids=[DEVICE_1, DEVICE_2]))
    assert result.failed and result['http_status'] == 403
    assert result['changed'] is True
    assert [device['id'] for device in result['removed']] == [DEVICE_1]
    assert result['diff']['before']['devices'][0]['id'] == DEVICE_1


def test_a_delete_no_attempt_of_which_is_answered_fails_saying_the_device_may_be_gone(run_module, simulator, sim_args):
    simulator.add_fault('late_answer', match='/devices/' + DEVICE_2, seconds=4, count=-1)
    result = run_module('device', removal(sim_args, simulator, timeout=1, retries=1, device_ids=[DEVICE_1, DEVICE_2]))
    assert result.failed
    assert result['outcome_unknown'] is True
    assert [device['id'] for device in result['maybe_removed']] == [DEVICE_2]
    assert [device['id'] for device in result['removed']] == [DEVICE_1]
    assert 'may have reached Partner Center' in result['msg']


def test_devices_not_in_the_batch_are_already_absent_as_they_were_asked_for(run_module, simulator, sim_args):
    missing_id = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a99'
    result = run_module('device', removal(sim_args, simulator, device_ids=[missing_id, DEVICE_1], serial_numbers=['NOT-THERE']))
    assert not result.failed, result
    assert [device['id'] for device in result['removed']] == [DEVICE_1]
    assert result['already_absent'] == [{'device_id': missing_id, 'serial_number': None},
                                        {'device_id': None, 'serial_number': 'NOT-THERE'}]
    assert deletes(simulator) == [(DEVICES_PATH + '/' + DEVICE_1, 204)]
    documented = harness.documented_return_keys('device', 'already_absent')
    assert [set(entry) for entry in result['already_absent']] == [documented] * 2


def test_the_devices_removed_unconfirmed_and_maybe_removed_have_the_documented_keys(run_module, simulator, sim_args):
    simulator.add_fault('late_answer', match='/devices/' + DEVICE_1, seconds=4)
    simulator.add_fault('late_answer', match='/devices/' + DEVICE_2, seconds=4, count=-1)
    result = run_module('device', removal(sim_args, simulator, timeout=1, retries=1, device_ids=[DEVICE_1, DEVICE_2]))
    assert result.failed and result['outcome_unknown'] is True
    documented = harness.documented_return_keys('device', 'removed')
    assert harness.documented_return_keys('device', 'removed_unconfirmed') == documented
    assert harness.documented_return_keys('device', 'maybe_removed') == documented
    assert [set(device) for key in ('removed', 'removed_unconfirmed', 'maybe_removed') for device in result[key]] == [documented] * 3


@pytest.mark.parametrize('delete_status', [204, 200])
def test_a_delete_answered_204_or_200_is_a_removal(run_module, make_simulator, sim_args, delete_status):
    """Partner Center's page answers 204; the REST reference lists 200 OK too."""
    simulator = make_simulator(lambda seed: seed.update(device_delete_status=delete_status))
    result = run_module('device', removal(sim_args, simulator, device_ids=[DEVICE_1]))
    assert not result.failed, result
    assert result['changed'] is True and [device['id'] for device in result['removed']] == [DEVICE_1]
    assert result['removed_unconfirmed'] == [] and result['already_absent'] == []
    assert deletes(simulator) == [(DEVICES_PATH + '/' + DEVICE_1, delete_status)]


# -- removing a device twice: check mode sends nothing, the diff names it, the second run changes nothing -----------

def test_a_device_is_removed_once_and_the_second_run_finds_it_absent(run_module, simulator, sim_args):
    options = dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, batch_id=BATCH, state='absent', serial_numbers=['EB1-0002'])
    checked = run_module('device', options, check_mode=True, diff=True)
    assert not checked.failed, checked
    assert checked['changed'] is True and [device['id'] for device in checked['removed']] == [DEVICE_2]
    assert deletes(simulator) == []
    assert [device['serial_number'] for device in checked['diff']['before']['devices']] == ['EB1-0002']
    assert checked['diff']['after']['devices'] == []

    removed = run_module('device', options, diff=True)
    assert not removed.failed, removed
    assert removed['changed'] is True and [device['serial_number'] for device in removed['removed']] == ['EB1-0002']
    assert deletes(simulator) == [(DEVICES_PATH + '/' + DEVICE_2, 204)]

    again = run_module('device', options, diff=True)
    assert not again.failed, again
    assert again['changed'] is False and again['removed'] == []
    assert again['already_absent'] == [{'device_id': None, 'serial_number': 'EB1-0002'}]
    assert len(deletes(simulator)) == 1
    listed = run_module('device_batch_info', dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH))
    assert sorted(device['serial_number'] for device in listed['devices']) == ['EB1-0001', 'EB1-0003']


@pytest.mark.parametrize('options, message', [
    (dict(batch_id='b', state='absent'), 'one of the following is required'),
    (dict(batch_id='b', device_ids=['d'], state='present'), 'value of state must be one of'),
], ids=['no-devices', 'state-present'])
def test_bad_input_fails_before_any_request(run_module, simulator, sim_args, options, message):
    result = run_module('device', dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, **options))
    assert result.failed and message in result['msg'], result
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []
