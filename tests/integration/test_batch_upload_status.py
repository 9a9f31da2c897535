# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status through real ansible-playbook runs against the Partner Center simulator.

Most checks are cases of one shared run (tests/shared_cases.py), each with a simulator of its own and its
credentials in its task's environment keyword. The tests kept apart need a playbook of their own (async,
module_defaults) or credentials in the environment of ansible-playbook itself: the environment keyword
shows its values at -vvv, so the -vvvv secret checks cannot use it.
"""

import json
import re
import urllib.parse
import urllib.request

import harness
import shared_cases
from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import find_device_error

GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')

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


def example_vars(**extra):
    """Extra vars naming the documented example batch."""
    # The raw resource too (return_raw), so that tests can compare it with the documented example.
    variables = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID, 'return_raw': True}
    variables.update(extra)
    return variables


def issue_token(url, refresh_token=None):
    """Ask the simulator's token endpoint for an access token, as a user would beforehand."""
    form = {'client_id': harness.CLIENT_ID, 'client_secret': harness.CLIENT_SECRET,
            'resource': 'https://api.partnercenter.microsoft.com'}
    if refresh_token:
        form.update(grant_type='refresh_token', refresh_token=refresh_token)
    else:
        form['grant_type'] = 'client_credentials'
    request = urllib.request.Request('%s/%s/oauth2/token' % (url, harness.TENANT_ID),
                                     data=urllib.parse.urlencode(form).encode(), method='POST')
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        return json.loads(response.read())['access_token']


