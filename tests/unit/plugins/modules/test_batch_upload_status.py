# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status in-process against the simulator: one batch (customer_id, batch_tracking_id), with and without wait.

Run without its action plugin, the module sets the fact partnercenter_batch_upload_details itself (as in an async
run); what only the controller shows (the fact set by the action plugin, progress lines, async, module_defaults,
-vvvv) is in tests/integration/test_batch_upload_status_flows.py. The simulator's faults are in test_faults.py.
Statuses in every spelling, a status Partner Center does not document, one it documents as one that should never
happen, and bulk waits (one batch failing, 200 batches under sustained throttling) close the file.
"""

import copy
import re

import pytest

import harness
from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import find_device_error

GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
EXAMPLE_PATH = '/v1/customers/%s/batchJobStatus/%s' % (harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
FACT = 'partnercenter_batch_upload_details'

EXAMPLE_DEVICE = {
    'device_id': None,
    'serial_number': '1234567890',
    'product_key': '12345-67890-09876-54321-13579',
    'status': 'finished_with_errors',
    'error_code': '808',
    'error_description': 'ZtdDeviceAssignedToOtherTenant',
    'remediation': find_device_error('808', None)['remediation'],
    'attributes': {'object_type': 'DeviceUploadDetails'},
}

# Seed statuses: queued, processing, processing, finished_with_errors (4 devices: 806 and 808 fail).
WITH_ERRORS = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS}
# Seed statuses: queued, processing, finished (3 devices, no errors).
CLEAN = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}
# Seed statuses: processing, for ever.
STUCK = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_STUCK}


def example(**options):
    """The documented example batch, with its raw resource (to compare with the documented example)."""
    args = dict(customer_id=harness.EXAMPLE_CUSTOMER_ID, batch_tracking_id=harness.EXAMPLE_BATCH_ID, return_raw=True)
    args.update(options)
    return args


def read(run_module, sim_args, simulator, kind='app-only', check_mode=False, **options):
    """Read the documented example batch (or the batch ``options`` name) with ``kind`` credentials for ``simulator``."""
    return run_module('batch_upload_status', dict(sim_args(simulator, kind), **example(**options)), check_mode=check_mode)


def set_environment(monkeypatch, variables):
    """The PARTNER_CENTER_* variables a task's environment would give the module."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def copy_of(batch, batch_tracking_id):
    """A seed change: the seeded ``batch`` again under ``batch_tracking_id``, in the same customer."""

    def change(seed):
        batches = seed['customers'][batch['customer_id']]['batches']
        batches[batch_tracking_id] = copy.deepcopy(batches[batch['batch_tracking_id']])

    return change


def nothing_sent(simulator):
    return simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


# -- the documented example ---------------------------------------------------------------------------------------


