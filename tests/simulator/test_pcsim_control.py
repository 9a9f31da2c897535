# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/control.py: the /_simulator/ endpoints, statistics and reset."""

import json
import uuid

import harness
from simulator_client import app_form, get_batch, http_call, token_call


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
