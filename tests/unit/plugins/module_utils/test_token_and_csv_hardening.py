# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of auth.py and device_input.py against odd token answers, short-lived tokens, CSV input."""

import json
import os

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    MAX_TOKEN_LIFETIME_SECONDS,
    ClientCredentialsAuth,
    RefreshTokenAuth,
    renewal_margin,
    token_lifetime,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.device_input import (
    DeviceListError,
    read_autopilot_csv,
    read_csv_file,
    read_device_list,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import TokenRequestError, redact
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

HASH = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo='


class FakeClient:
    """What auth.py uses of a client: post_form, secrets and redact."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.secrets = set()
        self.posts = 0

    def post_form(self, url, form):
        self.posts += 1
        return self.answers.pop(0)

    def redact(self, text):
        return redact(text, self.secrets)


def answer(status, payload):
    return Response(status, None, {'Content-Type': 'application/json'}, json.dumps(payload).encode())


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def app_only(clock=None):
    return ClientCredentialsAuth('https://login.example.test', 'contoso.onmicrosoft.com', 'cid', 'csecret-VALUE-1234',
                                 'res', clock=clock or Clock())


@pytest.mark.parametrize('value, lifetime', [
    ('inf', MAX_TOKEN_LIFETIME_SECONDS), ('Infinity', MAX_TOKEN_LIFETIME_SECONDS), (1e308, MAX_TOKEN_LIFETIME_SECONDS),
    ('1e999', MAX_TOKEN_LIFETIME_SECONDS), ('nan', DEFAULT_TOKEN_LIFETIME_SECONDS), (-5, DEFAULT_TOKEN_LIFETIME_SECONDS),
    (0, DEFAULT_TOKEN_LIFETIME_SECONDS), ('soon', DEFAULT_TOKEN_LIFETIME_SECONDS), ([1], DEFAULT_TOKEN_LIFETIME_SECONDS),
    ({'a': 1}, DEFAULT_TOKEN_LIFETIME_SECONDS), (True, DEFAULT_TOKEN_LIFETIME_SECONDS), ('60', 60), (3599, 3599),
])
def test_token_lifetime_is_always_a_sane_int(value, lifetime):
    assert token_lifetime(value) == lifetime


@pytest.mark.parametrize('expires_in', ['inf', 'nan', -1, '1e999', [1], None])
def test_odd_expires_in_gives_a_token_not_an_exception(expires_in):
    client = FakeClient([answer(200, {'access_token': 'access-token-VALUE-0001', 'expires_in': expires_in})])
    auth = app_only()
    assert auth.token(client) == 'access-token-VALUE-0001'
    assert isinstance(auth.expires_in, int)


def test_a_short_lived_token_is_used_until_it_nearly_expires():
    clock = Clock()
    client = FakeClient([answer(200, {'access_token': 'short-token-VALUE-0001', 'expires_in': 60}),
                         answer(200, {'access_token': 'short-token-VALUE-0002', 'expires_in': 60})])
    auth = app_only(clock)
    for unused in range(50):
        assert auth.token(client) == 'short-token-VALUE-0001'
    clock.now += 60 - renewal_margin(60) - 1
    assert auth.token(client) == 'short-token-VALUE-0001'
    clock.now += 1
    assert auth.token(client) == 'short-token-VALUE-0002'
    assert client.posts == 2
    assert renewal_margin(3599) == 300 and renewal_margin(60) == 15


@pytest.mark.parametrize('payload', [
    {'error': 'invalid_client', 'error_description': ['not', 'text'], 'error_codes': 7000215},
    {'error': 900403, 'error_description': {'x': 1}, 'error_codes': 'abc'},
    {'error': ['x'], 'error_description': None, 'error_codes': [None, {'a': 1}, 7000215]},
    {'error_description': 12345},
])
def test_odd_token_error_fields_give_a_clear_error(payload):
    client = FakeClient([answer(401, payload)])
    with pytest.raises(TokenRequestError) as caught:
        app_only().token(client)
    error = caught.value
    assert error.message.startswith('Microsoft Entra ID token request (app-only) for tenant contoso.onmicrosoft.com failed: HTTP 401')
    assert error.error_code is None or isinstance(error.error_code, str)


def test_a_secret_echoed_url_encoded_in_error_description_is_masked():
    secret = 'sec+ret/VALUE=1234&x'
    auth = ClientCredentialsAuth('https://login.example.test', 'contoso.onmicrosoft.com', 'cid', secret, 'res')
    from urllib.parse import quote_plus  # pylint: disable=import-outside-toplevel
    client = FakeClient([answer(401, {'error': 'invalid_client',
                                      'error_description': 'AADSTS7000215: bad client_secret %s' % quote_plus(secret)})])
    with pytest.raises(TokenRequestError) as caught:
        auth.token(client)
    assert 'VALUE' not in caught.value.message and 'VALUE' not in caught.value.error_description


def test_a_refresh_grant_keeps_the_rotated_refresh_token_as_a_secret():
    client = FakeClient([answer(200, {'access_token': 'access-token-VALUE-0001', 'refresh_token': 'rotated-refresh-VALUE-0002',
                                      'expires_in': '3599'})])
    auth = RefreshTokenAuth('https://login.example.test', 'contoso.onmicrosoft.com', 'cid', 'old-refresh-VALUE-0001', 'res')
    auth.token(client)
    assert auth.rotated_refresh_token == 'rotated-refresh-VALUE-0002'
    assert 'rotated-refresh-VALUE-0002' in client.secrets


HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash\n'


def test_a_repeated_column_is_refused_naming_it():
    with pytest.raises(DeviceListError) as caught:
        read_autopilot_csv('Device Serial Number,Windows Product ID,Hardware Hash,hardware hash\nS1,,%s,%s\n' % (HASH, HASH))
    assert caught.value.problems == ['the CSV has a header that names the column Hardware Hash more than once: keep one of each']


@pytest.mark.parametrize('cell', ['S1\x00', 'S\x01X', 'S1\x7f', '"S1\rX"'])
def test_control_characters_in_a_csv_are_refused_naming_the_row(cell):
    with pytest.raises(DeviceListError) as caught:
        read_autopilot_csv(HEADER + 'S0,,%s\n%s,,%s\n' % (HASH, cell, HASH))
    problem = caught.value.problems[0]
    # A quoted field with a line break ends on the next line: the row is named by the line it ends on.
    assert problem.startswith(('the CSV line 3: ', 'the CSV line 4: '))
    assert problem.endswith('serial_number holds a control character (such as NUL or a line break), which no device field may hold')


def test_control_characters_in_a_device_list_are_refused():
    with pytest.raises(DeviceListError) as caught:
        read_device_list([{'product_key': 'AAAAA-\x00'}, {'model_name': 'M\n1', 'serial_number': 'S'}])
    assert [problem.split(':')[0] for problem in caught.value.problems] == ['devices[0]', 'devices[1]']


def test_a_fifo_is_refused_without_blocking(tmp_path):
    path = str(tmp_path / 'devices.csv')
    os.mkfifo(path)
    with pytest.raises(DeviceListError) as caught:
        read_csv_file(path)
    assert caught.value.problems == ['csv_path devices.csv is a FIFO (named pipe), not a regular file: give the path of a CSV file']


def test_a_directory_and_a_device_are_refused(tmp_path):
    with pytest.raises(DeviceListError) as caught:
        read_csv_file(str(tmp_path))
    assert 'is a directory' in caught.value.problems[0]
    with pytest.raises(DeviceListError) as caught:
        read_csv_file('/dev/null')
    assert 'is a character device' in caught.value.problems[0]


def test_a_regular_file_is_read(tmp_path):
    path = tmp_path / 'devices.csv'
    path.write_bytes(b'\xef\xbb\xbf' + HEADER.encode() + b'S1,,' + HASH.encode() + b'\n')
    assert read_csv_file(str(path)).startswith('Device Serial Number')
