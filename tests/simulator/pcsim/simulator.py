# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The :class:`PartnerCenterSimulator`: its life cycle (start, stop, reset), its state and statistics, and
the dispatch of each request to the control endpoints, the Entra ID token endpoint or the API."""

import copy
import ipaddress
import os
import secrets
import threading

from . import entra_id, errors, faults, throttling
from .api import api_endpoint
from .control import control_endpoint, is_control_path
from .endpoints import ENDPOINTS
from .seed import compile_seed, load_seed
from .server import Server

# The parts with seed and reset hooks, in the order the hooks run.
PARTS = (entra_id, errors, throttling, faults) + tuple(ENDPOINTS)


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


class State:
    """The simulator's run-time state (guarded by ``sim.lock``): ``stats`` here, and what each part's
    ``reset(sim)`` hook sets. Issued tokens and the fault id counter survive a reset."""

    def __init__(self):
        self.access_tokens = {}
        self.issued_refresh_tokens = {}
        self.next_fault_id = 0
        self.stats = {}


class PartnerCenterSimulator:
    """A local Partner Center API plus Entra ID token endpoint, driven by a seed dict.

    ``seed`` is a dict as read by :func:`load_seed` (``None`` reads the default seed).
    ``host`` must be a loopback address; ``port`` 0 picks a free port. ``log`` turns on
    request logging to stderr (default: the ``PC_SIMULATOR_LOG=1`` environment variable).

    Handlers read ``seed`` (the compiled seed), ``state`` (run-time state, under ``lock``),
    ``url``, ``server_id`` and ``routes``.
    """

    def __init__(self, seed=None, host="127.0.0.1", port=0, log=None):
        if not is_loopback_host(host):
            raise ValueError("the simulator only listens on a loopback address, not %r" % (host,))
        self._host = "127.0.0.1" if host.lower() == "localhost" else host
        self._port = port
        self._log = (os.environ.get("PC_SIMULATOR_LOG") == "1") if log is None else bool(log)
        self.seed = compile_seed(copy.deepcopy(load_seed() if seed is None else seed), PARTS)
        self.routes = tuple(route for endpoint in ENDPOINTS for route in endpoint.ROUTES)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server_id = "%09d" % secrets.randbelow(10 ** 9)
        self.state = State()
        self._server = None
        self._thread = None
        self._url = None
        self._reset_locked()

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self):
        """The base URL (``http://127.0.0.1:PORT``) once started, else None."""
        return self._url

    def start(self):
        """Bind, serve in a daemon thread and return the base URL. Idempotent."""
        if self._server is not None:
            return self._url
        self.stopping.clear()
        self._server = Server((self._host, self._port), self._dispatch, self._log)
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
        self.stopping.set()
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
        with self.lock:
            self._reset_locked()

    def _reset_locked(self):
        self.state.stats = {"token_requests": [], "api_requests": [], "issued_tokens": [], "issued_refresh_tokens": []}
        for part in PARTS:
            hook = getattr(part, "reset", None)
            if hook is not None:
                hook(self)

    # --------------------------------------------------------------- faults
    def add_fault(self, kind, match="api", count=1, after=0, **params):
        """Add a fault at run time and return it (with its id and counters) as a dict.

        ``match`` is ``"api"``, ``"token"`` or a regular expression searched in the request
        path; ``count`` is how many matching requests it hits (-1: all); ``after`` skips that
        many matching requests first. Other keyword arguments depend on ``kind``: see README.
        """
        return self.add_fault_dict(dict(params, kind=kind, match=match, count=count, after=after))

    def add_fault_dict(self, raw):
        """Add a fault given as one dict (as ``POST /_simulator/faults`` takes it); ValueError when it is malformed."""
        return faults.add_fault(self, raw)

    @property
    def faults(self):
        """The active faults with their ``seen``/``hits`` counters (a copy)."""
        return faults.views(self)

    @property
    def stats(self):
        """A deep copy of the statistics: token_requests, api_requests, issued_tokens,
        issued_refresh_tokens, polls (batch tracking id -> number of 200 answers) and faults."""
        with self.lock:
            result = copy.deepcopy(self.state.stats)
            polls = {}
            for key, count in self.state.polls.items():
                polls[key[1]] = polls.get(key[1], 0) + count
            result["polls"] = polls
            result["faults"] = [f.view() for f in self.state.faults]
        return result

    # ------------------------------------------------------------- dispatch
    def _dispatch(self, request):
        path = request.path
        if is_control_path(path):
            return control_endpoint(self, request)
        if entra_id.is_token_path(path):
            area = "token"
        elif path.startswith("/v1/"):
            area = "api"
        else:
            area = "other"
        fault = faults.take_fault(self, path, area)
        label = fault["kind"] if fault else None
        if fault and (fault["kind"] == "delay" or (fault["kind"] == "late_answer" and area == "token")):
            # A token request changes nothing: a late answer there is a delay.
            self.stopping.wait(fault["seconds"])
            fault = None
        if area == "token":
            faulted = faults.fault_response(self, fault, request, [], token_endpoint=True) if fault else None
            return entra_id.token_endpoint(self, request, faulted, label)
        return api_endpoint(self, request, fault, label)
