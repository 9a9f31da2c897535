# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions raised by the Partner Center client, and the one redaction function.

Every failure the client can meet becomes one of these, so that modules turn them into a
clean ``fail_json`` and never show a traceback.
"""

import re

REDACTED = '********'

# Secrets that can show up in text we did not write ourselves (a response body, an exception
# message): bearer tokens, form fields and JSON fields that carry credentials.
_SECRET_PATTERNS = (
    # A token is long; "the bearer token has expired" in a description must stay readable.
    re.compile(r'(?i)(bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*'),
    re.compile(r'(?i)((?:client_secret|refresh_token|access_token|id_token|assertion)=)[^&\s"\']+'),
    re.compile(r'(?i)("(?:client_secret|refresh_token|access_token|id_token)"\s*:\s*")[^"]*'),
)


def redact(text, secrets=()):
    """Return ``text`` with every known secret value and credential-looking field masked."""
    if text is None:
        return text
    text = str(text)
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class PartnerCenterError(Exception):
    """Base class: a failure with a message fit for a user."""

    def __init__(self, message, http_status=None, error_code=None, error_description=None,
                 request_id=None, correlation_id=None):
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.error_code = error_code
        self.error_description = error_description
        self.request_id = request_id
        self.correlation_id = correlation_id

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
        )
        return dict((key, value) for key, value in fields.items() if value is not None)


class CredentialError(PartnerCenterError):
    """The options do not add up to a usable credential (found before any request)."""


class TokenRequestError(PartnerCenterError):
    """Microsoft Entra ID refused to issue a token."""


class ApiError(PartnerCenterError):
    """Partner Center answered with an error status."""


class TransportError(PartnerCenterError):
    """No usable HTTP answer: connection refused or dropped, timeout, TLS failure, truncated body."""

    def __init__(self, message, retryable=True, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable


class ResponseError(PartnerCenterError):
    """An answer with a success status whose body is not what the API documents."""
