# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/api.py: the checks every /v1 request goes through, in their order, and routing (404, 405)."""

import json
import uuid

import pytest

import harness
import pcsim
from simulator_client import (DEFAULT_SEED, EXISTING_DEVICE_BATCH, GUID, NO_RELATIONSHIP_BATCH, api_headers, app_form, assert_no_secret, assert_pc_error,
                              batch_url, batches_url, create_batch, devices_url, get_batch, get_token, hashed_device, http_call,
                              list_batches, post_json, seed_with, token_call, user_form)


# Partner Center's error-codes page shows this challenge on a 401 (the cid: the partner's tenant id in the simulator).
OAUTH_CHALLENGE = "OAuth realm=urn:cpsvc:cpid:%s" % DEFAULT_SEED["partner"]["tenant_id"].lower()


def unauthorized_answers(base, app_token):
    """(status, headers, raw) of a request without a token, with an unknown token, and with a Basic authorization."""
    headers = api_headers(app_token, Authorization=None)
    return [http_call("GET", batch_url(base, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID), headers=headers),
            get_batch(base, "not-a-token-we-issued", harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID),
            get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, Authorization="Basic " + app_token)]


def test_missing_or_bad_bearer_token_is_401_with_the_documented_challenge(base, app_token):
    for status, response_headers, raw in unauthorized_answers(base, app_token):
        assert_pc_error(status, response_headers, raw, 401, pcsim.CODE_ACCESS_DENIED)
        assert response_headers["WWW-Authenticate"] == OAUTH_CHALLENGE


def test_the_bearer_challenge_is_the_other_form(make_sim):
    simulator = make_sim(seed_with(www_authenticate="bearer"))
    answers = unauthorized_answers(simulator.url, get_token(simulator.url))
    assert [headers["WWW-Authenticate"] for _status, headers, _raw in answers] == ["Bearer", 'Bearer error="invalid_token"', "Bearer"]


@pytest.mark.parametrize("form, code", [("number", 400), ("string", "400")])
def test_the_error_code_is_a_number_or_a_string_as_the_seed_says(make_sim, form, code):
    simulator = make_sim(seed_with(error_code_form=form))
    for status, _headers, raw in unauthorized_answers(simulator.url, get_token(simulator.url)):
        assert status == 401 and json.loads(raw)["code"] == code
    # Faults' error bodies too.
    simulator.add_fault("status", status=503)
    status, _headers, raw = get_batch(simulator.url, get_token(simulator.url), harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert status == 503 and json.loads(raw)["code"] == (900503 if form == "number" else "900503")


def test_expired_access_token_is_401(make_sim):
    simulator = make_sim(seed_with(token_lifetime_seconds=0))
    status, _headers, _raw, body = token_call(simulator.url, form=app_form())
    assert status == 200 and body["expires_in"] == "0"
    status, headers, raw = get_batch(simulator.url, body["access_token"], harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    error = assert_pc_error(status, headers, raw, 401, pcsim.CODE_ACCESS_DENIED)
    assert "expired" in error["description"]
    assert headers["WWW-Authenticate"] == OAUTH_CHALLENGE
    assert body["access_token"] not in raw.decode("utf-8")


@pytest.mark.parametrize("header, value", [
    ("MS-RequestId", None),
    ("MS-RequestId", "12345"),
    ("MS-CorrelationId", None),
    ("MS-CorrelationId", "not-a-guid-at-all"),
])
def test_request_headers_are_validated(base, app_token, header, value):
    status, headers, raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, **{header: value})
    error = assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)
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
        assert_pc_error(status, headers, raw, 406, pcsim.CODE_SIMULATOR_BASE + 406)
    else:
        assert status == 200


def test_accept_header_may_be_absent(base, app_token):
    assert get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID, Accept=None)[0] == 200


@pytest.mark.parametrize("customer, batch", [("not-a-guid", harness.EXAMPLE_BATCH_ID), (harness.EXAMPLE_CUSTOMER_ID, "12345"), ("%7Bbad%7D", "x")])
def test_ids_must_be_guids(base, app_token, customer, batch):
    status, headers, raw = get_batch(base, app_token, customer, batch)
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)


