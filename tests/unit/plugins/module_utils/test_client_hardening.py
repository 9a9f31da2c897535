# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the client against small misbehaving servers on 127.0.0.1.

Each server is a raw socket loop, so it can do what no HTTP library would: drip bytes, lie about
lengths, close while the client sends. Sleeps are real but short (timeouts of about a second).
"""

import json
import socket
import threading
import time

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils import http_exchange
from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ClientCredentialsAuth, StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    ApiError,
    ResponseError,
    TransportError,
    redact,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

TOKEN = 'static-access-token-VALUE-1234'


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each socket to ``handler`` in a thread."""

    def __init__(self, handler):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.url = 'http://127.0.0.1:%d' % self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, unused_address = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            self.handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


def read_request(conn):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, unused, body = data.partition(b'\r\n\r\n')
    length = 0
    for line in head.split(b'\r\n'):
        if line.lower().startswith(b'content-length:'):
            length = int(line.split(b':')[1])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b'\r\n\r\n' + body


@pytest.fixture
def server():
    servers = []

    def start(handler):
        raw = RawServer(handler)
        servers.append(raw)
        return raw

    yield start
    for raw in servers:
        raw.close()


def make_client(url, timeout=1.0, retries=0, auth=None):
    return PartnerCenterClient(url, auth or StaticTokenAuth(TOKEN), timeout=timeout, retries=retries,
                               sleep=lambda seconds: None)


def test_timeout_bounds_a_dripping_body(server):
    def drip(conn):
        read_request(conn)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n')
        for unused in range(100):
            conn.sendall(b' ')
            time.sleep(0.2)

    raw = server(drip)
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        make_client(raw.url, timeout=1.0).get_json('/v1/x', 'x')
    assert time.monotonic() - started < 3
    assert 'did not answer within 1 s (timeout: the whole request' in caught.value.message


def test_timeout_bounds_dripping_headers(server):
    def drip(conn):
        read_request(conn)
        for byte in b'HTTP/1.1 200 OK\r\nX-Slow: ' + b'a' * 100:
            conn.sendall(bytes([byte]))
            time.sleep(0.1)

    raw = server(drip)
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        make_client(raw.url, timeout=1.0).get_json('/v1/x', 'x')
    assert time.monotonic() - started < 3
    assert 'timeout' in caught.value.message


def test_a_body_over_the_cap_is_refused_from_its_content_length(server, monkeypatch):
    monkeypatch.setattr(http_exchange, 'MAX_RESPONSE_BYTES', 1024)

    def big(conn):
        read_request(conn)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n' + b' ' * 5000)

    raw = server(big)
    with pytest.raises(TransportError) as caught:
        make_client(raw.url).get_json('/v1/x', 'x')
    assert 'body too large to read: it announces 5000 bytes' in caught.value.message
    assert caught.value.retryable is False


def test_a_body_over_the_cap_without_length_is_cut(server, monkeypatch):
    monkeypatch.setattr(http_exchange, 'MAX_RESPONSE_BYTES', 1024)

    def big(conn):
        read_request(conn)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n' + b'[' * 5000)

    raw = server(big)
    with pytest.raises(TransportError) as caught:
        make_client(raw.url).get_json('/v1/x', 'x')
    assert 'it sent more than that' in caught.value.message


def test_json_nested_too_deeply_is_a_response_error_with_ids(server):
    body = b'[' * 100000 + b']' * 100000

    def deep(conn):
        read_request(conn)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nMS-RequestId: rid-1\r\n'
                     b'Content-Length: %d\r\n\r\n' % len(body) + body)

    raw = server(deep)
    with pytest.raises(ResponseError) as caught:
        make_client(raw.url).get_json('/v1/x', 'x')
    assert 'nested too deeply' in caught.value.message
    assert caught.value.request_id == 'rid-1' and caught.value.http_status == 200


def test_a_shape_that_trips_on_the_body_becomes_a_response_error():
    client = make_client('https://pc.example.test')
    client._send_once = lambda *args: Response(200, None, {'MS-RequestId': 'rid-2'}, b'{"status": ["a"]}')
    with pytest.raises(ResponseError) as caught:
        client.get_json('/v1/x', 'x', shape=lambda body: {body['status']: 1})
    assert 'a body of a form the collection cannot read (TypeError' in caught.value.message
    assert caught.value.request_id == 'rid-2'


