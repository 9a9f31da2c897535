# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local checks every module shares, run before any request: GUIDs, numbers, URLs, header values, ids in paths.

Each check returns None when the value is fine, else a message fit for a user. A message never
repeats a value that may hold a secret: a URL with user information, a header value.
"""

import ipaddress
import math
import re
import urllib.parse

# Used with fullmatch: `$` alone would also accept a trailing newline, which then breaks a header.
GUID_PATTERN = re.compile(r'[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}')
DOMAIN_PATTERN = re.compile(r'(?=.{4,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}')
# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: none belongs in a
# header value, and http.client would either refuse them or split the header.
CONTROL_CHARACTERS = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029]')

# The bounds of the shared numeric options: (lowest, highest, unit). Documented in the doc fragment.
NUMBER_BOUNDS = {
    'timeout': (0.1, 3600, 'seconds'),
    'retries': (0, 20, None),
    'poll_interval': (0.1, 3600, 'seconds'),
    'wait_timeout': (0, 604800, 'seconds'),
}


def is_guid(value):
    """True when ``value`` is a GUID in its usual 8-4-4-4-12 form."""
    return isinstance(value, str) and bool(GUID_PATTERN.fullmatch(value))


def guid_problem(name, value):
    """None when ``value`` is a GUID (``is_guid``); else a message naming ``name``."""
    if is_guid(value):
        return None
    return '%s must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got %r.' % (name, value)


def is_domain(value):
    """True when ``value`` looks like a DNS domain name (such as contoso.onmicrosoft.com)."""
    return isinstance(value, str) and bool(DOMAIN_PATTERN.fullmatch(value))


def number_problem(name, value, lowest, highest, unit=None):
    """None when ``value`` is a finite number within [lowest, highest]; else why not."""
    unit_text = ' %s' % unit if unit else ''
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return '%s must be a number, got %r.' % (name, value)
    if not math.isfinite(number) or not lowest <= number <= highest:
        return '%s must be a finite number from %s to %s%s, got %s.' % (
            name, _plain(lowest), _plain(highest), unit_text, _plain(number))
    return None


def option_number_problem(name, value):
    """``number_problem`` with the stated bounds of a shared option (NUMBER_BOUNDS)."""
    lowest, highest, unit = NUMBER_BOUNDS[name]
    return number_problem(name, value, lowest, highest, unit)


def _plain(number):
    if isinstance(number, float) and math.isfinite(number) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def has_control_characters(text):
    """True when ``text`` holds a control character or a Unicode line or paragraph separator (CONTROL_CHARACTERS)."""
    return bool(CONTROL_CHARACTERS.search(text))


def is_plain_name(value, trimmed=False):
    """True when ``value`` can name what a task asks for: text, not blank, without control characters;
    with ``trimmed``, also without leading or trailing spaces."""
    if not isinstance(value, str) or not value.strip() or has_control_characters(value):
        return False
    return not trimmed or value == value.strip()


def is_loopback(host):
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def safe_url(url):
    """``url`` as it may be shown: any user information (user:password@) masked."""
    try:
        parts = urllib.parse.urlsplit(str(url))
    except ValueError:
        return '(a URL that cannot be parsed)'
    if '@' in parts.netloc:
        netloc = '********@' + parts.netloc.rpartition('@')[2]
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return str(url)


def url_problem(name, url):
    """None when ``url`` is an https:// URL (or http:// on loopback) with a host, a valid port and no user information."""
    if CONTROL_CHARACTERS.search(url) or any(char.isspace() for char in url):
        return '%s must be a URL without spaces or control characters.' % name
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as error:
        return '%s is not a URL (%s).' % (name, error)
    if '@' in parts.netloc:
        # Never echo it: the part before @ is a user name and, often, a password.
        return ('%s must not hold user information (user:password@): credentials go in client_secret, '
                'refresh_token or access_token. Got %s.' % (name, safe_url(url)))
    if parts.scheme not in ('https', 'http'):
        return '%s must be an https:// URL, got %r.' % (name, url)
    try:
        hostname = parts.hostname
        port = parts.port
    except ValueError:
        return '%s has an invalid port (a number from 1 to 65535 after the host), got %r.' % (name, url)
    if not hostname:
        return '%s must be an https:// URL with a host name, got %r.' % (name, url)
    if port == 0 or parts.netloc.endswith(':'):
        return '%s has an invalid port (a number from 1 to 65535 after the host), got %r.' % (name, url)
    if parts.scheme == 'http' and not is_loopback(hostname):
        # Plain HTTP would send secrets and tokens in clear text; loopback is for a local simulator.
        return ('%s must use https:// (http:// is accepted only for loopback addresses such as a local '
                'simulator), got %r.' % (name, url))
    if parts.query or parts.fragment:
        return '%s must not have a query string or fragment, got %r.' % (name, url)
    return None


