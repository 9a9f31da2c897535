# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of auth.py: choosing the credential kind, token requests, caching and Entra ID errors."""

import json
import urllib.parse

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    CLOUDS,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    ENV_VARS,
    EXPIRY_MARGIN_SECONDS,
    ClientCredentialsAuth,
    RefreshTokenAuth,
    StaticTokenAuth,
    auth_from_options,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    ApiError,
    CredentialError,
    ResponseError,
    TokenRequestError,
    redact,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_guid

AUTHORITY = 'https://login.example.test'
RESOURCE = 'https://api.partnercenter.microsoft.com'
TENANT_GUID = '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6'
TENANT_DOMAIN = 'contoso-partner.onmicrosoft.com'
CLIENT_ID = '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e'
CLIENT_SECRET = 'unit-client-secret-DO-NOT-LEAK-7Q2x'
REFRESH_TOKEN = 'unit-refresh-token-DO-NOT-LEAK-3Vb9'
ACCESS_TOKEN = 'unit-access-token-DO-NOT-LEAK-9Xy0'
T0 = 1700000000.0


def answer(status, payload=None, body=None, headers=None):
    """A scripted Response; ``payload`` is sent as JSON."""
    if payload is not None:
        body = json.dumps(payload).encode('utf-8')
        headers = dict(headers or {}, **{'Content-Type': 'application/json; charset=utf-8'})
    return Response(status, None, headers, body)


def token_answer(access_token=ACCESS_TOKEN, **extra):
    """A token endpoint success."""
    payload = {'token_type': 'Bearer', 'resource': RESOURCE, 'access_token': access_token}
    payload.update(extra)
    return answer(200, payload)


class FakeClient:
    """What the auth classes use of PartnerCenterClient: post_form, secrets and redact."""

    def __init__(self, script):
        self.script = list(script)
        self.posts = []
        self.secrets = set()

    def post_form(self, url, form):
        """Record the form and answer from the script."""
        self.posts.append((url, dict(form)))
        return self.script.pop(0)

    def redact(self, text):
        """Mask the known secrets, as PartnerCenterClient does."""
        return redact(text, self.secrets)


class Clock:  # pylint: disable=too-few-public-methods
    """A settable clock."""

    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


def options(**given):
    """Module-style options: every shared credential option present, None unless given."""
    result = dict((name, None) for name in ENV_VARS)
    result.update(authority_url=AUTHORITY, resource=RESOURCE)
    result.update(given)
    return result


def app_only(clock=None, tenant=TENANT_DOMAIN):
    """A ClientCredentialsAuth for the unit tenant."""
    return ClientCredentialsAuth(AUTHORITY, tenant, CLIENT_ID, CLIENT_SECRET, RESOURCE, clock=clock or Clock())


# -- choosing the credential kind ------------------------------------------------------------------


def test_access_token_wins_over_everything():
    auth = auth_from_options(options(access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN,
                                     client_secret=CLIENT_SECRET, client_id=CLIENT_ID, tenant_id=TENANT_GUID))
    assert isinstance(auth, StaticTokenAuth)
    assert auth.kind == 'access token'
    client = FakeClient([])
    assert auth.token(client) == ACCESS_TOKEN
    assert auth.token(client) == ACCESS_TOKEN
    assert not client.posts
    assert auth.token_requests == 0


def test_access_token_alone_is_final():
    auth = auth_from_options(options(access_token=ACCESS_TOKEN))
    assert isinstance(auth, StaticTokenAuth)
    assert auth.renewable is False
    assert auth.token_requests == 0
    client = FakeClient([])
    auth.invalidate()
    assert auth.token(client) == ACCESS_TOKEN
    assert not client.posts


@pytest.mark.parametrize('given', [
    {'client_secret': CLIENT_SECRET, 'client_id': CLIENT_ID},
    {'client_secret': CLIENT_SECRET, 'tenant_id': TENANT_GUID},
    {'refresh_token': REFRESH_TOKEN, 'tenant_id': TENANT_GUID},
    {'client_id': CLIENT_ID, 'tenant_id': TENANT_GUID},
])
def test_access_token_with_incomplete_credentials_is_final(given):
    auth = auth_from_options(options(access_token=ACCESS_TOKEN, **given))
    assert isinstance(auth, StaticTokenAuth)
    assert auth.renewable is False


