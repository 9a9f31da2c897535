# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local Microsoft Partner Center simulator for tests and demos.

One real HTTP/1.1 server on a loopback address answers both the Microsoft Entra ID
token endpoint (``/{tenant}/oauth2/token`` and ``/{tenant}/oauth2/v2.0/token``) and the
Partner Center REST API (``GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id}``, and the
device batch API: ``GET``/``POST /v1/customers/{customer-id}/deviceBatches`` and
``GET``/``POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices``),
so a client's ``authority_url`` and ``base_url`` can both point at :attr:`PartnerCenterSimulator.url`.

Behaviour comes from a seed (see ``seed.json`` and ``README.md`` beside this file):
tenants, applications, refresh tokens, customers, batches and their status progression,
device batches and registered devices, throttling and injected faults. Control endpoints
under ``/_simulator/`` expose statistics, reset the state and add faults at run time.

Standard library only. Run ``python partner_center_simulator.py --help`` for the CLI.
"""

import argparse
import base64
import binascii
import copy
import email.utils
import hashlib
import ipaddress
import json
import math
import os
import re
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = ["PartnerCenterSimulator", "load_seed", "normalize_fault", "is_loopback_host", "main", "DEFAULT_SEED_PATH", "ERROR_CATALOGUE", "FAULT_KINDS"]

DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.json")
PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"
DEFAULT_TOKEN_LIFETIME = 3599
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_DELAY_SECONDS = 600

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
TOKEN_PATH_RE = re.compile(r"^/([^/]+)/oauth2/(v2\.0/)?token/?$", re.IGNORECASE)
BATCH_STATUS_PATH_RE = re.compile(r"^/v1/customers/([^/]+)/batchjobstatus/([^/]+)/?$", re.IGNORECASE)
DEVICE_BATCHES_PATH_RE = re.compile(r"^/v1/customers/([^/]+)/devicebatches/?$", re.IGNORECASE)
BATCH_DEVICES_PATH_RE = re.compile(r"^/v1/customers/([^/]+)/devicebatches/([^/]+)/devices/?$", re.IGNORECASE)
# (route name, path pattern, allowed methods), tried in this order.
API_ROUTES = (
    ("status", BATCH_STATUS_PATH_RE, ("GET",)),
    ("batches", DEVICE_BATCHES_PATH_RE, ("GET", "POST")),
    ("devices", BATCH_DEVICES_PATH_RE, ("GET", "POST")),
)

NON_FINAL_STATUSES = ("queued", "processing")
AGENT_ROLES = ("adminagent", "salesagent")
NON_RESOURCE_SCOPES = ("offline_access", "openid", "profile", "email")

DEFAULT_UPLOAD_STATUSES = ("queued", "processing", "finished")
DEFAULT_DEVICE_PAGE_SIZE = 100
# How an accepted upload answers: the status, and where the tracking id goes (Partner Center's docs show a
# relative Location; the REST reference lists 200 and 202 and puts the link in the body).
UPLOAD_ANSWER_STATUSES = (200, 201, 202)
UPLOAD_LOCATION_FORMS = ("relative", "v1", "absolute", "body", "body_tracking_id", "none")
DEFAULT_UPLOAD_RESPONSE = {"status": 202, "location": "relative"}
# How a batch's device list pages: a continuation token in the body and links.next (the default), or
# links.next only, with a query (seekOperation=Next) and a /v1 uri, as the SDK's generic pager follows.
DEVICE_PAGING_MODES = ("continuation", "next_link_query")
MIN_HARDWARE_HASH_BYTES = 32
DEVICE_FIELDS = ("hardwareHash", "productKey", "serialNumber", "oemManufacturerName", "modelName")
# Sets of device fields that identify a device well enough (documented "at a minimum"; more is fine).
DEVICE_IDENTIFIER_SETS = (
    ("hardwareHash", "productKey"),
    ("hardwareHash", "serialNumber"),
    ("hardwareHash", "productKey", "serialNumber"),
    ("hardwareHash",),
    ("productKey",),
    ("serialNumber", "oemManufacturerName", "modelName"),
)
DEVICE_ALLOWED_OPERATIONS = ("PATCH", "DELETE")
JSON_MEDIA_TYPES = ("application/json", "text/json")

# Device error shorthands usable in a seed ("error": "808"). Autopilot documents the
# last three by name only, so they carry no errorCode.
ERROR_CATALOGUE = {
    "806": ("806", "ZtdDeviceAlreadyAssigned"),
    "808": ("808", "ZtdDeviceAssignedToOtherTenant"),
    "ZtdDeviceAlreadyAssigned": ("806", "ZtdDeviceAlreadyAssigned"),
    "ZtdDeviceAssignedToOtherTenant": ("808", "ZtdDeviceAssignedToOtherTenant"),
    "ZtdDeviceDuplicated": (None, "ZtdDeviceDuplicated"),
    "InvalidZtdHardwareHash": (None, "InvalidZtdHardwareHash"),
    "StorageError": (None, "StorageError"),
}

# Partner Center error codes (the "code" of the error body). Where Partner Center's public
# REST error-code table has one, it is used; the others are the simulator's own.
CODE_ACCESS_DENIED = 400          # 401: documented "Access denied"
CODE_NOT_FOUND = 1000             # 404: documented "Not found"
CODE_FORBIDDEN = 2032             # 403: documented "Access denied" (missing role)
CODE_NO_RELATIONSHIP = 20002      # 403: documented "Partner id has no commercial relationship with customer id"
CODE_INVALID_INPUT = 400056       # 400: documented "Invalid input" (headers, path ids, upload bodies, continuation tokens)
CODE_SIMULATOR_BASE = 900000      # 900000 + HTTP status: 405, 406, 409, 415, app-only 403, fault statuses, body errors
CODE_CONFLICT = CODE_SIMULATOR_BASE + 409            # a device batch of that name already exists
CODE_UNSUPPORTED_MEDIA = CODE_SIMULATOR_BASE + 415   # POST body that is not declared as JSON
CODE_APP_USER_REQUIRED = CODE_SIMULATOR_BASE + 403   # app-only token on an upload that needs app+user

FAULT_KINDS = ("status", "delay", "drop", "invalid_json", "truncated", "expire_token")
_FAULT_COMMON_KEYS = frozenset(("match", "kind", "count", "after"))
_FAULT_KIND_KEYS = {
    "status": frozenset(("status", "retry_after", "code", "description", "body", "data")),
    "delay": frozenset(("seconds",)),
    "drop": frozenset(),
    "invalid_json": frozenset(("status", "body")),
    "truncated": frozenset(("status",)),
    "expire_token": frozenset(),
}

GATEWAY_HTML = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><h1>Bad Gateway</h1><p>The gateway did not receive a timely response from the upstream server.</p></body></html>\n"
)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def load_seed(path=None):
    """Read a seed file (JSON) and return it as a dict; ``None`` reads the default seed."""
    with open(path or DEFAULT_SEED_PATH, "r", encoding="utf-8") as handle:
        seed = json.load(handle)
    if not isinstance(seed, dict):
        raise ValueError("seed %s: the top level must be a JSON object" % (path or DEFAULT_SEED_PATH))
    return seed


def is_loopback_host(host):
    """Return True when ``host`` is ``localhost`` or a loopback IP address literal."""
    if not isinstance(host, str):
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_guid(value):
    return isinstance(value, str) and GUID_RE.match(value) is not None


def _new_guid():
    return str(uuid.uuid4())


def _json_bytes(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _utc_timestamp():
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())


def _iso_utc(zulu=True, when=None):
    """A UTC date-time such as ``2025-03-10T08:00:00Z`` (or without the ``Z``, as the batch status API shows them)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ" if zulu else "%Y-%m-%dT%H:%M:%S", time.gmtime(when))


def _is_valid_hardware_hash(value):
    """Return True if ``value`` is strict base64 that decodes to at least MIN_HARDWARE_HASH_BYTES bytes."""
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(decoded) >= MIN_HARDWARE_HASH_BYTES


def _is_json_media_type(content_type):
    """Return True if a Content-Type header value declares JSON (application/json, text/json, */*+json)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media in JSON_MEDIA_TYPES or (media.startswith("application/") and media.endswith("+json"))


def _field(obj, name):
    """Return ``obj[name]`` matching the key without regard to case (ASP.NET model binding does so), else None."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


