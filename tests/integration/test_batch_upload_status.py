# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status through real ansible-playbook runs against the Partner Center simulator."""

import json
import re
import urllib.parse
import urllib.request

import harness
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


def test_request_headers_follow_partner_center_documentation(simulator, playbook):
    correlation_id = 'aaaa0000-bb11-2222-33cc-444444dddddd'
    run = playbook('batch_upload_status.yml', example_vars(correlation_id=correlation_id, locale='fr-FR'),
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
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


def test_each_task_sends_a_new_request_id(simulator, playbook):
    for run_number in (1, 2):
        run = playbook('batch_upload_status.yml', example_vars(), env=harness.simulator_credentials(simulator.url))
        assert run.returncode == 0, (run_number, run)
    request_ids = [r['request_id'] for r in simulator.stats['api_requests']]
    assert all(GUID.match(request_id) for request_id in request_ids)
    assert len(request_ids) == 2 and len(set(request_ids)) == 2


def test_app_plus_user_credentials_use_the_refresh_token(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(),
                   env=harness.simulator_credentials(simulator.url, kind='app+user'))
    assert run.returncode == 0, run
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert [r['grant_type'] for r in simulator.stats['token_requests']] == ['refresh_token']


def test_tenant_may_be_a_domain(simulator, playbook):
    env = harness.simulator_credentials(simulator.url)
    env['PARTNER_CENTER_TENANT_ID'] = harness.TENANT_DOMAIN
    run = playbook('batch_upload_status.yml', example_vars(), env=env)
    assert run.returncode == 0, run
    assert simulator.stats['token_requests'][0]['tenant'] == harness.TENANT_DOMAIN


def test_access_token_is_used_as_is_without_a_token_request(simulator, playbook):
    token = issue_token(simulator.url)
    requests_before = len(simulator.stats['token_requests'])
    run = playbook('batch_upload_status.yml', example_vars(access_token=token, base_url=simulator.url))
    assert run.returncode == 0, run
    assert run.results['result']['batch_upload_details']['status'] == 'finished'
    assert len(simulator.stats['token_requests']) == requests_before


def test_options_win_over_environment_variables(simulator, playbook):
    env = harness.simulator_credentials(simulator.url)
    env['PARTNER_CENTER_CLIENT_SECRET'] = 'a-wrong-secret-from-the-environment'
    run = playbook('batch_upload_status.yml', example_vars(client_secret=harness.CLIENT_SECRET), env=env)
    assert run.returncode == 0, run


def test_an_async_read_sets_the_same_fact(simulator, playbook):
    """An async run, which the action plugin does not see to its end, gets the fact from the module itself."""
    run = playbook('batch_upload_status_async.yml', example_vars(), env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    details = run.results['result']['batch_upload_details']
    assert details['devices_status'] == [EXAMPLE_DEVICE]
    assert run.results['fact'] == details
    assert run.results['result']['ansible_facts'] == {'partnercenter_batch_upload_details': details}


def test_credentials_from_the_environment_keyword(simulator, playbook):
    """The task's environment (here a template) reaches the module beside the variables the action plugin adds."""
    variables = example_vars(partner_center_environment=harness.simulator_credentials(simulator.url))
    run = playbook('batch_upload_status_environment.yml', variables)
    assert run.returncode == 0, run
    details = run.results['result']['batch_upload_details']
    assert details['devices_status'] == [EXAMPLE_DEVICE]
    assert run.results['fact'] == details
    assert len(simulator.stats['token_requests']) == 1


def test_module_defaults_with_the_action_group(simulator, playbook):
    run = playbook('module_defaults.yml', example_vars(
        tenant_id=harness.TENANT_ID, client_id=harness.CLIENT_ID, client_secret=harness.CLIENT_SECRET,
        base_url=simulator.url, authority_url=simulator.url))
    assert run.returncode == 0, run
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE


def test_check_mode_reads_the_same(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(), env=harness.simulator_credentials(simulator.url),
                   check=True)
    assert run.returncode == 0, run
    assert run.results['result']['changed'] is False
    assert run.results['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE


def test_batch_in_progress_is_not_complete(simulator, playbook):
    run = playbook('batch_upload_status.yml', {'customer_id': harness.DEMO_CUSTOMER_ID,
                                               'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS},
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    result = run.results['result']
    assert result['batch_upload_details']['status'] == 'queued'
    assert result['complete'] is False
    assert result['devices_with_errors'] == []
    assert len(result['batch_upload_details']['devices_status']) == 4


def test_malformed_guid_fails_before_any_request(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(batch_tracking_id='0127ed8e-not-a-guid'),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert run.results['result']['msg'] == (
        "batch_tracking_id must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got '0127ed8e-not-a-guid'.")
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


def test_customer_tenant_id_alias(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(customer_id='not-a-guid'),
                   env=harness.simulator_credentials(simulator.url))
    assert 'customer_id must be a GUID' in run.results['result']['msg']


def test_missing_credentials_name_the_options_and_variables(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(base_url=simulator.url))
    assert run.results['outcome'] == 'failed'
    message = run.results['result']['msg']
    for name in ('access_token', 'PARTNER_CENTER_ACCESS_TOKEN', 'refresh_token', 'PARTNER_CENTER_REFRESH_TOKEN',
                 'client_secret', 'PARTNER_CENTER_CLIENT_SECRET'):
        assert name in message
    assert 'Traceback' not in run.output
    assert simulator.stats['token_requests'] == [] and simulator.stats['api_requests'] == []


def test_secret_without_client_id_names_what_is_missing(simulator, playbook):
    env = harness.simulator_credentials(simulator.url)
    del env['PARTNER_CENTER_CLIENT_ID']
    run = playbook('batch_upload_status.yml', example_vars(), env=env)
    assert run.results['result']['msg'] == (
        'app-only (client_secret) credentials also need: client_id (PARTNER_CENTER_CLIENT_ID).')
    assert simulator.stats['token_requests'] == []


def test_plain_http_to_a_remote_host_is_refused(playbook):
    run = playbook('batch_upload_status.yml', example_vars(base_url='http://partner.example.com',
                                                           access_token='not-sent-anywhere'))
    assert run.results['outcome'] == 'failed'
    assert 'base_url must use https://' in run.results['result']['msg']


def test_401_for_a_bad_access_token_is_final_and_explained(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(access_token='an-invalid-token-value',
                                                           base_url=simulator.url))
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['http_status'] == 401
    assert 'HTTP 401' in result['msg'] and 'Admin agent or Sales agent' in result['msg']
    assert len(simulator.stats['api_requests']) == 1  # a caller's token cannot be renewed: no retry


def test_403_gives_partner_center_code_and_ids(simulator, playbook):
    run = playbook('batch_upload_status.yml', {'customer_id': harness.FOREIGN_CUSTOMER_ID,
                                               'batch_tracking_id': harness.EXAMPLE_BATCH_ID},
                   env=harness.simulator_credentials(simulator.url))
    result = run.results['result']
    assert result['http_status'] == 403
    [request] = simulator.stats['api_requests']
    assert result['request_id'] == request['request_id']
    assert result['correlation_id'] == request['correlation_id']
    assert 'MS-RequestId %s' % request['request_id'] in result['msg']
    assert 'MS-CorrelationId %s' % request['correlation_id'] in result['msg']
    assert 'code %s' % result['error_code'] in result['msg']
    assert result['error_description'] in result['msg']


def test_403_for_a_user_without_the_role(simulator, playbook):
    env = harness.simulator_credentials(simulator.url, kind='app+user')
    env['PARTNER_CENTER_REFRESH_TOKEN'] = harness.REFRESH_TOKEN_NO_ROLE
    run = playbook('batch_upload_status.yml', example_vars(), env=env)
    assert run.results['result']['http_status'] == 403
    assert 'Admin agent or Sales agent' in run.results['result']['msg']


def test_404_for_an_unknown_batch(simulator, playbook):
    run = playbook('batch_upload_status.yml', example_vars(batch_tracking_id='00000000-0000-4000-8000-000000000000'),
                   env=harness.simulator_credentials(simulator.url))
    result = run.results['result']
    assert result['http_status'] == 404
    assert result['error_code'] is not None and result['error_description']
    assert 'Partner Center refused GET /v1/customers/%s/batchJobStatus/00000000-0000-4000-8000-000000000000: HTTP 404' % (
        harness.EXAMPLE_CUSTOMER_ID) in result['msg']
    assert len(simulator.stats['api_requests']) == 1  # a 404 is never retried
    assert 'ansible_facts' not in result  # no details were read, so no fact


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


def test_expired_refresh_token_says_how_to_recover(simulator, playbook):
    env = harness.simulator_credentials(simulator.url, kind='app+user')
    env['PARTNER_CENTER_REFRESH_TOKEN'] = harness.REFRESH_TOKEN_EXPIRED
    run = playbook('batch_upload_status.yml', example_vars(), env=env)
    result = run.results['result']
    assert result['error_code'] == 'invalid_grant'
    assert 'AADSTS700082' in result['msg'] and 'consent again' in result['msg']


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


def test_options_that_go_into_headers_are_checked_first(simulator, bad_input):
    cases = (
        (example_vars(locale='en-US\nX-Injected: 1'), "locale must be a language tag such as en-US"),
        (example_vars(correlation_id='aaaa0000-bb11-2222-33cc-444444dddddd\n'), 'correlation_id must be a GUID'),
        (example_vars(customer_id=harness.EXAMPLE_CUSTOMER_ID + '\n'), 'customer_id must be a GUID'))
    # One playbook run for the three cases (each fails before any request); each is judged on its own result.
    run, results = bad_input([('batch_upload_status.yml', variables) for variables, _message in cases],
                             env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    for (variables, message), result in zip(cases, results):
        assert result and result.get('failed') is True, (variables, result, run)
        assert result['msg'].startswith(message), (variables, message, result['msg'])
    assert 'Traceback' not in run.output
    assert simulator.stats['api_requests'] == []
