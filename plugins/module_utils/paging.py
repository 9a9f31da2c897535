# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Following the pages of a Partner Center collection, the way Microsoft's SDK pager does, and bounded.

A page is ``{totalCount, items, links: {self, next}, continuationToken}``. When ``links.next`` is
there, the next request is exactly what it says: its ``uri`` (which may carry a query such as
``seekOperation=Next``, and may start with ``/v1`` or not, or be absolute on the same host) with
its ``headers`` (usually ``MS-ContinuationToken``). Without it, ``continuationToken`` goes back in
the ``MS-ContinuationToken`` header of the same request. Every page is checked where it is read,
and a server that hands out a new token on every page cannot keep a task busy: a repeated
request, more pages than the stated ``totalCount`` could need, or MAX_PAGES ends it clearly.
"""

import math
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError

CONTINUATION_HEADER = 'MS-ContinuationToken'
# Far beyond any real collection of this API (device pages hold 100: 100,000 devices).
MAX_PAGES = 1000
# A next request is a GET; its headers are few and short.
MAX_NEXT_HEADERS = 16
MAX_HEADER_VALUE_CHARS = 8192


def _type_name(value):
    return 'null' if value is None else type(value).__name__


def _header_value(value, where):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ResponseError('%s is a %s, not a string' % (where, _type_name(value)))
    value = str(value)
    if any(char in value for char in '\r\n\0') or len(value) > MAX_HEADER_VALUE_CHARS:
        # Not echoed: it would go into a header, and may be anything.
        raise ResponseError('%s holds a line break, a NUL or more than %d characters, which no header may'
                            % (where, MAX_HEADER_VALUE_CHARS))
    return value


def _next_headers(next_link):
    """The headers of links.next as a dict; its ``headers`` is a list of {key, value} (or an object of name: value)."""
    raw = next_link.get('headers')
    if raw is None:
        return {}
    if isinstance(raw, dict):
        raw = [{'key': key, 'value': value} for key, value in raw.items()]
    if not isinstance(raw, list):
        raise ResponseError('links.next.headers is a %s, not a list' % _type_name(raw))
    if len(raw) > MAX_NEXT_HEADERS:
        raise ResponseError('links.next.headers has %d entries, more than %d' % (len(raw), MAX_NEXT_HEADERS))
    headers = {}
    for index, header in enumerate(raw):
        if not isinstance(header, dict):
            raise ResponseError('links.next.headers[%d] is a %s, not an object' % (index, _type_name(header)))
        name = _header_value(header.get('key'), 'links.next.headers[%d].key' % index)
        if not name or not all(33 <= ord(char) <= 126 and char != ':' for char in name):
            raise ResponseError('links.next.headers[%d].key is not a header name' % index)
        headers[name] = _header_value(header.get('value'), 'links.next.headers[%d].value' % index)
    return headers


def next_path(uri, base_url):
    """The path and query below ``base_url`` of a links.next ``uri``: relative, with or without /v1, or absolute on base_url's host."""
    if not isinstance(uri, str) or not uri.strip():
        raise ResponseError('links.next.uri is a %s, not a non-empty string' % _type_name(uri))
    if any(char in uri for char in '\r\n\0 '):
        raise ResponseError('links.next.uri holds a space, a line break or a NUL')
    parts = urllib.parse.urlsplit(uri.strip())
    if parts.scheme or parts.netloc:
        base = urllib.parse.urlsplit(base_url)
        if (parts.scheme.lower(), parts.hostname, parts.port) != (base.scheme.lower(), base.hostname, base.port):
            # The bearer token goes with the request: never to another host.
            raise ResponseError('links.next.uri points to %s://%s, not to base_url %s://%s; it is not followed'
                                % (parts.scheme, parts.hostname, base.scheme, base.hostname))
    path = parts.path if parts.path.startswith('/') else '/' + parts.path
    base_path = urllib.parse.urlsplit(base_url).path.rstrip('/')
    if base_path and path.startswith(base_path + '/'):
        path = path[len(base_path):]
    if not path.lower().startswith('/v1/'):
        # Partner Center's links are relative to its /v1 root ("/customers/{id}/..."); some already carry it.
        path = '/v1' + path
    return path + ('?' + parts.query if parts.query else '')


def next_request(page, path, base_url):
    """(path, headers) of the request for the page after ``page``, or None when it is the last one."""
    links = page.get('links')
    if links is not None and not isinstance(links, dict):
        raise ResponseError('links is a %s, not an object' % _type_name(links))
    next_link = (links or {}).get('next')
    if next_link is not None:
        if not isinstance(next_link, dict):
            raise ResponseError('links.next is a %s, not an object' % _type_name(next_link))
        method = next_link.get('method')
        if method is not None and (not isinstance(method, str) or method.upper() != 'GET'):
            raise ResponseError('links.next.method is %r, not GET; it is not followed' % (method,))
        return next_path(next_link.get('uri'), base_url), _next_headers(next_link)
    token = page.get('continuationToken')
    if token is None or token == '':
        return None
    if not isinstance(token, str):
        raise ResponseError('continuationToken is a %s, not a string' % _type_name(token))
    return path, {CONTINUATION_HEADER: _header_value(token, 'continuationToken')}


def _page_bound(first_page_items, total):
    """How many pages the stated totalCount could need, given the size of the first page; None when it says nothing."""
    if isinstance(total, bool) or not isinstance(total, int) or total < 0 or first_page_items <= 0:
        return None
    return max(1, int(math.ceil(float(total) / first_page_items)))


def read_pages(client, path, what, shape_page, max_pages=MAX_PAGES):
    """GET ``path`` and every page after it; return (the shaped pages' items, one list, and the number of pages).

    ``shape_page(body)`` checks one page (a dict) and returns its items, raising ResponseError when the
    page is not what the API documents; the client gives that error the answer's status and ids.
    ResponseError when the pages do not end: the same next request twice, more pages than
    ``totalCount`` could need (plus one: items added meanwhile), or ``max_pages``.
    """
    items = []
    seen = set([(path, ())])
    headers = None
    request_path = path
    pages = 0
    bound = None
    while True:
        label = '%s GET %s (page %d)' % (what, path, pages + 1)
        page, page_items, following = client.get_json(
            request_path, label, headers=headers,
            shape=lambda body: _checked_page(body, shape_page, path, client.base_url))
        pages += 1
        items.extend(page_items)
        if pages == 1:
            bound = _page_bound(len(page_items), page.get('totalCount'))
        if following is None:
            return items, pages
        key = (following[0], tuple(sorted(following[1].items())))
        if key in seen:
            raise ResponseError('%s GET %s: the service asked for the same page twice (page %d); stopping after %d items.'
                                % (what, path, pages + 1, len(items)))
        if pages >= max_pages or (bound is not None and pages >= bound + 1):
            raise ResponseError('%s GET %s: still more pages after %d pages and %d items (totalCount %s, at most %d pages '
                                'are read); stopping.' % (what, path, pages, len(items), page.get('totalCount'),
                                                          max_pages if bound is None else min(max_pages, bound + 1)))
        seen.add(key)
        request_path, headers = following


def _checked_page(body, shape_page, path, base_url):
    if not isinstance(body, dict):
        raise ResponseError('Partner Center answered 200 but the page is a %s, not an object' % _type_name(body))
    try:
        return body, shape_page(body), next_request(body, path, base_url)
    except ResponseError as error:
        if not error.message.startswith('Partner Center'):
            error.message = 'Partner Center answered 200 with a page that cannot be followed: ' + error.message
        raise