def _parse_device(raw, index):
    """Return (device, None) with the device's identifying fields, or (None, problem) for a malformed device.

    Empty strings count as absent. The device must carry at least one accepted identifier set.
    """
    if not isinstance(raw, dict):
        return None, "device %d is not a JSON object" % index
    device = {}
    for name in DEVICE_FIELDS:
        value = _field(raw, name)
        if value is not None and not isinstance(value, str):
            return None, "device %d: %s must be a string" % (index, name)
        device[name] = value.strip() if value and value.strip() else None
    present = {name for name, value in device.items() if value is not None}
    if not any(present.issuperset(needed) for needed in DEVICE_IDENTIFIER_SETS):
        return None, ("device %d does not carry an accepted set of identifiers (hardwareHash + productKey, hardwareHash + serialNumber, "
                      "hardwareHash + productKey + serialNumber, hardwareHash only, productKey only, or serialNumber + "
                      "oemManufacturerName + modelName)" % index)
    return device, None


def _parse_devices(raw_devices):
    """Return (devices, None) for a non-empty list of well-formed devices, or (None, problem)."""
    if not isinstance(raw_devices, list) or not raw_devices:
        return None, "devices must be a non-empty list of devices"
    devices = []
    for index, raw in enumerate(raw_devices):
        device, problem = _parse_device(raw, index)
        if problem:
            return None, problem
        devices.append(device)
    return devices, None


def _new_registry():
    """An empty set of registered device identifiers."""
    return {"hardwareHash": set(), "serialNumber": set(), "productKey": set()}


def _register(registry, device):
    """Add a device's hardware hash (exact), serial number and product key (any case) to ``registry``."""
    if device.get("hardwareHash"):
        registry["hardwareHash"].add(device["hardwareHash"])
    for name in ("serialNumber", "productKey"):
        if device.get(name):
            registry[name].add(device[name].lower())


def _is_registered(registry, device):
    """Return True if any identifier of ``device`` is in ``registry``."""
    if device.get("hardwareHash") and device["hardwareHash"] in registry["hardwareHash"]:
        return True
    return any(device.get(name) and device[name].lower() in registry[name] for name in ("serialNumber", "productKey"))


def _scrub(text, hidden):
    """Remove every non-empty string in ``hidden`` from ``text``."""
    for value in hidden:
        if value:
            text = text.replace(value, "***")
    return text


def _short(value, limit=100):
    value = "" if value is None else str(value)
    return value if len(value) <= limit else value[:limit] + "..."


def _retry_after_seconds(value):
    """Turn a Retry-After value (seconds or HTTP date) into whole seconds, at least 0."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(0, int(math.ceil(value)))
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0, int(math.ceil(when.timestamp() - time.time())))


def _accepts_json(accept):
    """Return True if an Accept header value allows application/json."""
    if accept is None or not accept.strip():
        return True
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for param in parts[1:]:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0 and media in ("*/*", "application/*", "application/json"):
            return True
    return False


class _Response:
    """What the handler writes back: a status, headers and a body, or a special action."""

    def __init__(self, status, body=b"", headers=None, content_type=JSON_CONTENT_TYPE, action=None, declared_length=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        self.content_type = content_type
        self.action = action
        self.declared_length = declared_length


class _Request:
    """The parts of an HTTP request the simulator looks at."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.path = urlsplit(target).path
        self.headers = headers
        self.body = body
        self.upload = None
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


class _FaultState:
    """A normalized fault and its counters."""

    def __init__(self, spec, fault_id, regex):
        self.spec = spec
        self.fault_id = fault_id
        self.regex = regex
        self.seen = 0
        self.hits = 0

    def matches(self, path, area):
        """Return True if a request for ``path`` in ``area`` ('token', 'api', 'other') is in scope."""
        match = self.spec["match"]
        if match == "api":
            return area == "api"
        if match == "token":
            return area == "token"
        return self.regex.search(path) is not None

    def active(self):
        """Return True if the fault would hit the request it has just seen."""
        count = self.spec["count"]
        return self.seen > self.spec["after"] and (count == -1 or self.hits < count)

    def view(self):
        """Return a JSON-friendly copy of the fault with its counters."""
        result = {"id": self.fault_id}
        result.update(copy.deepcopy(self.spec))
        result["seen"] = self.seen
        result["hits"] = self.hits
        return result


