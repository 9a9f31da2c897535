# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of device_batch_api.py for answers the simulator does not give: the Location in the body,
no Location at all, a batch created meanwhile (409), a continuation token that repeats."""

import json

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import (
    BatchExistsAlready,
    UploadOutcomeUnknown,
    list_batch_devices,
    list_device_batches,
    mark_already_registered,
    outcome_unknown,
    pair_device_outcomes,
    upload_devices,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, ResponseError, TransportError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

CUSTOMER = '47021739-3426-40bf-9601-61b4b6d7c793'
TRACKING_ID = '0127ed8e-ff72-4983-a3d8-e8d8bd378932'
LOCATION = '/customers/%s/batchJobStatus/%s' % (CUSTOMER, TRACKING_ID)
DEVICES = [{'serialNumber': 'S1', 'oemManufacturerName': 'M', 'modelName': 'X'}]


def answer(status, payload=None, headers=None, body=b''):
    if payload is not None:
        body = json.dumps(payload).encode('utf-8')
    return Response(status, None, headers or {}, body)


def batches(*names):
    return answer(200, {'totalCount': len(names), 'items': [{'id': name, 'devicesCount': 1} for name in names]})


def client_for(monkeypatch, script):
    """A client whose requests are answered from ``script``; returns (client, calls)."""
    calls = []
    pending = list(script)

    def send_once(method, url, headers, body):
        calls.append((method, url.replace('https://pc.example.test', ''), headers, body))
        return pending.pop(0)

    client = PartnerCenterClient('https://pc.example.test', StaticTokenAuth('token-value-for-unit-tests'), retries=0)
    monkeypatch.setattr(client, '_send_once', send_once)
    return client, calls


def test_create_posts_a_device_batch_creation_request(monkeypatch):
    client, calls = client_for(monkeypatch, [batches('other'), answer(202, headers={'Location': LOCATION})])
    result = upload_devices(client, CUSTOMER, 'new-batch', DEVICES)
    assert result['created'] is True and result['batch_tracking_id'] == TRACKING_ID
    method, path, headers, body = calls[1]
    assert (method, path) == ('POST', '/v1/customers/%s/deviceBatches' % CUSTOMER)
    assert json.loads(body) == {'batchId': 'new-batch', 'devices': DEVICES}
    assert headers['Content-Type'] == 'application/json'
    assert result['upload_request_id'] == headers['MS-RequestId']


def test_a_batch_name_is_quoted_in_the_path(monkeypatch):
    client, calls = client_for(monkeypatch, [batches('Lab 2/B'), answer(202, headers={'Location': LOCATION})])
    result = upload_devices(client, CUSTOMER, 'lab 2/b', DEVICES)
    assert result['created'] is False and result['batch_id'] == 'Lab 2/B'
    assert calls[1][1] == '/v1/customers/%s/deviceBatches/Lab%%202%%2FB/devices' % CUSTOMER
    assert json.loads(calls[1][3]) == DEVICES


@pytest.mark.parametrize('location_answer', [
    answer(202, headers={'Location': 'https://api.partnercenter.microsoft.com/v1' + LOCATION}),
    answer(202, {'uri': LOCATION, 'method': 'GET'}),
    answer(202, body=json.dumps(LOCATION).encode()),
])
def test_the_tracking_id_comes_from_an_absolute_location_or_the_body(monkeypatch, location_answer):
    client = client_for(monkeypatch, [batches(), location_answer])[0]
    assert upload_devices(client, CUSTOMER, 'b', DEVICES)['batch_tracking_id'] == TRACKING_ID


def test_no_tracking_id_anywhere_is_none_not_an_error(monkeypatch):
    client = client_for(monkeypatch, [batches(), answer(202, headers={'Location': '/customers/x/batchJobStatus/not-a-guid',
                                                                      'MS-RequestId': 'rid-1'})])[0]
    result = upload_devices(client, CUSTOMER, 'b', DEVICES)
    assert result['batch_tracking_id'] is None and result['upload_http_status'] == 202
    assert result['upload_request_id']


def test_a_batch_created_meanwhile_gets_the_devices_added(monkeypatch):
    client, calls = client_for(monkeypatch, [batches(), answer(409, {'code': 900409, 'description': 'exists'}),
                                             answer(202, headers={'Location': LOCATION})])
    result = upload_devices(client, CUSTOMER, 'raced', DEVICES)
    assert result['created'] is False and result['create_conflict'] is True
    assert [call[1] for call in calls[1:]] == ['/v1/customers/%s/deviceBatches' % CUSTOMER,
                                               '/v1/customers/%s/deviceBatches/raced/devices' % CUSTOMER]


def test_a_batch_created_meanwhile_is_left_to_the_caller_to_read_when_asked(monkeypatch):
    client, calls = client_for(monkeypatch, [batches(), answer(409, {'code': 900409, 'description': 'exists'})])
    with pytest.raises(BatchExistsAlready) as raised:
        upload_devices(client, CUSTOMER, 'raced', DEVICES, read_on_conflict=True)
    assert raised.value.http_status == 409
    assert len(calls) == 2  # the list and the creation: nothing added


def test_a_customer_without_batches_answers_404_and_has_none(monkeypatch):
    client = client_for(monkeypatch, [answer(404, {'code': 1000, 'description': 'Not found'})])[0]
    assert list_device_batches(client, CUSTOMER) == ([], [])


def test_other_list_failures_are_errors(monkeypatch):
    client = client_for(monkeypatch, [answer(403, {'code': 20002, 'description': 'no relationship'})])[0]
    with pytest.raises(ApiError) as caught:
        list_device_batches(client, CUSTOMER)
    assert caught.value.http_status == 403


def test_a_body_that_is_not_a_collection_is_a_clear_error(monkeypatch):
    client = client_for(monkeypatch, [answer(200, {'value': []})])[0]
    with pytest.raises(ResponseError) as caught:
        list_device_batches(client, CUSTOMER)
    assert 'not a collection with a list of items (got value)' in caught.value.message


def test_pages_follow_the_next_link_header_and_a_repeated_token_stops(monkeypatch):
    def page(serials, token):
        body = {'items': [{'id': serial, 'serialNumber': serial} for serial in serials]}
        if token:
            body['links'] = {'next': {'uri': '/x', 'method': 'GET', 'headers': [{'key': 'MS-ContinuationToken', 'value': token}]}}
        return answer(200, body)

    client, calls = client_for(monkeypatch, [page(['a', 'b'], 't1'), page(['c'], 't2'), page([], None)])
    devices, pages = list_batch_devices(client, CUSTOMER, 'b')
    assert [d['serial_number'] for d in devices] == ['a', 'b', 'c'] and pages == 3
    assert [call[2].get('MS-ContinuationToken') for call in calls] == [None, 't1', 't2']
    assert devices[0]['hardware_hash'] is None  # documented keys are always present

    client = client_for(monkeypatch, [page(['a'], 't1'), page(['b'], 't1')])[0]
    with pytest.raises(ResponseError) as caught:
        list_batch_devices(client, CUSTOMER, 'b')
    assert 'asked for the same page twice (page 3)' in caught.value.message


@pytest.mark.parametrize('status, headers, payload', [
    (200, {'Location': LOCATION}, None),
    (201, {'Location': 'https://api.partnercenter.microsoft.com/v1' + LOCATION}, None),
    (202, {}, {'location': LOCATION}),
    (200, {}, {'batchTrackingId': TRACKING_ID}),
])
def test_any_2xx_and_the_tracking_id_anywhere(monkeypatch, status, headers, payload):
    client = client_for(monkeypatch, [batches(), answer(status, payload, headers=headers)])[0]
    result = upload_devices(client, CUSTOMER, 'b', DEVICES)
    assert result['batch_tracking_id'] == TRACKING_ID and result['upload_http_status'] == status


def test_a_404_list_warns_that_it_is_read_as_no_batches(monkeypatch):
    client = client_for(monkeypatch, [answer(404, {'code': 1000, 'description': 'Not found'})])[0]
    warnings = []
    assert list_device_batches(client, CUSTOMER, warn=warnings.append) == ([], [])
    assert len(warnings) == 1 and 'answered 404' in warnings[0] and CUSTOMER in warnings[0]


def test_items_that_are_not_objects_are_counted_and_warned(monkeypatch):
    client = client_for(monkeypatch, [answer(200, {'items': [{'id': 'a'}, 'b', 3]})])[0]
    warnings = []
    raw, shaped = list_device_batches(client, CUSTOMER, warn=warnings.append)
    assert [item['id'] for item in shaped] == ['a'] and raw == [{'id': 'a'}]
    assert warnings and '2 items of the answer are not an object' in warnings[0]


def test_transport_failure_of_an_upload_is_outcome_unknown(monkeypatch):
    client, calls = client_for(monkeypatch, [batches()])

    def send_once(method, url, headers, body):
        calls.append((method, url, headers, body))
        if method == 'GET':
            return batches()
        # As _send_once says it when the connection closed after the body went out.
        error = TransportError('pc.example.test closed the connection without an answer')
        error.maybe_delivered = True
        raise error

    monkeypatch.setattr(client, '_send_once', send_once)
    with pytest.raises(UploadOutcomeUnknown) as caught:
        upload_devices(client, CUSTOMER, 'b', DEVICES)
    assert 'may have been accepted' in caught.value.message
    assert caught.value.request_id == calls[-1][2]['MS-RequestId']


@pytest.mark.parametrize('flag, unknown', [(False, False), (True, True)])
def test_outcome_unknown_is_the_clients_flag(flag, unknown):
    assert outcome_unknown(TransportError('x did not answer within 3 s (timeout)', outcome_unknown=flag)) is unknown
    assert outcome_unknown(ApiError('refused', http_status=400)) is False


def sent(*devices):
    return [dict(device) for device in devices], ['devices[%d]' % index for index in range(len(devices))]


def test_pairing_by_serial_number_and_product_key_whatever_the_order():
    devices, origins = sent({'serial_number': 'A'}, {'product_key': 'K-2'}, {'serial_number': 'C'})
    outcomes = [{'serial_number': 'c'}, {'serial_number': None, 'product_key': 'k-2'}, {'serial_number': 'A'}]
    assert pair_device_outcomes(outcomes, devices, origins) == 'identifiers'
    assert [(o['upload_index'], o['paired_by']) for o in outcomes] == [
        (2, 'serial_number'), (1, 'product_key'), (0, 'serial_number')]


def test_pairing_by_position_only_when_the_counts_agree():
    devices, origins = sent({'hardware_hash': 'h1'}, {'hardware_hash': 'h2'})
    origins = ['laptops.csv line 2', 'laptops.csv line 3']
    outcomes = [{'serial_number': None}, {'serial_number': None}]
    assert pair_device_outcomes(outcomes, devices, origins) == 'position'
    assert [(o['upload_index'], o['csv_line']) for o in outcomes] == [(0, 2), (1, 3)]
    fewer = [{'serial_number': None}]
    assert pair_device_outcomes(fewer, devices, origins) == 'partial'
    assert fewer[0]['upload_index'] is None and fewer[0]['paired_by'] is None


def test_pairing_mixed_and_none():
    devices, origins = sent({'serial_number': 'A'}, {'hardware_hash': 'h2'})
    outcomes = [{'serial_number': 'A'}, {'serial_number': None}]
    assert pair_device_outcomes(outcomes, devices, origins) == 'identifiers_and_position'
    assert pair_device_outcomes([], devices, origins) == 'none'


@pytest.mark.parametrize('code, description, registered', [
    ('806', 'ZtdDeviceAlreadyAssigned', True),
    (None, 'ZtdDeviceAlreadyAssigned', True),
    ('806', None, True),
    ('808', 'ZtdDeviceAssignedToOtherTenant', False),
    (None, 'ZtdDeviceDuplicated', False),
    (None, None, False),
], ids=['806', '806-by-name', '806-by-code', '808', 'duplicated', 'no-error'])
def test_an_806_outcome_is_marked_already_registered(code, description, registered):
    outcome = dict(error_code=code, error_description=description)
    assert mark_already_registered([outcome]) == ([outcome] if registered else [])
    assert outcome['already_registered'] is registered
