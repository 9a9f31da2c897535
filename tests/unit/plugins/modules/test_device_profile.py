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


# -- the forms of the assignment's answer --------------------------------------------------------------------------------
# Partner Center's page answers 202 with a relative Location; the REST reference lists 200 and 202 and puts the link in
# the body. Every form names the same tracking id, which the module follows.

@pytest.mark.parametrize('answer', [
    {'status': 202, 'location': 'relative'},
    {'status': 200, 'location': 'relative'},
    {'status': 202, 'location': 'v1'},
    {'status': 202, 'location': 'absolute'},
    {'status': 200, 'location': 'body'},
    {'status': 202, 'location': 'body_tracking_id'},
], ids=lambda answer: '%d-%s' % (answer['status'], answer['location']))
def test_an_assignment_answered_in_any_documented_form_is_followed_to_its_end(run_module, make_simulator, sim_args, answer):
    def change(seed):
        with_profiles('id')(seed)
        seed['customers'][CUSTOMER]['policy_update_response'] = answer
    simulator = make_simulator(change)
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID))
    assert not result.failed, result
    [tracking_id] = [key[1] for key in simulator.state.uploads]
    assert result['changed'] is True and result['assignment_http_status'] == answer['status']
    assert result['batch_tracking_id'] == tracking_id
    assert result['complete'] is True and result['batch_upload_details']['status'] == 'finished'
    assert patches(simulator) == [ASSIGN]


def test_an_assignment_answered_without_a_tracking_id_is_changed_with_a_warning(run_module, make_simulator, sim_args):
    def change(seed):
        with_profiles('id')(seed)
        seed['customers'][CUSTOMER]['policy_update_response'] = {'status': 202, 'location': 'none'}
    simulator = make_simulator(change)
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID, wait=False))
    assert not result.failed, result
    assert result['changed'] is True and result['batch_tracking_id'] is None and result['location'] is None
    assert any('MS-RequestId %s' % result['assignment_request_id'] in text and 'named no batch tracking id' in text
               for text in result.warnings), result.warnings
    waited = run_module('device_profile', assignment(sim_args, simulator, profile_id=LAPTOPS_ID))
    assert waited.failed and waited['changed'] is True and 'nothing to wait on' in waited['msg']
    assert patches(simulator) == [ASSIGN, ASSIGN]
