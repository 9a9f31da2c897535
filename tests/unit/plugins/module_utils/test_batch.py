# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of batch.py: shaping a BatchUploadDetails for playbooks and summarizing it."""

import copy
import json
import urllib.parse

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import (
    MAX_POLL_INTERVAL,
    BatchWaitTimeout,
    BatchStatusUnexpected,
    batch_status_path,
    normalize_status,
    poll_intervals,
    read_batch_upload_details,
    shape_batch_upload_details,
    summarize,
    wait_for_batch,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import DEVICE_ERRORS
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import snake_case

REQUEST_ID = '7b3e2e00-b330-4480-9d84-59ace713427f'

CUSTOMER_ID = '47021739-3426-40bf-9601-61b4b6d7c793'
BATCH_ID = '0127ed8e-ff72-4983-a3d8-e8d8bd378932'

# The documented example: a finished batch with one device in error 808.
DOCUMENTED_EXAMPLE = {
    'batchTrackingId': BATCH_ID,
    'status': 'finished',
    'startedTime': '2019-08-07T21:29:07.5013396Z',
    'completedTime': '2019-08-07T21:29:10.4905327Z',
    'devicesStatus': [
        {
            'deviceId': '',
            'serialNumber': '1R9-ZNP67',
            'productKey': '00329-00000-0003-AA606',
            'status': 'finished_with_errors',
            'errorCode': '808',
            'errorDescription': 'ZtdDeviceAssignedToOtherTenant',
            'attributes': {'objectType': 'DeviceUploadDetails'},
        },
    ],
    'attributes': {'objectType': 'BatchUploadDetails', 'etag': 'W/"1"'},
}


@pytest.mark.parametrize('name, expected', [
    ('batchTrackingId', 'batch_tracking_id'),
    ('devicesStatus', 'devices_status'),
    ('objectType', 'object_type'),
    ('errorCode', 'error_code'),
    ('errorDescription', 'error_description'),
    ('deviceId', 'device_id'),
    ('serialNumber', 'serial_number'),
    ('HTTPStatus', 'http_status'),
    ('lastHTTPStatusCode', 'last_http_status_code'),
    ('oemManufacturerName', 'oem_manufacturer_name'),
    ('status', 'status'),
    ('already_snake_case', 'already_snake_case'),
    ('etag', 'etag'),
])
def test_snake_case(name, expected):
    assert snake_case(name) == expected


def test_documented_example_is_shaped():
    details = shape_batch_upload_details(DOCUMENTED_EXAMPLE)
    assert details == {
        'batch_tracking_id': BATCH_ID,
        'status': 'finished',
        'started_time': '2019-08-07T21:29:07.5013396Z',
        'completed_time': '2019-08-07T21:29:10.4905327Z',
        'devices_status': [
            {
                'device_id': '',
                'serial_number': '1R9-ZNP67',
                'product_key': '00329-00000-0003-AA606',
                'status': 'finished_with_errors',
                'error_code': '808',
                'error_description': 'ZtdDeviceAssignedToOtherTenant',
                'remediation': [entry['remediation'] for entry in DEVICE_ERRORS if entry['code'] == '808'][0],
                'attributes': {'object_type': 'DeviceUploadDetails'},
            },
        ],
        'attributes': {'object_type': 'BatchUploadDetails', 'etag': 'W/"1"'},
    }


def test_input_is_not_modified():
    resource = copy.deepcopy(DOCUMENTED_EXAMPLE)
    shape_batch_upload_details(resource)
    assert resource == DOCUMENTED_EXAMPLE


def test_keys_are_snake_case_at_every_depth():
    details = shape_batch_upload_details({
        'status': 'queued',
        'someExtra': {'innerKey': [{'deepKeyName': {'HTTPStatus': 1}}]},
    })
    assert details['some_extra'] == {'inner_key': [{'deep_key_name': {'http_status': 1}}]}


def test_documented_keys_present_when_absent():
    details = shape_batch_upload_details({'status': 'queued'})
    assert details == {
        'batch_tracking_id': None,
        'status': 'queued',
        'started_time': None,
        'completed_time': None,
        'devices_status': [],
    }


def test_documented_keys_present_when_null():
    details = shape_batch_upload_details({
        'batchTrackingId': BATCH_ID, 'status': None, 'startedTime': None, 'completedTime': None,
        'devicesStatus': None,
    })
    assert details == {
        'batch_tracking_id': BATCH_ID,
        'status': None,
        'started_time': None,
        'completed_time': None,
        'devices_status': [],
    }


def test_device_keys_present_when_absent_or_null():
    details = shape_batch_upload_details({
        'status': 'processing',
        'devicesStatus': [{'serialNumber': 'SN1'}, {'deviceId': None, 'status': None}],
    })
    assert details['devices_status'] == [
        {'device_id': None, 'serial_number': 'SN1', 'product_key': None, 'status': None,
         'error_code': None, 'error_description': None, 'remediation': None},
        {'device_id': None, 'serial_number': None, 'product_key': None, 'status': None,
         'error_code': None, 'error_description': None, 'remediation': None},
    ]


def test_unknown_fields_are_kept_in_snake_case():
    details = shape_batch_upload_details({
        'batchTrackingId': BATCH_ID,
        'status': 'processing',
        'newTopLevelField': 'x',
        'devicesStatus': [{'deviceId': 'd1', 'hardwareHashDigest': 'abc', 'status': 'in-progress'}],
    })
    assert details['new_top_level_field'] == 'x'
    assert details['devices_status'][0]['hardware_hash_digest'] == 'abc'
    assert 'newTopLevelField' not in details
    assert 'hardwareHashDigest' not in details['devices_status'][0]


@pytest.mark.parametrize('device_status', ['finished', 'finished_with_errors', 'queued', 'SomethingNew', ''])
def test_any_device_status_string_is_kept(device_status):
    details = shape_batch_upload_details({
        'status': 'processing',
        'devicesStatus': [{'deviceId': 'd1', 'status': device_status}, {'deviceId': 'd2', 'status': 'finished'}],
    })
    assert [device['device_id'] for device in details['devices_status']] == ['d1', 'd2']
    assert details['devices_status'][0]['status'] == device_status


def test_body_with_only_batch_tracking_id_is_accepted():
    details = shape_batch_upload_details({'batchTrackingId': BATCH_ID})
    assert details['batch_tracking_id'] == BATCH_ID
    assert details['status'] is None


@pytest.mark.parametrize('body, shown', [
    ([], 'list'),
    ([{'status': 'finished'}], 'list'),
    ('finished', 'str'),
    (None, 'NoneType'),
    ({}, 'an empty object'),
    ({'code': 600, 'description': 'x'}, 'code, description'),
    ({'batchtrackingid': BATCH_ID}, 'batchtrackingid'),
])
def test_body_that_is_not_batch_upload_details(body, shown):
    with pytest.raises(ResponseError) as caught:
        shape_batch_upload_details(body)
    assert 'not a BatchUploadDetails' in caught.value.message
    assert caught.value.message.endswith('got %s)' % shown)


@pytest.mark.parametrize('devices', [{'deviceId': 'd1'}, 'd1', 42, True])
def test_devices_status_not_a_list(devices):
    with pytest.raises(ResponseError) as caught:
        shape_batch_upload_details({'status': 'finished', 'devicesStatus': devices})
    assert caught.value.message == ('Partner Center answered 200 but devicesStatus is a %s, not a list'
                                    % type(devices).__name__)


@pytest.mark.parametrize('devices', [{}, ''])
def test_empty_non_list_devices_status_is_rejected(devices):
    with pytest.raises(ResponseError):
        shape_batch_upload_details({'status': 'finished', 'devicesStatus': devices})


@pytest.mark.parametrize('status, complete', [
    ('finished', True),
    ('finished_with_errors', True),
    ('FINISHED', True),
    ('Finished_With_Errors', True),
    ('queued', False),
    ('processing', False),
    ('unknown', False),
    ('failed', False),
    (None, False),
    ('finishedWithErrors', True),
    ('FinishedWithErrors', True),
    ('FINISHEDWITHERRORS', True),
    ('Finished', True),
])
def test_complete(status, complete):
    summary = summarize(shape_batch_upload_details({'batchTrackingId': BATCH_ID, 'status': status}))
    assert summary['complete'] is complete


def test_summary_of_documented_example():
    summary = summarize(shape_batch_upload_details(DOCUMENTED_EXAMPLE))
    assert summary['complete'] is True
    assert [device['serial_number'] for device in summary['devices_with_errors']] == ['1R9-ZNP67']
    assert summary['device_status_counts'] == {'finished_with_errors': 1}


def test_devices_with_errors_by_code_or_status():
    details = shape_batch_upload_details({
        'status': 'finished_with_errors',
        'devicesStatus': [
            {'deviceId': 'ok', 'status': 'finished', 'errorCode': None},
            {'deviceId': 'by-code', 'status': 'finished', 'errorCode': '806'},
            {'deviceId': 'by-status', 'status': 'finished_with_errors', 'errorCode': ''},
            {'deviceId': 'by-status-upper', 'status': 'FINISHED_WITH_ERRORS'},
            {'deviceId': 'busy', 'status': 'in-progress', 'errorCode': ''},
            {'deviceId': 'no-status'},
        ],
    })
    summary = summarize(details)
    assert [device['device_id'] for device in summary['devices_with_errors']] == [
        'by-code', 'by-status', 'by-status-upper']
    assert summary['device_status_counts'] == {
        'finished': 2, 'finished_with_errors': 2, 'in_progress': 1, 'unknown': 1}
    assert summary['complete'] is True


def test_summary_of_empty_batch():
    summary = summarize(shape_batch_upload_details({'status': 'queued', 'devicesStatus': None}))
    assert summary == {'complete': False, 'unexpected_status': False, 'devices_with_errors': [], 'device_status_counts': {}}


def test_batch_status_path_quotes_ids():
    assert batch_status_path(CUSTOMER_ID, BATCH_ID) == '/v1/customers/%s/batchJobStatus/%s' % (CUSTOMER_ID, BATCH_ID)
    assert batch_status_path('a/b', 'c d?') == '/v1/customers/a%2Fb/batchJobStatus/c%20d%3F'


class _FakeClient(PartnerCenterClient):
    """A real client whose transport answers a 200 with the same body, or one per call from a list."""

    def __init__(self, body=None, bodies=None):
        super().__init__('https://pc.example.test', StaticTokenAuth('an-access-token-0123456789'), sleep=None)
        self.bodies = list(bodies) if bodies is not None else None
        self.body = body
        self.calls = []

    def _send_once(self, method, url, headers, body):
        self.calls.append((method, urllib.parse.urlsplit(url).path))
        if self.bodies is not None:
            answer = self.bodies.pop(0) if len(self.bodies) > 1 else self.bodies[0]
        else:
            answer = self.body
        return Response(200, 'OK', {'Content-Type': 'application/json', 'MS-RequestId': REQUEST_ID}, json.dumps(answer).encode())


class _Time:
    """A monotonic clock that moves only when slept on."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        """The current time."""
        return self.now

    def sleep(self, seconds):
        """Record the wait and move the clock."""
        self.sleeps.append(seconds)
        self.now += seconds


def test_read_batch_upload_details():
    client = _FakeClient(copy.deepcopy(DOCUMENTED_EXAMPLE))
    resource, details = read_batch_upload_details(client, CUSTOMER_ID, BATCH_ID)
    path = '/v1/customers/%s/batchJobStatus/%s' % (CUSTOMER_ID, BATCH_ID)
    assert client.calls == [('GET', path)]
    assert resource == DOCUMENTED_EXAMPLE
    assert details['batch_tracking_id'] == BATCH_ID
    assert details['devices_status'][0]['error_code'] == '808'


def _take(iterator, count):
    return [next(iterator) for step in range(count)]


def test_poll_intervals_grow_to_the_cap():
    assert MAX_POLL_INTERVAL == 60.0
    assert _take(poll_intervals(5), 9) == [5.0, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 60.0, 60.0]


def test_poll_interval_above_the_cap_stays():
    assert _take(poll_intervals(90), 3) == [90.0, 90.0, 90.0]


def test_wait_for_batch_already_complete():
    fake_time = _Time()
    client = _FakeClient(copy.deepcopy(DOCUMENTED_EXAMPLE))
    raw, details, polls, waited, unused_throttled = wait_for_batch(
        client, CUSTOMER_ID, BATCH_ID, 600, 5, clock=fake_time.clock, sleep=fake_time.sleep)
    assert raw == DOCUMENTED_EXAMPLE
    assert details['status'] == 'finished'
    assert (polls, waited) == (1, 0.0)
    assert not fake_time.sleeps


def test_wait_for_batch_polls_until_complete():
    fake_time = _Time()
    bodies = [{'batchTrackingId': BATCH_ID, 'status': status} for status in ('queued', 'processing', 'Finished')]
    client = _FakeClient(bodies=bodies)
    unused_raw, details, polls, waited, unused_throttled = wait_for_batch(
        client, CUSTOMER_ID, BATCH_ID, 600, 5, clock=fake_time.clock, sleep=fake_time.sleep)
    assert details['status'] == 'finished'
    assert polls == 3
    assert waited == 12.5
    assert fake_time.sleeps == [5.0, 7.5]
    assert len(client.calls) == 3


def test_wait_for_batch_times_out_at_the_deadline():
    fake_time = _Time()
    client = _FakeClient({'batchTrackingId': BATCH_ID, 'status': 'processing', 'devicesStatus': None})
    with pytest.raises(BatchWaitTimeout) as caught:
        wait_for_batch(client, CUSTOMER_ID, BATCH_ID, 10, 5, clock=fake_time.clock, sleep=fake_time.sleep)
    error = caught.value
    assert fake_time.sleeps == [5.0, 5.0]
    assert error.polls == 3
    assert error.waited_seconds == 10.0
    assert error.details['devices_status'] == []
    assert error.raw == {'batchTrackingId': BATCH_ID, 'status': 'processing', 'devicesStatus': None}
    assert error.message == ('Batch %s of customer %s was still processing after waiting 10 s (3 polls, '
                             'wait_timeout 10 s).' % (BATCH_ID, CUSTOMER_ID))


def test_wait_for_batch_zero_timeout_polls_once():
    fake_time = _Time()
    client = _FakeClient({'status': 'queued'})
    with pytest.raises(BatchWaitTimeout) as caught:
        wait_for_batch(client, CUSTOMER_ID, BATCH_ID, 0, 5, clock=fake_time.clock, sleep=fake_time.sleep)
    assert caught.value.polls == 1
    assert not fake_time.sleeps


def test_a_200_that_is_no_batch_upload_details_names_status_and_request_id():
    client = _FakeClient(body={'items': []})
    with pytest.raises(ResponseError) as caught:
        read_batch_upload_details(client, CUSTOMER_ID, BATCH_ID)
    assert caught.value.http_status == 200
    assert caught.value.request_id == REQUEST_ID


@pytest.mark.parametrize('sent, shaped', [
    ('finished_with_errors', 'finished_with_errors'),
    ('finishedWithErrors', 'finished_with_errors'),
    ('FinishedWithErrors', 'finished_with_errors'),
    ('FINISHED_WITH_ERRORS', 'finished_with_errors'),
    ('Queued', 'queued'),
    ('in-progress', 'in_progress'),
    ('inProgress', 'in_progress'),
    ('In_Progress', 'in_progress'),
    ('cancelled', 'cancelled'),
    ('SomethingNew', 'SomethingNew'),
    (None, None),
])
def test_statuses_are_read_in_every_spelling(sent, shaped):
    assert normalize_status(sent) == shaped


def test_shaped_statuses_are_documented_spellings_and_raw_keeps_what_was_sent():
    raw = {'batchTrackingId': BATCH_ID, 'status': 'FinishedWithErrors',
           'devicesStatus': [{'status': 'finishedWithErrors', 'errorCode': 808}, {'status': 'InProgress'}]}
    details = shape_batch_upload_details(copy.deepcopy(raw))
    assert details['status'] == 'finished_with_errors'
    assert [d['status'] for d in details['devices_status']] == ['finished_with_errors', 'in_progress']
    assert details['devices_status'][0]['error_code'] == '808'
    assert summarize(details)['complete'] is True and summarize(details)['unexpected_status'] is False


@pytest.mark.parametrize('status, shown', [([], 'list'), ({'a': 1}, 'dict'), (3, 'int')])
def test_statuses_that_are_not_strings_are_clear_errors(status, shown):
    with pytest.raises(ResponseError) as caught:
        shape_batch_upload_details({'status': 'processing', 'devicesStatus': [{'status': 'finished'}, {'status': status}]})
    assert caught.value.message.endswith('devicesStatus[1].status is a %s, not a string' % shown)
    with pytest.raises(ResponseError) as caught:
        shape_batch_upload_details({'status': status})
    assert caught.value.message.endswith('the batch status is a %s, not a string' % shown)


def test_deep_nesting_is_a_clear_error_not_a_recursion_error():
    deep = []
    for unused in range(500):
        deep = [deep]
    with pytest.raises(ResponseError) as caught:
        shape_batch_upload_details({'status': 'processing', 'extra': deep})
    assert 'nests more than 64 levels' in caught.value.message


def test_an_answer_about_another_batch_is_refused():
    with pytest.raises(ResponseError) as caught:
        shape_batch_upload_details({'batchTrackingId': '11111111-1111-4111-8111-111111111111', 'status': 'finished'}, BATCH_ID)
    assert 'not of batch %s that was asked for' % BATCH_ID in caught.value.message
    assert shape_batch_upload_details({'batchTrackingId': BATCH_ID.upper(), 'status': 'finished'}, BATCH_ID)['status'] == 'finished'


class _ThrottledClient(_FakeClient):
    """Answers 429 (Retry-After 0) to the first ``throttled`` requests, then the bodies."""

    def __init__(self, throttled, bodies):
        super().__init__(bodies=bodies)
        self.retries = 0
        self.throttled = throttled

    def _send_once(self, method, url, headers, body):
        if self.throttled:
            self.throttled -= 1
            self.calls.append((method, 'throttled'))
            return Response(429, 'Too Many Requests', {'Retry-After': '0'}, b'{"statusCode":429}')
        return super()._send_once(method, url, headers, body)


def test_wait_for_batch_polls_through_throttling_and_reports_every_poll():
    fake_time = _Time()
    client = _ThrottledClient(3, [{'batchTrackingId': BATCH_ID, 'status': s} for s in ('processing', 'finished')])
    seen = []
    unused_raw, details, polls, unused_waited, throttled = wait_for_batch(
        client, CUSTOMER_ID, BATCH_ID, 600, 5, clock=fake_time.clock, sleep=fake_time.sleep,
        on_poll=lambda *args: seen.append((args[0] and args[0]['status'], args[1], args[3], args[4] is not None)))
    assert details['status'] == 'finished' and polls == 2 and throttled == 3
    assert seen == [(None, 0, 1, True), (None, 0, 2, True), (None, 0, 3, True), ('processing', 1, 3, False),
                    ('finished', 2, 3, False)]


def test_wait_for_batch_stops_at_once_on_an_undocumented_status():
    fake_time = _Time()
    client = _FakeClient(bodies=[{'batchTrackingId': BATCH_ID, 'status': 'failed'}])
    with pytest.raises(BatchStatusUnexpected) as caught:
        wait_for_batch(client, CUSTOMER_ID, BATCH_ID, 600, 5, clock=fake_time.clock, sleep=fake_time.sleep)
    assert caught.value.details['status'] == 'failed' and caught.value.polls == 1
    assert fake_time.sleeps == []
    assert caught.value.result()['unexpected_status'] is True
