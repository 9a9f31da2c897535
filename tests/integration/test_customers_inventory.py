# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-inventory with the customers inventory plugin against the simulator: pages, filter, groups, cache."""

import json
import os
import subprocess
import urllib.parse

import pytest

import harness
from pcsim.endpoints.customers import listed_customers  # pylint: disable=import-error

from ansible_collections.partnercenter.devices.plugins.module_utils.host_names import company_host_name

ANSIBLE_INVENTORY = os.path.join(harness.BIN_DIR, 'ansible-inventory')
ANSIBLE_DOC = os.path.join(harness.BIN_DIR, 'ansible-doc')


def inventory(collections_path, simulator, workdir, config, *arguments, kind='app-only', env=None):
    path = os.path.join(str(workdir), 'customers.partnercenter.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(config)
    run_env = harness.ansible_env(collections_path, **harness.simulator_credentials(simulator.url, kind))
    run_env.update(env or {})
    return subprocess.run([ANSIBLE_INVENTORY, '-i', path] + list(arguments), cwd=str(workdir), env=run_env,
                          capture_output=True, text=True, timeout=120, check=False)


# What ansible-core itself adds to every host: with ANSIBLE_INJECT_FACT_VARS=false, 2.20+ lists an empty
# ``ansible_local`` (where local facts go) among the host vars.
ANSIBLE_CORE_HOST_VARS = ('ansible_local',)


def host_vars(listed):
    """The plugin's host vars in ``ansible-inventory --list`` output, with the marks of data that is never templated taken off."""
    data = json.loads(listed.stdout)
    return dict((host, dict((key, value['__ansible_unsafe'] if isinstance(value, dict) else value) for key, value in variables.items()
                            if key not in ANSIBLE_CORE_HOST_VARS))
                for host, variables in data['_meta']['hostvars'].items())


def continuation_header(record):
    return dict((name.lower(), value) for name, value in record['headers'].items()).get('ms-continuationtoken')


def customer_requests(simulator):
    return [record for record in simulator.stats['api_requests'] if record['path'].startswith('/v1/customers?')]


CONFIG = '''\
plugin: partnercenter.devices.customers
page_size: 2
keyed_groups:
  - key: relationship_to_partner
    prefix: relationship
groups:
  contoso: company_name.startswith("Contoso")
'''


def test_list_reads_every_page_on_one_token(simulator, collections_path, tmp_path):
    listed = inventory(collections_path, simulator, tmp_path, CONFIG, '--list')
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    hostvars = host_vars(listed)
    customers = listed_customers(simulator)
    assert sorted(hostvars) == sorted(customer['companyProfile']['domain'] for customer in customers)
    first = customers[0]
    assert hostvars[first['companyProfile']['domain']] == {
        'customer_id': first['id'], 'tenant_id': first['companyProfile']['tenantId'],
        'domain': first['companyProfile']['domain'], 'company_name': first['companyProfile']['companyName'],
        'relationship_to_partner': first['relationshipToPartner'],
    }
    requests = customer_requests(simulator)
    # size=2: every page, the ones after the first through links.next with its continuation header.
    assert len(requests) == (len(customers) + 1) // 2
    assert all('size=2' in record['path'] for record in requests)
    assert all(continuation_header(record) for record in requests[1:])
    assert all('seekOperation=Next' in record['path'] for record in requests[1:])
    assert len(simulator.stats['token_requests']) == 1
    assert 'relationship_reseller' in data


def test_graph_with_a_filter_keyed_groups_and_the_cache(simulator, collections_path, tmp_path):
    config = CONFIG + '''\
company_name_starts_with: contoso
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: %s
''' % (tmp_path / 'cache')
    graph = inventory(collections_path, simulator, tmp_path, config, '--graph')
    assert graph.returncode == 0, graph.stderr
    contoso = [customer for customer in listed_customers(simulator)
               if customer['companyProfile']['companyName'].lower().startswith('contoso')]
    assert contoso and len(contoso) < len(listed_customers(simulator))
    for customer in contoso:
        assert '|--%s' % customer['companyProfile']['domain'] in graph.stdout
    assert '@contoso:' in graph.stdout and '@relationship_' in graph.stdout
    first = customer_requests(simulator)
    assert 'filter=' in first[0]['path']
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(first[0]['path']).query)
    assert json.loads(query['filter'][0]) == {'Field': 'CompanyName', 'Value': 'contoso', 'Operator': 'starts_with'}

    # From the cache: no request at all.
    again = inventory(collections_path, simulator, tmp_path, config, '--graph')
    assert again.returncode == 0, again.stderr
    assert again.stdout == graph.stdout
    assert len(customer_requests(simulator)) == len(first)
    # --flush-cache: read afresh. ansible-playbook has the option on every supported version (ansible-inventory
    # only from 2.18 on); --list-hosts parses the inventory as a run would, and runs nothing.
    play = tmp_path / 'hosts.yml'
    play.write_text('- name: Every customer\n  hosts: all\n  gather_facts: false\n  tasks: []\n')
    run_env = harness.ansible_env(collections_path, **harness.simulator_credentials(simulator.url))
    flushed = subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-playbook'), '-i', 'customers.partnercenter.yml',
                              '--list-hosts', '--flush-cache', str(play)], cwd=str(tmp_path), env=run_env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert flushed.returncode == 0, flushed.stderr
    assert len(customer_requests(simulator)) == 2 * len(first)
    listed_hosts = set(line.strip() for line in flushed.stdout.split('hosts (%d):' % len(contoso), 1)[1].splitlines()
                       if line.strip())
    assert listed_hosts == set(customer['companyProfile']['domain'] for customer in contoso), flushed.stdout


