# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the real Partner Center is documented (or known) to send, through ansible-playbook against the simulator.

Statuses in every spelling, a status Partner Center does not document, uploads answered 200 or 202 with
the tracking id in any place or in none, an unreadable poll after an accepted upload, an upload whose
outcome is unknown, hash-only uploads, paging through links.next, and waits under sustained throttling.

The checks are cases of shared runs (tests/shared_cases.py), each with a simulator of its own (its seed
changed as the case needs) and credentials in its task's environment; the wait of 200 batches under
throttling, the longest, has a run of its own.
"""

import base64

import harness
import shared_cases

CUSTOMER = harness.DEMO_CUSTOMER_ID
NEW_CUSTOMER = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'
SPELLED = '11111111-2222-4333-8444-555555555555'
CANCELLED = '11111111-2222-4333-8444-666666666666'
UNKNOWN = '11111111-2222-4333-8444-777777777777'


def hardware_hash(number):
    """A well-formed hardware hash (64 bytes, base64) that no seeded device has."""
    return base64.b64encode(('forms-%s-' % number).encode().ljust(64, b'#')).decode()


def with_batches(seed):
    batches = seed['customers'][CUSTOMER]['batches']
    batches[SPELLED] = {'statuses': ['Queued', 'PROCESSING', 'finishedWithErrors'],
                        'in_progress_device_status': 'inProgress',
                        'devices': [{'serialNumber': 'SP-1', 'error': '806'}, {'serialNumber': 'SP-2'}]}
    batches[CANCELLED] = {'statuses': ['queued', 'cancelled']}
    batches[UNKNOWN] = {'statuses': ['unknown', 'unknown', 'Finished']}


def app_only(sim):
    return harness.simulator_credentials(sim.url)


def app_user(sim):
    return harness.simulator_credentials(sim.url, 'app+user')


def status(sim, **options):
    """A case of tasks/batch_upload_status.yml with app-only credentials for ``sim`` in the task's environment."""
    return shared_cases.Case(dict(options, customer_id=CUSTOMER), environment=app_only(sim))


def bulk(sim, **options):
    """A case of tasks/bulk_status.yml with app-only credentials for ``sim``."""
    return shared_cases.Case(options, environment=app_only(sim), tasks='bulk_status.yml')


def upload(sim, **options):
    """A case of tasks/device_batch.yml with app+user credentials for ``sim``."""
    return shared_cases.Case(dict(options, customer_id=CUSTOMER), environment=app_user(sim), tasks='device_batch.yml')


def listing(sim, **options):
    """A case of tasks/device_batch_info.yml with app-only credentials for ``sim``."""
    return shared_cases.Case(options, environment=app_only(sim), tasks='device_batch_info.yml')


CASES = shared_cases.Table('batch_upload_status.yml')


def test_shared_cases(make_simulator, collections_path, tmp_path):
    CASES.check(make_simulator, collections_path, tmp_path)


# -- statuses -----------------------------------------------------------------------------------


@CASES.case(seed_change=with_batches)
def camel_case_final_status_completes_a_wait(sim):
    run = yield status(sim, batch_tracking_id=SPELLED, wait=True,
                       poll_interval=0.1, wait_timeout=30, return_raw=True)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['complete'] is True and result['polls'] == 3
    assert result['batch_upload_details']['status'] == 'finished_with_errors'
    assert result['raw_batch_upload_details']['status'] == 'finishedWithErrors'
    assert result['device_status_counts'] == {'finished_with_errors': 1, 'finished': 1}
    assert [d['serial_number'] for d in result['devices_with_errors']] == ['SP-1']


@CASES.case(seed_change=with_batches)
def device_statuses_in_progress_in_any_spelling(sim):
    yield status(sim, batch_tracking_id=SPELLED)
    run = yield status(sim, batch_tracking_id=SPELLED, return_raw=True)
    result = run.results['result']
    assert result['batch_upload_details']['status'] == 'processing'  # sent as PROCESSING
    assert result['device_status_counts'] == {'in_progress': 2}
    assert result['raw_batch_upload_details']['devicesStatus'][0]['status'] == 'inProgress'


@CASES.case(seed_change=with_batches)
def cancelled_ends_a_wait_at_once_with_the_details(sim):
    run = yield status(sim, batch_tracking_id=CANCELLED, wait=True,
                       poll_interval=0.1, wait_timeout=600)
    assert run.results['outcome'] == 'failed'
    result = run.results['result']
    assert "has the status 'cancelled', which Partner Center does not document" in result['msg']
    assert result['batch_upload_details']['status'] == 'cancelled'
    assert result['complete'] is False and result['unexpected_status'] is True
    assert result['polls'] == 2
    assert result['waited_seconds'] < 60  # ended at once, not at wait_timeout
    assert 'Traceback' not in run.output


@CASES.case(seed_change=with_batches)
def unknown_keeps_a_wait_going_with_one_warning(sim):
    run = yield status(sim, batch_tracking_id=UNKNOWN, wait=True,
                       poll_interval=0.1, wait_timeout=30)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['complete'] is True and result['polls'] == 3
    assert result['batch_upload_details']['status'] == 'finished'
    assert [w for w in result['warnings'] if 'status unknown' in w] == [
        'Batch %s has the status unknown, which Partner Center documents as one that should never happen; '
        'a wait goes on polling it.' % UNKNOWN]


