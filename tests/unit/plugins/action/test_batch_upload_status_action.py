# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch_upload_status action plugin in-process: the fact it sets, the progress lines of a wait, check mode and async."""

from action_in_process import HOST, SHORT, ModuleStandIn, details, make_action, shown_lines, wait_for_output

from ansible_collections.partnercenter.devices.plugins.action import batch_upload_status
from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import BATCH_FACT, FACT_BY_ACTION_ENV, PROGRESS_FILE_ENV

ARGS = dict(customer_id='3f8e2a91-6c47-4d0b-b5e2-7a9c1d3e5f60', batch_tracking_id='2c847dea-0b1d-4c5e-8f70-a1b2c3d4e5f6')
FINISHED = details('finished_with_errors', ['finished_with_errors', 'finished'], ['808'])
POLLS = [details('queued', ['queued', 'queued']), details('processing', ['finished', 'queued']),
         details('processing', ['finished', 'queued']), FINISHED]
TASK_VARS = {'inventory_hostname': HOST}


def run(args, result, polls=(), **task):
    action = make_action(batch_upload_status, args, **task)
    module = ModuleStandIn(result, polls=polls, sets_fact=True).install(action)
    return action.run(task_vars=TASK_VARS), module


def test_the_plugin_sets_the_fact_from_the_one_batch_upload_details_the_module_returned():
    result, module = run(ARGS, dict(changed=False, batch_upload_details=FINISHED))
    assert module.call['environment'][FACT_BY_ACTION_ENV] == '1'
    assert result['ansible_facts'][BATCH_FACT] == FINISHED
    # The same object as the result key: the batch crossed from the module once.
    assert result['ansible_facts'][BATCH_FACT] is result['batch_upload_details']
    assert module.call['module_name'] == 'partnercenter.devices.batch_upload_status'


def test_a_failed_wait_that_read_details_still_sets_the_fact():
    stuck = details('processing', ['queued'])
    result, _module = run(dict(ARGS, wait=True), dict(failed=True, msg='The batch was still processing.', batch_upload_details=stuck))
    assert result['failed'] is True
    assert result['ansible_facts'][BATCH_FACT] == stuck


def test_a_result_without_details_sets_no_fact():
    result, _module = run(ARGS, dict(failed=True, msg='customer_id must be a GUID.'))
    assert result['failed'] is True and 'ansible_facts' not in result


def test_a_wait_shows_a_line_per_change_through_display(capsys):
    result, _module = run(dict(ARGS, wait=True), dict(changed=False, batch_upload_details=FINISHED), polls=POLLS)
    # queued, processing, processing again (no change: no line), finished_with_errors.
    assert shown_lines(capsys.readouterr().out) == [
        '%s | batch %s: queued \u2014 0 of 2 devices done (poll 1, 2 s)' % (HOST, SHORT),
        '%s | batch %s: processing \u2014 1 of 2 devices done (poll 2, 4 s)' % (HOST, SHORT),
        '%s | batch %s: finished_with_errors \u2014 2 of 2 devices done, 1 with errors (poll 4, 8 s)' % (HOST, SHORT),
    ]
    assert result['ansible_facts'][BATCH_FACT] == FINISHED


def test_a_line_shows_while_the_module_still_waits(capsys):
    seen = {}

    def during(poll_number):
        if poll_number == 1:
            seen['output'] = wait_for_output(capsys, shown_lines)

    action = make_action(batch_upload_status, dict(ARGS, wait=True))
    ModuleStandIn(dict(changed=False, batch_upload_details=FINISHED), polls=POLLS[:1], during=during).install(action)
    action.run(task_vars=TASK_VARS)
    assert shown_lines(seen['output']) == ['%s | batch %s: queued \u2014 0 of 2 devices done (poll 1, 2 s)' % (HOST, SHORT)]


def test_without_wait_no_progress_file_and_no_lines(capsys):
    result, module = run(ARGS, dict(changed=False, batch_upload_details=POLLS[0]), polls=POLLS)
    assert PROGRESS_FILE_ENV not in module.call['environment']
    assert shown_lines(capsys.readouterr().out) == []
    assert result['ansible_facts'][BATCH_FACT] == POLLS[0]


def test_check_mode_runs_the_module_and_sets_the_fact():
    result, module = run(ARGS, dict(changed=False, batch_upload_details=FINISHED), check_mode=True)
    assert len(module.calls) == 1 and 'skipped' not in result
    assert result['ansible_facts'][BATCH_FACT] == FINISHED


def test_async_leaves_the_fact_to_the_module_and_shows_no_lines(capsys):
    result, module = run(dict(ARGS, wait=True), dict(changed=False, batch_upload_details=FINISHED), polls=POLLS, async_val=600)
    assert module.call['wrap_async'] is True
    assert FACT_BY_ACTION_ENV not in module.call['environment'] and PROGRESS_FILE_ENV not in module.call['environment']
    # The module set the fact (the stand-in does so when not told otherwise), and it comes through.
    assert result['ansible_facts'][BATCH_FACT] == FINISHED
    assert shown_lines(capsys.readouterr().out) == []


def test_async_on_a_connection_with_native_async_is_not_wrapped():
    _result, module = run(ARGS, dict(changed=False, batch_upload_details=FINISHED), async_val=600, has_native_async=True)
    assert module.call['wrap_async'] is False
