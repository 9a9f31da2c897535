# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device uploads:

- ``POST /v1/customers/{customer-id}/deviceBatches``: create a device batch with its devices;
- ``POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices``: add devices to a batch.

Each device's outcome is decided when the upload is accepted; the answer carries a tracking id that
``batchJobStatus`` (batch_status.py) answers like a seeded batch. A retry with the same MS-RequestId
replays the accepted answer. Seed part: ``upload_requires_app_user``, ``upload_statuses``,
``upload_error_status``, ``upload_response``, ``upload_status_omits_identifiers``.
Run-time state: ``sim.state.uploads`` (tracking ids) and ``sim.state.replays``.
"""

from ..api import Route
from ..checks import field, is_json_media_type, is_valid_hardware_hash, new_guid, parse_devices, short
from ..errors import CODE_APP_USER_REQUIRED, CODE_CONFLICT, CODE_INVALID_INPUT, CODE_NOT_FOUND, CODE_UNSUPPORTED_MEDIA, ERROR_CATALOGUE
from ..messages import Response, iso_utc, json_bytes
from ..seed import compile_bool, compile_statuses
from .batch_status import device_view
from .device_batches import is_registered, register, stored_device

DEFAULT_UPLOAD_STATUSES = ("queued", "processing", "finished")
# How an accepted upload answers: the status, and where the tracking id goes (Partner Center's docs show a
# relative Location; the REST reference lists 200 and 202 and puts the link in the body).
UPLOAD_ANSWER_STATUSES = (200, 201, 202)
UPLOAD_LOCATION_FORMS = ("relative", "v1", "absolute", "body", "body_tracking_id", "none")
DEFAULT_UPLOAD_RESPONSE = {"status": 202, "location": "relative"}


# -------------------------------------------------------------- handlers
def create_device_batch(call):
    """POST deviceBatches: a new batch named by the body's batchId."""
    return _upload(call, creating=True)


def add_devices(call):
    """POST deviceBatches/{batch-id}/devices: devices into an existing batch."""
    return _upload(call, creating=False)


def upload_record(request, params):
    """What the statistics keep of an upload POST: the batch name and the number of devices, never more."""
    body, _problem = request.json_body()
    if "batch_id" not in params:
        batch_id = field(body, "batchId") if isinstance(body, dict) else None
        devices = field(body, "devices") if isinstance(body, dict) else None
    else:
        batch_id = params["batch_id"]
        devices = body
    return {
        "batch_id": batch_id if isinstance(batch_id, str) else None,
        "device_count": len(devices) if isinstance(devices, list) else None,
        "tracking_id": None,
        "idempotent_replay": False,
    }


ROUTES = (
    Route("POST", r"^/v1/customers/(?P<customer_id>[^/]+)/devicebatches/?$", create_device_batch, record=upload_record),
    Route("POST", r"^/v1/customers/(?P<customer_id>[^/]+)/devicebatches/(?P<batch_id>[^/]+)/devices/?$", add_devices,
          record=upload_record),
)


