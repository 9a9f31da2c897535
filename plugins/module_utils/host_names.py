# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory host names made from customer text, safe on every supported ansible-core.

A customer's company name and domain are set by that customer's own admin. ansible-core before
2.19 templates a host name where a play uses it (``inventory_hostname``), so a name holding
``{{``, ``{%`` or ``{#`` would run on the controller; ``,``, ``:``, ``[``, ``]``, ``!``, ``&``,
``*``, ``~``, ``@`` and whitespace mean something in host patterns. A name is therefore made of
ASCII letters, digits, ``_``, ``-`` and ``.`` only, or it is not made at all:

- a domain is used as it is when it is a DNS name (labels of letters, digits and hyphens, dots
  between them, at most 253 characters), and not otherwise;
- a company name is reduced: accents dropped, letters lower-cased, every run of other characters
  one ``_``; nothing left means no name;
- a tenant id is used when it is a GUID (lower-cased), and not otherwise.

Names Ansible gives a meaning of its own (RESERVED_HOST_NAMES) are never a customer's host name.
"""

import re
import unicodedata

from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_domain, is_guid

# Ansible's own groups, and the names ansible-core treats as the controller itself (implicit localhost).
RESERVED_HOST_NAMES = frozenset(('all', 'ungrouped', 'localhost', '127.0.0.1', '::1'))
# As long as a DNS label: a company name is a name, not a description.
MAX_COMPANY_NAME_CHARS = 63
_UNSAFE_RUN = re.compile(r'[^a-z0-9_.-]+')
SAFE_NAME = re.compile(r'[A-Za-z0-9_.-]+')
# How much of an untrusted id a warning shows.
MAX_SHOWN_CHARS = 80


def domain_host_name(domain):
    """``domain`` when it is a DNS name, else None."""
    return domain if is_domain(domain) else None


def tenant_host_name(tenant_id):
    """``tenant_id`` lower-cased when it is a GUID, else None."""
    return tenant_id.lower() if is_guid(tenant_id) else None


def company_host_name(company_name):
    """``company_name`` reduced to lower-case ASCII letters, digits, ``_``, ``-`` and ``.``; None when nothing is left."""
    if not isinstance(company_name, str):
        return None
    ascii_text = unicodedata.normalize('NFKD', company_name).encode('ascii', 'ignore').decode('ascii')
    name = _UNSAFE_RUN.sub('_', ascii_text.lower())[:MAX_COMPANY_NAME_CHARS].strip('_.-')
    return name or None


HOST_NAME_RULES = {
    'domain': domain_host_name,
    'tenant_id': tenant_host_name,
    'company_name': company_host_name,
}


def host_name(field, value):
    """The safe host name that the customer field ``field`` (domain, tenant_id, company_name) with ``value`` gives, or None."""
    return HOST_NAME_RULES[field](value)


def shown(value):
    """An untrusted id as a warning may show it: one line, quoted where it is not a plain safe name, and short."""
    if isinstance(value, str) and SAFE_NAME.fullmatch(value) and len(value) <= MAX_SHOWN_CHARS:
        return value
    text = value if isinstance(value, str) else repr(value)
    return ascii(text[:MAX_SHOWN_CHARS]) + ('...' if len(text) > MAX_SHOWN_CHARS else '')
