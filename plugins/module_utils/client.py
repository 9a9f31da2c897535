# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Partner Center HTTP client every module of the collection uses.

It owns the base URL, the request headers Partner Center documents, retries with backoff,
and the translation of every failure into an exception from ``errors``. It knows nothing of
Ansible results.

The transport is the standard library's ``urllib.request`` rather than
``ansible.module_utils.urls`` or ``requests``: every poll of a batch runs the module again, and
both of those add 50-80 ms of imports to a module whose floor is about 200 ms, while
``urllib.request`` is already loaded by ``ansible.module_utils.basic``. What ``open_url`` would
give us is done here: certificate validation on by default (``validate_certs``), proxies from
``HTTPS_PROXY``/``NO_PROXY`` (urllib's ``ProxyHandler``), and no redirects, so a bearer token is
never replayed to another host.
"""

import email.utils
import http.client
import json
import random
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    ApiError,
    ResponseError,
    TransportError,
    redact,
)

COLLECTION_NAME = 'partnercenter.devices'
# Kept equal to galaxy.yml's version by a unit test.
COLLECTION_VERSION = '0.2.0'
USER_AGENT = '%s/%s (ansible-core/%s)' % (COLLECTION_NAME, COLLECTION_VERSION, ANSIBLE_CORE_VERSION)

# Throttling and gateway faults are worth another try; 400/401/403/404/409 never are.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# First backoff step in seconds; step n is BACKOFF_BASE * 2**(n-1), drawn with full jitter.
BACKOFF_BASE = 1.0
# No single wait, even one asked for by Retry-After, lasts longer than this.
MAX_RETRY_WAIT = 60.0
# How much of a body that is not what we expected goes into an error message.
BODY_EXCERPT_BYTES = 200

_AUTH_HINT = (
    'The batch and device endpoints accept an access token for Partner Center issued to app-only '
    'credentials or to app+user credentials (secure application model) whose user holds the Admin '
    'agent or Sales agent role; check the credential kind, the tenant and that the application is '
    'registered in Partner Center.'
)


def new_guid():
    """A fresh GUID string, as Partner Center's MS-RequestId and MS-CorrelationId expect."""
    return str(uuid.uuid4())


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, moment.timestamp() - now)


def backoff_delay(attempt, retry_after=None, rand=random.random):
    """How long to wait before retry number ``attempt`` (1-based).

    The server's Retry-After wins when given; otherwise exponential backoff with full jitter
    (a uniform draw below the exponential step), so that many playbooks throttled together do
    not come back in step. Either way bounded by MAX_RETRY_WAIT.
    """
    if retry_after is not None:
        return min(MAX_RETRY_WAIT, retry_after)
    step = min(MAX_RETRY_WAIT, BACKOFF_BASE * (2 ** (attempt - 1)))
    return step * rand()


