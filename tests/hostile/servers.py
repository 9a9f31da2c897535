# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A misbehaving Partner Center and Entra ID on 127.0.0.1, for the hostile suite.

One raw-socket server (so that it can drip bytes, lie about lengths, reset connections and close
while the client is still sending) chooses a behaviour from the first segments of the path:

- ``/b/<behaviour>/v1/...``: the Partner Center API; point ``base_url`` at ``<url>/b/<behaviour>``.
- ``/t/<behaviour>/<tenant>/oauth2/token``: the token endpoint; ``authority_url`` is ``<url>/t/<behaviour>``.

A behaviour name may end in ``~label``: the label only separates the request counters, so a case
can say how many token or API requests it caused. Every token the server issues is recorded in
``issued`` so that the suite can prove none of them reaches any output.
"""

import json
import re
import secrets
import socket
import threading
import time
import urllib.parse

STATUS_PATH = re.compile(r'^/v1/customers/([^/]+)/batchjobstatus/([^/?]+)', re.IGNORECASE)
BATCHES_PATH = re.compile(r'^/v1/customers/([^/]+)/devicebatches/?$', re.IGNORECASE)
DEVICES_PATH = re.compile(r'^/v1/customers/([^/]+)/devicebatches/([^/?]+)/devices/?$', re.IGNORECASE)
OTHER_BATCH_ID = '99999999-8888-4777-8666-555555555555'
MAX_REQUEST_BYTES = 64 * 1024 * 1024


def documented_status(batch_tracking_id, **changes):
    """The documented BatchUploadDetails for ``batch_tracking_id``, finished, with ``changes`` applied."""
    body = {
        'batchTrackingId': batch_tracking_id,
        'status': 'finished',
        'startedTime': '2017-07-25T10:00:00',
        'completedTime': '2017-07-25T10:10:00',
        'devicesStatus': [{
            'serialNumber': '1234567890', 'productKey': '12345-67890-09876-54321-13579',
            'status': 'finished_with_errors', 'errorCode': '808', 'errorDescription': 'ZtdDeviceAssignedToOtherTenant',
            'attributes': {'objectType': 'DeviceUploadDetails'},
        }],
        'attributes': {'objectType': 'BatchUploadDetails'},
    }
    body.update(changes)
    return body


def nested(depth, leaf='x'):
    """JSON text of ``depth`` nested lists around ``leaf``, built without recursion."""
    return '[' * depth + json.dumps(leaf) + ']' * depth


class Request:
    """A parsed request: method, path (below the behaviour prefix), headers (lower-case names), body."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        parts = target.split('?')[0].split('/')
        # '', 'b' or 't', behaviour, rest...
        self.kind = parts[1] if len(parts) > 1 else ''
        self.behaviour = urllib.parse.unquote(parts[2]) if len(parts) > 2 else ''
        self.name = self.behaviour.split('~')[0]
        self.path = '/' + '/'.join(parts[3:])