@CASES.case(seed_change=with_batches)
def bulk_wait_fails_only_the_cancelled_batch(sim):
    batches = [{'customer_id': CUSTOMER, 'batch_tracking_id': tracking_id} for tracking_id in (SPELLED, CANCELLED, UNKNOWN)]
    run = yield bulk(sim, batches=batches, wait=True, poll_interval=0.1, wait_timeout=600)
    assert run.results['outcome'] == 'ok', run.results
    spelled, cancelled, unknown = run.results['result']['results']
    assert spelled['failed'] is False and spelled['batch_upload_details']['status'] == 'finished_with_errors'
    assert unknown['failed'] is False and unknown['complete'] is True
    assert cancelled['failed'] is True and "'cancelled'" in cancelled['msg']
    assert cancelled['batch_upload_details']['status'] == 'cancelled' and cancelled['polls'] == 2
    assert run.results['result']['batch_counts'] == dict(total=3, complete=2, incomplete=0, failed=1, with_device_errors=1)


# -- uploads ------------------------------------------------------------------------------------


def uploads_answered_200_or_202_with_the_tracking_id_anywhere(http_status, location):
    """A case for an upload answered with ``http_status``, the tracking id in ``location``."""

    @CASES.case(seed_change=lambda seed: seed.update(upload_response={'status': http_status, 'location': location}))
    def upload_answered(sim):
        run = yield upload(sim, batch_id='forms-%s-%s' % (http_status, location),
                           devices=[{'hardware_hash': hardware_hash(1), 'serial_number': 'FORMS-1'}],
                           wait=True, poll_interval=0.1)
        assert run.results['outcome'] == 'ok', run.results
        result = run.results['result']
        tracking_ids = [r['tracking_id'] for r in sim.stats['api_requests'] if r['method'] == 'POST']
        assert result['changed'] is True and result['batch_tracking_id'] == tracking_ids[0]
        assert result['upload_http_status'] == http_status
        assert result['complete'] is True and result['batch_upload_details']['status'] == 'finished'

    upload_answered.__name__ = 'upload_answered_%d_with_the_tracking_id_%s' % (http_status, location)


for answer in [(200, 'relative'), (202, 'absolute'), (200, 'v1'), (202, 'body'), (200, 'body_tracking_id')]:
    uploads_answered_200_or_202_with_the_tracking_id_anywhere(*answer)


@CASES.case(seed_change=lambda seed: seed.update(upload_response={'status': 202, 'location': 'none'}))
def upload_without_any_tracking_id_is_changed_with_a_warning(sim):
    run, waited = yield [upload(sim, batch_id='forms-none', devices=[{'hardware_hash': hardware_hash(2)}]),
                         upload(sim, batch_id='forms-none-2', wait=True, devices=[{'hardware_hash': hardware_hash(3)}])]
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['changed'] is True and result['batch_tracking_id'] is None
    assert result['upload_request_id']
    warning = [w for w in result['warnings'] if 'sent no batch tracking id' in w][0]
    assert 'partnercenter.devices.device_batch_info' in warning and 'forms-none' in warning
    assert waited.results['outcome'] == 'failed'
    assert waited.results['result']['changed'] is True
    assert 'nothing to wait on' in waited.results['result']['msg']


@CASES.case
def unreadable_poll_after_an_accepted_upload_keeps_the_upload(simulator):
    simulator.add_fault('invalid_json', match='batchJobStatus', count=-1, after=1)
    run = yield upload(simulator, batch_id='forms-unreadable', wait=True, poll_interval=0.1,
                       devices=[{'hardware_hash': hardware_hash(4)}])
    assert run.results['outcome'] == 'failed'
    result = run.results['result']
    posts = [r for r in simulator.stats['api_requests'] if r['method'] == 'POST']
    assert result['changed'] is True
    assert result['batch_tracking_id'] == posts[0]['tracking_id']
    assert result['upload_request_id'] == posts[0]['request_id']
    assert 'not JSON' in result['msg']
    assert result['batch_upload_details']['status'] == 'queued' and result['polls'] == 1


@CASES.case
def device_status_that_is_not_a_string_keeps_the_upload(simulator):
    simulator.add_fault('status', match='batchJobStatus', status=200, count=-1, body={
        'batchTrackingId': None, 'status': 'processing', 'devicesStatus': [{'status': ['in-progress']}]})
    run = yield upload(simulator, batch_id='forms-list-status', wait=True, poll_interval=0.1,
                       devices=[{'hardware_hash': hardware_hash(5)}])
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['changed'] is True and result['batch_tracking_id'] and result['upload_request_id']
    assert 'devicesStatus[0].status is a list, not a string' in result['msg']


