# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_batch and device_profile action plugins in-process: progress lines while they wait, no fact set, check
mode and async passed through. Each test runs for both plugins with a task of its own module."""

import pytest

from action_in_process import HOST, SHORT, ModuleStandIn, details, make_action, shown_lines

from ansible_collections.partnercenter.devices.plugins.action import device_batch, device_profile
from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import BATCH_FACT, FACT_BY_ACTION_ENV, PROGRESS_FILE_ENV

CUSTOMER = '3f8e2a91-6c47-4d0b-b5e2-7a9c1d3e5f60'
# A task that uploads a batch, and one that assigns a profile.
PLUGINS = {
    'device_batch': (device_batch, dict(customer_id=CUSTOMER, batch_id='lab-42',
                                        devices=[dict(serial_number='SN-0', oem_manufacturer_name='Contoso', model_name='X1')])),
    'device_profile': (device_profile, dict(customer_id=CUSTOMER, profile_id='a7b3c9d1-2e4f-4a6b-8c0d-1e2f3a4b5c6d',
                                            serial_numbers=['SN-0'])),
}
FINISHED = details('finished', ['finished'])
RESULT = dict(changed=True, batch_tracking_id='2c847dea-0b1d-4c5e-8f70-a1b2c3d4e5f6', batch_upload_details=FINISHED)
POLLS = [details('queued', ['queued']), details('processing', ['queued']), FINISHED]
TASK_VARS = {'inventory_hostname': HOST}


@pytest.fixture(params=sorted(PLUGINS))
def plugin(request):
    """(the module's name, its action plugin, the arguments of a task of it)."""
    return (request.param,) + PLUGINS[request.param]


def run(plugin, extra=None, polls=(), **task):
    unused, action_plugin, args = plugin
    action = make_action(action_plugin, dict(args, **(extra or {})), **task)
    module = ModuleStandIn(RESULT, polls=polls).install(action)
    return action.run(task_vars=TASK_VARS), module


def test_a_wait_shows_a_line_per_change_through_display(plugin, capsys):
    name, unused, args = plugin
    result, module = run(plugin, dict(wait=True), polls=POLLS)
    assert module.call['module_name'] == 'partnercenter.devices.%s' % name
    assert module.call['module_args'] == dict(args, wait=True)
    assert PROGRESS_FILE_ENV in module.call['environment']
    assert shown_lines(capsys.readouterr().out) == [
        '%s | batch %s: queued \u2014 0 of 1 device done (poll 1, 2 s)' % (HOST, SHORT),
        '%s | batch %s: processing \u2014 0 of 1 device done (poll 2, 4 s)' % (HOST, SHORT),
        '%s | batch %s: finished \u2014 1 of 1 device done (poll 3, 6 s)' % (HOST, SHORT),
    ]
    assert result['batch_upload_details'] == FINISHED


def test_the_result_keeps_its_batch_upload_details_and_sets_no_fact(plugin):
    result, module = run(plugin, dict(wait=True), polls=POLLS)
    assert FACT_BY_ACTION_ENV not in module.call['environment']
    assert BATCH_FACT not in (result.get('ansible_facts') or {})
    assert result['batch_upload_details'] == FINISHED and result['changed'] is True


def test_without_wait_no_progress_file_and_no_lines(plugin, capsys):
    unused, module = run(plugin, polls=POLLS)
    assert PROGRESS_FILE_ENV not in module.call['environment']
    assert shown_lines(capsys.readouterr().out) == []


def test_check_mode_runs_the_module(plugin):
    result, module = run(plugin, check_mode=True)
    assert len(module.calls) == 1 and 'skipped' not in result
    assert result['changed'] is True


def test_async_is_wrapped_and_shows_no_lines(plugin, capsys):
    result, module = run(plugin, dict(wait=True), polls=POLLS, async_val=600)
    assert module.call['wrap_async'] is True
    assert PROGRESS_FILE_ENV not in module.call['environment']
    assert shown_lines(capsys.readouterr().out) == []
    assert result['batch_upload_details'] == FINISHED