@pytest.mark.parametrize('given, grant_type', [
    ({'refresh_token': REFRESH_TOKEN, 'client_secret': CLIENT_SECRET}, 'refresh_token'),
    ({'refresh_token': REFRESH_TOKEN}, 'refresh_token'),
    ({'client_secret': CLIENT_SECRET}, 'client_credentials'),
])
def test_access_token_falls_back_to_credentials_once_rejected(given, grant_type):
    auth = auth_from_options(options(access_token=ACCESS_TOKEN, client_id=CLIENT_ID, tenant_id=TENANT_GUID, **given))
    assert auth.renewable is True
    client = FakeClient([token_answer('renewed-token-1111'), token_answer('renewed-token-2222')])
    assert auth.token(client) == ACCESS_TOKEN
    auth.invalidate()
    assert auth.token(client) == 'renewed-token-1111'
    assert auth.token(client) == 'renewed-token-1111'
    assert auth.token_requests == 1
    assert client.posts[0][0] == '%s/%s/oauth2/token' % (AUTHORITY, TENANT_GUID)
    assert client.posts[0][1]['grant_type'] == grant_type
    auth.invalidate()
    assert auth.token(client) == 'renewed-token-2222'
    assert auth.token_requests == 2


def test_refresh_token_wins_over_client_secret():
    auth = auth_from_options(options(refresh_token=REFRESH_TOKEN, client_secret=CLIENT_SECRET,
                                     client_id=CLIENT_ID, tenant_id=TENANT_GUID))
    assert isinstance(auth, RefreshTokenAuth)
    assert auth.renewable is True
    assert auth.kind == 'app+user'
    client = FakeClient([token_answer()])
    auth.token(client)
    assert client.posts[0][1]['grant_type'] == 'refresh_token'
    assert client.posts[0][1]['client_secret'] == CLIENT_SECRET


def test_client_secret_selects_app_only():
    auth = auth_from_options(options(client_secret=CLIENT_SECRET, client_id=CLIENT_ID, tenant_id=TENANT_GUID))
    assert isinstance(auth, ClientCredentialsAuth)
    assert auth.kind == 'app-only'
    assert auth.renewable is True
    assert auth.token_url == '%s/%s/oauth2/token' % (AUTHORITY, TENANT_GUID)


def test_no_credential_names_every_option_and_variable():
    with pytest.raises(CredentialError) as caught:
        auth_from_options(options(client_id=CLIENT_ID, tenant_id=TENANT_GUID))
    message = caught.value.message
    assert 'No Partner Center credential was given' in message
    assert 'access_token (PARTNER_CENTER_ACCESS_TOKEN)' in message
    assert 'refresh_token (PARTNER_CENTER_REFRESH_TOKEN)' in message
    assert 'client_secret (PARTNER_CENTER_CLIENT_SECRET)' in message


def test_empty_strings_are_not_credentials():
    with pytest.raises(CredentialError) as caught:
        auth_from_options(options(access_token='', refresh_token='', client_secret='', client_id=CLIENT_ID,
                                  tenant_id=TENANT_GUID))
    assert 'No Partner Center credential was given' in caught.value.message


@pytest.mark.parametrize('given, kind, missing, present', [
    ({'refresh_token': REFRESH_TOKEN}, 'app+user (refresh_token)', ['client_id', 'tenant_id'], []),
    ({'refresh_token': REFRESH_TOKEN, 'client_id': CLIENT_ID}, 'app+user (refresh_token)', ['tenant_id'], ['client_id']),
    ({'refresh_token': REFRESH_TOKEN, 'tenant_id': TENANT_GUID}, 'app+user (refresh_token)', ['client_id'], ['tenant_id']),
    ({'client_secret': CLIENT_SECRET}, 'app-only (client_secret)', ['client_id', 'tenant_id'], []),
    ({'client_secret': CLIENT_SECRET, 'client_id': CLIENT_ID}, 'app-only (client_secret)', ['tenant_id'], ['client_id']),
    ({'client_secret': CLIENT_SECRET, 'tenant_id': TENANT_DOMAIN, 'client_id': ''}, 'app-only (client_secret)',
     ['client_id'], ['tenant_id']),
])
def test_missing_pieces_name_option_and_variable(given, kind, missing, present):
    with pytest.raises(CredentialError) as caught:
        auth_from_options(options(**given))
    message = caught.value.message
    assert message.startswith('%s credentials also need: ' % kind)
    for name in missing:
        assert '%s (%s)' % (name, ENV_VARS[name]) in message
    for name in present:
        assert name not in message.split('need:')[1]
    assert CLIENT_SECRET not in message
    assert REFRESH_TOKEN not in message


