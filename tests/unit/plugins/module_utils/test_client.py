# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of client.py: headers, retries and backoff, token renewal, errors and redaction.

The transport is replaced by faking the instance method ``_send_once``; waits are recorded
through the client's ``sleep`` and ``rand`` seams, so nothing sleeps and nothing goes on the network.
"""

import email.utils
import json
import time
import urllib.parse
import uuid

import pytest

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.api_errors import mfa_required
from ansible_collections.partnercenter.devices.plugins.module_utils.client import (
    COLLECTION_NAME,
    COLLECTION_VERSION,
    PartnerCenterClient,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    ApiError,
    ResponseError,
    TransportError,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.retry_policy import MAX_RETRY_WAIT, parse_retry_after

BASE_URL = 'https://pc.example.test'
PATH = '/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932'
TOKEN = 'static-access-token-VALUE-1234'
CORRELATION_ID = '11111111-2222-4333-8444-555555555555'


def is_uuid(value):
    """True for a GUID in its 8-4-4-4-12 form."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (TypeError, ValueError, AttributeError):
        return False


def answer(status, payload=None, headers=None, body=None):
    """A scripted Response; ``payload`` is sent as JSON."""
    headers = dict(headers or {})
    if payload is not None:
        body = json.dumps(payload).encode('utf-8')
        headers.setdefault('Content-Type', 'application/json; charset=utf-8')
    return Response(status, None, headers, body)


