# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_profile module in-process against the simulator: devices whose policy value is the profile's name,
listings without hashes, and an assignment whose outcome is unknown."""

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
BATCH = 'existing-batch-1'
KIOSKS_ID = '11111111-2222-4333-8444-555555555555'
LAPTOPS_ID = '22222222-3333-4444-8555-666666666666'
ASSIGN = ('PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER)


def with_profiles(form=None, strip=False):
    def change(seed):
        customer = seed['customers'][CUSTOMER]
        customer['policies'] = [
            {'id': KIOSKS_ID, 'name': 'Contoso kiosks', 'category': 'o_o_b_e', 'policySettings': ['skip_eula']},
            {'id': LAPTOPS_ID, 'name': 'Contoso laptops', 'category': 'o_o_b_e', 'policySettings': []}]
        if form is not None:
            customer['policy_value_form'] = form
        if strip:
            # As the one real listing shows devices: no hardware hash, no product key.
            for device in customer['device_batches'][BATCH]['devices']:
                device.pop('hardwareHash', None)
                device.pop('productKey', None)
    return change


def assignment(sim_args, simulator, **options):
    args = dict(sim_args(simulator), customer_id=CUSTOMER, batch_id=BATCH, wait=True, poll_interval=0.1)
    args.update(options)
    return args


def patches(simulator):
    return [(entry['method'], entry['path']) for entry in simulator.stats['api_requests'] if entry['method'] == 'PATCH']


@pytest.mark.parametrize('form', ['name', 'mixed', 'id'])
@pytest.mark.parametrize('named_by', ['profile_id', 'profile_name'])
def test_devices_listed_with_the_profile_by_id_or_name_carry_it_and_the_second_run_sends_nothing(
        run_module, make_simulator, sim_args, form, named_by):
    simulator = make_simulator(with_profiles(form))
    profile = dict(profile_id=KIOSKS_ID) if named_by == 'profile_id' else dict(profile_name='CONTOSO KIOSKS')
    first = run_module('device_profile', assignment(sim_args, simulator, **profile))
    assert not first.failed, first
    assert first['changed'] is True and first['devices_count'] == 3
    second = run_module('device_profile', assignment(sim_args, simulator, **profile))
    assert not second.failed, second
    assert second['changed'] is False and second['devices_already_assigned'] == 3
    assert patches(simulator) == [ASSIGN]


def test_a_device_listed_with_another_profile_name_is_assigned_this_one(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profiles('name'))
    assert not run_module('device_profile', assignment(sim_args, simulator, profile_id=LAPTOPS_ID)).failed
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID))
    assert not result.failed, result
    assert result['changed'] is True and result['devices_count'] == 3
    assert {device['profile'] for device in result['devices']} == {'Contoso laptops'}
    assert {device['profile_id'] for device in result['devices']} == {None}
    assert patches(simulator) == [ASSIGN, ASSIGN]


def test_assignment_by_serial_number_works_from_a_listing_without_hash_or_product_key(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profiles(strip=True))
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID, serial_numbers=['eb1-0002']))
    assert not result.failed, result
    assert [device['serial_number'] for device in result['devices']] == ['EB1-0002']
    assert result['batch_upload_details']['status'] == 'finished'


def test_an_assignment_no_attempt_of_which_is_answered_says_its_outcome_is_unknown(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profiles())
    simulator.add_fault('late_answer', match='(?i)/devicepolicyupdates', seconds=4, count=-1)
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID, timeout=1, retries=0, wait=False))
    assert result.failed and result['outcome_unknown'] is True
    assert result['assignment_request_id'] == simulator.stats['api_requests'][-1]['request_id']
    assert patches(simulator) == [ASSIGN]