def test_env_variable_names():
    assert ENV_VARS['tenant_id'] == 'PARTNER_CENTER_TENANT_ID'
    assert ENV_VARS['client_id'] == 'PARTNER_CENTER_CLIENT_ID'
    assert ENV_VARS['client_secret'] == 'PARTNER_CENTER_CLIENT_SECRET'
    assert ENV_VARS['refresh_token'] == 'PARTNER_CENTER_REFRESH_TOKEN'
    assert ENV_VARS['access_token'] == 'PARTNER_CENTER_ACCESS_TOKEN'


@pytest.mark.parametrize('tenant', [TENANT_GUID, TENANT_GUID.upper(), TENANT_DOMAIN, 'contoso.com',
                                    'sub-domain.contoso.co.uk'])
def test_tenant_as_guid_or_domain_is_accepted(tenant):
    auth = auth_from_options(options(client_secret=CLIENT_SECRET, client_id=CLIENT_ID, tenant_id=tenant))
    assert auth.tenant_id == tenant
    assert auth.token_url == '%s/%s/oauth2/token' % (AUTHORITY, tenant)


@pytest.mark.parametrize('tenant', ['contoso', 'not a tenant', '../common', 'contoso.onmicrosoft.com/x',
                                    '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f', 'https://contoso.com', '-bad.com',
                                    'a' * 250 + '.com', 'contoso.c'])
def test_junk_tenant_is_rejected(tenant):
    with pytest.raises(CredentialError) as caught:
        auth_from_options(options(client_secret=CLIENT_SECRET, client_id=CLIENT_ID, tenant_id=tenant))
    assert caught.value.message == ('tenant_id must be the partner tenant id (a GUID) or one of its domains '
                                    '(such as contoso.onmicrosoft.com), got %r.' % tenant)


@pytest.mark.parametrize('tenant', [TENANT_GUID + '\n', TENANT_DOMAIN + '\n'])
def test_tenant_with_trailing_newline_is_rejected(tenant):
    with pytest.raises(CredentialError):
        auth_from_options(options(client_secret=CLIENT_SECRET, client_id=CLIENT_ID, tenant_id=tenant))


@pytest.mark.parametrize('value, expected', [
    (TENANT_GUID, True),
    (TENANT_GUID.upper(), True),
    ('9c6f4a3e1b2d4c5e8f70a1b2c3d4e5f6', False),
    ('{9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6}', False),
    ('9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5fg', False),
    ('', False),
    (None, False),
])
def test_is_guid(value, expected):
    assert is_guid(value) is expected


def test_is_guid_rejects_trailing_newline():
    assert is_guid(TENANT_GUID + '\n') is False


# -- token requests ---------------------------------------------------------------------------------


def test_client_credentials_form():
    client = FakeClient([token_answer(expires_in='3599')])
    auth = ClientCredentialsAuth(AUTHORITY + '/', TENANT_DOMAIN, CLIENT_ID, CLIENT_SECRET, RESOURCE, clock=Clock())
    assert auth.token(client) == ACCESS_TOKEN
    assert client.posts == [(
        'https://login.example.test/contoso-partner.onmicrosoft.com/oauth2/token',
        {'grant_type': 'client_credentials', 'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET,
         'resource': RESOURCE},
    )]
    assert auth.token_requests == 1


def test_refresh_token_form_without_client_secret():
    client = FakeClient([token_answer()])
    auth = RefreshTokenAuth(AUTHORITY, TENANT_GUID, CLIENT_ID, REFRESH_TOKEN, RESOURCE, clock=Clock())
    auth.token(client)
    assert client.posts == [(
        'https://login.example.test/%s/oauth2/token' % TENANT_GUID,
        {'grant_type': 'refresh_token', 'client_id': CLIENT_ID, 'refresh_token': REFRESH_TOKEN, 'resource': RESOURCE},
    )]


