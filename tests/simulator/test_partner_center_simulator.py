# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the local Partner Center simulator, over real HTTP with urllib."""

import base64
import copy
import email.utils
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import partner_center_simulator as pcs  # noqa: E402  pylint: disable=wrong-import-position

TENANT = "9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6"
DOMAIN = "contoso-partner.onmicrosoft.com"
CLIENT_ID = "5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e"
CLIENT_SECRET = "sim-client-secret-DO-NOT-LEAK-7Q2x"
RT_ADMIN = "sim-refresh-token-admin-agent-DO-NOT-LEAK-3Vb9"
RT_NO_ROLE = "sim-refresh-token-no-role-DO-NOT-LEAK-8Kd1"
RT_EXPIRED = "sim-refresh-token-expired-DO-NOT-LEAK-1Zr4"
SECRETS = (CLIENT_SECRET, RT_ADMIN, RT_NO_ROLE, RT_EXPIRED)
RESOURCE = "https://api.partnercenter.microsoft.com"

DOC_CUSTOMER = "47021739-3426-40bf-9601-61b4b6d7c793"
DOC_BATCH = "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
DEMO_CUSTOMER = "3f8e2a91-6c47-4d0b-b5e2-7a9c1d3e5f60"
ERRORS_BATCH = "6b1d9e42-8a3c-4f57-9e20-c4d8a7b6f310"
CLEAN_BATCH = "c2a4e6f8-1b3d-4a5c-8e7f-9a0b1c2d3e4f"
FOREVER_BATCH = "d7e9f1a3-5b7c-4d9e-8f1a-2b3c4d5e6f70"
LARGE_BATCH = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716"
NO_RELATIONSHIP_CUSTOMER = "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d"
NO_RELATIONSHIP_BATCH = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"

DOC_REQUEST_ID = "e88d014d-ab70-41de-90a0-f7fd1797267d"
DOC_CORRELATION_ID = "aaaa0000-bb11-2222-33cc-444444dddddd"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

DOCUMENTED_RESPONSE = {
    "batchTrackingId": "0127ed8e-ff72-4983-a3d8-e8d8bd378932",
    "status": "finished",
    "startedTime": "2017-07-25T10:00:00",
    "completedTime": "2017-07-25T10:10:00",
    "devicesStatus": [{
        "serialNumber": "1234567890",
        "productKey": "12345-67890-09876-54321-13579",
        "status": "finished_with_errors",
        "errorCode": "808",
        "errorDescription": "ZtdDeviceAssignedToOtherTenant",
        "attributes": {
            "objectType": "DeviceUploadDetails"
        }
    }],
    "attributes": {
        "objectType": "BatchUploadDetails"
    }
}

DEFAULT_SEED = pcs.load_seed()


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


def token_call(base, tenant=TENANT, v2=False, form=None, body=None, content_type="application/x-www-form-urlencoded", headers=None):
    """POST to the token endpoint; return (status, headers, raw body, parsed JSON)."""
    path = "/%s/oauth2/v2.0/token" % tenant if v2 else "/%s/oauth2/token" % tenant
    data = body if body is not None else urllib.parse.urlencode(form or {}).encode("ascii")
    all_headers = {"Content-Type": content_type}
    all_headers.update(headers or {})
    status, response_headers, raw = http_call("POST", base + path, data, all_headers)
    return status, response_headers, raw, json.loads(raw)


def app_form(**overrides):
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "resource": RESOURCE}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def user_form(refresh_token=RT_ADMIN, **overrides):
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": refresh_token,
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


def get_batch(base, token, customer=DEMO_CUSTOMER, batch=CLEAN_BATCH, timeout=10, **header_overrides):
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
    for secret in SECRETS:
        assert secret not in text


def seed_with(**changes):
    seed = copy.deepcopy(DEFAULT_SEED)
    seed.update(changes)
    return seed


# --------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def sim():
    simulator = pcs.PartnerCenterSimulator(DEFAULT_SEED)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def base(sim):
    return sim.url


@pytest.fixture(scope="module")
def app_token(base):
    return get_token(base)


@pytest.fixture(autouse=True)
def fresh_state(sim):
    sim.reset()


@pytest.fixture
def make_sim():
    started = []

    def factory(seed=None, **kwargs):
        simulator = pcs.PartnerCenterSimulator(DEFAULT_SEED if seed is None else seed, **kwargs)
        simulator.start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


# ----------------------------------------------------------- token: success
def test_client_credentials_v1_shape(sim, base):
    status, headers, raw, body = token_call(base, form=app_form())
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert int(headers["Content-Length"]) == len(raw)
    assert sorted(body) == ["access_token", "expires_in", "expires_on", "ext_expires_in", "not_before", "resource", "token_type"]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3599" and body["ext_expires_in"] == "3599"
    assert int(body["expires_on"]) - int(body["not_before"]) == 3599
    assert abs(int(body["not_before"]) - time.time()) < 5
    assert body["resource"] == RESOURCE
    assert len(body["access_token"]) >= 40
    stats = sim.stats
    assert stats["issued_tokens"] == [body["access_token"]]
    assert stats["token_requests"] == [{"grant_type": "client_credentials", "client_id": CLIENT_ID, "tenant": TENANT, "endpoint": "v1",
                                        "resource_or_scope": RESOURCE, "status": 200, "fault": None}]
    assert_no_secret(json.dumps(stats))