class Response:
    """One HTTP answer: status, headers (case-insensitive look-up) and the raw body."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason or http.client.responses.get(status, '')
        self.headers = dict((str(key).lower(), value) for key, value in (headers or {}).items())
        self.body = body or b''
        # Set by the client: the MS-RequestId it sent, and how many requests the answer took.
        self.request_id = None
        self.attempts = 1

    def annotate(self, error):
        """Give ``error`` this answer's status and ids where it has none; return it."""
        if error.http_status is None:
            error.http_status = self.status
        error.request_id = error.request_id or self.header('ms-requestid') or self.request_id
        error.correlation_id = error.correlation_id or self.header('ms-correlationid')
        return error

    def header(self, name):
        """The value of header ``name``, or None."""
        return self.headers.get(name.lower())

    def excerpt(self):
        """The first bytes of the body, printable, for error messages."""
        text = self.body[:BODY_EXCERPT_BYTES].decode('utf-8', 'replace')
        text = ' '.join(text.split())
        if len(self.body) > BODY_EXCERPT_BYTES:
            text += '...'
        return text

    def json(self, what):
        """The body parsed as JSON; ResponseError saying what came back when it is not JSON."""
        try:
            return json.loads(self.body.decode('utf-8-sig'))
        except ValueError:
            raise self.annotate(ResponseError(
                '%s: HTTP %d with a body that is not JSON (content type %s, %d bytes): %r'
                % (what, self.status, self.header('content-type') or 'none', len(self.body), self.excerpt()))) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Partner Center does not redirect; following one would send the bearer token elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class PartnerCenterClient:
    """Sends Partner Center requests with the documented headers, retries and error handling.

    ``auth`` is one of the classes in ``auth.py``: it hands out a bearer token and may renew it
    once when Partner Center answers 401. ``warn`` receives one line per retry; ``sleep`` and
    ``rand`` are replaceable so tests never wait for real.
    """

    def __init__(self, base_url, auth, timeout=30, validate_certs=True, locale='en-US',
                 correlation_id=None, retries=5, warn=None, sleep=time.sleep, rand=random.random):
        self.base_url = base_url.rstrip('/')
        self.auth = auth
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.locale = locale
        self.correlation_id = correlation_id or new_guid()
        self.retries = retries
        self._warn = warn
        self._sleep = sleep
        self._rand = rand
        self._opener = None
        # Serializes token renewals when requests run side by side (the bulk read).
        self._renewal_lock = threading.Lock()
        # Secrets the client has seen (tokens it fetched, credentials it sent): masked in messages.
        self.secrets = set()

    # -- public API -------------------------------------------------------------------------

    def get_json(self, path, what, shape=None, headers=None):
        """GET ``path`` (below base_url); return the JSON body of a 200, through ``shape`` when given.

        ``shape`` turns the body into what the caller needs and raises ResponseError when the body
        is not what the API documents; that error then carries the answer's status and ids.
        ``headers`` are sent besides the standard ones (such as MS-ContinuationToken).
        """
        response = self.request('GET', path, headers=headers)
        body = response.json(what)
        if shape is None:
            return body
        try:
            return shape(body)
        except ResponseError as error:
            raise response.annotate(error) from None

    def request(self, method, path, body=None, expected=(200,), headers=None):
        """Send one logical API request, with retries; return the Response or raise.

        ``body``, when given, is sent as JSON; ``headers`` are sent besides the standard ones.
        """
        url = self.base_url + path
        if body is not None:
            body = json.dumps(body, separators=(',', ':')).encode('utf-8')
        response = self._exchange(method, url, body=body, content_type='application/json', authenticated=True,
                                  extra_headers=headers)
        if response.status not in expected:
            raise self._api_error(method, path, response)
        return response

    def post_form(self, url, form):
        """POST a form (the token endpoint), with the same retries; return the final Response."""
        body = urllib.parse.urlencode(form).encode('ascii')
        return self._exchange('POST', url, body=body, content_type='application/x-www-form-urlencoded',
                              authenticated=False)

    def redact(self, text):
        """``text`` with every secret this client knows of masked."""
        # A copy: another thread of a bulk read may add a renewed token meanwhile.
        return redact(text, frozenset(self.secrets))

    # -- internals ----------------------------------------------------------------------------

    def _headers(self, request_id, token, content_type, has_body):
        headers = {
            'Accept': 'application/json',
            'MS-RequestId': request_id,
            'MS-CorrelationId': self.correlation_id,
            'MS-Contract-Version': 'v1',
            'MS-PartnerCenter-Application': COLLECTION_NAME,
            'X-Locale': self.locale,
            'User-Agent': USER_AGENT,
        }
        if token is not None:
            headers['Authorization'] = 'Bearer ' + token
        if has_body:
            headers['Content-Type'] = content_type
        return headers

    def _exchange(self, method, url, body, content_type, authenticated, extra_headers=None):
        """Send until an answer that is final: success, a non-retryable status, or retries spent.

        One MS-RequestId for every attempt of this logical request: it is Partner Center's
        idempotency key, so a retry after a timeout cannot apply a request twice.
        """
        request_id = new_guid()
        target = '%s %s' % (method, urllib.parse.urlsplit(url).path)
        attempt = 0
        token_renewed = False
        while True:
            token = self.auth.token(self) if authenticated else None
            if token:
                self.secrets.add(token)
            headers = self._headers(request_id, token, content_type, body is not None)
            headers.update(extra_headers or {})
            try:
                response = self._send_once(method, url, headers, body)
            except TransportError as error:
                error.request_id = error.request_id or request_id
                error.correlation_id = error.correlation_id or self.correlation_id
                if not error.retryable or attempt >= self.retries:
                    error.message = self.redact('%s failed: %s%s' % (
                        target, error.message, ' (after %d %s)' % (attempt, 'retry' if attempt == 1 else 'retries')
                        if attempt else ''))
                    raise
                attempt += 1
                self._pause(target, attempt, error.message, None)
                continue

            if (authenticated and response.status == 401 and not token_renewed
                    and getattr(self.auth, 'renewable', False)):
                # The token may have expired or been revoked since it was issued: ask Entra ID
                # once for a new one. A second 401 is a real refusal.
                token_renewed = True
                self._renew_token(token)
                continue
            if response.status in RETRY_STATUSES and attempt < self.retries:
                attempt += 1
                retry_after = parse_retry_after(response.header('retry-after'))
                self._pause(target, attempt, 'HTTP %d %s' % (response.status, response.reason), retry_after)
                continue
            response.request_id = request_id
            # Every retry and the request after a token renewal each sent the request again.
            response.attempts = attempt + 1 + int(token_renewed)
            return response

    def _renew_token(self, rejected):
        """Drop the rejected token, unless a request running beside this one already replaced it.

        Side-by-side requests (the bulk read) may all be refused the same token: only the first
        asks Entra ID for a new one, the others retry with that one.
        """
        with self._renewal_lock:
            if self.auth.token(self) == rejected:
                self.auth.invalidate()

    def _pause(self, target, attempt, reason, retry_after):
        delay = backoff_delay(attempt, retry_after, self._rand)
        if self._warn is not None:
            self._warn(self.redact('%s: %s; retry %d of %d in %.1f s%s' % (
                target, reason, attempt, self.retries, delay,
                ' (Retry-After)' if retry_after is not None else '')))
        self._sleep(delay)

    def _get_opener(self):
        if self._opener is None:
            handlers = [_NoRedirect()]
            if not self.validate_certs:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                handlers.append(urllib.request.HTTPSHandler(context=context))
            # With validate_certs the default HTTPS handler builds a verifying context at the first
            # HTTPS connection (honouring SSL_CERT_FILE), and never for plain-HTTP loopback URLs.
            self._opener = urllib.request.build_opener(*handlers)
        return self._opener

    def _send_once(self, method, url, headers, body):
        host = urllib.parse.urlsplit(url).netloc
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            raw = self._get_opener().open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            raw = error
        except urllib.error.URLError as error:
            raise self._transport_error(host, error.reason) from None
        except (http.client.HTTPException, OSError) as error:
            raise self._transport_error(host, error) from None
        except ValueError as error:
            # http.client refuses a header value with a line break; options are checked before,
            # so this is a last line of defence, not a retryable fault.
            raise TransportError('cannot send the request to %s: %s' % (host, self.redact(error)), retryable=False) from None
        try:
            payload = raw.read()
        except http.client.IncompleteRead as error:
            # Say what did come back: the status, the content type and the first bytes.
            partial = Response(raw.getcode(), getattr(raw, 'reason', None), raw.headers, error.partial)
            raise TransportError(
                '%s answered HTTP %d (content type %s) but closed the connection after %d of %s bytes (truncated body): %r'
                % (host, partial.status, partial.header('content-type') or 'none', len(error.partial),
                   partial.header('content-length') or 'unknown', partial.excerpt()),
                http_status=partial.status) from None
        except (http.client.HTTPException, OSError) as error:
            raise self._transport_error(host, error) from None
        finally:
            raw.close()
        return Response(raw.getcode(), getattr(raw, 'reason', None), raw.headers, payload)

    def _transport_error(self, host, reason):
        if isinstance(reason, ssl.SSLCertVerificationError):
            return TransportError(
                'TLS certificate of %s could not be verified: %s. Fix the trust store (SSL_CERT_FILE) '
                'or, for a test endpoint only, set validate_certs to false.' % (host, reason.verify_message or reason),
                retryable=False)
        if isinstance(reason, socket.gaierror):
            return TransportError('cannot resolve %s: %s' % (host, reason), retryable=False)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return TransportError('%s did not answer within %s s (timeout)' % (host, self.timeout))
        if isinstance(reason, ConnectionRefusedError):
            return TransportError('%s refused the connection' % host)
        if isinstance(reason, (http.client.RemoteDisconnected, ConnectionResetError)):
            return TransportError('%s closed the connection without an answer' % host)
        return TransportError('cannot reach %s: %s' % (host, self.redact(reason)))

    def _api_error(self, method, path, response):
        try:
            payload = json.loads(response.body.decode('utf-8-sig')) if response.body else None
        except ValueError:
            payload = None
        code = description = None
        if isinstance(payload, dict):
            code = payload.get('code', payload.get('statusCode'))
            description = payload.get('description') or payload.get('message')
        request_id = response.header('ms-requestid') or response.request_id
        correlation_id = response.header('ms-correlationid') or self.correlation_id
        message = 'Partner Center refused %s %s: HTTP %d %s' % (method, path, response.status, response.reason)
        if code is not None:
            message += ', code %s' % code
        if description:
            message += ': %s' % description
        elif response.body:
            message += ' (content type %s, body %r)' % (response.header('content-type') or 'none', response.excerpt())
        message += ' [MS-RequestId %s, MS-CorrelationId %s]' % (request_id, correlation_id)
        if response.attempts > 1:
            message += ' after %d attempts' % response.attempts
        if response.status in (401, 403):
            message += '. ' + _AUTH_HINT
        return ApiError(
            self.redact(message),
            http_status=response.status,
            error_code=code,
            error_description=self.redact(description) if description else None,
            request_id=request_id,
            correlation_id=correlation_id,
        )
