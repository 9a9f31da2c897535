# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: checking a fault (:func:`normalize_fault`), choosing the fault that hits a request
(:func:`take_fault`), and the answer it gives (:func:`fault_response`).

Faults come from the seed's top-level ``faults`` (here), a seeded batch's ``faults`` (batch_status.py),
``PartnerCenterSimulator.add_fault`` and ``POST /_simulator/faults`` (control.py).
"""

import copy
import email.utils
import math
import re
import time

from . import entra_id
from .errors import CODE_ACCESS_DENIED, CODE_SIMULATOR_BASE, pc_error, throttled_body
from .messages import Response, json_bytes

MAX_DELAY_SECONDS = 600
FAULT_KINDS = ("status", "delay", "drop", "invalid_json", "truncated", "expire_token", "late_answer", "applied")
_FAULT_COMMON_KEYS = frozenset(("match", "kind", "count", "after"))
_FAULT_KIND_KEYS = {
    "status": frozenset(("status", "retry_after", "code", "description", "body", "data")),
    "delay": frozenset(("seconds",)),
    "drop": frozenset(),
    "invalid_json": frozenset(("status", "body")),
    "truncated": frozenset(("status",)),
    "expire_token": frozenset(),
    # The request is applied, then its answer is held (a client times out) and may be replaced by an error status,
    # as a gateway answers 504 when the service behind it finished too late.
    "late_answer": frozenset(("seconds", "status")),
    "applied": frozenset(("status", "drop", "replay")),
}

GATEWAY_HTML = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><h1>Bad Gateway</h1><p>The gateway did not receive a timely response from the upstream server.</p></body></html>\n"
)


class FaultState:
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
        _normalize_status_fault(raw, spec)
    elif kind == "delay":
        spec["seconds"] = _fault_seconds(raw, kind, None)
    elif kind == "late_answer":
        spec["seconds"] = _fault_seconds(raw, kind, 0)
        if "status" in raw:
            status = raw["status"]
            if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
                raise ValueError("a late_answer status must be an error status, an integer between 400 and 599")
            spec["status"] = status
    elif kind == "applied":
        _normalize_applied_fault(raw, spec)
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


def _normalize_applied_fault(raw, spec):
    """An ``applied`` fault: the request is handled (and applied), then its answer is lost.

    ``status`` (default 504) replaces the answer, or ``drop: true`` closes the connection instead (a timeout
    as the client sees it). ``replay`` (default true): whether a retry with the same MS-RequestId replays the
    accepted upload, as Partner Center's headers page says MS-RequestId makes a retry safe; false serves what a
    service that does not honour it answers (creating the batch again: 409).
    """
    status = raw.get("status", 504)
    if isinstance(status, bool) or not isinstance(status, int) or not 500 <= status <= 599:
        raise ValueError("an applied fault's status must be an integer between 500 and 599")
    for name in ("drop", "replay"):
        if name in raw and not isinstance(raw[name], bool):
            raise ValueError("an applied fault's %s must be true or false" % name)
    spec.update(status=status, drop=raw.get("drop", False), replay=raw.get("replay", True))


def _fault_seconds(raw, kind, default):
    seconds = raw.get("seconds", default)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_DELAY_SECONDS:
        raise ValueError("a %s fault needs seconds between 0 and %d" % (kind, MAX_DELAY_SECONDS))
    return seconds


def applied_answer(fault, headers):
    """What an ``applied`` fault answers once the request was handled: the fault's status (the answer lost at a gateway), or nothing."""
    if fault["drop"]:
        return Response(None, action="drop")
    description = "Simulated HTTP %d from the Partner Center simulator (the request was applied)." % fault["status"]
    return pc_error(fault["status"], CODE_SIMULATOR_BASE + fault["status"], description, headers)


def _normalize_status_fault(raw, spec):
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