class FakeTransport:
    """Replaces ``_send_once``: answers from a script and records every request."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = []

    def __call__(self, method, url, headers, body):
        self.calls.append({'method': method, 'url': url, 'headers': dict(headers), 'body': body})
        if not self.script:
            raise AssertionError('unexpected request %s %s' % (method, url))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def header(self, name, index=-1):
        """Header ``name`` of request number ``index``."""
        return self.calls[index]['headers'].get(name)

    def request_ids(self):
        """The MS-RequestId of every request, in order."""
        return [call['headers']['MS-RequestId'] for call in self.calls]


class FakeAuth:
    """A renewable credential that hands out the next token after each invalidate()."""

    renewable = True

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.invalidations = 0
        self.token_calls = 0

    def token(self, poster):
        """The current token."""
        # Credentials get a way to post a form and the secrets to mask, not the client.
        assert not isinstance(poster, PartnerCenterClient)
        assert callable(poster.post_form) and isinstance(poster.secrets, set)
        self.token_calls += 1
        return self.tokens[min(self.invalidations, len(self.tokens) - 1)]

    def invalidate(self):
        """Move on to the next token."""
        self.invalidations += 1


class Harness:  # pylint: disable=too-few-public-methods
    """A client wired to a fake transport, recording sleeps and warnings."""

    def __init__(self, monkeypatch, script, auth=None, rand=1.0, **kwargs):
        self.sleeps = []
        self.warnings = []
        self.transport = FakeTransport(script)
        self.client = PartnerCenterClient(
            kwargs.pop('base_url', BASE_URL), auth or StaticTokenAuth(TOKEN),
            warn=self.warnings.append, sleep=self.sleeps.append, rand=lambda: rand, **kwargs)
        monkeypatch.setattr(self.client, '_send_once', self.transport)


@pytest.fixture(name='make')
def make_fixture(monkeypatch):
    """``make(script, **client_kwargs)`` -> Harness."""
    def build(script, **kwargs):
        return Harness(monkeypatch, script, **kwargs)
    return build


# -- headers ------------------------------------------------------------------------------------


def test_documented_headers(make):
    harness = make([answer(200, {'ok': True})], correlation_id=CORRELATION_ID, locale='fr-FR')
    assert harness.client.get_json(PATH, 'status') == {'ok': True}
    call = harness.transport.calls[0]
    assert call['method'] == 'GET'
    assert call['url'] == BASE_URL + PATH
    assert call['body'] is None
    headers = call['headers']
    assert headers['Accept'] == 'application/json'
    assert is_uuid(headers['MS-RequestId'])
    assert headers['MS-CorrelationId'] == CORRELATION_ID
    assert headers['X-Locale'] == 'fr-FR'
    assert headers['Authorization'] == 'Bearer ' + TOKEN
    assert headers['MS-Contract-Version'] == 'v1'
    assert headers['MS-PartnerCenter-Application'] == 'partnercenter.devices'
    assert headers['User-Agent'] == 'partnercenter.devices/%s (ansible-core/%s)' % (
        COLLECTION_VERSION, ANSIBLE_CORE_VERSION)
    assert 'Content-Type' not in headers


def test_user_agent_names_collection():
    assert COLLECTION_NAME == 'partnercenter.devices'


def test_default_locale_and_generated_correlation_id(make):
    harness = make([answer(200, {}), answer(200, {})])
    harness.client.get_json(PATH, 'first')
    harness.client.get_json(PATH, 'second')
    correlation_ids = [call['headers']['MS-CorrelationId'] for call in harness.transport.calls]
    assert is_uuid(correlation_ids[0])
    assert correlation_ids == [harness.client.correlation_id] * 2
    assert harness.transport.header('X-Locale') == 'en-US'


def test_each_client_generates_its_own_correlation_id():
    first = PartnerCenterClient(BASE_URL, StaticTokenAuth(TOKEN))
    second = PartnerCenterClient(BASE_URL, StaticTokenAuth(TOKEN))
    assert is_uuid(first.correlation_id) and is_uuid(second.correlation_id)
    assert first.correlation_id != second.correlation_id


def test_new_request_id_for_each_request(make):
    harness = make([answer(200, {}), answer(200, {}), answer(200, {})])
    for request_number in range(3):
        harness.client.get_json(PATH, 'x')
    ids = harness.transport.request_ids()
    assert all(is_uuid(value) for value in ids)
    assert len(set(ids)) == 3


def test_request_with_body_sends_content_type(make):
    harness = make([answer(202, headers={'Location': '/customers/c/batchJobStatus/t'})])
    response = harness.client.request('POST', '/v1/customers/c/deviceBatches', body={'batchId': 'b'},
                                      expected=(202,), headers={'MS-ContinuationToken': 'next'})
    assert response.status == 202
    assert response.header('location') == '/customers/c/batchJobStatus/t'
    call = harness.transport.calls[0]
    assert call['method'] == 'POST'
    assert call['body'] == b'{"batchId":"b"}'
    assert call['headers']['Content-Type'] == 'application/json'
    assert call['headers']['MS-ContinuationToken'] == 'next'


def test_unexpected_success_status_is_an_error(make):
    harness = make([answer(200, {})])
    with pytest.raises(ApiError) as caught:
        harness.client.request('POST', '/v1/x', body={}, expected=(202,))
    assert caught.value.http_status == 200


def test_base_url_trailing_slash(make):
    harness = make([answer(200, {})], base_url=BASE_URL + '/')
    harness.client.get_json('/v1/x', 'x')
    assert harness.transport.calls[0]['url'] == BASE_URL + '/v1/x'


def test_post_form_is_unauthenticated_and_form_encoded(make):
    auth = FakeAuth(['should-not-be-used'])
    harness = make([answer(400, {'error': 'invalid_grant'})], auth=auth)
    form = {'grant_type': 'client_credentials', 'client_id': 'app', 'resource': 'https://r.example/'}
    response = harness.client.post_form('https://login.example.test/tenant/oauth2/token', form)
    assert response.status == 400
    assert auth.token_calls == 0
    call = harness.transport.calls[0]
    assert call['method'] == 'POST'
    assert call['url'] == 'https://login.example.test/tenant/oauth2/token'
    assert urllib.parse.parse_qs(call['body'].decode('ascii')) == {
        'grant_type': ['client_credentials'], 'client_id': ['app'], 'resource': ['https://r.example/']}
    assert call['headers']['Content-Type'] == 'application/x-www-form-urlencoded'
    assert 'Authorization' not in call['headers']
    assert is_uuid(call['headers']['MS-RequestId'])


# -- retries ------------------------------------------------------------------------------------


@pytest.mark.parametrize('status', [429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(make, status):
    harness = make([answer(status), answer(status), answer(200, {'ok': 1})])
    assert harness.client.get_json(PATH, 'x') == {'ok': 1}
    assert len(harness.transport.calls) == 3
    assert harness.sleeps == [1.0, 2.0]
    assert len(harness.warnings) == 2
    assert all('HTTP %d' % status in warning for warning in harness.warnings)


@pytest.mark.parametrize('status', [429, 503])
def test_retries_spent_gives_final_error(make, status):
    harness = make([answer(status)] * 4, retries=3)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.http_status == status
    assert len(harness.transport.calls) == 4
    assert harness.sleeps == [1.0, 2.0, 4.0]
    assert caught.value.message.endswith('after 4 attempts')
    assert len(harness.warnings) == 3


def test_retryable_transport_error_is_retried(make):
    harness = make([TransportError('pc.example.test did not answer within 30 s (timeout)'), answer(200, {'a': 1})])
    assert harness.client.get_json(PATH, 'x') == {'a': 1}
    assert len(harness.transport.calls) == 2
    assert harness.sleeps == [1.0]
    assert harness.warnings == ['GET %s: pc.example.test did not answer within 30 s (timeout); retry 1 of 5 in 1.0 s'
                                % PATH]


def test_transport_error_after_retries_spent(make):
    harness = make([TransportError('pc.example.test refused the connection') for attempt in range(3)], retries=2,
                   correlation_id=CORRELATION_ID)
    with pytest.raises(TransportError) as caught:
        harness.client.get_json(PATH, 'x')
    assert len(harness.transport.calls) == 3
    assert harness.sleeps == [1.0, 2.0]
    assert caught.value.message == 'GET %s failed: pc.example.test refused the connection (after 2 retries)' % PATH
    assert caught.value.request_id == harness.transport.request_ids()[0]
    assert caught.value.correlation_id == CORRELATION_ID


def test_non_retryable_transport_error_is_raised_at_once(make):
    harness = make([TransportError('cannot resolve pc.example.test: nodename nor servname', retryable=False)])
    with pytest.raises(TransportError) as caught:
        harness.client.get_json(PATH, 'x')
    assert len(harness.transport.calls) == 1
    assert harness.sleeps == []
    assert harness.warnings == []
    assert caught.value.message == 'GET %s failed: cannot resolve pc.example.test: nodename nor servname' % PATH
    assert caught.value.request_id == harness.transport.request_ids()[0]
    assert caught.value.correlation_id == harness.client.correlation_id


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409])
def test_client_errors_are_never_retried(make, status):
    harness = make([answer(status, {'code': 1000, 'description': 'no'}), answer(200, {})])
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.http_status == status
    assert len(harness.transport.calls) == 1
    assert harness.sleeps == []
    assert harness.warnings == []
    assert 'after' not in caught.value.message.split(']')[-1]


def test_same_request_id_on_every_attempt_and_new_one_next(make):
    harness = make([answer(503), TransportError('reset'), answer(429), answer(200, {}), answer(200, {})])
    harness.client.get_json(PATH, 'first')
    harness.client.get_json(PATH, 'second')
    ids = harness.transport.request_ids()
    assert len(ids) == 5
    assert ids[0] == ids[1] == ids[2] == ids[3]
    assert ids[4] != ids[0]
    assert is_uuid(ids[4])


def test_retries_zero_means_one_attempt(make):
    harness = make([answer(503), answer(200, {})], retries=0)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.http_status == 503
    assert len(harness.transport.calls) == 1
    assert harness.sleeps == []
    assert harness.warnings == []


def test_retries_zero_transport_error(make):
    harness = make([TransportError('reset')], retries=0)
    with pytest.raises(TransportError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.message == 'GET %s failed: reset' % PATH
    assert len(harness.transport.calls) == 1
    assert harness.sleeps == []


def test_backoff_schedule_full_jitter_upper_bound(make):
    harness = make([answer(503)] * 8, retries=7)
    with pytest.raises(ApiError):
        harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]


def test_backoff_schedule_default_retries(make):
    harness = make([answer(502)] * 6)
    with pytest.raises(ApiError):
        harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert len(harness.transport.calls) == 6


def test_backoff_schedule_half_jitter(make):
    harness = make([answer(500)] * 5 + [answer(200, {})], rand=0.5)
    harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_backoff_draws_rand_for_each_wait(monkeypatch):
    draws = iter([0.25, 0.75, 0.1])
    sleeps = []
    client = PartnerCenterClient(BASE_URL, StaticTokenAuth(TOKEN), sleep=sleeps.append, rand=lambda: next(draws))
    monkeypatch.setattr(client, '_send_once', FakeTransport([answer(503)] * 3 + [answer(200, {})]))
    client.get_json(PATH, 'x')
    assert sleeps == [0.25, 1.5, 0.4]


def test_one_warning_per_retry_names_status_and_wait(make):
    harness = make([answer(503), answer(429), answer(200, {})], rand=0.5)
    harness.client.get_json(PATH, 'x')
    assert harness.warnings == [
        'GET %s: HTTP 503 Service Unavailable; retry 1 of 5 in 0.5 s' % PATH,
        'GET %s: HTTP 429 Too Many Requests; retry 2 of 5 in 1.0 s' % PATH,
    ]


# -- Retry-After --------------------------------------------------------------------------------


@pytest.mark.parametrize('value, expected', [('7', 7.0), ('0', 0.0), ('2.5', 2.5), (' 12 ', 12.0),
                                             ('3600', MAX_RETRY_WAIT)])
def test_retry_after_seconds(make, value, expected):
    harness = make([answer(429, headers={'Retry-After': value}), answer(200, {})], rand=0.0)
    harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [expected]
    assert harness.warnings == ['GET %s: HTTP 429 Too Many Requests; retry 1 of 5 in %.1f s (Retry-After)'
                                % (PATH, expected)]


def test_max_retry_wait():
    assert MAX_RETRY_WAIT == 60.0


def test_retry_after_header_name_is_case_insensitive(make):
    harness = make([answer(503, headers={'retry-after': '9'}), answer(200, {})])
    harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [9.0]


def test_retry_after_http_date(make):
    moment = email.utils.formatdate(time.time() + 30, usegmt=True)
    harness = make([answer(429, headers={'Retry-After': moment}), answer(200, {})], rand=0.0)
    harness.client.get_json(PATH, 'x')
    assert len(harness.sleeps) == 1
    assert 27.0 <= harness.sleeps[0] <= 30.0


@pytest.mark.parametrize('offset, expected', [(-3600, 0.0), (86400, MAX_RETRY_WAIT)])
def test_retry_after_http_date_past_and_far_future(make, offset, expected):
    moment = email.utils.formatdate(time.time() + offset, usegmt=True)
    harness = make([answer(503, headers={'Retry-After': moment}), answer(200, {})], rand=0.9)
    harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [expected]


def test_garbage_retry_after_falls_back_to_backoff(make):
    harness = make([answer(429, headers={'Retry-After': 'soon'}), answer(200, {})], rand=1.0)
    harness.client.get_json(PATH, 'x')
    assert harness.sleeps == [1.0]
    assert '(Retry-After)' not in harness.warnings[0]


NOW = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT


@pytest.mark.parametrize('value, expected', [
    ('120', 120.0),
    ('0', 0.0),
    ('1.5', 1.5),
    ('-5', 0.0),
    (30, 30.0),
    ('Wed, 21 Oct 2015 07:28:00 GMT', 0.0),
    ('Wed, 21 Oct 2015 07:28:45 GMT', 45.0),
    ('Wed, 21 Oct 2015 07:27:00 GMT', 0.0),
    ('Tue, 20 Oct 2015 07:28:00 GMT', 0.0),
    ('Thu, 22 Oct 2015 07:28:00 GMT', 86400.0),
    ('garbage', None),
    ('Wed, 99 Foo 2015', None),
    ('', None),
    ('   ', None),
    (None, None),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_parse_retry_after_uses_current_time():
    result = parse_retry_after(email.utils.formatdate(time.time() + 100, usegmt=True))
    assert 98.0 <= result <= 100.0


# -- token renewal on 401 -------------------------------------------------------------------------


def test_401_with_renewable_auth_renews_once_and_retries(make):
    auth = FakeAuth(['first-token-aaaa', 'second-token-bbbb'])
    harness = make([answer(401, {'code': 900, 'description': 'expired'}), answer(200, {'ok': 1})], auth=auth)
    assert harness.client.get_json(PATH, 'x') == {'ok': 1}
    assert auth.invalidations == 1
    assert [call['headers']['Authorization'] for call in harness.transport.calls] == [
        'Bearer first-token-aaaa', 'Bearer second-token-bbbb']
    ids = harness.transport.request_ids()
    assert ids[0] == ids[1]
    assert harness.sleeps == []
    assert harness.warnings == []


def test_second_401_is_an_api_error(make):
    auth = FakeAuth(['first-token-aaaa', 'second-token-bbbb', 'third-token-cccc'])
    harness = make([answer(401), answer(401), answer(200, {})], auth=auth)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.http_status == 401
    assert auth.invalidations == 1
    assert len(harness.transport.calls) == 2
    assert 'after 2 attempts' in caught.value.message  # the renewal's request counts
    assert harness.sleeps == []


def test_401_with_static_token_is_not_retried(make):
    harness = make([answer(401), answer(200, {})])
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.http_status == 401
    assert len(harness.transport.calls) == 1


def test_401_renewal_then_retryable_status(make):
    auth = FakeAuth(['first-token-aaaa', 'second-token-bbbb'])
    harness = make([answer(401), answer(503), answer(200, {'ok': 2})], auth=auth)
    assert harness.client.get_json(PATH, 'x') == {'ok': 2}
    assert auth.invalidations == 1
    assert harness.sleeps == [1.0]


class Clock:  # pylint: disable=too-few-public-methods
    """A monotonic clock the test moves."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_with_a_renewal_interval_a_later_401_renews_again_once_the_interval_is_over(make):
    clock = Clock()
    auth = FakeAuth(['token-%d-aaaaaaaa' % index for index in range(5)])
    harness = make([answer(401), answer(200, {'ok': 1}),       # renewed
                    answer(401), answer(200, {'ok': 2}),       # 61 s later: renewed again
                    answer(401),                               # 10 s later: not renewed, fails
                    answer(401), answer(200, {'ok': 3})],      # 61 s after the last renewal: renewed
                   auth=auth, renewal_interval=60, clock=clock)
    assert harness.client.get_json(PATH, 'x') == {'ok': 1}
    clock.now += 61
    assert harness.client.get_json(PATH, 'x') == {'ok': 2}
    clock.now += 10
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.http_status == 401
    clock.now += 51
    assert harness.client.get_json(PATH, 'x') == {'ok': 3}
    assert auth.invalidations == 3 and harness.client.token_renewals == 3


