# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""device_batch in-process against the simulator: only the devices a batch lacks are uploaded, re-runs against listings
without hashes, 806 as already registered, a creation whose answer was lost, accepted uploads answered in every form,
what follows an accepted upload (unreadable polls, server faults, a lost answer), and pairing outcomes with devices."""

import base64
import json

import pytest

import harness

from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import PROGRESS_FILE_ENV
from ansible_collections.partnercenter.devices.plugins.plugin_utils.progress_lines import ProgressTail

CUSTOMER = harness.DEMO_CUSTOMER_ID
CSV_HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash\r\n'


def hardware_hash(label):
    """A well-formed hardware hash (64 bytes, base64) that no seeded device has."""
    return base64.b64encode(('inproc-%s-' % label).encode().ljust(64, b'#')).decode()


def csv_of(*serials):
    """A Windows Autopilot CSV as Get-WindowsAutopilotInfo writes it: serial number and hash, no product key, no maker."""
    return CSV_HEADER + ''.join('%s,,%s\r\n' % (serial, hardware_hash(serial)) for serial in serials)


def upload_args(sim_args, simulator, batch_id, **options):
    return dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, batch_id=batch_id, **options)


def posts(simulator):
    """The upload POSTs the simulator received: (path, MS-RequestId, status, fault)."""
    return [(r['path'], r['request_id'], r['status'], r['fault']) for r in simulator.stats['api_requests'] if r['method'] == 'POST']


def listed_serials(simulator, batch_id):
    """The serial numbers the simulator's batch holds (each device registered once)."""
    with simulator.lock:
        batch = simulator.state.device_batches[CUSTOMER.lower()][batch_id.lower()]
        return sorted(device['serialNumber'] for device in batch['devices'])


# -- re-runs against a listing without hashes -----------------------------------------------------------------

def test_a_rerun_of_a_csv_upload_against_a_listing_without_hashes_uploads_nothing(run_module, simulator, sim_args):
    args = upload_args(sim_args, simulator, 'inproc-csv', csv_content=csv_of('CSV-0001', 'CSV-0002'))
    first = run_module('device_batch', args)
    assert not first.failed, first
    assert first['changed'] is True and first['created'] is True and first['devices_count'] == 2
    before = len(posts(simulator))
    second = run_module('device_batch', args)
    assert not second.failed, second
    assert second['changed'] is False and second['devices_count'] == 0
    assert [(d['origin'], d['serial_number'], d['matched_by']) for d in second['devices_already_in_batch']] == [
        ('csv_content line 2', 'CSV-0001', 'serial_number'), ('csv_content line 3', 'CSV-0002', 'serial_number')]
    assert len(posts(simulator)) == before


def test_a_hash_only_device_uploaded_again_is_reported_already_registered(run_module, simulator, sim_args):
    devices = [{'hardware_hash': hardware_hash('only')}, {'hardware_hash': hardware_hash('serial'), 'serial_number': 'HO-0002'}]
    args = upload_args(sim_args, simulator, 'inproc-hash-only', devices=devices, wait=True, poll_interval=0.1, wait_timeout=30)
    first = run_module('device_batch', args)
    assert not first.failed, first
    assert first['devices_already_registered'] == [] and first['devices_with_errors'] == []
    second = run_module('device_batch', args)
    assert not second.failed, second
    # The device with a serial number is found in the listing; the hash-only one cannot be, and is sent again.
    assert [d['origin'] for d in second['devices_already_in_batch']] == ['devices[1]']
    assert second['devices_count'] == 1
    (outcome,) = second['batch_upload_details']['devices_status']
    assert (outcome['error_code'], outcome['error_description']) == ('806', 'ZtdDeviceAlreadyAssigned')
    assert outcome['already_registered'] is True and outcome['upload_index'] == 0
    assert second['devices_already_registered'] == [outcome]
    assert second['devices_with_errors'] == []


