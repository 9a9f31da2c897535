# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /v1/customers: the partner's customers, a page at a time, optionally filtered (README: "Customers").

Seed keys: each customer's ``company_name``, ``domain`` and ``relationship_to_partner`` (defaults made
from its id); top level ``customer_page_size_max`` (default 100: a page holds at most that many whatever
``size`` asks, since the service may return fewer items than ``size``; the least convenient form, as
the cap of customer pages is UNCONFIRMED; device pages hold 100). Customers without a relationship are
not listed. Run-time state: ``sim.state.customer_continuations`` (token -> (filter, size, offset)).

``totalCount`` is the number of customers of that page, not of the listing: .NET SDK
``Source/PartnerSdk.Models/ResourceCollection{TResource,TLinks}.cs`` (TotalCount returns
``internalItems.Count``), and the SDK samples print it per page (``CustomerPaging.cs``).

The filter's ``Operator`` is taken as both SDKs send it: ``starts_with`` (the .NET SDK and the REST
reference) and ``StartsWith`` (PartnerCenter.DotNet, the SDK of the PowerShell module, writes the enum
name as it is).

Paging is what the SDK follows: ``links.next`` with ``uri`` ``/v1/customers?size=N&seekOperation=Next``
and the ``MS-ContinuationToken`` header in its ``headers``; the body's ``continuationToken`` holds the
same token. A continuation without ``seekOperation=Next`` in the query is refused (400), as is an
unknown token.
"""

import json
import secrets
from urllib.parse import parse_qs, urlsplit

from ..api import Route
from ..errors import CODE_INVALID_INPUT
from ..messages import Response, json_bytes

DEFAULT_PAGE_SIZE_MAX = 100
# The customer filter operator as the .NET SDK (starts_with) and PartnerCenter.DotNet (StartsWith) send it.
FILTER_OPERATORS = ("starts_with", "StartsWith")
RELATIONSHIPS = ("none", "reseller", "advisor", "syndication", "microsoft_support")
# CustomerSearchField names (any letter case) -> the compiled customer's key they match.
FILTER_FIELDS = {
    "companyname": "company_name",
    "domain": "domain",
    "indirectreseller": "indirect_reseller",
    "indirectcloudsolutionprovider": "indirect_cloud_solution_provider",
}


def _invalid(call, description):
    return call.error(400, CODE_INVALID_INPUT, "Invalid input: " + description)


def _parse_filter(text):
    """(compiled key, lower-case prefix) of a filter query value; ValueError saying what is wrong."""
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError("the filter is not a JSON object.") from None
    if not isinstance(value, dict):
        raise ValueError("the filter is not a JSON object.")
    field, prefix, operator = value.get("Field"), value.get("Value"), value.get("Operator")
    if not isinstance(field, str) or field.lower() not in FILTER_FIELDS:
        raise ValueError("the filter Field must be one of CompanyName, Domain, IndirectReseller, IndirectCloudSolutionProvider.")
    if operator not in FILTER_OPERATORS:
        raise ValueError("the filter Operator must be starts_with (or StartsWith).")
    if not isinstance(prefix, str):
        raise ValueError("the filter Value must be a string.")
    return FILTER_FIELDS[field.lower()], prefix.lower()


def _parse_size(values, largest):
    """The page size of a ``size`` query value: absent or 0 is the largest; ValueError for anything but a whole number."""
    if not values or values[-1].strip() in ("", "0"):
        return largest
    text = values[-1].strip()
    if not text.isdigit():
        raise ValueError("size must be a whole number, got '%s'." % text[:40])
    return min(int(text), largest)


def listed_customers(sim, key=None, prefix=""):
    """The customer resources the partner lists (those with a relationship), in seed order, those whose ``key`` starts with ``prefix``."""
    listed = []
    for customer in sim.seed.customers.values():
        if not customer["relationship"]:
            continue
        if key is not None and not str(customer.get(key) or "").lower().startswith(prefix):
            continue
        listed.append(customer_resource(customer))
    return listed


def customer_resource(customer):
    """A Customer as the list shows it: id, companyProfile, relationshipToPartner, links, attributes."""
    customer_id = customer["id"]
    return {
        "id": customer_id,
        "companyProfile": {
            "tenantId": customer_id,
            "domain": customer["domain"],
            "companyName": customer["company_name"],
            "links": {"self": {"uri": "/customers/%s/profiles/company" % customer_id, "method": "GET", "headers": []}},
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "relationshipToPartner": customer["relationship_to_partner"],
        "links": {"self": {"uri": "/customers/%s" % customer_id, "method": "GET", "headers": []}},
        "attributes": {"objectType": "Customer"},
    }


def list_customers(call):
    sim, request = call.sim, call.request
    query = parse_qs(urlsplit(request.target).query, keep_blank_values=True)
    continuation = (request.headers.get("MS-ContinuationToken") or "").strip()
    if continuation:
        if query.get("seekOperation") != ["Next"]:
            return _invalid(call, "a continuation needs seekOperation=Next in the query, as links.next gives it.")
        with sim.lock:
            state = sim.state.customer_continuations.get(continuation)
        if state is None:
            return _invalid(call, "the continuation token in MS-ContinuationToken is not valid.")
        (key, prefix), size, offset = state
    else:
        try:
            size = _parse_size(query.get("size"), sim.seed.customer_page_size_max)
            key, prefix = _parse_filter(query["filter"][-1]) if query.get("filter") else (None, "")
        except ValueError as error:
            return _invalid(call, str(error))
        offset = 0
    listed = listed_customers(sim, key, prefix)
    page = listed[offset:offset + size]
    body = {"totalCount": len(page), "items": page,
            "links": {"self": {"uri": "/customers?size=%d" % size, "method": "GET", "headers": []}},
            "attributes": {"objectType": "Collection"}}
    if offset + size < len(listed):
        token = secrets.token_urlsafe(24)
        with sim.lock:
            sim.state.customer_continuations[token] = ((key, prefix), size, offset + size)
        body["links"]["next"] = {"uri": "/v1/customers?size=%d&seekOperation=Next" % size, "method": "GET",
                                 "headers": [{"key": "MS-ContinuationToken", "value": token}]}
        body["continuationToken"] = token
    return Response(200, json_bytes(body), call.headers)


ROUTES = (
    Route("GET", r"^/v1/customers/?$", list_customers),
)


def compile_seed(raw, seed):
    """``seed.customer_page_size_max``, and each customer's company_name, domain, relationship_to_partner and indirect partners."""
    largest = raw.get("customer_page_size_max", DEFAULT_PAGE_SIZE_MAX)
    if isinstance(largest, bool) or not isinstance(largest, int) or largest < 1:
        raise ValueError("seed: customer_page_size_max must be an integer >= 1")
    seed.customer_page_size_max = largest
    for customer_id, customer in (raw.get("customers") or {}).items():
        compiled = seed.customers[customer_id.lower()]
        short = customer_id.split("-")[0].lower()
        defaults = {"company_name": "Customer %s" % short, "domain": "customer-%s.onmicrosoft.com" % short,
                    "relationship_to_partner": "reseller", "indirect_reseller": None, "indirect_cloud_solution_provider": None}
        for name, default in defaults.items():
            value = customer.get(name, default)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError("seed: customer %s %s must be a non-empty string" % (customer_id, name))
            compiled[name] = value
        if compiled["relationship_to_partner"] not in RELATIONSHIPS:
            raise ValueError("seed: customer %s relationship_to_partner must be one of %s" % (customer_id, ", ".join(RELATIONSHIPS)))


def reset(sim):
    """No continuation token is valid."""
    sim.state.customer_continuations = {}