def _upload(call, creating):
    """202 with a Location (or the customer's upload_response form), or an error."""
    sim, request, customer, info = call.sim, call.request, call.customer, call.token
    # Creating a batch is app+user only (PCDOCS "Upload a list of devices to create a new batch"); adding devices to an
    # existing batch accepts app-only and app+user (PCDOCS "Upload a list of devices for the specified customer").
    if info["kind"] == "app" and creating and sim.seed.upload_requires_app_user == "create":
        return call.error(403, CODE_APP_USER_REQUIRED, "Access denied: creating a device batch needs app+user credentials (the "
                          "secure application model: a token from a refresh token grant). App-only credentials are not accepted.")
    replay_key = (request.headers.get("MS-RequestId").lower(), request.method, request.path.rstrip("/").lower())
    with sim.lock:
        replay = sim.state.replays.get(replay_key)
    if replay is not None:
        request.record.update(tracking_id=replay["tracking_id"], idempotent_replay=True)
        return accepted_answer(call, replay["location"], call.customer["upload_response"])
    if not is_json_media_type(request.headers.get("Content-Type")):
        return call.error(415, CODE_UNSUPPORTED_MEDIA, "Unsupported media type: send the body as application/json.")
    batch_id, devices, problem = _upload_request(call, creating)
    if problem is not None:
        return call.error(400, CODE_INVALID_INPUT, "Invalid input: %s." % problem)
    creator = info["user"] if info["kind"] == "app+user" else info["client_id"]
    with sim.lock:
        batches = sim.state.device_batches[customer["id"].lower()]
        batch = batches.get(batch_id.lower())
        if creating and batch is not None:
            return call.error(409, CODE_CONFLICT, "Conflict: a device batch named '%s' already exists for customer %s."
                              % (short(batch["id"]), customer["id"]))
        if not creating and batch is None:
            return call.error(404, CODE_NOT_FOUND, "Not found: device batch '%s' was not found for customer %s."
                              % (short(batch_id), customer["id"]))
        if batch is None:
            batch = {"id": batch_id, "createdBy": creator, "creationDate": iso_utc(), "devices": []}
            batches[batch_id.lower()] = batch
        tracking_id = _process_upload_locked(sim, customer, batch, devices)
        location = "/customers/%s/batchJobStatus/%s" % (customer["id"], tracking_id)
        if request.replayable:
            sim.state.replays[replay_key] = {"tracking_id": tracking_id, "location": location}
    request.record["tracking_id"] = tracking_id
    return accepted_answer(call, location, call.customer["upload_response"])


def accepted_answer(call, location, form):
    """The answer to an accepted request whose progress a batchJobStatus tracks (an upload, a DevicePolicyUpdates), in
    ``form`` (an ``upload_response``-like {"status", "location"}; the default is 202 with a relative Location)."""
    status, where, headers = form["status"], form["location"], call.headers
    if where == "relative":
        return Response(status, b"", headers + [("Location", location)], content_type=None)
    if where == "v1":
        return Response(status, b"", headers + [("Location", "/v1" + location)], content_type=None)
    if where == "absolute":
        return Response(status, b"", headers + [("Location", "%s/v1%s" % (call.sim.url, location))], content_type=None)
    if where == "body":
        return Response(status, json_bytes({"location": location}), headers)
    if where == "body_tracking_id":
        return Response(status, json_bytes({"batchTrackingId": location.rsplit("/", 1)[1]}), headers)
    return Response(status, b"", headers, content_type=None)


def _upload_request(call, creating):
    """Return (batch name, parsed devices, None) of an upload POST, or (None, None, problem) for a malformed body.

    Creating a batch takes a DeviceBatchCreationRequest object; adding devices takes a list of devices.
    """
    body, problem = call.request.json_body()
    if problem is not None:
        return None, None, problem
    if creating:
        if not isinstance(body, dict):
            return None, None, "the body must be a JSON object with batchId and devices"
        batch_id, raw_devices = field(body, "batchId"), field(body, "devices")
        if not isinstance(batch_id, str) or not batch_id.strip():
            return None, None, "batchId is required: a non-empty name of your choosing"
    else:
        batch_id, raw_devices = call.params["batch_id"], body
        if not isinstance(body, list):
            return None, None, "the body must be a JSON list of devices"
    devices, problem = parse_devices(raw_devices)
    return batch_id, devices, problem


