# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress while a module waits: lines in the play output, the result unchanged, one token."""

import re

import harness

WITH_ERRORS = dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_tracking_id=harness.DEMO_BATCH_WITH_ERRORS)
SHORT = harness.DEMO_BATCH_WITH_ERRORS[:8] + '\u2026'
RESULT_KEYS = {'batch_upload_details', 'complete', 'devices_with_errors', 'device_status_counts', 'polls',
               'waited_seconds', 'correlation_id', 'changed'}


def progress_lines(output):
    return [line for line in output.splitlines() if line.startswith('localhost | batch ')]


def test_a_wait_shows_a_line_per_change_at_default_verbosity(simulator, playbook):
    # Facts not injected as variables: the plugin and the playbook must not rely on them.
    env = dict(harness.simulator_credentials(simulator.url), ANSIBLE_INJECT_FACT_VARS='false')
    run = playbook('batch_upload_status.yml', dict(WITH_ERRORS, wait=True, poll_interval=0.2), env=env)
    assert run.returncode == 0, run
    lines = progress_lines(run.stdout)
    # Seed: queued, processing, processing (no change: no line), finished_with_errors.
    assert [re.sub(r'\d+ s\)', 'N s)', line) for line in lines] == [
        'localhost | batch %s: queued \u2014 0 of 4 devices done (poll 1, N s)' % SHORT,
        'localhost | batch %s: processing \u2014 0 of 4 devices done (poll 2, N s)' % SHORT,
        'localhost | batch %s: finished_with_errors \u2014 4 of 4 devices done, 2 with errors (poll 4, N s)' % SHORT,
    ]
    # The lines come before the task's own status line.
    assert run.stdout.index(lines[-1]) < run.stdout.index('ok: [localhost]')
    result = run.results['result']
    assert RESULT_KEYS <= set(result)
    assert result['polls'] == 4 and result['complete'] is True
    assert run.results['fact']['status'] == 'finished_with_errors'
    assert len(simulator.stats['token_requests']) == 1


def test_a_heartbeat_shows_when_nothing_changes(simulator, playbook):
    env = dict(harness.simulator_credentials(simulator.url), PARTNER_CENTER_PROGRESS_HEARTBEAT='0.001')
    run = playbook('batch_upload_status.yml', dict(WITH_ERRORS, wait=True, poll_interval=0.2), env=env)
    assert run.returncode == 0, run
    assert 'localhost | batch %s: still processing \u2014 0 of 4 devices done (poll 3,' % SHORT in run.stdout


def test_no_lines_without_wait(simulator, playbook):
    run = playbook('batch_upload_status.yml', WITH_ERRORS, env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    assert progress_lines(run.stdout) == []
    assert run.results['result']['batch_upload_details']['status'] == 'queued'


def test_a_timeout_keeps_its_result_and_shows_the_last_status(simulator, playbook):
    run = playbook('batch_upload_status.yml', dict(customer_id=harness.DEMO_CUSTOMER_ID,
                                                   batch_tracking_id=harness.DEMO_BATCH_STUCK,
                                                   wait=True, wait_timeout=1, poll_interval=0.3),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert run.results['result']['batch_upload_details']['status'] == 'processing'
    lines = progress_lines(run.stdout)
    assert lines and ': processing' in lines[0]
    assert len(simulator.stats['token_requests']) == 1


def test_device_batch_shows_the_wait_after_the_upload(simulator, playbook):
    # The second device is registered to the customer already: 806, counted as the result counts it, not as an error.
    devices = [{'serial_number': 'PROGRESS-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},
               {'serial_number': 'REG-DEMO-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'}]
    env = dict(harness.simulator_credentials(simulator.url, 'app+user'))
    run = playbook('device_batch.yml', dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_id='progress-wait',
                                            devices=devices, wait=True, poll_interval=0.1), env=env)
    assert run.returncode == 0, run
    result = run.results['result']
    short = result['batch_tracking_id'][:8] + '\u2026'
    lines = progress_lines(run.stdout)
    assert [line.split(' (')[0] for line in lines] == [
        'localhost | batch %s: queued \u2014 0 of 2 devices done' % short,
        'localhost | batch %s: processing \u2014 0 of 2 devices done' % short,
        'localhost | batch %s: finished \u2014 2 of 2 devices done, 1 already registered' % short,
    ]
    assert result['complete'] is True and result['polls'] == 3
    assert len(result['devices_already_registered']) == 1 and result['devices_with_errors'] == []
    assert len(simulator.stats['token_requests']) == 1


def test_the_bulk_wait_shows_each_batch(simulator, playbook):
    batches = [dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_tracking_id=harness.DEMO_BATCH_WITH_ERRORS),
               dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_tracking_id=harness.DEMO_BATCH_CLEAN)]
    run = playbook('bulk_status.yml', dict(batches=batches, wait=True, poll_interval=0.1),
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    lines = progress_lines(run.stdout)
    for batch in batches:
        short = batch['batch_tracking_id'][:8] + '\u2026'
        assert any(line.startswith('localhost | batch %s: finished' % short) for line in lines), lines
    assert run.results['result']['batch_counts']['complete'] == 2
    assert len(simulator.stats['token_requests']) == 1
