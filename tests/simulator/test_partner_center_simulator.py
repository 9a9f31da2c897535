# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the local Partner Center simulator, over real HTTP with urllib."""

import base64
import copy
import email.utils
import hashlib
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

# The default seed's ids and credentials, and the documented example, live in tests/harness.py.
import harness  # noqa: E402  pylint: disable=wrong-import-position
import partner_center_simulator as pcs  # noqa: E402  pylint: disable=wrong-import-position

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
    assert stats["token_requests"] == [{"grant_type": "client_credentials", "client_id": harness.CLIENT_ID, "tenant": harness.TENANT_ID, "endpoint": "v1",
                                        "resource_or_scope": RESOURCE, "status": 200, "fault": None}]
    assert_no_secret(json.dumps(stats))


def test_client_credentials_v2_with_domain_tenant(base):
    form = app_form(resource=None, scope=RESOURCE + "/.default")
    status, _headers, _raw, body = token_call(base, tenant=harness.TENANT_DOMAIN, v2=True, form=form)
    assert status == 200
    assert body["expires_in"] == 3599
    assert body["token_type"] == "Bearer"
    assert body["scope"] == RESOURCE + "/.default"
    assert "refresh_token" not in body
    assert get_batch(base, body["access_token"], harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200


def test_client_secret_in_basic_auth_header(base):
    credentials = "%s:%s" % (harness.CLIENT_ID, harness.CLIENT_SECRET)
    basic = "Basic " + base64.b64encode(credentials.encode("ascii")).decode("ascii")
    status, _headers, _raw, body = token_call(base, form={"grant_type": "client_credentials", "resource": RESOURCE},
                                              headers={"Authorization": basic})
    assert status == 200, body


def test_refresh_token_grant_rotates_and_keeps_seed_token(sim, base):
    status, _headers, _raw, body = token_call(base, form=user_form())
    assert status == 200
    assert body["expires_in"] == "3599"
    new_refresh = body["refresh_token"]
    assert new_refresh not in harness.SECRETS and len(new_refresh) > 40
    assert get_batch(base, body["access_token"], harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200
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
    ("unknown client", harness.TENANT_ID, False, app_form(client_id="11111111-2222-3333-4444-555555555555"), None, 400, "unauthorized_client", 700016),
    ("wrong secret", harness.TENANT_ID, False, app_form(client_secret="sim-client-secret-WRONG-VALUE"), None, 401, "invalid_client", 7000215),
    ("missing secret", harness.TENANT_ID, False, app_form(client_secret=None), None, 401, "invalid_client", 7000218),
    ("unknown refresh token", harness.TENANT_ID, False, user_form("made-up-refresh-token-value"), None, 400, "invalid_grant", 70000),
    ("expired refresh token", harness.TENANT_ID, False, user_form(harness.REFRESH_TOKEN_EXPIRED), None, 400, "invalid_grant", 700082),
    ("refresh with wrong secret", harness.TENANT_ID, False, user_form(client_secret="nope-nope"), None, 401, "invalid_client", 7000215),
    ("wrong resource", harness.TENANT_ID, False, app_form(resource="https://graph.windows.net"), None, 400, "invalid_resource", 500011),
    ("missing resource", harness.TENANT_ID, False, app_form(resource=None), None, 400, "invalid_resource", 500011),
    ("v2 wrong scope", harness.TENANT_ID, True, app_form(resource=None, scope="https://graph.microsoft.com/.default"), None, 400,
     "invalid_resource", 500011),
    ("v2 client credentials without .default", harness.TENANT_ID, True, app_form(resource=None, scope=RESOURCE + "/user_impersonation"), None, 400,
     "invalid_scope", 1002012),
    ("unsupported grant", harness.TENANT_ID, False, app_form(grant_type="password"), None, 400, "unsupported_grant_type", 70003),
    ("json body", harness.TENANT_ID, False, None, json.dumps(app_form()).encode("utf-8"), 400, "invalid_request", 900144),
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
    raw = token_call(base, form=user_form(harness.REFRESH_TOKEN_EXPIRED))[2].decode("utf-8")
    assert "The refresh token has expired due to inactivity" in raw


def test_token_endpoint_rejects_get(base):
    status, _headers, raw = http_call("GET", base + "/%s/oauth2/token" % harness.TENANT_ID)
    assert status == 400
    assert json.loads(raw)["error_codes"] == [900561]


# --------------------------------------------------------------------- API
def test_documented_example_exactly(sim, base, app_token):
    headers = {"Authorization": "Bearer %s" % app_token, "Accept": "application/json", "MS-RequestId": DOC_REQUEST_ID,
               "MS-CorrelationId": DOC_CORRELATION_ID, "X-Locale": "en-US"}
    status, response_headers, raw = http_call("GET", batch_url(base, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, "batchjobstatus"), headers=headers)
    assert status == 200
    body = json.loads(raw)
    assert body == harness.DOCUMENTED_EXAMPLE
    assert list(body) == list(harness.DOCUMENTED_EXAMPLE)
    assert list(body["devicesStatus"][0]) == list(harness.DOCUMENTED_EXAMPLE["devicesStatus"][0])
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
    url = "%s/V1/Customers/%s/BATCHJOBSTATUS/%s" % (base, harness.EXAMPLE_CUSTOMER_ID.upper(), harness.EXAMPLE_BATCH_ID.upper())
    status, _headers, raw = http_call("GET", url.replace("/V1/", "/v1/"), headers=api_headers(app_token))
    assert status == 200
    assert json.loads(raw)["batchTrackingId"] == harness.EXAMPLE_BATCH_ID


def test_status_progression_with_device_errors(sim, base, app_token):
    seen = []
    for _poll in range(5):
        status, _headers, raw = get_batch(base, app_token, batch=harness.DEMO_BATCH_WITH_ERRORS)
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
    assert sim.stats["polls"][harness.DEMO_BATCH_WITH_ERRORS] == 5
    assert sim.stats["polls"][harness.DEMO_BATCH_CLEAN] == 0


def test_clean_batch_and_endless_batch(base, app_token):
    statuses = [json.loads(get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)[2])["status"] for _i in range(4)]
    assert statuses == ["queued", "processing", "finished", "finished"]
    final = json.loads(get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)[2])
    assert [d["status"] for d in final["devicesStatus"]] == ["finished"] * 3
    assert all(d["errorCode"] is None for d in final["devicesStatus"])
    endless = [json.loads(get_batch(base, app_token, batch=harness.DEMO_BATCH_STUCK)[2]) for _i in range(3)]
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
    status, response_headers, raw = http_call("GET", batch_url(base, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID), headers=headers)
    assert_pc_error(status, response_headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert response_headers["WWW-Authenticate"] == "Bearer"
    status, response_headers, raw = get_batch(base, "not-a-token-we-issued", harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert_pc_error(status, response_headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert response_headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    status, response_headers, raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, Authorization="Basic " + app_token)
    assert status == 401 and response_headers["WWW-Authenticate"] == "Bearer"


def test_expired_access_token_is_401(make_sim):
    simulator = make_sim(seed_with(token_lifetime_seconds=0))
    status, _headers, _raw, body = token_call(simulator.url, form=app_form())
    assert status == 200 and body["expires_in"] == "0"
    status, headers, raw = get_batch(simulator.url, body["access_token"], harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
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
    status, headers, raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, **{header: value})
    error = assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)
    assert header in error["description"]


def test_echoes_a_valid_correlation_id_with_a_new_request_id_when_missing(base, app_token):
    correlation = str(uuid.uuid4())
    status, headers, _raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID,
                                      **{"MS-RequestId": None, "MS-CorrelationId": correlation})
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
    status, headers, raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, Accept=accept)
    if expected == 406:
        assert_pc_error(status, headers, raw, 406, pcs.CODE_SIMULATOR_BASE + 406)
    else:
        assert status == 200