def _process_upload_locked(sim, customer, batch, devices):
    """Decide every device's outcome, register the good ones, add them to ``batch``; return the new tracking id.

    The caller holds the lock.
    """
    state = sim.state
    customer_key = customer["id"].lower()
    registry = state.registries[customer_key]
    others = [sim.seed.registered_elsewhere] + [r for key, r in state.registries.items() if key != customer_key]
    uploaded = iso_utc()
    seen_hashes = set()
    outcomes = []
    for device in devices:
        hardware_hash = device["hardwareHash"]
        error = None
        if hardware_hash is not None and not is_valid_hardware_hash(hardware_hash):
            error = "InvalidZtdHardwareHash"
        elif hardware_hash is not None and hardware_hash in seen_hashes:
            error = "ZtdDeviceDuplicated"
        elif is_registered(registry, device):
            error = "806"
        elif any(is_registered(other, device) for other in others):
            error = "808"
        if hardware_hash is not None:
            seen_hashes.add(hardware_hash)
        code, description = ERROR_CATALOGUE[error] if error else (None, None)
        device_id = new_guid()
        if error is None:
            register(registry, device)
            batch["devices"].append(stored_device(device_id, device, uploaded))
        outcomes.append({"deviceId": device_id, "serialNumber": device["serialNumber"], "productKey": device["productKey"],
                         "status": None, "errorCode": code, "errorDescription": description})
    statuses = list(customer["upload_statuses"])
    if sim.seed.upload_error_status and any(o["errorDescription"] for o in outcomes):
        statuses[-1] = sim.seed.upload_error_status
    if customer["upload_status_omits_identifiers"]:
        # As an MSP tool reports for hash-only uploads: outcomes in upload order, with nothing that names the device.
        outcomes = [dict(o, deviceId=None, serialNumber=None, productKey=None) for o in outcomes]
    tracking_id = new_guid()
    pending = [dict(o, deviceId=None) for o in outcomes]
    state.uploads[(customer_key, tracking_id)] = {
        "id": tracking_id,
        "customer_id": customer["id"],
        "statuses": statuses,
        "startedTime": None,
        "completedTime": None,
        "omit_null_fields": False,
        "in_progress_device_status": "in-progress",
        "live_times": True,
        "device_lists": (
            [device_view(o, True, "in-progress", False) for o in outcomes],
            [device_view(o, False, "in-progress", False) for o in pending],
        ),
    }
    state.polls[(customer_key, tracking_id)] = 0
    return tracking_id


# ------------------------------------------------------------------ seed
def compile_seed(raw, seed):
    """``seed.upload_requires_app_user`` and ``upload_error_status``, and each customer's ``upload_statuses``,
    ``upload_response`` and ``upload_status_omits_identifiers`` (the customer's own, else the top-level value)."""
    requires = raw.get("upload_requires_app_user", "create")
    if requires is not False and requires != "create":
        raise ValueError("seed: upload_requires_app_user must be \"create\" (creating a batch needs app+user) or false "
                         "(both kinds create); adding devices to an existing batch accepts both kinds either way")
    seed.upload_requires_app_user = requires
    statuses = compile_statuses(raw.get("upload_statuses"), "seed: upload_statuses", DEFAULT_UPLOAD_STATUSES)
    error_status = raw.get("upload_error_status")
    if error_status is not None and (not isinstance(error_status, str) or not error_status):
        raise ValueError("seed: upload_error_status must be null or a non-empty string")
    seed.upload_error_status = error_status
    response = compile_accepted_response(raw.get("upload_response"), "seed: upload_response", DEFAULT_UPLOAD_RESPONSE)
    omit = compile_bool(raw.get("upload_status_omits_identifiers"), "seed: upload_status_omits_identifiers", False)
    for customer_id, customer in (raw.get("customers") or {}).items():
        where = "seed: customer %s" % customer_id
        seed.customers[customer_id.lower()].update({
            "upload_statuses": compile_statuses(customer.get("upload_statuses"), "%s upload_statuses" % where, statuses),
            "upload_response": compile_accepted_response(customer.get("upload_response"), "%s upload_response" % where, response),
            "upload_status_omits_identifiers": compile_bool(customer.get("upload_status_omits_identifiers"),
                                                            "%s upload_status_omits_identifiers" % where, omit),
        })


def reset(sim):
    """No upload, no remembered MS-RequestId."""
    sim.state.uploads = {}
    sim.state.replays = {}


def compile_accepted_response(raw, where, default):
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
