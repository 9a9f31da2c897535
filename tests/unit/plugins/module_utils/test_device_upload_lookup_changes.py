# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of device_upload.py (matching uploads to a batch), device_lookup.py (selecting devices, their profile)
and device_changes.py (assigning, removing)."""

import json

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import ABSENT, DELETED, DELETED_UNCONFIRMED, PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import upload_devices
from ansible_collections.partnercenter.devices.plugins.module_utils.device_changes import (
    assign_profile,
    remove_device,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.device_lookup import (
    carries_profile,
    device_profile_value,
    read_devices,
    select_devices,
    unique_devices,
    unusable_device_ids,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.device_upload import match_present, skip_present_devices
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

CUSTOMER = '47021739-3426-40bf-9601-61b4b6d7c793'
PROFILE_ID = '5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c'
TRACKING_ID = '0127ed8e-ff72-4983-a3d8-e8d8bd378932'
DEVICE_1 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01'
DEVICE_2 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a02'
BATCHES = '/v1/customers/%s/deviceBatches' % CUSTOMER


def answer(status, payload=None, headers=None):
    body = json.dumps(payload).encode('utf-8') if payload is not None else b''
    return Response(status, None, headers or {}, body)


def client_for(monkeypatch, script):
    calls = []
    pending = list(script)

    def send_once(method, url, headers, body):
        calls.append((method, url.replace('https://pc.example.test', ''), headers, json.loads(body) if body else None))
        return pending.pop(0)

    client = PartnerCenterClient('https://pc.example.test', StaticTokenAuth('token-value-for-unit-tests'), retries=0)
    monkeypatch.setattr(client, '_send_once', send_once)
    return client, calls


def dev(device_id, **fields):
    """A shaped device of a batch listing."""
    device = dict(id=device_id, serial_number=None, product_key=None, hardware_hash=None, oem_manufacturer_name=None,
                  model_name=None, policies=[])
    device.update(fields)
    return device


def test_present_devices_match_by_any_accepted_identifier_set():
    listed = [dev('d1', hardware_hash='SEFTSA=='), dev('d2', product_key='PK-ABC'),
              dev('d3', serial_number='S3', oem_manufacturer_name='Contoso', model_name='X1')]
    sent = [
        dict(hardware_hash='SEFTSA==', serial_number='NEW'),                                     # hash
        dict(product_key='pk-abc'),                                                               # product key, any case
        dict(serial_number='s3', oem_manufacturer_name='CONTOSO', model_name='x1'),               # the triple, any case
        dict(serial_number='S3', oem_manufacturer_name='Fabrikam', model_name='X1'),              # another maker: missing
        dict(hardware_hash='T1RIRVI=', serial_number='S3'),                                       # serial, no maker to compare
    ]
    missing, present = match_present(sent, listed)
    assert missing == [3]
    assert [(p['index'], p['device_id'], p['matched_by']) for p in present] == [
        (0, 'd1', 'hardware_hash'), (1, 'd2', 'product_key'), (2, 'd3', 'serial_number_manufacturer_model'),
        (4, 'd3', 'serial_number')]


def listing_as_microsoft_sends_it(*serials):
    """Shaped devices of a listing as Partner Center sends it: no hardware hash, no product key."""
    return [dev('d%d' % number, serial_number=serial, oem_manufacturer_name='Microsoft Corporation', model_name='Surface Laptop 5')
            for number, serial in enumerate(serials, 1)]


@pytest.mark.parametrize('device, matched_by', [
    (dict(hardware_hash='SEFTSA==', serial_number='csv-0001'), 'serial_number'),
    (dict(hardware_hash='SEFTSA==', product_key='PK', serial_number='CSV-0001'), 'serial_number'),
    (dict(serial_number='CSV-0001', oem_manufacturer_name='microsoft corporation', model_name='SURFACE LAPTOP 5'),
     'serial_number_manufacturer_model'),
    (dict(hardware_hash='SEFTSA==', serial_number='CSV-0001', model_name='Surface Laptop 5'), 'serial_number'),
], ids=['hash-and-serial', 'hash-key-and-serial', 'serial-maker-model', 'serial-and-model'])
def test_a_listing_without_hashes_matches_by_serial_number(device, matched_by):
    missing, present = match_present([device], listing_as_microsoft_sends_it('CSV-0001'))
    assert missing == [] and [(p['device_id'], p['matched_by']) for p in present] == [('d1', matched_by)]


@pytest.mark.parametrize('device', [
    dict(hardware_hash='SEFTSA=='),
    dict(product_key='PK-1'),
    dict(hardware_hash='SEFTSA==', serial_number='CSV-0001', model_name='Surface Pro 9'),
    dict(serial_number='CSV-0001', oem_manufacturer_name='HP', model_name='Surface Laptop 5'),
    dict(hardware_hash='SEFTSA==', serial_number='CSV-0002'),
], ids=['hash-only', 'key-only', 'other-model', 'other-maker', 'other-serial'])
def test_a_listing_without_hashes_leaves_unmatched_devices_to_upload(device):
    missing, present = match_present([device], listing_as_microsoft_sends_it('CSV-0001'))
    assert missing == [0] and present == []


def test_a_serial_number_two_makers_share_is_no_match_for_a_device_that_names_none():
    listed = [dev('d1', serial_number='S1', oem_manufacturer_name='HP', model_name='A'),
              dev('d2', serial_number='S1', oem_manufacturer_name='Dell', model_name='B')]
    missing, present = match_present([dict(hardware_hash='SEFTSA==', serial_number='S1'),
                                      dict(serial_number='S1', oem_manufacturer_name='dell', model_name='b')], listed)
    assert missing == [0]
    assert [(p['index'], p['device_id']) for p in present] == [(1, 'd2')]


def test_skip_present_reads_every_page_and_keeps_origins(monkeypatch):
    page1 = {'totalCount': 2, 'items': [{'id': 'd1', 'serialNumber': 'S1', 'oemManufacturerName': 'M', 'modelName': 'X'}],
             'continuationToken': 'next-1'}
    page2 = {'totalCount': 2, 'items': [{'id': 'd2', 'productKey': 'PK2'}]}
    client, calls = client_for(monkeypatch, [
        answer(200, {'totalCount': 1, 'items': [{'id': 'Laptops'}]}), answer(200, page1), answer(200, page2)])
    sent = [dict(serial_number='S1', oem_manufacturer_name='M', model_name='X'), dict(product_key='PK2'),
            dict(product_key='PK3')]
    devices, origins, keys, batch = skip_present_devices(client, CUSTOMER, 'laptops', sent, ['l 2', 'l 3', 'l 4'])
    assert batch['id'] == 'Laptops'
    assert devices == [dict(product_key='PK3')] and origins == ['l 4']
    assert keys['batch_id'] == 'Laptops'
    assert [(e['origin'], e['device_id']) for e in keys['devices_already_in_batch']] == [('l 2', 'd1'), ('l 3', 'd2')]
    assert keys['diff']['after']['devices'] == ['l 2: serial number S1', 'l 3: product key PK2', 'l 4: product key PK3']
    assert [c[1] for c in calls] == [BATCHES, BATCHES + '/Laptops/devices', BATCHES + '/Laptops/devices']
    assert calls[2][2]['MS-ContinuationToken'] == 'next-1'


def test_skip_present_without_the_batch_reads_no_devices(monkeypatch):
    client, calls = client_for(monkeypatch, [answer(200, {'totalCount': 0, 'items': []})])
    devices, _origins, keys, batch = skip_present_devices(client, CUSTOMER, 'new', [dict(product_key='P')], ['devices[0]'])
    assert devices == [dict(product_key='P')] and keys['devices_already_in_batch'] == [] and len(calls) == 1
    assert batch is None


def test_read_devices_of_every_batch_names_each_batch(monkeypatch):
    client = client_for(monkeypatch, [
        answer(200, {'items': [{'id': 'a'}, {'id': 'b'}]}),
        answer(200, {'items': [{'id': 'd1'}]}), answer(200, {'items': [{'id': 'd2'}]})])[0]
    devices, pages = read_devices(client, CUSTOMER)
    assert [(d['id'], d['batch_id']) for d in devices] == [('d1', 'a'), ('d2', 'b')] and pages == 2


def test_select_by_id_and_serial_reports_missing_and_ambiguous():
    devices = [dev('D1', serial_number='S1'), dev('d2', serial_number='DUP'), dev('d3', serial_number='dup')]
    selected, ids_missing, serials_missing, ambiguous = select_devices(devices, ['d1', 'nope'], ['s1', 'dup', 'gone'])
    assert [d['id'] for d in selected] == ['D1']
    assert (ids_missing, serials_missing, ambiguous) == (['nope'], ['gone'], ['dup'])


@pytest.mark.parametrize('key', ['o_o_b_e', 'OOBE', 'Oobe'])
def test_a_device_profile_is_its_oobe_policy_in_any_spelling(key):
    device = dev('d', policies=[{'key': 'other', 'value': 'x'}, {'key': key, 'value': PROFILE_ID.upper()}])
    assert device_profile_value(device) == PROFILE_ID.upper()
    assert carries_profile(device, PROFILE_ID)
    assert not carries_profile(dev('d', policies=[{'key': 'o_o_b_e', 'value': None}]), PROFILE_ID)


@pytest.mark.parametrize('value, carries', [
    (PROFILE_ID, True), (PROFILE_ID.upper(), True), ('Contoso kiosks', True), ('  CONTOSO KIOSKS ', True),
    ('AzureAD Join Default Profile', False), ('11111111-2222-4333-8444-555555555555', False), (None, False), ('', False),
], ids=['id', 'id-upper-case', 'name', 'name-other-case-and-spaces', 'another-name', 'another-id', 'none', 'empty'])
def test_a_device_carries_the_profile_when_its_policy_value_is_the_profile_id_or_name(value, carries):
    device = dev('d', policies=[{'key': 'o_o_b_e', 'value': value}])
    assert carries_profile(device, PROFILE_ID, 'Contoso kiosks') is carries
    assert device_profile_value(device) == (value if value else None)


def test_devices_listed_twice_in_two_spellings_are_kept_once():
    devices = [dev(DEVICE_1, serial_number='A'), dev(DEVICE_1.upper(), serial_number='B'), dev(DEVICE_2), dev(None), dev(None)]
    assert [(d['id'], d['serial_number']) for d in unique_devices(devices)] == [
        (DEVICE_1, 'A'), (DEVICE_2, None), (None, None), (None, None)]


@pytest.mark.parametrize('device_id', ['..', '.', None, 42, '', 'a/b', 'a%2Fb', 'x?y', 'x#y', 'a\\b', 'a\nb', 'd1'],
                         ids=['dot-dot', 'dot', 'null', 'number', 'empty', 'slash', 'percent', 'query', 'fragment',
                              'backslash', 'line-break', 'not-a-guid'])
def test_a_device_id_from_a_listing_that_is_not_a_guid_is_named(device_id):
    problems = unusable_device_ids([dev(device_id, serial_number='SN-7', batch_id='b')])
    assert len(problems) == 1 and "serial number 'SN-7'" in problems[0] and 'its id' in problems[0]


@pytest.mark.parametrize('status, headers, body', [
    (202, {'Location': '/customers/%s/batchJobStatus/%s' % (CUSTOMER, TRACKING_ID)}, None),
    (200, {}, {'batchTrackingId': TRACKING_ID}),
])
def test_assign_patches_device_policy_updates_and_reads_the_tracking_id(monkeypatch, status, headers, body):
    client, calls = client_for(monkeypatch, [answer(status, body, headers)])
    accepted = assign_profile(client, CUSTOMER, [DEVICE_1, DEVICE_2, DEVICE_1.upper()], PROFILE_ID)
    assert accepted['batch_tracking_id'] == TRACKING_ID and accepted['http_status'] == status
    method, path, sent = calls[0][0], calls[0][1], calls[0][3]
    assert (method, path) == ('PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER)
    assert sent == {'devices': [{'id': DEVICE_1, 'policies': [{'key': 'o_o_b_e', 'value': PROFILE_ID}]},
                                {'id': DEVICE_2, 'policies': [{'key': 'o_o_b_e', 'value': PROFILE_ID}]}]}


@pytest.mark.parametrize('device_ids, profile_id', [(['..'], PROFILE_ID), ([None], PROFILE_ID), ([DEVICE_1], 'None')],
                         ids=['device-dot-dot', 'device-null', 'profile-not-a-guid'])
def test_assign_refuses_ids_without_their_shape_and_sends_nothing(monkeypatch, device_ids, profile_id):
    client, calls = client_for(monkeypatch, [])
    with pytest.raises(ResponseError):
        assign_profile(client, CUSTOMER, device_ids, profile_id)
    assert calls == []


def test_remove_is_idempotent_on_404_and_refusals_are_errors(monkeypatch):
    client, calls = client_for(monkeypatch, [answer(204), answer(404), answer(403, {'code': 1, 'description': 'no'})])
    assert remove_device(client, CUSTOMER, 'b 1', DEVICE_1) == DELETED
    assert remove_device(client, CUSTOMER, 'b 1', DEVICE_1) == ABSENT
    with pytest.raises(ApiError):
        remove_device(client, CUSTOMER, 'b 1', DEVICE_1)
    assert calls[0][:2] == ('DELETE', BATCHES + '/b%201/devices/' + DEVICE_1)


@pytest.mark.parametrize('first', [504, 500], ids=['gateway-timeout', 'server-error'])
def test_a_404_after_an_attempt_answered_by_a_server_error_is_a_removal_unconfirmed(monkeypatch, first):
    client, calls = client_for(monkeypatch, [answer(first), answer(404)])
    client.retries, client._sleep = 1, lambda seconds: None  # pylint: disable=protected-access
    assert remove_device(client, CUSTOMER, 'b', DEVICE_1) == DELETED_UNCONFIRMED
    assert calls[0][2]['MS-RequestId'] == calls[1][2]['MS-RequestId']


def test_a_404_after_a_throttled_attempt_is_absent(monkeypatch):
    client, _calls = client_for(monkeypatch, [answer(429), answer(404)])
    client.retries, client._sleep = 1, lambda seconds: None  # pylint: disable=protected-access
    assert remove_device(client, CUSTOMER, 'b', DEVICE_1) == ABSENT


@pytest.mark.parametrize('batch_id, device_id', [('b', '..'), ('..', DEVICE_1), ('b', None)],
                         ids=['device-dot-dot', 'batch-dot-dot', 'device-null'])
def test_remove_refuses_ids_without_their_shape_and_sends_nothing(monkeypatch, batch_id, device_id):
    client, calls = client_for(monkeypatch, [])
    with pytest.raises(ResponseError):
        remove_device(client, CUSTOMER, batch_id, device_id)
    assert calls == []


@pytest.mark.parametrize('existing, path', [(None, BATCHES), ({'id': 'Laptops'}, BATCHES + '/Laptops/devices')])
def test_an_upload_after_the_check_reads_no_batch_list_again(monkeypatch, existing, path):
    location = '/customers/%s/batchJobStatus/%s' % (CUSTOMER, TRACKING_ID)
    client, calls = client_for(monkeypatch, [answer(202, headers={'Location': location})])
    result = upload_devices(client, CUSTOMER, 'laptops', [{'productKey': 'P'}], existing=existing)
    assert [(c[0], c[1]) for c in calls] == [('POST', path)]
    assert result['created'] is (existing is None) and result['batch_tracking_id'] == TRACKING_ID