def test_hostnames_by_tenant_id_with_app_user_credentials(simulator, collections_path, tmp_path):
    listed = inventory(collections_path, simulator, tmp_path,
                       'plugin: partnercenter.devices.customers\nhostnames: tenant_id\ndomain_starts_with: fabrikam\n',
                       '--list', kind='app+user')
    assert listed.returncode == 0, listed.stderr
    hostvars = host_vars(listed)
    assert len(hostvars) == 2
    assert all(name == variables['tenant_id'] and variables['domain'].startswith('fabrikam') for name, variables in hostvars.items())


def test_refusals_are_clear_and_hold_no_secret(simulator, collections_path, tmp_path):
    for unparsed_failed in ('false', 'true'):
        wrong = inventory(collections_path, simulator, tmp_path, CONFIG, '--list', '-vvvv',
                          env={'PARTNER_CENTER_CLIENT_SECRET': 'wrong-secret-DO-NOT-LEAK-0000',
                               'ANSIBLE_INVENTORY_UNPARSED_FAILED': unparsed_failed})
        # ansible-inventory skips a source it cannot parse, with a warning, unless told to fail.
        assert (wrong.returncode != 0) is (unparsed_failed == 'true'), wrong.stderr
        output = wrong.stdout + wrong.stderr
        assert 'AADSTS7000215' in output, output
        assert 'Traceback' not in output
        for secret in harness.SECRETS + ('wrong-secret-DO-NOT-LEAK-0000',):
            assert secret not in output
    throttled_config = CONFIG + 'retries: 3\n'
    simulator.add_fault('status', match='api', status=429, retry_after=1)
    listed = inventory(collections_path, simulator, tmp_path, throttled_config, '--list')
    assert listed.returncode == 0, listed.stderr
    assert 'HTTP 429' in listed.stderr


def test_a_listing_of_many_pages_smaller_than_asked_is_read_whole(make_simulator, collections_path, tmp_path):
    # 250 more customers: the simulator serves at most 100 a page whatever size asks, each page's totalCount its own count.
    def many(seed):
        for number in range(250):
            seed['customers']['00000000-0000-4000-8000-%012d' % number] = {
                'company_name': 'Many %03d' % number, 'domain': 'many%03d.onmicrosoft.com' % number, 'batches': {}}

    simulator = make_simulator(many)
    listed = inventory(collections_path, simulator, tmp_path, 'plugin: partnercenter.devices.customers\npage_size: 500\n', '--list')
    assert listed.returncode == 0, listed.stderr
    customers = listed_customers(simulator)
    assert len(customers) > 250
    assert sorted(host_vars(listed)) == sorted(customer['companyProfile']['domain'] for customer in customers)
    requests = customer_requests(simulator)
    assert len(requests) == (len(customers) + 99) // 100
    # The first page asks 500; the next links carry the size the service serves.
    assert 'size=500' in requests[0]['path'] and all('seekOperation=Next' in record['path'] for record in requests[1:])


