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
import re
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
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import header_value_problem, safe_url

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
# How much of the body is read to make that excerpt: secrets are masked before it is cut, so that an echoed
# secret (up to eight characters a character as an HTML reference) is never shown in part.
EXCERPT_WINDOW_BYTES = BODY_EXCERPT_BYTES * 8
# No answer is read past this many bytes: far above any real Partner Center or Entra ID answer
# (a page of 100 devices with hardware hashes is about 0.5 MiB), low enough that a hostile or
# broken server cannot fill the memory. Documented in the partner_center doc fragment.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_READ_CHUNK = 64 * 1024
# Exceptions a shaping function may raise on a body whose form it does not expect.
_SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError)

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
    return any(_MFA_CODE_PATTERN.search(text) for text in (_scalar_text(value) for value in fields) if text)


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
        # Set by the client: the MS-RequestId it sent, how many requests the answer took, and its redaction.
        self.request_id = None
        self.attempts = 1
        self.redact = None
        # Earlier attempts of a changing request whose outcome is unknown (a server fault answered, or no answer
        # after the request may have been delivered): the request may have been applied before this answer.
        self.unsettled_attempts = 0

    @property
    def maybe_applied_before(self):
        """True when an earlier attempt of this changing request may have been applied (see unsettled_attempts)."""
        return self.unsettled_attempts > 0

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
        """The start of the body, printable, secrets masked, for error messages."""
        window = self.body[:EXCERPT_WINDOW_BYTES]
        text = window.decode('utf-8', 'replace')
        if self.redact is not None:
            # Before cutting: a secret cut in two would not be recognised.
            text = self.redact(text)
        text = ' '.join(text.split())
        if len(text) > BODY_EXCERPT_BYTES or len(self.body) > len(window):
            text = text[:BODY_EXCERPT_BYTES] + '...'
        return text

    def json(self, what):
        """The body parsed as JSON; ResponseError saying what came back when it is not JSON."""
        try:
            return parse_json(self.body)
        except RecursionError:
            raise self.annotate(ResponseError(
                '%s: HTTP %d with a JSON body nested too deeply to read (content type %s, %d bytes): %r'
                % (what, self.status, self.header('content-type') or 'none', len(self.body), self.excerpt()))) from None
        except ValueError:
            raise self.annotate(ResponseError(
                '%s: HTTP %d with a body that is not JSON (content type %s, %d bytes): %r'
                % (what, self.status, self.header('content-type') or 'none', len(self.body), self.excerpt()))) from None


def parse_json(body):
    """``body`` (bytes) parsed as JSON. Raises ValueError (not JSON, not UTF-8) or RecursionError (nested too deeply)."""
    # UnicodeDecodeError is a ValueError.
    return json.loads(body.decode('utf-8-sig'))


