# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_batch_info module in-process against the simulator: answers in every form Microsoft's sources show (error
codes as numbers or strings, either 401 challenge, upload dates with a local offset or in UTC)."""

import re

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
BATCH = 'existing-batch-1'


def listing(sim_args, simulator, **options):
    args = dict(sim_args(simulator), customer_id=CUSTOMER)
    args.update(options)
    return args


# -- the error body's code: a string in Partner Center's error-codes page and the SDK's ApiFault, a number in examples --

@pytest.mark.parametrize('form', ['number', 'string'])
def test_an_error_code_sent_as_a_number_or_a_string_reads_the_same(run_module, make_simulator, sim_args, form):
    simulator = make_simulator(lambda seed: seed.update(error_code_form=form))
    result = run_module('device_batch_info', listing(sim_args, simulator, batch_id='no-such-batch-%s' % form))
    assert result.failed
    assert result['http_status'] == 404 and result['error_code'] == '1000'
    assert 'HTTP 404 Not Found, code 1000: Not found' in result['msg'], result['msg']


@pytest.mark.parametrize('form', ['number', 'string'])
def test_an_error_code_of_a_fault_reads_the_same_in_both_forms(run_module, make_simulator, sim_args, form):
    simulator = make_simulator(lambda seed: seed.update(error_code_form=form))
    simulator.add_fault('status', match='/devices', status=400, code=400056, count=-1)
    result = run_module('device_batch_info', listing(sim_args, simulator, batch_id=BATCH))
    assert result.failed and result['error_code'] == '400056' and ', code 400056' in result['msg']


# -- the 401 challenge: "OAuth realm=urn:cpsvc:cpid:..." in Partner Center's docs, or "Bearer" -------------------------

@pytest.mark.parametrize('challenge', ['oauth_realm', 'bearer'])
def test_a_401_is_met_with_one_renewal_whatever_the_challenge(run_module, make_simulator, sim_args, challenge):
    simulator = make_simulator(lambda seed: seed.update(www_authenticate=challenge))
    simulator.add_fault('expire_token', match='/devices')
    result = run_module('device_batch_info', listing(sim_args, simulator, batch_id=BATCH))
    assert not result.failed, result
    assert len(result['devices']) == 3 and len(simulator.stats['token_requests']) == 2
    assert [entry['status'] for entry in simulator.stats['api_requests']] == [401, 200]


@pytest.mark.parametrize('challenge', ['oauth_realm', 'bearer'])
def test_a_401_after_the_renewal_fails_with_the_code_whatever_the_challenge(run_module, make_simulator, sim_args, challenge):
    simulator = make_simulator(lambda seed: seed.update(www_authenticate=challenge))
    simulator.add_fault('expire_token', match='/devices', count=-1)
    result = run_module('device_batch_info', listing(sim_args, simulator, batch_id=BATCH))
    assert result.failed and result['http_status'] == 401 and result['error_code'] == '400'
    assert 'HTTP 401' in result['msg'] and 'code 400' in result['msg']
    assert len(simulator.stats['token_requests']) == 2


# -- uploadedDate: a local offset with seven decimals in Microsoft's examples and the one real listing, or UTC ----------

@pytest.mark.parametrize('form, pattern', [
    ('local_offset', r'^2025-02-03T11:15:00\.\d{7}\+01:00$'),
    ('utc', r'^2025-02-03T10:15:00Z$'),
], ids=['local-offset-seven-decimals', 'utc'])
def test_uploaded_dates_are_returned_as_partner_center_sent_them(run_module, make_simulator, sim_args, form, pattern):
    simulator = make_simulator(lambda seed: seed.update(uploaded_date_form=form))
    result = run_module('device_batch_info', listing(sim_args, simulator, batch_id=BATCH))
    assert not result.failed, result
    dates = [device['uploaded_date'] for device in result['devices']]
    assert len(dates) == 3 and all(re.match(pattern, date) for date in dates), dates