def test_refresh_token_form_with_client_secret():
    client = FakeClient([token_answer()])
    auth = RefreshTokenAuth(AUTHORITY, TENANT_GUID, CLIENT_ID, REFRESH_TOKEN, RESOURCE, client_secret=CLIENT_SECRET,
                            clock=Clock())
    auth.token(client)
    assert client.posts[0][1] == {'grant_type': 'refresh_token', 'client_id': CLIENT_ID,
                                  'refresh_token': REFRESH_TOKEN, 'client_secret': CLIENT_SECRET, 'resource': RESOURCE}


def test_auth_from_options_passes_authority_and_resource():
    auth = auth_from_options(options(client_secret=CLIENT_SECRET, client_id=CLIENT_ID, tenant_id=TENANT_GUID,
                                     authority_url=CLOUDS['china']['authority_url'],
                                     resource=CLOUDS['china']['resource']))
    client = FakeClient([token_answer()])
    auth.token(client)
    assert client.posts[0][0] == 'https://login.chinacloudapi.cn/%s/oauth2/token' % TENANT_GUID
    assert client.posts[0][1]['resource'] == 'https://partner.partnercenterapi.microsoftonline.cn'


def test_clouds():
    assert CLOUDS['global'] == {'base_url': 'https://api.partnercenter.microsoft.com',
                                'authority_url': 'https://login.microsoftonline.com',
                                'resource': 'https://api.partnercenter.microsoft.com'}
    assert CLOUDS['china'] == {'base_url': 'https://partner.partnercenterapi.microsoftonline.cn',
                               'authority_url': 'https://login.chinacloudapi.cn',
                               'resource': 'https://partner.partnercenterapi.microsoftonline.cn'}


def test_tenant_is_quoted_in_token_url():
    auth = ClientCredentialsAuth(AUTHORITY, 'a/b c', CLIENT_ID, CLIENT_SECRET, RESOURCE)
    assert auth.token_url == AUTHORITY + '/a%2Fb%20c/oauth2/token'


def test_token_is_cached():
    client = FakeClient([token_answer(expires_in=3599)])
    auth = app_only()
    assert [auth.token(client) for call_number in range(5)] == [ACCESS_TOKEN] * 5
    assert len(client.posts) == 1
    assert auth.token_requests == 1
    assert ACCESS_TOKEN in client.secrets


def test_invalidate_forces_new_request():
    client = FakeClient([token_answer('token-one-1111'), token_answer('token-two-2222')])
    auth = app_only()
    assert auth.token(client) == 'token-one-1111'
    auth.invalidate()
    assert auth.token(client) == 'token-two-2222'
    assert auth.token(client) == 'token-two-2222'
    assert auth.token_requests == 2
    assert {'token-one-1111', 'token-two-2222'} <= client.secrets


@pytest.mark.parametrize('expires_in, lifetime', [
    ('3599', 3599),
    (3600, 3600),
    ('3600.0', 3600),
    (1800.5, 1800),
    (None, DEFAULT_TOKEN_LIFETIME_SECONDS),
    ('soon', DEFAULT_TOKEN_LIFETIME_SECONDS),
])
def test_renewal_near_expiry(expires_in, lifetime):
    extra = {} if expires_in is None else {'expires_in': expires_in}
    client = FakeClient([token_answer('token-one-1111', **extra), token_answer('token-two-2222')])
    clock = Clock()
    auth = app_only(clock)
    assert auth.token(client) == 'token-one-1111'
    clock.now = T0 + lifetime - EXPIRY_MARGIN_SECONDS - 1
    assert auth.token(client) == 'token-one-1111'
    assert len(client.posts) == 1
    clock.now = T0 + lifetime - EXPIRY_MARGIN_SECONDS
    assert auth.token(client) == 'token-two-2222'
    assert len(client.posts) == 2


def test_expiry_constants():
    assert EXPIRY_MARGIN_SECONDS == 300
    assert DEFAULT_TOKEN_LIFETIME_SECONDS == 3599


def test_missing_expires_in_uses_default_lifetime():
    client = FakeClient([token_answer('token-one-1111'), token_answer('token-two-2222')])
    clock = Clock()
    auth = app_only(clock)
    auth.token(client)
    clock.now = T0 + 3298
    assert auth.token(client) == 'token-one-1111'
    clock.now = T0 + 3299
    assert auth.token(client) == 'token-two-2222'