class _Deadline:
    """The bound of one HTTP exchange: connect, send, headers and the whole body.

    A socket timeout bounds each read only, so a server that drips a byte a second would keep a
    request going for ever. A timer shuts the connection's socket down when the time is up, which
    ends any read or write blocked on it; the client then reports a timeout. ``phase`` records how
    far the exchange got, to tell a request that may have reached the server from one that did not.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.expired = False
        self.phase = 'connect'
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self):
        """Start the timer."""
        self._timer.start()

    def remaining(self):
        """Seconds left, at least a little, for socket timeouts."""
        return max(0.01, self.ends_at - time.monotonic())

    def watch(self, sock):
        """Shut ``sock`` down when the time is up (at once, if it already is)."""
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def cancel(self):
        """Stop the timer: the exchange is over."""
        self._timer.cancel()

    def _expire(self):
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _deadline_connection(base):
    """An http.client connection class that registers its socket with a _Deadline and records the phase."""

    class DeadlineConnection(base):
        def __init__(self, *args, **kwargs):
            self.pc_deadline = kwargs.pop('pc_deadline')
            super().__init__(*args, **kwargs)
            create = self._create_connection

            def create_watched(address, timeout=None, source_address=None, **extra):
                sock = create(address, min(timeout or self.pc_deadline.remaining(), self.pc_deadline.remaining()),
                              source_address, **extra)
                self.pc_deadline.watch(sock)
                return sock

            self._create_connection = create_watched

        def connect(self):
            self.pc_deadline.phase = 'connect'
            super().connect()
            self.pc_deadline.phase = 'send'

        def getresponse(self):
            self.pc_deadline.phase = 'response'
            return super().getresponse()

    return DeadlineConnection


_HTTPConnection = _deadline_connection(http.client.HTTPConnection)
_HTTPSConnection = _deadline_connection(http.client.HTTPSConnection)


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req, pc_deadline=req.pc_deadline)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context=None):
        super().__init__(context=context)
        self._pc_context = context

    def https_open(self, req):
        kwargs = {'pc_deadline': req.pc_deadline}
        if self._pc_context is not None:
            kwargs['context'] = self._pc_context
        return self.do_open(_HTTPSConnection, req, **kwargs)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Partner Center does not redirect; following one would send the bearer token elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class PartnerCenterClient:
    """Sends Partner Center requests with the documented headers, retries and error handling.

    ``auth`` is one of the classes in ``auth.py``: it hands out a bearer token and may renew it
    when Partner Center answers 401: once in the client's life, or with ``renewal_interval`` at
    most once in that many seconds of ``clock`` (a monotonic clock); never for a 401 with code
    900421. ``warn`` receives one line per retry; ``sleep`` and ``rand`` are replaceable so tests
    never wait for real.
    """

    def __init__(self, base_url, auth, timeout=30, validate_certs=True, locale='en-US',
                 correlation_id=None, retries=5, warn=None, sleep=time.sleep, rand=random.random,
                 renewal_interval=None, clock=time.monotonic):
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
        # Token renewals after a 401. Without renewal_interval at most one per client (a task), whatever the
        # concurrency; with it (a client that lives for days, as the event source's) at most one in that many seconds.
        self.token_renewals = 0
        self.renewal_interval = renewal_interval
        self.clock = clock
        self._last_renewal = None

    # -- public API -------------------------------------------------------------------------

    def get_json(self, path, what, shape=None, headers=None):
        """GET ``path`` (below base_url); return the JSON body of a 200, through ``shape`` when given.

        ``shape`` turns the body into what the caller needs and raises ResponseError when the body
        is not what the API documents; that error then carries the answer's status and ids. Any
        other exception of ``shape`` on a body it did not expect (a list where it wanted text, nesting
        too deep) is turned into a ResponseError too, so that no answer ends in a traceback.
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
        except _SHAPE_ERRORS as error:
            raise response.annotate(ResponseError(
                '%s: HTTP %d with a body of a form the collection cannot read (%s: %s; content type %s, %d bytes): %r'
                % (what, response.status, type(error).__name__, self.redact(_one_line(error)),
                   response.header('content-type') or 'none', len(response.body), response.excerpt()))) from None

    def request(self, method, path, body=None, expected=(200,), headers=None, refusal_hint=None):
        """Send one logical API request, with retries; return the Response or raise.

        ``body``, when given, is sent as JSON; ``headers`` are sent besides the standard ones.
        ``refusal_hint``, when given, is what to do about a 401/403 of this endpoint: it leads the
        message instead of the general hint about credentials.
        """
        url = self.base_url + path
        if body is not None:
            body = json.dumps(body, separators=(',', ':')).encode('utf-8')
        response = self._exchange(method, url, body=body, content_type='application/json', authenticated=True,
                                  extra_headers=headers)
        if response.status not in expected:
            raise self._api_error(method, path, response, refusal_hint)
        return response

    def post_form(self, url, form):
        """POST a form (the token endpoint), with the same retries; return the final Response."""
        body = urllib.parse.urlencode(form).encode('ascii')
        return self._exchange('POST', url, body=body, content_type='application/x-www-form-urlencoded',
                              authenticated=False)

    def warn(self, message):
        """Hand ``message``, with every secret masked, to the task's warnings (when the client was given a channel)."""
        if self._warn is not None:
            self._warn(self.redact(message))

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
        # A request that changes something: when it may have reached the server unanswered, its
        # outcome is unknown until an answer to a retry with the same MS-RequestId settles it.
        changes_state = method not in ('GET', 'HEAD') and authenticated
        maybe_delivered = False
        unsettled = 0
        attempt = 0
        token_retried = False
        while True:
            token = self.auth.token(self) if authenticated else None
            if token:
                self.add_secret(token)
            headers = self._headers(request_id, token, content_type, body is not None)
            # The client's own headers (the token among them) always win over a caller's.
            own = set(name.lower() for name in headers)
            headers.update((name, value) for name, value in (extra_headers or {}).items() if name.lower() not in own)
            try:
                self._check_headers(headers, target)
                response = self._send_once(method, url, headers, body)
                response.redact = self.redact
            except TransportError as error:
                error.request_id = error.request_id or request_id
                error.correlation_id = error.correlation_id or self.correlation_id
                maybe_delivered = maybe_delivered or getattr(error, 'maybe_delivered', False)
                if not error.retryable or attempt >= self.retries:
                    error.message = self.redact('%s failed: %s%s' % (
                        target, error.message, ' (after %d %s)' % (attempt, 'retry' if attempt == 1 else 'retries')
                        if attempt else ''))
                    if changes_state and maybe_delivered:
                        error.outcome_unknown = True
                        error.message += (
                            ' The request may have reached Partner Center: what became of it is unknown '
                            '[MS-RequestId %s, the idempotency key of this request; MS-CorrelationId %s].'
                            % (request_id, self.correlation_id))
                    raise
                attempt += 1
                if changes_state and getattr(error, 'maybe_delivered', False):
                    unsettled += 1
                self._pause(target, attempt, error.message, None)
                continue

            renewable = authenticated and getattr(self.auth, 'renewable', False)
            if (response.status == 401 and renewable and not token_retried and not mfa_required(response)
                    and self._renew_token(token)):
                # The token may have expired or been revoked since it was issued: ask Entra ID for
                # a new one, once per task (or per renewal_interval). A 401 for the renewed token is a
                # real refusal. Not after 900421: a token from the same refresh token lacks MFA too.
                token_retried = True
                continue
            if response.status in RETRY_STATUSES and attempt < self.retries:
                attempt += 1
                if changes_state and response.status >= 500:
                    # A server fault does not say whether the request was applied (a gateway's 504 often comes after it was).
                    unsettled += 1
                    maybe_delivered = True
                retry_after = parse_retry_after(response.header('retry-after'))
                self._pause(target, attempt, 'HTTP %d %s' % (response.status, response.reason), retry_after)
                continue
            response.request_id = request_id
            # Every retry and the request after a token renewal each sent the request again.
            response.attempts = attempt + 1 + int(token_retried)
            response.unsettled_attempts = unsettled
            return response

    def add_secret(self, secret):
        """Mask ``secret`` (in every escaped form) in messages from now on."""
        if secret:
            self.secrets.add(secret)

    def _check_headers(self, headers, target):
        for name, value in headers.items():
            problem = header_value_problem(name, value)
            if problem:
                where = ('the access token' if name == 'Authorization' else 'the %s header' % name)
                raise TransportError(
                    'refused to send %s: %s. A token or header value must be one line of printable text%s.'
                    % (target, problem, '; check where %s comes from' % where if name == 'Authorization' else ''),
                    retryable=False)

    def _renew_token(self, rejected):
        """Whether to send again after a 401 for ``rejected``: a newer token is there, or one may be asked for.

        A task asks Entra ID for a new token at most once, whatever the concurrency: side-by-side
        requests (the bulk read) refused the same token share one renewal, and a 401 for the renewed
        token is final for every request. A client with ``renewal_interval`` renews after any later
        401 too, at most once in that many seconds.
        """
        with self._renewal_lock:
            if self.auth.token(self) != rejected:
                # Another request already replaced it: try the new one.
                return True
            if self.renewal_interval is None:
                if self.token_renewals >= 1:
                    return False
            elif self._last_renewal is not None and self.clock() - self._last_renewal < self.renewal_interval:
                return False
            self.token_renewals += 1
            self._last_renewal = self.clock()
            self.auth.invalidate()
            return True

    def _pause(self, target, attempt, reason, retry_after):
        delay = backoff_delay(attempt, retry_after, self._rand)
        if self._warn is not None:
            self._warn(self.redact('%s: %s; retry %d of %d in %.1f s%s' % (
                target, reason, attempt, self.retries, delay,
                ' (Retry-After)' if retry_after is not None else '')))
        self._sleep(delay)

    def _get_opener(self):
        if self._opener is None:
            context = None
            if not self.validate_certs:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            # With validate_certs the HTTPS connection builds a verifying context at the first HTTPS
            # connection (honouring SSL_CERT_FILE), and never for plain-HTTP loopback URLs.
            self._opener = urllib.request.build_opener(
                _NoRedirect(), _DeadlineHTTPHandler(), _DeadlineHTTPSHandler(context=context))
        return self._opener

    def _send_once(self, method, url, headers, body):
        """One HTTP exchange, bounded as a whole by ``timeout``; a Response, or TransportError."""
        host = safe_url('//' + urllib.parse.urlsplit(url).netloc)[2:]
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        deadline = _Deadline(self.timeout)
        request.pc_deadline = deadline
        deadline.start()
        try:
            try:
                raw = self._get_opener().open(request, timeout=self.timeout)
            except urllib.error.HTTPError as error:
                raw = error
            except urllib.error.URLError as error:
                raise self._transport_error(host, error.reason, deadline, body) from None
            except (http.client.HTTPException, OSError) as error:
                raise self._transport_error(host, error, deadline, body) from None
            except ValueError as error:
                # http.client refuses a header value with a line break; headers are checked before,
                # so this is a last line of defence, not a retryable fault. The value is not shown.
                raise TransportError('cannot send the request to %s: %s' % (host, type(error).__name__),
                                     retryable=False) from None
            try:
                payload = self._read_body(raw, host)
                if deadline.expired:
                    raise self._timeout_error(host, deadline, body)
            except http.client.IncompleteRead as error:
                if deadline.expired:
                    raise self._timeout_error(host, deadline, body) from None
                # Say what did come back: the status, the content type and the first bytes.
                partial = Response(raw.getcode(), getattr(raw, 'reason', None), raw.headers, error.partial)
                partial.redact = self.redact
                raise TransportError(
                    '%s answered HTTP %d (content type %s) but closed the connection after %d of %s bytes (truncated body): %r'
                    % (host, partial.status, partial.header('content-type') or 'none', len(error.partial),
                       partial.header('content-length') or 'unknown', partial.excerpt()),
                    http_status=partial.status) from None
            except (http.client.HTTPException, OSError, ValueError) as error:
                raise self._transport_error(host, error, deadline, body) from None
            finally:
                raw.close()
        finally:
            deadline.cancel()
        return Response(raw.getcode(), getattr(raw, 'reason', None), raw.headers, payload)

    def _read_body(self, raw, host):
        """The whole body, at most MAX_RESPONSE_BYTES: a larger one fails without being read."""
        status = raw.getcode()
        declared = raw.headers.get('content-length')
        try:
            declared = int(declared) if declared is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > MAX_RESPONSE_BYTES:
            raise self._too_large(host, status, raw, 'announces %d bytes' % declared)
        chunks, size = [], 0
        while True:
            chunk = raw.read(_READ_CHUNK)
            if not chunk:
                if declared is not None and size < declared:
                    # read(amount) returns what came when the connection closes early; say so.
                    raise http.client.IncompleteRead(b''.join(chunks), declared - size)
                return b''.join(chunks)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise self._too_large(host, status, raw, 'sent more than that')
            chunks.append(chunk)

    @staticmethod
    def _too_large(host, status, raw, what):
        return TransportError(
            '%s answered HTTP %d with a body too large to read: it %s, the limit is %d MiB (content type %s). '
            'No Partner Center answer comes near that: check base_url and any proxy in between.'
            % (host, status, what, MAX_RESPONSE_BYTES // (1024 * 1024), raw.headers.get('content-type') or 'none'),
            retryable=False, http_status=status)

    def _timeout_error(self, host, deadline, body):
        error = TransportError('%s did not answer within %s s (timeout: the whole request, connect to last byte)'
                               % (host, _seconds(self.timeout)))
        # A request that had been sent (waiting for its answer), or whose body was being sent, may have reached the server.
        error.maybe_delivered = deadline.phase == 'response' or (body is not None and deadline.phase == 'send')
        return error

    def _transport_error(self, host, reason, deadline=None, body=None):
        if deadline is not None and deadline.expired:
            return self._timeout_error(host, deadline, body)
        phase = deadline.phase if deadline is not None else None
        if isinstance(reason, ssl.SSLCertVerificationError):
            return TransportError(
                'TLS certificate of %s could not be verified: %s. Fix the trust store (SSL_CERT_FILE) '
                'or, for a test endpoint only, set validate_certs to false.' % (host, reason.verify_message or reason),
                retryable=False)
        if isinstance(reason, socket.gaierror):
            return TransportError('cannot resolve %s: %s' % (host, reason), retryable=False)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return self._timeout_error(host, deadline, body) if deadline is not None else TransportError(
                '%s did not answer within %s s (timeout)' % (host, _seconds(self.timeout)))
        if isinstance(reason, ConnectionRefusedError):
            return TransportError('%s refused the connection' % host)
        closed_while_sending = isinstance(reason, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError))
        if phase == 'send' and body is not None and closed_while_sending:
            # The server stopped reading the request: sending the same body again would meet the
            # same end. Most often the body is larger than the server or a proxy accepts.
            error = TransportError(
                '%s closed the connection while the request body (%d bytes) was being sent: the request may '
                'be too large for Partner Center or a proxy in between (upload fewer devices per task), '
                'and part of it may have been processed. It was not sent again.' % (host, len(body)),
                retryable=False)
            error.maybe_delivered = True
            return error
        if isinstance(reason, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
            error = TransportError('%s closed the connection without an answer' % host)
            error.maybe_delivered = phase == 'response'
            return error
        error = TransportError('cannot reach %s: %s' % (host, self.redact(_one_line(reason))))
        error.maybe_delivered = phase == 'response'
        return error

    def _api_error(self, method, path, response, refusal_hint=None):
        try:
            payload = parse_json(response.body) if response.body else None
        except (ValueError, RecursionError):
            payload = None
        code = description = data = None
        if isinstance(payload, dict):
            code = payload.get('code', payload.get('statusCode'))
            description = payload.get('description') or payload.get('message')
            data = payload.get('data')
        code = _scalar_text(code)
        description = _scalar_text(description)
        data = data if isinstance(data, list) and data else None
        mfa = mfa_required(response)
        if mfa:
            # The code the answer carries, wherever it was found (a description, the WWW-Authenticate header).
            code = MFA_REQUIRED_CODE
        request_id = response.header('ms-requestid') or response.request_id
        correlation_id = response.header('ms-correlationid') or self.correlation_id
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
            self.redact(message),
            http_status=response.status,
            error_code=code,
            error_description=self.redact(description) if description else None,
            request_id=request_id,
            correlation_id=correlation_id,
            error_data=_redact_data(data, self.redact) if data else None,
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
        text = _one_line(text)
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


def _scalar_text(value):
    """A code or description as text, or None: a number is written out, an object or a list ignored."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        text = _one_line(value)
        return text or None
    return None


def _one_line(value):
    return ' '.join(str(value).split())


def _seconds(value):
    return ('%g' % value) if isinstance(value, float) else str(value)
