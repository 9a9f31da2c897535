# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The partner's customers: ``GET /v1/customers``, every page, optionally filtered, shaped for inventories.

Partner Center documents ``size`` (the page size) and ``filter``, a URL-encoded JSON object
``{"Field": "CompanyName" | "Domain", "Value": ..., "Operator": "starts_with"}`` (``starts_with`` is
the only operator; the value matches without regard to case). The pages are followed as the SDK
does, through ``paging.read_pages``: ``links.next`` (its continuation header only), else ``continuationToken``.
"""

import json
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.paging import read_pages
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import has_control_characters

CUSTOMERS_PATH = '/v1/customers'
# Not documented; PowerShell's Get-PartnerCustomer asks for 500 and the SDK samples say the API
# "pulls up to 500 records" a page.
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE
# Our option names -> the CustomerSearchField names the filter takes.
FILTER_FIELDS = {
    'company_name': 'CompanyName',
    'domain': 'Domain',
}
# The documented RelationshipToPartner values, as playbooks compare them.
RELATIONSHIPS = ('none', 'reseller', 'advisor', 'syndication', 'microsoft_support')
# What every shaped customer carries, in this order (inventory host vars).
CUSTOMER_KEYS = ('customer_id', 'tenant_id', 'domain', 'company_name', 'relationship_to_partner')
MAX_FILTER_VALUE_CHARS = 256


def check_page_size(size):
    """A message when ``size`` is not a page size Partner Center takes, else None."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        return 'page_size must be a whole number from 1 to %d, got %r.' % (MAX_PAGE_SIZE, size)
    return None


def check_filter(field, value):
    """A message when (``field``, ``value``) is not a filter Partner Center takes, else None."""
    if field not in FILTER_FIELDS:
        return 'the customer filter field must be one of %s, got %r.' % (', '.join(sorted(FILTER_FIELDS)), field)
    if not isinstance(value, str) or not value.strip():
        return 'the %s filter must be a non-empty string, got %r.' % (field, value)
    if len(value) > MAX_FILTER_VALUE_CHARS or has_control_characters(value):
        return 'the %s filter must be at most %d characters, with no control characters.' % (field, MAX_FILTER_VALUE_CHARS)
    return None


def customer_filter(field, value):
    """The documented filter JSON for ``field`` (company_name or domain) starting with ``value``."""
    return json.dumps({'Field': FILTER_FIELDS[field], 'Value': value, 'Operator': 'starts_with'}, separators=(',', ':'))


def customers_path(size=DEFAULT_PAGE_SIZE, field=None, value=None):
    """``/v1/customers?size=N[&filter=<URL-encoded JSON>]``."""
    query = [('size', str(size))]
    if field is not None:
        query.append(('filter', customer_filter(field, value)))
    # quote, not quote_plus: a space becomes %20, which every server reads as a space.
    return '%s?%s' % (CUSTOMERS_PATH, urllib.parse.urlencode(query, quote_via=urllib.parse.quote))


def _text(value):
    """A string field as sent, stripped; None for anything that is not a non-empty string."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def shape_customer(item):
    """One Customer as inventory host vars; ResponseError when it has no id.

    ``relationship_to_partner`` is lower case (the documented values are); a value Partner Center
    does not document is kept as sent, so a keyed group still shows it.
    """
    if not isinstance(item, dict):
        raise ResponseError('a customer is a %s, not an object' % type(item).__name__)
    customer_id = _text(item.get('id'))
    if customer_id is None:
        raise ResponseError('a customer has no id (keys: %s)' % ', '.join(sorted(str(key) for key in item)))
    profile = item.get('companyProfile')
    if not isinstance(profile, dict):
        profile = {}
    relationship = _text(item.get('relationshipToPartner'))
    if relationship is not None and relationship.lower() in RELATIONSHIPS:
        relationship = relationship.lower()
    return {
        'customer_id': customer_id,
        'tenant_id': _text(profile.get('tenantId')) or customer_id,
        'domain': _text(profile.get('domain')),
        'company_name': _text(profile.get('companyName')),
        'relationship_to_partner': relationship,
    }


def shape_customers_page(body):
    """The shaped customers of one page of the collection."""
    items = body.get('items')
    if not isinstance(items, list):
        raise ResponseError('Partner Center answered 200 but the customers page has no list of items (keys: %s)'
                            % (', '.join(sorted(str(key) for key in body)) or 'none'))
    return [shape_customer(item) for item in items]


def cached_listing_problem(cached):
    """None when ``cached`` has the form of list_customers' customers (what an inventory cache holds), else what is wrong."""
    if not isinstance(cached, list):
        return 'it is a %s, not a list of customers' % type(cached).__name__
    for index, customer in enumerate(cached):
        keyed = isinstance(customer, dict) and set(customer) == set(CUSTOMER_KEYS) and _text(customer['customer_id']) is not None
        if not keyed or any(value is not None and not isinstance(value, str) for value in customer.values()):
            return 'item %d is not a customer as the plugin caches one' % index
    return None


def list_customers(client, page_size=DEFAULT_PAGE_SIZE, field=None, value=None):
    """Every customer of the partner (those whose ``field`` starts with ``value``, when given) -> (customers, pages).

    One client, so one access token for every page; throttled pages wait as the client's retries do.
    """
    path = customers_path(page_size, field, value)
    return read_pages(client, path, 'Partner Center customers', shape_customers_page)