def test_an_808_outcome_stays_an_error(run_module, make_simulator, sim_args):
    simulator = make_simulator(lambda seed: seed['registered_elsewhere'].append({'serialNumber': 'ELSEWHERE-9'}))
    args = upload_args(sim_args, simulator, 'inproc-808', devices=[{'hardware_hash': hardware_hash('e'), 'serial_number': 'ELSEWHERE-9'}],
                       wait=True, poll_interval=0.1, wait_timeout=30)
    result = run_module('device_batch', args)
    assert not result.failed, result
    assert [d['error_code'] for d in result['devices_with_errors']] == ['808']
    assert result['devices_already_registered'] == []
    assert result['batch_upload_details']['devices_status'][0]['already_registered'] is False


# -- a creation whose answer was lost -------------------------------------------------------------------------

def lose_the_creation_answer(simulator, **fault):
    """The creation POST is applied, then answered 504 (after the list of batches, which has the same path)."""
    fault.setdefault('replay', False)
    simulator.add_fault('applied', match=r'/deviceBatches$', after=1, **fault)


def test_a_creation_answered_504_then_409_uploads_once_and_says_its_outcome_was_unknown(run_module, simulator, sim_args):
    lose_the_creation_answer(simulator)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-lost', csv_content=csv_of('LOST-0001', 'LOST-0002')))
    assert not result.failed, result
    assert result['changed'] is True and result['created'] is True and result['create_outcome_unknown'] is True
    assert result['devices_count'] == 0 and result['batch_tracking_id'] is None
    assert [d['serial_number'] for d in result['devices_found_after_create']] == ['LOST-0001', 'LOST-0002']
    sent = posts(simulator)
    # One intent: the creation and its retry (one MS-RequestId); nothing to .../devices.
    assert [(path, status, fault) for path, _request_id, status, fault in sent] == [
        ('/v1/customers/%s/deviceBatches' % CUSTOMER, 504, 'applied'), ('/v1/customers/%s/deviceBatches' % CUSTOMER, 409, None)]
    assert len(set(request_id for _path, request_id, _status, _fault in sent)) == 1
    assert result['create_request_id'] == sent[0][1]
    assert listed_serials(simulator, 'inproc-lost') == ['LOST-0001', 'LOST-0002']
    assert any('batch inproc-lost ' in text and 'tracking id was lost' in text for text in result.warnings), result.warnings


def test_after_a_lost_creation_only_what_the_batch_lacks_is_uploaded(run_module, simulator, sim_args):
    lose_the_creation_answer(simulator)
    # The hash-only device is in the batch too, but the listing cannot show it: it is sent again, and gets 806.
    devices = [{'hardware_hash': hardware_hash('lost-a'), 'serial_number': 'LOST-A'}, {'hardware_hash': hardware_hash('lost-b')}]
    result = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-lost-2', devices=devices, skip_existing=False,
                                                    wait=True, poll_interval=0.1, wait_timeout=30))
    assert not result.failed, result
    assert result['create_outcome_unknown'] is True and result['created'] is True and result['devices_count'] == 1
    sent = posts(simulator)
    assert [path.rsplit('/', 1)[-1] for path, _r, _s, _f in sent] == ['deviceBatches', 'deviceBatches', 'devices']
    assert result['upload_request_id'] == sent[2][1]
    assert [d['origin'] for d in result['devices_found_after_create']] == ['devices[0]']
    (outcome,) = result['batch_upload_details']['devices_status']
    assert outcome['upload_index'] == 0 and outcome['already_registered'] is True
    assert result['devices_with_errors'] == []


def test_the_devices_found_in_the_batch_have_the_documented_keys(run_module, simulator, sim_args):
    lose_the_creation_answer(simulator)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-lost-keys', csv_content=csv_of('LOST-0001')))
    assert not result.failed, result
    again = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-lost-keys', csv_content=csv_of('LOST-0001'),
                                                   skip_existing=True))
    assert not again.failed, again
    documented = harness.documented_return_keys('device_batch', 'devices_already_in_batch')
    assert harness.documented_return_keys('device_batch', 'devices_found_after_create') == documented
    assert [set(entry) for entry in result['devices_found_after_create']] == [documented]
    assert [set(entry) for entry in again['devices_already_in_batch']] == [documented]


