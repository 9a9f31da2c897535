# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of customers.py: the documented filter, the page size, shaping, and every page on one token."""

import json
import urllib.parse

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.customers import (
    check_filter,
    check_page_size,
    customers_path,
    list_customers,
    shape_customer,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

BASE = 'https://pc.example.test'
TOKEN = 'token-value-for-unit-tests'


def customer(number, relationship='reseller', **profile):
    tenant = '00000000-0000-4000-8000-%012d' % number
    body = {'id': tenant, 'companyProfile': {'tenantId': tenant, 'domain': 'c%d.onmicrosoft.com' % number,
                                             'companyName': 'Customer %d' % number},
            'relationshipToPartner': relationship, 'attributes': {'objectType': 'Customer'}}
    body['companyProfile'].update(profile)
    return body


def test_the_filter_is_the_documented_url_encoded_json():
    path = customers_path(100, 'company_name', 'Contoso & Co')
    parts = urllib.parse.urlsplit(path)
    assert parts.path == '/v1/customers'
    query = urllib.parse.parse_qs(parts.query)
    assert query['size'] == ['100']
    assert json.loads(query['filter'][0]) == {'Field': 'CompanyName', 'Value': 'Contoso & Co', 'Operator': 'starts_with'}
    # Encoded, not raw: braces, quotes, the ampersand and the space are percent-escaped.
    assert '{' not in parts.query and '"' not in parts.query and ' ' not in parts.query
    assert '%26' in parts.query and '%20' in parts.query
    assert json.loads(urllib.parse.parse_qs(urllib.parse.urlsplit(customers_path(5, 'domain', 'con')).query)['filter'][0])['Field'] == 'Domain'
    assert customers_path(500) == '/v1/customers?size=500'


@pytest.mark.parametrize('size, ok', [(1, True), (500, True), (0, False), (501, False), (True, False), ('10', False)])
def test_page_size_bounds(size, ok):
    assert (check_page_size(size) is None) is ok


@pytest.mark.parametrize('field, value, ok', [
    ('company_name', 'Con', True), ('domain', 'con', True), ('tenant_id', 'x', False),
    ('domain', '', False), ('domain', '  ', False), ('domain', 'a\nb', False), ('domain', 'x' * 257, False),
])
def test_filter_checks(field, value, ok):
    assert (check_filter(field, value) is None) is ok


def test_shape_customer_gives_the_host_vars():
    assert shape_customer(customer(1, relationship='Reseller')) == {
        'customer_id': '00000000-0000-4000-8000-000000000001',
        'tenant_id': '00000000-0000-4000-8000-000000000001',
        'domain': 'c1.onmicrosoft.com',
        'company_name': 'Customer 1',
        'relationship_to_partner': 'reseller',
    }
    sparse = shape_customer({'id': 'abc', 'relationshipToPartner': 'somethingNew'})
    assert sparse == {'customer_id': 'abc', 'tenant_id': 'abc', 'domain': None, 'company_name': None,
                      'relationship_to_partner': 'somethingNew'}
    with pytest.raises(ResponseError, match='no id'):
        shape_customer({'companyProfile': {}})


def test_every_page_is_read_with_one_token(monkeypatch):
    requests = []
    nxt = {'uri': '/customers?size=2&seekOperation=Next', 'method': 'GET',
           'headers': [{'key': 'MS-ContinuationToken', 'value': 'page-2'}]}
    pages = [{'totalCount': 3, 'items': [customer(1), customer(2)], 'links': {'next': nxt}},
             {'totalCount': 3, 'items': [customer(3)], 'links': {}}]

    def send_once(method, url, headers, body):
        requests.append((url.replace(BASE, ''), headers.get('MS-ContinuationToken'), headers['Authorization']))
        return Response(200, None, {}, json.dumps(pages[len(requests) - 1]).encode())

    auth = StaticTokenAuth(TOKEN)
    client = PartnerCenterClient(BASE, auth, retries=0)
    monkeypatch.setattr(client, '_send_once', send_once)
    customers, count = list_customers(client, 2, 'domain', 'c')
    assert count == 2
    assert [item['domain'] for item in customers] == ['c1.onmicrosoft.com', 'c2.onmicrosoft.com', 'c3.onmicrosoft.com']
    assert requests[1][:2] == ('/v1/customers?size=2&seekOperation=Next', 'page-2')
    assert set(request[2] for request in requests) == {'Bearer ' + TOKEN}


def test_a_page_without_items_is_a_clear_error(monkeypatch):
    client = PartnerCenterClient(BASE, StaticTokenAuth(TOKEN), retries=0)
    monkeypatch.setattr(client, '_send_once', lambda *args: Response(200, None, {}, b'{"value": []}'))
    with pytest.raises(ResponseError, match='no list of items'):
        list_customers(client)
