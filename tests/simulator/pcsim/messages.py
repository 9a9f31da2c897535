# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What travels over the wire: the request a handler reads, the response it returns, JSON bytes and dates."""

import json
import time
from urllib.parse import urlsplit

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_bytes(value):
    """Compact UTF-8 JSON, as the service sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def utc_timestamp():
    """A UTC time such as ``2025-03-10 08:00:00Z`` (Entra ID's error timestamps)."""
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())


def iso_utc(zulu=True, when=None):
    """A UTC date-time such as ``2025-03-10T08:00:00Z`` (or without the ``Z``, as the batch status API shows them)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ" if zulu else "%Y-%m-%dT%H:%M:%S", time.gmtime(when))


class Response:
    """What the server writes back: a status, headers and a body, or a special action (``drop``, ``truncated``)."""

    def __init__(self, status, body=b"", headers=None, content_type=JSON_CONTENT_TYPE, action=None, declared_length=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        self.content_type = content_type
        self.action = action
        self.declared_length = declared_length


class Request:
    """The parts of an HTTP request the simulator looks at.

    ``record`` is what the statistics keep of this request beyond the common fields (a route's
    ``record`` hook fills it in; its handler may update it).
    """

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.path = urlsplit(target).path
        self.headers = headers
        self.body = body
        self.record = None
        # False when a fault makes the service forget this request's MS-RequestId (no idempotent replay of it).
        self.replayable = True
        self._json = None

    def json_body(self):
        """Return (value, None) for a JSON body, or (None, problem) when it is not JSON. Parsed once."""
        if self._json is None:
            try:
                self._json = (json.loads(self.body.decode("utf-8")), None)
            except UnicodeDecodeError:
                self._json = (None, "the body is not UTF-8")
            except ValueError as exc:
                self._json = (None, "the body is not valid JSON (%s)" % exc)
        return self._json

    def bearer_token(self):
        """The token of an ``Authorization: Bearer ...`` header, else None."""
        auth = self.headers.get("Authorization")
        if not auth:
            return None
        parts = auth.split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].strip():
            return None
        return parts[1].strip()
