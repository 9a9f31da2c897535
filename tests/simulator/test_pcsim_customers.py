# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/endpoints/customers.py: GET /v1/customers, its pages, size, filter, throttling and seed part."""

import json
import urllib.parse

import pcsim
from simulator_client import api_headers, assert_pc_error, assert_seed_rejected, get_token, http_call, seed_with, user_form

LISTED = 6  # the default seed's customers with a relationship


def customers_url(base, size=None, filter_json=None, seek=False):
    query = []
    if size is not None:
        query.append(("size", str(size)))
    if seek:
        query.append(("seekOperation", "Next"))
    if filter_json is not None:
        query.append(("filter", json.dumps(filter_json)))
    return base + "/v1/customers" + ("?" + urllib.parse.urlencode(query) if query else "")


def get_customers(base, token, url=None, **header_overrides):
    status, headers, raw = http_call("GET", url or customers_url(base), headers=api_headers(token, **header_overrides))
    return status, headers, raw, (json.loads(raw) if raw else None)


def test_list_every_customer_with_a_relationship(base, app_token, user_token):
    for token in (app_token, user_token):
        status, _headers, _raw, body = get_customers(base, token, customers_url(base, size=500))
        assert status == 200
        assert (body["totalCount"], len(body["items"])) == (LISTED, LISTED)
        assert "next" not in body["links"] and "continuationToken" not in body
        assert body["attributes"] == {"objectType": "Collection"}
    first = body["items"][0]
    assert first == {
        "id": "47021739-3426-40bf-9601-61b4b6d7c793",
        "companyProfile": {
            "tenantId": "47021739-3426-40bf-9601-61b4b6d7c793", "domain": "wingtiptoys.onmicrosoft.com", "companyName": "Wingtip Toys",
            "links": {"self": {"uri": "/customers/47021739-3426-40bf-9601-61b4b6d7c793/profiles/company", "method": "GET", "headers": []}},
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "relationshipToPartner": "reseller",
        "links": {"self": {"uri": "/customers/47021739-3426-40bf-9601-61b4b6d7c793", "method": "GET", "headers": []}},
        "attributes": {"objectType": "Customer"},
    }
    # The customer without a relationship is not the partner's.
    assert "litware.onmicrosoft.com" not in [item["companyProfile"]["domain"] for item in body["items"]]


def test_pages_follow_links_next_with_the_continuation_header(base, app_token):
    seen, url, headers, pages = [], customers_url(base, size=4), {}, 0
    while url:
        status, _headers, raw, body = get_customers(base, app_token, url, **headers)
        assert status == 200, raw
        pages += 1
        seen += [item["id"] for item in body["items"]]
        following = body["links"].get("next")
        if following is None:
            break
        assert following["uri"] == "/v1/customers?size=4&seekOperation=Next" and following["method"] == "GET"
        assert following["headers"] == [{"key": "MS-ContinuationToken", "value": body["continuationToken"]}]
        url = base + following["uri"]
        headers = {"MS-ContinuationToken": following["headers"][0]["value"]}
    assert pages == 2 and len(seen) == len(set(seen)) == LISTED


def test_a_continuation_needs_seek_next_and_a_known_token(base, app_token):
    _status, _headers, _raw, body = get_customers(base, app_token, customers_url(base, size=2))
    token = body["continuationToken"]
    status, headers, raw, _body = get_customers(base, app_token, customers_url(base, size=2), **{"MS-ContinuationToken": token})
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)
    status, headers, raw, _body = get_customers(base, app_token, customers_url(base, seek=True), **{"MS-ContinuationToken": "forged"})
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)
    status, _headers, _raw, body = get_customers(base, app_token, customers_url(base, seek=True), **{"MS-ContinuationToken": token})
    assert status == 200 and len(body["items"]) == 2


def test_size_is_capped_and_checked(base, app_token, make_sim):
    status, _headers, _raw, body = get_customers(base, app_token, customers_url(base, size=0))
    assert status == 200 and len(body["items"]) == LISTED
    status, headers, raw, _body = get_customers(base, app_token, customers_url(base, size="ten"))
    assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)
    simulator = make_sim(seed_with(customer_page_size_max=5))
    status, _headers, _raw, body = get_customers(simulator.url, get_token(simulator.url), customers_url(simulator.url, size=500))
    assert status == 200 and len(body["items"]) == 5 and "next" in body["links"]
    assert body["totalCount"] == 5


