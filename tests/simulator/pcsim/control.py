# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's own control endpoints under ``/_simulator/``: statistics, reset and faults.
They need no token and are not counted in the statistics."""

import json

from .checks import short
from .messages import Response, json_bytes

CONTROL_ROUTES = {
    "/_simulator/stats": ("GET",),
    "/_simulator/reset": ("POST",),
    "/_simulator/faults": ("GET", "POST"),
}


def is_control_path(path):
    return path == "/_simulator" or path.startswith("/_simulator/")


def control_endpoint(sim, request):
    """GET stats, POST reset, GET faults, POST faults (one fault as JSON)."""
    path = request.path.rstrip("/")
    if path not in CONTROL_ROUTES:
        return Response(404, json_bytes({"error": "unknown control endpoint %s" % short(path)}))
    if request.method not in CONTROL_ROUTES[path]:
        return Response(405, json_bytes({"error": "method %s not allowed" % request.method}), [("Allow", ", ".join(CONTROL_ROUTES[path]))])
    if path == "/_simulator/stats":
        return Response(200, json_bytes(sim.stats))
    if path == "/_simulator/reset":
        sim.reset()
        return Response(200, json_bytes({"reset": True}))
    if request.method == "GET":
        return Response(200, json_bytes(sim.faults))
    try:
        raw = json.loads(request.body.decode("utf-8"))
        fault = sim.add_fault_dict(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        return Response(400, json_bytes({"error": str(exc)}))
    return Response(201, json_bytes(fault))
