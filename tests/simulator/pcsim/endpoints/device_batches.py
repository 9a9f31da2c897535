# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device batches and their device lists:

- ``GET /v1/customers/{customer-id}/deviceBatches``: the customer's device batches;
- ``GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices``: a batch's devices, a page at a time.

Also the seed's device batches and registered devices (``device_batches``, ``registered_devices``,
``registered_elsewhere``, ``device_page_size``, ``device_paging``, ``device_listing``, ``uploaded_date_form``,
``empty_device_batch_list_status``) and the
registries of device identifiers that uploads (uploads.py, which adds devices to these batches) check.
Run-time state: ``sim.state.device_batches``, ``sim.state.registries`` and ``sim.state.continuations``.
"""

import base64
import datetime
import hashlib
import secrets
import uuid
from urllib.parse import parse_qs, quote, urlsplit

from ..api import Route
from ..checks import parse_device, short
from ..errors import CODE_INVALID_INPUT, CODE_NOT_FOUND
from ..messages import Response, json_bytes
from ..seed import compile_choice

DEFAULT_DEVICE_PAGE_SIZE = 100
# How a batch's device list pages: a continuation token in the body and links.next (the default), or
# links.next only, with a query (seekOperation=Next) and a /v1 uri, as the SDK's generic pager follows.
DEVICE_PAGING_MODES = ("continuation", "next_link_query")
DEVICE_ALLOWED_OPERATIONS = ("PATCH", "DELETE")
# What a batch's device listing shows of each device. "microsoft": what the one real listing published shows
# (Partner-Center-PowerShell issue #271, debug output of GET .../deviceBatches/{id}/devices): id, serialNumber,
# modelName, oemManufacturerName, policies, uploadedDate, attributes, and "links": {} on a single page; no
# hardwareHash, productKey nor allowedOperations. "documented": every field of the Device resource of the REST
# reference, with a self link (UNCONFIRMED: no real answer shows them).
DEVICE_LISTING_FORMS = ("microsoft", "documented")
# How a listing writes uploadedDate. "local_offset": as Partner Center's example
# (get-a-list-of-devices-for-the-specified-batch-and-customer) and the real listing of Partner-Center-PowerShell issue
# #271 show it, a local offset and seven decimals ("2020-01-30T09:10:33.2417951+01:00"); "utc": "2020-01-30T08:10:33Z".
# Which offset the service uses is UNCONFIRMED: +01:00, the one both examples show.
UPLOADED_DATE_FORMS = ("local_offset", "utc")
_LISTED_OFFSET = datetime.timezone(datetime.timedelta(hours=1))


# -------------------------------------------------------------- handlers
def list_device_batches(call):
    """Every device batch of the customer, seeded ones first, then in creation order."""
    sim, customer = call.sim, call.customer
    customer_key = customer["id"].lower()
    with sim.lock:
        batches = [dict(batch, devices_count=len(batch["devices"])) for batch in sim.state.device_batches[customer_key].values()]
    if not batches and customer["empty_device_batch_list_status"] == 404:
        return call.error(404, CODE_NOT_FOUND, "Not found: customer %s has no device batches." % customer["id"])
    items = [{
        "id": batch["id"],
        "createdBy": batch["createdBy"],
        "creationDate": batch["creationDate"],
        "devicesCount": batch["devices_count"],
        "devicesLink": {"uri": _devices_uri(customer, batch["id"]), "method": "GET", "headers": []},
        "attributes": {"objectType": "DeviceBatch"},
    } for batch in batches]
    body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    return Response(200, json_bytes(body), call.headers)


def list_batch_devices(call):
    """One page of the batch's devices; MS-ContinuationToken asks for the next one."""
    sim, request, customer = call.sim, call.request, call.customer
    batch_id = call.params["batch_id"]
    customer_key, batch_key = customer["id"].lower(), batch_id.lower()
    page_size, paging = sim.seed.device_page_size, sim.seed.device_paging
    continuation = (request.headers.get("MS-ContinuationToken") or "").strip()
    query = parse_qs(urlsplit(request.target).query)
    if continuation and paging == "next_link_query" and query.get("seekOperation") != ["Next"]:
        # The next link carries seekOperation=Next: a client that drops the query does not get the next page.
        return call.error(400, CODE_INVALID_INPUT, "Invalid input: a continuation needs seekOperation=Next in the query, "
                          "as links.next gives it.")
    with sim.lock:
        batch = sim.state.device_batches[customer_key].get(batch_key)
        if batch is None:
            return call.error(404, CODE_NOT_FOUND, "Not found: device batch '%s' was not found for customer %s."
                              % (short(batch_id), customer["id"]))
        offset = 0
        if continuation:
            owner_customer, owner_batch, offset = sim.state.continuations.get(continuation, (None, None, None))
            if (owner_customer, owner_batch) != (customer_key, batch_key):
                return call.error(400, CODE_INVALID_INPUT, "Invalid input: the continuation token in MS-ContinuationToken is not "
                                  "valid for this collection.")
        devices = batch["devices"][offset:offset + page_size]
        total = len(batch["devices"])
        next_token = None
        if offset + page_size < total:
            next_token = secrets.token_urlsafe(24)
            sim.state.continuations[next_token] = (customer_key, batch_key, offset + page_size)
    uri = _devices_uri(customer, batch["id"])
    documented = sim.seed.device_listing == "documented"
    local = sim.seed.uploaded_date_form == "local_offset"
    # totalCount counts this page, not the batch: .NET SDK Source/PartnerSdk.Models/ResourceCollection{TResource,TLinks}.cs
    # (TotalCount returns internalItems.Count); the SDK samples print it per page. Pages hold 100 devices
    # (get-a-list-of-devices-for-the-specified-batch-and-customer.md), device_page_size in the seed.
    body = {"totalCount": len(devices), "items": [_device_item(device, documented, local) for device in devices],
            "links": {"self": {"uri": uri, "method": "GET", "headers": []}} if documented else {}}
    if next_token is not None and paging == "next_link_query":
        body["links"]["next"] = {"uri": "/v1%s?seekOperation=Next" % uri, "method": "GET",
                                 "headers": [{"key": "MS-ContinuationToken", "value": next_token}]}
    elif next_token is not None:
        body["links"]["next"] = {"uri": uri, "method": "GET", "headers": [{"key": "MS-ContinuationToken", "value": next_token}]}
        body["continuationToken"] = next_token
    body["attributes"] = {"objectType": "Collection"}
    return Response(200, json_bytes(body), call.headers)


