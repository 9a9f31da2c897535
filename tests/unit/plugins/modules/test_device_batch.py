# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_batch module in-process against the simulator: creating a batch or adding to one, waiting for the
outcome of each device, CSV input, and what is refused before any request.

The -vvvv secret checks are playbook runs (tests/integration/test_device_uploads_at_vvvv.py).
"""

import base64
import re

import pytest

import harness

GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
CUSTOMER = harness.DEMO_CUSTOMER_ID
CSV_HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n'


def hardware_hash(seed):
    """A well-formed hardware hash (64 bytes, base64) that no seeded device has."""
    return base64.b64encode(('itest-%s-' % seed).encode().ljust(64, b'#')).decode()


NEW_DEVICES = [
    {'hardware_hash': hardware_hash(1), 'serial_number': 'ITEST-0001'},
    {'serial_number': 'ITEST-0002', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'},
]


def upload_args(sim_args, simulator, batch_id, **options):
    """device_batch's options with app+user credentials, the kind Partner Center documents for uploads."""
    return dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER, batch_id=batch_id, **options)


def listing_args(sim_args, simulator, **options):
    """device_batch_info's options with app+user credentials."""
    return dict(sim_args(simulator, 'app+user'), **options)


def uploads(simulator):
    """The upload POSTs the simulator received."""
    return [r for r in simulator.stats['api_requests'] if r['method'] == 'POST']


def nothing_sent(simulator):
    return simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []


def test_creates_a_batch_and_returns_its_tracking_id(run_module, simulator, sim_args):
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-new', devices=NEW_DEVICES))
    assert not result.failed, result
    assert result['changed'] is True
    assert result['created'] is True
    assert result['batch_id'] == 'itest-new'
    assert result['devices_count'] == 2
    assert GUID.match(result['batch_tracking_id'])
    assert result['location'] == '/customers/%s/batchJobStatus/%s' % (CUSTOMER, result['batch_tracking_id'])
    posts = uploads(simulator)
    assert [(p['path'], p['batch_id'], p['device_count'], p['status']) for p in posts] == [
        ('/v1/customers/%s/deviceBatches' % CUSTOMER, 'itest-new', 2, 202)]
    assert posts[0]['request_id'] == result['upload_request_id']
    # Partner Center now lists the batch with both devices.
    listed = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=CUSTOMER, batch_id='itest-new'))
    assert not listed.failed, listed
    assert sorted(d['serial_number'] for d in listed['devices']) == ['ITEST-0001', 'ITEST-0002']


def test_adds_to_an_existing_batch_whatever_the_case_of_its_name(run_module, simulator, sim_args):
    result = run_module('device_batch', upload_args(sim_args, simulator, 'EXISTING-Batch-1', devices=NEW_DEVICES))
    assert not result.failed, result
    assert result['created'] is False
    assert result['batch_id'] == 'existing-batch-1'
    assert [(p['path'], p['device_count']) for p in uploads(simulator)] == [
        ('/v1/customers/%s/deviceBatches/existing-batch-1/devices' % CUSTOMER, 2)]
    listed = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=CUSTOMER))
    counts = dict((b['id'], b['devices_count']) for b in listed['device_batches'])
    assert counts['existing-batch-1'] == 3 + 2


