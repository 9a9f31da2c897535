# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listings of many pages, in-process: a page's totalCount counts that page only, and sets no bound on the pages read.

The simulator serves Microsoft's form (.NET SDK ``ResourceCollection.TotalCount`` is the number of items
of that page): a batch of 250 devices arrives as pages whose totalCount is 100, 100 and 50.
"""

import pytest

import harness

PAGED_BATCH = 'existing-batch-2'  # of the demo customer; 250 generated devices in the default seed


def batch_of(count):
    def change(seed):
        seed['customers'][harness.DEMO_CUSTOMER_ID]['device_batches'][PAGED_BATCH]['generate_devices'] = count
    return change


def device_pages(sim):
    return [entry for entry in sim.stats['api_requests'] if entry['path'].split('?')[0].endswith('/%s/devices' % PAGED_BATCH)]


@pytest.mark.parametrize('count, pages', [(250, 3), (10000, 100)])
def test_device_batch_info_reads_every_page_of_a_batch(make_simulator, run_module, sim_args, count, pages):
    simulator = make_simulator(batch_of(count))
    result = run_module('device_batch_info', dict(sim_args(simulator), customer_id=harness.DEMO_CUSTOMER_ID, batch_id=PAGED_BATCH))
    assert not result.failed, result.get('msg')
    assert result['pages'] == pages and len(result['devices']) == count
    assert len(set(device['serial_number'] for device in result['devices'])) == count
    requested = device_pages(simulator)
    assert len(requested) == pages and all(entry['status'] == 200 for entry in requested)


def test_device_batch_reads_a_batch_of_many_pages_before_adding(simulator, run_module, sim_args):
    # skip_existing (the default) reads the whole batch first; check mode sends nothing else.
    device = {'serial_number': 'NEW-SERIAL-0001', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'}
    result = run_module('device_batch', dict(sim_args(simulator, kind='app+user'), customer_id=harness.DEMO_CUSTOMER_ID,
                                             batch_id=PAGED_BATCH, devices=[device]), check_mode=True)
    assert not result.failed, result.get('msg')
    assert result['changed'] is True
    assert len(device_pages(simulator)) == 3
    assert [entry['method'] for entry in simulator.stats['api_requests']] == ['GET'] * len(simulator.stats['api_requests'])