def test_a_failure_after_a_lost_creation_still_says_the_batch_was_created(run_module, simulator, sim_args):
    lose_the_creation_answer(simulator)
    simulator.add_fault('status', match=r'/devices$', status=403, count=1)
    devices = [{'hardware_hash': hardware_hash('lost-c')}]
    result = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-lost-3', devices=devices))
    assert result.failed
    assert result['changed'] is True and result['created'] is True and result['create_outcome_unknown'] is True
    assert result['http_status'] == 403


def test_a_creation_whose_retry_is_replayed_is_not_uploaded_again(run_module, simulator, sim_args):
    lose_the_creation_answer(simulator, replay=True)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-replayed', csv_content=csv_of('REPLAY-1')))
    assert not result.failed, result
    assert result['created'] is True and result['batch_tracking_id'] is not None
    assert 'create_outcome_unknown' not in result
    assert [status for _path, _request_id, status, _fault in posts(simulator)] == [504, 202]
    assert listed_serials(simulator, 'inproc-replayed') == ['REPLAY-1']


def test_an_upload_answered_only_with_server_faults_has_an_unknown_outcome(run_module, simulator, sim_args):
    simulator.add_fault('applied', match=r'/deviceBatches$', after=1, count=-1, replay=False)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'inproc-faults', csv_content=csv_of('FAULT-1'), retries=0))
    assert result.failed
    assert result['outcome_unknown'] is True and result['changed'] is True
    assert result['http_status'] == 504 and result['upload_request_id']
    assert 'may have been accepted' in result['msg']


# -- a creation answered 409 with no earlier attempt in doubt ---------------------------------------------------

SEEDED_BATCH = 'existing-batch-1'
# A device the seeded batch holds, as given in a task, and one it lacks.
SEEDED_DEVICE = {'serial_number': 'EB1-0001', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'}
NEW_DEVICE = {'hardware_hash': hardware_hash('conflict'), 'serial_number': 'CONFLICT-0001'}
EMPTY_LIST = {'totalCount': 0, 'items': [], 'attributes': {'objectType': 'Collection'}}


def hide_the_batch_list(simulator, *reads):
    """The list of batches answers empty at those reads (1: the first request to the path, which the creation POST shares)."""
    for read in reads:
        simulator.add_fault('status', match=r'/deviceBatches$', after=read - 1, count=1, status=200, body=EMPTY_LIST)


def test_a_409_to_a_creation_reads_the_batch_and_adds_only_what_it_lacks(run_module, simulator, sim_args):
    hide_the_batch_list(simulator, 1)
    result = run_module('device_batch', upload_args(sim_args, simulator, SEEDED_BATCH, devices=[SEEDED_DEVICE, NEW_DEVICE]))
    assert not result.failed, result
    assert result['create_conflict'] is True and result['created'] is False and result['changed'] is True
    assert result['devices_count'] == 1 and result['batch_tracking_id'] is not None
    assert [(d['origin'], d['serial_number']) for d in result['devices_already_in_batch']] == [('devices[0]', 'EB1-0001')]
    assert result['diff']['before']['devices'] == ['devices[0]: serial number EB1-0001']
    assert result['diff']['after']['devices'] == ['devices[0]: serial number EB1-0001', 'devices[1]: serial number CONFLICT-0001']
    assert 'create_outcome_unknown' not in result
    sent = posts(simulator)
    assert [(path.rsplit('/', 1)[-1], status) for path, _r, status, _f in sent] == [('deviceBatches', 409), ('devices', 202)]
    assert [r['device_count'] for r in simulator.stats['api_requests'] if r['method'] == 'POST'] == [2, 1]
    assert result['upload_request_id'] == sent[1][1]


def test_a_409_to_a_creation_for_a_batch_that_holds_every_device_sends_nothing_more(run_module, simulator, sim_args):
    hide_the_batch_list(simulator, 1)
    result = run_module('device_batch', upload_args(sim_args, simulator, SEEDED_BATCH, devices=[SEEDED_DEVICE]))
    assert not result.failed, result
    assert result['create_conflict'] is True and result['changed'] is False and result['devices_count'] == 0
    assert result['batch_tracking_id'] is None and result['upload_request_id'] is None
    assert [status for _path, _r, status, _f in posts(simulator)] == [409]


def test_a_409_to_a_creation_for_a_batch_the_list_still_hides_fails_and_uploads_nothing(run_module, simulator, sim_args):
    # The list, the creation (409), the list again: the first and third requests to the path answer empty.
    hide_the_batch_list(simulator, 1, 3)
    result = run_module('device_batch', upload_args(sim_args, simulator, SEEDED_BATCH, devices=[SEEDED_DEVICE, NEW_DEVICE]))
    assert result.failed
    assert result['changed'] is False and result['create_conflict'] is True and result['created'] is False
    assert result['http_status'] == 409 and 'nothing was uploaded' in result['msg']
    assert [status for _path, _r, status, _f in posts(simulator)] == [409]


def test_a_409_to_a_creation_without_skip_existing_adds_every_device(run_module, simulator, sim_args):
    hide_the_batch_list(simulator, 1)
    result = run_module('device_batch', upload_args(sim_args, simulator, SEEDED_BATCH, devices=[SEEDED_DEVICE, NEW_DEVICE],
                                                    skip_existing=False))
    assert not result.failed, result
    assert result['create_conflict'] is True and result['created'] is False and result['devices_count'] == 2
    assert [r['device_count'] for r in simulator.stats['api_requests'] if r['method'] == 'POST'] == [2, 2]


# -- the progress of a wait -----------------------------------------------------------------------------------

def test_the_progress_of_a_wait_counts_806_as_already_registered_as_the_result_does(run_module, simulator, sim_args, monkeypatch, tmp_path):
    progress_file = tmp_path / 'progress.jsonl'
    devices = [{'hardware_hash': hardware_hash('progress-only')}, {'hardware_hash': hardware_hash('progress-2'), 'serial_number': 'PROG-2'}]
    args = upload_args(sim_args, simulator, 'inproc-progress', devices=devices, skip_existing=False, wait=True, poll_interval=0.1,
                       wait_timeout=30)
    assert not run_module('device_batch', args).failed
    # Uploaded again: both get 806. The action plugin names the file through the environment.
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(progress_file))
    result = run_module('device_batch', args)
    assert not result.failed, result
    assert len(result['devices_already_registered']) == 2 and result['devices_with_errors'] == []
    records = [json.loads(line) for line in progress_file.read_text(encoding='utf-8').splitlines()]
    assert (records[-1]['errors'], records[-1]['already_registered'], records[-1]['done']) == (0, 2, 2)
    last = ProgressTail(str(progress_file)).lines()[-1]
    assert ', 2 already registered' in last and 'with errors' not in last, last