def test_documented_example_field_for_field(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator)
    assert not result.failed, result
    assert result['changed'] is False
    assert result['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    details = result['batch_upload_details']
    assert details == {
        'batch_tracking_id': '0127ed8e-ff72-4983-a3d8-e8d8bd378932',
        'status': 'finished',
        'started_time': '2017-07-25T10:00:00',
        'completed_time': '2017-07-25T10:10:00',
        'devices_status': [EXAMPLE_DEVICE],
        'attributes': {'object_type': 'BatchUploadDetails'},
    }
    # Without the action plugin (as in an async run) the module sets the fact itself.
    assert result['ansible_facts'] == {FACT: details}
    assert result['complete'] is True
    assert result['devices_with_errors'] == [EXAMPLE_DEVICE]
    assert result['device_status_counts'] == {'finished_with_errors': 1}
    assert GUID.match(result['correlation_id'])
    assert [r['grant_type'] for r in simulator.stats['token_requests']] == ['client_credentials']
    assert len(simulator.stats['api_requests']) == 1


def test_the_details_and_the_devices_with_errors_have_the_documented_keys(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator)
    assert not result.failed, result
    assert set(result['batch_upload_details']) == harness.documented_return_keys('batch_upload_status', 'batch_upload_details')
    device_keys = harness.documented_return_keys('batch_upload_status', 'batch_upload_details.devices_status')
    assert harness.documented_return_keys('batch_upload_status', 'devices_with_errors') == device_keys
    assert [set(device) for device in result['batch_upload_details']['devices_status'] + result['devices_with_errors']] == [device_keys] * 2


def test_the_fact_is_left_to_the_action_plugin_when_it_says_so(run_module, simulator, sim_args, monkeypatch):
    # What the action plugin sets in the module's environment when it sees the module to its end.
    result = run_module('batch_upload_status', dict(sim_args(simulator), **example()))
    assert FACT in result['ansible_facts']
    monkeypatch.setenv('PARTNER_CENTER_FACT_BY_ACTION', '1')
    result = run_module('batch_upload_status', dict(sim_args(simulator), **example()))
    assert not result.failed, result
    assert FACT not in (result.get('ansible_facts') or {})
    assert result['batch_upload_details']['devices_status'] == [EXAMPLE_DEVICE]


# -- requests --------------------------------------------------------------------------------------------------


def test_request_headers_follow_partner_center_documentation(run_module, simulator, sim_args):
    correlation_id = 'aaaa0000-bb11-2222-33cc-444444dddddd'
    result = read(run_module, sim_args, simulator, correlation_id=correlation_id, locale='fr-FR')
    assert result['correlation_id'] == correlation_id
    [request] = simulator.stats['api_requests']
    headers = dict((key.lower(), value) for key, value in request['headers'].items())
    assert request['method'] == 'GET'
    assert request['path'] == EXAMPLE_PATH
    assert headers['accept'] == 'application/json'
    assert GUID.match(headers['ms-requestid'])
    assert headers['ms-correlationid'] == correlation_id
    assert headers['x-locale'] == 'fr-FR'
    assert re.match(r'^partnercenter\.devices/\d+\.\d+\.\d+ \(ansible-core/[\d.]+', headers['user-agent'])
    assert 'authorization' not in headers  # the simulator never records it; it was checked instead


def test_each_task_sends_a_new_request_id(run_module, simulator, sim_args):
    runs = [read(run_module, sim_args, simulator), read(run_module, sim_args, simulator)]
    assert [run.failed for run in runs] == [False, False]
    request_ids = [r['request_id'] for r in simulator.stats['api_requests']]
    assert all(GUID.match(request_id) for request_id in request_ids)
    assert len(request_ids) == 2 and len(set(request_ids)) == 2


def test_check_mode_reads_the_same(run_module, simulator, sim_args, api_requests):
    result = read(run_module, sim_args, simulator, check_mode=True)
    assert not result.failed, result
    assert result['changed'] is False
    assert result['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert api_requests(simulator) == [('GET', EXAMPLE_PATH)]


def test_batch_in_progress_is_not_complete(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, **WITH_ERRORS)
    assert result['batch_upload_details']['status'] == 'queued'
    assert result['complete'] is False
    assert result['devices_with_errors'] == []
    assert len(result['batch_upload_details']['devices_status']) == 4


# -- credentials -----------------------------------------------------------------------------------------------


def test_app_plus_user_credentials_use_the_refresh_token(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, kind='app+user')
    assert result['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert [r['grant_type'] for r in simulator.stats['token_requests']] == ['refresh_token']


def test_tenant_may_be_a_domain(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, tenant_id=harness.TENANT_DOMAIN)
    assert not result.failed, result
    assert simulator.stats['token_requests'][0]['tenant'] == harness.TENANT_DOMAIN


def test_access_token_is_used_as_is_without_a_token_request(run_module, simulator):
    token = harness.issue_token(simulator.url)
    requests_before = len(simulator.stats['token_requests'])
    result = run_module('batch_upload_status', example(access_token=token, base_url=simulator.url))
    assert result['batch_upload_details']['status'] == 'finished'
    assert len(simulator.stats['token_requests']) == requests_before


def test_credentials_from_environment_variables(run_module, simulator, monkeypatch):
    set_environment(monkeypatch, harness.simulator_credentials(simulator.url))
    result = run_module('batch_upload_status', example())
    assert not result.failed, result
    assert result['batch_upload_details']['devices_status'] == [EXAMPLE_DEVICE]
    assert result['ansible_facts'] == {FACT: result['batch_upload_details']}
    assert len(simulator.stats['token_requests']) == 1


def test_options_win_over_environment_variables(run_module, simulator, monkeypatch):
    set_environment(monkeypatch, harness.simulator_credentials(simulator.url))
    monkeypatch.setenv('PARTNER_CENTER_CLIENT_SECRET', 'a-wrong-secret-from-the-environment')
    result = run_module('batch_upload_status', example(client_secret=harness.CLIENT_SECRET))
    assert not result.failed, result


def test_missing_credentials_name_the_options_and_variables(run_module, simulator):
    result = run_module('batch_upload_status', example(base_url=simulator.url))
    assert result.failed
    message = result['msg']
    for name in ('access_token', 'PARTNER_CENTER_ACCESS_TOKEN', 'refresh_token', 'PARTNER_CENTER_REFRESH_TOKEN',
                 'client_secret', 'PARTNER_CENTER_CLIENT_SECRET'):
        assert name in message
    assert 'Traceback' not in result.output
    assert nothing_sent(simulator)


def test_secret_without_client_id_names_what_is_missing(run_module, simulator, monkeypatch):
    variables = harness.simulator_credentials(simulator.url)
    del variables['PARTNER_CENTER_CLIENT_ID']
    set_environment(monkeypatch, variables)
    result = run_module('batch_upload_status', example())
    assert result['msg'] == 'app-only (client_secret) credentials also need: client_id (PARTNER_CENTER_CLIENT_ID).'
    assert simulator.stats['token_requests'] == []


def test_plain_http_to_a_remote_host_is_refused(run_module, simulator):
    result = run_module('batch_upload_status', example(base_url='http://partner.example.com', access_token='not-sent-anywhere'))
    assert result.failed
    assert 'base_url must use https://' in result['msg']
    assert simulator.stats['api_requests'] == []


# -- bad input, before any request -----------------------------------------------------------------------------


def test_malformed_guid_fails_before_any_request(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, batch_tracking_id='0127ed8e-not-a-guid')
    assert result.failed
    assert result['msg'] == (
        "batch_tracking_id must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got '0127ed8e-not-a-guid'.")
    assert nothing_sent(simulator)


def test_malformed_customer_id_fails_before_any_request(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, customer_id='not-a-guid')
    assert result.failed
    assert 'customer_id must be a GUID' in result['msg']
    assert nothing_sent(simulator)


@pytest.mark.parametrize('options, message', [
    (dict(locale='en-US\nX-Injected: 1'), 'locale must be a language tag such as en-US'),
    (dict(correlation_id='aaaa0000-bb11-2222-33cc-444444dddddd\n'), 'correlation_id must be a GUID'),
    (dict(customer_id=harness.EXAMPLE_CUSTOMER_ID + '\n'), 'customer_id must be a GUID'),
], ids=['locale', 'correlation_id', 'customer_id'])
def test_options_that_go_into_headers_are_checked_first(run_module, simulator, sim_args, options, message):
    result = read(run_module, sim_args, simulator, **options)
    assert result.failed, result
    assert result['msg'].startswith(message), result['msg']
    assert 'Traceback' not in result.output
    assert simulator.stats['api_requests'] == []


def test_a_zero_poll_interval_is_refused(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, wait=True, poll_interval=0, **CLEAN)
    assert result.failed
    assert 'poll_interval must be a finite number from 0.1 to 3600 seconds, got 0.' in result['msg']
    assert simulator.stats['api_requests'] == []


# -- refusals ------------------------------------------------------------------------------------------------------


def test_bad_access_token_gets_a_final_401_explained(run_module, simulator):
    result = run_module('batch_upload_status', example(access_token='an-invalid-token-value', base_url=simulator.url))
    assert result.failed
    assert result['http_status'] == 401
    assert 'HTTP 401' in result['msg'] and 'Admin agent or Sales agent' in result['msg']
    assert len(simulator.stats['api_requests']) == 1  # a caller's token cannot be renewed: no retry


def test_a_403_gives_partner_center_code_and_ids(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, customer_id=harness.FOREIGN_CUSTOMER_ID)
    assert result['http_status'] == 403
    [request] = simulator.stats['api_requests']
    assert result['request_id'] == request['request_id']
    assert result['correlation_id'] == request['correlation_id']
    assert 'MS-RequestId %s' % request['request_id'] in result['msg']
    assert 'MS-CorrelationId %s' % request['correlation_id'] in result['msg']
    assert 'code %s' % result['error_code'] in result['msg']
    assert result['error_description'] in result['msg']


def test_a_403_for_a_user_without_the_role(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, kind='app+user', refresh_token=harness.REFRESH_TOKEN_NO_ROLE)
    assert result['http_status'] == 403
    assert 'Admin agent or Sales agent' in result['msg']


def test_a_404_for_an_unknown_batch(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, batch_tracking_id='00000000-0000-4000-8000-000000000000')
    assert result['http_status'] == 404
    assert result['error_code'] is not None and result['error_description']
    assert 'Partner Center refused GET /v1/customers/%s/batchJobStatus/00000000-0000-4000-8000-000000000000: HTTP 404' % (
        harness.EXAMPLE_CUSTOMER_ID) in result['msg']
    assert len(simulator.stats['api_requests']) == 1  # a 404 is never retried
    assert 'ansible_facts' not in result  # no details were read, so no fact


def test_a_wait_stopped_by_a_refusal_returns_its_error_data(run_module, simulator, sim_args):
    simulator.add_fault('status', match='/batchJobStatus/', status=403, code=2032, description='Access denied',
                        data=['the user lacks the Admin agent role'])
    result = read(run_module, sim_args, simulator, wait=True, poll_interval=0.1)
    assert result.failed and result['http_status'] == 403
    assert result['error_data'] == ['the user lacks the Admin agent role']


def test_expired_refresh_token_says_how_to_recover(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, kind='app+user', refresh_token=harness.REFRESH_TOKEN_EXPIRED)
    assert result['error_code'] == 'invalid_grant'
    assert 'AADSTS700082' in result['msg'] and 'consent again' in result['msg']


def test_wrong_client_secret_reports_entra_error_without_the_secret(run_module, simulator, sim_args):
    wrong_secret = 'wrong-secret-value-that-must-not-show'
    result = read(run_module, sim_args, simulator, client_secret=wrong_secret)
    assert result['http_status'] == 401
    assert result['error_code'] == 'invalid_client'
    assert 'AADSTS7000215' in result['msg'] and 'Hint:' in result['msg']
    assert wrong_secret not in result.output + ' '.join(result.warnings)
    assert simulator.stats['api_requests'] == []


# -- wait ------------------------------------------------------------------------------------------------------------


def test_wait_goes_through_queued_and_processing(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, wait=True, poll_interval=0.1, **CLEAN)
    assert not result.failed, result
    assert result['complete'] is True
    assert result['batch_upload_details']['status'] == 'finished'
    assert result['polls'] == 3
    assert result['waited_seconds'] >= 0.2
    assert simulator.stats['polls'][harness.DEMO_BATCH_CLEAN] == 3
    assert len(simulator.stats['token_requests']) == 1


def test_wait_timeout_fails_with_the_last_status(run_module, simulator, sim_args):
    result = read(run_module, sim_args, simulator, wait=True, poll_interval=0.2, wait_timeout=1, **STUCK)
    assert result.failed
    assert result['msg'].startswith('Batch %s of customer %s was still processing after waiting '
                                    % (harness.DEMO_BATCH_STUCK, harness.DEMO_CUSTOMER_ID))
    assert 'wait_timeout 1 s' in result['msg']
    assert result['batch_upload_details']['status'] == 'processing'
    assert result['complete'] is False
    assert result['polls'] >= 2 and result['waited_seconds'] >= 1
    # The last details seen are the fact too, as on success.
    assert result['ansible_facts'] == {FACT: result['batch_upload_details']}
    assert len(simulator.stats['token_requests']) == 1


def test_wait_rides_out_throttling(run_module, make_simulator, sim_args):
    # A copy of the clean batch under an id of this case's own: the retry warning names it, so its text is this
    # case's own (see tests/in_process.py).
    batch = {'customer_id': CLEAN['customer_id'], 'batch_tracking_id': '5e1f0c2a-7d3b-4e6f-9a8b-0c1d2e3f4a5b'}
    simulator = make_simulator(copy_of(CLEAN, batch['batch_tracking_id']))
    simulator.add_fault('status', match='api', status=429, retry_after='1', count=1, after=1)
    result = read(run_module, sim_args, simulator, wait=True, poll_interval=0.1, **batch)
    assert not result.failed, result
    assert result['batch_upload_details']['status'] == 'finished'
    statuses = [r['status'] for r in simulator.stats['api_requests'] if r['path'].endswith(batch['batch_tracking_id'])]
    assert statuses == [200, 429, 200, 200]
    assert [warning for warning in result.warnings if 'HTTP 429' in warning and 'Retry-After' in warning]  # explained
    assert len(simulator.stats['token_requests']) == 1


# -- statuses in every spelling, and bulk waits -------------------------------------------------------------------------

CUSTOMER = harness.DEMO_CUSTOMER_ID
SPELLED = '11111111-2222-4333-8444-555555555555'
CANCELLED = '11111111-2222-4333-8444-666666666666'
UNKNOWN = '11111111-2222-4333-8444-777777777777'


def with_batches(seed):
    batches = seed['customers'][CUSTOMER]['batches']
    batches[SPELLED] = {'statuses': ['Queued', 'PROCESSING', 'finishedWithErrors'],
                        'in_progress_device_status': 'inProgress',
                        'devices': [{'serialNumber': 'SP-1', 'error': '806'}, {'serialNumber': 'SP-2'}]}
    batches[CANCELLED] = {'statuses': ['queued', 'cancelled']}
    batches[UNKNOWN] = {'statuses': ['unknown', 'unknown', 'Finished']}


def status_args(sim_args, simulator, **options):
    return dict(sim_args(simulator), customer_id=CUSTOMER, **options)


# -- statuses ---------------------------------------------------------------------------------------------------------

def test_a_camel_case_final_status_completes_a_wait(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=SPELLED, wait=True,
                                                           poll_interval=0.1, wait_timeout=30, return_raw=True))
    assert not result.failed, result
    assert result['complete'] is True and result['polls'] == 3
    assert result['batch_upload_details']['status'] == 'finished_with_errors'
    assert result['raw_batch_upload_details']['status'] == 'finishedWithErrors'
    assert result['device_status_counts'] == {'finished_with_errors': 1, 'finished': 1}
    assert [d['serial_number'] for d in result['devices_with_errors']] == ['SP-1']


def test_device_statuses_in_progress_in_any_spelling(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    assert not run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=SPELLED)).failed
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=SPELLED, return_raw=True))
    assert not result.failed, result
    assert result['batch_upload_details']['status'] == 'processing'  # sent as PROCESSING
    assert result['device_status_counts'] == {'in_progress': 2}
    assert result['raw_batch_upload_details']['devicesStatus'][0]['status'] == 'inProgress'


