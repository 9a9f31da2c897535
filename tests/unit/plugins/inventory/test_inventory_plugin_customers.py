# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the customers inventory plugin with the listing mocked: names, host vars, groups, cache, errors."""

from unittest import mock

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.inventory import BaseInventoryPlugin

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 trusts every template
    def trust_as_template(value):
        return value

from ansible_collections.partnercenter.devices.plugins.inventory import customers as plugin_module
from ansible_collections.partnercenter.devices.plugins.module_utils.customers import CUSTOMER_KEYS
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError

SECRET = 'inventory-secret-DO-NOT-LEAK-1234'
A1 = 'a1a1a1a1-0000-4000-8000-000000000001'
B2 = 'b2b2b2b2-0000-4000-8000-000000000002'
C3 = 'c3c3c3c3-0000-4000-8000-000000000003'
CUSTOMERS = [
    {'customer_id': A1, 'tenant_id': A1, 'domain': 'alpha.onmicrosoft.com', 'company_name': 'Alpha',
     'relationship_to_partner': 'reseller'},
    {'customer_id': B2, 'tenant_id': B2, 'domain': 'beta.onmicrosoft.com', 'company_name': 'Alpha',
     'relationship_to_partner': 'advisor'},
    {'customer_id': C3, 'tenant_id': C3, 'domain': None, 'company_name': 'Gamma',
     'relationship_to_partner': 'reseller'},
]


def make_plugin(tmp_path, **options):
    config = tmp_path / 'customers.partnercenter.yml'
    config.write_text('plugin: partnercenter.devices.customers\n')
    values = {
        'plugin': 'partnercenter.devices.customers', 'hostnames': 'domain', 'page_size': 500,
        'company_name_starts_with': None, 'domain_starts_with': None,
        'compose': {}, 'groups': {}, 'keyed_groups': [], 'strict': False, 'use_extra_vars': False,
        'leading_separator': True, 'cache': False,
        'tenant_id': '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6', 'client_id': '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e',
        'client_secret': SECRET, 'refresh_token': None, 'access_token': None, 'cloud': 'global',
        'base_url': 'http://127.0.0.1:9', 'authority_url': 'http://127.0.0.1:9', 'validate_certs': True,
        'timeout': 5.0, 'retries': 0, 'locale': 'en-US', 'correlation_id': None,
    }
    values.update(options)
    plugin = plugin_module.InventoryModule()
    plugin.get_option = mock.MagicMock(side_effect=values.get)
    plugin._read_config_data = mock.MagicMock()  # pylint: disable=protected-access
    plugin._cache = {}  # pylint: disable=protected-access
    return plugin, str(config)


def parse(plugin, path, cache=True):
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), path, cache=cache)
    return inventory


@pytest.mark.parametrize('path, ok', [
    ('/x/customers.partnercenter.yml', True), ('/x/partnercenter.yaml', True),
    ('/x/customers.yml', False), ('/x/partnercenter.yml.bak', False),
])
def test_verify_file_by_suffix(path, ok):
    with mock.patch.object(BaseInventoryPlugin, 'verify_file', return_value=True):
        assert plugin_module.InventoryModule().verify_file(path) is ok


def test_hosts_vars_and_unique_names(tmp_path):
    plugin, path = make_plugin(tmp_path, hostnames='company_name',
                               strict=True,
                               keyed_groups=[{'key': trust_as_template('relationship_to_partner'), 'prefix': 'relationship'}])
    with mock.patch.object(plugin_module, 'list_customers', return_value=(CUSTOMERS, 1)) as listing:
        inventory = parse(plugin, path)
    assert listing.call_count == 1
    assert sorted(inventory.hosts) == ['alpha', 'alpha_' + B2, 'gamma']
    assert inventory.get_host('alpha_' + B2).vars['customer_id'] == B2
    assert {key: inventory.get_host('gamma').vars[key] for key in CUSTOMER_KEYS} == CUSTOMERS[2]
    assert sorted(host.name for host in inventory.groups['relationship_reseller'].get_hosts()) == ['alpha', 'gamma']
    assert [host.name for host in inventory.groups['relationship_advisor'].get_hosts()] == ['alpha_' + B2]


def test_a_customer_without_the_name_field_is_named_by_tenant(tmp_path):
    plugin, path = make_plugin(tmp_path)
    with mock.patch.object(plugin_module, 'list_customers', return_value=(CUSTOMERS, 1)):
        inventory = parse(plugin, path)
    assert sorted(inventory.hosts) == ['alpha.onmicrosoft.com', 'beta.onmicrosoft.com', C3]


