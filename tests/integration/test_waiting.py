# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for a batch with the wait_for_batch_upload role (the module's own wait option is tested in-process in
tests/unit/plugins/modules/test_batch_upload_status.py)."""

import harness

# Seed statuses: queued, processing, processing, finished_with_errors (4 devices: 806 and 808 fail).
WITH_ERRORS = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS}
# Seed statuses: queued, processing, finished (3 devices, no errors).
CLEAN = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}
# Seed statuses: processing, for ever.
STUCK = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_STUCK}


def role_vars(batch, **extra):
    """Role variables for ``batch``, polling without delay."""
    variables = {
        'wait_for_batch_upload_customer_id': batch['customer_id'],
        'wait_for_batch_upload_batch_tracking_id': batch['batch_tracking_id'],
        'wait_for_batch_upload_delay': 0,
    }
    variables.update(extra)
    return variables


def statuses_seen(simulator, batch_tracking_id):
    """The HTTP statuses of the API requests for one batch, in order."""
    return [r['status'] for r in simulator.stats['api_requests'] if r['path'].endswith(batch_tracking_id)]


# -- the role ---------------------------------------------------------------------------------


def test_role_waits_until_finished_with_one_token_request(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', role_vars(CLEAN), env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    assert run.results['outcome'] == 'ok'
    assert run.results['details']['status'] == 'finished'
    assert run.results['devices_with_errors'] == []
    assert simulator.stats['polls'][harness.DEMO_BATCH_CLEAN] == 3
    assert len(simulator.stats['token_requests']) == 1
    assert 'FAILED - RETRYING' in run.output  # every poll shows in the play output
    assert 'is finished after 3 polls: 3 devices (3 finished), 0 with errors.' in run.output


def test_role_reports_device_errors_without_failing(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', role_vars(WITH_ERRORS),
                   env=harness.simulator_credentials(simulator.url, kind='app+user'))
    assert run.returncode == 0, run
    assert run.results['details']['status'] == 'finished_with_errors'
    errors = dict((device['error_code'], device['error_description']) for device in run.results['devices_with_errors'])
    assert errors == {'806': 'ZtdDeviceAlreadyAssigned', '808': 'ZtdDeviceAssignedToOtherTenant'}
    assert 'ZtdDeviceAssignedToOtherTenant' in run.output  # the summary names each device error
    assert [r['grant_type'] for r in simulator.stats['token_requests']] == ['refresh_token']


def test_role_fails_on_device_errors_when_asked(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', role_vars(WITH_ERRORS, wait_for_batch_upload_fail_on_device_errors=True),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    message = run.results['result']['msg']
    assert message.startswith('2 devices of batch %s carry errors:' % harness.DEMO_BATCH_WITH_ERRORS)
    assert '(806 ZtdDeviceAlreadyAssigned)' in message and '(808 ZtdDeviceAssignedToOtherTenant)' in message


def test_role_times_out_with_the_last_status(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', role_vars(STUCK, wait_for_batch_upload_retries=2),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert run.results['result']['msg'].startswith(
        'Batch %s of customer %s was still processing after 3 polls' % (harness.DEMO_BATCH_STUCK, harness.DEMO_CUSTOMER_ID))
    assert simulator.stats['polls'][harness.DEMO_BATCH_STUCK] == 3  # the first poll and two retries
    assert len(simulator.stats['token_requests']) == 1


def test_role_rides_out_throttling_with_one_token(simulator, playbook):
    simulator.add_fault('status', match='api', status=429, retry_after='1', count=2, after=1)
    run = playbook('wait_for_batch_upload.yml', role_vars(CLEAN), env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    assert run.results['details']['status'] == 'finished'
    assert statuses_seen(simulator, harness.DEMO_BATCH_CLEAN) == [200, 429, 429, 200, 200]
    assert len(simulator.stats['token_requests']) == 1


def test_role_stops_at_a_permanent_error(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml',
                   role_vars({'customer_id': harness.FOREIGN_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert 'HTTP 403' in run.results['result']['msg']
    assert len(simulator.stats['api_requests']) == 1  # no polling on after a refusal


def test_role_checks_its_variables(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', {'wait_for_batch_upload_customer_id': harness.DEMO_CUSTOMER_ID},
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert 'wait_for_batch_upload_batch_tracking_id' in run.results['result']['msg']
    bad = playbook('wait_for_batch_upload.yml', role_vars(dict(CLEAN, batch_tracking_id='not-a-guid')),
                   env=harness.simulator_credentials(simulator.url))
    assert 'must be GUIDs' in bad.results['result']['msg']
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


def test_role_output_holds_no_secret_at_vvvv(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', role_vars(WITH_ERRORS),
                   env=harness.simulator_credentials(simulator.url, kind='app+user'), verbosity=4)
    assert run.returncode == 0, run
    issued = simulator.stats['issued_tokens'] + simulator.stats.get('issued_refresh_tokens', [])
    assert issued
    for secret in harness.SECRETS + tuple(issued):
        assert secret not in run.output