def test_connection_closed_while_sending_a_body_is_not_retried_and_outcome_unknown(server):
    def refuse_body(conn):
        data = b''
        while b'\r\n\r\n' not in data:
            data += conn.recv(4096)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')

    raw = server(refuse_body)
    client = make_client(raw.url, timeout=5, retries=3)
    with pytest.raises(TransportError) as caught:
        client.request('POST', '/v1/upload', body={'devices': ['x' * 1000] * 20000}, expected=(202,))
    error = caught.value
    assert raw.connections == 1
    assert error.outcome_unknown is True
    assert 'may be too large' in error.message and 'It was not sent again' in error.message
    assert 'MS-RequestId %s' % error.request_id in error.message


def test_a_post_without_answer_is_retried_with_one_request_id_then_outcome_unknown(server):
    request_ids = []

    def drop(conn):
        data = read_request(conn)
        for line in data.split(b'\r\n'):
            if line.lower().startswith(b'ms-requestid:'):
                request_ids.append(line.split(b':', 1)[1].strip())

    raw = server(drop)
    with pytest.raises(TransportError) as caught:
        make_client(raw.url, retries=2).request('POST', '/v1/upload', body=[{'serialNumber': 'S1'}], expected=(202,))
    assert len(request_ids) == 3 and len(set(request_ids)) == 1
    assert caught.value.outcome_unknown is True
    assert 'what became of it is unknown' in caught.value.message


def test_a_get_without_answer_is_not_outcome_unknown(server):
    raw = server(read_request)
    with pytest.raises(TransportError) as caught:
        make_client(raw.url).get_json('/v1/x', 'x')
    assert caught.value.outcome_unknown is False


def test_a_token_with_a_line_break_is_refused_before_sending(server):
    raw = server(read_request)
    client = make_client(raw.url, auth=StaticTokenAuth('tok-SECRET-VALUE\r\nX-Evil: 1'))
    with pytest.raises(TransportError) as caught:
        client.get_json('/v1/x', 'x')
    assert raw.connections == 0
    assert 'control character' in caught.value.message
    assert 'SECRET' not in caught.value.message and 'X-Evil' not in caught.value.message


def test_error_data_and_string_code(server):
    body = json.dumps({'code': 2032, 'description': 'Denied', 'data': ['first reason', {'k': 'v'}, 3, 4, 5]}).encode()

    def refuse(conn):
        read_request(conn)
        conn.sendall(b'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n'
                     % len(body) + body)

    raw = server(refuse)
    with pytest.raises(ApiError) as caught:
        make_client(raw.url).get_json('/v1/x', 'x')
    error = caught.value
    assert error.error_code == '2032'
    assert error.error_data == ['first reason', '{"k": "v"}', 3, 4, 5]
    assert '(data: first reason; {"k": "v"}; 3; and 2 more)' in error.message
    assert error.result_fields()['error_data'] == error.error_data


def test_a_permanent_401_renews_the_token_once_per_task_whatever_the_concurrency():
    token_requests = []
    lock = threading.Lock()

    def send_once(method, url, headers, body):
        if 'oauth2' in url:
            with lock:
                token_requests.append(1)
                number = len(token_requests)
            return Response(200, None, {}, json.dumps({'access_token': 'issued-token-%04d-xxxxxxxx' % number,
                                                       'expires_in': '3599'}).encode())
        time.sleep(0.01)
        return Response(401, None, {}, b'{"code": 400, "description": "Access denied"}')

    auth = ClientCredentialsAuth('https://login.example.test', 'contoso.onmicrosoft.com', 'cid', 'csecret-VALUE', 'res')
    client = PartnerCenterClient('https://pc.example.test', auth, retries=0, sleep=lambda s: None)
    client._send_once = send_once
    errors = []

    def read():
        try:
            client.get_json('/v1/x', 'x')
        except ApiError as error:
            errors.append(error)

    threads = [threading.Thread(target=read) for unused in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 100 and all(error.http_status == 401 for error in errors)
    assert len(token_requests) <= 2


def test_redaction_catches_escaped_forms():
    secret = 'tok+en/VALUE\r\nsecond-half-LONG'
    text = ("headers b'Bearer tok+en/VALUE\\r\\nsecond-half-LONG' form client_secret=tok%2Ben%2FVALUE%0D%0Asecond-half-LONG "
            'json "tok+en/VALUE\\r\\nsecond-half-LONG" lower tok%2ben%2fVALUE%0d%0asecond-half-LONG')
    masked = redact(text, {secret})
    assert 'VALUE' not in masked and 'second-half' not in masked
