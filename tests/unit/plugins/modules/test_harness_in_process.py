# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-process module harness itself: a result, a failure, check mode and the environment reach the test."""

import harness


def test_a_module_result_is_read_from_its_output(run_module, simulator, sim_args):
    result = run_module('device_batch_info', dict(sim_args(simulator), customer_id=harness.EXAMPLE_CUSTOMER_ID))
    assert not result.failed, result
    assert result['changed'] is False
    assert isinstance(result['device_batches'], list)


def test_a_failure_is_read_with_its_exit_code(run_module, simulator, sim_args):
    result = run_module('device_batch_info', dict(sim_args(simulator), customer_id='not-a-guid'))
    assert result.failed and result.rc == 1
    assert 'customer_id must be a GUID' in result['msg']


def test_the_test_environment_does_not_reach_the_module_unless_a_case_sets_it(run_module, monkeypatch, simulator):
    result = run_module('device_batch_info', dict(customer_id=harness.EXAMPLE_CUSTOMER_ID, base_url=simulator.url,
                                                  authority_url=simulator.url, timeout=5, retries=0))
    assert result.failed
    assert not simulator.stats['api_requests']
    for name, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(name, value)
    result = run_module('device_batch_info', dict(customer_id=harness.EXAMPLE_CUSTOMER_ID))
    assert not result.failed, result


def test_a_module_warning_reaches_the_test(run_module, simulator, sim_args):
    result = run_module('device_batch_info', dict(sim_args(simulator, validate_certs=False),
                                                  customer_id=harness.EXAMPLE_CUSTOMER_ID))
    assert not result.failed, result
    assert any('validate_certs is false' in warning for warning in result.warnings), result.warnings
