# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (Hypothesis) of what a hostile server or a careless user can hand the collection.

Whatever the token answer, the response body or the CSV, the outcome is a value or one of the
collection's own exceptions, never another Python exception; and a secret never survives redaction.
"""

import base64
import json
import urllib.parse

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ClientCredentialsAuth, token_lifetime
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.device_input import DeviceListError, read_autopilot_csv
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    REDACTED,
    PartnerCenterError,
    redact,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
TOKEN_KEYS = ('access_token', 'expires_in', 'refresh_token', 'error', 'error_description', 'error_codes', 'trace_id',
              'correlation_id', 'token_type')


class FakeClient:
    def __init__(self, response):
        self.response = response
        self.secrets = set()

    def post_form(self, url, form):
        return self.response

    def redact(self, text):
        return redact(text, self.secrets)


@SETTINGS
@given(status=st.sampled_from([200, 400, 401, 500, 503]),
       payload=st.dictionaries(st.sampled_from(TOKEN_KEYS), JSON, max_size=6) | JSON)
def test_any_token_answer_gives_a_token_or_a_clear_error(status, payload):
    body = json.dumps(payload, allow_nan=True).encode()
    auth = ClientCredentialsAuth('https://login.example.test', 'contoso.onmicrosoft.com', 'cid', 'secret-VALUE-1234', 'res')
    try:
        token = auth.token(FakeClient(Response(status, None, {}, body)))
    except PartnerCenterError as error:
        assert isinstance(error.message, str) and error.message
        assert error.error_code is None or isinstance(error.error_code, str)
    else:
        assert isinstance(token, str) and token
        assert isinstance(auth.expires_in, int) and 0 < auth.expires_in <= 86400


@SETTINGS
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True, allow_infinity=True), JSON))
def test_token_lifetime_is_always_a_bounded_int(value):
    lifetime = token_lifetime(value)
    assert isinstance(lifetime, int) and 0 < lifetime <= 86400


@SETTINGS
@given(status=st.sampled_from([200, 400, 403, 404, 429, 500]), body=st.binary(max_size=300) | JSON.map(
    lambda value: json.dumps(value, allow_nan=True).encode()))
def test_any_body_is_read_or_refused_clearly(status, body):
    client = PartnerCenterClient('https://pc.example.test', None, retries=0, sleep=lambda s: None)
    client.auth = type('Auth', (), {'token': lambda self, c: 'tok-VALUE-123456789', 'renewable': False})()
    client._send_once = lambda *args: Response(status, None, {'Content-Type': 'application/json'}, body)
    try:
        client.get_json('/v1/x', 'x', shape=lambda value: {'status': value['status'].lower()})
    except PartnerCenterError as error:
        assert error.message and error.http_status == status
        assert error.error_code is None or isinstance(error.error_code, str)


@SETTINGS
@given(secret=st.text(min_size=4, max_size=40).filter(lambda s: s.strip()), prefix=st.text(max_size=20))
def test_redaction_masks_every_escaped_form(secret, prefix):
    forms = [secret, repr(secret), repr(secret.encode('utf-8', 'backslashreplace')), urllib.parse.quote(secret, safe=''),
             urllib.parse.quote_plus(secret), json.dumps(secret)]
    for form in forms:
        masked = redact(prefix + form + ' tail', {secret})
        assert REDACTED in masked
        # The mask itself may hold the secret ('****', '* ta'): look past it, as a reader would.
        placeholder = next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in secret)
        assert secret not in masked.replace(REDACTED, placeholder) or secret in prefix + ' tail'


def _character_references(secret, choices):
    """``secret`` with each character spelled as chosen: 0 as is, 1 decimal, 2 hexadecimal HTML reference, 3 JSON \\u escape."""
    spelled = []
    for char, choice in zip(secret, choices):
        if choice == 1:
            spelled.append('&#%d;' % ord(char))
        elif choice == 2:
            spelled.append('&#x%x;' % ord(char))
        elif choice == 3 and ord(char) < 0x10000:
            spelled.append('\\u%04x' % ord(char))
        else:
            spelled.append(char)
    return ''.join(spelled)


@SETTINGS
@given(secret=st.text(alphabet=st.characters(codec='utf-8', exclude_categories=['Cs']), min_size=8, max_size=40).filter(str.strip),
       client_id=st.text(alphabet=st.characters(codec='ascii'), max_size=40),
       choices=st.lists(st.integers(min_value=0, max_value=3), min_size=40, max_size=40),
       urlsafe=st.booleans())
def test_redaction_masks_base64_and_character_reference_forms(secret, client_id, choices, urlsafe):
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    basic = encode(('%s:%s' % (client_id, secret)).encode('utf-8')).decode('ascii')
    masked = redact('Authorization: %s was refused' % basic, {secret})
    # What is left of the base64 after masking no longer decodes to anything that holds the secret.
    for word in masked.replace(REDACTED, ' ').split():
        for candidate in (word, word.replace('-', '+').replace('_', '/')):
            try:
                assert secret.encode('utf-8') not in base64.b64decode(candidate + '=' * (-len(candidate) % 4))
            except ValueError:
                pass
    referenced = _character_references(secret, choices)
    masked = redact('<p>refused: %s</p>' % referenced, {secret})
    assert masked == '<p>refused: %s</p>' % REDACTED


CELL = st.text(alphabet=st.characters(codec='utf-8'), max_size=12)


@SETTINGS
@given(header=st.lists(st.sampled_from(['Device Serial Number', 'Windows Product ID', 'Hardware Hash', 'Manufacturer name',
                                        'Device model', 'Group Tag', 'hardware hash', '']), max_size=7),
       rows=st.lists(st.lists(CELL, max_size=8), max_size=5))
def test_any_csv_gives_devices_or_named_problems(header, rows):
    lines = [','.join(header)] + [','.join('"%s"' % cell.replace('"', '""') for cell in row) for row in rows]
    try:
        devices, origins, warnings = read_autopilot_csv('\n'.join(lines) + '\n')
    except DeviceListError as error:
        assert error.problems and all(isinstance(problem, str) for problem in error.problems)
    else:
        assert len(devices) == len(origins) and devices
        for device in devices:
            assert not any(value and any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value)
                           for value in device.values())
        assert isinstance(warnings, list)