# -- only the devices a batch lacks are uploaded ----------------------------------------------------------------------

def changes(simulator, since=0):
    return [(r['method'], r['path'].split('?')[0], r['status']) for r in simulator.stats['api_requests'][since:]
            if r['method'] in ('POST', 'PUT', 'PATCH', 'DELETE')]


def test_only_the_devices_the_batch_lacks_are_uploaded(run_module, simulator, sim_args):
    # Two devices existing-batch-1 holds and one it lacks. The listing has no hardware hash: a CSV row (hash + serial
    # number) is found by its serial number; a serial + manufacturer + model device by all three.
    devices = [
        {'hardware_hash': 'Odkq+WV57gxJdju8cvlmBqDIuVNkLzHY9CzWBHbpzDEdFS3vwgtON0CWEbnZ4pvl', 'serial_number': 'EB1-0001'},
        {'serial_number': 'eb1-0003', 'oem_manufacturer_name': 'hp', 'model_name': 'HP ProDesk 600 G5 Desktop Mini'},
        {'hardware_hash': hardware_hash('lifecycle-1'), 'serial_number': 'LC-0001'},
    ]
    args = upload_args(sim_args, simulator, 'existing-batch-1', devices=devices)
    checked = run_module('device_batch', args, check_mode=True)
    assert not checked.failed, checked
    assert checked['changed'] is True and checked['devices_count'] == 1
    assert changes(simulator) == []

    first = run_module('device_batch', args)
    assert not first.failed, first
    assert first['changed'] is True and first['devices_count'] == 1
    assert [(d['origin'], d['matched_by']) for d in first['devices_already_in_batch']] == [
        ('devices[0]', 'serial_number'), ('devices[1]', 'serial_number_manufacturer_model')]
    uploads = [(r['path'], r['device_count']) for r in simulator.stats['api_requests'] if r['method'] == 'POST']
    assert uploads == [('/v1/customers/%s/deviceBatches/existing-batch-1/devices' % CUSTOMER, 1)]

    before = len(simulator.stats['api_requests'])
    second = run_module('device_batch', args)
    assert not second.failed, second
    assert second['changed'] is False and second['devices_count'] == 0
    assert len(second['devices_already_in_batch']) == 3
    assert changes(simulator, before) == []

    forced = run_module('device_batch', dict(args, skip_existing=False))
    assert not forced.failed, forced
    assert forced['changed'] is True and forced['devices_count'] == 3