def test_without_a_renewal_interval_a_client_renews_once_in_its_life(make):
    clock = Clock()
    auth = FakeAuth(['first-token-aaaa', 'second-token-bbbb', 'third-token-cccc'])
    harness = make([answer(401), answer(200, {}), answer(401)], auth=auth, clock=clock)
    harness.client.get_json(PATH, 'x')
    clock.now += 3600
    with pytest.raises(ApiError):
        harness.client.get_json(PATH, 'x')
    assert auth.invalidations == 1


MFA_DESCRIPTION = 'Unauthorized: multi-factor authentication is required.'


@pytest.mark.parametrize('response', [
    answer(401, {'code': 900421, 'description': MFA_DESCRIPTION, 'data': [], 'source': 'PartnerFD'}),
    answer(401, {'code': '900421', 'description': MFA_DESCRIPTION}),
    answer(401, {'code': 401, 'description': 'AADSTS900421: MFA required for this call.'}),
    answer(401, {'statusCode': 401, 'message': 'Error code 900421: the token has no MFA claim.'}),
    answer(401, {'error': {'code': '900421', 'message': MFA_DESCRIPTION}}),
    answer(401, headers={'WWW-Authenticate': 'Bearer error="insufficient_claims", error_code="900421"'}),
    answer(401, body=b'<html>Unauthorized (900421)</html>', headers={'Content-Type': 'text/html'}),
], ids=['code-number', 'code-text', 'in-description', 'in-message', 'nested-error', 'www-authenticate', 'html'])
def test_401_code_900421_is_not_renewed_and_says_what_to_do(make, response):
    auth = FakeAuth(['first-token-aaaa', 'second-token-bbbb'])
    harness = make([response, answer(200, {})], auth=auth, correlation_id=CORRELATION_ID)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    error = caught.value
    assert auth.invalidations == 0 and len(harness.transport.calls) == 1
    assert error.http_status == 401 and error.error_code == '900421'
    assert 'code 900421' in error.message
    assert 'secure application model' in error.message and 'app-only' in error.message
    assert error.request_id in error.message and CORRELATION_ID in error.message
    assert 'Admin agent' not in error.message


@pytest.mark.parametrize('response', [
    answer(401, {'code': 9004210, 'description': 'another code'}),
    answer(403, {'code': 900421, 'description': 'a 403 is not the MFA refusal'}),
    answer(401, {'code': 400, 'description': 'Access denied: the bearer token has expired.'}),
], ids=['longer-number', 'status-403', 'expired'])
def test_other_refusals_are_not_taken_for_the_mfa_refusal(make, response):
    harness = make([response], retries=0)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert 'MFA claim' not in caught.value.message
    assert mfa_required(response) is False


# -- error messages ---------------------------------------------------------------------------------


def test_api_error_message_and_fields(make):
    body = {'code': 600, 'description': 'The customer was not found.', 'data': [], 'source': 'PartnerFD'}
    headers = {'MS-RequestId': 'resp-request-id', 'MS-CorrelationId': 'resp-correlation-id'}
    harness = make([answer(404, body, headers=headers)], correlation_id=CORRELATION_ID)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    error = caught.value
    assert error.message == (
        'Partner Center refused GET %s: HTTP 404 Not Found, code 600: The customer was not found. '
        '[MS-RequestId resp-request-id, MS-CorrelationId resp-correlation-id]' % PATH)
    assert error.http_status == 404
    assert error.error_code == '600'
    assert error.error_description == 'The customer was not found.'
    assert error.request_id == 'resp-request-id'
    assert error.correlation_id == 'resp-correlation-id'
    assert 'Admin agent' not in error.message


def test_api_error_ids_fall_back_to_those_sent(make):
    harness = make([answer(409, {'code': 'Conflict', 'description': 'exists'})], correlation_id=CORRELATION_ID)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    sent_request_id = harness.transport.request_ids()[0]
    assert caught.value.request_id == sent_request_id
    assert caught.value.correlation_id == CORRELATION_ID
    assert '[MS-RequestId %s, MS-CorrelationId %s]' % (sent_request_id, CORRELATION_ID) in caught.value.message
    assert 'code Conflict: exists' in caught.value.message


@pytest.mark.parametrize('status', [401, 403])
def test_auth_hint_on_401_and_403(make, status):
    harness = make([answer(status, {'code': 'Unauthorized', 'description': 'denied'})])
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    message = caught.value.message
    assert 'HTTP %d' % status in message
    assert 'Admin agent or Sales agent role' in message
    assert 'app-only' in message
    assert message.index('[MS-RequestId') < message.index('Admin agent')


@pytest.mark.parametrize('status', [400, 404, 409, 429, 500])
def test_no_auth_hint_on_other_statuses(make, status):
    harness = make([answer(status, {'code': 1, 'description': 'd'})], retries=0)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert 'Admin agent' not in caught.value.message


def test_throttle_body_is_reported(make):
    body = {'statusCode': 429, 'message': 'Rate limit is exceeded. Try again in 57 seconds.'}
    harness = make([answer(429, body, headers={'Retry-After': '57'})] * 2, retries=1)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    error = caught.value
    assert error.http_status == 429
    assert error.error_code == '429'
    assert error.error_description == 'Rate limit is exceeded. Try again in 57 seconds.'
    assert 'HTTP 429 Too Many Requests, code 429: Rate limit is exceeded. Try again in 57 seconds.' in error.message
    assert error.message.endswith('after 2 attempts')
    assert harness.sleeps == [57.0]


def test_error_with_non_json_body_shows_excerpt(make):
    harness = make([answer(502, body=b'<html>\n<body>Bad   gateway</body></html>',
                           headers={'Content-Type': 'text/html'})], retries=0)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert "HTTP 502 Bad Gateway (content type text/html, body '<html> <body>Bad gateway</body></html>')" \
        in caught.value.message
    assert caught.value.error_code is None


def test_error_without_body(make):
    harness = make([answer(404)], correlation_id=CORRELATION_ID)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert caught.value.message == 'Partner Center refused GET %s: HTTP 404 Not Found [MS-RequestId %s, ' \
        'MS-CorrelationId %s]' % (PATH, harness.transport.request_ids()[0], CORRELATION_ID)


def test_non_json_success_body_is_response_error(make):
    harness = make([answer(200, body=b'<html><body>Sign in</body></html>',
                           headers={'Content-Type': 'text/html; charset=utf-8', 'MS-RequestId': 'rid'})])
    with pytest.raises(ResponseError) as caught:
        harness.client.get_json(PATH, 'Partner Center GET batch')
    assert caught.value.message == ("Partner Center GET batch: HTTP 200 with a body that is not JSON "
                                    "(content type text/html; charset=utf-8, 33 bytes): "
                                    "'<html><body>Sign in</body></html>'")
    assert caught.value.http_status == 200
    assert caught.value.request_id == 'rid'


def test_non_json_success_body_excerpt_is_bounded(make):
    body = b'x' * 500
    harness = make([answer(200, body=body)])
    with pytest.raises(ResponseError) as caught:
        harness.client.get_json(PATH, 'w')
    assert 'content type none, 500 bytes' in caught.value.message
    assert "'%s...'" % ('x' * 200) in caught.value.message
    assert 'x' * 201 not in caught.value.message