def test_accept_header_may_be_absent(base, app_token):
    assert get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, Accept=None)[0] == 200


@pytest.mark.parametrize("customer, batch", [("not-a-guid", harness.EXAMPLE_BATCH_ID), (harness.EXAMPLE_CUSTOMER_ID, "12345"), ("%7Bbad%7D", "x")])
def test_ids_must_be_guids(base, app_token, customer, batch):
    status, headers, raw = get_batch(base, app_token, customer, batch)
    assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)


def test_not_found(base, app_token):
    status, headers, raw = get_batch(base, app_token, "00000000-1111-2222-3333-444444444444", harness.EXAMPLE_BATCH_ID)
    assert "customer" in assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)["description"]
    status, headers, raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN)
    assert "batch" in assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)["description"]
    status, headers, raw = http_call("GET", "%s/v1/customers/%s/deviceBatches" % (base, harness.EXAMPLE_CUSTOMER_ID), headers=api_headers(app_token))
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)
    status, headers, raw = http_call("GET", base + "/")
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)


def test_customer_without_relationship_is_403(base, app_token):
    status, headers, raw = get_batch(base, app_token, harness.FOREIGN_CUSTOMER_ID, NO_RELATIONSHIP_BATCH)
    assert_pc_error(status, headers, raw, 403, pcs.CODE_NO_RELATIONSHIP)


