# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP exchange, bounded as a whole in time and size, and the answer it gives (``Response``).

The transport is the standard library's ``urllib.request`` rather than
``ansible.module_utils.urls`` or ``requests``: every poll of a batch runs the module again, and
both of those add imports that are a large share of a module's start-up (see the performance guide), while
``urllib.request`` is already loaded by ``ansible.module_utils.basic``. What ``open_url`` would
give us is done here: certificate validation on by default (``validate_certs``), proxies from
``HTTPS_PROXY``/``NO_PROXY`` (urllib's ``ProxyHandler``), and no redirects, so a bearer token is
never replayed to another host.

Nothing here retries, renews a token or reads Partner Center's error answers: ``client.py`` does.
"""

import http.client
import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError, TransportError
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import safe_url

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


class Response:
    """One HTTP answer: status, headers (case-insensitive look-up) and the raw body."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason or http.client.responses.get(status, '')
        self.headers = dict((str(key).lower(), value) for key, value in (headers or {}).items())
        self.body = body or b''
        # Set by the client (client.py): the MS-RequestId it sent, how many requests the answer took, and its redaction.
        self.request_id = None
        self.attempts = 1
        self.redact = None
        # Earlier attempts of a changing request whose outcome is unknown (a server fault answered, or no answer
        # after the request may have been delivered): the request may have been applied before this answer.
        self.unsettled_attempts = 0

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
    ends any read or write blocked on it; the exchange then reports a timeout. ``phase`` records how
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


class HttpExchange:
    """Sends one request and reads its whole answer within ``timeout`` seconds, connect to last byte.

    ``redact`` masks the secrets of the caller in what a failure says of the answer. Returns a
    Response for any HTTP status; raises TransportError when no usable answer came, with
    ``retryable`` (whether sending again may help) and ``maybe_delivered`` (whether the request may
    have reached the server) set for the caller's retry loop.
    """

    def __init__(self, timeout, validate_certs=True, redact=None):
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.redact = redact if redact is not None else (lambda text: text)
        self._opener = None

    def send(self, method, url, headers, body):
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
                               % (host, seconds_text(self.timeout)))
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
                '%s did not answer within %s s (timeout)' % (host, seconds_text(self.timeout)))
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
        error = TransportError('cannot reach %s: %s' % (host, self.redact(one_line(reason))))
        error.maybe_delivered = phase == 'response'
        return error

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


def one_line(value):
    """``value`` as text on one line, runs of white space as one space."""
    return ' '.join(str(value).split())


def seconds_text(value):
    """A number of seconds as given: ``1.5`` or ``30``."""
    return ('%g' % value) if isinstance(value, float) else str(value)
