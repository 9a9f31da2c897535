# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP/1.1 server: threads, keep-alive connections, reading request bodies (Content-Length or chunked)
and writing a :class:`~pcsim.messages.Response` (including the ``drop`` and ``truncated`` faults).
What to answer is decided by the ``dispatch`` callable it is given (``PartnerCenterSimulator._dispatch``)."""

import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .errors import CODE_SIMULATOR_BASE
from .messages import Request, Response, json_bytes

MAX_BODY_BYTES = 10 * 1024 * 1024


class Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its dispatcher, tracks connections and stays quiet."""

    daemon_threads = True

    def __init__(self, address, dispatch, log_enabled):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.dispatch = dispatch
        self.log_enabled = log_enabled
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self):
        """Bind without the reverse DNS lookup HTTPServer.server_bind does."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def track(self, connection, opened):
        """Remember (or forget) an open client connection."""
        with self._connections_lock:
            if opened:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self):
        """Shut down every client connection still open (idle keep-alive ones included)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        """Report handler errors only when logging is enabled."""
        if self.log_enabled:
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, asks the dispatcher for a response and writes it."""

    protocol_version = "HTTP/1.1"
    server_version = "PartnerCenterSimulator/1.0"
    sys_version = ""
    timeout = 120

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        self.server.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.log_enabled:
            sys.stderr.write("%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), format % args))

    def do_GET(self):
        """Serve any method through the dispatcher."""
        self._serve()

    do_POST = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET
    do_DELETE = do_GET
    do_OPTIONS = do_GET

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").strip().lower() == "chunked":
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            return None
        if size < 0 or size > MAX_BODY_BYTES:
            return None
        return self.rfile.read(size)

    def _read_chunked(self):
        chunks = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def _serve(self):
        body = self._read_body()
        if body is None:
            self.close_connection = True
            response = Response(400, json_bytes({"code": CODE_SIMULATOR_BASE + 400, "description": "Unreadable request body.",
                                                 "data": [], "source": "PartnerFD"}))
        else:
            response = self.server.dispatch(Request(self.command, self.path, self.headers, body))
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _write(self, response):
        if response.action == "drop":
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status not in (204, 304):
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            length = len(response.body) if response.declared_length is None else response.declared_length
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if response.status not in (204, 304):
            self.wfile.write(response.body)
        if response.action == "truncated":
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