def test_cancelled_ends_a_wait_at_once_with_the_details(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=CANCELLED, wait=True,
                                                           poll_interval=0.1, wait_timeout=600))
    assert result.failed
    assert "has the status 'cancelled', which Partner Center does not document" in result['msg']
    assert result['batch_upload_details']['status'] == 'cancelled'
    assert result['complete'] is False and result['unexpected_status'] is True
    assert result['polls'] == 2
    assert result['waited_seconds'] < 60  # ended at once, not at wait_timeout
    assert 'Traceback' not in result.output


def test_unknown_keeps_a_wait_going_with_one_warning(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    result = run_module('batch_upload_status', status_args(sim_args, simulator, batch_tracking_id=UNKNOWN, wait=True,
                                                           poll_interval=0.1, wait_timeout=30))
    assert not result.failed, result
    assert result['complete'] is True and result['polls'] == 3
    assert result['batch_upload_details']['status'] == 'finished'
    assert [text for text in result.warnings if 'status unknown' in text] == [
        'Batch %s has the status unknown, which Partner Center documents as one that should never happen; '
        'a wait goes on polling it.' % UNKNOWN]


# -- bulk waits -------------------------------------------------------------------------------------------------------

def test_a_bulk_wait_fails_only_the_cancelled_batch(run_module, make_simulator, sim_args):
    simulator = make_simulator(with_batches)
    batches = [{'customer_id': CUSTOMER, 'batch_tracking_id': tracking_id} for tracking_id in (SPELLED, CANCELLED, UNKNOWN)]
    result = run_module('batch_upload_status', dict(sim_args(simulator), batches=batches, wait=True, poll_interval=0.1,
                                                    wait_timeout=600))
    assert not result.failed, result
    spelled, cancelled, unknown = result['results']
    assert spelled['failed'] is False and spelled['batch_upload_details']['status'] == 'finished_with_errors'
    assert unknown['failed'] is False and unknown['complete'] is True
    assert cancelled['failed'] is True and "'cancelled'" in cancelled['msg']
    assert cancelled['batch_upload_details']['status'] == 'cancelled' and cancelled['polls'] == 2
    assert result['batch_counts'] == dict(total=3, complete=2, incomplete=0, failed=1, with_device_errors=1)


THROTTLED_CUSTOMERS = ['c0000000-0000-4000-8000-%012d' % number for number in range(1, 5)]


def throttled_seed(seed):
    for customer in THROTTLED_CUSTOMERS:
        seed['customers'][customer] = {
            'throttle': {'limit': 20, 'window_seconds': 1},
            'batches': dict(('%s%04d' % (customer[:-4], number), {'statuses': ['processing', 'finished']}) for number in range(50)),
        }


def test_a_bulk_wait_of_200_batches_under_sustained_throttling_loses_none(run_module, make_simulator, sim_args):
    simulator = make_simulator(throttled_seed)
    batches = [{'customer_id': customer, 'batch_tracking_id': '%s%04d' % (customer[:-4], number)}
               for customer in THROTTLED_CUSTOMERS for number in range(50)]
    result = run_module('batch_upload_status', dict(sim_args(simulator), batches=batches, wait=True, poll_interval=0.1,
                                                    wait_timeout=300, retries=0, concurrency=16))
    assert not result.failed, result
    assert result['batch_counts'] == dict(total=200, complete=200, incomplete=0, failed=0, with_device_errors=0)
    assert all(entry['polls'] == 2 for entry in result['results'])
    throttled = sum(entry['throttled_polls'] for entry in result['results'])
    answered_429 = sum(1 for r in simulator.stats['api_requests'] if r['status'] == 429)
    assert throttled == answered_429 > 0


def test_fields_documented_as_strings_are_text_or_null_whatever_was_sent(run_module, simulator, sim_args):
    simulator.add_fault('status', match=harness.EXAMPLE_BATCH_ID, status=200, body=harness.odd_types_answer(harness.EXAMPLE_BATCH_ID))
    args = sim_args(simulator, customer_id=harness.EXAMPLE_CUSTOMER_ID, batch_tracking_id=harness.EXAMPLE_BATCH_ID, return_raw=True)
    result = run_module('batch_upload_status', args)
    assert not result.failed, result
    details = result['batch_upload_details']
    assert (details['started_time'], details['completed_time']) == (None, '1736154000')
    first, second = details['devices_status']
    assert (first['device_id'], first['serial_number'], first['product_key'], first['error_code'], first['error_description']) \
        == (None, '12345', None, None, None)
    assert (second['device_id'], second['serial_number'], second['error_code'], second['error_description']) == ('7.5', None, '808', None)
    assert [device['serial_number'] for device in result['devices_with_errors']] == ['12345', None]
    # What Partner Center sent stays available, as sent.
    assert result['raw_batch_upload_details']['devicesStatus'][0]['errorCode'] == [808]