# -- token errors ---------------------------------------------------------------------------------------


def entra_error(error, description, codes, status=401):
    """An Entra ID error answer in its documented shape."""
    trace_id, correlation_id = 'trace-0001', 'corr-0001'
    return answer(status, {
        'error': error,
        'error_description': '%s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: 2024-05-01 10:00:00Z'
                             % (description, trace_id, correlation_id),
        'error_codes': codes,
        'timestamp': '2024-05-01 10:00:00Z',
        'trace_id': trace_id,
        'correlation_id': correlation_id,
        'error_uri': 'https://login.microsoftonline.com/error?code=%s' % codes[0],
    })


def test_entra_error_becomes_token_request_error():
    description = ('AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is '
                   'the client secret value, not the client secret ID.')
    client = FakeClient([entra_error('invalid_client', description, [7000215])])
    with pytest.raises(TokenRequestError) as caught:
        app_only().token(client)
    error = caught.value
    assert error.message == (
        'Microsoft Entra ID token request (app-only) for tenant %s failed: HTTP 401, invalid_client: %s '
        'Hint: client_secret is wrong: use the secret value, not the secret id, and check that it has not expired. '
        '[trace id trace-0001, correlation id corr-0001]' % (TENANT_DOMAIN, description))
    assert 'Trace ID:' not in error.message
    assert 'Timestamp' not in error.message
    assert error.http_status == 401
    assert error.error_code == 'invalid_client'
    assert error.error_description == description
    assert error.request_id == 'trace-0001'
    assert error.correlation_id == 'corr-0001'


@pytest.mark.parametrize('code, hint', [
    (7000222, 'client_secret has expired'),
    (700016, 'client_id is not an application known in this tenant'),
    (90002, 'tenant_id names no tenant'),
    (700082, 'the refresh token expired after 90 days unused'),
    (70000, 'the refresh token is invalid or revoked'),
    (50076, 'multi-factor authentication is required'),
    (500011, 'the Partner Center API is not known in this tenant or cloud'),
])
def test_aadsts_hints(code, hint):
    client = FakeClient([entra_error('invalid_grant', 'AADSTS%d: something.' % code, [code], status=400)])
    auth = RefreshTokenAuth(AUTHORITY, TENANT_GUID, CLIENT_ID, REFRESH_TOKEN, RESOURCE, clock=Clock())
    with pytest.raises(TokenRequestError) as caught:
        auth.token(client)
    assert 'Hint: %s' % hint in caught.value.message
    assert '(app+user) for tenant %s failed: HTTP 400, invalid_grant: AADSTS%d: something.' % (TENANT_GUID, code) \
        in caught.value.message


def test_unknown_aadsts_code_has_no_hint():
    client = FakeClient([entra_error('invalid_request', 'AADSTS1: odd.', [1], status=400)])
    with pytest.raises(TokenRequestError) as caught:
        app_only().token(client)
    assert 'Hint' not in caught.value.message
    assert caught.value.message.endswith('invalid_request: AADSTS1: odd. [trace id trace-0001, correlation id corr-0001]')


def test_token_error_without_ids():
    client = FakeClient([answer(400, {'error': 'unsupported_grant_type'})])
    with pytest.raises(TokenRequestError) as caught:
        app_only().token(client)
    assert caught.value.message == ('Microsoft Entra ID token request (app-only) for tenant %s failed: HTTP 400, '
                                    'unsupported_grant_type' % TENANT_DOMAIN)
    assert caught.value.error_description is None
    assert caught.value.request_id is None


def test_token_error_with_non_json_body():
    client = FakeClient([answer(502, body=b'<html>Bad Gateway</html>', headers={'Content-Type': 'text/html'})])
    with pytest.raises(TokenRequestError) as caught:
        app_only().token(client)
    assert caught.value.http_status == 502
    assert 'HTTP 502 with a body that is not JSON (content type text/html' in caught.value.message
    assert '<html>Bad Gateway</html>' in caught.value.message