def test_user_without_agent_role_is_403(base):
    no_role = get_token(base, user_form(harness.REFRESH_TOKEN_NO_ROLE))
    status, headers, raw = get_batch(base, no_role, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert_pc_error(status, headers, raw, 403, pcs.CODE_FORBIDDEN)
    admin = get_token(base, user_form(harness.REFRESH_TOKEN))
    assert get_batch(base, admin, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200


def test_checks_run_in_documented_order(base, app_token):
    unknown = "00000000-1111-2222-3333-444444444444"
    assert get_batch(base, "bogus", unknown, "bad", **{"MS-RequestId": None})[0] == 401
    assert get_batch(base, app_token, unknown, "bad", **{"MS-RequestId": None})[0] == 400
    assert get_batch(base, app_token, unknown, harness.EXAMPLE_BATCH_ID, Accept="text/html")[0] == 406
    assert get_batch(base, app_token, unknown, "bad")[0] == 400
    assert get_batch(base, app_token, harness.FOREIGN_CUSTOMER_ID, unknown)[0] == 403
    no_role = get_token(base, user_form(harness.REFRESH_TOKEN_NO_ROLE))
    assert get_batch(base, no_role, harness.EXAMPLE_CUSTOMER_ID, unknown)[0] == 403
    assert get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, unknown)[0] == 404


def test_method_not_allowed(base, app_token):
    status, headers, raw = http_call("POST", batch_url(base, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID), data=b"{}", headers=api_headers(app_token))
    assert_pc_error(status, headers, raw, 405, pcs.CODE_SIMULATOR_BASE + 405)
    assert headers["Allow"] == "GET"


def test_http11_keep_alive_with_content_length(base, app_token):
    connection = http.client.HTTPConnection(base[len("http://"):], timeout=5)
    try:
        path = "/v1/customers/%s/batchJobStatus/%s" % (harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
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
        results.append(get_batch(base, app_token, batch=harness.DEMO_BATCH_STUCK)[0])

    threads = [threading.Thread(target=poll) for _i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 20
    assert sim.stats["polls"][harness.DEMO_BATCH_STUCK] == 20
    assert len(sim.stats["api_requests"]) == 20


# -------------------------------------------------------------- throttling
def test_throttling_per_customer(make_sim):
    simulator = make_sim(seed_with(throttle={"limit": 2, "window_seconds": 30}))
    token = get_token(simulator.url)
    assert [get_batch(simulator.url, token, batch=harness.DEMO_BATCH_CLEAN)[0] for _i in range(2)] == [200, 200]
    status, headers, raw = get_batch(simulator.url, token, batch=harness.DEMO_BATCH_CLEAN)
    assert status == 429
    retry_after = int(headers["Retry-After"])
    assert 1 <= retry_after <= 30
    assert json.loads(raw) == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in %d seconds." % retry_after}
    assert int(headers["Content-Length"]) == len(raw)
    assert headers["MS-RequestId"]
    # another customer has its own window; throttled requests do not advance the batch
    assert get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200
    assert simulator.stats["polls"][harness.DEMO_BATCH_CLEAN] == 2
    simulator.reset()
    assert get_batch(simulator.url, token, batch=harness.DEMO_BATCH_CLEAN)[0] == 200


def test_throttle_window_rolls_over(make_sim):
    simulator = make_sim(seed_with(throttle={"limit": 1, "window_seconds": 0.4}))
    token = get_token(simulator.url)
    assert get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200
    assert get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 429
    time.sleep(0.45)
    assert get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200


# ------------------------------------------------------------------ faults
def test_status_fault_does_not_advance_progression(sim, base, app_token):
    fault = sim.add_fault("status", status=503, retry_after=7)
    assert fault["kind"] == "status" and fault["match"] == "api" and fault["count"] == 1
    status, headers, raw = get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)
    error = assert_pc_error(status, headers, raw, 503, pcs.CODE_SIMULATOR_BASE + 503)
    assert error["description"]
    assert headers["Retry-After"] == "7"
    assert sim.stats["polls"][harness.DEMO_BATCH_CLEAN] == 0
    status, _headers, raw = get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)
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
    status, _headers, raw = get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert time.monotonic() - started >= 0.15
    assert status == 200 and json.loads(raw) == harness.DOCUMENTED_EXAMPLE


def test_drop_fault_closes_without_response(sim, base, app_token):
    sim.add_fault("drop")
    with pytest.raises(ConnectionError):
        get_batch(base, app_token)
    assert get_batch(base, app_token)[0] == 200
    records = sim.stats["api_requests"]
    assert records[0]["fault"] == "drop" and records[0]["status"] is None
    assert sim.stats["polls"][harness.DEMO_BATCH_CLEAN] == 1


def test_invalid_json_fault(sim, base, app_token):
    sim.add_fault("invalid_json")
    status, headers, raw = get_batch(base, app_token)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Content-Length"]) == len(raw)
    with pytest.raises(ValueError):
        json.loads(raw)
    assert sim.stats["polls"][harness.DEMO_BATCH_CLEAN] == 0


def test_truncated_fault(sim, base, app_token):
    sim.add_fault("truncated")
    request = urllib.request.Request(batch_url(base, harness.DEMO_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN), headers=api_headers(app_token))
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        declared = int(response.headers["Content-Length"])
        with pytest.raises(http.client.IncompleteRead) as info:
            response.read()
    assert len(info.value.partial) < declared
    assert sim.stats["polls"][harness.DEMO_BATCH_CLEAN] == 0
    assert get_batch(base, app_token)[0] == 200


def test_expire_token_fault_expires_the_token(sim, base):
    token = get_token(base)
    sim.add_fault("expire_token")
    status, headers, raw = get_batch(base, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert_pc_error(status, headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert get_batch(base, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 401
    assert get_batch(base, get_token(base), harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200


def test_token_endpoint_fault(sim, base):
    sim.add_fault("status", match="token", status=503, retry_after=2)
    status, headers, raw, body = token_call(base, form=app_form())
    assert status == 503 and headers["Retry-After"] == "2"
    assert body["error"] == "temporarily_unavailable" and body["error_codes"] == [90033]
    assert_no_secret(raw)
    assert token_call(base, form=app_form())[0] == 200
    records = sim.stats["token_requests"]
    assert [(r["status"], r["fault"]) for r in records] == [(503, "status"), (200, None)]
    assert records[0]["client_id"] == harness.CLIENT_ID
    assert sim.stats["api_requests"] == []


def test_fault_count_and_after(sim, base, app_token):
    fault = sim.add_fault("status", status=500, count=2, after=1)
    assert [get_batch(base, app_token)[0] for _i in range(4)] == [200, 500, 500, 200]
    view = [f for f in sim.faults if f["id"] == fault["id"]][0]
    assert view["seen"] == 4 and view["hits"] == 2
    sim.add_fault("status", status=502, count=-1)
    assert [get_batch(base, app_token)[0] for _i in range(3)] == [502, 502, 502]


def test_fault_regex_matches_only_its_path(sim, base, app_token):
    sim.add_fault("status", match="(?i)/batchjobstatus/%s$" % harness.DEMO_BATCH_STUCK, status=504, count=-1)
    assert get_batch(base, app_token, batch=harness.DEMO_BATCH_STUCK)[0] == 504
    assert get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)[0] == 200
    assert token_call(base, form=app_form())[0] == 200


def test_seed_faults_per_batch_and_top_level(make_sim):
    seed = seed_with(faults=[{"match": "token", "kind": "status", "status": 500, "after": 1}])
    seed["customers"][harness.DEMO_CUSTOMER_ID]["batches"][harness.DEMO_BATCH_WITH_ERRORS]["faults"] = [{"kind": "status", "status": 503, "count": 2}]
    simulator = make_sim(seed)
    token = get_token(simulator.url)
    assert token_call(simulator.url, form=app_form())[0] == 500
    results = [get_batch(simulator.url, token, batch=harness.DEMO_BATCH_WITH_ERRORS) for _i in range(3)]
    assert [r[0] for r in results] == [503, 503, 200]
    assert json.loads(results[2][2])["status"] == "queued"
    assert get_batch(simulator.url, token, batch=harness.DEMO_BATCH_CLEAN)[0] == 200
    simulator.reset()
    assert get_batch(simulator.url, token, batch=harness.DEMO_BATCH_WITH_ERRORS)[0] == 503


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
    get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN, **{"MS-RequestId": request_id, "MS-CorrelationId": correlation_id, "X-Locale": "en-US"})
    record = sim.stats["api_requests"][0]
    assert record["method"] == "GET"
    assert record["path"] == "/v1/customers/%s/batchJobStatus/%s" % (harness.DEMO_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN)
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
    stats["polls"][harness.DEMO_BATCH_CLEAN] = 999
    stats["api_requests"].clear()
    assert sim.stats["api_requests"][0]["status"] == 200
    assert sim.stats["polls"][harness.DEMO_BATCH_CLEAN] == 1


def test_reset_restores_seed_state_and_keeps_tokens(sim, base, app_token):
    for _i in range(3):
        get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)
    sim.add_fault("status", status=500, count=-1, match="token")
    sim.reset()
    stats = sim.stats
    assert stats["polls"][harness.DEMO_BATCH_CLEAN] == 0
    assert stats["api_requests"] == [] and stats["token_requests"] == [] and stats["issued_tokens"] == []
    assert stats["faults"] == []
    assert json.loads(get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)[2])["status"] == "queued"
    assert token_call(base, form=app_form())[0] == 200


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


@pytest.fixture(scope="module")
def user_token(base):
    return get_token(base, user_form())


def test_create_device_batch_answers_202_with_location(sim, base, user_token):
    request_id = str(uuid.uuid4())
    status, headers, raw = create_batch(base, user_token, "new-batch", [hashed_device("NB-1"), hashed_device("NB-2")],
                                        **{"MS-RequestId": request_id})
    tracking_id = accepted_tracking_id(status, headers, raw)
    assert "Content-Type" not in headers
    assert headers["MS-RequestId"] == request_id and headers["MS-CV"] and headers["MS-ServerId"]
    assert tracking_id not in SEEDED_TRACKING_IDS
    stats = sim.stats
    assert stats["polls"][tracking_id] == 0
    record = stats["api_requests"][-1]
    assert (record["method"], record["status"], record["request_id"]) == ("POST", 202, request_id)
    assert (record["batch_id"], record["device_count"], record["tracking_id"], record["idempotent_replay"]) == ("new-batch", 2, tracking_id, False)
    assert user_token not in json.dumps(stats["api_requests"])
    assert_no_secret(json.dumps(stats["api_requests"]))
    item = list_batches(base, user_token)["new-batch"]
    assert item["createdBy"] == "admin@contoso-partner.onmicrosoft.com" and item["devicesCount"] == 2
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", item["creationDate"])
    # a second tracking id for a second upload, and path segment names in any case
    status, headers, raw = post_json("%s/v1/Customers/%s/DEVICEBATCHES/New-Batch/Devices" % (base, harness.DEMO_CUSTOMER_ID.upper()), user_token,
                                     [hashed_device("NB-3")])
    assert accepted_tracking_id(status, headers, raw) != tracking_id
    assert list_batches(base, user_token)["new-batch"]["devicesCount"] == 3


def test_upload_status_progresses_like_a_seeded_batch(base, user_token):
    tracking_id = accepted_tracking_id(*create_batch(base, user_token, "progress", [hashed_device("PG-1", productKey="PK-PG-1")]))
    bodies = poll_to_final(base, user_token, tracking_id, polls=4)
    queued, processing, final, again = bodies[0], bodies[1], bodies[2], bodies[3]
    assert [b["status"] for b in (queued, processing, final, again)] == ["queued", "processing", "finished", "finished"]
    assert queued["batchTrackingId"] == tracking_id
    assert queued["startedTime"] is None and queued["completedTime"] is None
    assert processing["startedTime"] and processing["completedTime"] is None
    assert final["startedTime"] == processing["startedTime"] and final["completedTime"]
    assert final["attributes"] == {"objectType": "BatchUploadDetails"}
    assert queued["devicesStatus"] == [{"deviceId": None, "serialNumber": "PG-1", "productKey": "PK-PG-1", "status": "in-progress",
                                        "errorCode": None, "errorDescription": None, "attributes": {"objectType": "DeviceUploadDetails"}}]
    [device] = final["devicesStatus"]
    assert list(device) == ["deviceId", "serialNumber", "productKey", "status", "errorCode", "errorDescription", "attributes"]
    assert GUID.match(device["deviceId"]) and device["status"] == "finished" and device["errorCode"] is None
    assert again == final


def test_device_outcomes_are_decided_at_upload(base, user_token):
    devices = [
        hashed_device("OK-1"),
        hashed_device("DUP-1"),
        hashed_device("DUP-2", hardwareHash=fake_hash("DUP-1")),
        {"hardwareHash": ELSEWHERE_HASH, "serialNumber": "ELSE-HASH"},
        {"serialNumber": ELSEWHERE_SERIAL.lower(), "oemManufacturerName": "Contoso", "modelName": "Laptop 7"},
        {"serialNumber": REGISTERED_SERIAL, "oemManufacturerName": "Contoso", "modelName": "Laptop 7"},
        {"hardwareHash": EXISTING_BATCH_HASH, "serialNumber": "SAME-HASH-AS-EB1-0001"},
        {"hardwareHash": "not base64 at all!", "serialNumber": "BAD-HASH-1"},
        {"hardwareHash": "DummyHash123", "serialNumber": "BAD-HASH-2"},
        {"productKey": "PK-ONLY-0001"},
    ]
    tracking_id = accepted_tracking_id(*create_batch(base, user_token, "outcomes", devices))
    final = poll_to_final(base, user_token, tracking_id)[-1]
    assert final["status"] == "finished"  # as documented: finished, even with failed devices
    assert outcomes(final) == [
        ("OK-1", "finished", None, None),
        ("DUP-1", "finished", None, None),
        ("DUP-2", "finished_with_errors", None, "ZtdDeviceDuplicated"),
        ("ELSE-HASH", "finished_with_errors", "808", "ZtdDeviceAssignedToOtherTenant"),
        (ELSEWHERE_SERIAL.lower(), "finished_with_errors", "808", "ZtdDeviceAssignedToOtherTenant"),
        (REGISTERED_SERIAL, "finished_with_errors", "806", "ZtdDeviceAlreadyAssigned"),
        ("SAME-HASH-AS-EB1-0001", "finished_with_errors", "806", "ZtdDeviceAlreadyAssigned"),
        ("BAD-HASH-1", "finished_with_errors", None, "InvalidZtdHardwareHash"),
        ("BAD-HASH-2", "finished_with_errors", None, "InvalidZtdHardwareHash"),
        (None, "finished", None, None),
    ]
    assert len({d["deviceId"] for d in final["devicesStatus"]}) == len(devices)
    assert all(GUID.match(d["deviceId"]) for d in final["devicesStatus"])
    # only the devices that were registered are listed in the batch
    status, _headers, raw = http_call("GET", devices_url(base, "outcomes"), headers=api_headers(user_token))
    listed = json.loads(raw)
    assert status == 200 and listed["totalCount"] == 3
    assert [(d["serialNumber"], d["productKey"]) for d in listed["items"]] == [("OK-1", None), ("DUP-1", None), (None, "PK-ONLY-0001")]
    assert listed["items"][0]["hardwareHash"] == fake_hash("OK-1")


def test_earlier_uploads_register_their_devices(sim, base, user_token):
    accepted_tracking_id(*create_batch(base, user_token, "first", [hashed_device("REUSED-1")]))
    # again for this customer (another batch): 806; for another customer: 808
    tracking_id = accepted_tracking_id(*create_batch(base, user_token, "second", [hashed_device("REUSED-1")]))
    assert outcomes(poll_to_final(base, user_token, tracking_id)[-1]) == [("REUSED-1", "finished_with_errors", "806",
                                                                          "ZtdDeviceAlreadyAssigned")]
    tracking_id = accepted_tracking_id(*create_batch(base, user_token, "elsewhere", [hashed_device("REUSED-1")], customer=harness.EXAMPLE_CUSTOMER_ID),
                                       customer=harness.EXAMPLE_CUSTOMER_ID)
    final = poll_to_final(base, user_token, tracking_id, customer=harness.EXAMPLE_CUSTOMER_ID)[-1]
    assert outcomes(final) == [("REUSED-1", "finished_with_errors", "808", "ZtdDeviceAssignedToOtherTenant")]
    assert list_batches(base, user_token)["second"]["devicesCount"] == 0
    sim.reset()
    assert sorted(list_batches(base, user_token)) == [EXISTING_DEVICE_BATCH, PAGED_DEVICE_BATCH]
    assert get_batch(base, user_token, batch=tracking_id)[0] == 404
    tracking_id = accepted_tracking_id(*create_batch(base, user_token, "first", [hashed_device("REUSED-1")]))
    assert outcomes(poll_to_final(base, user_token, tracking_id)[-1]) == [("REUSED-1", "finished", None, None)]


def test_creating_an_existing_batch_is_409(base, user_token):
    for name in (EXISTING_DEVICE_BATCH, EXISTING_DEVICE_BATCH.upper()):
        status, headers, raw = create_batch(base, user_token, name, [hashed_device("C-1")])
        assert EXISTING_DEVICE_BATCH in assert_pc_error(status, headers, raw, 409, pcs.CODE_CONFLICT)["description"]
    accepted_tracking_id(*create_batch(base, user_token, "twice", [hashed_device("C-2")]))
    status, headers, raw = create_batch(base, user_token, "twice", [hashed_device("C-3")])
    assert_pc_error(status, headers, raw, 409, pcs.CODE_CONFLICT)
    assert list_batches(base, user_token)["twice"]["devicesCount"] == 1


def test_add_devices_to_an_existing_batch(sim, base, user_token):
    status, headers, raw = post_json(devices_url(base, EXISTING_DEVICE_BATCH), user_token, [hashed_device("ADD-1"), hashed_device("ADD-2")])
    tracking_id = accepted_tracking_id(status, headers, raw)
    assert sim.stats["api_requests"][-1]["batch_id"] == EXISTING_DEVICE_BATCH
    assert sim.stats["api_requests"][-1]["device_count"] == 2
    final = poll_to_final(base, user_token, tracking_id)[-1]
    assert outcomes(final) == [("ADD-1", "finished", None, None), ("ADD-2", "finished", None, None)]
    assert list_batches(base, user_token)[EXISTING_DEVICE_BATCH]["devicesCount"] == 5
    listed = json.loads(http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH), headers=api_headers(user_token))[2])
    assert [d["serialNumber"] for d in listed["items"]] == ["EB1-0001", "EB1-0002", "EB1-0003", "ADD-1", "ADD-2"]
    assert [d["id"] for d in listed["items"][3:]] == [d["deviceId"] for d in final["devicesStatus"]]


