# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Partner Center client every module of the collection uses: a request, its retries, its token.

It owns the base URL, the request headers Partner Center documents, the retry loop (what is retried and how
long it waits: retry_policy.py), the renewal of a refused token, and the secrets to mask. One exchange on the
wire is http_exchange.py's; the message of an error answer is api_errors.py's. It knows nothing of Ansible
results.
"""

import json
import random
import threading
import time
import urllib.parse
import uuid

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.partnercenter.devices.plugins.module_utils.api_errors import api_error, mfa_required
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, ResponseError, TransportError, redact
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import HttpExchange, one_line
from ansible_collections.partnercenter.devices.plugins.module_utils.retry_policy import (
    TRANSIENT_STATUSES,
    backoff_delay,
    parse_retry_after,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import header_value_problem

COLLECTION_NAME = 'partnercenter.devices'
# Kept equal to galaxy.yml's version by a unit test.
COLLECTION_VERSION = '1.0.0'
USER_AGENT = '%s/%s (ansible-core/%s)' % (COLLECTION_NAME, COLLECTION_VERSION, ANSIBLE_CORE_VERSION)

# Exceptions a shaping function may raise on a body whose form it does not expect.
_SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError)


def new_guid():
    """A fresh GUID string, as Partner Center's MS-RequestId and MS-CorrelationId expect."""
    return str(uuid.uuid4())


class FormPoster:
    """What credentials (auth.py) get of the client: a way to post a form, and the set of secrets to mask.

    ``post_form(url, form)`` sends the form with the client's retries and bounds and returns the final
    Response; ``secrets`` is the client's set of secrets, which the credentials add what they send and
    receive to, and mask their messages with.
    """

    def __init__(self, post_form, secrets):
        self.post_form = post_form
        self.secrets = secrets


# What a DELETE came to (PartnerCenterClient.delete): done (200 or 204), gone already (404), or done by this request as far
# as can be told (an earlier attempt of the same DELETE went unanswered or got a server error, and the retry got 404).
DELETED, ABSENT, DELETED_UNCONFIRMED = 'deleted', 'absent', 'deleted_unconfirmed'
DELETED_STATUSES = (200, 204)


class PartnerCenterClient:
    """Sends Partner Center requests with the documented headers, retries and error handling.

    ``auth`` is one of the classes in ``auth.py``: it hands out a bearer token, asking Entra ID
    through a FormPoster, and may renew it when Partner Center answers 401: once in the client's
    life, or with ``renewal_interval`` at most once in that many seconds of ``clock`` (a monotonic
    clock); never for a 401 with code 900421. ``warn`` receives one line per retry; ``sleep`` and
    ``rand`` are replaceable so tests never wait for real.
    """

    def __init__(self, base_url, auth, timeout=30, validate_certs=True, locale='en-US',
                 correlation_id=None, retries=5, warn=None, sleep=time.sleep, rand=random.random,
                 renewal_interval=None, clock=time.monotonic):
        self.base_url = base_url.rstrip('/')
        self.auth = auth
        self.locale = locale
        self.correlation_id = correlation_id or new_guid()
        self.retries = retries
        self._warn = warn
        self._sleep = sleep
        self._rand = rand
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
        self._http = HttpExchange(timeout, validate_certs, self.redact)
        self._form_poster = FormPoster(self.post_form, self.secrets)

    @property
    def timeout(self):
        """Seconds one exchange may take, connect to last byte."""
        return self._http.timeout

    @property
    def validate_certs(self):
        """Whether TLS certificates are verified."""
        return self._http.validate_certs

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
                % (what, response.status, type(error).__name__, self.redact(one_line(error)),
                   response.header('content-type') or 'none', len(response.body), response.excerpt()))) from None

    def delete(self, path):
        """DELETE ``path`` -> DELETED, ABSENT or DELETED_UNCONFIRMED; any other refusal raises its ApiError.

        A TransportError with ``outcome_unknown`` means that no answer settled it at all.
        """
        try:
            self.request('DELETE', path, expected=DELETED_STATUSES)
        except ApiError as error:
            if error.http_status == 404:
                return DELETED_UNCONFIRMED if error.maybe_applied_before else ABSENT
            raise
        return DELETED

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
            raise api_error(method, path, response, self.correlation_id, self.redact, refusal_hint)
        return response

    def access_token(self):
        """The bearer token the next request sends: asked of Entra ID the first time and when near expiry."""
        return self.auth.token(self._form_poster)

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
        unsettled = 0
        attempt = 0
        token_retried = False
        while True:
            token = self.access_token() if authenticated else None
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
                if not error.retryable or attempt >= self.retries:
                    error.message = self.redact('%s failed: %s%s' % (
                        target, error.message, ' (after %d %s)' % (attempt, 'retry' if attempt == 1 else 'retries')
                        if attempt else ''))
                    # Unknown when this attempt, or an earlier one, may have been applied.
                    if changes_state and (unsettled or getattr(error, 'maybe_delivered', False)):
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
            if response.status == 401 and renewable and not token_retried and not mfa_required(response) and self._renew_token(token):
                # The token may have expired or been revoked since it was issued: ask Entra ID for
                # a new one, once per task (or per renewal_interval). A 401 for the renewed token is a
                # real refusal. Not after 900421: a token from the same refresh token lacks MFA too.
                token_retried = True
                continue
            if response.status in TRANSIENT_STATUSES and attempt < self.retries:
                attempt += 1
                if changes_state and response.status >= 500:
                    # A server fault does not say whether the request was applied (a gateway's 504 often comes after it was).
                    unsettled += 1
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
            if self.access_token() != rejected:
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

    def _send_once(self, method, url, headers, body):
        """One HTTP exchange, bounded as a whole by ``timeout``; a Response, or TransportError."""
        return self._http.send(method, url, headers, body)
