# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/entra_id.py: the Entra ID token endpoint (v1 and v2.0), its tokens and its errors."""

import base64
import json
import re
import time

import pytest

import harness
from simulator_client import (GUID, RESOURCE, app_form, assert_no_secret, assert_pc_error, assert_seed_rejected, get_batch, get_token, http_call,
                              seed_with, token_call, user_form)


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


# ------------------------------------------------- MFA on app+user calls (enforced since 2026)
NO_MFA_REFRESH_TOKEN = "sim-refresh-token-no-mfa-DO-NOT-LEAK-5Mf2"


def _seed_with_no_mfa_token(**changes):
    seed = seed_with(**changes)
    seed["refresh_tokens"] = list(seed["refresh_tokens"]) + [
        {"token": NO_MFA_REFRESH_TOKEN, "user": "nomfa@contoso-partner.onmicrosoft.com", "roles": ["AdminAgent"], "mfa": False}]
    return seed


def test_an_app_user_token_without_mfa_claim_gets_401_code_900421(make_sim):
    simulator = make_sim(_seed_with_no_mfa_token())
    token = get_token(simulator.url, user_form(refresh_token=NO_MFA_REFRESH_TOKEN))
    status, headers, raw = get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert_pc_error(status, headers, raw, 401, 900421)


def test_a_renewed_token_from_a_no_mfa_refresh_token_still_has_no_mfa_claim(make_sim):
    simulator = make_sim(_seed_with_no_mfa_token())
    status, _headers, _raw, body = token_call(simulator.url, form=user_form(refresh_token=NO_MFA_REFRESH_TOKEN))
    assert status == 200
    renewed = get_token(simulator.url, user_form(refresh_token=body["refresh_token"]))
    assert get_batch(simulator.url, renewed, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 401


@pytest.mark.parametrize("form", ["app-only", "app+user-with-mfa"])
def test_app_only_tokens_and_tokens_with_mfa_are_not_affected(make_sim, form):
    simulator = make_sim(_seed_with_no_mfa_token())
    token = get_token(simulator.url, app_form() if form == "app-only" else user_form())
    assert get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200


def test_mfa_enforcement_can_be_switched_off(make_sim):
    simulator = make_sim(_seed_with_no_mfa_token(mfa_enforced=False))
    token = get_token(simulator.url, user_form(refresh_token=NO_MFA_REFRESH_TOKEN))
    assert get_batch(simulator.url, token, harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)[0] == 200


@pytest.mark.parametrize("change", [
    lambda seed: seed.update(mfa_enforced="yes"),
    lambda seed: seed["refresh_tokens"][0].update(mfa="no"),
], ids=["mfa_enforced", "refresh-token-mfa"])
def test_bad_mfa_seed_keys_are_rejected(change):
    assert_seed_rejected(change)
