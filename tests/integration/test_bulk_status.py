# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status with the batches option: many batches in one task, through real ansible-playbook runs.

The checks are cases of one shared run (tests/shared_cases.py), each with a simulator of its own and
app-only credentials in its task's environment; the -vvvv secret check has a run of its own, with the
credentials in ansible-playbook's environment (the environment keyword shows its values at -vvv).
"""

import json

import harness
import shared_cases

WITH_ERRORS = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS}
CLEAN = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}
STUCK = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_STUCK}
EXAMPLE = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID}
# A batch of another customer: Partner Center answers 404 for it.
FOREIGN = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}

OTHER_CUSTOMER = '6c0d5b1e-2f3a-4b4c-8d5e-6f7a8b9c0d1e'


def other_batch(number):
    """The number-th finished batch of OTHER_CUSTOMER in the seed that throttle_the_demo_customer makes."""
    return {'customer_id': OTHER_CUSTOMER, 'batch_tracking_id': 'b0000000-0000-4000-8000-%012d' % number}


def status_paths(simulator):
    """(path, HTTP status) of every batchJobStatus request, in the order the simulator received them."""
    return [(record['path'], record['status']) for record in simulator.stats['api_requests'] if '/batchJobStatus/' in record['path']]


def path_of(batch):
    """The batchJobStatus path of ``batch``."""
    return '/v1/customers/%s/batchJobStatus/%s' % (batch['customer_id'], batch['batch_tracking_id'])


def throttle_the_demo_customer(seed):
    """The demo customer throttled (one request per 2 s), and another customer with six finished batches."""
    seed['customers'][harness.DEMO_CUSTOMER_ID]['throttle'] = {'limit': 1, 'window_seconds': 2}
    seed['customers'][OTHER_CUSTOMER] = {'batches': dict(
        (other_batch(number)['batch_tracking_id'], {'statuses': ['finished']}) for number in range(1, 7))}


CASES = shared_cases.Table('bulk_status.yml')


def bulk(simulator, batches, **options):
    """A case of tasks/bulk_status.yml with app-only credentials for ``simulator`` in the task's environment."""
    return shared_cases.Case(dict(options, batches=batches), environment=harness.simulator_credentials(simulator.url))


