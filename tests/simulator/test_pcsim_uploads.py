# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/endpoints/uploads.py: POST deviceBatches and .../devices, device outcomes, replays and upload seed options."""

import json
import re
import time
import uuid

import pytest

import harness
import pcsim
from simulator_client import (ELSEWHERE_HASH, ELSEWHERE_SERIAL, EXISTING_BATCH_HASH, EXISTING_DEVICE_BATCH, GUID, PAGED_DEVICE_BATCH,
                              REGISTERED_SERIAL, SEEDED_TRACKING_IDS, accepted_tracking_id, api_headers, assert_no_secret, assert_pc_error,
                              assert_seed_rejected, batches_url, create_batch, devices_url, fake_hash, get_batch, get_token, hashed_device,
                              http_call, list_batches, outcomes, poll_to_final, post_json, seed_with, user_form)


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
    # As Microsoft lists devices: serial number, maker and model; no hardware hash nor product key.
    assert [d["serialNumber"] for d in listed["items"]] == ["OK-1", "DUP-1", None]
    assert not any("hardwareHash" in d or "productKey" in d for d in listed["items"])


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
        assert EXISTING_DEVICE_BATCH in assert_pc_error(status, headers, raw, 409, pcsim.CODE_CONFLICT)["description"]
    accepted_tracking_id(*create_batch(base, user_token, "twice", [hashed_device("C-2")]))
    status, headers, raw = create_batch(base, user_token, "twice", [hashed_device("C-3")])
    assert_pc_error(status, headers, raw, 409, pcsim.CODE_CONFLICT)
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
    assert "no-such-batch" in assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)["description"]
    status, headers, raw = http_call("GET", devices_url(base, "no-such-batch"), headers=api_headers(user_token))
    assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)
    assert "no-such-batch" not in list_batches(base, user_token)
    assert sim.stats["api_requests"][0]["tracking_id"] is None


def test_creating_a_batch_with_an_app_only_token_is_403(sim, base, app_token, make_sim):
    status, headers, raw = create_batch(base, app_token, "app-only", [hashed_device("AO-1")])
    assert "app+user" in assert_pc_error(status, headers, raw, 403, pcsim.CODE_APP_USER_REQUIRED)["description"]
    assert sorted(list_batches(base, app_token)) == [EXISTING_DEVICE_BATCH, PAGED_DEVICE_BATCH]  # GET works app-only
    assert set(sim.stats["polls"]) == SEEDED_TRACKING_IDS  # no upload was made
    # the seed switch: false lets app-only tokens create a batch (what older pages said)
    relaxed = make_sim(seed_with(upload_requires_app_user=False))
    token = get_token(relaxed.url)
    accepted_tracking_id(*create_batch(relaxed.url, token, "app-only", [hashed_device("AO-1")]))
    assert list_batches(relaxed.url, token)["app-only"]["createdBy"] == harness.CLIENT_ID


def test_adding_devices_with_an_app_only_token_is_accepted(sim, base, app_token):
    tracking_id = accepted_tracking_id(*post_json(devices_url(base, EXISTING_DEVICE_BATCH), app_token, [hashed_device("AO-2")]))
    assert sim.stats["api_requests"][-1]["tracking_id"] == tracking_id
    status, _headers, raw = http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH), headers=api_headers(app_token))
    assert status == 200 and "AO-2" in [d["serialNumber"] for d in json.loads(raw)["items"]]


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
    assert message in assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)["description"]
    assert list_batches(base, user_token)[EXISTING_DEVICE_BATCH]["devicesCount"] == 3
    assert "m" not in list_batches(base, user_token)


def test_upload_body_must_be_declared_json_and_keys_may_be_pascal_case(base, user_token):
    body = {"batchId": "typed", "devices": [hashed_device("T-1")]}
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        status, headers, raw = post_json(batches_url(base), user_token, body, **{"Content-Type": content_type})
        assert_pc_error(status, headers, raw, 415, pcsim.CODE_UNSUPPORTED_MEDIA)
    device = {"HardwareHash": fake_hash("P-1"), "SerialNumber": "P-1", "Policies": [], "Attributes": {"ObjectType": "Device"}}
    body = {"BatchId": "Pascal", "Devices": [device]}
    tracking_id = accepted_tracking_id(*post_json(batches_url(base), user_token, body, **{"Content-Type": "application/json; charset=utf-8"}))
    assert outcomes(poll_to_final(base, user_token, tracking_id)[-1]) == [("P-1", "finished", None, None)]
    assert list_batches(base, user_token)["Pascal"]["devicesCount"] == 1


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


@pytest.mark.parametrize("change", [
    lambda s: s.update(upload_requires_app_user="yes"),
    lambda s: s.update(upload_requires_app_user=1),
    lambda s: s.update(upload_requires_app_user=True),
    lambda s: s.update(upload_error_status=""),
    lambda s: s.update(upload_statuses=[]),
    lambda s: s.update(upload_response={"status": 204}),
    lambda s: s.update(upload_response={"location": "elsewhere"}),
    lambda s: s.update(upload_response="202"),
    lambda s: s.update(upload_status_omits_identifiers="yes"),
])
def test_bad_upload_seeds_are_rejected(change):
    assert_seed_rejected(change)
