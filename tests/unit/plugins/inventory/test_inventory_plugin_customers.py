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
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError

SECRET = 'inventory-secret-DO-NOT-LEAK-1234'
CUSTOMERS = [
    {'customer_id': 'a1', 'tenant_id': 'a1', 'domain': 'alpha.onmicrosoft.com', 'company_name': 'Alpha',
     'relationship_to_partner': 'reseller'},
    {'customer_id': 'b2', 'tenant_id': 'b2', 'domain': 'beta.onmicrosoft.com', 'company_name': 'Alpha',
     'relationship_to_partner': 'advisor'},
    {'customer_id': 'c3', 'tenant_id': 'c3', 'domain': None, 'company_name': 'Gamma',
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
    assert sorted(inventory.hosts) == ['Alpha', 'Alpha_b2', 'Gamma']
    assert inventory.get_host('Alpha_b2').vars['customer_id'] == 'b2'
    assert {key: inventory.get_host('Gamma').vars[key] for key in plugin_module.HOST_VARS} == CUSTOMERS[2]
    assert sorted(host.name for host in inventory.groups['relationship_reseller'].get_hosts()) == ['Alpha', 'Gamma']
    assert [host.name for host in inventory.groups['relationship_advisor'].get_hosts()] == ['Alpha_b2']


def test_a_customer_without_the_name_field_is_named_by_tenant(tmp_path):
    plugin, path = make_plugin(tmp_path)
    with mock.patch.object(plugin_module, 'list_customers', return_value=(CUSTOMERS, 1)):
        inventory = parse(plugin, path)
    assert sorted(inventory.hosts) == ['alpha.onmicrosoft.com', 'beta.onmicrosoft.com', 'c3']


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
