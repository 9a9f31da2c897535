# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for a batch with the wait_for_batch_upload role (the module's own wait option is tested in-process in
tests/unit/plugins/modules/test_batch_upload_status.py)."""

import copy

import harness

# Seed statuses: queued, processing, processing, finished_with_errors (4 devices: 806 and 808 fail).
WITH_ERRORS = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS}
# Seed statuses: queued, processing, finished (3 devices, no errors).
CLEAN = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}
# Seed statuses: processing, for ever.
STUCK = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_STUCK}


# Copies of seeded batches under ids of their own, so that what the play output says of a case is the case's own.
THROTTLED = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': '7a2c4e6f-8b1d-4f3a-9c5e-0d2f4a6b8c1e'}
FAILING = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': '3b5d7f9a-1c2e-4d6f-8a0b-2c4e6f8a0b3d'}


def role_vars(batch, **extra):
    """Role variables for ``batch``, polling without delay."""
    variables = {
        'wait_for_batch_upload_customer_id': batch['customer_id'],
        'wait_for_batch_upload_batch_tracking_id': batch['batch_tracking_id'],
        'wait_for_batch_upload_delay': 0,
    }
    variables.update(extra)
    return variables


def copy_of(batch, into):
    """A seed change: the seeded ``batch`` again under the id of ``into``."""

    def change(seed):
        batches = seed['customers'][batch['customer_id']]['batches']
        batches[into['batch_tracking_id']] = copy.deepcopy(batches[batch['batch_tracking_id']])

    return change


def statuses_seen(simulator, batch_tracking_id):
    """The HTTP statuses of the API requests for one batch, in order."""
    return [r['status'] for r in simulator.stats['api_requests'] if r['path'].endswith(batch_tracking_id)]


def test_role_cases(make_simulator, playbook):
    """The role's cases in one play, each against a simulator of its own, with the credentials in its environment."""
    sims = {
        'clean': make_simulator(),
        'with-errors-app-user': make_simulator(),
        'fail-on-device-errors': make_simulator(copy_of(WITH_ERRORS, FAILING)),
        'timeout': make_simulator(),
        'throttled': make_simulator(copy_of(CLEAN, THROTTLED)),
        'permanent-error': make_simulator(),
        'not-a-guid': make_simulator(),
    }
    sims['throttled'].add_fault('status', match='api', status=429, retry_after='1', count=2, after=1)
    cases = [
        dict(CLEAN, id='clean'),
        dict(WITH_ERRORS, id='with-errors-app-user', kind='app+user'),
        dict(FAILING, id='fail-on-device-errors', fail_on_device_errors=True),
        dict(STUCK, id='timeout', retries=2),
        dict(THROTTLED, id='throttled'),
        dict(CLEAN, id='permanent-error', customer_id=harness.FOREIGN_CUSTOMER_ID),
        dict(CLEAN, id='not-a-guid', batch_tracking_id='not-a-guid'),
    ]
    for case in cases:
        case['environment'] = harness.simulator_credentials(sims[case['id']].url, case.pop('kind', 'app-only'))
    run = playbook('wait_for_batch_upload_cases.yml', dict(role_cases=cases))
    assert run.returncode == 0, run
    outcomes = run.results['role_outcomes']
    assert sorted(outcomes) == sorted(sims), outcomes
    assert 'FAILED - RETRYING' in run.output  # every poll shows in the play output

    # Waits until finished, with one token request.
    outcome, sim = outcomes['clean'], sims['clean']
    assert outcome['outcome'] == 'ok'
    assert outcome['details']['status'] == 'finished'
    assert outcome['devices_with_errors'] == []
    assert sim.stats['polls'][harness.DEMO_BATCH_CLEAN] == 3
    assert len(sim.stats['token_requests']) == 1
    assert 'Batch %s is finished after 3 polls: 3 devices (3 finished), 0 with errors.' % harness.DEMO_BATCH_CLEAN in run.output

    # Reports device errors without failing (app+user credentials).
    outcome, sim = outcomes['with-errors-app-user'], sims['with-errors-app-user']
    assert outcome['outcome'] == 'ok'
    assert outcome['details']['status'] == 'finished_with_errors'
    errors = dict((device['error_code'], device['error_description']) for device in outcome['devices_with_errors'])
    assert errors == {'806': 'ZtdDeviceAlreadyAssigned', '808': 'ZtdDeviceAssignedToOtherTenant'}
    assert 'Batch %s is finished_with_errors after' % harness.DEMO_BATCH_WITH_ERRORS in run.output
    # The summary names each device error: this case's line and the next case's (which shows them before failing).
    assert run.output.count('error 808 ZtdDeviceAssignedToOtherTenant.') == 2
    assert [r['grant_type'] for r in sim.stats['token_requests']] == ['refresh_token']

    # Fails on device errors when asked.
    outcome = outcomes['fail-on-device-errors']
    assert outcome['outcome'] == 'failed'
    message = outcome['result']['msg']
    assert message.startswith('2 devices of batch %s carry errors:' % FAILING['batch_tracking_id'])
    assert '(806 ZtdDeviceAlreadyAssigned)' in message and '(808 ZtdDeviceAssignedToOtherTenant)' in message

    # Times out with the last status.
    outcome, sim = outcomes['timeout'], sims['timeout']
    assert outcome['outcome'] == 'failed'
    assert outcome['result']['msg'].startswith(
        'Batch %s of customer %s was still processing after 3 polls' % (harness.DEMO_BATCH_STUCK, harness.DEMO_CUSTOMER_ID))
    assert sim.stats['polls'][harness.DEMO_BATCH_STUCK] == 3  # the first poll and two retries
    assert len(sim.stats['token_requests']) == 1

    # Rides out throttling with one token.
    outcome, sim = outcomes['throttled'], sims['throttled']
    assert outcome['outcome'] == 'ok'
    assert outcome['details']['status'] == 'finished'
    assert statuses_seen(sim, THROTTLED['batch_tracking_id']) == [200, 429, 429, 200, 200]
    assert len(sim.stats['token_requests']) == 1

    # Stops at a permanent error: no polling on after a refusal.
    outcome, sim = outcomes['permanent-error'], sims['permanent-error']
    assert outcome['outcome'] == 'failed'
    assert 'HTTP 403' in outcome['result']['msg']
    assert len(sim.stats['api_requests']) == 1

    # Checks its variables before anything is sent.
    outcome, sim = outcomes['not-a-guid'], sims['not-a-guid']
    assert outcome['outcome'] == 'failed'
    assert 'must be GUIDs' in outcome['result']['msg']
    assert sim.stats['token_requests'] == [] and sim.stats['api_requests'] == []


def test_role_names_a_missing_variable(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', {'wait_for_batch_upload_customer_id': harness.DEMO_CUSTOMER_ID},
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert 'wait_for_batch_upload_batch_tracking_id' in run.results['result']['msg']
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


def test_role_output_holds_no_secret_at_vvvv(simulator, playbook):
    run = playbook('wait_for_batch_upload.yml', role_vars(WITH_ERRORS),
                   env=harness.simulator_credentials(simulator.url, kind='app+user'), verbosity=4)
    assert run.returncode == 0, run
    issued = simulator.stats['issued_tokens'] + simulator.stats.get('issued_refresh_tokens', [])
    assert issued
    for secret in harness.SECRETS + tuple(issued):
        assert secret not in run.output