# -- the forms of an accepted upload's answer ------------------------------------------------------------------------
# Partner Center's page answers 202 with a relative Location; the REST reference lists 200 as well and puts the link in
# the body. The tracking id is read wherever it is, and followed.

@pytest.mark.parametrize('http_status, location', [(200, 'relative'), (202, 'absolute'), (200, 'v1'), (202, 'body'),
                                                   (200, 'body_tracking_id')],
                         ids=str)
def test_an_upload_answered_200_or_202_with_the_tracking_id_anywhere_is_followed(run_module, make_simulator, sim_args,
                                                                                 http_status, location):
    simulator = make_simulator(lambda seed: seed.update(upload_response={'status': http_status, 'location': location}))
    devices = [{'hardware_hash': hardware_hash('forms-1'), 'serial_number': 'FORMS-1'}]
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-%s-%s' % (http_status, location), devices=devices,
                                                    wait=True, poll_interval=0.1))
    assert not result.failed, result
    tracking_ids = [r['tracking_id'] for r in simulator.stats['api_requests'] if r['method'] == 'POST']
    assert result['changed'] is True and result['batch_tracking_id'] == tracking_ids[0]
    assert result['upload_http_status'] == http_status
    assert result['complete'] is True and result['batch_upload_details']['status'] == 'finished'


def test_an_upload_answered_without_any_tracking_id_is_changed_with_a_warning(run_module, make_simulator, sim_args):
    simulator = make_simulator(lambda seed: seed.update(upload_response={'status': 202, 'location': 'none'}))
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-none', devices=[{'hardware_hash': hardware_hash('none-1')}]))
    assert not result.failed, result
    assert result['changed'] is True and result['batch_tracking_id'] is None
    assert result['upload_request_id']
    warning = [text for text in result.warnings if 'sent no batch tracking id' in text][0]
    assert 'partnercenter.devices.device_batch_info' in warning and 'forms-none' in warning
    waited = run_module('device_batch', upload_args(sim_args, simulator, 'forms-none-2', wait=True,
                                                    devices=[{'hardware_hash': hardware_hash('none-2')}]))
    assert waited.failed and waited['changed'] is True
    assert 'nothing to wait on' in waited['msg']


# -- what follows an accepted upload keeps it in the result -----------------------------------------------------------

def test_an_unreadable_poll_after_an_accepted_upload_keeps_the_upload(run_module, simulator, sim_args):
    simulator.add_fault('invalid_json', match='batchJobStatus', count=-1, after=1)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-unreadable', wait=True, poll_interval=0.1,
                                                    devices=[{'hardware_hash': hardware_hash('unreadable')}]))
    assert result.failed
    sent = [r for r in simulator.stats['api_requests'] if r['method'] == 'POST']
    assert result['changed'] is True
    assert result['batch_tracking_id'] == sent[0]['tracking_id']
    assert result['upload_request_id'] == sent[0]['request_id']
    assert 'not JSON' in result['msg']
    assert result['batch_upload_details']['status'] == 'queued' and result['polls'] == 1


def test_a_device_status_that_is_not_a_string_keeps_the_upload(run_module, simulator, sim_args):
    simulator.add_fault('status', match='batchJobStatus', status=200, count=-1, body={
        'batchTrackingId': None, 'status': 'processing', 'devicesStatus': [{'status': ['in-progress']}]})
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-list-status', wait=True, poll_interval=0.1,
                                                    devices=[{'hardware_hash': hardware_hash('list-status')}]))
    assert result.failed
    assert result['changed'] is True and result['batch_tracking_id'] and result['upload_request_id']
    assert 'devicesStatus[0].status is a list, not a string' in result['msg']


