# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of paging.py: links.next followed (its continuation header only), the continuation token, and the bounds."""

import json

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.paging import MAX_PAGES, next_path, read_pages

BASE = 'https://pc.example.test'
PATH = '/v1/customers/c/deviceBatches/b/devices'


def pages_client(monkeypatch, pages, sent=None, warnings=None):
    """A client answering each GET with the next of ``pages`` (dicts, or a callable of the call number); returns (client, calls).

    ``sent``, when given, receives the headers of every request; ``warnings`` the client's warnings.
    """
    calls = []

    def send_once(method, url, headers, body):
        calls.append((url.replace(BASE, ''), headers.get('MS-ContinuationToken')))
        if sent is not None:
            sent.append(dict(headers))
        page = pages(len(calls)) if callable(pages) else pages[len(calls) - 1]
        return Response(200, None, {'MS-RequestId': 'rid'}, json.dumps(page).encode())

    client = PartnerCenterClient(BASE, StaticTokenAuth('token-value-for-unit-tests'), retries=0,
                                 warn=None if warnings is None else warnings.append)
    monkeypatch.setattr(client, '_send_once', send_once)
    return client, calls


def items(body):
    return list(body.get('items') or [])


def test_links_next_is_followed_with_its_query_and_headers(monkeypatch):
    nxt = {'uri': '/v1/customers/c/deviceBatches/b/devices?seekOperation=Next', 'method': 'GET',
           'headers': [{'key': 'MS-ContinuationToken', 'value': 't1'}]}
    client, calls = pages_client(monkeypatch, [{'items': [1, 2], 'links': {'next': nxt}}, {'items': [3]}])
    assert read_pages(client, PATH, 'PC', items) == ([1, 2, 3], 2)
    assert calls == [(PATH, None), (PATH + '?seekOperation=Next', 't1')]


def test_continuation_token_goes_back_in_the_header(monkeypatch):
    client, calls = pages_client(monkeypatch, [{'items': [1], 'continuationToken': 'a'}, {'items': [2]}])
    assert read_pages(client, PATH, 'PC', items) == ([1, 2], 2)
    assert calls == [(PATH, None), (PATH, 'a')]


@pytest.mark.parametrize('uri, expected', [
    ('/customers/c/x?seekOperation=Next', '/v1/customers/c/x?seekOperation=Next'),
    ('/v1/customers/c/x', '/v1/customers/c/x'),
    ('customers/c/x', '/v1/customers/c/x'),
    (BASE + '/v1/customers/c/x?a=1', '/v1/customers/c/x?a=1'),
])
def test_next_path_forms(uri, expected):
    assert next_path(uri, BASE) == expected


@pytest.mark.parametrize('uri', ['https://evil.example.test/v1/customers', 'http://pc.example.test/v1/x', '', 42, 'a\r\nb'])
def test_next_path_refuses_other_hosts_and_junk(uri):
    with pytest.raises(ResponseError):
        next_path(uri, BASE)


@pytest.mark.parametrize('page, shown', [
    ({'items': [], 'links': 'next'}, 'links is a str, not an object'),
    ({'items': [], 'links': {'next': ['x']}}, 'links.next is a list, not an object'),
    ({'items': [], 'links': {'next': {'uri': '/x', 'headers': 'h'}}}, 'links.next.headers is a str, not a list'),
    ({'items': [], 'links': {'next': {'uri': '/x', 'headers': [{'key': 'MS-ContinuationToken', 'value': 'x\r\ny'}]}}},
     'holds a line break'),
    ({'items': [], 'links': {'next': {'uri': '/x', 'headers': [{'key': 'ms-continuationtoken', 'value': 't\u00e9'}]}}},
     'printable ASCII'),
    ({'items': [], 'links': {'next': {'uri': '/x', 'headers': [{'key': 'MS-ContinuationToken', 'value': ' '}]}}}, 'is empty'),
    ({'items': [], 'continuationToken': 'a\x7fb'}, 'printable ASCII'),
    ({'items': [], 'links': {'next': {'uri': '/x', 'method': 'POST'}}}, "links.next.method is 'POST', not GET"),
    ({'items': [], 'continuationToken': {'a': 1}}, 'continuationToken is a dict, not a string'),
    ({'items': [], 'continuationToken': ['a']}, 'continuationToken is a list, not a string'),
    ({'items': [], 'continuationToken': 1.5}, 'continuationToken is a float, not a string'),
    (['not', 'a', 'page'], 'the page is a list, not an object'),
])
def test_pages_that_cannot_be_followed_are_clear_errors(monkeypatch, page, shown):
    client = pages_client(monkeypatch, [page])[0]
    with pytest.raises(ResponseError) as caught:
        read_pages(client, PATH, 'PC', items)
    assert shown in caught.value.message
    assert caught.value.request_id == 'rid' and caught.value.http_status == 200


