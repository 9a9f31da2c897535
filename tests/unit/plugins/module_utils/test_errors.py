# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of errors.py: redact() and the exception classes' structured fields."""

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
