# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of paging.py: links.next followed as given, the continuation token, and the bounds."""

import json

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.paging import next_path, read_pages

BASE = 'https://pc.example.test'
PATH = '/v1/customers/c/deviceBatches/b/devices'


def pages_client(monkeypatch, pages):
    """A client answering each GET with the next of ``pages`` (dicts, or a callable of the call number); returns (client, calls)."""
    calls = []

    def send_once(method, url, headers, body):
        calls.append((url.replace(BASE, ''), headers.get('MS-ContinuationToken')))
        page = pages(len(calls)) if callable(pages) else pages[len(calls) - 1]
        return Response(200, None, {'MS-RequestId': 'rid'}, json.dumps(page).encode())

    client = PartnerCenterClient(BASE, StaticTokenAuth('token-value-for-unit-tests'), retries=0)
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
    ({'items': [], 'links': {'next': {'uri': '/x', 'headers': [{'key': 'A', 'value': 'x\r\ny'}]}}}, 'holds a line break'),
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


def test_a_new_token_on_every_page_stops_at_what_total_count_could_need(monkeypatch):
    client, calls = pages_client(monkeypatch, lambda number: {'totalCount': 4, 'items': [number, number],
                                                              'continuationToken': 't%d' % number})
    with pytest.raises(ResponseError) as caught:
        read_pages(client, PATH, 'PC', items)
    assert 'still more pages after 3 pages' in caught.value.message and 'totalCount 4' in caught.value.message
    assert len(calls) == 3


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
