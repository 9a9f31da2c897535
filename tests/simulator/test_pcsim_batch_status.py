# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/endpoints/batch_status.py: GET batchJobStatus, status progression and the seed's batches."""

import json
import threading

import pytest

import harness
from simulator_client import (DOC_CORRELATION_ID, DOC_REQUEST_ID, GUID, LARGE_BATCH, api_headers, assert_seed_rejected, batch_url,
                              get_batch, get_token, http_call, seed_with)


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
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["batches"][harness.DEMO_BATCH_CLEAN]["devices"][0].update(error="NoSuchError"),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["batches"][harness.DEMO_BATCH_CLEAN].update(faults=[{"kind": "nope"}]),
])
def test_bad_batch_seeds_are_rejected(change):
    assert_seed_rejected(change)