def test_client_credentials_v2_with_domain_tenant(base):
    form = app_form(resource=None, scope=RESOURCE + "/.default")
    status, _headers, _raw, body = token_call(base, tenant=DOMAIN, v2=True, form=form)
    assert status == 200
    assert body["expires_in"] == 3599
    assert body["token_type"] == "Bearer"
    assert body["scope"] == RESOURCE + "/.default"
    assert "refresh_token" not in body
    assert get_batch(base, body["access_token"], DOC_CUSTOMER, DOC_BATCH)[0] == 200


def test_client_secret_in_basic_auth_header(base):
    credentials = "%s:%s" % (CLIENT_ID, CLIENT_SECRET)
    basic = "Basic " + base64.b64encode(credentials.encode("ascii")).decode("ascii")
    status, _headers, _raw, body = token_call(base, form={"grant_type": "client_credentials", "resource": RESOURCE},
                                              headers={"Authorization": basic})
    assert status == 200, body


def test_refresh_token_grant_rotates_and_keeps_seed_token(sim, base):
    status, _headers, _raw, body = token_call(base, form=user_form())
    assert status == 200
    assert body["expires_in"] == "3599"
    new_refresh = body["refresh_token"]
    assert new_refresh not in SECRETS and len(new_refresh) > 40
    assert get_batch(base, body["access_token"], DOC_CUSTOMER, DOC_BATCH)[0] == 200
    # the issued refresh token works, without a client secret (public client form) ...
    status, _headers, _raw, second = token_call(base, form=user_form(new_refresh, client_secret=None))
    assert status == 200 and second["refresh_token"] != new_refresh
    # ... and the seed's refresh token stays valid
    assert token_call(base, form=user_form())[0] == 200
    stats = sim.stats
    assert new_refresh in stats["issued_refresh_tokens"]
    assert [r["grant_type"] for r in stats["token_requests"]] == ["refresh_token"] * 3
    assert_no_secret(json.dumps(stats["token_requests"]))


def test_refresh_token_grant_v2(base):
    form = user_form(resource=None, scope=RESOURCE + "/user_impersonation offline_access")
    status, _headers, _raw, body = token_call(base, v2=True, form=form)
    assert status == 200
    assert body["expires_in"] == 3599 and body["refresh_token"]


# ------------------------------------------------------------ token: errors
TOKEN_ERRORS = [
    ("unknown tenant", "contoso-other.onmicrosoft.com", False, app_form(), None, 400, "invalid_request", 90002),
    ("unknown client", TENANT, False, app_form(client_id="11111111-2222-3333-4444-555555555555"), None, 400, "unauthorized_client", 700016),
    ("wrong secret", TENANT, False, app_form(client_secret="sim-client-secret-WRONG-VALUE"), None, 401, "invalid_client", 7000215),
    ("missing secret", TENANT, False, app_form(client_secret=None), None, 401, "invalid_client", 7000218),
    ("unknown refresh token", TENANT, False, user_form("made-up-refresh-token-value"), None, 400, "invalid_grant", 70000),
    ("expired refresh token", TENANT, False, user_form(RT_EXPIRED), None, 400, "invalid_grant", 700082),
    ("refresh with wrong secret", TENANT, False, user_form(client_secret="nope-nope"), None, 401, "invalid_client", 7000215),
    ("wrong resource", TENANT, False, app_form(resource="https://graph.windows.net"), None, 400, "invalid_resource", 500011),
    ("missing resource", TENANT, False, app_form(resource=None), None, 400, "invalid_resource", 500011),
    ("v2 wrong scope", TENANT, True, app_form(resource=None, scope="https://graph.microsoft.com/.default"), None, 400,
     "invalid_resource", 500011),
    ("v2 client credentials without .default", TENANT, True, app_form(resource=None, scope=RESOURCE + "/user_impersonation"), None, 400,
     "invalid_scope", 1002012),
    ("unsupported grant", TENANT, False, app_form(grant_type="password"), None, 400, "unsupported_grant_type", 70003),
    ("json body", TENANT, False, None, json.dumps(app_form()).encode("utf-8"), 400, "invalid_request", 900144),
]