ROUTES = (
    Route("GET", r"^/v1/customers/(?P<customer_id>[^/]+)/devicebatches/?$", list_device_batches),
    Route("GET", r"^/v1/customers/(?P<customer_id>[^/]+)/devicebatches/(?P<batch_id>[^/]+)/devices/?$", list_batch_devices),
)


def _devices_uri(customer, batch_id):
    return "/customers/%s/deviceBatches/%s/devices" % (customer["id"], quote(batch_id, safe=""))


def listed_uploaded_date(device, local):
    """A device's uploadedDate as a listing writes it (see UPLOADED_DATE_FORMS): stored as UTC (``...Z``); a stored value
    that is not of that form (a seed's own) is shown as it is."""
    stored = device["uploadedDate"]
    if not local or not isinstance(stored, str) or not stored.endswith("Z"):
        return stored
    try:
        moment = datetime.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return stored
    # Seven decimals, as .NET writes a DateTimeOffset; the fraction, which the stored value lacks, from the device id.
    fraction = int(hashlib.sha256(device["id"].encode("utf-8")).hexdigest(), 16) % 10 ** 7
    return "%s.%07d+01:00" % (moment.astimezone(_LISTED_OFFSET).strftime("%Y-%m-%dT%H:%M:%S"), fraction)


def _device_item(device, documented=False, local=True):
    """A Device resource as the device list shows it (see DEVICE_LISTING_FORMS, UPLOADED_DATE_FORMS)."""
    item = {
        "id": device["id"],
        "serialNumber": device["serialNumber"],
        "modelName": device["modelName"],
        "oemManufacturerName": device["oemManufacturerName"],
        # Its Autopilot profile, which autopilot.py's DevicePolicyUpdates sets; value null for none, as Partner Center shows it.
        "policies": [{"key": "o_o_b_e", "value": device.get("policy")}],
        "uploadedDate": listed_uploaded_date(device, local),
        "attributes": {"objectType": "Device"},
    }
    if documented:
        item.update(productKey=device["productKey"], hardwareHash=device["hardwareHash"],
                    allowedOperations=list(DEVICE_ALLOWED_OPERATIONS))
    return item


def stored_device(device_id, device, uploaded):
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


# ------------------------------------------------------------ registries
def new_registry():
    """An empty set of registered device identifiers."""
    return {"hardwareHash": set(), "serialNumber": set(), "productKey": set()}


def register(registry, device):
    """Add a device's hardware hash (exact), serial number and product key (any case) to ``registry``."""
    if device.get("hardwareHash"):
        registry["hardwareHash"].add(device["hardwareHash"])
    for name in ("serialNumber", "productKey"):
        if device.get(name):
            registry[name].add(device[name].lower())


def unregister(registry, device):
    """Take a removed device's identifiers out of ``registry``, so that it can be uploaded again."""
    if device.get("hardwareHash"):
        registry["hardwareHash"].discard(device["hardwareHash"])
    for name in ("serialNumber", "productKey"):
        if device.get(name):
            registry[name].discard(device[name].lower())


def is_registered(registry, device):
    """Return True if any identifier of ``device`` is in ``registry``."""
    if device.get("hardwareHash") and device["hardwareHash"] in registry["hardwareHash"]:
        return True
    return any(device.get(name) and device[name].lower() in registry[name] for name in ("serialNumber", "productKey"))


