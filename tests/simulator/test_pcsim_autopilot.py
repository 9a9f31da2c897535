# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pcsim/endpoints/autopilot.py over real HTTP: configuration policies, DevicePolicyUpdates, device DELETE."""

import json
import re
import uuid

import pytest

import harness
from simulator_client import api_headers, assert_seed_rejected, get_token, http_call, seed_with, user_form

CUSTOMER = harness.DEMO_CUSTOMER_ID
BATCH = 'existing-batch-1'
DEVICE_1 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01'
DEVICE_2 = 'e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a02'
GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


def call(sim, method, path, body=None, token=None):
    """(status, headers, parsed JSON body or None) of one API request (app-only unless ``token`` is given)."""
    headers = api_headers(token or sim.test_token)
    data = None
    if body is not None:
        data = json.dumps(body).encode('utf-8')
        headers['Content-Type'] = 'application/json'
    status, answer_headers, raw = http_call(method, sim.url + path, data, headers)
    return status, answer_headers, json.loads(raw) if raw else None


@pytest.fixture
def autopilot_sim(sim, app_token):
    """The module's simulator (default seed, reset before each test), with an app-only token: Partner Center documents
    every lifecycle endpoint for app-only and app+user credentials."""
    sim.test_token = app_token
    return sim


@pytest.fixture
def pascal_sim(make_sim):
    seed = seed_with()
    customer = seed['customers'][CUSTOMER]
    customer['policy_spelling'] = 'PascalCase'
    customer['policy_device_count_key'] = 'devicesAssignedCount'
    customer['policies'] = [{'id': '11111111-2222-4333-8444-555555555555', 'name': 'Seeded', 'category': 'o_o_b_e',
                             'policySettings': ['skip_eula']}]
    simulator = make_sim(seed)
    simulator.test_token = get_token(simulator.url)
    return simulator


POLICIES = '/v1/customers/%s/policies' % CUSTOMER


def create(sim, **fields):
    body = {'name': 'Kiosks', 'category': 'o_o_b_e', 'description': 'd', 'policySettings': ['skip_eula']}
    body.update(fields)
    return call(sim, 'POST', POLICIES, body)


def test_policies_list_create_get_update_delete(autopilot_sim):
    assert call(autopilot_sim, 'GET', POLICIES)[2] == {'totalCount': 0, 'items': [], 'attributes': {'objectType': 'Collection'}}
    status, _headers, created = create(autopilot_sim, policySettings=['skip_eula', 'RemoveOemPreinstalls', 'none'])
    assert status == 200 and GUID.match(created['id'])
    assert created['policySettings'] == ['skip_eula', 'remove_oem_preinstalls']
    assert created['devicesAssigned'] == 0 and created['attributes'] == {'objectType': 'ConfigurationPolicy'}
    path = '%s/%s' % (POLICIES, created['id'])
    assert call(autopilot_sim, 'GET', path)[2] == created
    assert [p['id'] for p in call(autopilot_sim, 'GET', POLICIES)[2]['items']] == [created['id']]

    status, _headers, updated = call(autopilot_sim, 'PUT', path, dict(created, name='Renamed', policySettings=[]))
    assert status == 200 and updated['name'] == 'Renamed' and updated['policySettings'] == ['none']
    status, _headers, body = call(autopilot_sim, 'PUT', path, dict(created, category='none'))
    assert status == 400 and 'category' in body['description']
    status, _headers, body = call(autopilot_sim, 'PUT', path, dict(created, id=str(uuid.uuid4())))
    assert status == 400 and 'id' in body['description']

    assert call(autopilot_sim, 'DELETE', path)[0] == 204
    assert call(autopilot_sim, 'DELETE', path)[0] == 404
    assert call(autopilot_sim, 'GET', path)[0] == 404


@pytest.mark.parametrize('fields, problem', [
    ({'name': ''}, 'name is required'),
    ({'policySettings': None}, 'policySettings is required'),
    ({'policySettings': ['skip_everything']}, 'skip_everything'),
    ({'category': 'kiosk'}, 'category must be one of'),
])
def test_bad_policy_bodies_are_400(autopilot_sim, fields, problem):
    status, _headers, body = create(autopilot_sim, **fields)
    assert status == 400 and problem in body['description']
    assert call(autopilot_sim, 'GET', POLICIES)[2]['totalCount'] == 0


def test_seeded_policies_in_pascal_case_with_the_sdk_count_name(pascal_sim):
    items = call(pascal_sim, 'GET', POLICIES)[2]['items']
    assert items == [{'id': '11111111-2222-4333-8444-555555555555', 'name': 'Seeded', 'category': 'OOBE', 'description': None,
                      'devicesAssignedCount': 0, 'policySettings': ['SkipEula'], 'createdDate': '2025-01-06T09:00:00Z',
                      'lastModifiedDate': '2025-01-06T09:00:00Z', 'attributes': {'objectType': 'ConfigurationPolicy'}}]


