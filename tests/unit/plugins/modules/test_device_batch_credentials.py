# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""device_batch with app-only credentials: Partner Center documents creating a batch for app+user credentials only
and adding devices to an existing batch for both kinds (the refused creation: test_device_batch.py)."""

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
EXISTING_BATCH = 'existing-batch-1'
NEW_DEVICE = {'serial_number': 'APP-ONLY-0001', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'}


def upload_args(sim_args, simulator, batch_id):
    return dict(sim_args(simulator, 'app-only'), customer_id=CUSTOMER, batch_id=batch_id, devices=[NEW_DEVICE])


def posts(simulator, api_requests):
    return [path for _method, path in api_requests(simulator, 'POST')]


def test_app_only_credentials_add_devices_to_an_existing_batch(run_module, simulator, sim_args, api_requests):
    result = run_module('device_batch', upload_args(sim_args, simulator, EXISTING_BATCH))
    assert not result.failed, result
    assert result['changed'] is True and result['created'] is False and result['batch_tracking_id']
    assert posts(simulator, api_requests) == ['/v1/customers/%s/deviceBatches/%s/devices' % (CUSTOMER, EXISTING_BATCH)]


def test_an_app_only_add_refused_does_not_blame_the_credential_kind(run_module, simulator, sim_args):
    simulator.add_fault('status', match=r'/devices$', status=403, count=1)
    result = run_module('device_batch', dict(upload_args(sim_args, simulator, EXISTING_BATCH), skip_existing=False))
    assert result.failed and result['http_status'] == 403 and result['msg'].startswith('Partner Center refused POST ')
    assert 'Creating a device batch needs app+user' not in result['msg']
