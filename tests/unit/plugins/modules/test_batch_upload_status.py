# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch_upload_status module in-process against the simulator: statuses in every spelling, a status Partner Center
does not document, one it documents as one that should never happen, and bulk waits (one batch failing, 200 batches
under sustained throttling)."""

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
SPELLED = '11111111-2222-4333-8444-555555555555'
CANCELLED = '11111111-2222-4333-8444-666666666666'
UNKNOWN = '11111111-2222-4333-8444-777777777777'


def with_batches(seed):
    batches = seed['customers'][CUSTOMER]['batches']
    batches[SPELLED] = {'statuses': ['Queued', 'PROCESSING', 'finishedWithErrors'],
                        'in_progress_device_status': 'inProgress',
                        'devices': [{'serialNumber': 'SP-1', 'error': '806'}, {'serialNumber': 'SP-2'}]}
    batches[CANCELLED] = {'statuses': ['queued', 'cancelled']}
    batches[UNKNOWN] = {'statuses': ['unknown', 'unknown', 'Finished']}


def status_args(sim_args, simulator, **options):
    return dict(sim_args(simulator), customer_id=CUSTOMER, **options)


# -- statuses ---------------------------------------------------------------------------------------------------------

def test_a_camel_case_final_status_completes_a_wait(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=SPELLED, wait=True,
                                                           poll_interval=0.1, wait_timeout=30, return_raw=True))
    assert not result.failed, result
    assert result['complete'] is True and result['polls'] == 3
    assert result['batch_upload_details']['status'] == 'finished_with_errors'
    assert result['raw_batch_upload_details']['status'] == 'finishedWithErrors'
    assert result['device_status_counts'] == {'finished_with_errors': 1, 'finished': 1}
    assert [d['serial_number'] for d in result['devices_with_errors']] == ['SP-1']


def test_device_statuses_in_progress_in_any_spelling(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    assert not run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=SPELLED)).failed
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=SPELLED, return_raw=True))
    assert not result.failed, result
    assert result['batch_upload_details']['status'] == 'processing'  # sent as PROCESSING
    assert result['device_status_counts'] == {'in_progress': 2}
    assert result['raw_batch_upload_details']['devicesStatus'][0]['status'] == 'inProgress'


def test_cancelled_ends_a_wait_at_once_with_the_details(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=CANCELLED, wait=True,
                                                           poll_interval=0.1, wait_timeout=600))
    assert result.failed
    assert "has the status 'cancelled', which Partner Center does not document" in result['msg']
    assert result['batch_upload_details']['status'] == 'cancelled'
    assert result['complete'] is False and result['unexpected_status'] is True
    assert result['polls'] == 2
    assert result['waited_seconds'] < 60  # ended at once, not at wait_timeout
    assert 'Traceback' not in result.output


def test_unknown_keeps_a_wait_going_with_one_warning(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=UNKNOWN, wait=True,
                                                           poll_interval=0.1, wait_timeout=30))
    assert not result.failed, result
    assert result['complete'] is True and result['polls'] == 3
    assert result['batch_upload_details']['status'] == 'finished'
    assert [text for text in result.warnings if 'status unknown' in text] == [
        'Batch %s has the status unknown, which Partner Center documents as one that should never happen; '
        'a wait goes on polling it.' % UNKNOWN]


# -- bulk waits -------------------------------------------------------------------------------------------------------

def test_a_bulk_wait_fails_only_the_cancelled_batch(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    batches = [{'customer_id': CUSTOMER, 'batch_tracking_id': tracking_id} for tracking_id in (SPELLED, CANCELLED, UNKNOWN)]
    result = run_module('batch_upload_status', dict(sim_args(simulator), batches=batches, wait=True, poll_interval=0.1,
                                                    wait_timeout=600))
    assert not result.failed, result
    spelled, cancelled, unknown = result['results']
    assert spelled['failed'] is False and spelled['batch_upload_details']['status'] == 'finished_with_errors'
    assert unknown['failed'] is False and unknown['complete'] is True
    assert cancelled['failed'] is True and "'cancelled'" in cancelled['msg']
    assert cancelled['batch_upload_details']['status'] == 'cancelled' and cancelled['polls'] == 2
    assert result['batch_counts'] == dict(total=3, complete=2, incomplete=0, failed=1, with_device_errors=1)


THROTTLED_CUSTOMERS = ['c0000000-0000-4000-8000-%012d' % number for number in range(1, 5)]


def throttled_seed(seed):
    for customer in THROTTLED_CUSTOMERS:
        seed['customers'][customer] = {
            'throttle': {'limit': 20, 'window_seconds': 1},
            'batches': dict(('%s%04d' % (customer[:-4], number), {'statuses': ['processing', 'finished']}) for number in range(50)),
        }


def test_a_bulk_wait_of_200_batches_under_sustained_throttling_loses_none(run_module, make_simulator, sim_args):
    simulator = make_simulator(throttled_seed)
    batches = [{'customer_id': customer, 'batch_tracking_id': '%s%04d' % (customer[:-4], number)}
               for customer in THROTTLED_CUSTOMERS for number in range(50)]
    result = run_module('batch_upload_status', dict(sim_args(simulator), batches=batches, wait=True, poll_interval=0.1,
                                                    wait_timeout=300, retries=0, concurrency=16))
    assert not result.failed, result
    assert result['batch_counts'] == dict(total=200, complete=200, incomplete=0, failed=0, with_device_errors=0)
    assert all(entry['polls'] == 2 for entry in result['results'])
    throttled = sum(entry['throttled_polls'] for entry in result['results'])
    answered_429 = sum(1 for r in simulator.stats['api_requests'] if r['status'] == 429)
    assert throttled == answered_429 > 0