@pytest.mark.parametrize("case", TOKEN_ERRORS, ids=[c[0] for c in TOKEN_ERRORS])
def test_token_errors_have_entra_shape_and_leak_nothing(sim, base, case):
    _name, tenant, v2, form, body, expected_status, expected_error, expected_code = case
    content_type = "application/json" if body is not None else "application/x-www-form-urlencoded"
    status, headers, raw, parsed = token_call(base, tenant=tenant, v2=v2, form=form, body=body, content_type=content_type)
    assert status == expected_status
    assert int(headers["Content-Length"]) == len(raw)
    assert parsed["error"] == expected_error
    assert parsed["error_codes"] == [expected_code]
    assert GUID.match(parsed["trace_id"]) and GUID.match(parsed["correlation_id"])
    description = parsed["error_description"]
    assert description.startswith("AADSTS%d: " % expected_code)
    trailer = "\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (parsed["trace_id"], parsed["correlation_id"], parsed["timestamp"])
    assert description.endswith(trailer)
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", parsed["timestamp"])
    assert_no_secret(raw)
    for name in ("client_secret", "refresh_token"):
        if (form or {}).get(name):
            assert form[name] not in raw.decode("utf-8")
    assert sim.stats["token_requests"][-1]["status"] == expected_status
    assert sim.stats["issued_tokens"] == []


def test_token_error_texts(base):
    raw = token_call(base, tenant="contoso-other.onmicrosoft.com", form=app_form())[2].decode("utf-8")
    assert "Tenant 'contoso-other.onmicrosoft.com' not found" in raw
    raw = token_call(base, form=app_form(client_secret="bad"))[2].decode("utf-8")
    assert "Invalid client secret provided" in raw
    raw = token_call(base, form=user_form(RT_EXPIRED))[2].decode("utf-8")
    assert "The refresh token has expired due to inactivity" in raw


def test_token_endpoint_rejects_get(base):
    status, _headers, raw = http_call("GET", base + "/%s/oauth2/token" % TENANT)
    assert status == 400
    assert json.loads(raw)["error_codes"] == [900561]


# --------------------------------------------------------------------- API
def test_documented_example_exactly(sim, base, app_token):
    headers = {"Authorization": "Bearer %s" % app_token, "Accept": "application/json", "MS-RequestId": DOC_REQUEST_ID,
               "MS-CorrelationId": DOC_CORRELATION_ID, "X-Locale": "en-US"}
    status, response_headers, raw = http_call("GET", batch_url(base, DOC_CUSTOMER, DOC_BATCH, "batchjobstatus"), headers=headers)
    assert status == 200
    body = json.loads(raw)
    assert body == DOCUMENTED_RESPONSE
    assert list(body) == list(DOCUMENTED_RESPONSE)
    assert list(body["devicesStatus"][0]) == list(DOCUMENTED_RESPONSE["devicesStatus"][0])
    assert "deviceId" not in body["devicesStatus"][0]
    assert response_headers["Content-Type"] == "application/json; charset=utf-8"
    assert int(response_headers["Content-Length"]) == len(raw)
    assert response_headers["MS-RequestId"] == DOC_REQUEST_ID
    assert response_headers["MS-CorrelationId"] == DOC_CORRELATION_ID
    assert response_headers["MS-CV"] and response_headers["MS-ServerId"]
    record = sim.stats["api_requests"][-1]
    assert record["request_id"] == DOC_REQUEST_ID and record["correlation_id"] == DOC_CORRELATION_ID
    assert record["status"] == 200 and record["method"] == "GET"


def test_path_segments_and_ids_are_case_insensitive(base, app_token):
    url = "%s/V1/Customers/%s/BATCHJOBSTATUS/%s" % (base, DOC_CUSTOMER.upper(), DOC_BATCH.upper())
    status, _headers, raw = http_call("GET", url.replace("/V1/", "/v1/"), headers=api_headers(app_token))
    assert status == 200
    assert json.loads(raw)["batchTrackingId"] == DOC_BATCH


def test_status_progression_with_device_errors(sim, base, app_token):
    seen = []
    for _poll in range(5):
        status, _headers, raw = get_batch(base, app_token, batch=ERRORS_BATCH)
        assert status == 200
        seen.append(json.loads(raw))
    assert [b["status"] for b in seen] == ["queued", "processing", "processing", "finished_with_errors", "finished_with_errors"]
    queued, processing, final = seen[0], seen[1], seen[3]
    assert queued["startedTime"] is None and queued["completedTime"] is None
    assert processing["startedTime"] == "2025-03-10T08:00:00" and processing["completedTime"] is None
    assert final["completedTime"] == "2025-03-10T08:04:30"
    for device in queued["devicesStatus"] + processing["devicesStatus"]:
        assert device["status"] == "in-progress"
        assert device["errorCode"] is None and device["errorDescription"] is None
    outcome = [(d["serialNumber"], d["status"], d["errorCode"], d["errorDescription"]) for d in final["devicesStatus"]]
    assert outcome == [
        ("PF1A2B3C", "finished", None, None),
        ("PF1A2B3D", "finished", None, None),
        ("PF1A2B3E", "finished_with_errors", "806", "ZtdDeviceAlreadyAssigned"),
        ("PF1A2B3F", "finished_with_errors", "808", "ZtdDeviceAssignedToOtherTenant"),
    ]
    assert all(GUID.match(d["deviceId"]) for d in final["devicesStatus"])
    assert all(d["attributes"] == {"objectType": "DeviceUploadDetails"} for d in final["devicesStatus"])
    assert final["attributes"] == {"objectType": "BatchUploadDetails"}
    assert sim.stats["polls"][ERRORS_BATCH] == 5
    assert sim.stats["polls"][CLEAN_BATCH] == 0


