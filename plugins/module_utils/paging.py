# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Following the pages of a Partner Center collection, the way Microsoft's SDK pager does, and bounded.

A page is ``{totalCount, items, links: {self, next}, continuationToken}``. ``totalCount`` is the
number of items of that page, not of the listing (.NET SDK ``ResourceCollection.TotalCount``
returns ``internalItems.Count``), and a page may hold fewer items than the ``size`` asked for, so
neither says how many pages are left. When ``links.next`` is there, the next request goes to its
``uri`` (which may carry a query such as ``seekOperation=Next``, and may start with ``/v1`` or not,
or be absolute on the same host). Of its ``headers`` only ``MS-ContinuationToken`` is sent, the one
header Microsoft's next links carry (REST reference examples of invoice line items); a server's
answer never picks any other header of a request. Without a next link, ``continuationToken`` goes
back in the ``MS-ContinuationToken`` header of the same request. Every page is checked where it is
read, and a server that hands out a new token on every page cannot keep a task busy: a repeated
request or MAX_PAGES ends it clearly.
"""

import re
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError

CONTINUATION_HEADER = 'MS-ContinuationToken'
# Pages hold 100 items, or fewer: a 10,000-device batch (the largest upload) is 100 pages, and a partner with
# 50,000 customers 500 pages even when the service gives 100 a page whatever size is asked. 1,000 pages cover
# twice that, and still stop a server that never stops handing out pages.
MAX_PAGES = 1000
# A next request is a GET; its headers are few and short.
MAX_NEXT_HEADERS = 16
MAX_HEADER_VALUE_CHARS = 8192
# A header name a warning may repeat: a plain token, short.
_SHOWN_HEADER_NAME = re.compile(r'[A-Za-z0-9._-]{1,64}')


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
    """(the headers a next request sends, the names of those it leaves out) from links.next.

    ``headers`` is a list of {key, value} (or an object of name: value). Only MS-ContinuationToken
    (any letter case) is taken, and its value must be one line of printable text.
    """
    raw = next_link.get('headers')
    if raw is None:
        return {}, []
    if isinstance(raw, dict):
        raw = [{'key': key, 'value': value} for key, value in raw.items()]
    if not isinstance(raw, list):
        raise ResponseError('links.next.headers is a %s, not a list' % _type_name(raw))
    if len(raw) > MAX_NEXT_HEADERS:
        raise ResponseError('links.next.headers has %d entries, more than %d' % (len(raw), MAX_NEXT_HEADERS))
    headers = {}
    ignored = []
    for index, header in enumerate(raw):
        if not isinstance(header, dict):
            raise ResponseError('links.next.headers[%d] is a %s, not an object' % (index, _type_name(header)))
        name = header.get('key')
        if not isinstance(name, str) or name.lower() != CONTINUATION_HEADER.lower():
            ignored.append(_header_name_shown(name))
            continue
        headers[CONTINUATION_HEADER] = _continuation_value(header.get('value'), 'links.next.headers[%d].value' % index)
    return headers, ignored


def _header_name_shown(name):
    """A header name from an answer as a warning shows it: only when it is a plain token, and short."""
    if isinstance(name, str) and _SHOWN_HEADER_NAME.fullmatch(name):
        return name
    return 'an entry whose key is no header name'


def _continuation_value(value, where):
    value = _header_value(value, where)
    # Printable ASCII only: http.client would send other text as Latin-1, and a token is plain text.
    if not value.strip() or not all(32 <= ord(char) <= 126 for char in value):
        raise ResponseError('%s is empty or holds characters other than printable ASCII, which a continuation token does '
                            'not' % where)
    return value


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
    """(path, headers, names of the next link's headers left out) of the request for the page after ``page``, or None."""
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
        headers, ignored = _next_headers(next_link)
        return next_path(next_link.get('uri'), base_url), headers, ignored
    token = page.get('continuationToken')
    if token is None or token == '':
        return None
    if not isinstance(token, str):
        raise ResponseError('continuationToken is a %s, not a string' % _type_name(token))
    return path, {CONTINUATION_HEADER: _continuation_value(token, 'continuationToken')}, []


def read_pages(client, path, what, shape_page, max_pages=MAX_PAGES):
    """GET ``path`` and every page after it; return (the shaped pages' items, one list, and the number of pages).

    ``shape_page(body)`` checks one page (a dict) and returns its items, raising ResponseError when the
    page is not what the API documents; the client gives that error the answer's status and ids.
    ResponseError when the pages do not end: the same next request twice, or more than ``max_pages``.
    Headers of a next link other than MS-ContinuationToken are left out, with one warning per listing.
    """
    items = []
    seen = set([(path, ())])
    headers = None
    request_path = path
    pages = 0
    warned = False
    while True:
        label = '%s GET %s (page %d)' % (what, path, pages + 1)
        page_items, following = client.get_json(
            request_path, label, headers=headers,
            shape=lambda body: _checked_page(body, shape_page, path, client.base_url))
        pages += 1
        items.extend(page_items)
        if following is None:
            return items, pages
        request_path, headers, ignored = following
        if ignored and not warned:
            warned = True
            client.warn('%s GET %s: the next link of page %d asks for headers that are not sent (%s); only %s is taken '
                        'from a next link.' % (what, path, pages, ', '.join(sorted(set(ignored))), CONTINUATION_HEADER))
        key = (request_path, tuple(sorted(headers.items())))
        if key in seen:
            raise ResponseError('%s GET %s: the service asked for the same page twice (page %d); stopping after %d items.'
                                % (what, path, pages + 1, len(items)))
        if pages >= max_pages:
            raise ResponseError('%s GET %s: still more pages after %d pages and %d items (at most %d pages are read); '
                                'stopping.' % (what, path, pages, len(items), max_pages))
        seen.add(key)


def _checked_page(body, shape_page, path, base_url):
    if not isinstance(body, dict):
        raise ResponseError('Partner Center answered 200 but the page is a %s, not an object' % _type_name(body))
    try:
        return shape_page(body), next_request(body, path, base_url)
    except ResponseError as error:
        if not error.message.startswith('Partner Center'):
            error.message = 'Partner Center answered 200 with a page that cannot be followed: ' + error.message
        raise
