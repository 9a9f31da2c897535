# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_profile module in-process against the simulator: assignment once, waited for (check mode sends nothing,
the diff names the profile, a second run sends nothing), by serial number across pages, devices whose policy value is
the profile's name, listings without hashes, an assignment whose outcome is unknown or answered in any documented form,
and bad input refused before any request."""

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
    assert second['changed'] is False and len(second['devices_already_assigned']) == 3
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


def test_the_devices_that_carry_the_profile_already_are_listed_as_the_devices_assigned_are(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profiles('id', strip=True))
    assert not run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID, serial_numbers=['EB1-0002'])).failed
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID, wait=False))
    assert not result.failed, result
    assert result['devices_already_assigned'] == [
        {'id': 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a02', 'serial_number': 'EB1-0002', 'product_key': None, 'batch_id': BATCH,
         'profile': KIOSKS_ID, 'profile_id': KIOSKS_ID}]
    assert [device['serial_number'] for device in result['devices']] == ['EB1-0001', 'EB1-0003']
    documented = harness.documented_return_keys('device_profile', 'devices')
    assert harness.documented_return_keys('device_profile', 'devices_already_assigned') == documented
    assert [set(device) for device in result['devices'] + result['devices_already_assigned']] == [documented] * 3


def test_each_device_outcome_of_an_assignment_has_the_documented_keys(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_profiles(strip=True))
    result = run_module('device_profile', assignment(sim_args, simulator, profile_id=KIOSKS_ID))
    assert not result.failed, result
    documented = harness.documented_return_keys('device_profile', 'batch_upload_details.devices_status')
    assert harness.documented_return_keys('device_profile', 'devices_with_errors') == documented
    assert [set(entry) for entry in result['batch_upload_details']['devices_status']] == [documented] * 3


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


# -- assign once, wait, then nothing; check mode sends nothing; the diff names the profile ---------------------------

BATCH_IDS = ['e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a0%d' % n for n in (1, 2, 3)]


def changes(simulator, since=0):
    return [(entry['method'], entry['path'].split('?')[0], entry['status']) for entry in simulator.stats['api_requests'][since:]
            if entry['method'] in ('POST', 'PUT', 'PATCH', 'DELETE')]


def user_args(sim_args, simulator, **options):
    return dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, **options)


def test_a_profile_is_assigned_to_every_device_of_a_batch_waited_for_then_nothing_the_second_time(run_module, simulator, sim_args):
    created = run_module('autopilot_profile', user_args(sim_args, simulator, name='Contoso kiosks', settings=['skip_eula']))
    profile_id = created['profile_id']
    before = len(simulator.stats['api_requests'])
    checked = run_module('device_profile', user_args(sim_args, simulator, profile_name='contoso kiosks', batch_id=BATCH),
                         check_mode=True, diff=True)
    assert not checked.failed, checked
    assert checked['changed'] is True and checked['devices_count'] == 3
    assert changes(simulator, before) == []
    assert {device['profile_id'] for device in checked['diff']['after']['devices']} == {profile_id}
    assert {device['profile_id'] for device in checked['diff']['before']['devices']} == {None}

    assigned = run_module('device_profile', user_args(sim_args, simulator, profile_id=profile_id, batch_id=BATCH, wait=True,
                                                      poll_interval=0.1))
    assert not assigned.failed, assigned
    assert assigned['changed'] is True and assigned['complete'] is True
    assert sorted(device['id'] for device in assigned['devices']) == BATCH_IDS
    assert assigned['batch_upload_details']['status'] == 'finished'
    assert assigned['devices_with_errors'] == []
    assert changes(simulator, before) == [('PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER, 202)]
    assert assigned['device_pairing'] in ('identifiers', 'position', 'identifiers_and_position')

    listed = run_module('device_batch_info', user_args(sim_args, simulator, batch_id=BATCH))
    for device in listed['devices']:
        # Listed by the profile's id or by its name (the simulator serves both, as Partner Center may).
        assert [p['value'] for p in device['policies'] if p['key'] == 'o_o_b_e'][0] in (profile_id, 'Contoso kiosks')
    info = run_module('autopilot_profile_info', user_args(sim_args, simulator, profile_id=profile_id))
    assert info['profiles'][0]['devices_assigned'] == 3

    before = len(simulator.stats['api_requests'])
    again = run_module('device_profile', user_args(sim_args, simulator, profile_id=profile_id, batch_id=BATCH, wait=True))
    assert not again.failed, again
    assert again['changed'] is False and again['devices'] == []
    assert sorted(device['id'] for device in again['devices_already_assigned']) == BATCH_IDS
    assert changes(simulator, before) == []


def test_assignment_by_serial_number_across_pages_and_a_clear_failure_for_unknown_devices(run_module, simulator, sim_args):
    profile_id = run_module('autopilot_profile', user_args(sim_args, simulator, name='Contoso kiosks', settings=[]))['profile_id']
    serials = ['EB2-000001', 'EB2-000150', 'EB2-000250']  # pages 1, 2 and 3 of existing-batch-2
    assigned = run_module('device_profile', user_args(sim_args, simulator, profile_id=profile_id, serial_numbers=serials,
                                                      batch_id='existing-batch-2'))
    assert not assigned.failed, assigned
    assert sorted(device['serial_number'] for device in assigned['devices']) == serials and assigned['pages'] == 3
    before = len(simulator.stats['api_requests'])
    missing = run_module('device_profile', user_args(sim_args, simulator, profile_id=profile_id,
                                                     serial_numbers=['EB2-000001', 'NO-SUCH-DEVICE']))
    assert missing.failed
    assert 'serial number NO-SUCH-DEVICE: no such device' in missing['msg']
    assert changes(simulator, before) == []


@pytest.mark.parametrize('options, message', [
    (dict(batch_id='b'), 'one of the following is required'),
    (dict(profile_name='p'), 'one of the following is required'),
    (dict(profile_name='p', device_ids=['']), 'device_ids must hold names'),
], ids=['no-profile', 'no-devices', 'empty-device-id'])
def test_bad_input_fails_before_any_request(run_module, simulator, sim_args, options, message):
    result = run_module('device_profile', user_args(sim_args, simulator, **options))
    assert result.failed and message in result['msg'], result
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []
