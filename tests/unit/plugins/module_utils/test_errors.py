# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of errors.py: redact() and the exception classes' structured fields."""

import base64
import html

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    REDACTED,
    ApiError,
    CredentialError,
    PartnerCenterError,
    ResponseError,
    TokenRequestError,
    TransportError,
    redact,
)


def test_redacted_marker():
    assert REDACTED == '********'


def test_known_secret_is_masked_everywhere():
    text = 'secret s3cr3t-VALUE here and again s3cr3t-VALUE.'
    assert redact(text, {'s3cr3t-VALUE'}) == 'secret ******** here and again ********.'


def test_longest_secret_is_masked_first():
    # 'abcd' is inside 'abcdefgh': masking the short one first would leave 'efgh' visible.
    assert redact('token=xx abcdefgh yy', ['abcd', 'abcdefgh']) == 'token=xx ******** yy'
    assert redact('abcdefgh abcd', ('abcd', 'abcdefgh')) == '******** ********'


@pytest.mark.parametrize('short', ['', 'a', 'ab', 'abc'])
def test_short_strings_are_not_used_as_secrets(short):
    text = 'a cab abc abcd'
    assert redact(text, {short}) == text


def test_four_characters_is_long_enough_to_be_a_secret():
    assert redact('x abcd y', {'abcd'}) == 'x ******** y'


def test_none_secrets_are_ignored():
    assert redact('nothing to hide', [None, '']) == 'nothing to hide'


def test_none_passes_through():
    assert redact(None) is None
    assert redact(None, {'secret-value'}) is None


def test_non_string_is_converted():
    assert redact(12345) == '12345'
    assert redact(ValueError('bad secret-value'), {'secret-value'}) == 'bad ********'


@pytest.mark.parametrize('text, expected', [
    ('Authorization: Bearer eyJ0eXAi.eyJhdWQi.c2lnbmF0dXJl', 'Authorization: Bearer ********'),
    ('authorization: bearer abc-DEF_123~+/xyz== rest', 'authorization: bearer ******** rest'),
    ('BEARER tok.en-0123456789abcdef', 'BEARER ********'),
    # Prose that merely mentions a bearer token stays readable.
    ('Access denied: the bearer token has expired.', 'Access denied: the bearer token has expired.'),
])
def test_bearer_tokens_are_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize('field', ['client_secret', 'refresh_token', 'access_token', 'id_token', 'assertion',
                                   'CLIENT_SECRET'])
def test_form_credential_fields_are_masked(field):
    text = 'grant_type=x&%s=VALUE-1%%2F2&client_id=app' % field
    assert redact(text) == 'grant_type=x&%s=********&client_id=app' % field


@pytest.mark.parametrize('field', ['client_secret', 'refresh_token', 'access_token', 'id_token'])
def test_json_credential_fields_are_masked(field):
    text = '{"token_type": "Bearer", "%s": "VALUE.abc/def", "expires_in": "3599"}' % field
    assert redact(text) == '{"token_type": "Bearer", "%s": "********", "expires_in": "3599"}' % field


def test_json_credential_field_without_space():
    assert redact('{"access_token":"eyJabc"}') == '{"access_token":"********"}'


def test_ordinary_text_is_unchanged():
    text = 'Partner Center refused GET /v1/customers/x: HTTP 404 Not Found, code 600: not found'
    assert redact(text, {'unrelated-secret'}) == text


def test_result_fields_drop_none_values():
    error = ApiError('msg', http_status=404, error_code=600, request_id='req', correlation_id=None)
    assert error.result_fields() == {'http_status': 404, 'error_code': '600', 'request_id': 'req'}
    assert str(error) == 'msg'
    assert error.message == 'msg'


def test_result_fields_all_set():
    error = TokenRequestError('m', http_status=401, error_code='invalid_client', error_description='d',
                              request_id='t', correlation_id='c')
    assert error.result_fields() == {'http_status': 401, 'error_code': 'invalid_client', 'error_description': 'd',
                                     'request_id': 't', 'correlation_id': 'c'}


def test_transport_error_is_retryable_by_default():
    assert TransportError('boom').retryable is True
    error = TransportError('tls', retryable=False, request_id='r')
    assert error.retryable is False
    assert error.request_id == 'r'


@pytest.mark.parametrize('cls', [CredentialError, TokenRequestError, ApiError, TransportError, ResponseError])
def test_every_error_is_a_partner_center_error(cls):
    assert issubclass(cls, PartnerCenterError)
    assert issubclass(PartnerCenterError, Exception)


# -- secrets in other spellings: base64 (HTTP Basic), HTML character references, JSON \u escapes --------

ECHOED_SECRET = 'sim-client-secret-DO-NOT-LEAK-7Q2x'
ECHOED_CLIENT_ID = '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e'