# ------------------------------------------------------------------ seed
def compile_seed(raw, seed):
    """``seed.device_page_size``, ``device_paging``, ``device_listing``, ``uploaded_date_form``, ``registered_elsewhere`` (a registry), ``seed_device_batches``
    and ``seed_registries`` (lower-case customer id -> ...), and each customer's ``empty_device_batch_list_status``."""
    page_size = raw.get("device_page_size", DEFAULT_DEVICE_PAGE_SIZE)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError("seed: device_page_size must be a positive integer")
    seed.device_page_size = page_size
    empty_status = _compile_empty_status(raw.get("empty_device_batch_list_status"), "seed", 404)
    seed.registered_elsewhere = _compile_registry(raw.get("registered_elsewhere"), "seed: registered_elsewhere")
    seed.device_paging = compile_choice(raw, "device_paging", DEVICE_PAGING_MODES, "continuation")
    seed.device_listing = compile_choice(raw, "device_listing", DEVICE_LISTING_FORMS, "microsoft")
    seed.uploaded_date_form = compile_choice(raw, "uploaded_date_form", UPLOADED_DATE_FORMS, "local_offset")
    seed.seed_device_batches = {}
    seed.seed_registries = {}
    for customer_id, customer in (raw.get("customers") or {}).items():
        where = "seed: customer %s" % customer_id
        seed.customers[customer_id.lower()]["empty_device_batch_list_status"] = _compile_empty_status(
            customer.get("empty_device_batch_list_status"), where, empty_status)
        _compile_device_batches(seed, customer_id, customer, where)


def reset(sim):
    """Device batches and registered devices as seeded; no continuation token is valid."""
    state = sim.state
    state.device_batches = {}
    for key, batches in sim.seed.seed_device_batches.items():
        state.device_batches[key] = {name: dict(batch, devices=list(batch["devices"])) for name, batch in batches.items()}
    state.registries = {key: {name: set(values) for name, values in registry.items()} for key, registry in sim.seed.seed_registries.items()}
    state.continuations = {}


def _compile_empty_status(raw, where, default):
    if raw is None:
        return default
    if raw not in (200, 404) or isinstance(raw, bool):
        raise ValueError("%s: empty_device_batch_list_status must be 200 or 404" % where)
    return raw


def _compile_registry(raw, where):
    """Turn a list of {"hardwareHash"|"serialNumber"|"productKey": ...} entries into a registry."""
    registry = new_registry()
    if raw is None:
        return registry
    if not isinstance(raw, list):
        raise ValueError("%s must be a list" % where)
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict) or not entry or set(entry) - set(registry):
            raise ValueError("%s[%d] must be an object with hardwareHash, serialNumber and/or productKey" % (where, index))
        if not all(isinstance(value, str) and value for value in entry.values()):
            raise ValueError("%s[%d]: identifiers must be non-empty strings" % (where, index))
        register(registry, entry)
    return registry


def _compile_device_batches(seed, customer_id, customer, where):
    """Compile a customer's seeded device batches and registered devices (all of them count as registered)."""
    key = customer_id.lower()
    registry = _compile_registry(customer.get("registered_devices"), "%s registered_devices" % where)
    batches = {}
    raw_batches = customer.get("device_batches") or {}
    if not isinstance(raw_batches, dict):
        raise ValueError("%s: device_batches must be an object (batch name -> batch)" % where)
    for name, raw in raw_batches.items():
        batch = _compile_device_batch(customer_id, name, raw, "%s device batch %r" % (where, name))
        if name.lower() in batches:
            raise ValueError("%s: device batch %r is given twice (names ignore case)" % (where, name))
        batches[name.lower()] = batch
        for device in batch["devices"]:
            register(registry, device)
    seed.seed_device_batches[key] = batches
    seed.seed_registries[key] = registry


def _compile_device_batch(customer_id, name, raw, where):
    if not name.strip():
        raise ValueError("%s: a device batch name must not be blank" % where)
    if not isinstance(raw, dict):
        raise ValueError("%s must be an object" % where)
    created = raw.get("creationDate", "2025-01-06T09:00:00Z")
    devices = []
    for index, raw_device in enumerate(raw.get("devices", [])):
        device, problem = parse_device(raw_device, index)
        if problem:
            raise ValueError("%s: %s" % (where, problem))
        seed_id = "partner-center-simulator:device-batch:%s:%s:%d" % (customer_id.lower(), name.lower(), index)
        devices.append(stored_device(raw_device.get("id") or str(uuid.uuid5(uuid.NAMESPACE_URL, seed_id)),
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
        devices.append(stored_device(str(uuid.uuid5(uuid.NAMESPACE_URL, seed_id + ":generated")), device, created))
    return {"id": name, "createdBy": raw.get("createdBy", "admin@contoso-partner.onmicrosoft.com"), "creationDate": created,
            "devices": devices}
