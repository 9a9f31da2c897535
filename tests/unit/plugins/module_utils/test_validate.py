# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of validate.py: the local checks that run before any request."""

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.validate import (
    guid_problem,
    has_control_characters,
    header_value_problem,
    is_guid,
    is_plain_name,
    number_problem,
    option_number_problem,
    safe_url,
    url_problem,
)

GUID = '47021739-3426-40bf-9601-61b4b6d7c793'


def test_is_guid():
    assert is_guid(GUID)
    assert not is_guid(GUID + '\n') and not is_guid(None) and not is_guid(GUID[:-1])


def test_guid_problem_names_the_option_and_shows_an_example():
    assert guid_problem('customer_id', GUID) is None
    assert guid_problem('customer_id', 'nope') == "customer_id must be a GUID such as %s, got 'nope'." % GUID


@pytest.mark.parametrize('value', ['nan', float('nan'), float('inf'), float('-inf'), 1e10, -1, 0, 'x', None, [1]])
def test_timeout_refuses_non_finite_and_out_of_bounds(value):
    problem = option_number_problem('timeout', value)
    assert problem is not None and problem.startswith('timeout must be')


@pytest.mark.parametrize('name, value', [('timeout', 30), ('timeout', 0.1), ('retries', 0), ('retries', 20),
                                         ('poll_interval', 0.1), ('wait_timeout', 0), ('wait_timeout', 604800)])
def test_bounds_accept_values_within(name, value):
    assert option_number_problem(name, value) is None


def test_number_problem_states_bounds_and_value():
    assert number_problem('poll_interval', float('nan'), 0.1, 3600, 'seconds') == (
        'poll_interval must be a finite number from 0.1 to 3600 seconds, got nan.')
    assert number_problem('timeout', 1e10, 0.1, 3600, 'seconds') == (
        'timeout must be a finite number from 0.1 to 3600 seconds, got 10000000000.')


@pytest.mark.parametrize('url', ['http://user:secret-PASS-1234@127.0.0.1:8080', 'https://user:secret-PASS-1234@pc.example.test',
                                 'https://:secret-PASS-1234@pc.example.test/x'])
def test_user_information_is_refused_without_echoing_the_password(url):
    problem = url_problem('base_url', url)
    assert 'must not hold user information' in problem
    assert 'secret-PASS-1234' not in problem and 'user:secret' not in problem and '********@' in problem


@pytest.mark.parametrize('url, words', [
    ('https://pc.example.test:99999', 'invalid port'),
    ('https://pc.example.test:abc', 'invalid port'),
    ('https://pc.example.test:0', 'invalid port'),
    ('https://pc.example.test:', 'invalid port'),
    ('ftp://pc.example.test', 'https:// URL'),
    ('https://', 'with a host name'),
    ('http://pc.example.test', 'loopback'),
    ('https://pc.example.test/\r\nX: y', 'control characters'),
    ('https://pc.example.test/a b', 'without spaces'),
    ('https://pc.example.test/?a=b', 'query string'),
])
def test_bad_urls_are_refused(url, words):
    assert words in url_problem('base_url', url)


@pytest.mark.parametrize('url', ['https://api.partnercenter.microsoft.com', 'http://127.0.0.1:8080', 'http://localhost:1/x',
                                 'http://[::1]:8443', 'https://pc.example.test:443/base'])
def test_good_urls_pass(url):
    assert url_problem('base_url', url) is None


def test_safe_url_masks_user_information():
    assert safe_url('https://u:p@h.test/x') == 'https://********@h.test/x'
    assert safe_url('https://h.test/x') == 'https://h.test/x'


@pytest.mark.parametrize('value', ['Bearer tok\r\nX-Evil: 1', 'tok\n', 'a\x00b', 'a\x7fb', 'a\u2028b'])
def test_header_values_with_control_characters_are_refused_unshown(value):
    problem = header_value_problem('Authorization', value)
    assert 'control character' in problem and 'the value is not shown' in problem
    assert 'tok' not in problem


def test_header_value_that_http_cannot_carry():
    assert 'cannot carry' in header_value_problem('X-Locale', 'caf\u00e9\u4e2d')
    assert header_value_problem('X-Locale', 'en-US') is None


@pytest.mark.parametrize('text', ['a\x00b', 'a\nb', 'a\tb', 'a\x1bb', 'a\x7fb', 'a\x85b', 'a\x9fb', 'a\u2028b', 'a\u2029b'])
def test_control_characters_are_c0_del_c1_and_unicode_line_separators(text):
    assert has_control_characters(text)
    assert not is_plain_name(text)


@pytest.mark.parametrize('value, trimmed, plain', [
    ('Contoso kiosks', True, True), ('Ünïcode näme', True, True), (' padded ', False, True), (' padded ', True, False),
    ('', False, False), ('   ', False, False), (None, False, False), (42, False, False),
], ids=['name', 'non-ascii', 'padded-allowed', 'padded-refused', 'empty', 'blank', 'none', 'number'])
def test_is_plain_name(value, trimmed, plain):
    assert is_plain_name(value, trimmed=trimmed) is plain
