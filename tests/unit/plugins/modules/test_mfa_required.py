# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""App+user credentials whose refresh token comes from a consent made without MFA: Partner Center answers 401 code
900421 to every app+user call. The task fails once, says what to do, and does not renew the token (a token from the
same refresh token has no MFA claim either)."""

import json

import pytest

import harness

NO_MFA_REFRESH_TOKEN = 'sim-refresh-token-no-mfa-DO-NOT-LEAK-5Mf2'
NEW_DEVICE = {'serial_number': 'MFA-CASE-0001', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'}


def with_no_mfa_refresh_token(seed):
    seed['refresh_tokens'].append({'token': NO_MFA_REFRESH_TOKEN, 'user': 'nomfa@contoso-partner.onmicrosoft.com',
                                   'roles': ['AdminAgent'], 'mfa': False})


CASES = {
    'batch_upload_status': ('batch_upload_status', dict(customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                        batch_tracking_id=harness.EXAMPLE_BATCH_ID)),
    'batch_upload_status-wait': ('batch_upload_status', dict(customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                             batch_tracking_id=harness.DEMO_BATCH_STUCK, wait=True,
                                                             poll_interval=0.1, wait_timeout=5)),
    'device_batch-skip_existing': ('device_batch', dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_id='mfa-case-batch',
                                                        devices=[NEW_DEVICE])),
    'device_batch-create': ('device_batch', dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_id='mfa-case-batch',
                                                 devices=[NEW_DEVICE], skip_existing=False)),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_an_app_user_call_without_mfa_fails_once_naming_900421_without_renewing(case, run_module, make_simulator, sim_args):
    simulator = make_simulator(with_no_mfa_refresh_token)
    name, options = CASES[case]
    result = run_module(name, dict(sim_args(simulator, 'app+user', refresh_token=NO_MFA_REFRESH_TOKEN), **options))
    assert result.failed
    message = result['msg']
    assert '900421' in message and result.get('error_code') == '900421'
    assert 'MFA' in message and 'secure application model' in message
    assert 'app-only' in message and 'creating a new device batch needs app+user' in message
    assert result.get('request_id') and result['request_id'] in message
    assert result.get('http_status') == 401
    stats = simulator.stats
    assert len(stats['api_requests']) == 1, stats['api_requests']
    assert [request['status'] for request in stats['token_requests']] == [200]
    for secret in (NO_MFA_REFRESH_TOKEN,) + harness.SECRETS + tuple(stats['issued_tokens']) + tuple(stats['issued_refresh_tokens']):
        assert secret not in json.dumps(result)


@pytest.mark.parametrize('case', ['batch_upload_status', 'device_batch-skip_existing'])
def test_app_only_credentials_are_not_asked_for_mfa(case, run_module, make_simulator, sim_args):
    simulator = make_simulator(with_no_mfa_refresh_token)
    name, options = CASES[case]
    result = run_module(name, dict(sim_args(simulator, 'app-only'), **options))
    assert '900421' not in json.dumps(result)
    assert all(request['status'] != 401 for request in simulator.stats['api_requests'])