def test_token_error_masks_echoed_credential_fields():
    body = answer(400, {'error': 'invalid_request',
                        'error_description': 'AADSTS900144: bad body client_secret=%s&refresh_token=%s' % (
                            CLIENT_SECRET, REFRESH_TOKEN)})
    client = FakeClient([body])
    auth = RefreshTokenAuth(AUTHORITY, TENANT_GUID, CLIENT_ID, REFRESH_TOKEN, RESOURCE, client_secret=CLIENT_SECRET,
                            clock=Clock())
    with pytest.raises(TokenRequestError) as caught:
        auth.token(client)
    for text in (caught.value.message, caught.value.error_description):
        assert CLIENT_SECRET not in text
        assert REFRESH_TOKEN not in text
        assert 'client_secret=********&refresh_token=********' in text


def test_token_error_masks_secrets_known_to_the_client():
    client = FakeClient([entra_error('invalid_client', 'AADSTS7000215: Invalid client secret %s.' % CLIENT_SECRET,
                                     [7000215])])
    client.secrets.add(CLIENT_SECRET)
    with pytest.raises(TokenRequestError) as caught:
        app_only().token(client)
    assert CLIENT_SECRET not in caught.value.message
    assert caught.value.error_description == 'AADSTS7000215: Invalid client secret ********.'


@pytest.mark.parametrize('echoed', [CLIENT_SECRET, REFRESH_TOKEN])
def test_token_error_never_shows_credentials_echoed_raw(monkeypatch, echoed):
    client = PartnerCenterClient('https://pc.example.test', None, sleep=lambda _: None, rand=lambda: 0.0)
    monkeypatch.setattr(client, '_send_once', lambda *_: answer(
        400, {'error': 'invalid_grant', 'error_description': "AADSTS70000: credential '%s' is invalid." % echoed}))
    auth = RefreshTokenAuth(AUTHORITY, TENANT_GUID, CLIENT_ID, REFRESH_TOKEN, RESOURCE, client_secret=CLIENT_SECRET)
    with pytest.raises(TokenRequestError) as caught:
        auth.token(client)
    assert echoed not in caught.value.message
    assert echoed not in caught.value.error_description


def test_success_without_access_token_is_response_error():
    client = FakeClient([answer(200, {'token_type': 'Bearer', 'expires_in': '3599'})])
    with pytest.raises(ResponseError) as caught:
        app_only().token(client)
    assert caught.value.message == ('Microsoft Entra ID token request (app-only) for tenant %s: HTTP 200 without '
                                    'an access_token (keys: expires_in, token_type)' % TENANT_DOMAIN)


@pytest.mark.parametrize('payload, shown', [({'access_token': ''}, 'without an access_token (keys: access_token)'),
                                            ({'access_token': 12345}, 'without an access_token (keys: access_token)'),
                                            (['x'], 'with a JSON list instead of an object')])
def test_unusable_access_token_is_response_error(payload, shown):
    client = FakeClient([answer(200, payload)])
    with pytest.raises(ResponseError) as caught:
        app_only().token(client)
    assert caught.value.message.endswith('HTTP 200 %s' % shown)


def test_success_with_non_json_body_is_response_error():
    client = FakeClient([answer(200, body=b'<html>login</html>', headers={'Content-Type': 'text/html'})])
    with pytest.raises(ResponseError) as caught:
        app_only().token(client)
    assert caught.value.message.startswith('Microsoft Entra ID token request (app-only) for tenant %s: HTTP 200 with '
                                           'a body that is not JSON (content type text/html' % TENANT_DOMAIN)


# -- with the real client ----------------------------------------------------------------------------


