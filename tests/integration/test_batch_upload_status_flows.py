# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status through real ansible-playbook runs, for what only a play shows: the fact the action plugin
sets on the controller, the task's environment keyword beside the variables the action plugin adds, an async read,
module_defaults with the action group, and the -vvvv output. The module's own behaviour is tested in-process in
tests/unit/plugins/modules/test_batch_upload_status.py and test_faults.py."""


import harness

EXAMPLE = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID}
FACT = 'partnercenter_batch_upload_details'


def test_the_controller_sets_the_fact_in_every_way_to_run_the_module(make_simulator, playbook):
    by_environment, by_async, by_module_defaults = make_simulator(), make_simulator(), make_simulator()
    run = playbook('batch_upload_status_controller.yml', dict(
        EXAMPLE,
        environment_credentials=harness.simulator_credentials(by_environment.url),
        async_credentials=harness.simulator_credentials(by_async.url),
        module_defaults_credentials=dict(tenant_id=harness.TENANT_ID, client_id=harness.CLIENT_ID,
                                         client_secret=harness.CLIENT_SECRET, base_url=by_module_defaults.url,
                                         authority_url=by_module_defaults.url)))
    assert run.returncode == 0, run

    # The task's environment (a template) reaches the module beside the variables the action plugin adds, and the
    # action plugin sets the fact from the result's details.
    saved = run.results['environment']
    details = saved['result']['batch_upload_details']
    assert saved['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert details['batch_tracking_id'] == harness.EXAMPLE_BATCH_ID and details['status'] == 'finished'
    assert saved['fact'] == details
    assert len(by_environment.stats['token_requests']) == 1 and len(by_environment.stats['api_requests']) == 1

    # An async run, which the action plugin does not see to its end, gets the fact from the module itself.
    saved = run.results['async_read']
    details = saved['result']['batch_upload_details']
    assert details['devices_status'][0]['error_code'] == '808'
    assert saved['fact'] == details
    assert saved['result']['ansible_facts'] == {FACT: details}
    assert len(by_async.stats['api_requests']) == 1

    # module_defaults for the collection's action group give the credentials.
    assert run.results['module_defaults']['result']['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert len(by_module_defaults.stats['api_requests']) == 1


def test_no_secret_or_token_in_vvvv_output(simulator, playbook):
    wrong_secret = 'wrong-secret-value-that-must-not-show'
    token = harness.issue_token(simulator.url)
    # The first read meets an expired token (renewed mid-task), the second a 429 (a retry warning).
    simulator.add_fault('expire_token')
    simulator.add_fault('status', status=429, retry_after=1, after=2)
    credentials = dict(refresh_token=harness.REFRESH_TOKEN, access_token=token, wrong_client_secret=wrong_secret)
    run = playbook('batch_upload_status_vvvv.yml', dict(EXAMPLE, **credentials),
                   env=harness.simulator_credentials(simulator.url), verbosity=4)
    assert run.returncode == 0, run
    outcomes = run.results['outcomes']
    for name in ('app-only', 'app+user', 'access_token'):
        assert not outcomes[name].get('failed'), (name, outcomes[name])
        assert outcomes[name]['raw_batch_upload_details'] == harness.DOCUMENTED_EXAMPLE
    assert 'batchTrackingId' in run.output  # the verbose output really holds the module's results
    assert 'HTTP 429' in run.output  # the retry warning shows

    failed = outcomes['wrong-secret']
    assert failed['failed'] is True
    assert failed['http_status'] == 401 and failed['error_code'] == 'invalid_client'
    assert 'AADSTS7000215' in failed['msg'] and 'Hint:' in failed['msg']

    stats = simulator.stats
    assert [r['grant_type'] for r in stats['token_requests'][1:]] == ['client_credentials', 'client_credentials',
                                                                      'refresh_token', 'client_credentials']
    # app-only twice (401, 200), app+user twice (429, 200), access_token once; nothing for the wrong secret.
    assert [r['status'] for r in stats['api_requests']] == [401, 200, 429, 200, 200]
    issued = stats['issued_tokens'] + stats['issued_refresh_tokens']
    assert len(stats['issued_tokens']) == 4
    for secret in harness.SECRETS + tuple(issued) + (wrong_secret,):
        assert secret not in run.output
