# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/throttling.py: the fixed window per customer, and 429 with Retry-After."""

import json
import time

import harness
from simulator_client import (EXISTING_DEVICE_BATCH, PAGED_DEVICE_BATCH, accepted_tracking_id, api_headers, assert_seed_rejected,
                              batches_url, create_batch, devices_url, get_batch, get_token, hashed_device, http_call, list_batches,
                              seed_with, user_form)


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


def test_bad_throttle_seed_is_rejected():
    assert_seed_rejected(lambda s: s.update(throttle={"limit": 1}))
