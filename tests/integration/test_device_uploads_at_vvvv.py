# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""device_batch and the bulk batch_upload_status through a real ansible-playbook run at -vvvv: what only a playbook shows.

Module behaviour is tested in-process (tests/unit/plugins/modules/test_device_batch.py, test_device_batch_info.py,
test_batch_upload_status_bulk.py). This flow checks that ansible-playbook's own output at -vvvv (module arguments,
results, a refusal) holds no secret, and that the action plugin sets no fact for a bulk read.
"""

import json

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
DEVICES = [
    {'serial_number': 'VVVV-0001', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'},
    {'serial_number': 'VVVV-0002', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'},
]
BATCHES = [
    {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID},
    # A batch of another customer: Partner Center answers 404 for it.
    {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN},
    {'customer_id': CUSTOMER, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN},
]


def test_uploads_and_bulk_reads_at_vvvv_leak_no_secret(simulator, playbook):
    run = playbook('device_uploads_at_vvvv.yml', dict(customer_id=CUSTOMER, batch_id='itest-vvvv', devices=DEVICES, batches=BATCHES),
                   env=harness.simulator_credentials(simulator.url, 'app+user'), verbosity=4)
    assert run.returncode == 0, run
    refused, upload, bulk = run.results['app_only'], run.results['upload'], run.results['bulk']
    assert refused['failed'] is True and refused['http_status'] == 403
    assert refused['msg'].startswith('Creating a device batch needs app+user credentials')
    assert upload['changed'] is True and upload['complete'] is True
    assert [entry['failed'] for entry in bulk['results']] == [False, True, False]
    assert run.results['bulk_fact_set'] is False
    # The results were shown.
    assert 'AnsiballZ_batch_upload_status.py' in run.output and 'raw_batch_upload_details' in run.output
    assert 'AnsiballZ_device_batch.py' in run.output and 'Creating a device batch needs app+user credentials' in run.output
    issued = simulator.stats['issued_tokens'] + simulator.stats['issued_refresh_tokens']
    assert issued
    for secret in list(harness.SECRETS) + issued:
        assert secret not in run.output
        assert secret not in json.dumps(run.results)