def test_clean_batch_and_endless_batch(base, app_token):
    statuses = [json.loads(get_batch(base, app_token, batch=CLEAN_BATCH)[2])["status"] for _i in range(4)]
    assert statuses == ["queued", "processing", "finished", "finished"]
    final = json.loads(get_batch(base, app_token, batch=CLEAN_BATCH)[2])
    assert [d["status"] for d in final["devicesStatus"]] == ["finished"] * 3
    assert all(d["errorCode"] is None for d in final["devicesStatus"])
    endless = [json.loads(get_batch(base, app_token, batch=FOREVER_BATCH)[2]) for _i in range(3)]
    assert [b["status"] for b in endless] == ["processing"] * 3
    assert all(b["completedTime"] is None for b in endless)


def test_large_generated_batch(base, app_token):
    first = json.loads(get_batch(base, app_token, batch=LARGE_BATCH)[2])
    assert first["status"] == "queued" and len(first["devicesStatus"]) == 10000
    get_batch(base, app_token, batch=LARGE_BATCH)
    raw = get_batch(base, app_token, batch=LARGE_BATCH)[2]
    final = json.loads(raw)
    devices = final["devicesStatus"]
    assert final["status"] == "finished_with_errors"
    assert devices[0]["serialNumber"] == "SIM-000001" and devices[-1]["serialNumber"] == "SIM-010000"
    failed = [d for d in devices if d["errorCode"]]
    assert len(failed) == 200
    assert [d["errorCode"] for d in failed[:4]] == ["806", "808", "806", "808"]
    assert failed[0]["serialNumber"] == "SIM-000050" and failed[0]["status"] == "finished_with_errors"
    assert len({d["deviceId"] for d in devices}) == 10000
    assert get_batch(base, app_token, batch=LARGE_BATCH)[2] == raw


def test_missing_or_bad_bearer_token_is_401(base, app_token):
    headers = api_headers(app_token, Authorization=None)
    status, response_headers, raw = http_call("GET", batch_url(base, DOC_CUSTOMER, DOC_BATCH), headers=headers)
    assert_pc_error(status, response_headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert response_headers["WWW-Authenticate"] == "Bearer"
    status, response_headers, raw = get_batch(base, "not-a-token-we-issued", DOC_CUSTOMER, DOC_BATCH)
    assert_pc_error(status, response_headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert response_headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    status, response_headers, raw = get_batch(base, app_token, DOC_CUSTOMER, DOC_BATCH, Authorization="Basic " + app_token)
    assert status == 401 and response_headers["WWW-Authenticate"] == "Bearer"


def test_expired_access_token_is_401(make_sim):
    simulator = make_sim(seed_with(token_lifetime_seconds=0))
    status, _headers, _raw, body = token_call(simulator.url, form=app_form())
    assert status == 200 and body["expires_in"] == "0"
    status, headers, raw = get_batch(simulator.url, body["access_token"], DOC_CUSTOMER, DOC_BATCH)
    error = assert_pc_error(status, headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert "expired" in error["description"]
    assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert body["access_token"] not in raw.decode("utf-8")


@pytest.mark.parametrize("header, value", [
    ("MS-RequestId", None),
    ("MS-RequestId", "12345"),
    ("MS-CorrelationId", None),
    ("MS-CorrelationId", "not-a-guid-at-all"),
])
def test_request_headers_are_validated(base, app_token, header, value):
    status, headers, raw = get_batch(base, app_token, DOC_CUSTOMER, DOC_BATCH, **{header: value})
    error = assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)
    assert header in error["description"]


def test_echoes_a_valid_correlation_id_with_a_new_request_id_when_missing(base, app_token):
    correlation = str(uuid.uuid4())
    status, headers, _raw = get_batch(base, app_token, DOC_CUSTOMER, DOC_BATCH, **{"MS-RequestId": None, "MS-CorrelationId": correlation})
    assert status == 400
    assert headers["MS-CorrelationId"] == correlation
    assert GUID.match(headers["MS-RequestId"])


@pytest.mark.parametrize("accept, expected", [
    ("application/json", 200),
    ("*/*", 200),
    ("text/plain, application/json;q=0.5", 200),
    ("text/html", 406),
    ("application/json;q=0", 406),
    ("application/xml", 406),
])
def test_accept_header(base, app_token, accept, expected):
    status, headers, raw = get_batch(base, app_token, DOC_CUSTOMER, DOC_BATCH, Accept=accept)
    if expected == 406:
        assert_pc_error(status, headers, raw, 406, pcs.CODE_SIMULATOR_BASE + 406)
    else:
        assert status == 200


def test_accept_header_may_be_absent(base, app_token):
    assert get_batch(base, app_token, DOC_CUSTOMER, DOC_BATCH, Accept=None)[0] == 200


@pytest.mark.parametrize("customer, batch", [("not-a-guid", DOC_BATCH), (DOC_CUSTOMER, "12345"), ("%7Bbad%7D", "x")])
def test_ids_must_be_guids(base, app_token, customer, batch):
    status, headers, raw = get_batch(base, app_token, customer, batch)
    assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)


def test_not_found(base, app_token):
    status, headers, raw = get_batch(base, app_token, "00000000-1111-2222-3333-444444444444", DOC_BATCH)
    assert "customer" in assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)["description"]
    status, headers, raw = get_batch(base, app_token, DOC_CUSTOMER, CLEAN_BATCH)
    assert "batch" in assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)["description"]
    status, headers, raw = http_call("GET", "%s/v1/customers/%s/deviceBatches" % (base, DOC_CUSTOMER), headers=api_headers(app_token))
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)
    status, headers, raw = http_call("GET", base + "/")
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)


