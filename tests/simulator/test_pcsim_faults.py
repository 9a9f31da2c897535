# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/faults.py: every fault kind, matching, counters, seed faults, and bad faults."""

import email.utils
import http.client
import json
import re
import time
import urllib.request

import pytest

import harness
import pcsim
from simulator_client import (api_headers, app_form, assert_no_secret, assert_pc_error, batch_url, batches_url, create_batch, get_batch,
                              get_token, hashed_device, http_call, seed_with, token_call)


def test_status_fault_does_not_advance_progression(sim, base, app_token):
    fault = sim.add_fault("status", status=503, retry_after=7)
    assert fault["kind"] == "status" and fault["match"] == "api" and fault["count"] == 1
    status, headers, raw = get_batch(base, app_token, batch=harness.DEMO_BATCH_CLEAN)
    error = assert_pc_error(status, headers, raw, 503, pcsim.CODE_SIMULATOR_BASE + 503)
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


def _batch_names(base, token):
    return [b["id"] for b in json.loads(http_call("GET", batches_url(base), headers=api_headers(token))[2])["items"]]


@pytest.mark.parametrize("replay, retry_status", [(True, 202), (False, 409)], ids=["replayed", "not-replayed"])
def test_applied_fault_applies_the_upload_then_answers_504(sim, base, user_token, replay, retry_status):
    sim.add_fault("applied", match="/deviceBatches$", replay=replay)
    request_id = "6e1c3b0a-5d4f-4e2a-9b8c-7d6e5f4a3b2c"
    status, headers, raw = create_batch(base, user_token, "applied-1", [hashed_device("APPLIED-1")], **{"MS-RequestId": request_id})
    assert_pc_error(status, headers, raw, 504, pcsim.CODE_SIMULATOR_BASE + 504)
    assert "Location" not in headers
    assert "applied-1" in _batch_names(base, user_token)
    # The same request again: replayed (202) when the service honours MS-RequestId, else a new creation (409).
    status, headers, raw = create_batch(base, user_token, "applied-1", [hashed_device("APPLIED-1")], **{"MS-RequestId": request_id})
    assert status == retry_status, raw
    records = [r for r in sim.stats["api_requests"] if r["method"] == "POST"]
    assert [(r["fault"], r["status"]) for r in records] == [("applied", 504), (None, retry_status)]
    assert records[0]["tracking_id"] is not None


def test_applied_fault_can_drop_the_answer(sim, base, user_token):
    sim.add_fault("applied", match="/deviceBatches$", drop=True)
    with pytest.raises(ConnectionError):
        create_batch(base, user_token, "applied-2", [hashed_device("APPLIED-2")])
    assert "applied-2" in _batch_names(base, user_token)
    assert [(r["fault"], r["status"]) for r in sim.stats["api_requests"]][0] == ("applied", None)


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
    assert_pc_error(status, headers, raw, 401, pcsim.CODE_ACCESS_DENIED)
    assert headers["WWW-Authenticate"].startswith("OAuth realm=urn:cpsvc:cpid:")
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
    ({"kind": "applied", "status": 404}, "status"),
    ({"kind": "applied", "replay": "no"}, "replay"),
])
def test_invalid_faults_are_rejected(sim, base, fault, message):
    status, _headers, raw = http_call("POST", base + "/_simulator/faults", json.dumps(fault).encode("utf-8"),
                                      {"Content-Type": "application/json"})
    assert status == 400
    assert message in json.loads(raw)["error"]
    with pytest.raises(ValueError):
        pcsim.normalize_fault(fault)
    assert sim.faults == []


def test_status_fault_with_error_data(sim, base, app_token):
    sim.add_fault("status", match="batchJobStatus", status=400, code=600, description="Invalid input", data=["field: batchId", "x"])
    status, _headers, raw = get_batch(base, app_token)
    body = json.loads(raw)
    assert status == 400 and body["data"] == ["field: batchId", "x"] and body["code"] == 600


def test_status_fault_data_must_be_a_list():
    with pytest.raises(ValueError):
        pcsim.normalize_fault({"kind": "status", "status": 400, "data": "text"})


def _delete_device_url(base):
    return "%s/v1/customers/%s/deviceBatches/existing-batch-1/devices/e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01" % (
        base, harness.DEMO_CUSTOMER_ID)


def test_late_answer_fault_applies_the_request_then_times_the_client_out(make_sim):
    simulator = make_sim()
    token = get_token(simulator.url)
    simulator.add_fault("late_answer", match="/devices/", seconds=1)
    with pytest.raises(TimeoutError):
        http_call("DELETE", _delete_device_url(simulator.url), headers=api_headers(token), timeout=0.3)
    # Applied: the device is gone, and the request is in the log before its answer was held.
    assert [(r["method"], r["status"], r["fault"]) for r in simulator.stats["api_requests"]] == [("DELETE", 204, "late_answer")]
    status, _headers, _raw = http_call("DELETE", _delete_device_url(simulator.url), headers=api_headers(token))
    assert status == 404


def test_late_answer_fault_with_a_status_answers_it_after_applying(make_sim):
    simulator = make_sim()
    token = get_token(simulator.url)
    simulator.add_fault("late_answer", match="/devices/", status=504)
    status, headers, raw = http_call("DELETE", _delete_device_url(simulator.url), headers=api_headers(token))
    assert_pc_error(status, headers, raw, 504, pcsim.CODE_SIMULATOR_BASE + 504)
    status, _headers, _raw = http_call("DELETE", _delete_device_url(simulator.url), headers=api_headers(token))
    assert status == 404


@pytest.mark.parametrize("fault", [dict(seconds=-1), dict(seconds=601), dict(status=200), dict(status="504"), dict(code=1)],
                         ids=["negative-seconds", "too-long", "success-status", "status-text", "unknown-key"])
def test_late_answer_fault_bad_keys_are_refused(fault):
    with pytest.raises(ValueError):
        pcsim.normalize_fault(dict(fault, kind="late_answer"))