def normalize_fault(raw, default_match="api"):
    """Validate one fault description and return it with defaults filled in.

    Raises ValueError with a readable message when the fault is malformed.
    """
    if not isinstance(raw, dict):
        raise ValueError("a fault must be a JSON object")
    kind = raw.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError("fault kind must be one of %s, not %r" % (", ".join(FAULT_KINDS), kind))
    unknown = set(raw) - _FAULT_COMMON_KEYS - _FAULT_KIND_KEYS[kind]
    if unknown:
        raise ValueError("unknown key(s) for a %s fault: %s" % (kind, ", ".join(sorted(unknown))))
    spec = {"match": raw.get("match", default_match), "kind": kind}
    if not isinstance(spec["match"], str) or not spec["match"]:
        raise ValueError("fault match must be 'api', 'token' or a regular expression")
    if spec["match"] not in ("api", "token"):
        try:
            re.compile(spec["match"])
        except re.error as exc:
            raise ValueError("fault match is not a valid regular expression: %s" % exc) from exc
    count = raw.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or (count < 1 and count != -1):
        raise ValueError("fault count must be a positive integer, or -1 for every matching request")
    after = raw.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ValueError("fault after must be an integer >= 0")
    spec["count"] = count
    spec["after"] = after
    if kind == "status":
        status = raw.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
            raise ValueError("a status fault needs an integer status between 200 and 599")
        spec["status"] = status
        if "retry_after" in raw and raw["retry_after"] is not None:
            retry_after = raw["retry_after"]
            if isinstance(retry_after, bool) or not isinstance(retry_after, (int, str)):
                raise ValueError("retry_after must be an integer number of seconds or an HTTP date string")
            if isinstance(retry_after, str) and ("\r" in retry_after or "\n" in retry_after):
                raise ValueError("retry_after must be a single line")
            spec["retry_after"] = retry_after
        if "code" in raw:
            if isinstance(raw["code"], bool) or not isinstance(raw["code"], (int, str)):
                raise ValueError("code must be an integer or a string")
            spec["code"] = raw["code"]
        if "description" in raw:
            if not isinstance(raw["description"], str):
                raise ValueError("description must be a string")
            spec["description"] = raw["description"]
        if "body" in raw:
            spec["body"] = copy.deepcopy(raw["body"])
        if "data" in raw:
            if not isinstance(raw["data"], list):
                raise ValueError("data must be a list (Partner Center's error body carries a list)")
            spec["data"] = copy.deepcopy(raw["data"])
    elif kind == "delay":
        seconds = raw.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_DELAY_SECONDS:
            raise ValueError("a delay fault needs seconds between 0 and %d" % MAX_DELAY_SECONDS)
        spec["seconds"] = seconds
    elif kind in ("invalid_json", "truncated"):
        status = raw.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599 or status in (204, 304):
            raise ValueError("%s status must be an integer between 200 and 599 that allows a body" % kind)
        spec["status"] = status
        if kind == "invalid_json" and "body" in raw:
            if not isinstance(raw["body"], str):
                raise ValueError("an invalid_json body must be a string")
            spec["body"] = raw["body"]
    return spec


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its simulator, tracks connections and stays quiet."""

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
    """Reads a request, asks the simulator for a response and writes it."""

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
        """Serve any method through the simulator."""
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
            response = _Response(400, _json_bytes({"code": CODE_SIMULATOR_BASE + 400, "description": "Unreadable request body.",
                                                   "data": [], "source": "PartnerFD"}))
        else:
            response = self.server.dispatch(_Request(self.command, self.path, self.headers, body))
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


class PartnerCenterSimulator:
    """A local Partner Center API plus Entra ID token endpoint, driven by a seed dict.

    ``seed`` is a dict as read by :func:`load_seed` (``None`` reads the default seed).
    ``host`` must be a loopback address; ``port`` 0 picks a free port. ``log`` turns on
    request logging to stderr (default: the ``PC_SIMULATOR_LOG=1`` environment variable).
    """

    def __init__(self, seed=None, host="127.0.0.1", port=0, log=None):
        if not is_loopback_host(host):
            raise ValueError("the simulator only listens on a loopback address, not %r" % (host,))
        self._host = "127.0.0.1" if host.lower() == "localhost" else host
        self._port = port
        self._log = (os.environ.get("PC_SIMULATOR_LOG") == "1") if log is None else bool(log)
        self._seed = copy.deepcopy(load_seed() if seed is None else seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self._url = None
        self._server_id = "%09d" % secrets.randbelow(10 ** 9)
        self._next_fault_id = 0
        self._access_tokens = {}
        self._issued_refresh_tokens = {}
        self._compile_seed(self._seed)
        self._polls = {}
        self._stats = {}
        self._faults = []
        self._windows = {}
        self._device_batches = {}
        self._registries = {}
        self._uploads = {}
        self._replays = {}
        self._continuations = {}
        self._reset_locked()

    # ----------------------------------------------------------------- seed
    def _compile_seed(self, seed):
        if not isinstance(seed, dict):
            raise ValueError("the seed must be a dict")
        partner = seed.get("partner") or {}
        tenant_id = partner.get("tenant_id")
        if not _is_guid(tenant_id):
            raise ValueError("seed: partner.tenant_id must be a GUID")
        self._tenant_id = tenant_id.lower()
        self._tenant_aliases = {self._tenant_id} | {d.lower() for d in partner.get("domains", [])}
        self._resource = str(seed.get("resource", PARTNER_CENTER_RESOURCE)).rstrip("/")
        lifetime = seed.get("token_lifetime_seconds", DEFAULT_TOKEN_LIFETIME)
        if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime < 0:
            raise ValueError("seed: token_lifetime_seconds must be an integer >= 0")
        self._lifetime = lifetime
        self._apps = {}
        for app in seed.get("applications", []):
            if not app.get("client_id") or not app.get("client_secret"):
                raise ValueError("seed: every application needs client_id and client_secret")
            self._apps[app["client_id"].lower()] = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        self._seed_refresh_tokens = {}
        for entry in seed.get("refresh_tokens", []):
            if not entry.get("token"):
                raise ValueError("seed: every refresh token needs a token value")
            self._seed_refresh_tokens[entry["token"]] = {
                "user": entry.get("user"),
                "roles": list(entry.get("roles", [])),
                "expired": bool(entry.get("expired", False)),
                "revoked": bool(entry.get("revoked", False)),
                "client_id": entry.get("client_id"),
            }
        self._secret_values = [a["client_secret"] for a in self._apps.values()] + list(self._seed_refresh_tokens)
        self._default_throttle = self._compile_throttle(seed.get("throttle"), "throttle")
        (self._upload_requires_app_user, self._upload_statuses, self._upload_error_status, self._page_size, self._empty_list_status,
         self._elsewhere) = self._compile_upload_options(seed)
        self._upload_response = self._compile_upload_response(seed.get("upload_response"), "seed: upload_response",
                                                              DEFAULT_UPLOAD_RESPONSE)
        self._omit_identifiers = self._compile_bool(seed.get("upload_status_omits_identifiers"),
                                                    "seed: upload_status_omits_identifiers", False)
        self._device_paging = seed.get("device_paging", "continuation")
        if self._device_paging not in DEVICE_PAGING_MODES:
            raise ValueError("seed: device_paging must be one of %s" % ", ".join(DEVICE_PAGING_MODES))
        self._customers = {}
        self._seed_faults = []
        self._seed_device_batches = {}
        self._seed_registries = {}
        for raw in seed.get("faults", []):
            self._seed_faults.append((normalize_fault(raw), None))
        for customer_id, customer in (seed.get("customers") or {}).items():
            if not _is_guid(customer_id):
                raise ValueError("seed: customer id %r is not a GUID" % customer_id)
            where = "seed: customer %s" % customer_id
            compiled = {
                "id": customer_id,
                "relationship": bool(customer.get("relationship", True)),
                "throttle": self._compile_throttle(customer.get("throttle"), "customer %s throttle" % customer_id),
                "batches": {},
                "upload_statuses": self._compile_statuses(customer.get("upload_statuses"), "%s upload_statuses" % where,
                                                          self._upload_statuses),
                "empty_device_batch_list_status": self._compile_empty_status(customer.get("empty_device_batch_list_status"),
                                                                             where, self._empty_list_status),
                "upload_response": self._compile_upload_response(customer.get("upload_response"), "%s upload_response" % where,
                                                                 self._upload_response),
                "upload_status_omits_identifiers": self._compile_bool(customer.get("upload_status_omits_identifiers"),
                                                                      "%s upload_status_omits_identifiers" % where,
                                                                      self._omit_identifiers),
            }
            self._compile_device_batches(customer_id, customer, where)
            for batch_id, batch in (customer.get("batches") or {}).items():
                compiled["batches"][batch_id.lower()] = self._compile_batch(customer_id, batch_id, batch)
                for raw in batch.get("faults", []):
                    path_re = r"^/v1/customers/%s/batchjobstatus/%s/?$" % (re.escape(customer_id), re.escape(batch_id))
                    fault = normalize_fault(raw, default_match=path_re)
                    self._seed_faults.append((fault, re.compile(fault["match"], re.IGNORECASE) if fault["match"] == path_re else None))
            self._customers[customer_id.lower()] = compiled

    @staticmethod
    def _compile_upload_options(seed):
        """Return the top-level options of the device batch API: (upload_requires_app_user, upload_statuses,
        upload_error_status, device_page_size, empty_device_batch_list_status, registered_elsewhere registry)."""
        requires = seed.get("upload_requires_app_user", True)
        if not isinstance(requires, bool) and requires != "create":
            raise ValueError("seed: upload_requires_app_user must be true, false or \"create\"")
        statuses = PartnerCenterSimulator._compile_statuses(seed.get("upload_statuses"), "seed: upload_statuses", DEFAULT_UPLOAD_STATUSES)
        error_status = seed.get("upload_error_status")
        if error_status is not None and (not isinstance(error_status, str) or not error_status):
            raise ValueError("seed: upload_error_status must be null or a non-empty string")
        page_size = seed.get("device_page_size", DEFAULT_DEVICE_PAGE_SIZE)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError("seed: device_page_size must be a positive integer")
        empty_status = PartnerCenterSimulator._compile_empty_status(seed.get("empty_device_batch_list_status"), "seed", 404)
        elsewhere = PartnerCenterSimulator._compile_registry(seed.get("registered_elsewhere"), "seed: registered_elsewhere")
        return requires, statuses, error_status, page_size, empty_status, elsewhere

    @staticmethod
    def _compile_upload_response(raw, where, default):
        """{"status": 200|201|202, "location": one of UPLOAD_LOCATION_FORMS}, missing keys from ``default``."""
        if raw is None:
            return dict(default)
        if not isinstance(raw, dict) or set(raw) - {"status", "location"}:
            raise ValueError("%s must be an object with status and/or location" % where)
        answer = dict(default, **raw)
        if answer["status"] not in UPLOAD_ANSWER_STATUSES or isinstance(answer["status"], bool):
            raise ValueError("%s.status must be one of %s" % (where, ", ".join(str(s) for s in UPLOAD_ANSWER_STATUSES)))
        if answer["location"] not in UPLOAD_LOCATION_FORMS:
            raise ValueError("%s.location must be one of %s" % (where, ", ".join(UPLOAD_LOCATION_FORMS)))
        return answer

    @staticmethod
    def _compile_bool(raw, where, default):
        if raw is None:
            return default
        if not isinstance(raw, bool):
            raise ValueError("%s must be true or false" % where)
        return raw

    @staticmethod
    def _compile_statuses(raw, where, default):
        if raw is None:
            return list(default)
        if not isinstance(raw, list) or not raw or not all(isinstance(s, str) and s for s in raw):
            raise ValueError("%s must be a non-empty list of non-empty strings" % where)
        return list(raw)

    @staticmethod
    def _compile_empty_status(raw, where, default):
        if raw is None:
            return default
        if raw not in (200, 404) or isinstance(raw, bool):
            raise ValueError("%s: empty_device_batch_list_status must be 200 or 404" % where)
        return raw

    @staticmethod
    def _compile_registry(raw, where):
        """Turn a list of {"hardwareHash"|"serialNumber"|"productKey": ...} entries into a registry."""
        registry = _new_registry()
        if raw is None:
            return registry
        if not isinstance(raw, list):
            raise ValueError("%s must be a list" % where)
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict) or not entry or set(entry) - set(registry):
                raise ValueError("%s[%d] must be an object with hardwareHash, serialNumber and/or productKey" % (where, index))
            if not all(isinstance(value, str) and value for value in entry.values()):
                raise ValueError("%s[%d]: identifiers must be non-empty strings" % (where, index))
            _register(registry, entry)
        return registry

    def _compile_device_batches(self, customer_id, customer, where):
        """Compile a customer's seeded device batches and registered devices (all of them count as registered)."""
        key = customer_id.lower()
        registry = self._compile_registry(customer.get("registered_devices"), "%s registered_devices" % where)
        batches = {}
        raw_batches = customer.get("device_batches") or {}
        if not isinstance(raw_batches, dict):
            raise ValueError("%s: device_batches must be an object (batch name -> batch)" % where)
        for name, raw in raw_batches.items():
            batch = self._compile_device_batch(customer_id, name, raw, "%s device batch %r" % (where, name))
            if name.lower() in batches:
                raise ValueError("%s: device batch %r is given twice (names ignore case)" % (where, name))
            batches[name.lower()] = batch
            for device in batch["devices"]:
                _register(registry, device)
        self._seed_device_batches[key] = batches
        self._seed_registries[key] = registry

    @staticmethod
    def _compile_device_batch(customer_id, name, raw, where):
        if not name.strip():
            raise ValueError("%s: a device batch name must not be blank" % where)
        if not isinstance(raw, dict):
            raise ValueError("%s must be an object" % where)
        created = raw.get("creationDate", "2025-01-06T09:00:00Z")
        devices = []
        for index, raw_device in enumerate(raw.get("devices", [])):
            device, problem = _parse_device(raw_device, index)
            if problem:
                raise ValueError("%s: %s" % (where, problem))
            seed_id = "partner-center-simulator:device-batch:%s:%s:%d" % (customer_id.lower(), name.lower(), index)
            devices.append(PartnerCenterSimulator._stored_device(raw_device.get("id") or str(uuid.uuid5(uuid.NAMESPACE_URL, seed_id)),
                                                                 device, raw_device.get("uploadedDate") or created))
        generate = raw.get("generate_devices", 0)
        if isinstance(generate, bool) or not isinstance(generate, int) or generate < 0:
            raise ValueError("%s: generate_devices must be an integer >= 0" % where)
        prefix = raw.get("serial_prefix", "GEN-")
        for index in range(1, generate + 1):
            seed_id = "partner-center-simulator:device-batch:%s:%s:%d" % (customer_id.lower(), name.lower(), index)
            device = {
                "hardwareHash": base64.b64encode(hashlib.sha512(seed_id.encode("utf-8")).digest()).decode("ascii"),
                "productKey": None,
                "serialNumber": "%s%06d" % (prefix, index),
                "oemManufacturerName": raw.get("oemManufacturerName", "Microsoft Corporation"),
                "modelName": raw.get("modelName", "Surface Laptop 5"),
            }
            devices.append(PartnerCenterSimulator._stored_device(str(uuid.uuid5(uuid.NAMESPACE_URL, seed_id + ":generated")), device, created))
        return {"id": name, "createdBy": raw.get("createdBy", "admin@contoso-partner.onmicrosoft.com"), "creationDate": created,
                "devices": devices}

    @staticmethod
    def _stored_device(device_id, device, uploaded):
        """A device as a device batch keeps it (and lists it)."""
        return {
            "id": device_id,
            "serialNumber": device["serialNumber"],
            "productKey": device["productKey"],
            "hardwareHash": device["hardwareHash"],
            "modelName": device["modelName"],
            "oemManufacturerName": device["oemManufacturerName"],
            "uploadedDate": uploaded,
        }

    @staticmethod
    def _compile_throttle(raw, where):
        if raw is None:
            return None
        limit = raw.get("limit")
        window = raw.get("window_seconds")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError("seed: %s.limit must be an integer >= 0" % where)
        if isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0:
            raise ValueError("seed: %s.window_seconds must be a positive number" % where)
        return (limit, float(window))

    @staticmethod
    def _compile_batch(customer_id, batch_id, batch):
        where = "seed: customer %s batch %s" % (customer_id, batch_id)
        if not _is_guid(batch_id):
            raise ValueError("%s: the batch tracking id is not a GUID" % where)
        statuses = batch.get("statuses") or ["finished"]
        if not all(isinstance(s, str) and s for s in statuses):
            raise ValueError("%s: statuses must be non-empty strings" % where)
        omit_nulls = bool(batch.get("omit_null_fields", False))
        in_progress = batch.get("in_progress_device_status", "in-progress")
        devices = [PartnerCenterSimulator._seed_device(d, where) for d in batch.get("devices", [])]
        generate = batch.get("generate_devices", 0)
        if isinstance(generate, bool) or not isinstance(generate, int) or generate < 0:
            raise ValueError("%s: generate_devices must be an integer >= 0" % where)
        error_every = batch.get("error_every", 0)
        if isinstance(error_every, bool) or not isinstance(error_every, int) or error_every < 0:
            raise ValueError("%s: error_every must be an integer >= 0" % where)
        errors = batch.get("errors", ["806"])
        if not isinstance(errors, list) or not errors:
            raise ValueError("%s: errors must be a non-empty list" % where)
        for name in errors:
            if name not in ERROR_CATALOGUE:
                raise ValueError("%s: unknown error %r (known: %s)" % (where, name, ", ".join(ERROR_CATALOGUE)))
        return {
            "id": batch_id,
            "customer_id": customer_id,
            "statuses": list(statuses),
            "startedTime": batch.get("startedTime", "2025-01-06T09:00:00"),
            "completedTime": batch.get("completedTime", "2025-01-06T09:05:00"),
            "omit_null_fields": omit_nulls,
            "in_progress_device_status": in_progress,
            "seed_devices": devices,
            "generate_devices": generate,
            "error_every": error_every,
            "errors": list(errors),
            "device_lists": None,
        }

    @staticmethod
    def _device_lists(batch):
        """Return (final devices, pending devices) of a batch, built on first use (large batches cost time)."""
        lists = batch["device_lists"]
        if lists is not None:
            return lists
        devices = list(batch["seed_devices"])
        error_every, errors = batch["error_every"], batch["errors"]
        for index in range(1, batch["generate_devices"] + 1):
            device = {
                "deviceId": str(uuid.uuid5(uuid.NAMESPACE_URL, "partner-center-simulator:%s:%d" % (batch["id"].lower(), index))),
                "serialNumber": "SIM-%06d" % index,
                "productKey": "SIMPK-%05d-00000-00000-00000" % index,
                "status": None,
                "errorCode": None,
                "errorDescription": None,
            }
            if error_every and index % error_every == 0:
                device["errorCode"], device["errorDescription"] = ERROR_CATALOGUE[errors[(index // error_every - 1) % len(errors)]]
            devices.append(device)
        in_progress, omit_nulls = batch["in_progress_device_status"], batch["omit_null_fields"]
        lists = (
            [PartnerCenterSimulator._device_view(d, True, in_progress, omit_nulls) for d in devices],
            [PartnerCenterSimulator._device_view(d, False, in_progress, omit_nulls) for d in devices],
        )
        batch["device_lists"] = lists
        return lists

    @staticmethod
    def _seed_device(raw, where):
        if not isinstance(raw, dict):
            raise ValueError("%s: every device must be an object" % where)
        device = {
            "serialNumber": raw.get("serialNumber"),
            "productKey": raw.get("productKey"),
            "status": raw.get("status"),
            "errorCode": raw.get("errorCode"),
            "errorDescription": raw.get("errorDescription"),
        }
        if "deviceId" in raw:
            device["deviceId"] = raw["deviceId"]
        if raw.get("error") is not None:
            if raw["error"] not in ERROR_CATALOGUE:
                raise ValueError("%s: unknown error %r (known: %s)" % (where, raw["error"], ", ".join(ERROR_CATALOGUE)))
            code, description = ERROR_CATALOGUE[raw["error"]]
            device["errorCode"] = device["errorCode"] if "errorCode" in raw else code
            device["errorDescription"] = device["errorDescription"] if "errorDescription" in raw else description
        return device

    @staticmethod
    def _device_view(device, final, in_progress, omit_nulls):
        view = {}
        if "deviceId" in device:
            view["deviceId"] = device["deviceId"]
        view["serialNumber"] = device["serialNumber"]
        view["productKey"] = device["productKey"]
        if final:
            has_error = device["errorCode"] is not None or device["errorDescription"] is not None
            view["status"] = device["status"] or ("finished_with_errors" if has_error else "finished")
            view["errorCode"] = device["errorCode"]
            view["errorDescription"] = device["errorDescription"]
        else:
            view["status"] = in_progress
            view["errorCode"] = None
            view["errorDescription"] = None
        view["attributes"] = {"objectType": "DeviceUploadDetails"}
        if omit_nulls:
            view = {k: v for k, v in view.items() if v is not None}
        return view

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self):
        """The base URL (``http://127.0.0.1:PORT``) once started, else None."""
        return self._url

    def start(self):
        """Bind, serve in a daemon thread and return the base URL. Idempotent."""
        if self._server is not None:
            return self._url
        self._stopping.clear()
        self._server = _Server((self._host, self._port), self._dispatch, self._log)
        host, port = self._server.server_address[:2]
        self._url = "http://%s:%d" % ("[%s]" % host if ":" in host else host, port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="partner-center-simulator", daemon=True)
        self._thread.start()
        return self._url

    def stop(self):
        """Stop serving and close the listening socket and open connections. Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    def reset(self):
        """Put poll counters, statistics, throttle windows and faults back to the seed state.

        Device batches, registered devices, uploads (and their tracking ids), remembered
        MS-RequestIds and continuation tokens go back to the seed state too.
        Access and refresh tokens already issued stay valid (or expired), so a client that
        cached a token keeps working across a reset.
        """
        with self._lock:
            self._reset_locked()

    def _reset_locked(self):
        self._polls = {}
        for customer in self._customers.values():
            for batch_key in customer["batches"]:
                self._polls[(customer["id"].lower(), batch_key)] = 0
        self._stats = {"token_requests": [], "api_requests": [], "issued_tokens": [], "issued_refresh_tokens": []}
        self._windows = {}
        self._device_batches = {}
        for key, batches in self._seed_device_batches.items():
            self._device_batches[key] = {name: dict(batch, devices=list(batch["devices"])) for name, batch in batches.items()}
        self._registries = {key: {name: set(values) for name, values in registry.items()} for key, registry in self._seed_registries.items()}
        self._uploads = {}
        self._replays = {}
        self._continuations = {}
        self._faults = []
        for spec, regex in self._seed_faults:
            self._faults.append(self._new_fault_state(copy.deepcopy(spec), regex))

    def _new_fault_state(self, spec, regex=None):
        self._next_fault_id += 1
        if regex is None and spec["match"] not in ("api", "token"):
            regex = re.compile(spec["match"])
        return _FaultState(spec, "fault-%d" % self._next_fault_id, regex)

    def add_fault(self, kind, match="api", count=1, after=0, **params):
        """Add a fault at run time and return it (with its id and counters) as a dict.

        ``match`` is ``"api"``, ``"token"`` or a regular expression searched in the request
        path; ``count`` is how many matching requests it hits (-1: all); ``after`` skips that
        many matching requests first. Other keyword arguments depend on ``kind``: see README.
        """
        raw = dict(params, kind=kind, match=match, count=count, after=after)
        return self._add_fault_raw(raw)

    def _add_fault_raw(self, raw):
        spec = normalize_fault(raw)
        with self._lock:
            state = self._new_fault_state(spec)
            self._faults.append(state)
            return state.view()

    @property
    def faults(self):
        """The active faults with their ``seen``/``hits`` counters (a copy)."""
        with self._lock:
            return [f.view() for f in self._faults]

    @property
    def stats(self):
        """A deep copy of the statistics: token_requests, api_requests, issued_tokens,
        issued_refresh_tokens, polls (batch tracking id -> number of 200 answers) and faults."""
        with self._lock:
            result = copy.deepcopy(self._stats)
            polls = {}
            for key, count in self._polls.items():
                polls[key[1]] = polls.get(key[1], 0) + count
            result["polls"] = polls
            result["faults"] = [f.view() for f in self._faults]
        return result

    # ------------------------------------------------------------- dispatch
    def _dispatch(self, request):
        path = request.path
        if path == "/_simulator" or path.startswith("/_simulator/"):
            return self._control(request)
        if TOKEN_PATH_RE.match(path):
            area = "token"
        elif path.startswith("/v1/"):
            area = "api"
        else:
            area = "other"
        fault = self._take_fault(path, area)
        label = fault["kind"] if fault else None
        if fault and fault["kind"] == "delay":
            self._stopping.wait(fault["seconds"])
            fault = None
        if area == "token":
            return self._token_endpoint(request, fault, label)
        return self._api_endpoint(request, fault, label)

    def _take_fault(self, path, area):
        chosen = None
        with self._lock:
            for state in self._faults:
                if not state.matches(path, area):
                    continue
                state.seen += 1
                if chosen is None and state.active():
                    state.hits += 1
                    chosen = copy.deepcopy(state.spec)
        return chosen

    # -------------------------------------------------------------- control
    def _control(self, request):
        path = request.path.rstrip("/")
        routes = {
            "/_simulator/stats": ("GET",),
            "/_simulator/reset": ("POST",),
            "/_simulator/faults": ("GET", "POST"),
        }
        if path not in routes:
            return _Response(404, _json_bytes({"error": "unknown control endpoint %s" % _short(path)}))
        if request.method not in routes[path]:
            return _Response(405, _json_bytes({"error": "method %s not allowed" % request.method}), [("Allow", ", ".join(routes[path]))])
        if path == "/_simulator/stats":
            return _Response(200, _json_bytes(self.stats))
        if path == "/_simulator/reset":
            self.reset()
            return _Response(200, _json_bytes({"reset": True}))
        if request.method == "GET":
            return _Response(200, _json_bytes(self.faults))
        try:
            raw = json.loads(request.body.decode("utf-8"))
            fault = self._add_fault_raw(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            return _Response(400, _json_bytes({"error": str(exc)}))
        return _Response(201, _json_bytes(fault))

    # ---------------------------------------------------------------- token
    def _token_endpoint(self, request, fault, label):
        match = TOKEN_PATH_RE.match(request.path)
        tenant = unquote(match.group(1))
        v2 = match.group(2) is not None
        params = self._form_params(request)
        basic_id, basic_secret = self._basic_credentials(request)
        record = {
            "grant_type": params.get("grant_type"),
            "client_id": params.get("client_id") or basic_id,
            "tenant": tenant,
            "endpoint": "v2.0" if v2 else "v1",
            "resource_or_scope": params.get("scope") if v2 else params.get("resource"),
            "status": None,
            "fault": label,
        }
        if fault is not None:
            response = self._fault_response(fault, request, [], token_endpoint=True)
        elif request.method != "POST":
            response = self._entra_error(request, 400, "invalid_request", 900561,
                                         "The endpoint only accepts POST requests. Received a %s request." % request.method, [])
        else:
            response = self._token_grant(request, tenant, v2, params, basic_id, basic_secret)
        record["status"] = response.status
        with self._lock:
            self._stats["token_requests"].append(record)
        return response

    @staticmethod
    def _form_params(request):
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return {}
        try:
            parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return {}
        return {key: values[0] for key, values in parsed.items()}

    @staticmethod
    def _basic_credentials(request):
        auth = request.headers.get("Authorization") or ""
        if not auth.lower().startswith("basic "):
            return None, None
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None, None
        if ":" not in decoded:
            return None, None
        client_id, secret = decoded.split(":", 1)
        return unquote(client_id), unquote(secret)

    def _token_grant(self, request, tenant, v2, params, basic_id, basic_secret):
        hidden = [params.get("client_secret"), params.get("refresh_token"), basic_secret] + self._secret_values

        def fail(status, error, code, text):
            return self._entra_error(request, status, error, code, text, hidden)

        if tenant.lower() not in self._tenant_aliases:
            return fail(400, "invalid_request", 90002,
                        "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. "
                        "Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
                        % _short(tenant))
        grant_type = params.get("grant_type")
        if not grant_type:
            return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        if grant_type not in ("client_credentials", "refresh_token"):
            return fail(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % _short(grant_type))
        client_id = params.get("client_id") or basic_id
        if not client_id:
            return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
        app = self._apps.get(client_id.lower())
        if app is None:
            return fail(400, "unauthorized_client", 700016,
                        "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been "
                        "installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your "
                        "authentication request to the wrong tenant." % (_short(client_id), _short(tenant)))
        secret = params.get("client_secret") or basic_secret
        bad_secret_text = ("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                           "not the client secret ID, for a secret added to app '%s'." % app["client_id"])
        if grant_type == "client_credentials":
            if not secret:
                return fail(401, "invalid_client", 7000218,
                            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
            if not secrets.compare_digest(secret.encode("utf-8"), app["client_secret"].encode("utf-8")):
                return fail(401, "invalid_client", 7000215, bad_secret_text)
            problem = self._check_resource(v2, params, grant_type, tenant)
            if problem:
                return fail(*problem)
            return self._token_success(request, v2, params, app["client_id"], None)
        refresh_token = params.get("refresh_token")
        if not refresh_token:
            return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'refresh_token'.")
        if secret and not secrets.compare_digest(secret.encode("utf-8"), app["client_secret"].encode("utf-8")):
            return fail(401, "invalid_client", 7000215, bad_secret_text)
        with self._lock:
            grant = self._seed_refresh_tokens.get(refresh_token) or self._issued_refresh_tokens.get(refresh_token)
        if grant is None or grant["revoked"] or (grant["client_id"] and grant["client_id"].lower() != client_id.lower()):
            return fail(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
        if grant["expired"]:
            return fail(400, "invalid_grant", 700082,
                        "The refresh token has expired due to inactivity. The token was issued on 2024-01-02T03:04:05.0000000Z "
                        "and was inactive for 90.00:00:00.")
        problem = self._check_resource(v2, params, grant_type, tenant)
        if problem:
            return fail(*problem)
        return self._token_success(request, v2, params, app["client_id"], grant)

    def _check_resource(self, v2, params, grant_type, tenant):
        """Return (status, error, code, text) when the resource or scope is wrong, else None."""
        not_found = ("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not "
                     "been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent "
                     "your authentication request to the wrong tenant.")
        if not v2:
            resource = params.get("resource")
            if resource is None or resource.rstrip("/").lower() != self._resource.lower():
                return (400, "invalid_resource", 500011, not_found % (_short(resource or "(none)"), _short(tenant)))
            return None
        scope = params.get("scope")
        if not scope:
            return (400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
        resource_scopes = [s for s in scope.split() if s.lower() not in NON_RESOURCE_SCOPES]
        if not resource_scopes:
            return (400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid.")
        for item in resource_scopes:
            resource, _sep, permission = item.rpartition("/")
            if resource.lower() != self._resource.lower():
                return (400, "invalid_resource", 500011, not_found % (_short(resource or item), _short(tenant)))
            if permission.lower() not in (".default", "user_impersonation"):
                return (400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid.")
        if grant_type == "client_credentials" and (len(resource_scopes) != 1 or not resource_scopes[0].lower().endswith("/.default")):
            return (400, "invalid_scope", 1002012,
                    "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default "
                    "suffixed to the resource identifier (application ID URI)." % _short(scope))
        return None

    def _token_success(self, request, v2, params, client_id, grant):
        now = time.time()
        access_token = secrets.token_urlsafe(48)
        new_refresh = None
        info = {
            "kind": "app" if grant is None else "app+user",
            "client_id": client_id,
            "user": grant["user"] if grant else None,
            "roles": list(grant["roles"]) if grant else [],
            "expires_at": now + self._lifetime,
            "expired": False,
        }
        with self._lock:
            self._access_tokens[access_token] = info
            self._stats["issued_tokens"].append(access_token)
            if grant is not None:
                new_refresh = secrets.token_urlsafe(64)
                self._issued_refresh_tokens[new_refresh] = {
                    "user": grant["user"], "roles": list(grant["roles"]), "expired": False, "revoked": False, "client_id": client_id,
                }
                self._stats["issued_refresh_tokens"].append(new_refresh)
        if v2:
            body = {"token_type": "Bearer", "scope": params.get("scope"), "expires_in": self._lifetime,
                    "ext_expires_in": self._lifetime, "access_token": access_token}
        else:
            body = {"token_type": "Bearer", "expires_in": str(self._lifetime), "ext_expires_in": str(self._lifetime),
                    "expires_on": str(int(now + self._lifetime)), "not_before": str(int(now)), "resource": self._resource,
                    "access_token": access_token}
            if grant is not None:
                body["scope"] = "user_impersonation"
        if new_refresh is not None:
            body["refresh_token"] = new_refresh
        return _Response(200, _json_bytes(body), self._entra_headers(request, _new_guid()))

    @staticmethod
    def _entra_headers(request, trace_id):
        headers = [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache"), ("x-ms-request-id", trace_id)]
        client_request_id = request.headers.get("client-request-id")
        if _is_guid(client_request_id):
            headers.append(("client-request-id", client_request_id))
        return headers

    def _entra_error(self, request, status, error, code, text, hidden):
        trace_id = _new_guid()
        client_request_id = request.headers.get("client-request-id")
        correlation_id = client_request_id if _is_guid(client_request_id) else _new_guid()
        timestamp = _utc_timestamp()
        description = "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
            code, _scrub(text, hidden), trace_id, correlation_id, timestamp)
        body = {
            "error": error,
            "error_description": description,
            "error_codes": [code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % code,
        }
        return _Response(status, _json_bytes(body), self._entra_headers(request, trace_id))

    # ------------------------------------------------------------------ API
    def _api_endpoint(self, request, fault, label):
        sent_request_id = request.headers.get("MS-RequestId")
        sent_correlation_id = request.headers.get("MS-CorrelationId")
        headers = [
            ("MS-RequestId", sent_request_id if _is_guid(sent_request_id) else _new_guid()),
            ("MS-CorrelationId", sent_correlation_id if _is_guid(sent_correlation_id) else _new_guid()),
            ("MS-CV", "%s.0" % secrets.token_urlsafe(12)),
            ("MS-ServerId", self._server_id),
        ]
        route, match = self._route(request.path)
        if request.method == "POST" and route in ("batches", "devices"):
            request.upload = self._upload_summary(request, route, match)
        if fault is not None:
            response = self._fault_response(fault, request, headers, token_endpoint=False)
        else:
            response = self._api_checks(request, headers)
        record = {
            "method": request.method,
            "path": request.target,
            "status": response.status,
            "headers": {name: value for name, value in request.headers.items() if name.lower() != "authorization"},
            "request_id": sent_request_id,
            "correlation_id": sent_correlation_id,
            "fault": label,
        }
        if request.upload is not None:
            record.update(request.upload)
        with self._lock:
            self._stats["api_requests"].append(record)
        return response

    @staticmethod
    def _route(path):
        """Return (route name, match) for an API path, or (None, None)."""
        for name, pattern, _methods in API_ROUTES:
            match = pattern.match(path)
            if match is not None:
                return name, match
        return None, None

    @staticmethod
    def _upload_summary(request, route, match):
        """What the statistics keep of an upload POST: the batch name and the number of devices, never more."""
        body, _problem = request.json_body()
        if route == "batches":
            batch_id = _field(body, "batchId") if isinstance(body, dict) else None
            devices = _field(body, "devices") if isinstance(body, dict) else None
        else:
            batch_id = unquote(match.group(2))
            devices = body
        return {
            "batch_id": batch_id if isinstance(batch_id, str) else None,
            "device_count": len(devices) if isinstance(devices, list) else None,
            "tracking_id": None,
            "idempotent_replay": False,
        }

    @staticmethod
    def _pc_error(status, code, description, headers, extra_headers=(), data=None):
        body = {"code": code, "description": description[:1024], "data": list(data or []), "source": "PartnerFD"}
        return _Response(status, _json_bytes(body), list(headers) + list(extra_headers))

    @staticmethod
    def _bearer_token(request):
        auth = request.headers.get("Authorization")
        if not auth:
            return None
        parts = auth.split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].strip():
            return None
        return parts[1].strip()

    def _api_checks(self, request, headers):
        """Run the checks every API request goes through (see README), then the route's own handler."""
        if not request.path.startswith("/v1/"):
            return self._pc_error(404, CODE_NOT_FOUND, "Not found: no resource at %s." % _short(request.path), headers)
        token = self._bearer_token(request)
        if token is None:
            return self._pc_error(401, CODE_ACCESS_DENIED, "Access denied: the request carries no bearer token.", headers,
                                  [("WWW-Authenticate", "Bearer")])
        invalid = [("WWW-Authenticate", 'Bearer error="invalid_token"')]
        with self._lock:
            info = copy.deepcopy(self._access_tokens.get(token))
        if info is None:
            return self._pc_error(401, CODE_ACCESS_DENIED, "Access denied: the bearer token is not valid.", headers, invalid)
        if info["expired"] or time.time() >= info["expires_at"]:
            return self._pc_error(401, CODE_ACCESS_DENIED, "Access denied: the bearer token has expired.", headers, invalid)
        for name in ("MS-RequestId", "MS-CorrelationId"):
            value = request.headers.get(name)
            if value is None:
                return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: the required header %s is missing." % name, headers)
            if not _is_guid(value):
                return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: the header %s must be a GUID." % name, headers)
        accept = request.headers.get("Accept")
        if not _accepts_json(accept):
            return self._pc_error(406, CODE_SIMULATOR_BASE + 406, "Not acceptable: the Accept header does not allow application/json.",
                                  headers)
        route, match = self._route(request.path)
        if route is None:
            return self._pc_error(404, CODE_NOT_FOUND, "Not found: no resource at %s." % _short(request.path), headers)
        methods = [methods for name, _pattern, methods in API_ROUTES if name == route][0]
        if request.method not in methods:
            return self._pc_error(405, CODE_SIMULATOR_BASE + 405, "Method %s is not allowed on this resource." % request.method,
                                  headers, [("Allow", ", ".join(methods))])
        customer_id = unquote(match.group(1))
        if not _is_guid(customer_id):
            return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: the customer id '%s' is not a GUID." % _short(customer_id), headers)
        if route == "status" and not _is_guid(unquote(match.group(2))):
            return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: the batch tracking id '%s' is not a GUID."
                                  % _short(unquote(match.group(2))), headers)
        customer = self._customers.get(customer_id.lower())
        retry_after = self._throttle(customer_id.lower(), customer)
        if retry_after is not None:
            body = {"statusCode": 429, "message": "Rate limit is exceeded. Try again in %d seconds." % retry_after}
            return _Response(429, _json_bytes(body), headers + [("Retry-After", str(retry_after))])
        if customer is None:
            return self._pc_error(404, CODE_NOT_FOUND, "Not found: customer %s was not found." % customer_id, headers)
        if not customer["relationship"]:
            return self._pc_error(403, CODE_NO_RELATIONSHIP, "Partner id %s has no commercial relationship with customer id %s."
                                  % (self._tenant_id, customer_id), headers)
        if info["kind"] == "app+user" and not any(r.lower() in AGENT_ROLES for r in info["roles"]):
            return self._pc_error(403, CODE_FORBIDDEN, "Access denied: the signed-in user has neither the Admin agent nor the Sales agent "
                                  "role.", headers)
        if route == "status":
            return self._batch_status(customer, customer_id, unquote(match.group(2)), headers)
        if request.method == "GET":
            if route == "batches":
                return self._list_device_batches(customer, headers)
            return self._list_batch_devices(request, customer, unquote(match.group(2)), headers)
        return self._upload(request, route, match, info, customer, headers)

    def _batch_status(self, customer, customer_id, batch_id, headers):
        """GET batchJobStatus: a seeded batch, or the tracking id of an upload (``customer_id`` as sent, for messages)."""
        customer_key, batch_key = customer["id"].lower(), batch_id.lower()
        batch = customer["batches"].get(batch_key)
        poll = 0
        with self._lock:
            if batch is None:
                batch = self._uploads.get((customer_key, batch_key))
            if batch is not None:
                self._polls[(customer_key, batch_key)] += 1
                poll = self._polls[(customer_key, batch_key)]
                if batch.get("live_times"):
                    self._stamp_upload_times(batch, poll)
        if batch is None:
            return self._pc_error(404, CODE_NOT_FOUND, "Not found: batch tracking id %s was not found for customer %s."
                                  % (batch_id, customer_id), headers)
        return _Response(200, _json_bytes(self._batch_view(batch, poll)), headers)

    @staticmethod
    def _stamp_upload_times(batch, poll):
        """Set an upload's startedTime when it first leaves 'queued', and completedTime when it first shows a final status."""
        statuses = batch["statuses"]
        status = statuses[min(poll, len(statuses)) - 1].lower()
        now = _iso_utc(zulu=False)
        if status != "queued" and batch["startedTime"] is None:
            batch["startedTime"] = now
        if status not in NON_FINAL_STATUSES and batch["completedTime"] is None:
            batch["completedTime"] = now

    # --------------------------------------------------------- device batches
    def _list_device_batches(self, customer, headers):
        """GET deviceBatches: every device batch of the customer, seeded ones first, then in creation order."""
        customer_key = customer["id"].lower()
        with self._lock:
            batches = [dict(batch, devices_count=len(batch["devices"])) for batch in self._device_batches[customer_key].values()]
        if not batches and customer["empty_device_batch_list_status"] == 404:
            return self._pc_error(404, CODE_NOT_FOUND, "Not found: customer %s has no device batches." % customer["id"], headers)
        items = [{
            "id": batch["id"],
            "createdBy": batch["createdBy"],
            "creationDate": batch["creationDate"],
            "devicesCount": batch["devices_count"],
            "devicesLink": {"uri": self._devices_uri(customer, batch["id"]), "method": "GET", "headers": []},
            "attributes": {"objectType": "DeviceBatch"},
        } for batch in batches]
        body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
        return _Response(200, _json_bytes(body), headers)

    @staticmethod
    def _devices_uri(customer, batch_id):
        return "/customers/%s/deviceBatches/%s/devices" % (customer["id"], quote(batch_id, safe=""))

    def _list_batch_devices(self, request, customer, batch_id, headers):
        """GET deviceBatches/{batch-id}/devices: one page of the batch's devices; MS-ContinuationToken asks for the next one."""
        customer_key, batch_key = customer["id"].lower(), batch_id.lower()
        continuation = (request.headers.get("MS-ContinuationToken") or "").strip()
        query = parse_qs(urlsplit(request.target).query)
        if continuation and self._device_paging == "next_link_query" and query.get("seekOperation") != ["Next"]:
            # The next link carries seekOperation=Next: a client that drops the query does not get the next page.
            return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: a continuation needs seekOperation=Next in the query, "
                                  "as links.next gives it.", headers)
        with self._lock:
            batch = self._device_batches[customer_key].get(batch_key)
            if batch is None:
                return self._pc_error(404, CODE_NOT_FOUND, "Not found: device batch '%s' was not found for customer %s."
                                      % (_short(batch_id), customer["id"]), headers)
            offset = 0
            if continuation:
                owner_customer, owner_batch, offset = self._continuations.get(continuation, (None, None, None))
                if (owner_customer, owner_batch) != (customer_key, batch_key):
                    return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: the continuation token in MS-ContinuationToken is not "
                                          "valid for this collection.", headers)
            devices = batch["devices"][offset:offset + self._page_size]
            total = len(batch["devices"])
            next_token = None
            if offset + self._page_size < total:
                next_token = secrets.token_urlsafe(24)
                self._continuations[next_token] = (customer_key, batch_key, offset + self._page_size)
        uri = self._devices_uri(customer, batch["id"])
        body = {"totalCount": total, "items": [self._device_item(device) for device in devices],
                "links": {"self": {"uri": uri, "method": "GET", "headers": []}}}
        if next_token is not None and self._device_paging == "next_link_query":
            body["links"]["next"] = {"uri": "/v1%s?seekOperation=Next" % uri, "method": "GET",
                                     "headers": [{"key": "MS-ContinuationToken", "value": next_token}]}
        elif next_token is not None:
            body["links"]["next"] = {"uri": uri, "method": "GET", "headers": [{"key": "MS-ContinuationToken", "value": next_token}]}
            body["continuationToken"] = next_token
        body["attributes"] = {"objectType": "Collection"}
        return _Response(200, _json_bytes(body), headers)

    @staticmethod
    def _device_item(device):
        """A Device resource as the device list shows it."""
        return {
            "id": device["id"],
            "serialNumber": device["serialNumber"],
            "productKey": device["productKey"],
            "hardwareHash": device["hardwareHash"],
            "modelName": device["modelName"],
            "oemManufacturerName": device["oemManufacturerName"],
            "policies": [],
            "uploadedDate": device["uploadedDate"],
            "allowedOperations": list(DEVICE_ALLOWED_OPERATIONS),
            "attributes": {"objectType": "Device"},
        }

    def _upload(self, request, route, match, info, customer, headers):
        """POST deviceBatches (create) or deviceBatches/{batch-id}/devices (add): 202 with a Location, or an error."""
        requires = self._upload_requires_app_user
        if info["kind"] == "app" and (requires is True or (requires == "create" and route == "batches")):
            return self._pc_error(403, CODE_APP_USER_REQUIRED, "Access denied: uploading devices needs app+user credentials (the secure "
                                  "application model: a token from a refresh token grant). App-only credentials are not accepted.", headers)
        replay_key = (request.headers.get("MS-RequestId").lower(), request.method, request.path.rstrip("/").lower())
        with self._lock:
            replay = self._replays.get(replay_key)
        if replay is not None:
            request.upload.update(tracking_id=replay["tracking_id"], idempotent_replay=True)
            return self._upload_answer(customer, replay["location"], headers)
        if not _is_json_media_type(request.headers.get("Content-Type")):
            return self._pc_error(415, CODE_UNSUPPORTED_MEDIA, "Unsupported media type: send the body as application/json.", headers)
        batch_id, devices, problem = self._upload_request(request, route, match)
        if problem is not None:
            return self._pc_error(400, CODE_INVALID_INPUT, "Invalid input: %s." % problem, headers)
        creator = info["user"] if info["kind"] == "app+user" else info["client_id"]
        with self._lock:
            batches = self._device_batches[customer["id"].lower()]
            batch = batches.get(batch_id.lower())
            if route == "batches" and batch is not None:
                return self._pc_error(409, CODE_CONFLICT, "Conflict: a device batch named '%s' already exists for customer %s."
                                      % (_short(batch["id"]), customer["id"]), headers)
            if route == "devices" and batch is None:
                return self._pc_error(404, CODE_NOT_FOUND, "Not found: device batch '%s' was not found for customer %s."
                                      % (_short(batch_id), customer["id"]), headers)
            if batch is None:
                batch = {"id": batch_id, "createdBy": creator, "creationDate": _iso_utc(), "devices": []}
                batches[batch_id.lower()] = batch
            tracking_id = self._process_upload_locked(customer, batch, devices)
            location = "/customers/%s/batchJobStatus/%s" % (customer["id"], tracking_id)
            self._replays[replay_key] = {"tracking_id": tracking_id, "location": location}
        request.upload["tracking_id"] = tracking_id
        return self._upload_answer(customer, location, headers)

    def _upload_answer(self, customer, location, headers):
        """The answer to an accepted upload, in the form the customer's upload_response asks for (default: 202, relative Location)."""
        form = customer["upload_response"]
        status, where = form["status"], form["location"]
        if where == "relative":
            return _Response(status, b"", headers + [("Location", location)], content_type=None)
        if where == "v1":
            return _Response(status, b"", headers + [("Location", "/v1" + location)], content_type=None)
        if where == "absolute":
            return _Response(status, b"", headers + [("Location", "%s/v1%s" % (self._url, location))], content_type=None)
        if where == "body":
            return _Response(status, _json_bytes({"location": location}), headers)
        if where == "body_tracking_id":
            return _Response(status, _json_bytes({"batchTrackingId": location.rsplit("/", 1)[1]}), headers)
        return _Response(status, b"", headers, content_type=None)

    @staticmethod
    def _upload_request(request, route, match):
        """Return (batch name, parsed devices, None) of an upload POST, or (None, None, problem) for a malformed body.

        Creating a batch takes a DeviceBatchCreationRequest object; adding devices takes a list of devices.
        """
        body, problem = request.json_body()
        if problem is not None:
            return None, None, problem
        if route == "batches":
            if not isinstance(body, dict):
                return None, None, "the body must be a JSON object with batchId and devices"
            batch_id, raw_devices = _field(body, "batchId"), _field(body, "devices")
            if not isinstance(batch_id, str) or not batch_id.strip():
                return None, None, "batchId is required: a non-empty name of your choosing"
        else:
            batch_id, raw_devices = unquote(match.group(2)), body
            if not isinstance(body, list):
                return None, None, "the body must be a JSON list of devices"
        devices, problem = _parse_devices(raw_devices)
        return batch_id, devices, problem

    def _process_upload_locked(self, customer, batch, devices):
        """Decide every device's outcome, register the good ones, add them to ``batch``; return the new tracking id.

        The caller holds the lock.
        """
        customer_key = customer["id"].lower()
        registry = self._registries[customer_key]
        others = [self._elsewhere] + [r for key, r in self._registries.items() if key != customer_key]
        uploaded = _iso_utc()
        seen_hashes = set()
        outcomes = []
        for device in devices:
            hardware_hash = device["hardwareHash"]
            error = None
            if hardware_hash is not None and not _is_valid_hardware_hash(hardware_hash):
                error = "InvalidZtdHardwareHash"
            elif hardware_hash is not None and hardware_hash in seen_hashes:
                error = "ZtdDeviceDuplicated"
            elif _is_registered(registry, device):
                error = "806"
            elif any(_is_registered(other, device) for other in others):
                error = "808"
            if hardware_hash is not None:
                seen_hashes.add(hardware_hash)
            code, description = ERROR_CATALOGUE[error] if error else (None, None)
            device_id = _new_guid()
            if error is None:
                _register(registry, device)
                batch["devices"].append(self._stored_device(device_id, device, uploaded))
            outcomes.append({"deviceId": device_id, "serialNumber": device["serialNumber"], "productKey": device["productKey"],
                             "status": None, "errorCode": code, "errorDescription": description})
        statuses = list(customer["upload_statuses"])
        if self._upload_error_status and any(o["errorDescription"] for o in outcomes):
            statuses[-1] = self._upload_error_status
        if customer["upload_status_omits_identifiers"]:
            # As an MSP tool reports for hash-only uploads: outcomes in upload order, with nothing that names the device.
            outcomes = [dict(o, deviceId=None, serialNumber=None, productKey=None) for o in outcomes]
        tracking_id = _new_guid()
        pending = [dict(o, deviceId=None) for o in outcomes]
        self._uploads[(customer_key, tracking_id)] = {
            "id": tracking_id,
            "customer_id": customer["id"],
            "statuses": statuses,
            "startedTime": None,
            "completedTime": None,
            "omit_null_fields": False,
            "in_progress_device_status": "in-progress",
            "live_times": True,
            "device_lists": (
                [self._device_view(o, True, "in-progress", False) for o in outcomes],
                [self._device_view(o, False, "in-progress", False) for o in pending],
            ),
        }
        self._polls[(customer_key, tracking_id)] = 0
        return tracking_id

    @staticmethod
    def _batch_view(batch, poll):
        statuses = batch["statuses"]
        status = statuses[min(poll, len(statuses)) - 1]
        final = status.lower() not in NON_FINAL_STATUSES
        view = {
            "batchTrackingId": batch["id"],
            "status": status,
            "startedTime": None if status.lower() == "queued" else batch["startedTime"],
            "completedTime": batch["completedTime"] if final else None,
            "devicesStatus": PartnerCenterSimulator._device_lists(batch)[0 if final else 1],
            "attributes": {"objectType": "BatchUploadDetails"},
        }
        if batch["omit_null_fields"]:
            view = {k: v for k, v in view.items() if v is not None}
        return view

    def _throttle(self, customer_key, customer):
        config = (customer or {}).get("throttle") or self._default_throttle
        if config is None:
            return None
        limit, window = config
        now = time.monotonic()
        key = (self._tenant_id, customer_key)
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= window:
                start, count = now, 0
            count += 1
            self._windows[key] = (start, count)
        if count <= limit:
            return None
        return max(1, int(math.ceil(start + window - now)))

    # --------------------------------------------------------------- faults
    def _fault_response(self, fault, request, headers, token_endpoint):
        kind = fault["kind"]
        if kind == "drop":
            return _Response(None, action="drop")
        if kind == "truncated":
            body = b'{"batchTrackingId":"00000000-0000-0000-0000-000000000000","status":"processing","devicesStatus":[{"serialNu'
            return _Response(fault["status"], body, headers, action="truncated", declared_length=len(body) + 4096)
        if kind == "invalid_json":
            body = fault.get("body", GATEWAY_HTML).encode("utf-8")
            return _Response(fault["status"], body, headers, content_type="text/html; charset=utf-8")
        if kind == "expire_token":
            token = self._bearer_token(request)
            with self._lock:
                if token in self._access_tokens:
                    self._access_tokens[token]["expired"] = True
            return self._pc_error(401, CODE_ACCESS_DENIED, "Access denied: the bearer token has expired.", headers,
                                  [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        status = fault["status"]
        extra = []
        retry_after = fault.get("retry_after")
        if retry_after is not None:
            extra.append(("Retry-After", str(retry_after)))
        if "body" in fault:
            return _Response(status, _json_bytes(fault["body"]), list(headers) + extra)
        if token_endpoint:
            response = self._entra_error(request, status, "temporarily_unavailable", 90033,
                                         fault.get("description", "A transient error has occurred. Please try again."), [])
            response.headers.extend(extra)
            return response
        if status == 429:
            seconds = _retry_after_seconds(retry_after)
            body = {"statusCode": 429, "message": "Rate limit is exceeded. Try again in %d seconds." % (1 if seconds is None else seconds)}
            return _Response(status, _json_bytes(body), list(headers) + extra)
        description = fault.get("description", "Simulated HTTP %d from the Partner Center simulator." % status)
        return self._pc_error(status, fault.get("code", CODE_SIMULATOR_BASE + status), description, headers, extra,
                              data=fault.get("data"))


def _write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def main(argv=None):
    """Run the simulator until SIGTERM or SIGINT; return the process exit status."""
    parser = argparse.ArgumentParser(description="Local Microsoft Partner Center simulator (API and Entra ID token endpoint).")
    parser.add_argument("--seed", default=DEFAULT_SEED_PATH, help="seed JSON file (default: seed.json beside this script)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free port (default: 0)")
    parser.add_argument("--url-file", help="write the base URL to this file once listening (atomically)")
    args = parser.parse_args(argv)
    if not is_loopback_host(args.host):
        parser.error("--host must be a loopback address (127.0.0.0/8, ::1 or localhost), not %r" % args.host)
    try:
        simulator = PartnerCenterSimulator(load_seed(args.seed), host=args.host, port=args.port)
    except (OSError, ValueError) as exc:
        sys.stderr.write("partner_center_simulator: cannot load seed %s: %s\n" % (args.seed, exc))
        return 2
    stop_requested = threading.Event()

    def request_stop(_signum, _frame):
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        url = simulator.start()
    except OSError as exc:
        sys.stderr.write("partner_center_simulator: cannot listen on %s:%s: %s\n" % (args.host, args.port, exc))
        return 1
    try:
        if args.url_file:
            _write_atomically(args.url_file, url)
        print("Partner Center simulator listening on %s" % url, flush=True)
        while not stop_requested.wait(1.0):
            pass
    finally:
        simulator.stop()
        if args.url_file:
            try:
                os.remove(args.url_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