def header_value_problem(name, value):
    """None when ``value`` can be sent as header ``name``; else why not, without repeating the value."""
    if not isinstance(value, str):
        return 'the %s header value is a %s, not text' % (name, type(value).__name__)
    match = CONTROL_CHARACTERS.search(value)
    if match:
        return ('the %s header value holds a line break or another control character (U+%04X at position %d; '
                'the value is not shown)' % (name, ord(match.group()), match.start()))
    try:
        value.encode('latin-1')
    except UnicodeEncodeError:
        return 'the %s header value holds characters that HTTP headers cannot carry (the value is not shown)' % name
    return None


# -- ids that enter a request path ---------------------------------------------------------------------
# One rule per kind of id. An id read from an answer is data: before it names what a changing request
# (DELETE, PUT, PATCH) acts on, it must have the shape of its kind. URL quoting leaves "." and ".." as
# they are, and a proxy that normalises dot segments would send the request to the parent resource.

def _shown(value):
    """``value`` as a message shows it: repr (control characters escaped), at most 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + '...'


def path_segment_problem(value):
    """None when ``value`` is a non-empty string usable as one plain path segment; else why not.

    Not ``.`` or ``..``, no ``/ \\ % ? #``, no control characters, no surrounding spaces.
    """
    if not isinstance(value, str):
        return 'is null' if value is None else 'is %s (%s), not text' % (_shown(value), type(value).__name__)
    if not value.strip():
        return 'is empty'
    if value in ('.', '..'):
        return 'is %s, a dot segment' % _shown(value)
    if value != value.strip() or CONTROL_CHARACTERS.search(value) or any(char in value for char in '/\\%?#'):
        return 'is %s, which is not a plain path segment' % _shown(value)
    return None


def _guid_id_problem(value):
    if is_guid(value):
        return None
    return path_segment_problem(value) or 'is %s, not a GUID' % _shown(value)


def policy_id_problem(value):
    """None when ``value`` can be the id of an Autopilot profile (configuration policy) in a request; else why not.

    Partner Center documents a policy id as "a GUID-formatted string" (device deployment resources,
    ConfigurationPolicy).
    """
    return _guid_id_problem(value)


def device_id_problem(value):
    """None when ``value`` can be the id of a device in a request; else why not.

    Partner Center documents a device id as "a GUID-formatted string" (device deployment resources,
    Device), and every example shows one; the .NET SDK types it as a string.
    """
    return _guid_id_problem(value)


def batch_name_problem(value):
    """None when ``value`` can name a device batch in a request path; else why not.

    A batch id is a name the partner chose (``batchId`` of the upload), any text: it is quoted into the
    path, so only what quoting leaves as it is, and what no name means, are refused: empty, ``.``,
    ``..``, control characters.
    """
    if not isinstance(value, str):
        return 'is null' if value is None else 'is %s (%s), not text' % (_shown(value), type(value).__name__)
    if not value.strip():
        return 'is empty'
    if value.strip() in ('.', '..'):
        return 'is %s, a dot segment' % _shown(value)
    if CONTROL_CHARACTERS.search(value):
        return 'is %s, which holds control characters' % _shown(value)
    return None