def test_an_error_in_the_collection_while_waiting_keeps_the_upload(run_module, simulator, sim_args, monkeypatch):
    from ansible_collections.partnercenter.devices.plugins.module_utils import batch

    def broken_completion_test(status):
        raise KeyError('status')

    # The status read and shaped, then a bug where the wait decides what the status means.
    monkeypatch.setattr(batch, 'is_complete', broken_completion_test)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-bug', wait=True, poll_interval=0.1,
                                                    devices=[{'hardware_hash': hardware_hash('bug')}]))
    assert result.failed
    post = [r for r in simulator.stats['api_requests'] if r['method'] == 'POST'][0]
    assert result['changed'] is True and result['batch_tracking_id'] == post['tracking_id']
    assert result['upload_request_id'] == post['request_id']
    assert 'Partner Center accepted the upload (batch tracking id %s)' % post['tracking_id'] in result['msg']
    assert 'KeyError' in result['msg'] and 'please report it' in result['msg']


def test_an_upload_whose_answer_never_came_may_have_been_accepted(run_module, simulator, sim_args):
    simulator.add_fault('drop', match='deviceBatches$', count=-1, after=1)  # the list of batches goes through
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-dropped', retries=0,
                                                    devices=[{'hardware_hash': hardware_hash('dropped')}]))
    assert result.failed
    post = [r for r in simulator.stats['api_requests'] if r['method'] == 'POST'][0]
    assert result['outcome_unknown'] is True and result['changed'] is True
    assert result['upload_request_id'] == post['request_id']
    assert 'may have been accepted' in result['msg'] and 'device_batch_info' in result['msg']


def test_a_wait_after_an_upload_goes_on_through_server_faults(run_module, simulator, sim_args):
    simulator.add_fault('status', match='batchJobStatus', status=503, retry_after=0, count=3)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-503', wait=True, poll_interval=0.1, retries=0,
                                                    devices=[{'hardware_hash': hardware_hash('503')}]))
    assert not result.failed, result
    assert result['complete'] is True and result['throttled_polls'] == 3 and result['polls'] == 3


# -- pairing outcomes with what was uploaded ---------------------------------------------------------------------------

def test_hash_only_outcomes_are_paired_by_position(run_module, make_simulator, sim_args):
    simulator = make_simulator(lambda seed: seed.update(upload_status_omits_identifiers=True))
    hashes = [hardware_hash('pos-1'), hardware_hash('pos-2'), base64.b64encode(b'too short').decode()]
    csv = 'Device Serial Number,Windows Product ID,Hardware Hash\n' + ''.join(',,%s\n' % value for value in hashes)
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-hash-only', csv_content=csv, wait=True,
                                                    poll_interval=0.1))
    assert not result.failed, result
    assert result['device_pairing'] == 'position'
    outcomes = result['batch_upload_details']['devices_status']
    assert [(o['upload_index'], o['csv_line'], o['paired_by'], o['serial_number']) for o in outcomes] == [
        (0, 2, 'position', None), (1, 3, 'position', None), (2, 4, 'position', None)]
    assert [(d['csv_line'], d['error_description']) for d in result['devices_with_errors']] == [(4, 'InvalidZtdHardwareHash')]


def test_outcomes_with_serial_numbers_are_paired_by_them(run_module, simulator, sim_args):
    devices = [{'hardware_hash': hardware_hash('pair-1'), 'serial_number': 'PAIR-1'},
               {'serial_number': 'OTHER-TENANT-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'}]
    result = run_module('device_batch', upload_args(sim_args, simulator, 'forms-pair', devices=devices, wait=True, poll_interval=0.1))
    assert not result.failed, result
    assert result['device_pairing'] == 'identifiers'
    assert [(o['upload_index'], o['paired_by'], o['csv_line']) for o in result['batch_upload_details']['devices_status']] == [
        (0, 'serial_number', None), (1, 'serial_number', None)]
