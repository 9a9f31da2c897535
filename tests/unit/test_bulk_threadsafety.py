# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of what the bulk read needs of client.py and auth.py when requests run side by side.

One token for every worker: a first token request and a renewal after a 401 each happen once,
however many requests ask at the same moment. The transport is faked (``_send_once``); barriers
make requests meet at the worst moment, with a timeout so that a bug fails instead of hanging.
"""

import json
import sys
import threading
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ClientCredentialsAuth, StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

BASE_URL = 'https://pc.example.test'
AUTHORITY = 'https://login.example.test'
RESOURCE = 'https://api.partnercenter.microsoft.com'
TENANT_ID = '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6'
CLIENT_ID = '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e'
CLIENT_SECRET = 'unit-client-secret-DO-NOT-LEAK-4Rt6'
GIVEN_TOKEN = 'unit-given-token-DO-NOT-LEAK-0Aa1'
THREADS = 8
HOLD_SECONDS = 10


def json_answer(status, payload):
    """A Response with a JSON body."""
    return Response(status, None, {'Content-Type': 'application/json'}, json.dumps(payload).encode('utf-8'))


class Transport:
    """Stands in for ``_send_once``: a token endpoint that issues numbered tokens, and an API.

    The API refuses (401) every token in ``refused``. ``hold`` is a barrier that API requests
    carrying a refused token wait at before they are answered, so that they all see the 401 together.
    """

    def __init__(self, refused=(), hold=None):
        self.lock = threading.Lock()
        self.token_requests = 0
        self.api_tokens = []
        self.refused = set(refused)
        self.hold = hold
        self.token_may_answer = threading.Event()
        self.token_may_answer.set()

    def __call__(self, method, url, headers, body):
        if url.startswith(AUTHORITY):
            assert method == 'POST' and urllib.parse.parse_qs(body.decode('ascii'))['client_secret'] == [CLIENT_SECRET]
            # A slow token endpoint: every worker asks meanwhile.
            assert self.token_may_answer.wait(HOLD_SECONDS)
            with self.lock:
                self.token_requests += 1
                number = self.token_requests
            return json_answer(200, {'access_token': 'unit-issued-token-%d-DO-NOT-LEAK' % number, 'expires_in': '3599'})
        token = headers['Authorization'][len('Bearer '):]
        with self.lock:
            self.api_tokens.append(token)
        if token in self.refused:
            if self.hold is not None:
                self.hold.wait()
            return json_answer(401, {'code': 400, 'description': 'Access denied'})
        return json_answer(200, {'status': 'finished'})


def client_with(auth, transport):
    """A PartnerCenterClient on ``auth`` whose requests go to ``transport``."""
    client = PartnerCenterClient(BASE_URL, auth, sleep=lambda seconds: None, rand=lambda: 0.0)
    client._send_once = transport  # pylint: disable=protected-access
    return client


def app_only():
    """App-only credentials for the unit tenant."""
    return ClientCredentialsAuth(AUTHORITY, TENANT_ID, CLIENT_ID, CLIENT_SECRET, RESOURCE)


def side_by_side(client, count=THREADS):
    """``count`` GETs at once on ``client``; the answers (or exceptions), in order."""
    answers = [None] * count
    start = threading.Barrier(count, timeout=HOLD_SECONDS)

    def get(index):
        start.wait()
        try:
            answers[index] = client.get_json('/v1/customers/c/batchJobStatus/%d' % index, 'read %d' % index)
        except Exception as error:  # pylint: disable=broad-exception-caught
            answers[index] = error

    threads = [threading.Thread(target=get, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HOLD_SECONDS * 2)
    return answers


def test_requests_side_by_side_share_the_first_token():
    transport = Transport()
    transport.token_may_answer.clear()
    auth = app_only()
    client = client_with(auth, transport)
    # The token endpoint answers only once every request has had time to ask for a token.
    releaser = threading.Timer(0.2, transport.token_may_answer.set)
    releaser.start()
    answers = side_by_side(client)
    releaser.join()
    assert answers == [{'status': 'finished'}] * THREADS
    assert transport.token_requests == 1
    assert auth.token_requests == 1
    assert set(transport.api_tokens) == {'unit-issued-token-1-DO-NOT-LEAK'}


def test_a_token_refused_side_by_side_is_renewed_once():
    transport = Transport(refused={'unit-issued-token-1-DO-NOT-LEAK'}, hold=threading.Barrier(THREADS, timeout=HOLD_SECONDS))
    auth = app_only()
    client = client_with(auth, transport)
    auth.token(client)
    answers = side_by_side(client)
    assert answers == [{'status': 'finished'}] * THREADS
    # Eight 401s for the first token, one renewal, eight retries with the second token.
    assert transport.token_requests == 2
    assert transport.api_tokens.count('unit-issued-token-1-DO-NOT-LEAK') == THREADS
    assert transport.api_tokens.count('unit-issued-token-2-DO-NOT-LEAK') == THREADS


def test_a_given_token_refused_side_by_side_falls_back_once():
    transport = Transport(refused={GIVEN_TOKEN}, hold=threading.Barrier(THREADS, timeout=HOLD_SECONDS))
    auth = StaticTokenAuth(GIVEN_TOKEN, fallback=app_only())
    answers = side_by_side(client_with(auth, transport))
    assert answers == [{'status': 'finished'}] * THREADS
    assert transport.token_requests == 1
    assert auth.token_requests == 1
    assert transport.api_tokens.count('unit-issued-token-1-DO-NOT-LEAK') == THREADS


def test_a_single_request_refused_once_renews_its_token_once():
    transport = Transport(refused={'unit-issued-token-1-DO-NOT-LEAK'})
    auth = app_only()
    client = client_with(auth, transport)
    assert client.get_json('/v1/customers/c/batchJobStatus/b', 'read') == {'status': 'finished'}
    assert transport.token_requests == 2
    assert transport.api_tokens == ['unit-issued-token-1-DO-NOT-LEAK', 'unit-issued-token-2-DO-NOT-LEAK']


def test_redact_while_other_threads_add_secrets():
    client = client_with(app_only(), Transport())
    stop = threading.Event()
    failures = []

    def add():
        # The set keeps changing size, but stays small: each round adds one secret and drops an older one.
        number = 0
        while not stop.is_set():
            number += 1
            client.secrets.add('unit-secret-%06d-DO-NOT-LEAK' % number)
            client.secrets.discard('unit-secret-%06d-DO-NOT-LEAK' % (number - 200))

    def redact_many():
        try:
            for _round in range(500):
                client.redact('nothing secret here: unit-secret-000001-DO-NOT-LEAK')
        except RuntimeError as error:
            failures.append(error)

    # Switch threads as often as possible, so that an addition lands in the middle of a redaction.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    adder = threading.Thread(target=add)
    adder.start()
    try:
        redact_many()
    finally:
        stop.set()
        adder.join()
        sys.setswitchinterval(interval)
    assert failures == []
