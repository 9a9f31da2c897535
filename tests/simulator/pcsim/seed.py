# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seed: reading it, and compiling it once into a :class:`Seed` the handlers read.

This module compiles what every part shares (the partner tenant and the customers' ids and
relationship), then calls each part's ``compile_seed(raw, seed)`` hook in turn (Entra ID, throttling,
faults, then every endpoint module of the registry): each part checks and compiles its own keys,
adding attributes to the :class:`Seed` or keys to its customers. A bad seed raises ValueError.
The small ``compile_*`` helpers below check values that several parts use.
"""

import json
import os

from .checks import is_guid

DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seed.json")


def load_seed(path=None):
    """Read a seed file (JSON) and return it as a dict; ``None`` reads the default seed."""
    with open(path or DEFAULT_SEED_PATH, "r", encoding="utf-8") as handle:
        seed = json.load(handle)
    if not isinstance(seed, dict):
        raise ValueError("seed %s: the top level must be a JSON object" % (path or DEFAULT_SEED_PATH))
    return seed


class Seed:
    """A compiled seed: read-only once the simulator runs.

    ``tenant_id`` (lower case), ``tenant_aliases`` (the tenant id and domains, lower case),
    ``customers`` (lower-case id -> a dict with at least ``id`` as the seed spells it and
    ``relationship``; each part adds its own keys), ``seed_faults`` ((fault, compiled regex or None)
    pairs, in order). Every part adds its own attributes.
    """

    def __init__(self):
        self.tenant_id = None
        self.tenant_aliases = set()
        self.customers = {}
        self.seed_faults = []


def compile_seed(raw, parts):
    """Check and compile the seed dict ``raw``; ``parts`` are the modules whose ``compile_seed`` hooks run, in order."""
    if not isinstance(raw, dict):
        raise ValueError("the seed must be a dict")
    seed = Seed()
    partner = raw.get("partner") or {}
    tenant_id = partner.get("tenant_id")
    if not is_guid(tenant_id):
        raise ValueError("seed: partner.tenant_id must be a GUID")
    seed.tenant_id = tenant_id.lower()
    seed.tenant_aliases = {seed.tenant_id} | {d.lower() for d in partner.get("domains", [])}
    for customer_id, customer in customers_of(raw):
        if not is_guid(customer_id):
            raise ValueError("seed: customer id %r is not a GUID" % customer_id)
        seed.customers[customer_id.lower()] = {"id": customer_id, "relationship": bool(customer.get("relationship", True))}
    for part in parts:
        hook = getattr(part, "compile_seed", None)
        if hook is not None:
            hook(raw, seed)
    return seed


def customers_of(raw):
    """(customer id as spelt, raw customer dict) pairs of a raw seed, in seed order."""
    return list((raw.get("customers") or {}).items())


def compile_choice(raw, key, choices, default, where="seed"):
    """``raw[key]`` (``default`` when absent), which must be one of ``choices``: a seed setting that picks a form."""
    value = raw.get(key, default)
    if value not in choices:
        raise ValueError("%s: %s must be one of %s" % (where, key, ", ".join(choices)))
    return value


def compile_bool(raw, where, default):
    if raw is None:
        return default
    if not isinstance(raw, bool):
        raise ValueError("%s must be true or false" % where)
    return raw


def compile_statuses(raw, where, default):
    if raw is None:
        return list(default)
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) and s for s in raw):
        raise ValueError("%s must be a non-empty list of non-empty strings" % where)
    return list(raw)