def test_pages_hold_at_most_100_customers_whatever_size_asks(make_sim):
    def many(seed):
        for number in range(250):
            seed["customers"]["00000000-0000-4000-8000-%012d" % number] = {"company_name": "Many %03d" % number}

    seed = seed_with()
    many(seed)
    simulator = make_sim(seed)
    token = get_token(simulator.url)
    url, headers, counts = customers_url(simulator.url, size=500), {}, []
    while url:
        status, _headers, raw, body = get_customers(simulator.url, token, url, **headers)
        assert status == 200, raw
        counts.append((len(body["items"]), body["totalCount"]))
        following = body["links"].get("next")
        url = following and simulator.url + following["uri"]
        headers = following and {"MS-ContinuationToken": following["headers"][0]["value"]}
    assert counts == [(100, 100), (100, 100), (LISTED + 250 - 200, LISTED + 250 - 200)]


def test_the_starts_with_filter(base, app_token):
    def names(filter_json, size=None):
        status, _headers, raw, body = get_customers(base, app_token, customers_url(base, size=size, filter_json=filter_json))
        assert status == 200, raw
        return [item["companyProfile"]["companyName"] for item in body["items"]]

    assert names({"Field": "CompanyName", "Value": "contoso", "Operator": "starts_with"}) == ["Contoso Ltd", "Contoso Pharmaceuticals"]
    assert names({"Field": "Domain", "Value": "FABRIKAM", "Operator": "starts_with"}) == ["Fabrikam Inc", "Fabrikam Residences"]
    assert names({"Field": "domain", "Value": "nobody", "Operator": "starts_with"}) == []
    # PartnerCenter.DotNet sends the operator as its enum name.
    assert names({"Field": "CompanyName", "Value": "contoso", "Operator": "StartsWith"}) == ["Contoso Ltd", "Contoso Pharmaceuticals"]
    # the filter carries over to the next pages through the continuation token
    status, _headers, _raw, body = get_customers(base, app_token, customers_url(
        base, size=1, filter_json={"Field": "CompanyName", "Value": "Fabrikam", "Operator": "starts_with"}))
    # totalCount counts the page (ResourceCollection.TotalCount), not the listing.
    assert body["totalCount"] == 1
    status, _headers, _raw, second = get_customers(base, app_token, base + body["links"]["next"]["uri"],
                                                   **{"MS-ContinuationToken": body["continuationToken"]})
    assert status == 200 and second["items"][0]["companyProfile"]["companyName"] == "Fabrikam Residences"
    for bad in ({"Field": "CompanyName", "Value": "x", "Operator": "contains"}, {"Field": "Name", "Value": "x", "Operator": "starts_with"},
                {"Field": "Domain", "Value": 3, "Operator": "starts_with"}, ["Domain"], "not json"):
        url = customers_url(base) + "?filter=" + urllib.parse.quote(bad if isinstance(bad, str) else json.dumps(bad))
        status, headers, raw, _body = get_customers(base, app_token, url)
        assert_pc_error(status, headers, raw, 400, pcsim.CODE_INVALID_INPUT)


def test_listing_is_throttled_per_partner(make_sim):
    simulator = make_sim(seed_with(throttle={"limit": 2, "window_seconds": 60}))
    token = get_token(simulator.url)
    answers = [get_customers(simulator.url, token)[:2] for _index in range(3)]
    assert [status for status, _headers in answers] == [200, 200, 429]
    assert int(answers[2][1]["Retry-After"]) >= 1


def test_a_user_without_an_agent_role_is_refused(base):
    token = get_token(base, user_form(refresh_token="sim-refresh-token-no-role-DO-NOT-LEAK-8Kd1"))
    status, headers, raw, _body = get_customers(base, token)
    assert_pc_error(status, headers, raw, 403, pcsim.CODE_FORBIDDEN)


def test_seed_keys_are_checked():
    assert_seed_rejected(lambda seed: seed.update(customer_page_size_max=0))
    customer_id = next(iter(seed_with()["customers"]))
    for change in ({"relationship_to_partner": "friend"}, {"company_name": ""}, {"domain": 5}):
        assert_seed_rejected(lambda seed, change=change: seed["customers"][customer_id].update(change))
