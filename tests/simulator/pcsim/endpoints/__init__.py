# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry of Partner Center API endpoints: one module per endpoint (or family of endpoints).

An endpoint module declares ``ROUTES`` (a tuple of ``api.Route``: method, path regex, handler) and,
where it needs them, ``compile_seed(raw, seed)`` (check and compile its part of the seed, once) and
``reset(sim)`` (put its run-time state in ``sim.state`` back to the seed state; called with the lock
held). To add an endpoint, add its module here and one line to ENDPOINTS (README: "Adding an endpoint").

Order matters twice: seed hooks run in this order (after entra_id, throttling and faults), and when
two routes match a path, the first wins and ``Allow`` lists methods in this order.
"""

from . import autopilot, batch_status, customers, device_batches, uploads

ENDPOINTS = (
    batch_status,
    device_batches,
    uploads,
    autopilot,
    customers,
)
