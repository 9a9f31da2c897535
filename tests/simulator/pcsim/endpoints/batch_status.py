# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``GET /v1/customers/{customer-id}/batchJobStatus/{batch-tracking-id}``: a batch upload's status.

Seeded batches (a customer's ``batches`` in the seed, with their ``faults``) and the tracking ids of
uploads (uploads.py puts them in ``sim.state.uploads``) answer alike. The status progression is
driven by the number of 200 answers for that batch (``sim.state.polls``), not by the clock.
"""

import re
import uuid

from ..api import Route
from ..errors import CODE_NOT_FOUND, ERROR_CATALOGUE
from ..checks import is_guid
from ..faults import normalize_fault
from ..messages import Response, iso_utc, json_bytes

NON_FINAL_STATUSES = ("queued", "processing")


def get_batch_status(call):
    """A seeded batch, or the tracking id of an upload (``customer_id`` as sent, for messages)."""
    sim, customer = call.sim, call.customer
    batch_id = call.params["tracking_id"]
    customer_key, batch_key = customer["id"].lower(), batch_id.lower()
    batch = customer["batches"].get(batch_key)
    poll = 0
    with sim.lock:
        if batch is None:
            batch = sim.state.uploads.get((customer_key, batch_key))
        if batch is not None:
            sim.state.polls[(customer_key, batch_key)] += 1
            poll = sim.state.polls[(customer_key, batch_key)]
            if batch.get("live_times"):
                _stamp_upload_times(batch, poll)
            if batch.get("on_final") and batch["statuses"][min(poll, len(batch["statuses"])) - 1].lower() not in NON_FINAL_STATUSES:
                # What the batch does once final (autopilot.py: the devices carry their new policy), once.
                batch.pop("on_final")()
    if batch is None:
        return call.error(404, CODE_NOT_FOUND, "Not found: batch tracking id %s was not found for customer %s."
                          % (batch_id, call.params["customer_id"]))
    view = batch_view(batch, poll)
    if batch.get("echo_bearer_token"):
        view = echo_bearer_token(view, call.request.bearer_token())
    return Response(200, json_bytes(view), call.headers)


def echo_bearer_token(view, token):
    """``view`` with ``{bearer_token}`` in each device's errorDescription replaced by the caller's token: a service
    that echoes credentials, which clients must mask (the cached device lists are left as they are)."""
    devices = view.get("devicesStatus")
    if not devices:
        return view
    echoed = [dict(device, errorDescription=device["errorDescription"].replace("{bearer_token}", token))
              if "{bearer_token}" in (device.get("errorDescription") or "") else device for device in devices]
    return dict(view, devicesStatus=echoed)


ROUTES = (
    Route("GET", r"^/v1/customers/(?P<customer_id>[^/]+)/batchjobstatus/(?P<tracking_id>[^/]+)/?$", get_batch_status,
          guid_params=(("tracking_id", "batch tracking id"),)),
)


# ------------------------------------------------------------------ seed
def compile_seed(raw, seed):
    """Each customer's seeded ``batches`` (``customer["batches"]``: lower-case tracking id -> batch), and their
    ``faults`` (which by default match only that batch's status path) after the top-level faults."""
    for customer_id, customer in (raw.get("customers") or {}).items():
        batches = seed.customers[customer_id.lower()]["batches"] = {}
        for batch_id, batch in (customer.get("batches") or {}).items():
            batches[batch_id.lower()] = _compile_batch(customer_id, batch_id, batch)
            for fault in batch.get("faults", []):
                path_re = r"^/v1/customers/%s/batchjobstatus/%s/?$" % (re.escape(customer_id), re.escape(batch_id))
                spec = normalize_fault(fault, default_match=path_re)
                seed.seed_faults.append((spec, re.compile(spec["match"], re.IGNORECASE) if spec["match"] == path_re else None))


def reset(sim):
    """Every seeded batch back at poll 0."""
    sim.state.polls = {}
    for customer in sim.seed.customers.values():
        for batch_key in customer["batches"]:
            sim.state.polls[(customer["id"].lower(), batch_key)] = 0


def _compile_batch(customer_id, batch_id, batch):
    where = "seed: customer %s batch %s" % (customer_id, batch_id)
    if not is_guid(batch_id):
        raise ValueError("%s: the batch tracking id is not a GUID" % where)
    statuses = batch.get("statuses") or ["finished"]
    if not all(isinstance(s, str) and s for s in statuses):
        raise ValueError("%s: statuses must be non-empty strings" % where)
    omit_nulls = bool(batch.get("omit_null_fields", False))
    in_progress = batch.get("in_progress_device_status", "in-progress")
    devices = [_seed_device(d, where) for d in batch.get("devices", [])]
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
        "echo_bearer_token": bool(batch.get("echo_bearer_token", False)),
    }


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


# ----------------------------------------------------------------- views
def _stamp_upload_times(batch, poll):
    """Set an upload's startedTime when it first leaves 'queued', and completedTime when it first shows a final status."""
    statuses = batch["statuses"]
    status = statuses[min(poll, len(statuses)) - 1].lower()
    now = iso_utc(zulu=False)
    if status != "queued" and batch["startedTime"] is None:
        batch["startedTime"] = now
    if status not in NON_FINAL_STATUSES and batch["completedTime"] is None:
        batch["completedTime"] = now


def batch_view(batch, poll):
    """The BatchUploadDetails of ``batch`` at its ``poll``-th 200 answer."""
    statuses = batch["statuses"]
    status = statuses[min(poll, len(statuses)) - 1]
    final = status.lower() not in NON_FINAL_STATUSES
    view = {
        "batchTrackingId": batch["id"],
        "status": status,
        "startedTime": None if status.lower() == "queued" else batch["startedTime"],
        "completedTime": batch["completedTime"] if final else None,
        "devicesStatus": _device_lists(batch)[0 if final else 1],
        "attributes": {"objectType": "BatchUploadDetails"},
    }
    if batch["omit_null_fields"]:
        view = {k: v for k, v in view.items() if v is not None}
    return view


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
        [device_view(d, True, in_progress, omit_nulls) for d in devices],
        [device_view(d, False, in_progress, omit_nulls) for d in devices],
    )
    batch["device_lists"] = lists
    return lists


def device_view(device, final, in_progress, omit_nulls):
    """A device as a batch status lists it (DeviceUploadDetails), final or still in progress."""
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
