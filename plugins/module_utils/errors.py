# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions raised by the Partner Center client, and the one redaction function.

Every failure the client can meet becomes one of these, so that modules turn them into a
clean ``fail_json`` and never show a traceback.
"""

import json
import re
import urllib.parse

REDACTED = '********'

# Secrets that can show up in text we did not write ourselves (a response body, an exception
# message): bearer tokens, form fields and JSON fields that carry credentials.
_SECRET_PATTERNS = (
    # A token is long; "the bearer token has expired" in a description must stay readable.
    re.compile(r'(?i)(bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*'),
    re.compile(r'(?i)((?:client_secret|refresh_token|access_token|id_token|assertion)=)[^&\s"\']+'),
    re.compile(r'(?i)("(?:client_secret|refresh_token|access_token|id_token)"\s*:\s*")[^"]*'),
)


# A piece of a secret this long is worth masking on its own (a secret split by a line break).
_MIN_PIECE = 8
_CONTROL = re.compile('[\x00-\x1f\x7f-\x9f]+')


def secret_forms(secret):
    """Every spelling of ``secret`` that can reach a message.

    The value itself; as Python prints it inside a repr of text or bytes (``b'Bearer tok\\r\\n'``);
    percent-encoded (a form body echoed back) in both of urllib's ways; JSON-escaped; and, for a
    secret that holds control characters, each long piece between them.
    """
    secret = str(secret)
    forms = {secret}
    forms.add(repr(secret)[1:-1])
    forms.add(repr(secret.encode('utf-8', 'backslashreplace'))[2:-1])
    forms.add(urllib.parse.quote(secret, safe=''))
    forms.add(urllib.parse.quote_plus(secret, safe=''))
    forms.add(urllib.parse.quote(secret))
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    forms.update(piece for piece in _CONTROL.split(secret) if len(piece) >= _MIN_PIECE)
    return set(form for form in forms if len(form) >= 4)


def redact(text, secrets=()):
    """Return ``text`` with every known secret value (in any escaped form) and credential-looking field masked."""
    if text is None:
        return text
    text = str(text)
    forms = set()
    for secret in secrets:
        if secret and len(str(secret)) >= 4:
            forms.update(secret_forms(secret))
    # Longest first, so a secret that contains another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        if '%' in form:
            # Percent-encoding may come back in lower case (%2f instead of %2F).
            text = re.sub(re.escape(form), REDACTED, text, flags=re.IGNORECASE)
        elif form in text:
            text = text.replace(form, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class PartnerCenterError(Exception):
    """Base class: a failure with a message fit for a user."""

    def __init__(self, message, http_status=None, error_code=None, error_description=None,
                 request_id=None, correlation_id=None, error_data=None):
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        # Documented as a string; Entra ID and some gateways send a number (900403).
        self.error_code = None if error_code is None else str(error_code)
        self.error_description = error_description
        self.request_id = request_id
        self.correlation_id = correlation_id
        # Partner Center's error ``data`` (a list), when the refusal carried one.
        self.error_data = error_data

    def __str__(self):
        return self.message

    def result_fields(self):
        """The structured details a module adds next to ``msg`` when it fails."""
        fields = dict(
            http_status=self.http_status,
            error_code=self.error_code,
            error_description=self.error_description,
            request_id=self.request_id,
            correlation_id=self.correlation_id,
            error_data=self.error_data,
        )
        return dict((key, value) for key, value in fields.items() if value is not None)


class CredentialError(PartnerCenterError):
    """The options do not add up to a usable credential (found before any request)."""


class TokenRequestError(PartnerCenterError):
    """Microsoft Entra ID refused to issue a token."""


class ApiError(PartnerCenterError):
    """Partner Center answered with an error status.

    ``unsettled_attempts``: how many earlier attempts of the same changing request (same MS-RequestId) got a
    server fault or no answer, so that the request may have been applied before this refusal.
    """

    unsettled_attempts = 0

    @property
    def maybe_applied_before(self):
        """True when an earlier attempt of the same changing request may have been applied: a 404 to a DELETE, or
        a 409 to a create, may then be that attempt's own doing."""
        return self.unsettled_attempts > 0


class TransportError(PartnerCenterError):
    """No usable HTTP answer: connection refused or dropped, timeout, TLS failure, truncated body.

    ``outcome_unknown`` is true when a request that changes something (an upload POST, a DELETE) may
    have reached Partner Center but no answer settled what became of it: the request was sent (its
    body, if any, was being sent) when the connection dropped or timed out, and retries with the same MS-RequestId
    (Partner Center's idempotency key, in ``request_id``) did not settle it either. A caller must
    then say that the request may have been applied, never that it was not.
    """

    def __init__(self, message, retryable=True, outcome_unknown=False, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown


class ResponseError(PartnerCenterError):
    """An answer with a success status whose body is not what the API documents."""
