# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The autopilot_profile module in-process against the simulator: create, update and delete once (check mode sends
nothing, the diff shows the change), settings as both SDKs spell them, bad input refused before any request, a DELETE
settled only by its retry, one someone else made, and an update that carries the profile's id."""

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
PROFILE_ID = '11111111-2222-4333-8444-555555555555'
PROFILE_PATH = '/v1/customers/%s/policies/%s' % (CUSTOMER, PROFILE_ID)


def seeded_profile(name='Contoso kiosks'):
    """The seed change that gives the customer one profile named ``name`` (a case that asserts a warning names its own)."""
    def change(seed):
        seed['customers'][CUSTOMER]['policies'] = [{'id': PROFILE_ID, 'name': name, 'category': 'o_o_b_e',
                                                    'policySettings': ['skip_eula']}]
    return change


def profile_args(sim_args, simulator, name='Contoso kiosks', **options):
    return dict(sim_args(simulator), customer_id=CUSTOMER, name=name, **options)


def changes(simulator):
    return [(entry['method'], entry['path'], entry['status']) for entry in simulator.stats['api_requests']
            if entry['method'] in ('POST', 'PUT', 'PATCH', 'DELETE')]


def test_a_delete_that_timed_out_after_it_was_applied_is_a_deletion_of_this_task(run_module, make_simulator, sim_args):
    simulator = make_simulator(seeded_profile('Kiosks timed out'))
    simulator.add_fault('late_answer', match='/policies/', seconds=4)
    result = run_module('autopilot_profile', profile_args(sim_args, simulator, 'Kiosks timed out', state='absent', timeout=1))
    assert not result.failed, result
    assert result['changed'] is True and result['action'] == 'deleted' and result['deleted_unconfirmed'] is True
    assert changes(simulator) == [('DELETE', PROFILE_PATH, 204), ('DELETE', PROFILE_PATH, 404)]
    assert any('(Kiosks timed out)' in text and 'same MS-RequestId' in text for text in result.warnings), result.warnings


def test_a_delete_answered_504_after_it_was_applied_is_a_deletion_of_this_task(run_module, make_simulator, sim_args):
    simulator = make_simulator(seeded_profile('Kiosks answered 504'))
    simulator.add_fault('late_answer', match='/policies/', status=504)
    result = run_module('autopilot_profile', profile_args(sim_args, simulator, 'Kiosks answered 504', state='absent'))
    assert not result.failed, result
    assert result['action'] == 'deleted' and result['deleted_unconfirmed'] is True
    assert any('(Kiosks answered 504)' in text and 'same MS-RequestId' in text for text in result.warnings), result.warnings


def test_a_profile_someone_else_deleted_meanwhile_is_no_change(run_module, make_simulator, sim_args):
    simulator = make_simulator(seeded_profile('Kiosks deleted meanwhile'))
    simulator.add_fault('status', match='/policies/', status=404)
    result = run_module('autopilot_profile', profile_args(sim_args, simulator, 'Kiosks deleted meanwhile', state='absent'))
    assert not result.failed, result
    assert result['changed'] is False and result['action'] == 'none' and result['deleted_unconfirmed'] is False
    assert any('(Kiosks deleted meanwhile)' in text and 'someone else' in text for text in result.warnings), result.warnings


def test_a_delete_no_attempt_of_which_is_answered_fails_saying_so(run_module, make_simulator, sim_args):
    simulator = make_simulator(seeded_profile())
    simulator.add_fault('late_answer', match='/policies/', seconds=4, count=-1)
    result = run_module('autopilot_profile', profile_args(sim_args, simulator, state='absent', timeout=1, retries=0))
    assert result.failed and result['outcome_unknown'] is True and result['action'] == 'deleted'


def test_an_update_carries_the_profile_id_the_simulator_requires(run_module, make_simulator, sim_args):
    simulator = make_simulator(seeded_profile())
    result = run_module('autopilot_profile', profile_args(sim_args, simulator, settings=['skip_eula', 'skip_express_settings']))
    assert not result.failed, result
    assert result['action'] == 'updated' and changes(simulator) == [('PUT', PROFILE_PATH, 200)]


# -- create, update, delete: once, then no change; check mode sends nothing; diff shows the change --------------------

def run_profile(run_module, sim_args, simulator, check_mode=False, **options):
    """autopilot_profile for the Contoso kiosks profile with app+user credentials, the diff asked for."""
    args = dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, name='Contoso kiosks')
    args.update(options)
    return run_module('autopilot_profile', args, check_mode=check_mode, diff=True)


def ok(result):
    assert not result.failed, result
    return result


def test_a_profile_is_created_once_then_unchanged_and_check_mode_sends_nothing(run_module, simulator, sim_args):
    settings = ['skip_eula', 'oobe_user_not_local_admin']
    checked = ok(run_profile(run_module, sim_args, simulator, check_mode=True, settings=settings))
    assert checked['changed'] is True and checked['action'] == 'created' and checked['profile_id'] is None
    assert changes(simulator) == []

    first = ok(run_profile(run_module, sim_args, simulator, settings=settings, description='Kiosks'))
    assert first['changed'] is True and first['action'] == 'created'
    assert first['profile']['policy_settings'] == ['oobe_user_not_local_admin', 'skip_eula']
    assert first['settings_added'] == ['oobe_user_not_local_admin', 'skip_eula']
    assert changes(simulator) == [('POST', '/v1/customers/%s/policies' % CUSTOMER, 200)]
    assert first['diff']['before'] == {} and first['diff']['after']['name'] == 'Contoso kiosks'

    before = len(changes(simulator))
    second = ok(run_profile(run_module, sim_args, simulator, settings=list(reversed(settings)), description='Kiosks'))
    assert second['changed'] is False and second['action'] == 'none'
    assert second['profile_id'] == first['profile_id']
    assert changes(simulator)[before:] == []