@CASES.case
def results_in_input_order_on_one_token(simulator):
    batches = [WITH_ERRORS, EXAMPLE, CLEAN, STUCK]
    run = yield bulk(simulator, batches, return_raw=True)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert [(entry['customer_id'], entry['batch_tracking_id']) for entry in result['results']] == [
        (batch['customer_id'], batch['batch_tracking_id']) for batch in batches]
    assert [entry['failed'] for entry in result['results']] == [False] * 4
    example = result['results'][1]
    assert example['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert example['batch_upload_details']['status'] == 'finished'
    assert example['complete'] is True
    assert [device['error_code'] for device in example['devices_with_errors']] == ['808']
    assert example['device_status_counts'] == {'finished_with_errors': 1}
    # The seed's multi-step batches are at their first status.
    assert [entry['batch_upload_details']['status'] for entry in result['results']] == ['queued', 'finished', 'queued', 'processing']
    assert result['batch_counts'] == {'total': 4, 'complete': 1, 'incomplete': 3, 'failed': 0, 'with_device_errors': 1}
    assert result['changed'] is False
    assert len(result['correlation_id']) == 36
    assert run.results['fact_set'] is False
    assert len(simulator.stats['token_requests']) == 1
    assert sorted(path for path, _status in status_paths(simulator)) == sorted(path_of(batch) for batch in batches)
    # Every request of the task carries the task's correlation id.
    assert set(record['correlation_id'] for record in simulator.stats['api_requests']) == {result['correlation_id']}


@CASES.case
def a_failed_batch_carries_its_own_error(simulator):
    run = yield bulk(simulator, [EXAMPLE, FOREIGN, CLEAN])
    assert run.results['outcome'] == 'ok', run.results
    first, foreign, clean = run.results['result']['results']
    assert first['failed'] is False and clean['failed'] is False
    assert foreign['failed'] is True
    assert foreign['http_status'] == 404
    assert str(foreign['error_code']) == '1000'
    assert 'HTTP 404' in foreign['msg'] and harness.DEMO_BATCH_CLEAN in foreign['msg']
    assert len(foreign['request_id']) == 36
    assert 'batch_upload_details' not in foreign
    assert run.results['result']['batch_counts']['failed'] == 1


@CASES.case
def fail_on_error_fails_the_task_and_still_returns_the_results(simulator):
    run = yield bulk(simulator, [EXAMPLE, FOREIGN], fail_on_error=True)
    assert run.results['outcome'] == 'failed'
    result = run.results['result']
    assert result['msg'].startswith('1 of 2 batches failed: batches[1] (customer %s, batch %s): Partner Center refused'
                                    % (harness.EXAMPLE_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN))
    assert [entry['failed'] for entry in result['results']] == [False, True]
    assert result['batch_counts']['failed'] == 1


@CASES.case
def fail_on_error_without_errors_succeeds(simulator):
    run = yield bulk(simulator, [EXAMPLE, CLEAN], fail_on_error=True)
    assert run.results['outcome'] == 'ok', run.results
    assert run.results['outcome'] == 'ok'


@CASES.case(seed_change=throttle_the_demo_customer)
def a_throttled_customer_does_not_hold_back_the_others(simulator):
    throttled = [WITH_ERRORS, CLEAN, STUCK]
    others = [other_batch(number) for number in range(1, 7)]
    run = yield bulk(simulator, throttled + others, concurrency=2)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert [entry['failed'] for entry in result['results']] == [False] * 9
    assert result['batch_counts']['total'] == 9
    requests = status_paths(simulator)
    throttled_paths = set(path_of(batch) for batch in throttled)
    assert any(status == 429 for path, status in requests if path in throttled_paths)
    assert all(status == 200 for path, status in requests if path not in throttled_paths)
    # Every other customer's batch was read before the throttled customer's second batch got through.
    last_other = max(index for index, (path, _status) in enumerate(requests) if path not in throttled_paths)
    second_throttled_ok = [index for index, (path, status) in enumerate(requests) if path in throttled_paths and status == 200][1]
    assert last_other < second_throttled_ok
    assert 'HTTP 429' in run.output and 'Retry-After' in run.output  # the waits were explained
    assert len(simulator.stats['token_requests']) == 1


@CASES.case
def wait_for_several_batches(simulator):
    run = yield bulk(simulator, [CLEAN, EXAMPLE, WITH_ERRORS], wait=True, poll_interval=0.1)
    assert run.results['outcome'] == 'ok', run.results
    clean, example, with_errors = run.results['result']['results']
    assert clean['batch_upload_details']['status'] == 'finished' and clean['polls'] == 3
    assert example['polls'] == 1
    assert with_errors['batch_upload_details']['status'] == 'finished_with_errors' and with_errors['polls'] == 4
    assert [entry['complete'] for entry in (clean, example, with_errors)] == [True, True, True]
    assert with_errors['waited_seconds'] >= clean['waited_seconds']
    assert simulator.stats['polls'][harness.DEMO_BATCH_CLEAN] == 3
    assert simulator.stats['polls'][harness.DEMO_BATCH_WITH_ERRORS] == 4
    assert len(simulator.stats['token_requests']) == 1


@CASES.case
def wait_timeout_fails_only_the_unfinished_batch(simulator):
    run = yield bulk(simulator, [STUCK, EXAMPLE], wait=True, poll_interval=0.2, wait_timeout=1)
    assert run.results['outcome'] == 'ok', run.results
    stuck, example = run.results['result']['results']
    assert stuck['failed'] is True
    assert stuck['msg'].startswith('Batch %s of customer %s was still processing after waiting '
                                   % (harness.DEMO_BATCH_STUCK, harness.DEMO_CUSTOMER_ID))
    assert stuck['batch_upload_details']['status'] == 'processing' and stuck['polls'] >= 2
    assert example['failed'] is False and example['polls'] == 1
    assert run.results['result']['batch_counts'] == {'total': 2, 'complete': 1, 'incomplete': 0, 'failed': 1,
                                                     'with_device_errors': 1}


@CASES.case
def a_bad_id_fails_before_any_request(simulator):
    bad_ids = [(2, 'batch_tracking_id', 'not-a-guid'), (0, 'customer_id', harness.EXAMPLE_CUSTOMER_ID + '\n')]
    cases = []
    for index, key, bad in bad_ids:
        batches = [dict(EXAMPLE), dict(CLEAN), dict(WITH_ERRORS)]
        batches[index][key] = bad
        cases.append(bulk(simulator, batches))
    runs = yield cases
    for (index, key, bad), run in zip(bad_ids, runs):
        assert run.results['outcome'] == 'failed'
        assert run.results['result']['msg'] == (
            'batches[%d].%s must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got %r.' % (index, key, bad))
    assert simulator.stats['api_requests'] == []
    assert simulator.stats['token_requests'] == []


@CASES.case
def options_are_checked_before_any_request(simulator):
    too_many, missing = yield [bulk(simulator, [EXAMPLE], concurrency=33),
                               bulk(simulator, [{'customer_id': harness.EXAMPLE_CUSTOMER_ID}])]
    assert too_many.results['result']['msg'] == 'concurrency must be from 1 to 32, got 33.'
    assert missing.results['outcome'] == 'failed'
    assert 'batch_tracking_id' in missing.results['result']['msg']
    assert simulator.stats['api_requests'] == []
    assert simulator.stats['token_requests'] == []


@CASES.case
def batches_excludes_customer_id(simulator):
    run = yield bulk(simulator, [CLEAN], customer_id=harness.EXAMPLE_CUSTOMER_ID)
    assert run.results['outcome'] == 'failed'
    assert 'mutually exclusive' in run.results['result']['msg']


@CASES.case
def an_empty_list_reads_nothing(simulator):
    run = yield bulk(simulator, [])
    assert run.results['outcome'] == 'ok', run.results
    assert run.results['result']['results'] == []
    assert run.results['result']['batch_counts']['total'] == 0
    assert simulator.stats['token_requests'] == []


@CASES.case
def check_mode_reads_the_same(simulator):
    case = bulk(simulator, [EXAMPLE, FOREIGN], return_raw=True)
    case.check_mode = True
    run = yield case
    assert run.results['outcome'] == 'ok', run.results
    example, foreign = run.results['result']['results']
    assert example['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert foreign['http_status'] == 404


def test_shared_cases(make_simulator, collections_path, tmp_path):
    CASES.check(make_simulator, collections_path, tmp_path)


def test_no_secret_in_the_output_at_vvvv(simulator, playbook):
    run = playbook('bulk_status.yml', {'batches': [EXAMPLE, FOREIGN, CLEAN], 'return_raw': True},
                   env=harness.simulator_credentials(simulator.url, kind='app+user'), verbosity=4)
    assert run.returncode == 0, run
    assert 'AnsiballZ_batch_upload_status.py' in run.output and 'raw_batch_upload_details' in run.output  # the result was shown
    issued = simulator.stats['issued_tokens'] + simulator.stats['issued_refresh_tokens']
    assert issued
    for secret in list(harness.SECRETS) + issued:
        assert secret not in run.output
        assert secret not in json.dumps(run.results)