def _visible(masked, secret):
    """Whether ``secret`` can still be read in ``masked`` in any of the spellings these tests use."""
    decoded = html.unescape(masked.replace(REDACTED, '\x00'))
    decoded = decoded.encode('latin-1', 'backslashreplace').decode('unicode_escape', 'ignore') if '\\u' in decoded else decoded
    if secret in decoded:
        return True
    for word in masked.replace(REDACTED, ' ').split():
        for candidate in (word, word.replace('-', '+').replace('_', '/')):
            try:
                if secret.encode() in base64.b64decode(candidate + '=' * (-len(candidate) % 4)):
                    return True
            except ValueError:
                pass
    return False


@pytest.mark.parametrize('prefix', ['', 'a', 'ab', ECHOED_CLIENT_ID + ':'], ids=['aligned', 'one-byte-in', 'two-bytes-in', 'client-id-colon'])
@pytest.mark.parametrize('urlsafe', [False, True], ids=['standard', 'urlsafe'])
def test_a_secret_inside_base64_is_masked(prefix, urlsafe):
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    echoed = encode((prefix + ECHOED_SECRET).encode()).decode()
    masked = redact('invalid_client: credentials %s were refused' % echoed, {ECHOED_SECRET})
    assert REDACTED in masked and echoed not in masked
    assert not _visible(masked, ECHOED_SECRET)


def test_http_basic_credentials_echoed_by_a_server_are_masked_even_for_an_unknown_secret():
    header = 'Basic ' + base64.b64encode(b'some-client:some-password').decode()
    assert redact('the request carried Authorization: %s.' % header) == 'the request carried Authorization: Basic ********.'


@pytest.mark.parametrize('text', ['Basic authentication is not enabled for this app.', 'Use basic auth', 'basic abcd efgh'])
def test_prose_about_basic_authentication_stays_readable(text):
    assert redact(text) == text


def _decimal(text):
    return ''.join('&#%d;' % ord(char) for char in text)


def _hex(text):
    return ''.join('&#x%x;' % ord(char) for char in text)


@pytest.mark.parametrize('spelling', [
    _decimal,
    _hex,
    lambda text: _hex(text).upper().replace('&#X', '&#x'),
    lambda text: _hex(text).replace('&#x', '&#X'),
    lambda text: ''.join('&#00%d;' % ord(char) for char in text),
    # Some characters only, as an HTML encoder that escapes a few does.
    lambda text: text[:3] + _decimal(text[3:6]) + text[6:-2] + _hex(text[-2:]),
    # Without the closing semicolon, which HTML still reads.
    lambda text: ''.join('&#%d' % ord(char) for char in text),
    lambda text: ''.join('\\u%04x' % ord(char) for char in text),
    lambda text: ''.join('\\u%04X' % ord(char) for char in text),
], ids=['decimal', 'hex', 'hex-upper-digits', 'hex-upper-x', 'decimal-leading-zeros', 'mixed', 'no-semicolon', 'json-u',
        'json-u-upper'])
def test_a_secret_as_character_references_or_escapes_is_masked(spelling):
    echoed = spelling(ECHOED_SECRET)
    masked = redact('<p>AADSTS7000215: Invalid client secret provided: %s</p>' % echoed, {ECHOED_SECRET})
    assert masked == '<p>AADSTS7000215: Invalid client secret provided: ********</p>'


@pytest.mark.parametrize('secret, echoed', [
    ('a&b<c>d"e\'f', 'a&amp;b&lt;c&gt;d&quot;e&#x27;f'),
    ('tab\tnew', 'tab&Tab;new'),
    ('plus+eq=sl/x', 'plus&plus;eq&equals;sl&sol;x'),
    ('amp&amp-no-semicolon', 'amp&ampamp-no-semicolon'),
], ids=['html-escape', 'named-tab', 'named-punctuation', 'named-without-semicolon'])
def test_a_secret_with_named_character_references_is_masked(secret, echoed):
    assert redact('echo [%s] end' % echoed, {secret}) == 'echo [********] end'


def test_text_with_ampersands_and_no_secret_is_unchanged():
    text = 'a &amp; b &#115; c \\u0073 &unknown; &'
    assert redact(text, {ECHOED_SECRET}) == text


@pytest.mark.parametrize('secret', ['0000000&', 'abc\\defgh', 'amp&amp;x1'])
def test_a_secret_holding_an_escape_character_is_masked_whole_in_its_escaped_spelling(secret):
    """'&' spelled '&#38;' starts with '&': the escaped spelling is masked, not the plain prefix before it."""
    spelled = ''.join('&#%d;' % ord(char) if char in '&\\' else char for char in secret)
    assert redact('<p>refused: %s</p>' % spelled, [secret]) == '<p>refused: %s</p>' % REDACTED