def test_add_devices_to_an_unknown_batch_is_404(sim, base, user_token):
    status, headers, raw = post_json(devices_url(base, "no-such-batch"), user_token, [hashed_device("U-1")])
    assert "no-such-batch" in assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)["description"]
    status, headers, raw = http_call("GET", devices_url(base, "no-such-batch"), headers=api_headers(user_token))
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)
    assert "no-such-batch" not in list_batches(base, user_token)
    assert sim.stats["api_requests"][0]["tracking_id"] is None


def test_upload_with_an_app_only_token_is_403(sim, base, app_token, make_sim):
    status, headers, raw = create_batch(base, app_token, "app-only", [hashed_device("AO-1")])
    assert "app+user" in assert_pc_error(status, headers, raw, 403, pcs.CODE_APP_USER_REQUIRED)["description"]
    status, headers, raw = post_json(devices_url(base, EXISTING_DEVICE_BATCH), app_token, [hashed_device("AO-2")])
    assert_pc_error(status, headers, raw, 403, pcs.CODE_APP_USER_REQUIRED)
    assert sorted(list_batches(base, app_token)) == [EXISTING_DEVICE_BATCH, PAGED_DEVICE_BATCH]  # GET works app-only
    assert http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH), headers=api_headers(app_token))[0] == 200
    assert set(sim.stats["polls"]) == SEEDED_TRACKING_IDS  # no upload was made
    # the seed switch: false lets app-only upload, "create" refuses it only for a new batch
    relaxed = make_sim(seed_with(upload_requires_app_user=False))
    token = get_token(relaxed.url)
    accepted_tracking_id(*create_batch(relaxed.url, token, "app-only", [hashed_device("AO-1")]))
    assert list_batches(relaxed.url, token)["app-only"]["createdBy"] == harness.CLIENT_ID
    create_only = make_sim(seed_with(upload_requires_app_user="create"))
    token = get_token(create_only.url)
    assert create_batch(create_only.url, token, "app-only", [hashed_device("AO-1")])[0] == 403
    accepted_tracking_id(*post_json(devices_url(create_only.url, EXISTING_DEVICE_BATCH), token, [hashed_device("AO-2")]))


