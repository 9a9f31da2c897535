# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Throttling: a fixed window of requests per (partner tenant, customer), from the seed's ``throttle``
(top level, or a customer's own). A throttled API request answers 429 with ``Retry-After`` (see api.py)."""

import math
import time


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


def compile_seed(raw, seed):
    """``seed.default_throttle`` and each customer's ``throttle``: (limit, window seconds) or None."""
    seed.default_throttle = _compile_throttle(raw.get("throttle"), "throttle")
    for customer_id, customer in (raw.get("customers") or {}).items():
        seed.customers[customer_id.lower()]["throttle"] = _compile_throttle(customer.get("throttle"), "customer %s throttle" % customer_id)


def reset(sim):
    """Every window starts again empty."""
    sim.state.windows = {}


def retry_after(sim, customer_key, customer):
    """Count one request against the customer's window; return the seconds to wait when it is over the limit, else None.

    ``customer`` is the compiled customer (None for an unknown one: the top-level throttle applies).
    """
    config = (customer or {}).get("throttle") or sim.seed.default_throttle
    if config is None:
        return None
    limit, window = config
    now = time.monotonic()
    key = (sim.seed.tenant_id, customer_key)
    with sim.lock:
        start, count = sim.state.windows.get(key, (now, 0))
        if now - start >= window:
            start, count = now, 0
        count += 1
        sim.state.windows[key] = (start, count)
    if count <= limit:
        return None
    return max(1, int(math.ceil(start + window - now)))
