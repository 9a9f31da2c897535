# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of profiles.py: every spelling the service may send, what each write sends, against a scripted client."""

import json

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import ABSENT, DELETED, DELETED_UNCONFIRMED, PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import (
    create_profile,
    delete_profile,
    desired_view,
    get_profile,
    list_profiles,
    normalize_settings,
    profile_view,
    profiles_named,
    settings_change,
    shape_profile,
    update_profile,
)

CUSTOMER = '47021739-3426-40bf-9601-61b4b6d7c793'
PROFILE_ID = '5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c'
POLICIES = '/v1/customers/%s/policies' % CUSTOMER


def answer(status, payload=None, headers=None):
    body = json.dumps(payload).encode('utf-8') if payload is not None else b''
    return Response(status, None, headers or {}, body)


def client_for(monkeypatch, script):
    calls = []
    pending = list(script)

    def send_once(method, url, headers, body):
        calls.append((method, url.replace('https://pc.example.test', ''), json.loads(body) if body else None))
        return pending.pop(0)

    client = PartnerCenterClient('https://pc.example.test', StaticTokenAuth('token-value-for-unit-tests'), retries=0)
    monkeypatch.setattr(client, '_send_once', send_once)
    return client, calls


def policy(**fields):
    base = {'id': PROFILE_ID, 'name': 'Kiosks', 'category': 'o_o_b_e', 'description': 'd', 'devicesAssigned': 3,
            'policySettings': ['skip_eula'], 'attributes': {'objectType': 'ConfigurationPolicy'}}
    base.update(fields)
    return base


@pytest.mark.parametrize('sent, shaped', [
    (['remove_oem_preinstalls', 'skip_eula'], ['remove_oem_preinstalls', 'skip_eula']),
    (['SkipEula', 'RemoveOemPreinstalls'], ['remove_oem_preinstalls', 'skip_eula']),
    (['skipEula', 'OOBE_USER_NOT_LOCAL_ADMIN'], ['oobe_user_not_local_admin', 'skip_eula']),
    ('SkipEula, SkipOemRegistration', ['skip_oem_registration', 'skip_eula']),
    (['none'], []),
    (['None', 'SkipExpressSettings'], ['skip_express_settings']),
    (None, []),
    (['skip_eula', 'FutureSetting'], ['skip_eula', 'FutureSetting']),
])
def test_settings_in_every_spelling_come_back_documented(sent, shaped):
    assert normalize_settings(sent) == shaped


@pytest.mark.parametrize('count_key', ['devicesAssigned', 'devicesAssignedCount'])
def test_device_count_is_read_from_either_name(count_key):
    raw = policy()
    del raw['devicesAssigned']
    raw[count_key] = 7
    shaped = shape_profile(raw)
    assert shaped['devices_assigned'] == 7
    assert 'devices_assigned_count' not in shaped


@pytest.mark.parametrize('category', ['o_o_b_e', 'Oobe', 'OOBE', 'oobe'])
def test_category_in_every_spelling(category):
    assert shape_profile(policy(category=category, policySettings=['SkipEula']))['category'] == 'o_o_b_e'


def test_shape_rejects_settings_that_are_not_strings():
    with pytest.raises(ResponseError, match='policySettings'):
        shape_profile(policy(policySettings=[1]))


def test_list_and_find_by_name_without_regard_to_case(monkeypatch):
    client, calls = client_for(monkeypatch, [answer(200, {'totalCount': 2, 'items': [
        policy(), policy(id='11111111-2222-4333-8444-555555555555', name='Other')]})])
    raw, shaped = list_profiles(client, CUSTOMER)
    assert calls == [('GET', POLICIES, None)]
    matches = profiles_named(raw, shaped, ' kiosks ')
    assert [s['id'] for r, s in matches] == [PROFILE_ID]


def test_get_404_is_no_profile(monkeypatch):
    client = client_for(monkeypatch, [answer(404, {'code': 600, 'description': 'not found'})])[0]
    assert get_profile(client, CUSTOMER, PROFILE_ID) == (None, None)