@pytest.mark.parametrize("route, body, message", [
    ("create", b"{not json", "JSON"),
    ("create", [hashed_device("M-1")], "object"),
    ("create", {"devices": [hashed_device("M-1")]}, "batchId"),
    ("create", {"batchId": "  ", "devices": [hashed_device("M-1")]}, "batchId"),
    ("create", {"batchId": 7, "devices": [hashed_device("M-1")]}, "batchId"),
    ("create", {"batchId": "m"}, "devices"),
    ("create", {"batchId": "m", "devices": []}, "devices"),
    ("create", {"batchId": "m", "devices": {"serialNumber": "M-1"}}, "devices"),
    ("create", {"batchId": "m", "devices": ["M-1"]}, "device 0"),
    ("create", {"batchId": "m", "devices": [hashed_device("M-1"), {"serialNumber": "M-2"}]}, "device 1"),
    ("create", {"batchId": "m", "devices": [{"serialNumber": "M-2", "oemManufacturerName": "Contoso"}]}, "identifiers"),
    ("create", {"batchId": "m", "devices": [{"serialNumber": "M-2", "productKey": "   ", "modelName": "x"}]}, "identifiers"),
    ("create", {"batchId": "m", "devices": [{"hardwareHash": 12345}]}, "hardwareHash"),
    ("add", {"devices": [hashed_device("M-1")]}, "list"),
    ("add", [], "devices"),
    ("add", b"", "JSON"),
])
def test_malformed_upload_bodies_are_400(base, user_token, route, body, message):
    url = batches_url(base) if route == "create" else devices_url(base, EXISTING_DEVICE_BATCH)
    status, headers, raw = post_json(url, user_token, body)
    assert message in assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)["description"]
    assert list_batches(base, user_token)[EXISTING_DEVICE_BATCH]["devicesCount"] == 3
    assert "m" not in list_batches(base, user_token)