def test_customer_without_relationship_is_403(base, app_token):
    status, headers, raw = get_batch(base, app_token, NO_RELATIONSHIP_CUSTOMER, NO_RELATIONSHIP_BATCH)
    assert_pc_error(status, headers, raw, 403, pcs.CODE_NO_RELATIONSHIP)


def test_user_without_agent_role_is_403(base):
    no_role = get_token(base, user_form(RT_NO_ROLE))
    status, headers, raw = get_batch(base, no_role, DOC_CUSTOMER, DOC_BATCH)
    assert_pc_error(status, headers, raw, 403, pcs.CODE_FORBIDDEN)
    admin = get_token(base, user_form(RT_ADMIN))
    assert get_batch(base, admin, DOC_CUSTOMER, DOC_BATCH)[0] == 200


def test_checks_run_in_documented_order(base, app_token):
    unknown = "00000000-1111-2222-3333-444444444444"
    assert get_batch(base, "bogus", unknown, "bad", **{"MS-RequestId": None})[0] == 401
    assert get_batch(base, app_token, unknown, "bad", **{"MS-RequestId": None})[0] == 400
    assert get_batch(base, app_token, unknown, DOC_BATCH, Accept="text/html")[0] == 406
    assert get_batch(base, app_token, unknown, "bad")[0] == 400
    assert get_batch(base, app_token, NO_RELATIONSHIP_CUSTOMER, unknown)[0] == 403
    no_role = get_token(base, user_form(RT_NO_ROLE))
    assert get_batch(base, no_role, DOC_CUSTOMER, unknown)[0] == 403
    assert get_batch(base, app_token, DOC_CUSTOMER, unknown)[0] == 404


def test_method_not_allowed(base, app_token):
    status, headers, raw = http_call("POST", batch_url(base, DOC_CUSTOMER, DOC_BATCH), data=b"{}", headers=api_headers(app_token))
    assert_pc_error(status, headers, raw, 405, pcs.CODE_SIMULATOR_BASE + 405)
    assert headers["Allow"] == "GET"


def test_http11_keep_alive_with_content_length(base, app_token):
    connection = http.client.HTTPConnection(base[len("http://"):], timeout=5)
    try:
        path = "/v1/customers/%s/batchJobStatus/%s" % (DOC_CUSTOMER, DOC_BATCH)
        statuses = []
        sockets = set()
        for token in (app_token, "bogus", app_token):
            connection.request("GET", path, headers=api_headers(token))
            response = connection.getresponse()
            assert response.version == 11
            assert int(response.getheader("Content-Length")) == len(response.read())
            statuses.append(response.status)
            sockets.add(id(connection.sock))
        assert statuses == [200, 401, 200]
        assert len(sockets) == 1
    finally:
        connection.close()


