# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_batch_info module in-process against the simulator: answers in every form Microsoft's sources show (error
codes as numbers or strings, either 401 challenge, upload dates with a local offset or in UTC), paging through
links.next with its query, a 404 on the batch list; every page of a batch, the batches of a customer, and an unknown
batch."""

import re

import pytest

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
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


# -- paging and lists -------------------------------------------------------------------------------------------------

def test_paging_follows_links_next_with_its_query(run_module, make_simulator, sim_args):
    simulator = make_simulator(lambda seed: seed.update(device_paging='next_link_query'))
    result = run_module('device_batch_info', listing(sim_args, simulator, batch_id='existing-batch-2'))
    assert not result.failed, result
    assert result['pages'] == 3 and len(result['devices']) == 250
    assert result['devices'][-1]['serial_number'] == 'EB2-000250'
    paths = [entry['path'] for entry in simulator.stats['api_requests']]
    assert paths == ['/v1/customers/%s/deviceBatches/existing-batch-2/devices' % CUSTOMER] + [
        '/v1/customers/%s/deviceBatches/existing-batch-2/devices?seekOperation=Next' % CUSTOMER] * 2


# A customer of this case only: the warning names it, so no other case's warning has the same text.
CUSTOMER_WITHOUT_BATCHES = 'd0000000-0000-4000-8000-000000000404'


def test_a_404_on_the_batch_list_is_read_as_no_batches_with_a_warning(run_module, make_simulator, sim_args):
    simulator = make_simulator(lambda seed: seed['customers'].update({CUSTOMER_WITHOUT_BATCHES: {'batches': {}}}))
    result = run_module('device_batch_info', listing(sim_args, simulator, customer_id=CUSTOMER_WITHOUT_BATCHES))
    assert not result.failed, result
    assert result['device_batches'] == []
    assert [entry['status'] for entry in simulator.stats['api_requests']] == [404]
    assert any('answered 404 to the list of device batches of customer %s' % CUSTOMER_WITHOUT_BATCHES in text
               for text in result.warnings), result.warnings


# -- listings and a refusal --------------------------------------------------------------------------------------

def listing_args(sim_args, simulator, **options):
    return dict(sim_args(simulator, 'app+user'), **options)


def test_follows_every_continuation_page(run_module, simulator, sim_args):
    result = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=CUSTOMER, batch_id='existing-batch-2'))
    assert not result.failed, result
    assert result['pages'] == 3
    assert len(result['devices']) == 250
    assert len(set(d['id'] for d in result['devices'])) == 250
    # Every documented key, null where Partner Center's listing leaves it out (hash and product key, as it does).
    assert set(result['devices'][0]) >= {'id', 'serial_number', 'product_key', 'hardware_hash', 'oem_manufacturer_name',
                                         'model_name', 'uploaded_date'}
    assert (result['devices'][0]['hardware_hash'], result['devices'][0]['product_key']) == (None, None)
    gets = [r for r in simulator.stats['api_requests'] if r['path'].endswith('/existing-batch-2/devices')]
    sent_continuation = [any(name.lower() == 'ms-continuationtoken' and value for name, value in r['headers'].items()) for r in gets]
    assert sent_continuation == [False, True, True]


def test_lists_the_batches_of_a_customer(run_module, simulator, sim_args):
    result = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=CUSTOMER))
    assert not result.failed, result
    assert [(b['id'], b['devices_count']) for b in result['device_batches']] == [('existing-batch-1', 3), ('existing-batch-2', 250)]
    assert result['raw_device_batches'][0]['devicesCount'] == 3


def test_a_customer_without_batches_has_an_empty_list(run_module, simulator, sim_args):
    result = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=harness.EXAMPLE_CUSTOMER_ID))
    assert not result.failed, result
    assert result['device_batches'] == []


def test_an_unknown_batch_fails_with_partner_center_ids(run_module, simulator, sim_args):
    result = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=CUSTOMER, batch_id='no-such-batch'))
    assert result.failed
    assert result['http_status'] == 404
    assert 'no-such-batch' in result['msg'] and 'MS-RequestId' in result['msg']
    assert GUID.match(result['request_id'])
