# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of host_names.py: the host name each customer field gives, and what never becomes one."""

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.host_names import (
    RESERVED_HOST_NAMES,
    SAFE_NAME,
    company_host_name,
    domain_host_name,
    host_name,
    shown,
    tenant_host_name,
)


def is_safe_host_name(name):
    """Whether ``name`` is a host name the rules could have made, and not a reserved one."""
    return (isinstance(name, str) and bool(SAFE_NAME.fullmatch(name)) and name.lower() not in RESERVED_HOST_NAMES
            and not name.startswith(('-', '.')))


TENANT = '9C6F4A3E-1B2D-4C5E-8F70-A1B2C3D4E5F6'
# Jinja's delimiters, host pattern operators, whitespace and control characters.
HOSTILE = [
    "{{ lookup('pipe', 'id > /tmp/x') }}", '{% if true %}x{% endif %}', '{# c #}', 'a,b', 'a:b', 'a[0:2]', '!a', '&a', 'a*',
    'a b', 'a\tb', 'a\nb', '~a.*', '@a', 'a\x00b', '\u2028', 'a{{b', 'a}}b', '${a}', "a'b", 'a"b', 'a;b', 'a|b', 'a/b',
]


@pytest.mark.parametrize('domain', ['contoso.onmicrosoft.com', 'a.bc', 'x-1.y-2.example', 'Contoso.OnMicrosoft.com',
                                    'a' * 63 + '.com'])
def test_a_dns_name_is_its_own_host_name(domain):
    assert domain_host_name(domain) == domain
    assert is_safe_host_name(domain)


@pytest.mark.parametrize('domain', HOSTILE + [
    None, '', 'localhost', 'all', '127.0.0.1', '-a.com', 'a-.com', 'a..com', '.a.com', 'a.com.', 'a_b.com', 'a.c0m1',
    'a' * 64 + '.com', ('a' * 60 + '.') * 5 + 'com', 'ä.com', 'xn--nxasmq6b.com{{x}}', 42,
])
def test_anything_but_a_dns_name_gives_no_domain_host_name(domain):
    assert domain_host_name(domain) is None


@pytest.mark.parametrize('company, expected', [
    ('Contoso Ltd.', 'contoso_ltd'),
    ('Wingtip Toys', 'wingtip_toys'),
    ('Müller & Söhne GmbH', 'muller_sohne_gmbh'),
    ('A.B-C_D', 'a.b-c_d'),
    ("{{ lookup('pipe', 'touch /tmp/marker') }}", 'lookup_pipe_touch_tmp_marker'),
    ('{% for x in y %}', 'for_x_in_y'),
    ('{# note #}', 'note'),
    ('  ..--Name--..  ', 'name'),
    ('x' * 100, 'x' * 63),
    ('All', 'all'),
])
def test_a_company_name_is_reduced_to_a_safe_name(company, expected):
    assert company_host_name(company) == expected


@pytest.mark.parametrize('company', [None, '', '   ', '{{ }}', '株式会社', '!!!', '._-', 42])
def test_a_company_name_with_nothing_safe_gives_no_host_name(company):
    assert company_host_name(company) is None


@pytest.mark.parametrize('text', HOSTILE)
@pytest.mark.parametrize('field', ['domain', 'company_name', 'tenant_id'])
def test_no_hostile_text_reaches_a_host_name(field, text):
    name = host_name(field, text)
    assert name is None or is_safe_host_name(name) or name in RESERVED_HOST_NAMES
    for token in ('{{', '{%', '{#', '}}', ',', ':', '[', ']', '!', '&', '*', ' ', '\t', '\n', '~', '@'):
        assert token not in (name or '')


def test_a_tenant_id_must_be_a_guid():
    assert tenant_host_name(TENANT) == TENANT.lower()
    for text in ['a1', TENANT + '\n', '{%s}' % TENANT, TENANT.replace('-', ''), None, "{{ 'x' }}"]:
        assert tenant_host_name(text) is None


@pytest.mark.parametrize('name', sorted(RESERVED_HOST_NAMES) + ['ALL', 'Localhost'])
def test_reserved_names_are_not_safe_host_names(name):
    assert not is_safe_host_name(name)


def test_shown_keeps_warnings_one_short_line():
    assert shown(TENANT) == TENANT
    assert shown('a\nb\x1b[31m') == "'a\\nb\\x1b[31m'"
    assert len(shown('x' * 500)) < 100
    assert shown(None) == "'None'"