def test_upload_body_must_be_declared_json_and_keys_may_be_pascal_case(base, user_token):
    body = {"batchId": "typed", "devices": [hashed_device("T-1")]}
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        status, headers, raw = post_json(batches_url(base), user_token, body, **{"Content-Type": content_type})
        assert_pc_error(status, headers, raw, 415, pcs.CODE_UNSUPPORTED_MEDIA)
    device = {"HardwareHash": fake_hash("P-1"), "SerialNumber": "P-1", "Policies": [], "Attributes": {"ObjectType": "Device"}}
    body = {"BatchId": "Pascal", "Devices": [device]}
    tracking_id = accepted_tracking_id(*post_json(batches_url(base), user_token, body, **{"Content-Type": "application/json; charset=utf-8"}))
    assert outcomes(poll_to_final(base, user_token, tracking_id)[-1]) == [("P-1", "finished", None, None)]
    assert list_batches(base, user_token)["Pascal"]["devicesCount"] == 1


def test_list_device_batches(base, app_token, make_sim):
    status, headers, raw = http_call("GET", batches_url(base), headers=api_headers(app_token))
    assert status == 200 and int(headers["Content-Length"]) == len(raw)
    body = json.loads(raw)
    assert list(body) == ["totalCount", "items", "attributes"]
    assert body["totalCount"] == 2 and body["attributes"] == {"objectType": "Collection"}
    assert body["items"][0] == {
        "id": EXISTING_DEVICE_BATCH,
        "createdBy": "admin@contoso-partner.onmicrosoft.com",
        "creationDate": "2025-02-03T10:15:00Z",
        "devicesCount": 3,
        "devicesLink": {"uri": "/customers/%s/deviceBatches/existing-batch-1/devices" % harness.DEMO_CUSTOMER_ID, "method": "GET", "headers": []},
        "attributes": {"objectType": "DeviceBatch"},
    }
    assert (body["items"][1]["id"], body["items"][1]["devicesCount"]) == (PAGED_DEVICE_BATCH, 250)
    # a customer without any device batch: 404 by default, an empty collection when the seed says 200
    status, headers, raw = http_call("GET", batches_url(base, harness.EXAMPLE_CUSTOMER_ID), headers=api_headers(app_token))
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)
    simulator = make_sim(seed_with(empty_device_batch_list_status=200))
    status, _headers, raw = http_call("GET", batches_url(simulator.url, harness.EXAMPLE_CUSTOMER_ID), headers=api_headers(get_token(simulator.url)))
    assert status == 200 and json.loads(raw) == {"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}}


def test_devices_are_paged_with_a_continuation_token(sim, base, app_token):
    url = devices_url(base, PAGED_DEVICE_BATCH)
    pages, token = [], None
    for _page in range(3):
        status, _headers, raw = http_call("GET", url, headers=api_headers(app_token, **{"MS-ContinuationToken": token}))
        assert status == 200, raw
        page = json.loads(raw)
        pages.append(page)
        token = page.get("continuationToken")
    assert [len(p["items"]) for p in pages] == [100, 100, 50]
    assert all(p["totalCount"] == 250 and p["attributes"] == {"objectType": "Collection"} for p in pages)
    for page in pages[:2]:
        assert page["links"]["next"] == {"uri": "/customers/%s/deviceBatches/%s/devices" % (harness.DEMO_CUSTOMER_ID, PAGED_DEVICE_BATCH), "method": "GET",
                                         "headers": [{"key": "MS-ContinuationToken", "value": page["continuationToken"]}]}
    assert "next" not in pages[2]["links"] and "continuationToken" not in pages[2]
    items = [item for page in pages for item in page["items"]]
    assert [d["serialNumber"] for d in items] == ["EB2-%06d" % n for n in range(1, 251)]
    assert len({d["id"] for d in items}) == 250 and all(GUID.match(d["id"]) for d in items)
    assert items[0] == {
        "id": items[0]["id"], "serialNumber": "EB2-000001", "productKey": None, "hardwareHash": items[0]["hardwareHash"],
        "modelName": "Surface Laptop 5", "oemManufacturerName": "Microsoft Corporation", "policies": [], "uploadedDate": "2025-02-17T16:40:00Z",
        "allowedOperations": ["PATCH", "DELETE"], "attributes": {"objectType": "Device"},
    }
    assert len(base64.b64decode(items[0]["hardwareHash"], validate=True)) >= 32
    # the same token again gives the same page; every request went to the same URL
    status, _headers, raw = http_call("GET", url, headers=api_headers(app_token, **{"MS-ContinuationToken": pages[0]["continuationToken"]}))
    assert json.loads(raw)["items"] == pages[1]["items"]
    assert {r["path"] for r in sim.stats["api_requests"]} == {url[len(base):]}


def test_unknown_continuation_token_is_400(base, app_token):
    url = devices_url(base, PAGED_DEVICE_BATCH)
    status, headers, raw = http_call("GET", url, headers=api_headers(app_token, **{"MS-ContinuationToken": "bm90LWEtdG9rZW4"}))
    assert "continuation" in assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)["description"]
    token = json.loads(http_call("GET", url, headers=api_headers(app_token))[2])["continuationToken"]
    status, headers, raw = http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH),
                                     headers=api_headers(app_token, **{"MS-ContinuationToken": token}))
    assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)


def test_retried_upload_with_the_same_request_id_is_replayed(sim, base, user_token):
    request_id = str(uuid.uuid4())
    devices = [hashed_device("IDEM-1")]
    first = create_batch(base, user_token, "idempotent", devices, **{"MS-RequestId": request_id})
    again = create_batch(base, user_token, "idempotent", devices, **{"MS-RequestId": request_id.upper()})
    tracking_id = accepted_tracking_id(*first)
    assert accepted_tracking_id(*again) == tracking_id and again[1]["Location"] == first[1]["Location"]
    records = sim.stats["api_requests"]
    assert [(r["status"], r["idempotent_replay"], r["tracking_id"]) for r in records] == [(202, False, tracking_id), (202, True, tracking_id)]
    assert set(sim.stats["polls"]) - SEEDED_TRACKING_IDS == {tracking_id}
    assert list_batches(base, user_token)["idempotent"]["devicesCount"] == 1
    # a new MS-RequestId is a new request: the batch exists now
    assert create_batch(base, user_token, "idempotent", devices)[0] == 409
    # adding devices: replayed too
    request_id = str(uuid.uuid4())
    added = [post_json(devices_url(base, "idempotent"), user_token, [hashed_device("IDEM-2")], **{"MS-RequestId": request_id})
             for _attempt in range(2)]
    assert added[0][1]["Location"] == added[1][1]["Location"]
    assert list_batches(base, user_token)["idempotent"]["devicesCount"] == 2