class HostileServer:
    """The server; ``start()`` returns its URL, ``counts`` holds requests per behaviour (with label)."""

    def __init__(self):
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(('127.0.0.1', 0))
        self._sock.listen(64)
        self.url = 'http://127.0.0.1:%d' % self._sock.getsockname()[1]
        self.counts = {}
        self.issued = []
        self._lock = threading.Lock()
        self._stopped = False

    # -- running ------------------------------------------------------------------------------

    def start(self):
        """Serve in a background thread; return the URL."""
        threading.Thread(target=self._serve, daemon=True).start()
        return self.url

    def stop(self):
        """Stop accepting connections."""
        self._stopped = True
        self._sock.close()

    def _serve(self):
        while not self._stopped:
            try:
                conn, unused_address = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        conn.settimeout(60)
        try:
            request = self._read_head(conn)
            if request is None:
                return
            with self._lock:
                key = '%s:%s' % (request.kind, request.behaviour)
                self.counts[key] = self.counts.get(key, 0) + 1
            if request.kind == 't':
                self._token(conn, request)
            else:
                self._api(conn, request)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _read_head(self, conn):
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, unused, rest = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        method, target = lines[0].split(' ')[:2]
        headers = {}
        for line in lines[1:]:
            name, unused, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        request = Request(method, target, headers, rest)
        request.conn_pending = int(headers.get('content-length') or 0) - len(rest)
        return request

    def _read_body(self, conn, request):
        body = request.body
        pending = request.conn_pending
        while pending > 0:
            chunk = conn.recv(min(65536, pending))
            if not chunk:
                break
            body += chunk
            pending -= len(chunk)
        request.body = body
        return body

    # -- answers --------------------------------------------------------------------------------

    def issue(self, prefix):
        """A new secret token, remembered so that the suite can look for it in every output."""
        token = '%s-%s-DO-NOT-LEAK' % (prefix, secrets.token_hex(12))
        with self._lock:
            self.issued.append(token)
        return token

    @staticmethod
    def send(conn, status, body=b'', content_type='application/json', headers=None, length=None):
        if isinstance(body, (dict, list)) or body is None:
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode('utf-8')
        reason = {200: 'OK', 202: 'Accepted', 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
                  404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error',
                  503: 'Service Unavailable'}.get(status, 'Status')
        lines = ['HTTP/1.1 %d %s' % (status, reason)]
        if content_type:
            lines.append('Content-Type: %s' % content_type)
        lines.append('Content-Length: %d' % (len(body) if length is None else length))
        lines.append('MS-RequestId: hostile-request-id')
        lines.append('MS-CorrelationId: hostile-correlation-id')
        lines.append('Connection: close')
        for name, value in (headers or {}).items():
            lines.append('%s: %s' % (name, value))
        conn.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body)

    def _token(self, conn, request):
        form = urllib.parse.parse_qs(self._read_body(conn, request).decode('utf-8', 'replace'))
        secret = (form.get('client_secret') or [''])[0]
        grant = (form.get('grant_type') or [''])[0]
        name = request.name
        ok = {'token_type': 'Bearer', 'expires_in': '3599', 'resource': 'https://api.partnercenter.microsoft.com'}
        if name in ('ok', 'short') or name.startswith('expires-'):
            ok['access_token'] = self.issue('hostile-access')
            if grant == 'refresh_token':
                ok['refresh_token'] = self.issue('hostile-refresh')
            ok['expires_in'] = {
                'short': 10, 'expires-inf': 'inf', 'expires-nan': 'NaN', 'expires-neg': -100, 'expires-huge': 1e300,
                'expires-text': 'soon', 'expires-list': [1], 'expires-bignum': '9' * 5000,
            }.get(name, ok['expires_in'])
            self.send(conn, 200, ok)
        elif name == 'crlf-token':
            self.send(conn, 200, dict(ok, access_token='hostile-crlf-%s\r\nX-Injected: 1' % secrets.token_hex(6)))
        elif name == 'no-token':
            self.send(conn, 200, {'token_type': 'Bearer'})
        elif name == 'list':
            self.send(conn, 200, [])
        elif name == 'html':
            self.send(conn, 200, '<html>sign in</html>', content_type='text/html')
        elif name == 'deep':
            self.send(conn, 200, nested(100000))
        elif name == 'desc-list':
            self.send(conn, 400, {'error': 'invalid_client', 'error_description': ['AADSTS7000215', 'x'], 'error_codes': 7000215})
        elif name == 'desc-int':
            self.send(conn, 401, {'error': 900403, 'error_description': 12345, 'error_codes': '7000215'})
        elif name == 'desc-object':
            self.send(conn, 401, {'error': {'nested': True}, 'error_description': {'a': 1}, 'error_codes': [{'a': 1}, None]})
        elif name == 'echo-secret':
            description = ('AADSTS7000215: Invalid client secret provided: %s (form %s) json %s'
                           % (urllib.parse.quote_plus(secret), request.body.decode('latin-1'), json.dumps(secret)))
            self.send(conn, 401, {'error': 'invalid_client', 'error_description': description, 'error_codes': [7000215]})
        elif name == 'unavailable':
            self.send(conn, 503, {'error': 'temporarily_unavailable', 'error_description': 'AADSTS90033: A transient error.',
                                  'error_codes': [90033]})
        elif name == 'expired-refresh':
            self.send(conn, 400, {'error': 'invalid_grant', 'error_codes': [700082],
                                  'error_description': 'AADSTS700082: The refresh token has expired due to inactivity.'})
        else:
            self._misbehave(conn, request, name)

    def _api(self, conn, request):
        name = request.name
        if request.method == 'POST' and name == 'upload-reset':
            # Stop reading at once: the client meets a reset while it is still sending a large body.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            return
        self._read_body(conn, request)
        if request.method == 'POST' and name == 'upload-drop':
            return
        if self._collections(conn, request):
            return
        status_match = STATUS_PATH.match(request.path)
        batch_id = status_match.group(2) if status_match else OTHER_BATCH_ID
        if name == 'ok':
            self.send(conn, 200, documented_status(batch_id))
        elif name == 'processing':
            self.send(conn, 200, documented_status(batch_id, status='processing', completedTime=None))
        elif name == 'status-list':
            self.send(conn, 200, documented_status(batch_id, status=['finished']))
        elif name == 'status-object':
            self.send(conn, 200, documented_status(batch_id, status={'value': 'finished'}))
        elif name == 'device-status-list':
            body = documented_status(batch_id)
            body['devicesStatus'][0]['status'] = ['finished']
            self.send(conn, 200, body)
        elif name == 'devices-not-objects':
            self.send(conn, 200, documented_status(batch_id, devicesStatus=['x', 3, None]))
        elif name == 'devices-status-object':
            self.send(conn, 200, documented_status(batch_id, devicesStatus={'a': 1}))
        elif name == 'deep-300':
            self.send(conn, 200, '{"batchTrackingId": "%s", "status": "finished", "devicesStatus": [], "attributes": %s}'
                      % (batch_id, nested(300)))
        elif name == 'other-batch':
            self.send(conn, 200, documented_status(OTHER_BATCH_ID))
        elif name == 'json-list':
            self.send(conn, 200, [])
        elif name == 'json-string':
            self.send(conn, 200, 'finished')
        elif name == 'json-null':
            self.send(conn, 200, None)
        elif name == 'error-data':
            self.send(conn, 403, {'code': 2032, 'description': 'Access denied for this partner.',
                                  'data': ['the user lacks the Admin agent role', {'roles': []}, 'third', 'fourth'],
                                  'source': 'PartnerFD'})
        elif name == 'code-int':
            self.send(conn, 403, {'code': 900403, 'description': 'Forbidden'})
        elif name == 'code-object':
            self.send(conn, 400, {'code': {'x': 1}, 'description': ['a', 'b'], 'data': 'not a list'})
        elif name == 'error-deep':
            self.send(conn, 400, nested(100000))
        elif name == 'echo-auth':
            authorization = request.headers.get('authorization', '')
            self.send(conn, 400, {'code': 400, 'description': 'Bad header %s / %s / %r' % (
                json.dumps(authorization), urllib.parse.quote(authorization), authorization.encode())})
        elif name == 'echo-auth-html':
            self.send(conn, 500, '<pre>%s</pre>' % request.headers.get('authorization', ''), content_type='text/html')
        elif name == 'always-500':
            self.send(conn, 500, {'code': 500, 'description': 'Internal error'})
        elif name == 'always-429':
            self.send(conn, 429, {'statusCode': 429, 'message': 'Rate limit is exceeded.'}, headers={'Retry-After': 'inf'})
        elif name == 'unauthorized':
            self.send(conn, 401, {'code': 400, 'description': 'Access denied'})
        elif name == 'redirect':
            self.send(conn, 302, b'', headers={'Location': 'http://127.0.0.1:9/b/ok' + request.path})
        elif name == 'not-found':
            self.send(conn, 404, {'code': 1000, 'description': 'Not found'})
        else:
            self._misbehave(conn, request, name)

    def _collections(self, conn, request):
        """The device batch routes, for the behaviours that shape them; True when answered."""
        name = request.name
        batches = BATCHES_PATH.match(request.path)
        devices = DEVICES_PATH.match(request.path)
        if not (batches or devices):
            return False
        if request.method == 'POST':
            if name in ('ok', 'upload-ok'):
                customer = (batches or devices).group(1)
                self.send(conn, 202, b'', content_type=None,
                          headers={'Location': '/customers/%s/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932' % customer})
                return True
            return False
        page = {'totalCount': 1, 'items': [{'id': 'hostile-batch', 'devicesCount': 1}], 'attributes': {'objectType': 'Collection'}}
        if devices:
            page = {'totalCount': 1, 'items': [{'id': 'd1', 'serialNumber': 'S1', 'hardwareHash': None}],
                    'attributes': {'objectType': 'Collection'}}
        if name in ('ok', 'upload-ok', 'upload-reset', 'upload-drop'):
            if batches and name != 'ok':
                page = {'totalCount': 0, 'items': []}
            self.send(conn, 200, page)
        elif name == 'links-not-object':
            self.send(conn, 200, dict(page, links='next'))
        elif name == 'next-not-object':
            self.send(conn, 200, dict(page, links={'next': ['x']}))
        elif name == 'ctoken-object':
            self.send(conn, 200, dict(page, continuationToken={'a': 1}))
        elif name == 'ctoken-list':
            self.send(conn, 200, dict(page, continuationToken=['a']))
        elif name == 'ctoken-float':
            self.send(conn, 200, dict(page, continuationToken=1.5))
        elif name == 'ctoken-crlf':
            self.send(conn, 200, dict(page, continuationToken='abc\r\nX-Injected: 1'))
        elif name == 'endless':
            self.send(conn, 200, dict(page, totalCount=10**6, continuationToken=secrets.token_hex(8)))
        elif name == 'items-not-list':
            self.send(conn, 200, dict(page, items={'a': 1}))
        elif name == 'items-not-objects':
            self.send(conn, 200, dict(page, items=[1, 'x', None]))
        else:
            return False
        return True

    def _misbehave(self, conn, request, name):
        """Transport-level misbehaviour, the same for the API and the token endpoint."""
        if name == 'drip-headers':
            for byte in b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n' + b'X-Slow: ' + b'a' * 600:
                conn.sendall(bytes([byte]))
                time.sleep(0.5)
        elif name == 'drip-body':
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n')
            for unused in range(600):
                conn.sendall(b' ')
                time.sleep(0.5)
        elif name == 'stall':
            time.sleep(30)
        elif name == 'huge-declared':
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n')
            chunk = b' ' * 65536
            for unused in range(800):
                conn.sendall(chunk)
        elif name == 'huge-stream':
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[')
            chunk = b'1,' * 32768
            for unused in range(800):
                conn.sendall(chunk)
        elif name == 'deep-json':
            self.send(conn, 200, nested(100000))
        elif name == 'html':
            self.send(conn, 200, '<html><body>Gateway</body></html>', content_type='text/html')
        elif name == 'empty':
            self.send(conn, 200, b'')
        elif name == 'truncated':
            self.send(conn, 200, b'{"status": "fin', length=1000)
        elif name == 'drop':
            return
        elif name == 'rst':
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
        elif name == 'garbage':
            conn.sendall(b'HELLO THERE\r\n\r\n')
        elif name == 'binary':
            self.send(conn, 200, bytes(range(256)) * 4, content_type='application/octet-stream')
        elif name == 'bad-length':
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}')
        elif name == 'never':
            # Reached only when a local check failed to stop a request: the suite counts these.
            self.send(conn, 500, {'code': 500, 'description': 'this request should never have been sent'})
        else:
            self.send(conn, 404, {'code': 1000, 'description': 'unknown hostile behaviour %s' % name})