def play(collections_path, simulator, workdir, config, tasks):
    """ansible-playbook over the inventory ``config``: every host, the local connection, no facts."""
    inventory_path = os.path.join(str(workdir), 'customers.partnercenter.yml')
    with open(inventory_path, 'w', encoding='utf-8') as handle:
        handle.write(config)
    playbook = os.path.join(str(workdir), 'play.yml')
    with open(playbook, 'w', encoding='utf-8') as handle:
        handle.write('- name: Every customer\n  hosts: all\n  connection: local\n  gather_facts: false\n  tasks:\n' + tasks)
    run_env = harness.ansible_env(collections_path, **harness.simulator_credentials(simulator.url))
    return subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-playbook'), '-i', inventory_path, playbook],
                          cwd=str(workdir), env=run_env, capture_output=True, text=True, timeout=120, check=False)


HOSTILE_CONFIG = '''\
plugin: partnercenter.devices.customers
hostnames: %s
keyed_groups:
  - key: company_name
    prefix: company
  - key: domain
    prefix: domain
compose:
  label: company_name ~ " " ~ domain
'''
SHOW_TASK = '''\
    - name: Show what the inventory made of each customer
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} {{ group_names }} {{ label }} {{ company_name }} {{ domain }}"
'''


@pytest.mark.parametrize('hostnames', ['company_name', 'domain'])
def test_customer_text_never_runs_as_a_template_in_a_play(make_simulator, collections_path, tmp_path, hostnames):
    # A customer's admin sets its company name and domain. ansible-core before 2.19 templates a host name
    # (inventory_hostname) and group names (group_names) where a play uses them.
    markers = dict((name, tmp_path / ('marker-' + name)) for name in ('company', 'domain'))
    payloads = dict((name, "{{ lookup('pipe', 'touch %s') }}" % marker) for name, marker in markers.items())
    customer_id = harness.EXAMPLE_CUSTOMER_ID

    def hostile(seed):
        seed['customers'][customer_id].update(company_name=payloads['company'], domain=payloads['domain'])

    simulator = make_simulator(hostile)
    completed = play(collections_path, simulator, tmp_path, HOSTILE_CONFIG % hostnames, SHOW_TASK)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert not [str(marker) for marker in markers.values() if marker.exists()], output
    # The customer is a host, under a safe name: its company name reduced, or its tenant id for a domain that is no DNS name.
    expected = company_host_name(payloads['company']) if hostnames == 'company_name' else customer_id
    assert '{' not in expected and 'ok: [%s]' % expected in output, output
    others = [customer for customer in listed_customers(simulator) if customer['id'] != customer_id]
    assert output.count('ok: [') == len(others) + 1, output
    if hostnames == 'domain':
        assert ('customer %s has a domain that cannot be a host name; it is named by its tenant id' % customer_id
                in harness.unwrap_messages(output)), output


RESERVED_CONFIG = '''\
plugin: partnercenter.devices.customers
hostnames: company_name
keyed_groups:
  - key: relationship_to_partner
    prefix: relationship
'''
# Customers of the default seed, by id, and the names Ansible or the inventory reserve that their admins chose.
RESERVED = {
    harness.EXAMPLE_CUSTOMER_ID: 'all',
    harness.DEMO_CUSTOMER_ID: 'ungrouped',
    '0b1c2d3e-4f50-4a61-8b72-c3d4e5f60718': 'localhost',
    '1c2d3e4f-5061-4b72-9c83-d4e5f6071829': 'relationship_reseller',
}


def test_reserved_names_are_renamed_and_every_other_customer_listed(make_simulator, collections_path, tmp_path):
    def named(seed):
        for customer_id, name in RESERVED.items():
            seed['customers'][customer_id]['company_name'] = name

    simulator = make_simulator(named)
    listed = inventory(collections_path, simulator, tmp_path, RESERVED_CONFIG, '--list')
    assert listed.returncode == 0, listed.stderr
    assert 'Traceback' not in listed.stderr
    hostvars = host_vars(listed)
    customers = listed_customers(simulator)
    assert sorted(variables['customer_id'] for variables in hostvars.values()) == sorted(customer['id'] for customer in customers)
    warnings = harness.unwrap_messages(listed.stderr)
    for customer_id, name in RESERVED.items():
        renamed = '%s_%s' % (name, customer_id)
        assert hostvars[renamed]['customer_id'] == customer_id
        assert "customer %s would be named '%s'" % (customer_id, name) in warnings, listed.stderr
        assert warnings.count('customer %s ' % customer_id) == 1, listed.stderr
    assert not set(RESERVED.values()) & set(hostvars)
    data = json.loads(listed.stdout)
    assert 'relationship_reseller_1c2d3e4f-5061-4b72-9c83-d4e5f6071829' in data['relationship_reseller']['hosts']