@CASES.case
def upload_whose_answer_never_came_may_have_been_accepted(simulator):
    simulator.add_fault('drop', match='deviceBatches$', count=-1, after=1)  # the list of batches goes through
    run = yield upload(simulator, batch_id='forms-dropped', retries=0,
                       devices=[{'hardware_hash': hardware_hash(6)}])
    assert run.results['outcome'] == 'failed'
    result = run.results['result']
    post = [r for r in simulator.stats['api_requests'] if r['method'] == 'POST'][0]
    assert result['outcome_unknown'] is True and result['changed'] is True
    assert result['upload_request_id'] == post['request_id']
    assert 'may have been accepted' in result['msg'] and 'device_batch_info' in result['msg']


@CASES.case
def a_wait_after_upload_goes_on_through_server_faults(simulator):
    simulator.add_fault('status', match='batchJobStatus', status=503, retry_after=0, count=3)
    run = yield upload(simulator, batch_id='forms-503', wait=True, poll_interval=0.1, retries=0,
                       devices=[{'hardware_hash': hardware_hash(7)}])
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['complete'] is True and result['throttled_polls'] == 3 and result['polls'] == 3


# -- hash-only uploads ----------------------------------------------------------------------------


@CASES.case(seed_change=lambda seed: seed.update(upload_status_omits_identifiers=True))
def hash_only_outcomes_are_paired_by_position(sim):
    hashes = [hardware_hash(10), hardware_hash(11), base64.b64encode(b'too short').decode()]
    csv = 'Device Serial Number,Windows Product ID,Hardware Hash\n' + ''.join(',,%s\n' % h for h in hashes)
    run = yield upload(sim, batch_id='forms-hash-only', csv_content=csv, wait=True,
                       poll_interval=0.1)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['device_pairing'] == 'position'
    outcomes = result['batch_upload_details']['devices_status']
    assert [(o['upload_index'], o['csv_line'], o['paired_by'], o['serial_number']) for o in outcomes] == [
        (0, 2, 'position', None), (1, 3, 'position', None), (2, 4, 'position', None)]
    assert [(d['csv_line'], d['error_description']) for d in result['devices_with_errors']] == [(4, 'InvalidZtdHardwareHash')]


@CASES.case
def outcomes_with_serial_numbers_are_paired_by_them(simulator):
    devices = [{'hardware_hash': hardware_hash(12), 'serial_number': 'PAIR-1'},
               {'serial_number': 'OTHER-TENANT-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'}]
    run = yield upload(simulator, batch_id='forms-pair', devices=devices, wait=True,
                       poll_interval=0.1)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['device_pairing'] == 'identifiers'
    assert [(o['upload_index'], o['paired_by'], o['csv_line']) for o in result['batch_upload_details']['devices_status']] == [
        (0, 'serial_number', None), (1, 'serial_number', None)]


# -- paging and lists -------------------------------------------------------------------------------


@CASES.case(seed_change=lambda seed: seed.update(device_paging='next_link_query'))
def paging_follows_links_next_with_its_query(sim):
    run = yield listing(sim, customer_id=CUSTOMER, batch_id='existing-batch-2')
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['pages'] == 3 and len(result['devices']) == 250
    assert result['devices'][-1]['serial_number'] == 'EB2-000250'
    paths = [r['path'] for r in sim.stats['api_requests']]
    assert paths == ['/v1/customers/%s/deviceBatches/existing-batch-2/devices' % CUSTOMER] + [
        '/v1/customers/%s/deviceBatches/existing-batch-2/devices?seekOperation=Next' % CUSTOMER] * 2


@CASES.case
def a_404_on_the_batch_list_is_read_as_no_batches_with_a_warning(simulator):
    run = yield listing(simulator, customer_id=harness.EXAMPLE_CUSTOMER_ID)
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['device_batches'] == []
    assert any('answered 404 to the list of device batches' in w for w in result['warnings'])


# -- waiting under sustained throttling -------------------------------------------------------------

THROTTLED_CUSTOMERS = ['c0000000-0000-4000-8000-%012d' % number for number in range(1, 5)]


def throttled_seed(seed):
    for customer in THROTTLED_CUSTOMERS:
        seed['customers'][customer] = {
            'throttle': {'limit': 20, 'window_seconds': 1},
            'batches': dict(('%s%04d' % (customer[:-4], number), {'statuses': ['processing', 'finished']})
                            for number in range(50)),
        }


def test_bulk_wait_of_200_batches_under_sustained_throttling_loses_none(make_simulator, playbook):
    sim = make_simulator(throttled_seed)
    batches = [{'customer_id': customer, 'batch_tracking_id': '%s%04d' % (customer[:-4], number)}
               for customer in THROTTLED_CUSTOMERS for number in range(50)]
    run = playbook('bulk_status.yml', dict(batches=batches, wait=True, poll_interval=0.1, wait_timeout=300, retries=0,
                                           concurrency=16), env=app_only(sim))
    assert run.returncode == 0, run
    result = run.results['result']
    assert result['batch_counts'] == dict(total=200, complete=200, incomplete=0, failed=0, with_device_errors=0)
    assert all(entry['polls'] == 2 for entry in result['results'])
    throttled = sum(entry['throttled_polls'] for entry in result['results'])
    answered_429 = sum(1 for r in sim.stats['api_requests'] if r['status'] == 429)
    assert throttled == answered_429 > 0
