# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: customers
short_description: The partner's Partner Center customers as inventory hosts
version_added: 1.0.0
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
      - A company name and a domain are set by the customer's own admin, and ansible-core before 2.19 templates a
        host name where a play uses it, so a host name is made of ASCII letters, digits, C(_), C(-) and C(.) only.
        A domain is used only when it is a DNS name (labels of letters, digits and hyphens with dots between them,
        at most 253 characters, ending in a name of letters); a tenant id only when it is a GUID (in lower case);
        a company name is reduced to a name (accents dropped, lower case, every run of other characters one C(_),
        at most 63 characters), so that C(Contoso Ltd.) becomes C(contoso_ltd).
      - A customer without that field, or whose field gives no such name, is named by its tenant id, with a
        warning naming the customer; without a tenant id that is a GUID it is left out, with a warning.
      - When two customers would get the same name, the later one gets its tenant id appended (C(name_tenant-id)),
        with a warning.
      - Names that Ansible gives a meaning (V(all), V(ungrouped), V(localhost), V(127.0.0.1)) and the names of the
        inventory's groups (those of O(keyed_groups) and O(groups) among them) are never a customer's host name;
        such a customer gets its tenant id appended, with a warning naming the customer.
      - The group names that O(keyed_groups) make from customer fields keep only letters, digits and C(_) (ansible-core
        replaces every other character with C(_) in the groups of constructed features).
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
        document a maximum; 500 is the largest its own clients ask for. It may send fewer a page than asked (and a
        page's C(totalCount) counts that page only), and every page is read, up to 1000 pages.
    type: int
    default: 500
notes:
  - With O(cache), the listing is kept by the cache plugin and read again only after O(cache_timeout) seconds or
    with C(ansible-inventory --flush-cache); secrets are never in the cached data. A cached listing that cannot be
    read or is not a listing of customers is reported in one warning naming the cache, and the customers are listed
    from Partner Center again.
  - The host variables hold the customers' text as data that is never templated.
seealso:
  - name: Scale out across customers
    description: The inventory pattern with forks, module_defaults, one token per play and AWX job slicing.
    link: https://github.com/partnercenter/devices/blob/main/docs/docsite/rst/scale-out.rst
'''

EXAMPLES = r'''
# Two inventory files. customers.partnercenter.yml: every customer, named by domain; credentials from
# PARTNER_CENTER_* variables. Its one line:
#
#   plugin: partnercenter.devices.customers
#
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
    CUSTOMER_KEYS,
    cached_listing_problem,
    check_filter,
    check_page_size,
    list_customers,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, redact
from ansible_collections.partnercenter.devices.plugins.module_utils.host_names import (
    RESERVED_HOST_NAMES,
    host_name,
    shown,
    tenant_host_name,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.options import (
    SharedOptionAdapter,
    build_client,
    option_warnings,
)

display = Display()


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
            customers = self._cached_customers(cache_key)
        if customers is None:
            customers = self._list_customers()
            if use_cache:
                self._cache[cache_key] = customers
        self._populate(customers)

    def _cached_customers(self, cache_key):
        """The cached listing, or None when there is none or it is unusable (one warning then: it is listed again)."""
        try:
            cached = self._cache[cache_key]
        except KeyError:
            return None
        except Exception as error:  # pylint: disable=broad-except
            # A cache plugin raises what it likes on a damaged entry (jsonfile: AnsibleError, then removes it).
            problem = 'it cannot be read (%s)' % type(error).__name__
        else:
            if cached is None:
                return None
            problem = cached_listing_problem(cached)
            if problem is None:
                return cached
        connection = self.get_option('cache_connection')
        display.warning('%s: the cached customer listing (key %s of cache plugin %s%s) is unusable: %s; the customers are '
                        'listed from Partner Center again and the entry replaced.'
                        % (self.NAME, cache_key, self.get_option('cache_plugin'),
                           ' at %s' % connection if connection else '', problem))
        return None

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
        adapter = SharedOptionAdapter.from_plugin(self)
        secrets = adapter.secrets()
        client = None
        try:
            options = adapter.checked()
            for message in option_warnings(options):
                self._warn(message)
            client = build_client(options, warn=self._warn)
            customers, pages = list_customers(client, page_size, field, value)
        except PartnerCenterError as error:
            if client is not None:
                secrets.update(client.secrets)
            raise AnsibleParserError('%s: %s' % (self.NAME, redact(error.message, secrets))) from None
        display.vvv('%s: %d customers in %d page%s' % (self.NAME, len(customers), pages, '' if pages == 1 else 's'))
        return customers

    # -- hosts -----------------------------------------------------------------------------------

    def _warn(self, message):
        display.warning('%s: %s' % (self.NAME, message))

    def _host_name(self, customer, taken, reserved):
        """A safe host name for ``customer``, unique among ``taken`` and not in ``reserved``; None to leave it out."""
        field = self.get_option('hostnames')
        customer_id = shown(customer.get('customer_id'))
        tenant = tenant_host_name(customer.get('tenant_id'))
        name = host_name(field, customer.get(field))
        if name is None:
            why = 'has no %s' % field if not customer.get(field) else 'has a %s that cannot be a host name' % field
            if tenant is None:
                self._warn('customer %s %s and no tenant id that is a GUID; it is left out of the inventory.' % (customer_id, why))
                return None
            self._warn('customer %s %s; it is named by its tenant id.' % (customer_id, why))
            name = tenant
        if name.lower() in reserved:
            if tenant is None:
                self._warn('customer %s would be named %r, a name Ansible or this inventory already gives a meaning, and has no '
                           'tenant id that is a GUID; it is left out of the inventory.' % (customer_id, name))
                return None
            renamed = '%s_%s' % (name, tenant) if name != tenant else 'customer_%s' % tenant
            self._warn('customer %s would be named %r, a name Ansible or this inventory already gives a meaning; it is named %r.'
                       % (customer_id, name, renamed))
            name = renamed
        if name.lower() in taken:
            if tenant is None or ('%s_%s' % (name, tenant)).lower() in taken:
                self._warn('customers %s and %s share the %s %r, and the second has no tenant id that tells them apart; '
                           'the second is left out of the inventory.' % (taken[name.lower()], customer_id, field, name))
                return None
            renamed = '%s_%s' % (name, tenant)
            self._warn('customers %s and %s share the %s %r; the second is named %r.'
                       % (taken[name.lower()], customer_id, field, name, renamed))
            name = renamed
        taken[name.lower()] = customer_id
        return name

    def _add_customer(self, name, customer, strict):
        host = self.inventory.add_host(name)
        # Partner Center's text (a company name may hold "{{") is data, never a template.
        host_vars = dict((key, wrap_var(customer.get(key))) for key in CUSTOMER_KEYS)
        for key, value in host_vars.items():
            self.inventory.set_variable(host, key, value)
        self._set_composite_vars(self.get_option('compose'), host_vars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), host_vars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, host, strict=strict)
        return host

    def _populate(self, customers):
        strict = self.get_option('strict')
        taken = {}
        reserved = set(RESERVED_HOST_NAMES) | set(group.lower() for group in self.inventory.groups)
        added = []
        for customer in customers:
            name = self._host_name(customer, taken, reserved)
            if name is not None:
                added.append((self._add_customer(name, customer, strict), customer))
        # The groups made from the customers (keyed_groups, groups) are known only now: a host of the same name as
        # one of them would make patterns and group_names ambiguous, so it is named again.
        groups = set(group.lower() for group in self.inventory.groups)
        for host, customer in added:
            if host.lower() not in groups:
                continue
            self.inventory.remove_host(self.inventory.get_host(host))
            del taken[host.lower()]
            name = self._host_name(customer, taken, reserved | groups)
            if name is not None:
                self._add_customer(name, customer, strict)