def test_empty_success_body_is_response_error(make):
    harness = make([answer(200, headers={'Content-Type': 'application/json'})])
    with pytest.raises(ResponseError) as caught:
        harness.client.get_json(PATH, 'w')
    assert 'HTTP 200 with a body that is not JSON (content type application/json, 0 bytes)' in caught.value.message


def test_json_with_bom_is_parsed(make):
    harness = make([answer(200, body=b'\xef\xbb\xbf{"status": "queued"}')])
    assert harness.client.get_json(PATH, 'w') == {'status': 'queued'}


# -- secrets ------------------------------------------------------------------------------------------


def test_token_is_redacted_from_api_error(make):
    harness = make([answer(400, {'code': 400, 'description': 'bad header Authorization: %s' % TOKEN})])
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert TOKEN not in caught.value.message
    assert TOKEN not in caught.value.error_description
    assert 'bad header Authorization: ********' in caught.value.message
    assert TOKEN in harness.client.secrets


def test_token_is_redacted_from_non_json_error_body(make):
    harness = make([answer(500, body=('echo %s' % TOKEN).encode('utf-8'))], retries=0)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert TOKEN not in caught.value.message
    assert "'echo ********'" in caught.value.message


def test_token_is_redacted_from_warnings(make):
    harness = make([TransportError('proxy said: Bearer-less %s' % TOKEN), answer(200, {})])
    harness.client.get_json(PATH, 'x')
    assert len(harness.warnings) == 1
    assert TOKEN not in harness.warnings[0]
    assert 'proxy said: Bearer-less ********' in harness.warnings[0]


def test_renewed_tokens_are_all_known_secrets(make):
    auth = FakeAuth(['first-token-aaaa', 'second-token-bbbb'])
    harness = make([answer(401), answer(400, {'description': 'first-token-aaaa second-token-bbbb'})], auth=auth)
    with pytest.raises(ApiError) as caught:
        harness.client.get_json(PATH, 'x')
    assert {'first-token-aaaa', 'second-token-bbbb'} <= harness.client.secrets
    assert ': ******** ******** [' in caught.value.message


def test_redact_method_uses_known_secrets():
    client = PartnerCenterClient(BASE_URL, StaticTokenAuth(TOKEN))
    client.secrets.add('my-client-secret')
    assert client.redact('a my-client-secret b') == 'a ******** b'
    assert client.redact(None) is None


# -- Response -------------------------------------------------------------------------------------------


def test_response_defaults():
    response = Response(503, None, None, None)
    assert response.reason == 'Service Unavailable'
    assert response.body == b''
    assert response.header('anything') is None
    assert Response(200, 'Fine', {'X-A': '1'}, b'').header('x-a') == '1'


def test_token_is_redacted_from_final_transport_error(make):
    harness = make([TransportError('proxy echoed %s' % TOKEN, retryable=False)])
    with pytest.raises(TransportError) as caught:
        harness.client.get_json(PATH, 'x')
    assert TOKEN not in caught.value.message


# -- attempts whose outcome is unknown ------------------------------------------------------------------


def _delivered_timeout():
    error = TransportError('pc.example.test did not answer within 30 s (timeout)')
    error.maybe_delivered = True
    return error


@pytest.mark.parametrize('method, first, unsettled', [
    ('POST', answer(504, {'code': 900504}), 1),
    ('POST', answer(500, {'code': 900500}), 1),
    ('POST', _delivered_timeout(), 1),
    ('POST', answer(429, {'statusCode': 429}), 0),
    ('POST', TransportError('pc.example.test refused the connection'), 0),
    ('GET', answer(504, {'code': 900504}), 0),
], ids=['post-504', 'post-500', 'post-timeout-after-sending', 'post-429', 'post-refused-connection', 'get-504'])
def test_a_refusal_after_an_attempt_that_may_have_been_applied_says_so(make, method, first, unsettled):
    harness = make([first, answer(409, {'code': 900409, 'description': 'Conflict'})], retries=1)
    with pytest.raises(ApiError) as raised:
        harness.client.request(method, PATH, body={'a': 1} if method == 'POST' else None)
    assert raised.value.http_status == 409
    assert raised.value.unsettled_attempts == unsettled
    assert len(set(harness.transport.request_ids())) == 1