# ----------------------------------------------------------- seed, state
def compile_seed(raw, seed):
    """The seed's top-level ``faults``, first in ``seed.seed_faults`` (batch faults follow, from batch_status.py)."""
    for fault in raw.get("faults", []):
        seed.seed_faults.append((normalize_fault(fault), None))


def reset(sim):
    """The seed's faults again, with fresh counters; faults added at run time are dropped."""
    sim.state.faults = []
    for spec, regex in sim.seed.seed_faults:
        sim.state.faults.append(_new_fault_state(sim, copy.deepcopy(spec), regex))


def _new_fault_state(sim, spec, regex=None):
    sim.state.next_fault_id += 1
    if regex is None and spec["match"] not in ("api", "token"):
        regex = re.compile(spec["match"])
    return FaultState(spec, "fault-%d" % sim.state.next_fault_id, regex)


def add_fault(sim, raw):
    """Check a fault (dict) and add it at run time; return its view. Raises ValueError for a bad fault."""
    spec = normalize_fault(raw)
    with sim.lock:
        state = _new_fault_state(sim, spec)
        sim.state.faults.append(state)
        return state.view()


def views(sim):
    """Every fault now set, with its counters."""
    with sim.lock:
        return [f.view() for f in sim.state.faults]


def take_fault(sim, path, area):
    """Count the request for every fault in scope; return (a copy of) the first active one, or None."""
    chosen = None
    with sim.lock:
        for state in sim.state.faults:
            if not state.matches(path, area):
                continue
            state.seen += 1
            if chosen is None and state.active():
                state.hits += 1
                chosen = copy.deepcopy(state.spec)
    return chosen


# ---------------------------------------------------------------- answer
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


def late_answer(sim, fault, response, headers):
    """What a ``late_answer`` fault makes of the answer of a request that was applied: held ``seconds``, then the
    answer, or a Partner Center error of the fault's ``status`` instead. Called after the request is recorded."""
    sim.stopping.wait(fault["seconds"])
    if "status" not in fault:
        return response
    return pc_error(fault["status"], CODE_SIMULATOR_BASE + fault["status"],
                    "Simulated HTTP %d after the request was applied." % fault["status"], headers)


def fault_response(sim, fault, request, headers, token_endpoint):
    """The answer of a fault (any kind but ``delay`` and ``late_answer``, which the dispatcher and api.py handle) to ``request``."""
    kind = fault["kind"]
    if kind == "drop":
        return Response(None, action="drop")
    if kind == "truncated":
        body = b'{"batchTrackingId":"00000000-0000-0000-0000-000000000000","status":"processing","devicesStatus":[{"serialNu'
        return Response(fault["status"], body, headers, action="truncated", declared_length=len(body) + 4096)
    if kind == "invalid_json":
        body = fault.get("body", GATEWAY_HTML).encode("utf-8")
        return Response(fault["status"], body, headers, content_type="text/html; charset=utf-8")
    if kind == "expire_token":
        entra_id.expire_access_token(sim, request.bearer_token())
        return pc_error(401, CODE_ACCESS_DENIED, "Access denied: the bearer token has expired.", headers,
                        [("WWW-Authenticate", 'Bearer error="invalid_token"')])
    status = fault["status"]
    extra = []
    retry_after = fault.get("retry_after")
    if retry_after is not None:
        extra.append(("Retry-After", str(retry_after)))
    if "body" in fault:
        return Response(status, json_bytes(fault["body"]), list(headers) + extra)
    if token_endpoint:
        response = entra_id.entra_error(request, status, "temporarily_unavailable", 90033,
                                        fault.get("description", "A transient error has occurred. Please try again."), [])
        response.headers.extend(extra)
        return response
    if status == 429:
        seconds = _retry_after_seconds(retry_after)
        return Response(status, throttled_body(1 if seconds is None else seconds), list(headers) + extra)
    description = fault.get("description", "Simulated HTTP %d from the Partner Center simulator." % status)
    return pc_error(status, fault.get("code", CODE_SIMULATOR_BASE + status), description, headers, extra, data=fault.get("data"))