def test_a_play_on_localhost_is_not_a_customer_named_localhost(make_simulator, collections_path, tmp_path):
    def named(seed):
        seed['customers'][harness.EXAMPLE_CUSTOMER_ID]['company_name'] = 'localhost'

    simulator = make_simulator(named)
    tasks = '    - name: Who am I\n      ansible.builtin.debug:\n        msg: "customer={{ customer_id | default(\'none\') }}"\n'
    completed = play(collections_path, simulator, tmp_path, RESERVED_CONFIG,
                     tasks + '\n- name: The controller\n  hosts: localhost\n  gather_facts: false\n  tasks:\n' + tasks)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert 'ok: [localhost_%s]' % harness.EXAMPLE_CUSTOMER_ID in output
    # The second play runs on the controller's own localhost, which is no customer.
    assert output.count('customer=none') == 1, output


def corrupt(entry, damage):
    """Damage a jsonfile cache entry: text that is no JSON, or JSON in the cache's own form that is no listing of customers."""
    if damage == 'not_json':
        entry.write_text('[{"customer_id": ')
        return
    stored = json.loads(entry.read_text())
    not_customers = [['not', 'a', 'customer']]
    if isinstance(stored, dict) and '__payload__' in stored:
        # ansible-core 2.19 and newer keep the value serialised inside an envelope.
        stored['__payload__'] = json.dumps(not_customers)
    else:
        stored = not_customers
    entry.write_text(json.dumps(stored))


@pytest.mark.parametrize('damage', ['not_json', 'not_customers'])
def test_a_corrupt_cache_entry_is_read_again_from_partner_center(simulator, collections_path, tmp_path, damage):
    cache_dir = tmp_path / 'cache'
    config = CONFIG + 'cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' % cache_dir
    first = inventory(collections_path, simulator, tmp_path, config, '--list')
    assert first.returncode == 0, first.stderr
    entries = list(cache_dir.iterdir())
    assert len(entries) == 1
    requests = len(customer_requests(simulator))
    corrupt(entries[0], damage)
    again = inventory(collections_path, simulator, tmp_path, config, '--list')
    assert again.returncode == 0, again.stderr
    assert host_vars(again) == host_vars(first), again.stderr
    assert len(customer_requests(simulator)) == 2 * requests
    warnings = harness.unwrap_messages(again.stderr)
    assert warnings.count('the cached customer listing') == 1, again.stderr
    assert 'ansible.builtin.jsonfile at %s' % cache_dir in warnings and 'listed from Partner Center again' in warnings
    assert 'Traceback' not in again.stderr
    # The entry was replaced: the next run reads it, and sends nothing.
    third = inventory(collections_path, simulator, tmp_path, config, '--list')
    assert third.returncode == 0 and 'cached customer listing' not in third.stderr
    assert len(customer_requests(simulator)) == 2 * requests


def test_ansible_doc_documents_the_plugin(collections_path):
    completed = subprocess.run([ANSIBLE_DOC, '-t', 'inventory', '--json', 'partnercenter.devices.customers'],
                               env=harness.ansible_env(collections_path), capture_output=True, text=True, timeout=120,
                               check=False)
    assert completed.returncode == 0, completed.stderr
    doc = json.loads(completed.stdout)['partnercenter.devices.customers']['doc']
    options = doc['options']
    for name in ('plugin', 'hostnames', 'company_name_starts_with', 'domain_starts_with', 'page_size', 'keyed_groups',
                 'compose', 'groups', 'strict', 'cache', 'cache_plugin', 'cache_timeout', 'client_secret', 'base_url'):
        assert name in options, name
    assert options['client_secret']['env'] == [{'name': 'PARTNER_CENTER_CLIENT_SECRET'}]
    assert options['hostnames']['choices'] == ['domain', 'tenant_id', 'company_name']
