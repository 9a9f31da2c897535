# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trust boundary: an upload is sent once per intent, and its outcome is in the result, whatever the service answers.

The service here applies a request and loses its answer (a gateway's 504, a dropped connection), forgets the
MS-RequestId that should make a retry safe, or lists the batch it has just refused to create again. Each case
counts the upload POSTs in the simulator's request log and the devices the batch holds.
"""

import base64

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
CREATE_PATH = '/v1/customers/%s/deviceBatches' % CUSTOMER


def hardware_hash(label):
    return base64.b64encode(('hostile-once-%s-' % label).encode().ljust(64, b'#')).decode()


def csv_of(*serials):
    return 'Device Serial Number,Windows Product ID,Hardware Hash\r\n' + ''.join(
        '%s,,%s\r\n' % (serial, hardware_hash(serial)) for serial in serials)


def upload_posts(simulator):
    """Every upload POST: (path, MS-RequestId, status)."""
    return [(r['path'], r['request_id'], r['status']) for r in simulator.stats['api_requests'] if r['method'] == 'POST']


def batch_serials(simulator, batch_id):
    with simulator.lock:
        batch = simulator.state.device_batches[CUSTOMER.lower()].get(batch_id.lower())
        return None if batch is None else sorted(device['serialNumber'] for device in batch['devices'])


def run_upload(run_module, sim_args, simulator, batch_id, **options):
    if 'devices' not in options:
        options.setdefault('csv_content', csv_of('ONCE-1', 'ONCE-2'))
    return run_module('device_batch', dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, batch_id=batch_id, **options))


@pytest.mark.parametrize('lost', [dict(status=504), dict(status=502), dict(drop=True)], ids=['504', '502', 'dropped'])
def test_a_lost_creation_answer_then_409_sends_the_devices_once(run_module, sim_args, simulator, lost):
    # after=1: the list of batches (GET) shares the creation's path.
    simulator.add_fault('applied', match=r'/deviceBatches$', after=1, replay=False, **lost)
    result = run_upload(run_module, sim_args, simulator, 'once-lost')
    assert not result.failed, result
    assert (result['changed'], result['created'], result['create_outcome_unknown']) == (True, True, True)
    posts = upload_posts(simulator)
    assert [path for path, _request_id, _status in posts] == [CREATE_PATH, CREATE_PATH]
    assert len(set(request_id for _path, request_id, _status in posts)) == 1
    assert batch_serials(simulator, 'once-lost') == ['ONCE-1', 'ONCE-2']


def test_a_creation_whose_answers_are_all_lost_fails_as_unknown_and_adds_nothing(run_module, sim_args, simulator):
    simulator.add_fault('applied', match=r'/deviceBatches$', after=1, count=-1, replay=True)
    result = run_upload(run_module, sim_args, simulator, 'once-all-lost')
    assert result.failed
    assert result['outcome_unknown'] is True and result['changed'] is True
    posts = upload_posts(simulator)
    assert set(path for path, _request_id, _status in posts) == {CREATE_PATH}
    assert len(set(request_id for _path, request_id, _status in posts)) == 1
    assert batch_serials(simulator, 'once-all-lost') == ['ONCE-1', 'ONCE-2']


def test_a_409_for_a_batch_the_listing_then_hides_sends_nothing_more(run_module, sim_args, simulator):
    # The creation is applied and its answer lost; its retry gets 409; the list read after it shows no such batch.
    simulator.add_fault('applied', match=r'/deviceBatches$', after=1, replay=False)
    simulator.add_fault('status', match=r'/deviceBatches$', after=3, status=200,
                        body={'totalCount': 0, 'items': [], 'attributes': {'objectType': 'Collection'}})
    result = run_upload(run_module, sim_args, simulator, 'once-hidden')
    assert result.failed
    assert result['outcome_unknown'] is True and result['changed'] is True and result['created'] is True
    assert 'nothing more was sent' in result['msg']
    assert [path for path, _request_id, _status in upload_posts(simulator)] == [CREATE_PATH, CREATE_PATH]


def test_a_refused_addition_after_a_lost_creation_keeps_what_was_changed(run_module, sim_args, simulator):
    simulator.add_fault('applied', match=r'/deviceBatches$', after=1, replay=False)
    # after=1: the read of the batch's devices (GET) shares the addition's path.
    simulator.add_fault('status', match=r'/devices$', after=1, status=400, code=400056, description='Invalid input')
    result = run_upload(run_module, sim_args, simulator, 'once-refused',
                        devices=[{'hardware_hash': hardware_hash('hash-only')}])
    assert result.failed, result
    assert result.get('http_status') == 400, result
    assert (result['changed'], result['created'], result['create_outcome_unknown']) == (True, True, True)
    assert result['create_request_id'] == upload_posts(simulator)[0][1]


def test_an_addition_whose_answer_is_lost_is_retried_with_its_idempotency_key_only(run_module, sim_args, simulator):
    # Partner Center documents MS-RequestId as what makes a retry safe: the retry carries the same one.
    run_upload(run_module, sim_args, simulator, 'once-add', csv_content=csv_of('ADD-0'))
    simulator.add_fault('applied', match=r'/devices$', after=1, replay=True)
    before = len(upload_posts(simulator))
    result = run_upload(run_module, sim_args, simulator, 'once-add', csv_content=csv_of('ADD-0', 'ADD-1'))
    assert not result.failed, result
    assert result['created'] is False and result['devices_count'] == 1
    posts = upload_posts(simulator)[before:]
    assert [status for _path, _request_id, status in posts] == [504, 202]
    assert len(set(request_id for _path, request_id, _status in posts)) == 1
    assert batch_serials(simulator, 'once-add') == ['ADD-0', 'ADD-1']
