# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The autopilot_profile module in-process against the simulator: a DELETE settled only by its retry, one someone else
made, and an update that carries the profile's id."""

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