def test_settings_are_replaced_exactly_and_the_diff_shows_it(run_module, simulator, sim_args):
    created = ok(run_profile(run_module, sim_args, simulator, settings=['remove_oem_preinstalls', 'skip_eula']))
    before = len(changes(simulator))
    checked = ok(run_profile(run_module, sim_args, simulator, check_mode=True, settings=['skip_eula', 'skip_express_settings']))
    assert checked['changed'] is True and changes(simulator)[before:] == []
    assert 'remove_oem_preinstalls' in checked['diff']['before']['settings']
    assert 'skip_express_settings' not in checked['diff']['before']['settings']
    assert checked['diff']['after']['settings'] == ['skip_express_settings', 'skip_eula']

    updated = ok(run_profile(run_module, sim_args, simulator, settings=['skip_eula', 'skip_express_settings']))
    assert updated['action'] == 'updated'
    assert (updated['settings_added'], updated['settings_removed']) == (['skip_express_settings'], ['remove_oem_preinstalls'])
    path = '/v1/customers/%s/policies/%s' % (CUSTOMER, created['profile_id'])
    assert changes(simulator)[before:] == [('PUT', path, 200)]
    # What Partner Center holds now is exactly that list.
    info = ok(run_module('autopilot_profile_info', dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER,
                                                        profile_id=created['profile_id'])))
    assert info['profiles'][0]['policy_settings'] == ['skip_express_settings', 'skip_eula']

    cleared = ok(run_profile(run_module, sim_args, simulator, settings=[]))
    assert cleared['settings_removed'] == ['skip_express_settings', 'skip_eula']
    assert cleared['profile']['policy_settings'] == []


def test_a_profile_is_deleted_once(run_module, simulator, sim_args):
    created = ok(run_profile(run_module, sim_args, simulator, settings=['skip_eula']))
    before = len(changes(simulator))
    checked = ok(run_profile(run_module, sim_args, simulator, check_mode=True, state='absent'))
    assert checked['changed'] is True and changes(simulator)[before:] == []
    deleted = ok(run_profile(run_module, sim_args, simulator, state='absent'))
    assert deleted['action'] == 'deleted'
    assert changes(simulator)[before:] == [('DELETE', '/v1/customers/%s/policies/%s' % (CUSTOMER, created['profile_id']), 204)]
    again = ok(run_profile(run_module, sim_args, simulator, state='absent'))
    assert again['changed'] is False
    assert len(changes(simulator)[before:]) == 1


def pascal_case_policies(seed):
    """Policy enums in PascalCase and the count named devicesAssignedCount, as the .NET SDK writes them."""
    seed['customers'][CUSTOMER].update(policy_spelling='PascalCase', policy_device_count_key='devicesAssignedCount', policies=[
        {'id': PROFILE_ID, 'name': 'Contoso kiosks', 'category': 'o_o_b_e', 'policySettings': ['skip_eula', 'remove_oem_preinstalls']}])


def test_pascal_case_settings_and_the_sdk_count_name_compare_as_documented(run_module, make_simulator, sim_args):
    simulator = make_simulator(pascal_case_policies)
    same = ok(run_profile(run_module, sim_args, simulator, settings=['remove_oem_preinstalls', 'skip_eula']))
    assert same['changed'] is False and same['profile_id'] == PROFILE_ID
    assert same['profile']['policy_settings'] == ['remove_oem_preinstalls', 'skip_eula']
    assert same['profile']['category'] == 'o_o_b_e' and same['profile']['devices_assigned'] == 0
    assert changes(simulator) == []
    changed = ok(run_profile(run_module, sim_args, simulator, settings=['skip_eula']))
    assert changed['settings_removed'] == ['remove_oem_preinstalls'] and changed['profile']['policy_settings'] == ['skip_eula']
    assert [method for method, _path, _status in changes(simulator)] == ['PUT']


@pytest.mark.parametrize('options, message', [
    (dict(customer_id='nope', name='x'), 'customer_id must be a GUID'),
    (dict(name=' x'), 'name must be a name without leading'),
    (dict(name='x', settings=['skip_eula', 'skip_eula']), 'more than once'),
    (dict(name='x', settings=['skip_everything']), 'skip_everything'),
], ids=['customer-id-not-a-guid', 'name-with-a-leading-space', 'setting-twice', 'unknown-setting'])
def test_bad_input_fails_before_any_request(run_module, simulator, sim_args, options, message):
    result = run_module('autopilot_profile', dict(sim_args(simulator, 'app+user'), **dict(dict(customer_id=CUSTOMER), **options)))
    assert result.failed and message in result['msg'], result
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []
