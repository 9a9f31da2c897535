# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_batch_info module in-process against the simulator: every page of a batch, the batches of a customer,
and an unknown batch."""

import re

import harness

GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
CUSTOMER = harness.DEMO_CUSTOMER_ID


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