def test_filter_and_page_size_reach_the_listing(tmp_path):
    plugin, path = make_plugin(tmp_path, domain_starts_with='al', page_size=50)
    with mock.patch.object(plugin_module, 'list_customers', return_value=(CUSTOMERS[:1], 1)) as listing:
        parse(plugin, path)
    client, size, field, value = listing.call_args[0]
    assert (size, field, value) == (50, 'domain', 'al')
    assert SECRET in client.secrets


@pytest.mark.parametrize('options, message', [
    ({'domain_starts_with': 'a', 'company_name_starts_with': 'b'}, 'mutually exclusive'),
    ({'page_size': 0}, 'page_size'),
    ({'domain_starts_with': 'a\tb'}, 'control characters'),
    ({'base_url': 'http://pc.example.com'}, 'https://'),
    ({'client_secret': None}, 'No Partner Center credential'),
])
def test_bad_options_fail_before_any_request(tmp_path, options, message):
    plugin, path = make_plugin(tmp_path, **options)
    with mock.patch.object(plugin_module, 'list_customers') as listing:
        with pytest.raises(AnsibleParserError, match=message):
            parse(plugin, path)
    assert listing.call_count == 0


def test_service_errors_are_redacted(tmp_path):
    plugin, path = make_plugin(tmp_path)
    error = ApiError('Partner Center refused GET /v1/customers: HTTP 403 (client_secret %s)' % SECRET, http_status=403)
    with mock.patch.object(plugin_module, 'list_customers', side_effect=error):
        with pytest.raises(AnsibleParserError) as raised:
            parse(plugin, path)
    assert 'HTTP 403' in str(raised.value) and SECRET not in str(raised.value)


def test_cache_is_used_and_filled(tmp_path):
    plugin, path = make_plugin(tmp_path, cache=True)
    with mock.patch.object(plugin_module, 'list_customers', return_value=(CUSTOMERS, 1)) as listing:
        parse(plugin, path)
        assert listing.call_count == 1
        assert list(plugin._cache.values()) == [CUSTOMERS]  # pylint: disable=protected-access
        inventory = parse(plugin, path)
        assert listing.call_count == 1
        assert len(inventory.hosts) == 3
        # --flush-cache (cache=False) lists again and refreshes the entry.
        parse(plugin, path, cache=False)
        assert listing.call_count == 2


def customer(number, **fields):
    guid = '%08x-0000-4000-8000-%012x' % (number, number)
    values = {'customer_id': guid, 'tenant_id': guid, 'domain': 'c%d.onmicrosoft.com' % number,
              'company_name': 'Company %d' % number, 'relationship_to_partner': 'reseller'}
    values.update(fields)
    return values


def parse_with_warnings(plugin, path, customers, cache=True):
    with mock.patch.object(plugin_module, 'list_customers', return_value=(customers, 1)) as listing:
        with mock.patch.object(plugin_module.display, 'warning') as warning:
            inventory = parse(plugin, path, cache=cache)
    return inventory, [call[0][0] for call in warning.call_args_list], listing


TEMPLATE = "{{ lookup('pipe', 'touch /tmp/marker') }}"


@pytest.mark.parametrize('hostnames, fields, expected', [
    ('company_name', {'company_name': TEMPLATE}, 'lookup_pipe_touch_tmp_marker'),
    ('company_name', {'company_name': '{% raw %}{{ x }}'}, 'raw_x'),
    ('domain', {'domain': TEMPLATE}, None),
    ('domain', {'domain': 'a.b,c.com'}, None),
    ('domain', {'domain': 'all'}, None),
    ('company_name', {'company_name': '{{ }}'}, None),
])
def test_customer_text_never_becomes_template_syntax_in_a_host_name(tmp_path, hostnames, fields, expected):
    plugin, path = make_plugin(tmp_path, hostnames=hostnames)
    hostile = customer(1, **fields)
    inventory, warnings, _listing = parse_with_warnings(plugin, path, [hostile, customer(2)])
    named = dict((host.vars['customer_id'], name) for name, host in inventory.hosts.items())
    # None: the field gives no safe name, so the customer is named by its tenant id, with one warning naming it.
    assert named[hostile['customer_id']] == (expected or hostile['tenant_id']), named
    assert len(named) == 2
    if expected is None:
        assert len(warnings) == 1 and hostile['customer_id'] in warnings[0] and 'named by its tenant id' in warnings[0]
    else:
        assert warnings == []
    host = inventory.get_host(named[hostile['customer_id']])
    assert host.vars[hostnames] == fields[hostnames]