class Transport:  # pylint: disable=too-few-public-methods
    """Replaces PartnerCenterClient._send_once with scripted answers."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = []

    def __call__(self, method, url, headers, body):
        self.calls.append((method, url, dict(headers), body))
        return self.script.pop(0)


def real_client(monkeypatch, auth, script):
    """A PartnerCenterClient whose transport is scripted; returns (client, transport, sleeps)."""
    sleeps = []
    client = PartnerCenterClient('https://pc.example.test', auth, sleep=sleeps.append, rand=lambda: 1.0)
    transport = Transport(script)
    monkeypatch.setattr(client, '_send_once', transport)
    return client, transport, sleeps


def test_real_client_posts_urlencoded_form_and_uses_token(monkeypatch):
    auth = app_only()
    client, transport, unused_sleeps = real_client(monkeypatch, auth, [token_answer(expires_in='3599'), answer(200, {'a': 1}),
                                                                       answer(200, {'a': 2})])
    assert client.get_json('/v1/x', 'x') == {'a': 1}
    assert client.get_json('/v1/y', 'y') == {'a': 2}
    method, url, headers, body = transport.calls[0]
    assert (method, url) == ('POST', 'https://login.example.test/%s/oauth2/token' % TENANT_DOMAIN)
    assert 'Authorization' not in headers
    assert urllib.parse.parse_qs(body.decode('ascii')) == {
        'grant_type': ['client_credentials'], 'client_id': [CLIENT_ID], 'client_secret': [CLIENT_SECRET],
        'resource': [RESOURCE]}
    assert [call[2]['Authorization'] for call in transport.calls[1:]] == ['Bearer ' + ACCESS_TOKEN] * 2
    assert auth.token_requests == 1


def test_real_client_renews_token_once_on_401(monkeypatch):
    auth = app_only()
    client, transport, sleeps = real_client(monkeypatch, auth, [
        token_answer('token-one-1111'), answer(401), token_answer('token-two-2222'), answer(200, {'ok': True})])
    assert client.get_json('/v1/x', 'x') == {'ok': True}
    assert auth.token_requests == 2
    assert [call[2].get('Authorization') for call in transport.calls] == [
        None, 'Bearer token-one-1111', None, 'Bearer token-two-2222']
    assert transport.calls[1][2]['MS-RequestId'] == transport.calls[3][2]['MS-RequestId']
    assert not sleeps


def test_real_client_second_401_is_final(monkeypatch):
    auth = app_only()
    client, transport, unused_sleeps = real_client(monkeypatch, auth, [
        token_answer('token-one-1111'), answer(401), token_answer('token-two-2222'),
        answer(401, {'code': 'Unauthorized', 'description': 'token-two-2222 is not allowed'})])
    with pytest.raises(ApiError) as caught:
        client.get_json('/v1/x', 'x')
    assert caught.value.http_status == 401
    assert auth.token_requests == 2
    assert len(transport.calls) == 4
    assert 'token-two-2222' not in caught.value.message
    assert 'Admin agent or Sales agent role' in caught.value.message


def test_real_client_access_token_fallback_on_401(monkeypatch):
    auth = auth_from_options(options(access_token=ACCESS_TOKEN, client_secret=CLIENT_SECRET, client_id=CLIENT_ID,
                                     tenant_id=TENANT_GUID))
    client, transport, sleeps = real_client(monkeypatch, auth, [
        answer(401), token_answer('fresh-token-3333'), answer(200, {'ok': 1})])
    assert client.get_json('/v1/x', 'x') == {'ok': 1}
    assert [call[2].get('Authorization') for call in transport.calls] == [
        'Bearer ' + ACCESS_TOKEN, None, 'Bearer fresh-token-3333']
    assert transport.calls[1][1] == '%s/%s/oauth2/token' % (AUTHORITY, TENANT_GUID)
    assert auth.token_requests == 1
    assert not sleeps


def test_real_client_access_token_fallback_second_401_is_final(monkeypatch):
    auth = auth_from_options(options(access_token=ACCESS_TOKEN, client_secret=CLIENT_SECRET, client_id=CLIENT_ID,
                                     tenant_id=TENANT_GUID))
    client, transport, unused_sleeps = real_client(monkeypatch, auth, [answer(401), token_answer('fresh-token-3333'), answer(401)])
    with pytest.raises(ApiError) as caught:
        client.get_json('/v1/x', 'x')
    assert caught.value.http_status == 401
    assert len(transport.calls) == 3
    assert auth.token_requests == 1


def test_real_client_retries_token_endpoint_throttling(monkeypatch):
    auth = app_only()
    client, transport, sleeps = real_client(monkeypatch, auth, [
        answer(503), token_answer(), answer(200, {'ok': 1})])
    assert client.get_json('/v1/x', 'x') == {'ok': 1}
    assert sleeps == [1.0]
    assert transport.calls[0][2]['MS-RequestId'] == transport.calls[1][2]['MS-RequestId']
    assert auth.token_requests == 1
