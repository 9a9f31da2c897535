# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Partner Center API (``/v1/...``): routes, and the checks every request goes through before its handler.

An endpoint module (``endpoints/*.py``) declares ``ROUTES``, a tuple of :class:`Route`. For each request
:func:`api_endpoint` builds the response headers, lets a fault answer if one hits, else runs the checks
below in this order (README: "Partner Center API") and calls the route's handler with a :class:`Call`:

1. bearer token (401; 401 code 900421 for an app+user token without an MFA claim, seed ``mfa_enforced``)
2. MS-RequestId / MS-CorrelationId (400)  3. Accept (406)
4. route (404) and method (405, ``Allow`` lists the path's methods)
5. path ids: ``customer_id`` and the route's ``guid_params`` must be GUIDs (400)
6. throttling (429)  7. customer known (404) and with a relationship (403)  8. agent role of an app+user token (403)
"""

import re
import secrets
import time
from urllib.parse import unquote

from . import entra_id, errors, faults, throttling
from .checks import accepts_json, is_guid, new_guid, short
from .errors import (CODE_ACCESS_DENIED, CODE_FORBIDDEN, CODE_INVALID_INPUT, CODE_MFA_REQUIRED, CODE_NO_RELATIONSHIP, CODE_NOT_FOUND,
                     CODE_SIMULATOR_BASE, pc_error, throttled_body)
from .messages import Response

AGENT_ROLES = ("adminagent", "salesagent")


class Route:
    """One method on one path of the API.

    - ``method``: ``"GET"``, ``"POST"``, ...
    - ``pattern``: a regular expression matched (without regard to case) against the whole path, e.g.
      ``r"^/v1/customers/(?P<customer_id>[^/]+)/deviceBatches/?$"``. Named groups become ``call.params``
      (percent-decoded). A ``customer_id`` group makes it a customer's route: the customer checks
      (GUID, known, relationship) run and ``call.customer`` is the compiled customer.
    - ``handler``: ``handler(call) -> Response`` (see :class:`Call`).
    - ``guid_params``: (group name, label) pairs of other path ids that must be GUIDs, checked in
      step 5 ("Invalid input: the <label> '...' is not a GUID.").
    - ``record``: optional ``record(request, params) -> dict`` of what the statistics keep of this request
      beyond the common fields (run for faulted requests too); the handler may update ``request.record``.
    """

    def __init__(self, method, pattern, handler, guid_params=(), record=None):
        self.method = method
        self.regex = re.compile(pattern, re.IGNORECASE)
        self.handler = handler
        self.guid_params = tuple(guid_params)
        self.record = record


class Call:
    """What a route's handler gets: ``sim`` (its ``seed``, ``state`` and ``lock``), ``request``, ``params``
    (the path's named groups, percent-decoded), ``customer`` (compiled, or None), ``token`` (the access
    token's info: kind ``"app"``/``"app+user"``, client_id, user, roles) and ``headers`` (the response headers
    every API answer carries: pass them to every response)."""

    def __init__(self, sim, request, params, customer, token, headers):
        self.sim = sim
        self.request = request
        self.params = params
        self.customer = customer
        self.token = token
        self.headers = headers

    def error(self, status, code, description, extra_headers=()):
        """Partner Center's error body with this call's headers."""
        return pc_error(status, code, description, self.headers, extra_headers)


def _params(match):
    return {name: unquote(value) for name, value in match.groupdict().items() if value is not None}


def find_route(routes, method, path):
    """Return (route, params) for ``method`` on ``path``; (None, allowed methods) when only other methods
    have that path; (None, None) when no route has it."""
    allowed = []
    for route in routes:
        match = route.regex.match(path)
        if match is None:
            continue
        if route.method == method:
            return route, _params(match)
        if route.method not in allowed:
            allowed.append(route.method)
    return None, (allowed or None)


def api_endpoint(sim, request, fault, label):
    """Answer a request outside the token endpoint and the control endpoints; record it in the statistics."""
    sent_request_id = request.headers.get("MS-RequestId")
    sent_correlation_id = request.headers.get("MS-CorrelationId")
    headers = [
        ("MS-RequestId", sent_request_id if is_guid(sent_request_id) else new_guid()),
        ("MS-CorrelationId", sent_correlation_id if is_guid(sent_correlation_id) else new_guid()),
        ("MS-CV", "%s.0" % secrets.token_urlsafe(12)),
        ("MS-ServerId", sim.server_id),
    ]
    route, params = find_route(sim.routes, request.method, request.path)
    if route is not None and route.record is not None:
        request.record = route.record(request, params)
    late = fault if fault is not None and fault["kind"] == "late_answer" else None
    if fault is not None and fault["kind"] == "applied":
        # Handled as usual, then the answer is lost on its way back.
        request.replayable = fault["replay"]
        _checks_then_handler(sim, request, headers)
        response = faults.applied_answer(fault, headers)
    elif fault is not None and late is None:
        response = faults.fault_response(sim, fault, request, headers, token_endpoint=False)
    else:
        response = _checks_then_handler(sim, request, headers)
    record = {
        "method": request.method,
        "path": request.target,
        "status": response.status,
        "headers": {name: value for name, value in request.headers.items() if name.lower() != "authorization"},
        "request_id": sent_request_id,
        "correlation_id": sent_correlation_id,
        "fault": label,
    }
    if request.record is not None:
        record.update(request.record)
    with sim.lock:
        sim.state.stats["api_requests"].append(record)
    if late is not None:
        # Recorded (with the status of the request as applied) before the answer is held.
        response = faults.late_answer(sim, late, response, headers)
    # The seed's form of error bodies changes no status: what was recorded stands.
    return errors.in_seed_form(sim, response)


def _checks_then_handler(sim, request, headers):
    """Run the checks every API request goes through (see the module docstring), then the route's handler."""
    if not request.path.startswith("/v1/"):
        return pc_error(404, CODE_NOT_FOUND, "Not found: no resource at %s." % short(request.path), headers)
    token = request.bearer_token()
    if token is None:
        return pc_error(401, CODE_ACCESS_DENIED, "Access denied: the request carries no bearer token.", headers,
                        [("WWW-Authenticate", "Bearer")])
    invalid = [("WWW-Authenticate", 'Bearer error="invalid_token"')]
    info = entra_id.access_token_info(sim, token)
    if info is None:
        return pc_error(401, CODE_ACCESS_DENIED, "Access denied: the bearer token is not valid.", headers, invalid)
    if info["expired"] or time.time() >= info["expires_at"]:
        return pc_error(401, CODE_ACCESS_DENIED, "Access denied: the bearer token has expired.", headers, invalid)
    if info["kind"] == "app+user" and info.get("mfa") is False and sim.seed.mfa_enforced:
        # Source and UNCONFIRMED body: errors.CODE_MFA_REQUIRED.
        return pc_error(401, CODE_MFA_REQUIRED, "Unauthorized: multi-factor authentication is required for app+user calls; "
                        "the access token carries no MFA claim.", headers)
    for name in ("MS-RequestId", "MS-CorrelationId"):
        value = request.headers.get(name)
        if value is None:
            return pc_error(400, CODE_INVALID_INPUT, "Invalid input: the required header %s is missing." % name, headers)
        if not is_guid(value):
            return pc_error(400, CODE_INVALID_INPUT, "Invalid input: the header %s must be a GUID." % name, headers)
    if not accepts_json(request.headers.get("Accept")):
        return pc_error(406, CODE_SIMULATOR_BASE + 406, "Not acceptable: the Accept header does not allow application/json.", headers)
    route, params = find_route(sim.routes, request.method, request.path)
    if route is None and params is None:
        return pc_error(404, CODE_NOT_FOUND, "Not found: no resource at %s." % short(request.path), headers)
    if route is None:
        return pc_error(405, CODE_SIMULATOR_BASE + 405, "Method %s is not allowed on this resource." % request.method,
                        headers, [("Allow", ", ".join(params))])
    customer_id = params.get("customer_id")
    if customer_id is not None and not is_guid(customer_id):
        return pc_error(400, CODE_INVALID_INPUT, "Invalid input: the customer id '%s' is not a GUID." % short(customer_id), headers)
    for name, label in route.guid_params:
        if not is_guid(params[name]):
            return pc_error(400, CODE_INVALID_INPUT, "Invalid input: the %s '%s' is not a GUID." % (label, short(params[name])), headers)
    customer_key = (customer_id or "").lower()
    customer = sim.seed.customers.get(customer_key) if customer_id is not None else None
    seconds = throttling.retry_after(sim, customer_key, customer)
    if seconds is not None:
        return Response(429, throttled_body(seconds), headers + [("Retry-After", str(seconds))])
    if customer_id is not None and customer is None:
        return pc_error(404, CODE_NOT_FOUND, "Not found: customer %s was not found." % customer_id, headers)
    if customer is not None and not customer["relationship"]:
        return pc_error(403, CODE_NO_RELATIONSHIP, "Partner id %s has no commercial relationship with customer id %s."
                        % (sim.seed.tenant_id, customer_id), headers)
    if info["kind"] == "app+user" and not any(r.lower() in AGENT_ROLES for r in info["roles"]):
        return pc_error(403, CODE_FORBIDDEN, "Access denied: the signed-in user has neither the Admin agent nor the Sales agent "
                        "role.", headers)
    return route.handler(Call(sim, request, params, customer, info, headers))
