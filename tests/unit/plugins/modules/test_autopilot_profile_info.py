# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The autopilot_profile_info module in-process against the simulator: every profile, one by name, bad input."""

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID


def info_args(sim_args, simulator, **options):
    return dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, **options)


def test_profiles_are_listed_and_found_by_name_without_regard_to_case(run_module, simulator, sim_args):
    for name, settings in (('Contoso kiosks', ['skip_eula']), ('Contoso pilot', [])):
        created = run_module('autopilot_profile', info_args(sim_args, simulator, name=name, settings=settings))
        assert not created.failed, created
    listed = run_module('autopilot_profile_info', info_args(sim_args, simulator))
    assert not listed.failed, listed
    names = sorted(profile['name'] for profile in listed['profiles'])
    assert 'Contoso kiosks' in names and 'Contoso pilot' in names
    found = run_module('autopilot_profile_info', info_args(sim_args, simulator, name='CONTOSO KIOSKS'))
    assert not found.failed, found
    assert [profile['name'] for profile in found['profiles']] == ['Contoso kiosks']
    assert found['profiles'][0]['category'] == 'o_o_b_e'
    assert isinstance(found['profiles'][0]['devices_assigned'], int)


def test_a_profile_id_that_is_not_a_guid_fails_before_any_request(run_module, simulator, sim_args):
    result = run_module('autopilot_profile_info', info_args(sim_args, simulator, profile_id='x'))
    assert result.failed and 'profile_id must be a GUID' in result['msg'], result
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []
