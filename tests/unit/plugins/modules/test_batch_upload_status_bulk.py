# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status with the batches option in-process against the simulator: many batches in one task.

That the action plugin sets no fact for a bulk read, and the -vvvv secret check, are a playbook run
(tests/integration/test_device_uploads_at_vvvv.py).
"""

import pytest

import harness

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


def bulk_args(sim_args, simulator, batches, **options):
    """batch_upload_status's options for a bulk read with app-only credentials."""
    return dict(sim_args(simulator), batches=batches, **options)


def nothing_sent(simulator):
    return simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []


def test_results_in_input_order_on_one_token(run_module, simulator, sim_args):
    batches = [WITH_ERRORS, EXAMPLE, CLEAN, STUCK]
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, batches, return_raw=True))
    assert not result.failed, result
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
    # The module carries no fact of its own for a bulk read (the action plugin's side: tests/integration/test_device_uploads_at_vvvv.py).
    assert 'partnercenter_batch_upload_details' not in (result.get('ansible_facts') or {})
    assert len(simulator.stats['token_requests']) == 1
    assert sorted(path for path, _status in status_paths(simulator)) == sorted(path_of(batch) for batch in batches)
    # Every request of the task carries the task's correlation id.
    assert set(record['correlation_id'] for record in simulator.stats['api_requests']) == {result['correlation_id']}


def test_a_failed_batch_carries_its_own_error(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE, FOREIGN, CLEAN]))
    assert not result.failed, result
    first, foreign, clean = result['results']
    assert first['failed'] is False and clean['failed'] is False
    assert foreign['failed'] is True
    assert foreign['http_status'] == 404
    assert str(foreign['error_code']) == '1000'
    assert 'HTTP 404' in foreign['msg'] and harness.DEMO_BATCH_CLEAN in foreign['msg']
    assert len(foreign['request_id']) == 36
    assert 'batch_upload_details' not in foreign
    assert result['batch_counts']['failed'] == 1


@pytest.mark.parametrize('wait', [False, True], ids=['read', 'wait'])
def test_a_failed_batch_carries_partner_center_error_data(run_module, simulator, sim_args, wait):
    simulator.add_fault('status', match=harness.DEMO_BATCH_CLEAN, status=403, code=2032, description='Access denied',
                        data=['the user lacks the Admin agent role', {'roles': []}])
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE, CLEAN], wait=wait, poll_interval=0.1))
    assert not result.failed, result
    example, clean = result['results']
    assert clean['failed'] is True and clean['http_status'] == 403
    assert clean['error_data'] == ['the user lacks the Admin agent role', '{"roles": []}']
    assert example['failed'] is False and 'error_data' not in example


def test_each_entry_has_the_documented_keys_of_a_single_read(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE]))
    assert not result.failed, result
    (entry,) = result['results']
    documented = harness.documented_return_keys('batch_upload_status', 'batch_upload_details')
    assert harness.documented_return_keys('batch_upload_status', 'results.batch_upload_details') == documented
    assert set(entry['batch_upload_details']) == documented
    device_keys = harness.documented_return_keys('batch_upload_status', 'batch_upload_details.devices_status')
    assert harness.documented_return_keys('batch_upload_status', 'results.devices_with_errors') == device_keys
    assert [set(device) for device in entry['devices_with_errors']] == [device_keys]


def test_fail_on_error_fails_the_task_and_still_returns_the_results(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE, FOREIGN], fail_on_error=True))
    assert result.failed
    assert result['msg'].startswith('1 of 2 batches failed: batches[1] (customer %s, batch %s): Partner Center refused'
                                    % (harness.EXAMPLE_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN))
    assert [entry['failed'] for entry in result['results']] == [False, True]
    assert result['batch_counts']['failed'] == 1


def test_fail_on_error_without_errors_succeeds(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE, CLEAN], fail_on_error=True))
    assert not result.failed, result
    assert [entry['failed'] for entry in result['results']] == [False, False]


def test_a_throttled_customer_does_not_hold_back_the_others(run_module, make_simulator, sim_args):
    simulator = make_simulator(throttle_the_demo_customer)
    throttled = [WITH_ERRORS, CLEAN, STUCK]
    others = [other_batch(number) for number in range(1, 7)]
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, throttled + others, concurrency=2))
    assert not result.failed, result
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
    # The waits were explained.
    assert any('HTTP 429' in text for text in result.warnings), result.warnings
    assert any('Retry-After' in text for text in result.warnings), result.warnings
    assert len(simulator.stats['token_requests']) == 1


def test_wait_for_several_batches(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [CLEAN, EXAMPLE, WITH_ERRORS], wait=True, poll_interval=0.1))
    assert not result.failed, result
    clean, example, with_errors = result['results']
    assert clean['batch_upload_details']['status'] == 'finished' and clean['polls'] == 3
    assert example['polls'] == 1
    assert with_errors['batch_upload_details']['status'] == 'finished_with_errors' and with_errors['polls'] == 4
    assert [entry['complete'] for entry in (clean, example, with_errors)] == [True, True, True]
    assert with_errors['waited_seconds'] >= clean['waited_seconds']
    assert simulator.stats['polls'][harness.DEMO_BATCH_CLEAN] == 3
    assert simulator.stats['polls'][harness.DEMO_BATCH_WITH_ERRORS] == 4
    assert len(simulator.stats['token_requests']) == 1


def test_a_wait_timeout_fails_only_the_unfinished_batch(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [STUCK, EXAMPLE], wait=True, poll_interval=0.2, wait_timeout=1))
    assert not result.failed, result
    stuck, example = result['results']
    assert stuck['failed'] is True
    assert stuck['msg'].startswith('Batch %s of customer %s was still processing after waiting '
                                   % (harness.DEMO_BATCH_STUCK, harness.DEMO_CUSTOMER_ID))
    assert stuck['batch_upload_details']['status'] == 'processing' and stuck['polls'] >= 2
    assert example['failed'] is False and example['polls'] == 1
    assert result['batch_counts'] == {'total': 2, 'complete': 1, 'incomplete': 0, 'failed': 1, 'with_device_errors': 1}


@pytest.mark.parametrize('index, key, bad', [
    pytest.param(2, 'batch_tracking_id', 'not-a-guid', id='tracking-id-not-a-guid'),
    pytest.param(0, 'customer_id', harness.EXAMPLE_CUSTOMER_ID + '\n', id='customer-id-with-a-line-break'),
])
def test_a_bad_id_fails_before_any_request(run_module, simulator, sim_args, index, key, bad):
    batches = [dict(EXAMPLE), dict(CLEAN), dict(WITH_ERRORS)]
    batches[index][key] = bad
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, batches))
    assert result.failed
    assert result['msg'] == 'batches[%d].%s must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got %r.' % (index, key, bad)
    assert nothing_sent(simulator)


def test_concurrency_is_bounded_before_any_request(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE], concurrency=33))
    assert result.failed
    assert result['msg'] == 'concurrency must be from 1 to 32, got 33.'
    assert nothing_sent(simulator)


def test_a_batch_without_its_tracking_id_fails_before_any_request(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [{'customer_id': harness.EXAMPLE_CUSTOMER_ID}]))
    assert result.failed
    assert 'batch_tracking_id' in result['msg']
    assert nothing_sent(simulator)


def test_batches_excludes_customer_id(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [CLEAN], customer_id=harness.EXAMPLE_CUSTOMER_ID))
    assert result.failed
    assert 'mutually exclusive' in result['msg']


def test_an_empty_list_reads_nothing(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, []))
    assert not result.failed, result
    assert result['results'] == []
    assert result['batch_counts']['total'] == 0
    assert simulator.stats['token_requests'] == []


def test_check_mode_reads_the_same(run_module, simulator, sim_args):
    result = run_module('batch_upload_status', bulk_args(sim_args, simulator, [EXAMPLE, FOREIGN], return_raw=True), check_mode=True)
    assert not result.failed, result
    example, foreign = result['results']
    assert example['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert foreign['http_status'] == 404