def test_documented_example_field_for_field(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(),
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    assert run.results['outcome'] == 'ok'
    result = run.results['result']
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
    assert run.results['fact'] == details
    assert result['complete'] is True
    assert result['devices_with_errors'] == [EXAMPLE_DEVICE]
    assert result['device_status_counts'] == {'finished_with_errors': 1}
    assert GUID.match(result['correlation_id'])
    stats = simulator.stats
    assert [r['grant_type'] for r in stats['token_requests']] == ['client_credentials']
    assert len(stats['api_requests']) == 1


CASES = shared_cases.Table('batch_upload_status.yml')


def read(simulator, kind='app-only', **extra):
    """A read of the documented example with ``kind`` credentials for ``simulator`` in the task's environment."""
    return shared_cases.Case(example_vars(**extra), environment=harness.simulator_credentials(simulator.url, kind))


@CASES.case
def request_headers_follow_partner_center_documentation(simulator):
    correlation_id = 'aaaa0000-bb11-2222-33cc-444444dddddd'
    run = yield read(simulator, correlation_id=correlation_id, locale='fr-FR')
    assert run.results['result']['correlation_id'] == correlation_id
    [request] = simulator.stats['api_requests']
    headers = dict((key.lower(), value) for key, value in request['headers'].items())
    assert request['method'] == 'GET'
    assert request['path'] == '/v1/customers/%s/batchJobStatus/%s' % (harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
    assert headers['accept'] == 'application/json'
    assert GUID.match(headers['ms-requestid'])
    assert headers['ms-correlationid'] == correlation_id
    assert headers['x-locale'] == 'fr-FR'
    assert re.match(r'^partnercenter\.devices/\d+\.\d+\.\d+ \(ansible-core/[\d.]+', headers['user-agent'])
    assert 'authorization' not in headers  # the simulator never records it; it was checked instead


@CASES.case
def each_task_sends_a_new_request_id(simulator):
    runs = yield [read(simulator), read(simulator)]
    assert [run.results['outcome'] for run in runs] == ['ok', 'ok']
    request_ids = [r['request_id'] for r in simulator.stats['api_requests']]
    assert all(GUID.match(request_id) for request_id in request_ids)
    assert len(request_ids) == 2 and len(set(request_ids)) == 2


@CASES.case
def app_plus_user_credentials_use_the_refresh_token(simulator):
    run = yield read(simulator, kind='app+user')
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert [r['grant_type'] for r in simulator.stats['token_requests']] == ['refresh_token']


@CASES.case
def tenant_may_be_a_domain(simulator):
    case = read(simulator)
    case.environment['PARTNER_CENTER_TENANT_ID'] = harness.TENANT_DOMAIN
    run = yield case
    assert run.results['outcome'] == 'ok'
    assert simulator.stats['token_requests'][0]['tenant'] == harness.TENANT_DOMAIN


@CASES.case
def access_token_is_used_as_is_without_a_token_request(simulator):
    token = issue_token(simulator.url)
    requests_before = len(simulator.stats['token_requests'])
    run = yield shared_cases.Case(example_vars(access_token=token, base_url=simulator.url))
    assert run.results['result']['batch_upload_details']['status'] == 'finished'
    assert len(simulator.stats['token_requests']) == requests_before


@CASES.case
def options_win_over_environment_variables(simulator):
    case = read(simulator, client_secret=harness.CLIENT_SECRET)
    case.environment['PARTNER_CENTER_CLIENT_SECRET'] = 'a-wrong-secret-from-the-environment'
    run = yield case
    assert run.results['outcome'] == 'ok'


@CASES.case
def credentials_from_the_environment_keyword(simulator):
    """The task's environment (a template, as every case here has) reaches the module beside the variables the
    action plugin adds; the fact is the result's details."""
    run = yield read(simulator)
    details = run.results['result']['batch_upload_details']
    assert details['devices_status'] == [EXAMPLE_DEVICE]
    assert run.results['fact'] == details
    assert len(simulator.stats['token_requests']) == 1


@CASES.case
def check_mode_reads_the_same(simulator):
    case = read(simulator)
    case.check_mode = True
    run = yield case
    assert run.results['result']['changed'] is False
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE


@CASES.case
def batch_in_progress_is_not_complete(simulator):
    run = yield read(simulator, customer_id=harness.DEMO_CUSTOMER_ID, batch_tracking_id=harness.DEMO_BATCH_WITH_ERRORS)
    result = run.results['result']
    assert result['batch_upload_details']['status'] == 'queued'
    assert result['complete'] is False
    assert result['devices_with_errors'] == []
    assert len(result['batch_upload_details']['devices_status']) == 4


@CASES.case
def malformed_guid_fails_before_any_request(simulator):
    run = yield read(simulator, batch_tracking_id='0127ed8e-not-a-guid')
    assert run.results['outcome'] == 'failed'
    assert run.results['result']['msg'] == (
        "batch_tracking_id must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got '0127ed8e-not-a-guid'.")
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


@CASES.case
def malformed_customer_id_fails_before_any_request(simulator):
    run = yield read(simulator, customer_id='not-a-guid')
    assert 'customer_id must be a GUID' in run.results['result']['msg']
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


@CASES.case
def missing_credentials_name_the_options_and_variables(simulator):
    run = yield shared_cases.Case(example_vars(base_url=simulator.url))
    assert run.results['outcome'] == 'failed'
    message = run.results['result']['msg']
    for name in ('access_token', 'PARTNER_CENTER_ACCESS_TOKEN', 'refresh_token', 'PARTNER_CENTER_REFRESH_TOKEN',
                 'client_secret', 'PARTNER_CENTER_CLIENT_SECRET'):
        assert name in message
    assert 'Traceback' not in run.output
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


@CASES.case
def secret_without_client_id_names_what_is_missing(simulator):
    case = read(simulator)
    del case.environment['PARTNER_CENTER_CLIENT_ID']
    run = yield case
    assert run.results['result']['msg'] == (
        'app-only (client_secret) credentials also need: client_id (PARTNER_CENTER_CLIENT_ID).')
    assert simulator.stats['token_requests'] == []


@CASES.case
def plain_http_to_a_remote_host_is_refused(simulator):
    run = yield shared_cases.Case(example_vars(base_url='http://partner.example.com', access_token='not-sent-anywhere'))
    assert run.results['outcome'] == 'failed'
    assert 'base_url must use https://' in run.results['result']['msg']
    assert simulator.stats['api_requests'] == []


@CASES.case
def bad_access_token_gets_a_final_401_explained(simulator):
    run = yield shared_cases.Case(example_vars(access_token='an-invalid-token-value', base_url=simulator.url))
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['http_status'] == 401
    assert 'HTTP 401' in result['msg'] and 'Admin agent or Sales agent' in result['msg']
    assert len(simulator.stats['api_requests']) == 1  # a caller's token cannot be renewed: no retry


@CASES.case
def a_403_gives_partner_center_code_and_ids(simulator):
    run = yield read(simulator, customer_id=harness.FOREIGN_CUSTOMER_ID)
    result = run.results['result']
    assert result['http_status'] == 403
    [request] = simulator.stats['api_requests']
    assert result['request_id'] == request['request_id']
    assert result['correlation_id'] == request['correlation_id']
    assert 'MS-RequestId %s' % request['request_id'] in result['msg']
    assert 'MS-CorrelationId %s' % request['correlation_id'] in result['msg']
    assert 'code %s' % result['error_code'] in result['msg']
    assert result['error_description'] in result['msg']


@CASES.case
def a_403_for_a_user_without_the_role(simulator):
    case = read(simulator, kind='app+user')
    case.environment['PARTNER_CENTER_REFRESH_TOKEN'] = harness.REFRESH_TOKEN_NO_ROLE
    run = yield case
    assert run.results['result']['http_status'] == 403
    assert 'Admin agent or Sales agent' in run.results['result']['msg']


@CASES.case
def a_404_for_an_unknown_batch(simulator):
    run = yield read(simulator, batch_tracking_id='00000000-0000-4000-8000-000000000000')
    result = run.results['result']
    assert result['http_status'] == 404
    assert result['error_code'] is not None and result['error_description']
    assert 'Partner Center refused GET /v1/customers/%s/batchJobStatus/00000000-0000-4000-8000-000000000000: HTTP 404' % (
        harness.EXAMPLE_CUSTOMER_ID) in result['msg']
    assert len(simulator.stats['api_requests']) == 1  # a 404 is never retried
    assert 'ansible_facts' not in result  # no details were read, so no fact


@CASES.case
def expired_refresh_token_says_how_to_recover(simulator):
    case = read(simulator, kind='app+user')
    case.environment['PARTNER_CENTER_REFRESH_TOKEN'] = harness.REFRESH_TOKEN_EXPIRED
    run = yield case
    result = run.results['result']
    assert result['error_code'] == 'invalid_grant'
    assert 'AADSTS700082' in result['msg'] and 'consent again' in result['msg']


@CASES.case
def options_that_go_into_headers_are_checked_first(simulator):
    cases = (
        (dict(locale='en-US\nX-Injected: 1'), "locale must be a language tag such as en-US"),
        (dict(correlation_id='aaaa0000-bb11-2222-33cc-444444dddddd\n'), 'correlation_id must be a GUID'),
        (dict(customer_id=harness.EXAMPLE_CUSTOMER_ID + '\n'), 'customer_id must be a GUID'))
    runs = yield [read(simulator, **options) for options, _message in cases]
    for (options, message), run in zip(cases, runs):
        assert run.results['outcome'] == 'failed', (options, run.results)
        assert run.results['result']['msg'].startswith(message), (options, message, run.results['result']['msg'])
    assert 'Traceback' not in runs[0].output
    assert simulator.stats['api_requests'] == []


def test_shared_cases(make_simulator, collections_path, tmp_path):
    CASES.check(make_simulator, collections_path, tmp_path)


def test_an_async_read_sets_the_same_fact(simulator, playbook):
    """An async run, which the action plugin does not see to its end, gets the fact from the module itself."""
    run = playbook('batch_upload_status_async.yml', example_vars(), env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    details = run.results['result']['batch_upload_details']
    assert details['devices_status'] == [EXAMPLE_DEVICE]
    assert run.results['fact'] == details
    assert run.results['result']['ansible_facts'] == {'partnercenter_batch_upload_details': details}


def test_module_defaults_with_the_action_group(simulator, playbook):
    run = playbook('module_defaults.yml', example_vars(
        tenant_id=harness.TENANT_ID, client_id=harness.CLIENT_ID, client_secret=harness.CLIENT_SECRET,
        base_url=simulator.url, authority_url=simulator.url))
    assert run.returncode == 0, run
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE


def test_wrong_client_secret_reports_entra_error_without_the_secret(simulator, playbook):
    wrong_secret = 'wrong-secret-value-that-must-not-show'
    run = playbook('batch_upload_status.yml', example_vars(client_secret=wrong_secret),
                   env=harness.simulator_credentials(simulator.url), verbosity=4)
    result = run.results['result']
    assert result['http_status'] == 401
    assert result['error_code'] == 'invalid_client'
    assert 'AADSTS7000215' in result['msg'] and 'Hint:' in result['msg']
    assert wrong_secret not in run.output
    assert simulator.stats['api_requests'] == []


def test_no_secret_or_token_in_vvvv_output(simulator, playbook):
    outputs = []
    for kind in ('app-only', 'app+user'):
        run = playbook('batch_upload_status.yml', example_vars(), env=harness.simulator_credentials(simulator.url, kind),
                       verbosity=4)
        assert run.returncode == 0, run
        outputs.append(run.output)
    token = issue_token(simulator.url)
    run = playbook('batch_upload_status.yml', example_vars(access_token=token, base_url=simulator.url), verbosity=4)
    assert run.returncode == 0, run
    outputs.append(run.output)
    output = '\n'.join(outputs)
    assert 'batchTrackingId' in output  # the verbose output really holds the module's result
    issued = simulator.stats['issued_tokens']
    assert len(issued) == 3
    for secret in harness.SECRETS + tuple(issued):
        assert secret not in output
