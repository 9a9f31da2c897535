# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module promises Ansible, one table for all of them, in-process against the simulator.

- Its documented attributes agree with its AnsibleModule: check mode supported where the docs say so; a diff returned
  only by the modules whose docs say they support diff mode.
- A module that only reads (the _info modules, access_token, batch_upload_status) sends only GET requests to Partner
  Center (and POSTs only to Entra ID's token endpoint), reports changed=false, and runs the same in check mode.
- A module that changes something: in check mode it predicts the change and sends no changing request (POST, PUT,
  PATCH, DELETE); the first run changes and says so; the same task again reports changed=false and sends no changing
  request; check mode then predicts no change. Where the docs claim diff support, the result carries a ``diff`` whose
  ``before`` and ``after`` differ exactly when something changes.

The modules' own test files assert the details of each (which requests, which result keys); this table asserts the
contract uniformly, so a new module is held to it by adding one row.
"""

import ast
import base64
import os

import pytest

import harness

MODULES_DIR = os.path.join(harness.REPO_ROOT, 'plugins', 'modules')
CUSTOMER = harness.DEMO_CUSTOMER_ID
BATCH = 'existing-batch-1'
KIOSKS_ID = '11111111-2222-4333-8444-555555555555'
LAPTOPS_ID = '22222222-3333-4444-8555-666666666666'
CHANGING_METHODS = ('POST', 'PUT', 'PATCH', 'DELETE')
# The grants the collection asks Entra ID for: app-only and app+user credentials.
TOKEN_GRANTS = ('client_credentials', 'refresh_token')


def module_names():
    return sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py') and name != '__init__.py')


def module_source(name):
    with open(os.path.join(MODULES_DIR, name + '.py'), encoding='utf-8') as handle:
        return handle.read()


def documented_attributes(name):
    """The module's documented attributes: {'check_mode': 'full', 'diff_mode': 'none', ...}."""
    attributes = harness.documentation_block(os.path.join(MODULES_DIR, name + '.py')).get('attributes') or {}
    return dict((key, value['support']) for key, value in attributes.items())


def declared_check_mode_support(name):
    """The supports_check_mode given to the module's AnsibleModule (through PartnerCenterModule), as written."""
    found = []
    for node in ast.walk(ast.parse(module_source(name))):
        if isinstance(node, ast.Call) and getattr(node.func, 'id', None) in ('PartnerCenterModule', 'AnsibleModule'):
            keywords = dict((keyword.arg, keyword.value) for keyword in node.keywords)
            value = keywords.get('supports_check_mode')
            found.append(bool(value.value) if isinstance(value, ast.Constant) else False)
    assert len(found) == 1, '%s builds %d modules' % (name, len(found))
    return found[0]


def diff_supported(name):
    return documented_attributes(name).get('diff_mode') in ('full', 'partial')


def hardware_hash(label):
    """A well-formed hardware hash (64 bytes, base64) that no seeded device has."""
    return base64.b64encode(('contract-%s-' % label).encode().ljust(64, b'#')).decode()


def wait_for_the_batch(run_module, sim_args, simulator, result):
    """Wait with batch_upload_status (GET only) until Partner Center has processed what ``result`` tracks: an accepted
    change applies asynchronously, and until then a listing need not show it (when it does is UNCONFIRMED)."""
    ok(run_module('batch_upload_status', dict(sim_args(simulator), customer_id=CUSTOMER, wait=True, poll_interval=0.1,
                                              batch_tracking_id=result['batch_tracking_id'])))


def with_profiles(seed):
    """Two Autopilot profiles for the demo customer."""
    seed['customers'][CUSTOMER]['policies'] = [
        {'id': KIOSKS_ID, 'name': 'Contoso kiosks', 'category': 'o_o_b_e', 'policySettings': ['skip_eula']},
        {'id': LAPTOPS_ID, 'name': 'Contoso laptops', 'category': 'o_o_b_e', 'policySettings': []}]


class Case:
    """One row of the table: a module, its options (beside the credentials), the credential kind, a seed change, and
    what to run after the first run so that Partner Center has applied an accepted change (``settle``)."""

    def __init__(self, case_id, module, options, kind='app-only', seed=None, settle=None):
        self.id = case_id
        self.module = module
        self.options = options
        self.kind = kind
        self.seed = seed
        self.settle = settle

    def args(self, sim_args, simulator):
        return dict(sim_args(simulator, self.kind), **self.options)


EXAMPLE_BATCH = dict(customer_id=harness.EXAMPLE_CUSTOMER_ID, batch_tracking_id=harness.EXAMPLE_BATCH_ID)
DEMO_BATCH = dict(customer_id=CUSTOMER, batch_tracking_id=harness.DEMO_BATCH_CLEAN)

READS = [
    Case('access_token-app-only', 'access_token', {}),
    Case('access_token-app+user', 'access_token', {}, kind='app+user'),
    Case('batch_upload_status-one', 'batch_upload_status', dict(EXAMPLE_BATCH)),
    Case('batch_upload_status-wait', 'batch_upload_status', dict(EXAMPLE_BATCH, wait=True, poll_interval=0.1)),
    Case('batch_upload_status-batches', 'batch_upload_status', dict(batches=[EXAMPLE_BATCH, DEMO_BATCH])),
    Case('device_batch_info-batches', 'device_batch_info', dict(customer_id=CUSTOMER)),
    Case('device_batch_info-devices', 'device_batch_info', dict(customer_id=CUSTOMER, batch_id=BATCH)),
    Case('autopilot_profile_info-list', 'autopilot_profile_info', dict(customer_id=CUSTOMER), seed=with_profiles),
    Case('autopilot_profile_info-by-name', 'autopilot_profile_info', dict(customer_id=CUSTOMER, name='contoso KIOSKS'),
         seed=with_profiles),
    Case('autopilot_profile_info-by-id', 'autopilot_profile_info', dict(customer_id=CUSTOMER, profile_id=LAPTOPS_ID),
         seed=with_profiles),
]

NEW_DEVICES = [
    {'hardware_hash': hardware_hash(1), 'serial_number': 'CONTRACT-0001'},
    {'serial_number': 'CONTRACT-0002', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'},
]

CHANGES = [
    Case('device_batch-create', 'device_batch', dict(customer_id=CUSTOMER, batch_id='contract-new', devices=NEW_DEVICES),
         kind='app+user'),
    Case('device_batch-add', 'device_batch', dict(customer_id=CUSTOMER, batch_id=BATCH, devices=NEW_DEVICES[:1]),
         kind='app+user'),
    Case('device_batch-csv-wait', 'device_batch',
         dict(customer_id=CUSTOMER, batch_id='contract-csv', wait=True, poll_interval=0.1,
              csv_content='Device Serial Number,Windows Product ID,Hardware Hash\r\nCONTRACT-CSV-1,,%s\r\n' % hardware_hash('csv')),
         kind='app+user'),
    Case('device-remove', 'device', dict(customer_id=CUSTOMER, batch_id=BATCH, serial_numbers=['EB1-0002'], state='absent'),
         kind='app+user'),
    Case('device_profile-batch', 'device_profile', dict(customer_id=CUSTOMER, batch_id=BATCH, profile_id=KIOSKS_ID,
                                                        wait=True, poll_interval=0.1), kind='app+user', seed=with_profiles),
    Case('device_profile-serial-numbers', 'device_profile',
         dict(customer_id=CUSTOMER, profile_name='Contoso laptops', serial_numbers=['EB1-0001']), kind='app+user',
         seed=with_profiles, settle=wait_for_the_batch),
    Case('autopilot_profile-create', 'autopilot_profile', dict(customer_id=CUSTOMER, name='Contract kiosks', settings=['skip_eula']),
         kind='app+user'),
    Case('autopilot_profile-update', 'autopilot_profile',
         dict(customer_id=CUSTOMER, name='Contoso kiosks', description='Kiosks', settings=['skip_eula', 'skip_express_settings']),
         kind='app+user', seed=with_profiles),
    Case('autopilot_profile-delete', 'autopilot_profile', dict(customer_id=CUSTOMER, name='Contoso laptops', state='absent'),
         kind='app+user', seed=with_profiles),
]


def case_ids(cases):
    return [case.id for case in cases]


def start(make_simulator, case):
    return make_simulator(case.seed)


def api_log(simulator, since=0):
    return [(entry['method'], entry['path']) for entry in simulator.stats['api_requests'][since:]]


def changing(simulator, since=0):
    return [(method, path) for method, path in api_log(simulator, since) if method in CHANGING_METHODS]


def ok(result):
    assert not result.failed, result
    return result


# -- the table covers every module, once as a reader or as a changer -----------------------------------------------

def test_every_module_is_in_the_table():
    readers = set(case.module for case in READS)
    changers = set(case.module for case in CHANGES)
    assert not readers & changers, readers & changers
    assert sorted(readers | changers) == module_names()


# -- (a) documented attributes agree with the AnsibleModule ----------------------------------------------------------

@pytest.mark.parametrize('name', module_names())
def test_documented_check_mode_is_the_modules_own(name):
    support = documented_attributes(name)['check_mode']
    assert support in ('full', 'partial', 'none'), support
    assert declared_check_mode_support(name) == (support != 'none'), (
        '%s documents check_mode support %s but builds its module with supports_check_mode=%s'
        % (name, support, declared_check_mode_support(name)))


@pytest.mark.parametrize('name', module_names())
def test_documented_diff_mode_is_a_readers_none(name):
    support = documented_attributes(name)['diff_mode']
    assert support in ('full', 'partial', 'none'), support
    if name in set(case.module for case in READS):
        assert support == 'none', '%s only reads, yet documents diff_mode support %s' % (name, support)
    else:
        assert support != 'none', '%s changes things, yet documents no diff' % name


# -- (b) a module that reads sends only GET, and changes nothing, in normal and in check mode ------------------------

@pytest.mark.parametrize('case', READS, ids=case_ids(READS))
def test_a_reader_sends_only_get_and_reports_no_change(run_module, make_simulator, sim_args, case):
    simulator = start(make_simulator, case)
    args = case.args(sim_args, simulator)
    runs = []
    for check_mode in (False, True):
        since, tokens_since = len(simulator.stats['api_requests']), len(simulator.stats['token_requests'])
        result = ok(run_module(case.module, args, check_mode=check_mode, diff=True))
        sent = api_log(simulator, since)
        tokens = simulator.stats['token_requests'][tokens_since:]
        mode = 'check mode' if check_mode else 'normal mode'
        assert result['changed'] is False, '%s in %s: %r' % (case.id, mode, result)
        assert [request for request in sent if request[0] != 'GET'] == [], '%s in %s sent %r' % (case.id, mode, sent)
        # One token per task, from the token endpoint, with a grant the credentials call for (only POST is answered 200).
        assert len(tokens) == 1 and tokens[0]['status'] == 200 and tokens[0]['grant_type'] in TOKEN_GRANTS, tokens
        assert 'diff' not in result, '%s documents no diff, yet returns one in %s' % (case.module, mode)
        if case.module == 'access_token':
            assert sent == [], sent
        else:
            assert sent, '%s read nothing' % case.id
        runs.append((sent, result))
    # Check mode runs the same: the same reads, the same kind of result.
    (sent, result), (checked_sent, checked) = runs
    assert [method for method, unused in checked_sent] == [method for method, unused in sent]
    assert sorted(checked) == sorted(result)


# -- (c) a module that changes: check mode predicts and sends nothing, the change happens once -------------------------

def assert_diff(case, result, changes, when):
    """Where the docs claim diff support, a diff with before and after, which differ exactly when the task changes."""
    if not diff_supported(case.module):
        assert 'diff' not in result, '%s documents no diff, yet returns one %s' % (case.module, when)
        return
    assert isinstance(result.get('diff'), dict) and set(result['diff']) >= {'before', 'after'}, (
        '%s documents diff support, yet returns no before/after diff %s: %r' % (case.module, when, result.get('diff')))
    differs = result['diff']['before'] != result['diff']['after']
    assert differs == changes, '%s %s: changed=%s, yet the diff %s: %r' % (
        case.id, when, changes, 'differs' if differs else 'shows no change', result['diff'])


@pytest.mark.parametrize('case', CHANGES, ids=case_ids(CHANGES))
def test_a_change_is_predicted_made_once_then_no_change(run_module, make_simulator, sim_args, case):
    simulator = start(make_simulator, case)
    args = case.args(sim_args, simulator)

    checked = ok(run_module(case.module, args, check_mode=True, diff=True))
    assert checked['changed'] is True, 'check mode predicts no change: %r' % checked
    assert changing(simulator) == [], 'check mode sent %r' % changing(simulator)
    assert_diff(case, checked, True, 'in check mode')

    first = ok(run_module(case.module, args, diff=True))
    assert first['changed'] is True, first
    assert changing(simulator), 'the first run changed nothing in Partner Center'
    assert_diff(case, first, True, 'on the first run')
    if case.settle is not None:
        case.settle(run_module, sim_args, simulator, first)

    since = len(simulator.stats['api_requests'])
    second = ok(run_module(case.module, args, diff=True))
    assert second['changed'] is False, 'the same task again reports a change: %r' % second
    assert changing(simulator, since) == [], 'the same task again sent %r' % changing(simulator, since)
    assert_diff(case, second, False, 'on the second run')

    since = len(simulator.stats['api_requests'])
    again = ok(run_module(case.module, args, check_mode=True, diff=True))
    assert again['changed'] is False, 'check mode after the change predicts one: %r' % again
    assert changing(simulator, since) == []
    assert_diff(case, again, False, 'in check mode after the change')