def test_upload_retried_after_a_client_timeout_is_replayed(sim, base, user_token):
    request_id = str(uuid.uuid4())
    sim.add_fault("delay", seconds=0.3)
    data = json.dumps({"batchId": "slow", "devices": [hashed_device("SLOW-1")]}).encode("utf-8")
    with pytest.raises(TimeoutError):
        http_call("POST", batches_url(base), data, api_headers(user_token, **{"MS-RequestId": request_id, "Content-Type": "application/json"}),
                  timeout=0.1)
    deadline = time.monotonic() + 5
    while not sim.stats["api_requests"] and time.monotonic() < deadline:
        time.sleep(0.02)
    [slow] = sim.stats["api_requests"]
    assert (slow["status"], slow["fault"], slow["idempotent_replay"]) == (202, "delay", False)
    status, headers, raw = create_batch(base, user_token, "slow", [hashed_device("SLOW-1")], **{"MS-RequestId": request_id})
    assert accepted_tracking_id(status, headers, raw) == slow["tracking_id"]
    assert sim.stats["api_requests"][-1]["idempotent_replay"] is True
    assert list_batches(base, user_token)["slow"]["devicesCount"] == 1


def test_device_batch_endpoints_go_through_the_common_checks(sim, base, user_token):
    unknown = "00000000-1111-2222-3333-444444444444"
    body = {"batchId": "checks", "devices": [hashed_device("CH-1")]}
    status, headers, raw = create_batch(base, "bogus", "checks", body["devices"])
    assert_pc_error(status, headers, raw, 401, pcs.CODE_ACCESS_DENIED)
    assert create_batch(base, user_token, "checks", body["devices"], **{"MS-CorrelationId": None})[0] == 400
    assert create_batch(base, user_token, "checks", body["devices"], Accept="text/html")[0] == 406
    status, headers, raw = post_json(batches_url(base, "not-a-guid"), user_token, body)
    assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)
    assert post_json(batches_url(base, unknown), user_token, body)[0] == 404
    assert http_call("GET", batches_url(base, unknown), headers=api_headers(user_token))[0] == 404
    status, headers, raw = post_json(batches_url(base, harness.FOREIGN_CUSTOMER_ID), user_token, body)
    assert_pc_error(status, headers, raw, 403, pcs.CODE_NO_RELATIONSHIP)
    no_role = get_token(base, user_form(harness.REFRESH_TOKEN_NO_ROLE))
    status, headers, raw = create_batch(base, no_role, "checks", body["devices"])
    assert_pc_error(status, headers, raw, 403, pcs.CODE_FORBIDDEN)
    assert http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH), headers=api_headers(no_role))[0] == 403
    for url in (batches_url(base), devices_url(base, EXISTING_DEVICE_BATCH)):
        status, headers, raw = http_call("PUT", url, b"{}", api_headers(user_token, **{"Content-Type": "application/json"}))
        assert_pc_error(status, headers, raw, 405, pcs.CODE_SIMULATOR_BASE + 405)
        assert headers["Allow"] == "GET, POST"
    status, headers, raw = http_call("GET", batches_url(base) + "/" + EXISTING_DEVICE_BATCH, headers=api_headers(user_token))
    assert_pc_error(status, headers, raw, 404, pcs.CODE_NOT_FOUND)
    assert http_call("GET", "%s/v1/CUSTOMERS/%s/DeviceBatches/EXISTING-BATCH-1/DEVICES" % (base, harness.DEMO_CUSTOMER_ID),
                     headers=api_headers(user_token))[0] == 200
    # faults match 'api' (and regular expressions) for the new endpoints; a faulted upload creates nothing
    sim.add_fault("status", status=503, retry_after=1)
    sim.add_fault("status", match="(?i)/devicebatches$", status=500, after=1)
    status, headers, raw = create_batch(base, user_token, "checks", body["devices"])
    assert_pc_error(status, headers, raw, 503, pcs.CODE_SIMULATOR_BASE + 503)
    assert create_batch(base, user_token, "checks", body["devices"])[0] == 500
    record = sim.stats["api_requests"][-1]
    assert (record["fault"], record["batch_id"], record["device_count"], record["tracking_id"]) == ("status", "checks", 1, None)
    assert "checks" not in list_batches(base, user_token)
    assert_no_secret(json.dumps(sim.stats["api_requests"]))


def test_device_batch_endpoints_are_throttled(make_sim):
    simulator = make_sim(seed_with(throttle={"limit": 2, "window_seconds": 30}))
    token = get_token(simulator.url, user_form())
    assert accepted_tracking_id(*create_batch(simulator.url, token, "t", [hashed_device("TH-1")]))
    assert http_call("GET", batches_url(simulator.url), headers=api_headers(token))[0] == 200
    status, headers, raw = create_batch(simulator.url, token, "t2", [hashed_device("TH-2")])
    assert status == 429 and int(headers["Retry-After"]) >= 1 and json.loads(raw)["statusCode"] == 429
    assert http_call("GET", devices_url(simulator.url, "t"), headers=api_headers(token))[0] == 429
    simulator.reset()
    assert sorted(list_batches(simulator.url, token)) == [EXISTING_DEVICE_BATCH, PAGED_DEVICE_BATCH]