def assign_body(policy_id, *device_ids):
    return {'devices': [{'id': device_id, 'policies': [{'key': 'o_o_b_e', 'value': policy_id}]} for device_id in device_ids]}


def device_policies(sim):
    items = call(sim, 'GET', '/v1/customers/%s/deviceBatches/%s/devices' % (CUSTOMER, BATCH))[2]['items']
    return dict((item['id'], item['policies']) for item in items)


def test_device_policy_updates_answer_202_and_apply_when_the_status_is_final(autopilot_sim):
    policy_id = create(autopilot_sim)[2]['id']
    assert device_policies(autopilot_sim)[DEVICE_1] == [{'key': 'o_o_b_e', 'value': None}]
    status, headers, body = call(autopilot_sim, 'PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER,
                                 assign_body(policy_id, DEVICE_1, DEVICE_2))
    assert status == 202 and body is None
    match = re.match(r'^/customers/%s/batchJobStatus/([0-9a-f-]{36})$' % CUSTOMER, headers['Location'])
    assert match
    status_path = '/v1' + headers['Location']
    statuses = []
    while True:
        details = call(autopilot_sim, 'GET', status_path)[2]
        statuses.append(details['status'])
        if details['status'] not in ('queued', 'processing'):
            break
        # Not applied before the batch is final.
        assert device_policies(autopilot_sim)[DEVICE_1] == [{'key': 'o_o_b_e', 'value': None}]
    assert statuses == ['queued', 'processing', 'finished']
    assert [(d['deviceId'], d['status']) for d in details['devicesStatus']] == [(DEVICE_1, 'finished'), (DEVICE_2, 'finished')]
    # By default a device whose id ends in an odd digit is listed with the policy's name, the others with its id.
    assert device_policies(autopilot_sim)[DEVICE_1] == [{'key': 'o_o_b_e', 'value': 'Kiosks'}]
    assert device_policies(autopilot_sim)[DEVICE_2] == [{'key': 'o_o_b_e', 'value': policy_id}]
    assert call(autopilot_sim, 'GET', '%s/%s' % (POLICIES, policy_id))[2]['devicesAssigned'] == 2