def test_a_customer_whose_tenant_id_is_not_a_guid_is_left_out(tmp_path):
    plugin, path = make_plugin(tmp_path, hostnames='tenant_id')
    inventory, warnings, _listing = parse_with_warnings(plugin, path, [customer(1, tenant_id=TEMPLATE), customer(2)])
    assert sorted(inventory.hosts) == [customer(2)['tenant_id']]
    assert len(warnings) == 1 and customer(1)['customer_id'] in warnings[0] and 'left out' in warnings[0]


@pytest.mark.parametrize('company', ['all', 'ungrouped', 'localhost', '127.0.0.1', 'ALL', 'relationship_reseller', 'contoso'])
def test_reserved_names_and_group_names_are_renamed(tmp_path, company):
    plugin, path = make_plugin(tmp_path, hostnames='company_name',
                               keyed_groups=[{'key': trust_as_template('relationship_to_partner'), 'prefix': 'relationship'}],
                               groups={'contoso': trust_as_template('company_name.startswith("Contoso")')})
    customers = [customer(1, company_name='Contoso A'), customer(2, company_name=company), customer(3)]
    inventory, warnings, _listing = parse_with_warnings(plugin, path, customers)
    renamed = '%s_%s' % (company.lower(), customers[1]['tenant_id'])
    assert sorted(inventory.hosts) == sorted(['contoso_a', renamed, 'company_3'])
    assert len(warnings) == 1 and customers[1]['customer_id'] in warnings[0] and repr(renamed) in warnings[0], warnings
    assert inventory.get_host(renamed).vars['customer_id'] == customers[1]['customer_id']
    assert inventory.localhost is None
    assert 'all' in inventory.groups and 'ungrouped' in inventory.groups
    assert sorted(host.name for host in inventory.groups['relationship_reseller'].get_hosts()) == sorted(inventory.hosts)
    assert [host.name for host in inventory.groups['contoso'].get_hosts()] == ['contoso_a']


def test_keyed_group_names_from_customer_text_are_sanitised(tmp_path):
    plugin, path = make_plugin(tmp_path, keyed_groups=[{'key': trust_as_template('company_name'), 'prefix': 'company'}])
    inventory, _warnings, _listing = parse_with_warnings(plugin, path, [customer(1, company_name=TEMPLATE)])
    made = [name for name in inventory.groups if name.startswith('company')]
    assert len(made) == 1
    for token in ('{', '}', '%', '#', "'", '(', ' ', ',', '/'):
        assert token not in made[0], made


@pytest.mark.parametrize('cached', [
    'not a list', [['a', 'b']], ['text'], [{'customer_id': 'x'}], [dict(customer(1), customer_id=None)],
    [dict(customer(1), domain=['a'])], {'customer_id': 'x'}, None,
])
def test_an_unusable_cache_entry_is_listed_again_with_one_warning(tmp_path, cached):
    plugin, path = make_plugin(tmp_path, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection='/tmp/cache-dir')
    plugin._cache[plugin.get_cache_key(path)] = cached  # pylint: disable=protected-access
    inventory, warnings, listing = parse_with_warnings(plugin, path, [customer(1)])
    if cached is None:
        # No entry: listed, without a warning.
        assert warnings == [] and listing.call_count == 1
        return
    assert listing.call_count == 1
    assert sorted(inventory.hosts) == ['c1.onmicrosoft.com']
    assert len(warnings) == 1, warnings
    assert 'cached customer listing' in warnings[0] and 'ansible.builtin.jsonfile' in warnings[0] and '/tmp/cache-dir' in warnings[0]
    assert list(plugin._cache.values()) == [[customer(1)]]  # pylint: disable=protected-access


def test_a_cache_that_cannot_be_read_is_listed_again_with_one_warning(tmp_path):
    class Broken(dict):
        def __getitem__(self, key):
            raise AnsibleParserError('The cache file was corrupt')

    plugin, path = make_plugin(tmp_path, cache=True, cache_plugin='ansible.builtin.jsonfile')
    plugin._cache = Broken()  # pylint: disable=protected-access
    inventory, warnings, listing = parse_with_warnings(plugin, path, [customer(1)])
    assert listing.call_count == 1 and sorted(inventory.hosts) == ['c1.onmicrosoft.com']
    assert len(warnings) == 1 and 'cannot be read' in warnings[0]