def test_create_posts_the_documented_body(monkeypatch):
    client, calls = client_for(monkeypatch, [answer(200, policy(policySettings=['skip_eula', 'remove_oem_preinstalls']))])
    view = desired_view(None, 'Kiosks', 'd', ['skip_eula', 'remove_oem_preinstalls'])
    shaped = create_profile(client, CUSTOMER, view)[1]
    assert calls == [('POST', POLICIES, {'name': 'Kiosks', 'category': 'o_o_b_e', 'description': 'd',
                                         'policySettings': ['remove_oem_preinstalls', 'skip_eula']})]
    assert shaped['id'] == PROFILE_ID


def test_create_without_a_body_returns_what_was_sent(monkeypatch):
    client = client_for(monkeypatch, [answer(201)])[0]
    shaped = create_profile(client, CUSTOMER, desired_view(None, 'Kiosks', None, None))[1]
    assert shaped['name'] == 'Kiosks' and shaped['id'] is None and shaped['policy_settings'] == []


def test_update_puts_the_whole_object_with_the_exact_settings(monkeypatch):
    current = policy(policySettings=['SkipEula', 'RemoveOemPreinstalls'])
    client, calls = client_for(monkeypatch, [answer(200, policy(policySettings=['skip_express_settings']))])
    view = desired_view(shape_profile(current), 'Kiosks', None, ['skip_express_settings'])
    shaped = update_profile(client, CUSTOMER, current, view)[1]
    method, path, body = calls[0]
    assert (method, path) == ('PUT', '%s/%s' % (POLICIES, PROFILE_ID))
    assert body == dict(current, policySettings=['skip_express_settings'])
    assert shaped['policy_settings'] == ['skip_express_settings']


def test_desired_view_keeps_what_options_leave_out_and_says_what_changes():
    current = shape_profile(policy(policySettings=['skip_eula', 'remove_oem_preinstalls']))
    assert desired_view(current, 'Kiosks', None, None) == profile_view(current)
    after = desired_view(current, 'Kiosks', '', ['skip_express_settings', 'skip_eula'])
    assert after == {'name': 'Kiosks', 'description': '', 'settings': ['skip_express_settings', 'skip_eula']}
    assert settings_change(profile_view(current)['settings'], after['settings']) == (
        ['skip_express_settings'], ['remove_oem_preinstalls'])


def test_delete_is_idempotent_on_404(monkeypatch):
    client, calls = client_for(monkeypatch, [answer(204), answer(404)])
    assert delete_profile(client, CUSTOMER, PROFILE_ID) == DELETED
    assert delete_profile(client, CUSTOMER, PROFILE_ID) == ABSENT
    assert [c[0] for c in calls] == ['DELETE', 'DELETE']


def test_a_404_after_a_delete_answered_by_a_gateway_timeout_is_a_deletion_unconfirmed(monkeypatch):
    client, calls = client_for(monkeypatch, [answer(504), answer(404)])
    client.retries, client._sleep = 1, lambda seconds: None  # pylint: disable=protected-access
    assert delete_profile(client, CUSTOMER, PROFILE_ID) == DELETED_UNCONFIRMED
    assert len(calls) == 2


@pytest.mark.parametrize('profile_id', ['..', '.', None, 7, 'None', 'a/b'],
                         ids=['dot-dot', 'dot', 'null', 'number', 'none-text', 'slash'])
def test_a_change_of_a_profile_whose_id_is_not_a_guid_is_refused_before_sending(monkeypatch, profile_id):
    client, calls = client_for(monkeypatch, [])
    with pytest.raises(ResponseError):
        delete_profile(client, CUSTOMER, profile_id)
    current = policy(id=profile_id)
    with pytest.raises(ResponseError):
        update_profile(client, CUSTOMER, current, desired_view(shape_profile(current), 'Kiosks', None, []))
    assert calls == []


def test_update_sends_the_id_once_whatever_spelling_the_answer_gave_its_key(monkeypatch):
    current = policy()
    current['Id'] = current.pop('id')
    client, calls = client_for(monkeypatch, [answer(200, policy())])
    update_profile(client, CUSTOMER, current, desired_view(shape_profile(current), 'Kiosks', None, []))
    body = calls[0][2]
    assert body['id'] == PROFILE_ID and 'Id' not in body


def test_delete_refused_is_an_error(monkeypatch):
    client = client_for(monkeypatch, [answer(409, {'code': 'x', 'description': 'assigned to devices'})])[0]
    with pytest.raises(ApiError, match='assigned to devices'):
        delete_profile(client, CUSTOMER, PROFILE_ID)
