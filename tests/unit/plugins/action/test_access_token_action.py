# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The access_token action plugin in-process: a successful result is hidden as no_log hides it, a failure stays visible."""

import pytest
from ansible.errors import AnsibleActionFail

from action_in_process import ModuleStandIn, make_action

from ansible_collections.partnercenter.devices.plugins.action import access_token

ARGS = dict(tenant_id='9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6', client_id='5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e',
            client_secret='action-secret-DO-NOT-LEAK-4Tz8')
TOKEN_RESULT = dict(changed=False, access_token='eyJ0eXAiOiJKV1QiLCJhbGciOi.token-DO-NOT-LEAK', token_type='Bearer', expires_in=3599)


def test_a_successful_result_is_hidden_and_keeps_the_token():
    action = make_action(access_token, ARGS)
    module = ModuleStandIn(TOKEN_RESULT).install(action)
    result = action.run(task_vars={'inventory_hostname': 'pc-host'})
    assert result['_ansible_no_log'] is True
    # Hidden from output only: the registered variable still holds the token for later tasks.
    assert result['access_token'] == TOKEN_RESULT['access_token']
    assert module.call['module_name'] == 'partnercenter.devices.access_token'
    assert module.call['module_args'] == ARGS


@pytest.mark.parametrize('failure', [
    dict(failed=True, msg='Entra ID refused the client credentials (AADSTS7000215): check client_secret.'),
    dict(failed=True, msg='Entra ID answered 503 after 3 attempts.', status=503),
], ids=['wrong-secret', 'outage'])
def test_a_failure_stays_visible(failure):
    action = make_action(access_token, ARGS)
    ModuleStandIn(failure).install(action)
    result = action.run(task_vars={})
    assert result['failed'] is True
    assert result['msg'] == failure['msg']
    assert '_ansible_no_log' not in result


def test_check_mode_runs_the_module_and_hides_its_token():
    action = make_action(access_token, ARGS, check_mode=True)
    module = ModuleStandIn(TOKEN_RESULT).install(action)
    result = action.run(task_vars={})
    assert len(module.calls) == 1
    assert result['_ansible_no_log'] is True and 'skipped' not in result


def test_async_is_refused_before_the_module_runs():
    action = make_action(access_token, ARGS, async_val=30)
    module = ModuleStandIn(TOKEN_RESULT).install(action)
    # ansible-core words it 'does not support async' (2.19) or 'async is not supported' (2.16).
    with pytest.raises(AnsibleActionFail, match='(does not support|is not supported).*async|async is not supported'):
        action.run(task_vars={})
    assert module.calls == []