def test_upload_seed_options(make_sim):
    seed = seed_with(upload_statuses=["processing", "finished"], upload_error_status="finished_with_errors", device_page_size=2)
    seed["customers"][harness.EXAMPLE_CUSTOMER_ID]["upload_statuses"] = ["finished"]
    seed["customers"][harness.EXAMPLE_CUSTOMER_ID]["registered_devices"] = [{"productKey": "PK-DOC-1"}]
    simulator = make_sim(seed)
    token = get_token(simulator.url, user_form())
    clean = accepted_tracking_id(*create_batch(simulator.url, token, "clean", [hashed_device("S-1")]))
    failed = accepted_tracking_id(*create_batch(simulator.url, token, "failed", [hashed_device("S-2"), {"productKey": "PK-DOC-1"}]))
    assert [b["status"] for b in poll_to_final(simulator.url, token, clean)] == ["processing", "finished", "finished"]
    assert [b["status"] for b in poll_to_final(simulator.url, token, failed)] == ["processing", "finished_with_errors", "finished_with_errors"]
    doc = accepted_tracking_id(*create_batch(simulator.url, token, "doc", [{"productKey": "PK-DOC-1"}], customer=harness.EXAMPLE_CUSTOMER_ID),
                               customer=harness.EXAMPLE_CUSTOMER_ID)
    final = poll_to_final(simulator.url, token, doc, customer=harness.EXAMPLE_CUSTOMER_ID, polls=1)[0]
    assert final["status"] == "finished_with_errors"  # on the first poll: this customer's own upload_statuses
    assert outcomes(final) == [(None, "finished_with_errors", "806", "ZtdDeviceAlreadyAssigned")]
    page = json.loads(http_call("GET", devices_url(simulator.url, EXISTING_DEVICE_BATCH), headers=api_headers(token))[2])
    assert len(page["items"]) == 2 and page["continuationToken"]


@pytest.mark.parametrize("change", [
    lambda s: s.update(upload_requires_app_user="yes"),
    lambda s: s.update(upload_requires_app_user=1),
    lambda s: s.update(upload_error_status=""),
    lambda s: s.update(upload_statuses=[]),
    lambda s: s.update(device_page_size=0),
    lambda s: s.update(empty_device_batch_list_status=204),
    lambda s: s.update(registered_elsewhere=[{"imei": "123"}]),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["device_batches"]["existing-batch-1"]["devices"].append({"serialNumber": "ONLY"}),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["device_batches"].update({"EXISTING-BATCH-1": {}}),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["device_batches"]["existing-batch-2"].update(generate_devices=-1),
])
def test_bad_upload_seeds_are_rejected(change):
    seed = copy.deepcopy(DEFAULT_SEED)
    change(seed)
    with pytest.raises(ValueError):
        pcs.PartnerCenterSimulator(seed)


# ------------------------------------------------------------------- seeds
def test_seed_options_omit_nulls_and_named_errors(make_sim):
    seed = seed_with()
    seed["customers"][harness.DEMO_CUSTOMER_ID]["batches"][harness.DEMO_BATCH_CLEAN] = {
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
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["batches"][harness.DEMO_BATCH_CLEAN]["devices"][0].update(error="NoSuchError"),
    lambda s: s.update(throttle={"limit": 1}),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["batches"][harness.DEMO_BATCH_CLEAN].update(faults=[{"kind": "nope"}]),
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


# ------------------------------------------- forms of the real service (issue 11)
@pytest.mark.parametrize("form, where", [
    ({"status": 200, "location": "relative"}, "location"),
    ({"status": 202, "location": "v1"}, "location"),
    ({"status": 201, "location": "absolute"}, "location"),
    ({"status": 200, "location": "body"}, "body"),
    ({"status": 202, "location": "body_tracking_id"}, "body"),
    ({"status": 202, "location": "none"}, None),
])
def test_upload_response_forms(make_sim, form, where):
    seed = seed_with(upload_response=form)
    simulator = make_sim(seed)
    token = get_token(simulator.url, user_form())
    status, headers, raw = create_batch(simulator.url, token, "forms", [hashed_device("UF-1")])
    tracking_id = simulator.stats["api_requests"][-1]["tracking_id"]
    assert status == form["status"] and GUID.match(tracking_id)
    relative = "/customers/%s/batchJobStatus/%s" % (harness.DEMO_CUSTOMER_ID, tracking_id)
    if where == "location":
        assert headers["Location"] in (relative, "/v1" + relative, simulator.url + "/v1" + relative)
        assert headers["Location"].endswith(tracking_id)
    else:
        assert "Location" not in headers
    if where == "body":
        assert tracking_id in raw.decode("utf-8")


def test_upload_status_can_omit_device_identifiers(make_sim):
    simulator = make_sim(seed_with(upload_status_omits_identifiers=True))
    token = get_token(simulator.url, user_form())
    status, _headers, _raw = create_batch(simulator.url, token, "anon", [hashed_device("AN-1"), hashed_device("AN-2")])
    tracking_id = simulator.stats["api_requests"][-1]["tracking_id"]
    assert status == 202
    final = poll_to_final(simulator.url, token, tracking_id, polls=3)[-1]
    assert [(d["deviceId"], d["serialNumber"], d["productKey"], d["status"]) for d in final["devicesStatus"]] == [
        (None, None, None, "finished"), (None, None, None, "finished")]


def test_device_paging_through_links_next_with_a_query(make_sim):
    simulator = make_sim(seed_with(device_paging="next_link_query"))
    token = get_token(simulator.url)
    url = devices_url(simulator.url, "existing-batch-2")
    page = json.loads(http_call("GET", url, headers=api_headers(token))[2])
    assert "continuationToken" not in page
    following = page["links"]["next"]
    assert following["uri"].startswith("/v1/customers/") and following["uri"].endswith("?seekOperation=Next")
    token_header = dict((h["key"], h["value"]) for h in following["headers"])
    status, _headers, raw = http_call("GET", simulator.url + following["uri"], headers=api_headers(token, **token_header))
    assert status == 200 and len(json.loads(raw)["items"]) == 100
    # without the query, as a client that drops it would send: refused
    status, headers, raw = http_call("GET", url, headers=api_headers(token, **token_header))
    assert_pc_error(status, headers, raw, 400, pcs.CODE_INVALID_INPUT)


def test_status_fault_with_error_data(sim, base, app_token):
    sim.add_fault("status", match="batchJobStatus", status=400, code=600, description="Invalid input", data=["field: batchId", "x"])
    status, _headers, raw = get_batch(base, app_token)
    body = json.loads(raw)
    assert status == 400 and body["data"] == ["field: batchId", "x"] and body["code"] == 600


@pytest.mark.parametrize("change", [
    lambda s: s.update(upload_response={"status": 204}),
    lambda s: s.update(upload_response={"location": "elsewhere"}),
    lambda s: s.update(upload_response="202"),
    lambda s: s.update(upload_status_omits_identifiers="yes"),
    lambda s: s.update(device_paging="pages"),
])
def test_new_seed_options_are_checked(change):
    seed = copy.deepcopy(DEFAULT_SEED)
    change(seed)
    with pytest.raises(ValueError):
        pcs.PartnerCenterSimulator(seed)


def test_status_fault_data_must_be_a_list():
    with pytest.raises(ValueError):
        pcs.normalize_fault({"kind": "status", "status": 400, "data": "text"})
