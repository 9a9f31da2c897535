# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the simulator's tests (test_pcsim_*.py) share: the default seed's ids, an HTTP client (urllib, over
real HTTP), token and upload helpers, and assertions of Partner Center's error shape. Fixtures are in conftest.py."""

import base64
import copy
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

# The default seed's ids and credentials, and the documented example, live in tests/harness.py.
import harness
import pcsim

RESOURCE = "https://api.partnercenter.microsoft.com"

LARGE_BATCH = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716"
NO_RELATIONSHIP_BATCH = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
EXISTING_DEVICE_BATCH = "existing-batch-1"
PAGED_DEVICE_BATCH = "existing-batch-2"
EXISTING_BATCH_HASH = "Odkq+WV57gxJdju8cvlmBqDIuVNkLzHY9CzWBHbpzDEdFS3vwgtON0CWEbnZ4pvl"
REGISTERED_SERIAL = "REG-DEMO-0001"
ELSEWHERE_SERIAL = "OTHER-TENANT-0001"
ELSEWHERE_HASH = "+XyRkEZ6xGNmDTsgCnNiW6ihwsRh2/ridf0EmYowL8oiKXUkchJuBGkLayPu5adA"

DOC_REQUEST_ID = "e88d014d-ab70-41de-90a0-f7fd1797267d"
DOC_CORRELATION_ID = "aaaa0000-bb11-2222-33cc-444444dddddd"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


DEFAULT_SEED = pcsim.load_seed()


# ---------------------------------------------------------------- helpers
def http_call(method, url, data=None, headers=None, timeout=10):
    """Return (status, headers, body bytes) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read()


def token_call(base, tenant=harness.TENANT_ID, v2=False, form=None, body=None, content_type="application/x-www-form-urlencoded", headers=None):
    """POST to the token endpoint; return (status, headers, raw body, parsed JSON)."""
    path = "/%s/oauth2/v2.0/token" % tenant if v2 else "/%s/oauth2/token" % tenant
    data = body if body is not None else urllib.parse.urlencode(form or {}).encode("ascii")
    all_headers = {"Content-Type": content_type}
    all_headers.update(headers or {})
    status, response_headers, raw = http_call("POST", base + path, data, all_headers)
    return status, response_headers, raw, json.loads(raw)


def app_form(**overrides):
    form = {"grant_type": "client_credentials", "client_id": harness.CLIENT_ID, "client_secret": harness.CLIENT_SECRET, "resource": RESOURCE}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def user_form(refresh_token=harness.REFRESH_TOKEN, **overrides):
    form = {"grant_type": "refresh_token", "client_id": harness.CLIENT_ID, "client_secret": harness.CLIENT_SECRET, "refresh_token": refresh_token,
            "resource": RESOURCE}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def get_token(base, form=None):
    status, _headers, _raw, body = token_call(base, form=form or app_form())
    assert status == 200, body
    return body["access_token"]


def api_headers(token, **overrides):
    headers = {"Authorization": "Bearer %s" % token, "Accept": "application/json", "MS-RequestId": str(uuid.uuid4()),
               "MS-CorrelationId": str(uuid.uuid4())}
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v is not None}


def batch_url(base, customer, batch, segment="batchJobStatus"):
    return "%s/v1/customers/%s/%s/%s" % (base, customer, segment, batch)


def get_batch(base, token, customer=harness.DEMO_CUSTOMER_ID, batch=harness.DEMO_BATCH_CLEAN, timeout=10, **header_overrides):
    """GET a batch status; return (status, headers, raw body)."""
    return http_call("GET", batch_url(base, customer, batch), headers=api_headers(token, **header_overrides), timeout=timeout)


def assert_pc_error(status, headers, raw, expected_status, expected_code):
    assert status == expected_status, raw
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert int(headers["Content-Length"]) == len(raw)
    body = json.loads(raw)
    assert sorted(body) == ["code", "data", "description", "source"]
    assert body["code"] == expected_code
    assert body["data"] == []
    assert body["source"] == "PartnerFD"
    assert body["description"] and len(body["description"]) <= 1024
    assert GUID.match(headers["MS-RequestId"]) and GUID.match(headers["MS-CorrelationId"])
    return body


def assert_no_secret(raw):
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    for secret in harness.SECRETS:
        assert secret not in text


def seed_with(**changes):
    seed = copy.deepcopy(DEFAULT_SEED)
    seed.update(changes)
    return seed


# ---------------------------------------------------------- device batches
SEEDED_TRACKING_IDS = {batch.lower() for customer in DEFAULT_SEED["customers"].values() for batch in customer["batches"]}


def fake_hash(label):
    """A well-formed hardware hash (base64 of 64 bytes), different for every label."""
    return base64.b64encode(hashlib.sha512(label.encode("utf-8")).digest()).decode("ascii")


def hashed_device(serial, **fields):
    device = {"hardwareHash": fake_hash(serial), "serialNumber": serial, "oemManufacturerName": "Contoso", "modelName": "Laptop 7"}
    device.update(fields)
    return {k: v for k, v in device.items() if v is not None}


def batches_url(base, customer=harness.DEMO_CUSTOMER_ID):
    return "%s/v1/customers/%s/deviceBatches" % (base, customer)


def devices_url(base, batch, customer=harness.DEMO_CUSTOMER_ID):
    return "%s/v1/customers/%s/deviceBatches/%s/devices" % (base, customer, urllib.parse.quote(batch, safe=""))


def post_json(url, token, body, **header_overrides):
    """POST a JSON body (raw bytes are sent as they are); return (status, headers, raw body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    overrides = {"Content-Type": "application/json"}
    overrides.update(header_overrides)
    return http_call("POST", url, data, api_headers(token, **overrides))


def create_batch(base, token, batch_id, devices, customer=harness.DEMO_CUSTOMER_ID, **header_overrides):
    return post_json(batches_url(base, customer), token, {"batchId": batch_id, "devices": devices, "attributes": {}}, **header_overrides)


def accepted_tracking_id(status, headers, raw, customer=harness.DEMO_CUSTOMER_ID):
    """Check a 202 upload answer and return the tracking id of its Location."""
    assert status == 202, raw
    assert raw == b"" and headers["Content-Length"] == "0"
    match = re.match(r"^/customers/%s/batchJobStatus/([0-9a-f-]{36})$" % customer, headers["Location"])
    assert match and GUID.match(match.group(1)), headers["Location"]
    return match.group(1)


def poll_to_final(base, token, tracking_id, customer=harness.DEMO_CUSTOMER_ID, polls=3):
    bodies = []
    for _poll in range(polls):
        status, _headers, raw = get_batch(base, token, customer, tracking_id)
        assert status == 200, raw
        bodies.append(json.loads(raw))
    return bodies


def list_batches(base, token, customer=harness.DEMO_CUSTOMER_ID):
    status, _headers, raw = http_call("GET", batches_url(base, customer), headers=api_headers(token))
    assert status == 200, raw
    return {item["id"]: item for item in json.loads(raw)["items"]}


def outcomes(final):
    return [(d["serialNumber"], d["status"], d["errorCode"], d["errorDescription"]) for d in final["devicesStatus"]]


def assert_seed_rejected(change):
    """``change(seed)`` on a copy of the default seed makes the simulator refuse it with ValueError."""
    seed = copy.deepcopy(DEFAULT_SEED)
    change(seed)
    try:
        pcsim.PartnerCenterSimulator(seed)
    except ValueError:
        return
    raise AssertionError("the simulator accepted a bad seed")
