# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows Autopilot lifecycle after upload:

- ``GET``/``POST /v1/customers/{customer-id}/policies`` and ``GET``/``PUT``/``DELETE .../policies/{policy-id}``:
  configuration policies ("Autopilot profiles"); create answers 200, delete 204;
- ``PATCH /v1/customers/{customer-id}/DevicePolicyUpdates``: assign a policy to devices, 202 with a Location to a
  batchJobStatus (batch_status.py answers it like an upload's), or another form of ``policy_update_response``; the
  devices carry the policy from the poll that shows the final status on, listed by its id or by its name
  (``policy_value_form``);
- ``DELETE /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices/{device-id}``: remove a device (204, or 200
  with ``device_delete_status``).

Seed part: each customer's ``policies``, and ``policy_spelling`` / ``policy_device_count_key`` / ``policy_value_form`` /
``policy_update_response`` / ``device_delete_status`` (top level or per customer). Run-time state:
``sim.state.policies`` (lower-case customer id -> lower-case policy id -> policy); a device's policy is its
``policy_id`` key in device_batches.py's batches, and ``policy`` is the value its listing shows.
"""

import re
import uuid

from ..api import Route
from ..checks import field, is_json_media_type, new_guid, short
from ..errors import CODE_INVALID_INPUT, CODE_NOT_FOUND, CODE_UNSUPPORTED_MEDIA
from ..messages import Response, iso_utc, json_bytes
from ..seed import compile_choice
from .batch_status import device_view
from .device_batches import new_registry, unregister
from .uploads import accepted_answer, compile_accepted_response

# Documented snake_case values (the .NET SDK writes o_o_b_e, none: EnumJsonConverter); PartnerCenter.DotNet (the
# PowerShell module's SDK) writes enum names as declared (SkipEula, OOBE, None: its EnumJsonConverter,
# src/PartnerCenter/Models/JsonConverters/EnumJsonConverter.cs). Read in any spelling; answered in the spelling the
# seed asks for.
POLICY_SETTINGS = ("none", "remove_oem_preinstalls", "oobe_user_not_local_admin", "skip_express_settings",
                   "skip_oem_registration", "skip_eula")
POLICY_CATEGORIES = ("none", "o_o_b_e")
OOBE_CATEGORY = "o_o_b_e"
POLICY_SPELLINGS = ("snake_case", "PascalCase")
# The device count: devicesAssigned in Microsoft's JSON examples, devicesAssignedCount in the SDK model.
POLICY_COUNT_KEYS = ("devicesAssigned", "devicesAssignedCount")
MAX_POLICY_NAME = 256
# What a device listing shows as the value of a device's o_o_b_e policy. Microsoft's examples show the policy id
# (get-a-list-of-devices-for-the-specified-batch-and-customer, device-deployment-resources); the one real listing
# (Partner-Center-PowerShell issue #271) shows a profile's name, "AzureAD Join Default Profile". Which one when is
# UNCONFIRMED, so by default ("mixed") both: the name for a device whose id ends in an odd hex digit, the id for the
# others. The value is fixed when the policy is assigned: whether a renamed profile shows its new name is UNCONFIRMED.
POLICY_VALUE_FORMS = ("mixed", "id", "name")
# DevicePolicyUpdates: 202 with a relative Location (update-a-list-of-devices-with-a-policy); the REST reference
# (device-deployment/update-device-policy) lists 200 and 202, and its sibling pages put the link in the body. Served in
# every form an upload's answer has (uploads.py's UPLOAD_LOCATION_FORMS).
DEFAULT_POLICY_UPDATE_RESPONSE = {"status": 202, "location": "relative"}
# Removing a device: 204 (delete-a-device-for-the-specified-customer); the REST reference
# (device-deployment/delete-device-batches) lists 200 OK too.
DEVICE_DELETE_STATUSES = (204, 200)


def _letters(value):
    return re.sub(r"[\s_-]+", "", value).lower()


_SETTING_BY_LETTERS = {_letters(name): name for name in POLICY_SETTINGS}
_CATEGORY_BY_LETTERS = {_letters(name): name for name in POLICY_CATEGORIES}


def _enum_value(raw, by_letters):
    """The documented spelling of an enum value sent in any spelling, or None when it is not one."""
    return by_letters.get(_letters(raw)) if isinstance(raw, str) else None


def _pascal_case(name):
    """remove_oem_preinstalls -> RemoveOemPreinstalls, o_o_b_e -> OOBE, none -> None: enum names as PartnerCenter.DotNet
    writes them (PolicyCategory declares OOBE)."""
    return "OOBE" if name == OOBE_CATEGORY else "".join(part.capitalize() for part in name.split("_"))


def listed_policy_value(form, device_id, policy):
    """The value a device listing shows for a device's o_o_b_e policy: the policy's id or its name (see POLICY_VALUE_FORMS)."""
    by_name = form == "name" or (form == "mixed" and bool(device_id) and device_id[-1].lower() in "13579bdf")
    if by_name:
        return policy["name"]
    return policy["id"]


def device_policy(device):
    """The ``policies`` of a Device resource: its o_o_b_e policy, null when it has none (as Partner Center's examples show)."""
    return [{"key": OOBE_CATEGORY, "value": device.get("policy")}]


# -------------------------------------------------------------- handlers
def list_policies(call):
    sim, customer = call.sim, call.customer
    with sim.lock:
        items = [_policy_view(sim, customer, policy) for policy in sim.state.policies[customer["id"].lower()].values()]
    body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    return Response(200, json_bytes(body), call.headers)


def create_policy(call):
    """POST policies: 200 (not 201) with the new policy. Names need not be unique: Partner Center documents nothing about it."""
    sim, customer = call.sim, call.customer
    fields, problem = _body_fields(call, None)
    if problem is not None:
        return problem
    now = iso_utc()
    policy = dict(fields, id=new_guid(), createdDate=now, lastModifiedDate=now)
    with sim.lock:
        sim.state.policies[customer["id"].lower()][policy["id"].lower()] = policy
        view = _policy_view(sim, customer, policy)
    return Response(200, json_bytes(view), call.headers)


def get_policy(call):
    sim, customer = call.sim, call.customer
    with sim.lock:
        policy = _find_policy(call)
        view = None if policy is None else _policy_view(sim, customer, policy)
    if view is None:
        return _policy_not_found(call)
    return Response(200, json_bytes(view), call.headers)


def update_policy(call):
    """PUT policies/{policy-id}: the whole object; the id and the category cannot change."""
    sim, customer = call.sim, call.customer
    with sim.lock:
        current = _find_policy(call)
        current = None if current is None else dict(current)
    if current is None:
        return _policy_not_found(call)
    fields, problem = _body_fields(call, current)
    if problem is not None:
        return problem
    with sim.lock:
        policy = _find_policy(call)
        if policy is None:
            return _policy_not_found(call)
        policy.update(fields, lastModifiedDate=iso_utc())
        view = _policy_view(sim, customer, policy)
    return Response(200, json_bytes(view), call.headers)


def delete_policy(call):
    sim, customer = call.sim, call.customer
    with sim.lock:
        policy = _find_policy(call)
        if policy is not None:
            del sim.state.policies[customer["id"].lower()][policy["id"].lower()]
    if policy is None:
        return _policy_not_found(call)
    return Response(204, b"", call.headers, content_type=None)


def update_device_policies(call):
    """PATCH DevicePolicyUpdates: 202, empty body, Location to a batchJobStatus of one entry per device (or the
    customer's policy_update_response form)."""
    sim, customer = call.sim, call.customer
    customer_key = customer["id"].lower()
    if not is_json_media_type(call.request.headers.get("Content-Type")):
        return call.error(415, CODE_UNSUPPORTED_MEDIA, "Unsupported media type: send the body as application/json.")
    wanted, problem = _policy_update_request(call.request)
    if problem is not None:
        return call.error(400, CODE_INVALID_INPUT, "Invalid input: %s." % problem)
    with sim.lock:
        policies = sim.state.policies[customer_key]
        stored = dict((device["id"].lower(), device) for batch in sim.state.device_batches[customer_key].values()
                      for device in batch["devices"])
        problems = sorted(set("policy %s was not found" % short(value) for _device, value in wanted if value.lower() not in policies))
        problems += ["device %s was not found" % short(device_id) for device_id, _value in wanted if device_id.lower() not in stored]
        if problems:
            return call.error(400, CODE_INVALID_INPUT, "Invalid input: %s." % "; ".join(problems[:10]))
        assignments = [(stored[device_id.lower()]["id"], policies[value.lower()]) for device_id, value in wanted]
        outcomes = [{"deviceId": stored[device_id.lower()]["id"], "serialNumber": stored[device_id.lower()]["serialNumber"],
                     "productKey": stored[device_id.lower()]["productKey"], "status": None, "errorCode": None,
                     "errorDescription": None} for device_id, _value in wanted]
        tracking_id = new_guid()
        sim.state.uploads[(customer_key, tracking_id)] = {
            "id": tracking_id,
            "customer_id": customer["id"],
            "statuses": list(customer["upload_statuses"]),
            "startedTime": None,
            "completedTime": None,
            "omit_null_fields": False,
            "in_progress_device_status": "in-progress",
            "live_times": True,
            # batch_status.py calls it (under the lock) at the first poll that shows a final status.
            "on_final": _assigner(sim, customer_key, assignments, customer["policy_value_form"]),
            "device_lists": ([device_view(o, True, "in-progress", False) for o in outcomes],
                             [device_view(o, False, "in-progress", False) for o in outcomes]),
        }
        sim.state.polls[(customer_key, tracking_id)] = 0
    location = "/customers/%s/batchJobStatus/%s" % (customer["id"], tracking_id)
    return accepted_answer(call, location, customer["policy_update_response"])


def delete_device(call):
    """DELETE deviceBatches/{batch-id}/devices/{device-id}: 204 (or 200, device_delete_status), empty body; the device
    leaves the customer's registry too."""
    sim, customer = call.sim, call.customer
    customer_key = customer["id"].lower()
    batch_id, device_id = call.params["batch_id"], call.params["device_id"]
    with sim.lock:
        batch = sim.state.device_batches[customer_key].get(batch_id.lower())
        device = None
        if batch is not None:
            device = next((d for d in batch["devices"] if d["id"].lower() == device_id.lower()), None)
        if device is not None:
            batch["devices"] = [d for d in batch["devices"] if d is not device]
            unregister(sim.state.registries.setdefault(customer_key, new_registry()), device)
    if device is None:
        return call.error(404, CODE_NOT_FOUND, "Not found: device %s was not found in device batch '%s' of customer %s."
                          % (short(device_id), short(batch_id), customer["id"]))
    return Response(customer["device_delete_status"], b"", call.headers, content_type=None)


_CUSTOMER = r"^/v1/customers/(?P<customer_id>[^/]+)"
ROUTES = (
    Route("GET", _CUSTOMER + r"/policies/?$", list_policies),
    Route("POST", _CUSTOMER + r"/policies/?$", create_policy),
    Route("GET", _CUSTOMER + r"/policies/(?P<policy_id>[^/]+)/?$", get_policy),
    Route("PUT", _CUSTOMER + r"/policies/(?P<policy_id>[^/]+)/?$", update_policy),
    Route("DELETE", _CUSTOMER + r"/policies/(?P<policy_id>[^/]+)/?$", delete_policy),
    Route("PATCH", _CUSTOMER + r"/devicepolicyupdates/?$", update_device_policies),
    Route("DELETE", _CUSTOMER + r"/devicebatches/(?P<batch_id>[^/]+)/devices/(?P<device_id>[^/]+)/?$", delete_device),
)


# --------------------------------------------------------------- helpers
def _assigner(sim, customer_key, assignments, form):
    """What makes the devices carry their policy (called with the lock held). A device removed meanwhile is skipped.

    Each device is replaced by a copy in its batch's list: the stored dicts are shared with the seed. ``policy_id`` is
    the policy's id; ``policy`` the value the device listing shows (device_batches.py), its id or its name.
    """
    def assign():
        wanted = dict((device_id.lower(), policy) for device_id, policy in assignments)
        for batch in sim.state.device_batches[customer_key].values():
            batch["devices"] = [dict(device, policy_id=wanted[device["id"].lower()]["id"],
                                     policy=listed_policy_value(form, device["id"], wanted[device["id"].lower()]))
                                if device["id"].lower() in wanted else device for device in batch["devices"]]
    return assign


def _find_policy(call):
    """The stored policy the path names, or None. The caller holds the lock."""
    return call.sim.state.policies[call.customer["id"].lower()].get(call.params["policy_id"].lower())


def _policy_not_found(call):
    return call.error(404, CODE_NOT_FOUND, "Not found: policy %s was not found for customer %s."
                      % (short(call.params["policy_id"]), call.customer["id"]))


def _body_fields(call, current):
    """(fields, None) of a POST or PUT body, or (None, the 400/415 answer)."""
    request = call.request
    if not is_json_media_type(request.headers.get("Content-Type")):
        return None, call.error(415, CODE_UNSUPPORTED_MEDIA, "Unsupported media type: send the body as application/json.")
    body, problem = request.json_body()
    if problem is None and current is not None and isinstance(body, dict):
        # The update documents id as required and unchangeable (update-a-configuration-policy-for-the-specified-customer).
        sent_id = field(body, "id")
        if sent_id is None:
            problem = "id is required: the policy's id, as in the path"
        elif str(sent_id).lower() != current["id"].lower():
            problem = "the id of a policy cannot change"
    fields = None
    if problem is None:
        fields, problem = policy_fields(body, current)
    if problem is not None:
        return None, call.error(400, CODE_INVALID_INPUT, "Invalid input: %s." % problem)
    return fields, None


def policy_fields(body, current=None):
    """(fields, None) of a ConfigurationPolicy body: name, description, category, settings; or (None, problem).

    Partner Center documents name, category and policySettings as required; the PowerShell module sends no
    category (its enum default, none), so a missing one is none. A PUT may not change the category.
    """
    if not isinstance(body, dict):
        return None, "the body must be a JSON object (a ConfigurationPolicy)"
    name = field(body, "name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_POLICY_NAME:
        return None, "name is required: a non-empty string of at most %d characters" % MAX_POLICY_NAME
    description = field(body, "description")
    if description is not None and not isinstance(description, str):
        return None, "description must be a string"
    raw_category = field(body, "category")
    category = _enum_value(raw_category, _CATEGORY_BY_LETTERS) if raw_category is not None else "none"
    if category is None:
        return None, "category must be one of %s" % ", ".join(POLICY_CATEGORIES)
    if current is not None:
        if raw_category is not None and category != current["category"]:
            return None, "the category of a policy cannot change"
        category = current["category"]
    raw_settings = field(body, "policySettings")
    if not isinstance(raw_settings, list):
        return None, "policySettings is required: a list of %s" % ", ".join(POLICY_SETTINGS)
    settings = []
    for value in raw_settings:
        setting = _enum_value(value, _SETTING_BY_LETTERS)
        if setting is None:
            return None, "policySettings: %r is not one of %s" % (short(value), ", ".join(POLICY_SETTINGS))
        if setting != "none" and setting not in settings:
            settings.append(setting)
    return {"name": name, "description": description, "category": category, "settings": settings}, None


def _policy_view(sim, customer, policy):
    """A ConfigurationPolicy as Partner Center shows it, in the customer's spelling. The caller holds the lock."""
    spell = _pascal_case if customer["policy_spelling"] == "PascalCase" else (lambda value: value)
    count = sum(1 for batch in sim.state.device_batches[customer["id"].lower()].values()
                for device in batch["devices"] if (device.get("policy_id") or "").lower() == policy["id"].lower())
    return {
        "id": policy["id"],
        "name": policy["name"],
        "category": spell(policy["category"]),
        "description": policy["description"],
        customer["policy_device_count_key"]: count,
        "policySettings": [spell(setting) for setting in policy["settings"]] or [spell("none")],
        "createdDate": policy["createdDate"],
        "lastModifiedDate": policy["lastModifiedDate"],
        "attributes": {"objectType": "ConfigurationPolicy"},
    }


def _policy_update_request(request):
    """([(device id, policy id)], None) of a DevicePolicyUpdateRequest (keys in any case), or (None, problem)."""
    body, problem = request.json_body()
    if problem is not None:
        return None, problem
    devices = field(body, "devices") if isinstance(body, dict) else None
    if not isinstance(devices, list) or not devices:
        return None, "the body must be a DevicePolicyUpdateRequest object with a non-empty list of devices"
    wanted = []
    for index, device in enumerate(devices):
        device_id = field(device, "id") if isinstance(device, dict) else None
        policies = field(device, "policies") if isinstance(device, dict) else None
        if not isinstance(device_id, str) or not isinstance(policies, list) or len(policies) != 1 or not isinstance(policies[0], dict):
            return None, "devices[%d] must have an id and policies, a list of one {key, value}" % index
        key, value = field(policies[0], "key"), field(policies[0], "value")
        if _enum_value(key, _CATEGORY_BY_LETTERS) != OOBE_CATEGORY or not isinstance(value, str):
            return None, "devices[%d].policies[0] must be {key: o_o_b_e, value: <policy id>}" % index
        wanted.append((device_id, value))
    return wanted, None


# ------------------------------------------------------------------ seed
def compile_seed(raw, seed):
    """Each customer's ``policy_spelling``, ``policy_device_count_key``, ``policy_value_form``, ``policy_update_response``,
    ``device_delete_status`` (its own, else the top-level value), and ``seed.seed_policies`` (lower-case customer id ->
    lower-case policy id -> policy) from its ``policies``."""
    defaults = _compile_policy_options(raw, "seed", dict(
        policy_spelling="snake_case", policy_device_count_key="devicesAssigned", policy_value_form="mixed",
        policy_update_response=DEFAULT_POLICY_UPDATE_RESPONSE, device_delete_status=204))
    seed.seed_policies = {}
    for customer_id, customer in (raw.get("customers") or {}).items():
        where = "seed: customer %s" % customer_id
        seed.customers[customer_id.lower()].update(_compile_policy_options(customer, where, defaults))
        seed.seed_policies[customer_id.lower()] = _compile_policies(customer.get("policies"), where, customer_id)


def reset(sim):
    """The seeded policies of every customer (and none for the others); devices carry no policy (device_batches.py resets them)."""
    sim.state.policies = dict((key, {}) for key in sim.seed.customers)
    for key, policies in sim.seed.seed_policies.items():
        sim.state.policies[key] = dict((policy_id, dict(policy)) for policy_id, policy in policies.items())


def _compile_policy_options(raw, where, defaults):
    spelling = compile_choice(raw, "policy_spelling", POLICY_SPELLINGS, defaults["policy_spelling"], where)
    count_key = compile_choice(raw, "policy_device_count_key", POLICY_COUNT_KEYS, defaults["policy_device_count_key"], where)
    value_form = compile_choice(raw, "policy_value_form", POLICY_VALUE_FORMS, defaults["policy_value_form"], where)
    update_response = compile_accepted_response(raw.get("policy_update_response"), "%s: policy_update_response" % where,
                                                defaults["policy_update_response"])
    delete_status = raw.get("device_delete_status", defaults["device_delete_status"])
    if isinstance(delete_status, bool) or delete_status not in DEVICE_DELETE_STATUSES:
        raise ValueError("%s: device_delete_status must be 204 or 200" % where)
    return {"policy_spelling": spelling, "policy_device_count_key": count_key, "policy_value_form": value_form,
            "policy_update_response": update_response, "device_delete_status": delete_status}


def _compile_policies(raw, where, customer_id):
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise ValueError("%s: policies must be a list" % where)
    policies = {}
    for index, item in enumerate(raw):
        fields, problem = policy_fields(item)
        if problem is not None:
            raise ValueError("%s policies[%d]: %s" % (where, index, problem))
        policy_id = item.get("id") or str(uuid.uuid5(uuid.NAMESPACE_URL, "partner-center-simulator:policy:%s:%d"
                                                     % (customer_id.lower(), index)))
        if policy_id.lower() in policies:
            raise ValueError("%s policies[%d]: id %s is given twice" % (where, index, policy_id))
        created = item.get("createdDate", "2025-01-06T09:00:00Z")
        policies[policy_id.lower()] = dict(fields, id=policy_id, createdDate=created, lastModifiedDate=created)
    return policies