def test_total_count_is_the_page_not_the_listing(monkeypatch):
    # Microsoft's ResourceCollection.TotalCount is the number of items of one page: it sets no bound on the pages.
    def page(number):
        body = {'totalCount': 2, 'items': [number, number]}
        if number < 5:
            body['continuationToken'] = 't%d' % number
        return body

    client, calls = pages_client(monkeypatch, page)
    assert read_pages(client, PATH, 'PC', items) == ([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], 5)
    assert len(calls) == 5


def test_max_pages_covers_the_largest_listings():
    # A 10,000-device batch is 100 pages; 50,000 customers at 100 a page are 500.
    assert MAX_PAGES >= 500


def test_only_the_continuation_header_of_a_next_link_is_sent(monkeypatch):
    foreign = [{'key': name, 'value': value} for name, value in (
        ('Authorization', 'Bearer attacker'), ('Host', 'evil.example.test'), ('Cookie', 'a=b'),
        ('Proxy-Authorization', 'Basic eA=='), ('Content-Length', '100000'), ('Transfer-Encoding', 'chunked'),
        ('X-Locale', 'xx-XX'), ('MS-RequestId', 'chosen'), ('bad name: {{x}}', 'v'))]
    nxt = {'uri': PATH + '?seekOperation=Next', 'headers': foreign + [{'key': 'MS-ContinuationToken', 'value': 't1'}]}
    second = {'uri': PATH + '?seekOperation=Next&p=3', 'headers': {'Cookie': 'c=d', 'ms-continuationtoken': 't2'}}
    sent, warnings = [], []
    client, calls = pages_client(monkeypatch, [{'items': [1], 'links': {'next': nxt}}, {'items': [2], 'links': {'next': second}},
                                               {'items': [3]}], sent=sent, warnings=warnings)
    assert read_pages(client, PATH, 'PC', items) == ([1, 2, 3], 3)
    assert [call[1] for call in calls] == [None, 't1', 't2']
    for headers in sent:
        names = set(name.lower() for name in headers)
        assert not names & {'host', 'cookie', 'proxy-authorization', 'content-length', 'transfer-encoding'}
        assert headers['Authorization'] == 'Bearer token-value-for-unit-tests'
        assert headers['X-Locale'] == 'en-US' and headers['MS-RequestId'] != 'chosen'
    assert len(warnings) == 1, warnings
    assert 'Authorization, Content-Length, Cookie, Host' in warnings[0] and 'an entry whose key is no header name' in warnings[0]
    assert 'attacker' not in warnings[0] and '{{' not in warnings[0]


def test_a_new_token_on_every_page_stops_at_the_cap_without_a_total(monkeypatch):
    client, calls = pages_client(monkeypatch, lambda number: {'items': [], 'continuationToken': 't%d' % number})
    with pytest.raises(ResponseError):
        read_pages(client, PATH, 'PC', items, max_pages=5)
    assert len(calls) == 5


def test_the_same_token_twice_stops(monkeypatch):
    client, calls = pages_client(monkeypatch, lambda number: {'items': [number], 'continuationToken': 'same'})
    with pytest.raises(ResponseError) as caught:
        read_pages(client, PATH, 'PC', items)
    assert 'asked for the same page twice' in caught.value.message and len(calls) == 2


def test_the_clients_own_headers_win_over_a_callers(monkeypatch):
    sent = []
    client = pages_client(monkeypatch, [{'items': []}], sent=sent)[0]
    client.get_json(PATH, 'PC', headers={'authorization': 'Bearer attacker', 'X-LOCALE': 'xx', 'MS-ContinuationToken': 't'})
    headers = dict((name.lower(), value) for name, value in sent[0].items())
    assert headers['authorization'] == 'Bearer token-value-for-unit-tests'
    assert headers['x-locale'] == 'en-US' and headers['ms-continuationtoken'] == 't'
    assert len(sent[0]) == len(headers)
