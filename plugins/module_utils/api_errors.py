# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The prose of Partner Center's error answers: an answer that refuses a request read into an ApiError.

The message names the request, the status, Partner Center's code and description (or the start of a
body that has none, masked and cut short), the ids, and what to do about a refusal of the credentials.
"""

import json
import re

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import (
    EXCERPT_WINDOW_BYTES,
    one_line,
    parse_json,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.retry_policy import parse_retry_after

# Partner Center's error code for an app+user call whose token carries no MFA claim (HTTP 401), enforced
# since 2026. A token renewed from the same refresh token carries none either.
MFA_REQUIRED_CODE = '900421'
_MFA_CODE_PATTERN = re.compile(r'(?<![0-9])900421(?![0-9])')
_MFA_HINT = (
    'The access token carries no multi-factor authentication (MFA) claim, which Partner Center requires on every app+user '
    'call since 2026; a token renewed from the same refresh token has none either, so it was not renewed. Get a refresh '
    'token from a consent made with MFA (the secure application model) and use it in refresh_token. Or use app-only '
    'credentials (client_id and client_secret, without refresh_token) where the call accepts them: reading a batch upload '
    'status and adding devices to an existing batch do; creating a new device batch needs app+user credentials.'
)

_AUTH_HINT = (
    'The batch and device endpoints accept an access token for Partner Center issued to app-only '
    'credentials or to app+user credentials (secure application model) whose user holds the Admin '
    'agent or Sales agent role; check the credential kind, the tenant and that the application is '
    'registered in Partner Center.'
)


def mfa_required(response):
    """Whether a 401 is Partner Center's refusal of a token without an MFA claim (error code 900421).

    No Microsoft page shows that answer's body: the code is looked for in the error body's ``code`` (text or a
    number), in its description or message, and in the WWW-Authenticate header.
    """
    if response.status != 401:
        return False
    if _MFA_CODE_PATTERN.search(str(response.header('www-authenticate') or '')):
        return True
    try:
        payload = parse_json(response.body) if response.body else None
    except (ValueError, RecursionError):
        return bool(_MFA_CODE_PATTERN.search(response.body[:EXCERPT_WINDOW_BYTES].decode('utf-8', 'replace')))
    if not isinstance(payload, dict):
        return False
    error = payload.get('error')
    fields = [payload.get('code'), payload.get('statusCode'), payload.get('description'), payload.get('message')]
    if isinstance(error, dict):
        fields += [error.get('code'), error.get('message')]
    return any(_MFA_CODE_PATTERN.search(text) for text in (scalar_text(value) for value in fields) if text)


def api_error(method, path, response, correlation_id, redact, refusal_hint=None):
    """The ApiError for ``response``, a refusal of ``method path``; secrets masked by ``redact``.

    ``correlation_id`` is the one the client sent (when the answer echoes none); ``refusal_hint``, when
    given, is what to do about a 401/403 of this endpoint: it leads the message instead of the general
    hint about credentials.
    """
    try:
        payload = parse_json(response.body) if response.body else None
    except (ValueError, RecursionError):
        payload = None
    code = description = data = None
    if isinstance(payload, dict):
        code = payload.get('code', payload.get('statusCode'))
        description = payload.get('description') or payload.get('message')
        data = payload.get('data')
    code = scalar_text(code)
    description = scalar_text(description)
    data = data if isinstance(data, list) and data else None
    mfa = mfa_required(response)
    if mfa:
        # The code the answer carries, wherever it was found (a description, the WWW-Authenticate header).
        code = MFA_REQUIRED_CODE
    request_id = response.header('ms-requestid') or response.request_id
    correlation_id = response.header('ms-correlationid') or correlation_id
    message = 'Partner Center refused %s %s: HTTP %d %s' % (method, path, response.status, response.reason)
    if code is not None:
        message += ', code %s' % code
    if description:
        message += ': %s' % description
    elif response.body:
        message += ' (content type %s, body %r)' % (response.header('content-type') or 'none', response.excerpt())
    if data:
        message += ' (data: %s)' % data_excerpt(data)
    message += ' [MS-RequestId %s, MS-CorrelationId %s]' % (request_id, correlation_id)
    if response.attempts > 1:
        message += ' after %d attempts' % response.attempts
    if mfa:
        message += '. ' + _MFA_HINT
    elif response.status in (401, 403):
        if refusal_hint:
            message = refusal_hint + ' ' + message + '.'
        else:
            message += '. ' + _AUTH_HINT
    error = ApiError(
        redact(message),
        http_status=response.status,
        error_code=code,
        error_description=redact(description) if description else None,
        request_id=request_id,
        correlation_id=correlation_id,
        error_data=_redact_data(data, redact) if data else None,
    )
    # Kept for a wait, whose next poll honours it after the client's own retries are spent.
    error.retry_after = parse_retry_after(response.header('retry-after'))
    # A refusal of a retry says nothing of an earlier attempt that may have been applied.
    error.unsettled_attempts = response.unsettled_attempts
    return error


# How many entries of an error's ``data`` go into the message, and how long each may be.
DATA_ENTRIES_SHOWN = 3
DATA_ENTRY_CHARS = 200
# How many entries of ``data`` are returned as error_data.
DATA_ENTRIES_RETURNED = 50


def data_excerpt(data):
    """The first entries of Partner Center's error ``data``, as one line for a message."""
    shown = []
    for entry in data[:DATA_ENTRIES_SHOWN]:
        text = entry if isinstance(entry, str) else json.dumps(entry, sort_keys=True, default=str)
        text = one_line(text)
        if len(text) > DATA_ENTRY_CHARS:
            text = text[:DATA_ENTRY_CHARS] + '...'
        shown.append(text)
    if len(data) > DATA_ENTRIES_SHOWN:
        shown.append('and %d more' % (len(data) - DATA_ENTRIES_SHOWN))
    return '; '.join(shown)


def _redact_data(data, redact_text):
    """``data`` for the result: at most DATA_ENTRIES_RETURNED entries, each redacted and shallow."""
    entries = []
    for entry in data[:DATA_ENTRIES_RETURNED]:
        if isinstance(entry, (str, int, float, bool)) or entry is None:
            entries.append(redact_text(entry) if isinstance(entry, str) else entry)
        else:
            # Nested values are returned as JSON text: a deep structure stays one readable value.
            entries.append(redact_text(json.dumps(entry, sort_keys=True, default=str)[:2000]))
    return entries


def scalar_text(value):
    """A code or description as text, or None: a number is written out, an object or a list ignored."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        text = one_line(value)
        return text or None
    return None
