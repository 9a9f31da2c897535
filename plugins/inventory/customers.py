# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: customers
short_description: The partner's Partner Center customers as inventory hosts
version_added: 0.3.0
description:
  - Lists the customers of the partner with C(GET /v1/customers) (app-only or app+user credentials), following
    every page, and makes each customer a host, so that a play runs the collection's modules once per customer,
    side by side (C(forks)), or sliced across AWX execution nodes.
  - The configuration file must end in C(partnercenter.yml) or C(partnercenter.yaml), for example
    C(customers.partnercenter.yml), and name this plugin in C(plugin).
  - Every page is read with one access token, through the same client as the modules (retries, C(Retry-After),
    redacted errors).
  - Each host gets the variables C(customer_id), C(tenant_id), C(domain), C(company_name) and
    C(relationship_to_partner). The hosts have no connection of their own; run plays on them with
    C(connection) V(local).
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - partnercenter.devices.partner_center
  - partnercenter.devices.partner_center.plugins
options:
  plugin:
    description:
      - The name of this plugin; it makes the file a configuration of this inventory plugin.
    type: str
    required: true
    choices: [partnercenter.devices.customers]
  hostnames:
    description:
      - Which customer field names the host. All three are stable for a customer.
      - V(domain) is the customer's default domain (such as V(contoso.onmicrosoft.com)); V(tenant_id) its
        Microsoft Entra ID tenant; V(company_name) its name as Partner Center shows it.
      - A customer without that field is named by its tenant id, with a warning. When two customers would get the
        same name, the later one gets its tenant id appended (C(name_tenant-id)), with a warning.
    type: str
    choices: [domain, tenant_id, company_name]
    default: domain
  company_name_starts_with:
    description:
      - Only the customers whose company name starts with this text (compared without regard to case), as
        Partner Center's C(starts_with) filter on C(CompanyName) finds them.
      - Partner Center takes one filter per listing; mutually exclusive with O(domain_starts_with).
    type: str
  domain_starts_with:
    description:
      - Only the customers whose domain starts with this text (compared without regard to case), as
        Partner Center's C(starts_with) filter on C(Domain) finds them.
      - Mutually exclusive with O(company_name_starts_with).
    type: str
  page_size:
    description:
      - How many customers each page of the listing holds (the C(size) of the request). Partner Center does not
        document a maximum; 500 is the largest its own clients ask for.
    type: int
    default: 500
notes:
  - With O(cache), the listing is kept by the cache plugin and read again only after O(cache_timeout) seconds or
    with C(ansible-inventory --flush-cache); secrets are never in the cached data.
seealso:
  - name: Scale out across customers
    description: The inventory pattern with forks, module_defaults, one token per play and AWX job slicing.
    link: https://github.com/partnercenter/devices/blob/main/docs/docsite/rst/scale-out.rst
'''

EXAMPLES = r'''
# customers.partnercenter.yml: every customer, named by domain; credentials from PARTNER_CENTER_* variables.
plugin: partnercenter.devices.customers
---
# contoso.partnercenter.yml: the customers whose company name starts with "Contoso", one group per
# relationship (relationship_reseller, ...), the listing cached for an hour.
plugin: partnercenter.devices.customers
company_name_starts_with: Contoso
hostnames: company_name
keyed_groups:
  - key: relationship_to_partner
    prefix: relationship
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/partnercenter-inventory
cache_timeout: 3600
'''

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.partnercenter.devices.plugins.module_utils.customers import (
    check_filter,
    check_page_size,
    list_customers,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, redact
from ansible_collections.partnercenter.devices.plugins.module_utils.options import (
    DEFAULTS,
    SECRET_OPTIONS,
    build_client,
    resolve,
)

display = Display()

HOST_VARS = ('customer_id', 'tenant_id', 'domain', 'company_name', 'relationship_to_partner')


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """The customers of the partner as hosts."""

    NAME = 'partnercenter.devices.customers'
    INVENTORY_FILE_SUFFIXES = ('partnercenter.yml', 'partnercenter.yaml')

    def verify_file(self, path):
        """Whether ``path`` is a readable file named like this plugin's configuration."""
        return super().verify_file(path) and path.endswith(self.INVENTORY_FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache')
        customers = None
        if use_cache and cache:
            # ``cache`` is false with --flush-cache and at a refresh_inventory: list again then.
            try:
                customers = self._cache[cache_key]
            except KeyError:
                customers = None
        if customers is None:
            customers = self._list_customers()
            if use_cache:
                self._cache[cache_key] = customers
        self._populate(customers)

    # -- listing ---------------------------------------------------------------------------------

    def _filter(self):
        given = [(field, self.get_option(field + '_starts_with')) for field in ('company_name', 'domain')]
        given = [(field, value) for field, value in given if value not in (None, '')]
        if len(given) > 1:
            raise AnsibleParserError('%s: company_name_starts_with and domain_starts_with are mutually exclusive '
                                     '(Partner Center takes one filter per listing).' % self.NAME)
        if not given:
            return None, None
        problem = check_filter(*given[0])
        if problem:
            raise AnsibleParserError('%s: %s' % (self.NAME, problem))
        return given[0]

    def _list_customers(self):
        page_size = self.get_option('page_size')
        problem = check_page_size(page_size)
        if problem:
            raise AnsibleParserError('%s: %s' % (self.NAME, problem))
        field, value = self._filter()
        secrets = set()
        client = None
        try:
            options = resolve(self._option_or_none, use_environment=False)
            secrets.update(options[name] for name in SECRET_OPTIONS if options.get(name))
            if not options['validate_certs']:
                display.warning('%s: validate_certs is false: the TLS certificates of Partner Center and Entra ID '
                                'are not checked.' % self.NAME)
            client = build_client(options, warn=lambda message: display.warning('%s: %s' % (self.NAME, message)))
            customers, pages = list_customers(client, page_size, field, value)
        except PartnerCenterError as error:
            if client is not None:
                secrets.update(client.secrets)
            raise AnsibleParserError('%s: %s' % (self.NAME, redact(error.message, secrets))) from None
        display.vvv('%s: %d customers in %d page%s' % (self.NAME, len(customers), pages, '' if pages == 1 else 's'))
        return customers

    def _option_or_none(self, name):
        if name not in DEFAULTS:
            return None
        return self.get_option(name)

    # -- hosts -----------------------------------------------------------------------------------

    def _host_name(self, customer, taken):
        field = self.get_option('hostnames')
        name = customer.get(field)
        if not name:
            display.warning('%s: customer %s has no %s; it is named by its tenant id.'
                            % (self.NAME, customer['customer_id'], field))
            name = customer['tenant_id']
        if name.lower() in taken:
            renamed = '%s_%s' % (name, customer['tenant_id'])
            display.warning('%s: customers %s and %s share the %s %r; the second is named %r.'
                            % (self.NAME, taken[name.lower()], customer['customer_id'], field, name, renamed))
            name = renamed
        taken[name.lower()] = customer['customer_id']
        return name

    def _populate(self, customers):
        strict = self.get_option('strict')
        taken = {}
        for customer in customers:
            host = self.inventory.add_host(self._host_name(customer, taken))
            # Partner Center's text (a company name may hold "{{") is data, never a template.
            host_vars = dict((key, wrap_var(customer.get(key))) for key in HOST_VARS)
            for key, value in host_vars.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option('compose'), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, host, strict=strict)