def assign_and_wait(sim, policy_id, *device_ids):
    headers = call(sim, 'PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER, assign_body(policy_id, *device_ids))[1]
    while call(sim, 'GET', '/v1' + headers['Location'])[2]['status'] in ('queued', 'processing'):
        pass


@pytest.mark.parametrize('form, listed', [('id', ['ID', 'ID']), ('name', ['Kiosks', 'Kiosks']), ('mixed', ['Kiosks', 'ID'])])
def test_the_policy_value_of_a_listed_device_is_the_id_or_the_name_as_the_seed_asks(make_sim, form, listed):
    seed = seed_with()
    seed['customers'][CUSTOMER]['policy_value_form'] = form
    simulator = make_sim(seed)
    simulator.test_token = get_token(simulator.url)
    policy_id = create(simulator)[2]['id']
    assign_and_wait(simulator, policy_id, DEVICE_1, DEVICE_2)
    values = [device_policies(simulator)[device][0]['value'] for device in (DEVICE_1, DEVICE_2)]
    assert values == [policy_id if value == 'ID' else value for value in listed]
    # Counted by id whatever the listing shows.
    assert call(simulator, 'GET', '%s/%s' % (POLICIES, policy_id))[2]['devicesAssigned'] == 2


@pytest.mark.parametrize('category, stored', [('o_o_b_e', 'o_o_b_e'), ('OOBE', 'o_o_b_e'), ('none', 'none'), ('None', 'none')],
                         ids=['dotnet-sdk-oobe', 'partnercenter-dotnet-oobe', 'dotnet-sdk-none', 'partnercenter-dotnet-none'])
def test_the_category_is_accepted_as_both_sdks_send_it(autopilot_sim, category, stored):
    status, _headers, created = create(autopilot_sim, category=category)
    assert status == 200 and created['category'] == stored


def test_a_policy_put_without_its_id_is_400(autopilot_sim):
    created = create(autopilot_sim)[2]
    body = dict(created)
    del body['id']
    status, _headers, answer = call(autopilot_sim, 'PUT', '%s/%s' % (POLICIES, created['id']), body)
    assert status == 400 and 'id is required' in answer['description']
    assert call(autopilot_sim, 'GET', '%s/%s' % (POLICIES, created['id']))[2]['name'] == 'Kiosks'


@pytest.mark.parametrize('body, problem', [
    ({'devices': []}, 'non-empty list of devices'),
    ({'devices': [{'id': DEVICE_1, 'policies': [{'key': 'none', 'value': 'x'}]}]}, 'o_o_b_e'),
    (assign_body(str(uuid.uuid4()), DEVICE_1), 'was not found'),
])
def test_bad_device_policy_updates_are_400(autopilot_sim, body, problem):
    status, _headers, answer = call(autopilot_sim, 'PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER, body)
    assert status == 400 and problem in answer['description']


def test_unknown_device_in_an_update_is_400(autopilot_sim):
    policy_id = create(autopilot_sim)[2]['id']
    status, _headers, answer = call(autopilot_sim, 'PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER,
                                    assign_body(policy_id, str(uuid.uuid4())))
    assert status == 400 and 'device' in answer['description']


def test_delete_device_204_then_404_and_it_can_be_uploaded_again(autopilot_sim):
    path = '/v1/customers/%s/deviceBatches/%s/devices/%s' % (CUSTOMER, 'EXISTING-BATCH-1', DEVICE_2)
    assert call(autopilot_sim, 'DELETE', path)[0] == 204
    assert DEVICE_2 not in device_policies(autopilot_sim)
    status, _headers, body = call(autopilot_sim, 'DELETE', path)
    assert status == 404 and body['code'] == 1000
    assert [r['status'] for r in autopilot_sim.stats['api_requests'] if r['method'] == 'DELETE'] == [204, 404]
    # No longer registered: uploading it again is not error 806.
    device = {'serialNumber': 'EB1-0002', 'oemManufacturerName': 'Microsoft Corporation', 'modelName': 'Surface Laptop 5'}
    user_token = get_token(autopilot_sim.url, user_form())
    status, headers, _body = call(autopilot_sim, 'POST', '/v1/customers/%s/deviceBatches/%s/devices' % (CUSTOMER, BATCH), [device],
                                  token=user_token)
    assert status == 202
    while True:
        details = call(autopilot_sim, 'GET', '/v1' + headers['Location'])[2]
        if details['status'] not in ('queued', 'processing'):
            break
    assert [(d['serialNumber'], d['errorCode']) for d in details['devicesStatus']] == [('EB1-0002', None)]


@pytest.mark.parametrize('answer, status, location_header, body', [
    ({'status': 200, 'location': 'body'}, 200, None, {'location': '/customers/%s/batchJobStatus/{id}' % CUSTOMER}),
    ({'status': 200, 'location': 'body_tracking_id'}, 200, None, {'batchTrackingId': '{id}'}),
    ({'status': 202, 'location': 'absolute'}, 202, '{url}/v1/customers/%s/batchJobStatus/{id}' % CUSTOMER, None),
    ({'status': 202, 'location': 'none'}, 202, None, None),
], ids=['200-link-in-body', '200-tracking-id-in-body', '202-absolute-location', '202-no-link'])
def test_device_policy_updates_answer_in_the_seed_s_form(make_sim, answer, status, location_header, body):
    seed = seed_with()
    seed['customers'][CUSTOMER]['policy_update_response'] = answer
    simulator = make_sim(seed)
    simulator.test_token = get_token(simulator.url)
    policy_id = create(simulator)[2]['id']
    got_status, headers, got_body = call(simulator, 'PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER,
                                         assign_body(policy_id, DEVICE_1))
    [tracking_id] = [key[1] for key in simulator.state.uploads]

    def fill(text):
        return text.replace('{id}', tracking_id).replace('{url}', simulator.url)

    assert got_status == status and headers.get('Location') == (fill(location_header) if location_header else None)
    assert got_body == (json.loads(fill(json.dumps(body))) if body else None)


@pytest.mark.parametrize('delete_status', [204, 200])
def test_delete_device_answers_the_seed_s_status(make_sim, delete_status):
    seed = seed_with(device_delete_status=delete_status)
    simulator = make_sim(seed)
    simulator.test_token = get_token(simulator.url)
    path = '/v1/customers/%s/deviceBatches/%s/devices/%s' % (CUSTOMER, BATCH, DEVICE_1)
    status, _headers, body = call(simulator, 'DELETE', path)
    assert (status, body) == (delete_status, None)
    assert DEVICE_1 not in device_policies(simulator)


@pytest.mark.parametrize('change', [
    lambda seed: seed.update(device_delete_status=201),
    lambda seed: seed['customers'][CUSTOMER].update(policy_update_response={'status': 204}),
    lambda seed: seed.update(policy_spelling='camelCase'),
    lambda seed: seed['customers'][CUSTOMER].update(policy_device_count_key='count'),
    lambda seed: seed.update(policy_value_form='title'),
    lambda seed: seed['customers'][CUSTOMER].update(policy_value_form=None),
    lambda seed: seed['customers'][CUSTOMER].update(policies={'name': 'x'}),
    lambda seed: seed['customers'][CUSTOMER].update(policies=[{'name': 'x', 'policySettings': ['skip_everything']}]),
])
def test_bad_policy_seeds_are_refused(change):
    assert_seed_rejected(change)