def test_concurrent_polls_are_counted_once_each(sim, base, app_token):
    results = []

    def poll():
        results.append(get_batch(base, app_token, batch=FOREVER_BATCH)[0])

    threads = [threading.Thread(target=poll) for _i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 20
    assert sim.stats["polls"][FOREVER_BATCH] == 20
    assert len(sim.stats["api_requests"]) == 20


# -------------------------------------------------------------- throttling
def test_throttling_per_customer(make_sim):
    simulator = make_sim(seed_with(throttle={"limit": 2, "window_seconds": 30}))
    token = get_token(simulator.url)
    assert [get_batch(simulator.url, token, batch=CLEAN_BATCH)[0] for _i in range(2)] == [200, 200]
    status, headers, raw = get_batch(simulator.url, token, batch=CLEAN_BATCH)
    assert status == 429
    retry_after = int(headers["Retry-After"])
    assert 1 <= retry_after <= 30
    assert json.loads(raw) == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in %d seconds." % retry_after}
    assert int(headers["Content-Length"]) == len(raw)
    assert headers["MS-RequestId"]
    # another customer has its own window; throttled requests do not advance the batch
    assert get_batch(simulator.url, token, DOC_CUSTOMER, DOC_BATCH)[0] == 200
    assert simulator.stats["polls"][CLEAN_BATCH] == 2
    simulator.reset()
    assert get_batch(simulator.url, token, batch=CLEAN_BATCH)[0] == 200


def test_throttle_window_rolls_over(make_sim):
    simulator = make_sim(seed_with(throttle={"limit": 1, "window_seconds": 0.4}))
    token = get_token(simulator.url)
    assert get_batch(simulator.url, token, DOC_CUSTOMER, DOC_BATCH)[0] == 200
    assert get_batch(simulator.url, token, DOC_CUSTOMER, DOC_BATCH)[0] == 429
    time.sleep(0.45)
    assert get_batch(simulator.url, token, DOC_CUSTOMER, DOC_BATCH)[0] == 200


# ------------------------------------------------------------------ faults
def test_status_fault_does_not_advance_progression(sim, base, app_token):
    fault = sim.add_fault("status", status=503, retry_after=7)
    assert fault["kind"] == "status" and fault["match"] == "api" and fault["count"] == 1
    status, headers, raw = get_batch(base, app_token, batch=CLEAN_BATCH)
    error = assert_pc_error(status, headers, raw, 503, pcs.CODE_SIMULATOR_BASE + 503)
    assert error["description"]
    assert headers["Retry-After"] == "7"
    assert sim.stats["polls"][CLEAN_BATCH] == 0
    status, _headers, raw = get_batch(base, app_token, batch=CLEAN_BATCH)
    assert status == 200 and json.loads(raw)["status"] == "queued"
    assert [r["fault"] for r in sim.stats["api_requests"]] == ["status", None]
    assert [r["status"] for r in sim.stats["api_requests"]] == [503, 200]


def test_status_fault_429_with_http_date_and_without_retry_after(sim, base, app_token):
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    sim.add_fault("status", status=429, retry_after=when)
    status, headers, raw = get_batch(base, app_token)
    assert status == 429 and headers["Retry-After"] == when
    body = json.loads(raw)
    assert body["statusCode"] == 429
    seconds = int(re.match(r"^Rate limit is exceeded\. Try again in (\d+) seconds\.$", body["message"]).group(1))
    assert 100 <= seconds <= 121
    sim.add_fault("status", status=500, code=12345, description="boom")
    status, headers, raw = get_batch(base, app_token)
    assert "Retry-After" not in headers
    assert json.loads(raw) == {"code": 12345, "description": "boom", "data": [], "source": "PartnerFD"}


def test_delay_fault_times_out_client_then_answers_normally(make_sim):
    simulator = make_sim()
    token = get_token(simulator.url)
    simulator.add_fault("delay", seconds=0.5)
    with pytest.raises(TimeoutError):
        get_batch(simulator.url, token, timeout=0.1)
    simulator.add_fault("delay", seconds=0.15)
    started = time.monotonic()
    status, _headers, raw = get_batch(simulator.url, token, DOC_CUSTOMER, DOC_BATCH)
    assert time.monotonic() - started >= 0.15
    assert status == 200 and json.loads(raw) == DOCUMENTED_RESPONSE


def test_drop_fault_closes_without_response(sim, base, app_token):
    sim.add_fault("drop")
    with pytest.raises(ConnectionError):
        get_batch(base, app_token)
    assert get_batch(base, app_token)[0] == 200
    records = sim.stats["api_requests"]
    assert records[0]["fault"] == "drop" and records[0]["status"] is None
    assert sim.stats["polls"][CLEAN_BATCH] == 1


def test_invalid_json_fault(sim, base, app_token):
    sim.add_fault("invalid_json")
    status, headers, raw = get_batch(base, app_token)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Content-Length"]) == len(raw)
    with pytest.raises(ValueError):
        json.loads(raw)
    assert sim.stats["polls"][CLEAN_BATCH] == 0


def test_truncated_fault(sim, base, app_token):
    sim.add_fault("truncated")
    request = urllib.request.Request(batch_url(base, DEMO_CUSTOMER, CLEAN_BATCH), headers=api_headers(app_token))
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        declared = int(response.headers["Content-Length"])
        with pytest.raises(http.client.IncompleteRead) as info:
            response.read()
    assert len(info.value.partial) < declared
    assert sim.stats["polls"][CLEAN_BATCH] == 0
    assert get_batch(base, app_token)[0] == 200


def test_expire_token_fault_expires_the_token(sim, base):
    token = get_token(base)
    sim.add_fault("expire_token")
    status, headers, raw = get_batch(base, token, DOC_CUSTOMER, DOC_BATCH)
    assert_pc_error(status, headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert get_batch(base, token, DOC_CUSTOMER, DOC_BATCH)[0] == 401
    assert get_batch(base, get_token(base), DOC_CUSTOMER, DOC_BATCH)[0] == 200


def test_token_endpoint_fault(sim, base):
    sim.add_fault("status", match="token", status=503, retry_after=2)
    status, headers, raw, body = token_call(base, form=app_form())
    assert status == 503 and headers["Retry-After"] == "2"
    assert body["error"] == "temporarily_unavailable" and body["error_codes"] == [90033]
    assert_no_secret(raw)
    assert token_call(base, form=app_form())[0] == 200
    records = sim.stats["token_requests"]
    assert [(r["status"], r["fault"]) for r in records] == [(503, "status"), (200, None)]
    assert records[0]["client_id"] == CLIENT_ID
    assert sim.stats["api_requests"] == []


def test_fault_count_and_after(sim, base, app_token):
    fault = sim.add_fault("status", status=500, count=2, after=1)
    assert [get_batch(base, app_token)[0] for _i in range(4)] == [200, 500, 500, 200]
    view = [f for f in sim.faults if f["id"] == fault["id"]][0]
    assert view["seen"] == 4 and view["hits"] == 2
    sim.add_fault("status", status=502, count=-1)
    assert [get_batch(base, app_token)[0] for _i in range(3)] == [502, 502, 502]


def test_fault_regex_matches_only_its_path(sim, base, app_token):
    sim.add_fault("status", match="(?i)/batchjobstatus/%s$" % FOREVER_BATCH, status=504, count=-1)
    assert get_batch(base, app_token, batch=FOREVER_BATCH)[0] == 504
    assert get_batch(base, app_token, batch=CLEAN_BATCH)[0] == 200
    assert token_call(base, form=app_form())[0] == 200


def test_seed_faults_per_batch_and_top_level(make_sim):
    seed = seed_with(faults=[{"match": "token", "kind": "status", "status": 500, "after": 1}])
    seed["customers"][DEMO_CUSTOMER]["batches"][ERRORS_BATCH]["faults"] = [{"kind": "status", "status": 503, "count": 2}]
    simulator = make_sim(seed)
    token = get_token(simulator.url)
    assert token_call(simulator.url, form=app_form())[0] == 500
    results = [get_batch(simulator.url, token, batch=ERRORS_BATCH) for _i in range(3)]
    assert [r[0] for r in results] == [503, 503, 200]
    assert json.loads(results[2][2])["status"] == "queued"
    assert get_batch(simulator.url, token, batch=CLEAN_BATCH)[0] == 200
    simulator.reset()
    assert get_batch(simulator.url, token, batch=ERRORS_BATCH)[0] == 503


@pytest.mark.parametrize("fault, message", [
    ({"kind": "explode"}, "kind"),
    ({"kind": "status"}, "status"),
    ({"kind": "status", "status": 503, "colour": "red"}, "colour"),
    ({"kind": "delay", "seconds": -1}, "seconds"),
    ({"kind": "drop", "count": 0}, "count"),
    ({"kind": "drop", "match": "("}, "regular expression"),
])
def test_invalid_faults_are_rejected(sim, base, fault, message):
    status, _headers, raw = http_call("POST", base + "/_simulator/faults", json.dumps(fault).encode("utf-8"),
                                      {"Content-Type": "application/json"})
    assert status == 400
    assert message in json.loads(raw)["error"]
    with pytest.raises(ValueError):
        pcs.normalize_fault(fault)
    assert sim.faults == []


# ------------------------------------------------------- control endpoints
def test_control_endpoints(sim, base, app_token):
    status, _headers, raw = http_call("POST", base + "/_simulator/faults", json.dumps({"kind": "status", "status": 418}).encode("utf-8"),
                                      {"Content-Type": "application/json"})
    assert status == 201
    created = json.loads(raw)
    assert created["status"] == 418 and created["seen"] == 0 and created["id"]
    assert get_batch(base, app_token)[0] == 418
    status, _headers, raw = http_call("GET", base + "/_simulator/faults")
    assert status == 200 and json.loads(raw)[0]["hits"] == 1
    status, _headers, raw = http_call("GET", base + "/_simulator/stats")
    stats = json.loads(raw)
    assert status == 200
    assert sorted(stats) == ["api_requests", "faults", "issued_refresh_tokens", "issued_tokens", "polls", "token_requests"]
    assert [r["status"] for r in stats["api_requests"]] == [418]
    status, _headers, raw = http_call("POST", base + "/_simulator/reset", b"")
    assert status == 200 and json.loads(raw) == {"reset": True}
    assert sim.faults == [] and sim.stats["api_requests"] == []
    assert http_call("GET", base + "/_simulator/reset")[0] == 405
    assert http_call("GET", base + "/_simulator/nothing")[0] == 404
    assert sim.stats["api_requests"] == []


def test_stats_records_requests_without_authorization(sim, base, app_token):
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    get_batch(base, app_token, batch=CLEAN_BATCH, **{"MS-RequestId": request_id, "MS-CorrelationId": correlation_id, "X-Locale": "en-US"})
    record = sim.stats["api_requests"][0]
    assert record["method"] == "GET"
    assert record["path"] == "/v1/customers/%s/batchJobStatus/%s" % (DEMO_CUSTOMER, CLEAN_BATCH)
    assert record["status"] == 200
    assert record["request_id"] == request_id and record["correlation_id"] == correlation_id
    received = {name.lower(): value for name, value in record["headers"].items()}
    assert received["ms-requestid"] == request_id and received["x-locale"] == "en-US" and received["accept"] == "application/json"
    assert "authorization" not in received
    assert app_token not in json.dumps(sim.stats["api_requests"])


def test_stats_is_a_deep_copy(sim, base, app_token):
    get_batch(base, app_token)
    stats = sim.stats
    stats["api_requests"][0]["status"] = 999
    stats["polls"][CLEAN_BATCH] = 999
    stats["api_requests"].clear()
    assert sim.stats["api_requests"][0]["status"] == 200
    assert sim.stats["polls"][CLEAN_BATCH] == 1


def test_reset_restores_seed_state_and_keeps_tokens(sim, base, app_token):
    for _i in range(3):
        get_batch(base, app_token, batch=CLEAN_BATCH)
    sim.add_fault("status", status=500, count=-1, match="token")
    sim.reset()
    stats = sim.stats
    assert stats["polls"][CLEAN_BATCH] == 0
    assert stats["api_requests"] == [] and stats["token_requests"] == [] and stats["issued_tokens"] == []
    assert stats["faults"] == []
    assert json.loads(get_batch(base, app_token, batch=CLEAN_BATCH)[2])["status"] == "queued"
    assert token_call(base, form=app_form())[0] == 200


# ------------------------------------------------------------------- seeds
def test_seed_options_omit_nulls_and_named_errors(make_sim):
    seed = seed_with()
    seed["customers"][DEMO_CUSTOMER]["batches"][CLEAN_BATCH] = {
        "statuses": ["queued", "finished_with_errors"],
        "omit_null_fields": True,
        "in_progress_device_status": "processing",
        "devices": [{"serialNumber": "A1", "error": "ZtdDeviceDuplicated"}, {"serialNumber": "A2", "productKey": "K"}],
    }
    simulator = make_sim(seed)
    token = get_token(simulator.url)
    queued = json.loads(get_batch(simulator.url, token)[2])
    assert "startedTime" not in queued and "completedTime" not in queued
    assert queued["devicesStatus"][0] == {"serialNumber": "A1", "status": "processing", "attributes": {"objectType": "DeviceUploadDetails"}}
    final = json.loads(get_batch(simulator.url, token)[2])
    assert final["devicesStatus"][0]["status"] == "finished_with_errors"
    assert final["devicesStatus"][0]["errorDescription"] == "ZtdDeviceDuplicated" and "errorCode" not in final["devicesStatus"][0]
    assert final["devicesStatus"][1] == {"serialNumber": "A2", "productKey": "K", "status": "finished",
                                         "attributes": {"objectType": "DeviceUploadDetails"}}


@pytest.mark.parametrize("change", [
    lambda s: s["partner"].update(tenant_id="contoso"),
    lambda s: s["customers"][DEMO_CUSTOMER]["batches"][CLEAN_BATCH]["devices"][0].update(error="NoSuchError"),
    lambda s: s.update(throttle={"limit": 1}),
    lambda s: s["customers"][DEMO_CUSTOMER]["batches"][CLEAN_BATCH].update(faults=[{"kind": "nope"}]),
])
def test_bad_seeds_are_rejected(change):
    seed = copy.deepcopy(DEFAULT_SEED)
    change(seed)
    with pytest.raises(ValueError):
        pcs.PartnerCenterSimulator(seed)


def test_default_seed_file():
    seed = pcs.load_seed()
    assert "fake" in seed["_comment"]
    assert seed == pcs.load_seed(pcs.DEFAULT_SEED_PATH)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_non_loopback_hosts_are_refused(host):
    with pytest.raises(ValueError):
        pcs.PartnerCenterSimulator(DEFAULT_SEED, host=host)


def test_context_manager_and_stop(capfd):
    with pcs.PartnerCenterSimulator(DEFAULT_SEED, log=True) as simulator:
        url = simulator.url
        assert re.match(r"^http://127\.0\.0\.1:\d+$", url)
        assert http_call("GET", url + "/_simulator/stats")[0] == 200
    assert "GET /_simulator/stats" in capfd.readouterr().err
    assert simulator.url == url
    with pytest.raises(OSError):
        http_call("GET", url + "/_simulator/stats", timeout=2)


def test_quiet_by_default(capfd, base):
    capfd.readouterr()
    http_call("GET", base + "/_simulator/stats")
    http_call("GET", base + "/v1/nothing")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


# --------------------------------------------------------------------- CLI
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(tmp_path, stop_signal):
    url_file = tmp_path / "url"
    env = dict(os.environ)
    env.pop("PC_SIMULATOR_LOG", None)
    command = [sys.executable, os.path.join(HERE, "partner_center_simulator.py"), "--url-file", str(url_file), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True) as process:
        watchdog = threading.Timer(30, process.kill)
        watchdog.start()
        try:
            line = process.stdout.readline()
            match = re.match(r"^Partner Center simulator listening on (http://127\.0\.0\.1:\d+)$", line.rstrip("\n"))
            assert match, line
            assert url_file.read_text(encoding="utf-8") == match.group(1)
            assert token_call(match.group(1), form=app_form())[0] == 200
            process.send_signal(stop_signal)
            out, err = process.communicate(timeout=10)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0
    assert out == "" and err == ""
    assert not url_file.exists()


def test_cli_refuses_non_loopback_host():
    result = subprocess.run([sys.executable, os.path.join(HERE, "partner_center_simulator.py"), "--host", "0.0.0.0"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert result.stdout == ""
