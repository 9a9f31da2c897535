# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-inventory with the customers inventory plugin against the simulator: pages, filter, groups, cache."""

import json
import os
import subprocess
import urllib.parse

import harness
from pcsim.endpoints.customers import listed_customers  # pylint: disable=import-error

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