def test_not_found(base, app_token):
    status, headers, raw = get_batch(base, app_token, "00000000-1111-2222-3333-444444444444", harness.EXAMPLE_BATCH_ID)
    assert "customer" in assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)["description"]
    status, headers, raw = get_batch(base, app_token, harness.EXAMPLE_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN)
    assert "batch" in assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)["description"]
    status, headers, raw = http_call("GET", "%s/v1/customers/%s/deviceBatches" % (base, harness.EXAMPLE_CUSTOMER_ID), headers=api_headers(app_token))
    assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)
    status, headers, raw = http_call("GET", base + "/")
    assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)


def test_customer_without_relationship_is_403(base, app_token):
    status, headers, raw = get_batch(base, app_token, harness.FOREIGN_CUSTOMER_ID, NO_RELATIONSHIP_BATCH)
    assert_pc_error(status, headers, raw, 403, pcsim.CODE_NO_RELATIONSHIP)


def test_user_without_agent_role_is_403(base):
    no_role = get_token(base, user_form(harness.REFRESH_TOKEN_NO_ROLE))
    status, headers, raw = get_batch(base, no_role, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert_pc_error(status, headers, raw, 403, pcsim.CODE_FORBIDDEN)
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
    assert_pc_error(status, headers, raw, 405, pcsim.CODE_SIMULATOR_BASE + 405)
    assert headers["Allow"] == "GET"


def test_device_batch_endpoints_go_through_the_common_checks(sim, base, user_token):
    unknown = "00000000-1111-2222-3333-444444444444"
    body = {"batchId": "checks", "devices": [hashed_device("CH-1")]}
    status, headers, raw = create_batch(base, "bogus", "checks", body["devices"])
    assert_pc_error(status, headers, raw, 401, pcsim.CODE_ACCESS_DENIED)
    assert create_batch(base, user_token, "checks", body["devices"], **{"MS-CorrelationId": None})[0] == 400
    assert create_batch(base, user_token, "checks", body["devices"], Accept="text/html")[0] == 406
    status, headers, raw = post_json(batches_url(base, "not-a-guid"), user_token, body)
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)
    assert post_json(batches_url(base, unknown), user_token, body)[0] == 404
    assert http_call("GET", batches_url(base, unknown), headers=api_headers(user_token))[0] == 404
    status, headers, raw = post_json(batches_url(base, harness.FOREIGN_CUSTOMER_ID), user_token, body)
    assert_pc_error(status, headers, raw, 403, pcsim.CODE_NO_RELATIONSHIP)
    no_role = get_token(base, user_form(harness.REFRESH_TOKEN_NO_ROLE))
    status, headers, raw = create_batch(base, no_role, "checks", body["devices"])
    assert_pc_error(status, headers, raw, 403, pcsim.CODE_FORBIDDEN)
    assert http_call("GET", devices_url(base, EXISTING_DEVICE_BATCH), headers=api_headers(no_role))[0] == 403
    for url in (batches_url(base), devices_url(base, EXISTING_DEVICE_BATCH)):
        status, headers, raw = http_call("PUT", url, b"{}", api_headers(user_token, **{"Content-Type": "application/json"}))
        assert_pc_error(status, headers, raw, 405, pcsim.CODE_SIMULATOR_BASE + 405)
        assert headers["Allow"] == "GET, POST"
    status, headers, raw = http_call("GET", batches_url(base) + "/" + EXISTING_DEVICE_BATCH, headers=api_headers(user_token))
    assert_pc_error(status, headers, raw, 404, pcsim.CODE_NOT_FOUND)
    assert http_call("GET", "%s/v1/CUSTOMERS/%s/DeviceBatches/EXISTING-BATCH-1/DEVICES" % (base, harness.DEMO_CUSTOMER_ID),
                     headers=api_headers(user_token))[0] == 200
    # faults match 'api' (and regular expressions) for the new endpoints; a faulted upload creates nothing
    sim.add_fault("status", status=503, retry_after=1)
    sim.add_fault("status", match="(?i)/devicebatches$", status=500, after=1)
    status, headers, raw = create_batch(base, user_token, "checks", body["devices"])
    assert_pc_error(status, headers, raw, 503, pcsim.CODE_SIMULATOR_BASE + 503)
    assert create_batch(base, user_token, "checks", body["devices"])[0] == 500
    record = sim.stats["api_requests"][-1]
    assert (record["fault"], record["batch_id"], record["device_count"], record["tracking_id"]) == ("status", "checks", 1, None)
    assert "checks" not in list_batches(base, user_token)
    assert_no_secret(json.dumps(sim.stats["api_requests"]))
