# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's side of the handshake with its action plugin: the poll records, and the fact left to the plugin."""

import json

from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import (
    BATCH_FACT, FACT_BY_ACTION_ENV, PROGRESS_FILE_ENV, module_sets_fact, poll_record, poll_recorder, with_batch_fact)
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import BatchWaitTimeout

BATCH = '2c847dea-0b1d-4c5e-8f70-a1b2c3d4e5f6'
DETAILS = dict(batch_tracking_id=BATCH, status='finished_with_errors', devices_status=[
    dict(status='finished', error_code=None),
    dict(status='finished_with_errors', error_code='806', error_description='ZtdDeviceAlreadyAssigned'),
    dict(status='finished_with_errors', error_code='808', error_description='ZtdDeviceAssignedToOtherTenant'),
    'not a device',
])


def test_a_record_counts_devices_done_and_with_errors():
    assert poll_record(DETAILS, 3, 12.345, throttled_polls=1) == dict(
        batch=BATCH, status='finished_with_errors', devices=3, done=3, errors=2, polls=3, waited=12.3, throttled=1)


def test_registered_apart_counts_806_as_already_registered_not_as_an_error():
    record = poll_record(DETAILS, 1, 0, registered_apart=True)
    assert record['errors'] == 1 and record['already_registered'] == 1


def test_a_failed_poll_takes_the_details_its_error_carries_and_says_what_failed():
    error = BatchWaitTimeout('The batch was still processing.', None, dict(DETAILS, status='processing'), 2, 4)
    record = poll_record(None, 2, 4, error=error)
    assert record['status'] == 'processing' and record['error'] == 'The batch was still processing.'


def test_a_poll_without_details_names_the_batch_it_asked_for():
    record = poll_record(None, 1, None, error=RuntimeError('x' * 400), batch_tracking_id=BATCH)
    assert record == dict(batch=BATCH, polls=1, waited=0.0, throttled=0, error='x' * 300)


def test_no_recorder_without_a_progress_file():
    assert poll_recorder(BATCH, environ={}) is None


def test_the_recorder_appends_one_json_line_per_poll(tmp_path):
    path = tmp_path / 'progress.jsonl'
    on_poll = poll_recorder(BATCH, environ={PROGRESS_FILE_ENV: str(path)})
    on_poll(DETAILS, 1, 2)
    on_poll(None, 2, 4, 1, RuntimeError('timed out'))
    records = [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()]
    assert [record['polls'] for record in records] == [1, 2] and records[1]['error'] == 'timed out'


def test_a_progress_file_that_cannot_be_written_never_fails_the_wait(tmp_path):
    on_poll = poll_recorder(BATCH, environ={PROGRESS_FILE_ENV: str(tmp_path / 'missing' / 'progress.jsonl')})
    on_poll(DETAILS, 1, 2)  # no exception


def test_the_module_sets_the_fact_unless_the_plugin_does():
    assert module_sets_fact({}) is True
    assert module_sets_fact({FACT_BY_ACTION_ENV: '1'}) is False


def test_with_batch_fact_keeps_other_facts_and_ignores_a_result_without_details():
    result = with_batch_fact(dict(batch_upload_details=DETAILS, ansible_facts=dict(other=1)))
    assert result['ansible_facts'] == {'other': 1, BATCH_FACT: DETAILS}
    assert with_batch_fact(dict(failed=True)) == dict(failed=True)
