# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/endpoints/device_batches.py: listing device batches and a batch's devices (paging), and their seed part."""

import base64
import json
import re

import pytest

import harness
import pcsim
from simulator_client import (EXISTING_DEVICE_BATCH, GUID, PAGED_DEVICE_BATCH, api_headers, assert_pc_error, assert_seed_rejected,
                              batches_url, devices_url, get_token, http_call, seed_with)


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
    assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)
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
    # totalCount counts each page (ResourceCollection.TotalCount), not the batch.
    assert [p["totalCount"] for p in pages] == [100, 100, 50]
    assert all(p["attributes"] == {"objectType": "Collection"} for p in pages)
    for page in pages[:2]:
        assert page["links"]["next"] == {"uri": "/customers/%s/deviceBatches/%s/devices" % (harness.DEMO_CUSTOMER_ID, PAGED_DEVICE_BATCH), "method": "GET",
                                         "headers": [{"key": "MS-ContinuationToken", "value": page["continuationToken"]}]}
    assert "next" not in pages[2]["links"] and "continuationToken" not in pages[2]
    items = [item for page in pages for item in page["items"]]
    assert [d["serialNumber"] for d in items] == ["EB2-%06d" % n for n in range(1, 251)]
    assert len({d["id"] for d in items}) == 250 and all(GUID.match(d["id"]) for d in items)
    # Microsoft's shape (the listing of Partner-Center-PowerShell issue #271): no hardwareHash, productKey, allowedOperations.
    assert items[0] == {
        "id": items[0]["id"], "serialNumber": "EB2-000001",
        "modelName": "Surface Laptop 5", "oemManufacturerName": "Microsoft Corporation",
        "policies": [{"key": "o_o_b_e", "value": None}], "uploadedDate": items[0]["uploadedDate"],
        "attributes": {"objectType": "Device"},
    }
    # Seeded at 2025-02-17T16:40:00Z, listed as Partner Center's examples show dates: a local offset, seven decimals.
    assert re.match(r"^2025-02-17T17:40:00\.\d{7}\+01:00$", items[0]["uploadedDate"]), items[0]["uploadedDate"]
    # the same token again gives the same page; every request went to the same URL
    status, _headers, raw = http_call("GET", url, headers=api_headers(app_token, **{"MS-ContinuationToken": pages[0]["continuationToken"]}))
    assert json.loads(raw)["items"] == pages[1]["items"]
    assert {r["path"] for r in sim.stats["api_requests"]} == {url[len(base):]}


def test_uploaded_dates_are_utc_with_the_other_form(make_sim):
    simulator = make_sim(seed_with(uploaded_date_form="utc"))
    page = json.loads(http_call("GET", devices_url(simulator.url, EXISTING_DEVICE_BATCH), headers=api_headers(get_token(simulator.url)))[2])
    assert {item["uploadedDate"] for item in page["items"]} == {"2025-02-03T10:15:00Z"}


def test_a_single_page_listing_has_empty_links_as_microsoft_sends_it(base, app_token):
    page = json.loads(http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH), headers=api_headers(app_token))[2])
    assert page["links"] == {} and "continuationToken" not in page
    assert [sorted(item) for item in page["items"]] == [
        ["attributes", "id", "modelName", "oemManufacturerName", "policies", "serialNumber", "uploadedDate"]] * 3


def test_the_documented_listing_form_adds_hash_key_operations_and_a_self_link(make_sim):
    simulator = make_sim(seed_with(device_listing="documented"))
    token = get_token(simulator.url)
    page = json.loads(http_call("GET", devices_url(simulator.url, PAGED_DEVICE_BATCH), headers=api_headers(token))[2])
    item = page["items"][0]
    assert item["productKey"] is None and item["allowedOperations"] == ["PATCH", "DELETE"]
    assert len(base64.b64decode(item["hardwareHash"], validate=True)) >= 32
    assert page["links"]["self"]["uri"].endswith("/deviceBatches/%s/devices" % PAGED_DEVICE_BATCH) and "next" in page["links"]


def test_unknown_continuation_token_is_400(base, app_token):
    url = devices_url(base, PAGED_DEVICE_BATCH)
    status, headers, raw = http_call("GET", url, headers=api_headers(app_token, **{"MS-ContinuationToken": "bm90LWEtdG9rZW4"}))
    assert "continuation" in assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)["description"]
    token = json.loads(http_call("GET", url, headers=api_headers(app_token))[2])["continuationToken"]
    status, headers, raw = http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH),
                                     headers=api_headers(app_token, **{"MS-ContinuationToken": token}))
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)


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
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)


@pytest.mark.parametrize("change", [
    lambda s: s.update(device_page_size=0),
    lambda s: s.update(empty_device_batch_list_status=204),
    lambda s: s.update(registered_elsewhere=[{"imei": "123"}]),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["device_batches"]["existing-batch-1"]["devices"].append({"serialNumber": "ONLY"}),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["device_batches"].update({"EXISTING-BATCH-1": {}}),
    lambda s: s["customers"][harness.DEMO_CUSTOMER_ID]["device_batches"]["existing-batch-2"].update(generate_devices=-1),
    lambda s: s.update(device_paging="pages"),
    lambda s: s.update(device_listing="full"),
])
def test_bad_device_batch_seeds_are_rejected(change):
    assert_seed_rejected(change)