def test_wait_returns_each_device_outcome_on_one_token(run_module, simulator, sim_args):
    devices = NEW_DEVICES + [
        {'serial_number': 'OTHER-TENANT-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},   # 808
        {'serial_number': 'REG-DEMO-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},       # 806
        {'hardware_hash': base64.b64encode(b'too short').decode()},                                         # invalid
    ]
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-wait', devices=devices, wait=True, poll_interval=0.1))
    assert not result.failed, result
    assert result['complete'] is True
    assert result['polls'] == 3  # queued, processing, finished
    assert result['batch_upload_details']['batch_tracking_id'] == result['batch_tracking_id']
    outcomes = [(d['serial_number'], d['error_code'], d['error_description']) for d in result['batch_upload_details']['devices_status']]
    assert outcomes == [
        ('ITEST-0001', None, None),
        ('ITEST-0002', None, None),
        ('OTHER-TENANT-0001', '808', 'ZtdDeviceAssignedToOtherTenant'),
        ('REG-DEMO-0001', '806', 'ZtdDeviceAlreadyAssigned'),
        (None, None, 'InvalidZtdHardwareHash'),
    ]
    # 806 is "already registered to this customer", not an error: listed apart, with the catalogue's remediation.
    assert [d['serial_number'] for d in result['devices_with_errors']] == ['OTHER-TENANT-0001', None]
    assert [d['remediation'].split(':')[0] for d in result['devices_with_errors']] == [
        'Registered to another tenant', 'Invalid hardware hash']
    assert [(d['serial_number'], d['already_registered'], d['remediation'].split(':')[0])
            for d in result['devices_already_registered']] == [('REG-DEMO-0001', True, "Already registered to this customer's tenant")]
    assert len(simulator.stats['token_requests']) == 1


def test_each_device_outcome_has_the_documented_keys(run_module, simulator, sim_args):
    devices = NEW_DEVICES + [
        {'serial_number': 'OTHER-TENANT-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},   # 808
        {'serial_number': 'REG-DEMO-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},       # 806
    ]
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-keys', devices=devices, wait=True, poll_interval=0.1))
    assert not result.failed, result
    documented = harness.documented_return_keys('device_batch', 'batch_upload_details.devices_status')
    assert harness.documented_return_keys('device_batch', 'devices_with_errors') == documented
    assert harness.documented_return_keys('device_batch', 'devices_already_registered') == documented
    listed = {'devices_status': result['batch_upload_details']['devices_status'],
              'devices_with_errors': result['devices_with_errors'],
              'devices_already_registered': result['devices_already_registered']}
    assert [len(entries) for entries in listed.values()] == [4, 1, 1]
    assert dict((key, [set(entry) for entry in entries]) for key, entries in listed.items()) == dict(
        (key, [documented] * len(entries)) for key, entries in listed.items())


def test_forced_upload_of_the_same_devices_again_reports_them_already_registered(run_module, simulator, sim_args):
    first = run_module('device_batch', upload_args(sim_args, simulator, 'itest-again', devices=NEW_DEVICES))
    assert not first.failed, first
    second = run_module('device_batch', upload_args(sim_args, simulator, 'itest-again', devices=NEW_DEVICES, skip_existing=False,
                                                    wait=True, poll_interval=0.1))
    assert not second.failed, second
    assert second['created'] is False
    assert second['batch_tracking_id'] != first['batch_tracking_id']
    assert [d['error_code'] for d in second['devices_already_registered']] == ['806', '806']
    assert second['devices_with_errors'] == []


def test_a_csv_file_is_uploaded_and_unknown_columns_are_ignored_with_a_warning(run_module, simulator, sim_args, tmp_path):
    csv_file = tmp_path / 'laptops.csv'
    csv_file.write_text('Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n'
                        'CSV-0001,,%s,Kiosk\r\nCSV-0002,,%s,Kiosk\r\n' % (hardware_hash('c1'), hardware_hash('c2')),
                        encoding='utf-8-sig')
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-csv', csv_path=str(csv_file)))
    assert not result.failed, result
    assert result['devices_count'] == 2
    assert any('laptops.csv: column Group Tag ignored' in text for text in result.warnings), result.warnings
    assert [p['device_count'] for p in uploads(simulator)] == [2]


def test_csv_files_in_windows_1252_and_utf16(run_module, simulator, sim_args, tmp_path):
    text = CSV_HEADER + 'CSV-0003,,,Société Générale,Modèle 1\r\n'
    for index, encoding in enumerate(('cp1252', 'utf-16')):
        csv_file = tmp_path / ('devices-%d.csv' % index)
        csv_file.write_bytes(text.replace('CSV-0003', 'CSV-000%d' % (3 + index)).encode(encoding))
        result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-enc', csv_path=str(csv_file)))
        assert not result.failed, (encoding, result)
    listed = run_module('device_batch_info', listing_args(sim_args, simulator, customer_id=CUSTOMER, batch_id='itest-enc'))
    assert sorted((d['serial_number'], d['oem_manufacturer_name']) for d in listed['devices']) == [
        ('CSV-0003', 'Société Générale'), ('CSV-0004', 'Société Générale')]


def test_a_bad_csv_fails_with_every_problem_and_sends_nothing(run_module, simulator, sim_args):
    content = (CSV_HEADER
               + 'BAD-0001,,%s,,\n' % hardware_hash('b1')
               + 'BAD-0002,,,,\n'                                  # no identifier set
               + 'BAD-0003,,not*base64,,\n'                        # hash not base64
               + 'bad-0001,,%s,,\n' % hardware_hash('b4'))         # duplicate serial number
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-bad', csv_content=content))
    assert result.failed
    assert result['msg'].startswith('Nothing was uploaded: 3 problems with the devices: csv_content line 3 does not identify a device')
    assert result['problems'] == [
        'csv_content line 3 does not identify a device: give a hardware hash, a product key, or a serial number with '
        'manufacturer and model name (it has serial_number)',
        'csv_content line 4: the hardware hash is not base64 (a Windows Autopilot hardware hash is a base64 string of '
        'about 4,000 characters)',
        'csv_content line 5 has the same serial number as csv_content line 2 (duplicate within this upload)',
    ]
    assert 'Traceback' not in result.output
    assert nothing_sent(simulator)


def test_check_mode_checks_the_devices_and_sends_nothing(run_module, simulator, sim_args):
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-check', devices=NEW_DEVICES), check_mode=True)
    assert not result.failed, result
    assert result['changed'] is True
    assert result['devices_count'] == 2
    assert 'batch_tracking_id' not in result
    # The batch is read (it does not exist yet), nothing is uploaded.
    assert [r['method'] for r in simulator.stats['api_requests']] == ['GET']


def test_check_mode_still_fails_devices_that_identify_nothing(run_module, simulator, sim_args):
    result = run_module('device_batch', upload_args(sim_args, simulator, 'itest-check', devices=[{'serial_number': 'S'}]),
                        check_mode=True)
    assert result.failed
    assert result['problems'][0].startswith('devices[0] does not identify a device')
    assert nothing_sent(simulator)


@pytest.mark.parametrize('options, message', [
    pytest.param(dict(customer_id='not-a-guid', batch_id='b', devices=NEW_DEVICES), 'customer_id must be a GUID', id='customer-id-not-a-guid'),
    pytest.param(dict(batch_id=' padded ', devices=NEW_DEVICES), 'batch_id must be a name without leading', id='padded-batch-id'),
    # The rule device and device_profile apply to a batch name read back (validate.CONTROL_CHARACTERS), C1 and DEL included.
    pytest.param(dict(batch_id='b\x85c', devices=NEW_DEVICES), 'batch_id must be a name without leading', id='c1-control-in-batch-id'),
    pytest.param(dict(batch_id='b\u2028c', devices=NEW_DEVICES), 'batch_id must be a name without leading', id='line-separator-in-batch-id'),
    pytest.param(dict(batch_id='b', devices=NEW_DEVICES, csv_content=CSV_HEADER), 'mutually exclusive', id='devices-and-csv'),
    pytest.param(dict(batch_id='b', csv_path='/nonexistent/devices.csv'), 'Cannot read csv_path /nonexistent/devices.csv',
                 id='csv-path-missing'),
    pytest.param(dict(batch_id='b', devices=[{'serial': 'S1'}]), 'serial', id='unknown-device-key'),
])
def test_bad_options_fail_before_any_request(run_module, simulator, sim_args, options, message):
    args = dict(sim_args(simulator, 'app+user'), customer_id=CUSTOMER)
    args.update(options)
    result = run_module('device_batch', args)
    assert result.failed, result
    assert message in result['msg'], result['msg']
    assert nothing_sent(simulator)


def test_app_only_credentials_are_refused_with_a_hint_and_no_secret(run_module, simulator, sim_args):
    result = run_module('device_batch', dict(sim_args(simulator, 'app-only'), customer_id=CUSTOMER, batch_id='itest-app-only',
                                             devices=NEW_DEVICES))
    assert result.failed
    assert result['http_status'] == 403
    # What to do leads the message, and the general hint (which says app-only credentials work) is left out.
    assert result['msg'].startswith('Creating a device batch needs app+user credentials: give refresh_token (PARTNER_CENTER_REFRESH_TOKEN)')
    assert 'issued to app-only credentials' not in result['msg']
    assert len(result['msg']) < 700, result['msg']
    assert GUID.match(result['request_id']) and GUID.match(result['correlation_id'])
    for secret in harness.SECRETS + tuple(simulator.stats['issued_tokens']):
        assert secret not in result.output
