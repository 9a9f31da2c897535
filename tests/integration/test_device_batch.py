# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""device_batch and device_batch_info through real ansible-playbook runs against the Partner Center simulator."""

import base64
import re

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


def app_user(simulator):
    """Credentials of the kind Partner Center documents for uploads: app+user (secure application model)."""
    return harness.simulator_credentials(simulator.url, 'app+user')


def uploads(simulator):
    """The upload POSTs the simulator received."""
    return [r for r in simulator.stats['api_requests'] if r['method'] == 'POST']


def test_creates_a_batch_and_returns_its_tracking_id(simulator, playbook):
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-new', devices=NEW_DEVICES),
                   env=app_user(simulator))
    assert run.returncode == 0, run
    result = run.results['result']
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
    listed = playbook('device_batch_info.yml', dict(customer_id=CUSTOMER, batch_id='itest-new'), env=app_user(simulator))
    assert listed.returncode == 0, listed
    assert sorted(d['serial_number'] for d in listed.results['result']['devices']) == ['ITEST-0001', 'ITEST-0002']


def test_adds_to_an_existing_batch_whatever_the_case_of_its_name(simulator, playbook):
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='EXISTING-Batch-1', devices=NEW_DEVICES),
                   env=app_user(simulator))
    assert run.returncode == 0, run
    result = run.results['result']
    assert result['created'] is False
    assert result['batch_id'] == 'existing-batch-1'
    assert [(p['path'], p['device_count']) for p in uploads(simulator)] == [
        ('/v1/customers/%s/deviceBatches/existing-batch-1/devices' % CUSTOMER, 2)]
    listed = playbook('device_batch_info.yml', dict(customer_id=CUSTOMER), env=app_user(simulator))
    counts = dict((b['id'], b['devices_count']) for b in listed.results['result']['device_batches'])
    assert counts['existing-batch-1'] == 3 + 2


def test_wait_returns_each_device_outcome_on_one_token(simulator, playbook):
    devices = NEW_DEVICES + [
        {'serial_number': 'OTHER-TENANT-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},   # 808
        {'serial_number': 'REG-DEMO-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},       # 806
        {'hardware_hash': base64.b64encode(b'too short').decode()},                                         # invalid
    ]
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-wait', devices=devices,
                                            wait=True, poll_interval=0.1), env=app_user(simulator))
    assert run.returncode == 0, run
    result = run.results['result']
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
    assert [d['serial_number'] for d in result['devices_with_errors']] == ['OTHER-TENANT-0001', 'REG-DEMO-0001', None]
    assert [d['remediation'].split(':')[0] for d in result['devices_with_errors']] == [
        'Registered to another tenant', "Already registered to this customer's tenant", 'Invalid hardware hash']
    assert len(simulator.stats['token_requests']) == 1


def test_forced_upload_of_the_same_devices_again_reports_them_already_assigned(simulator, playbook):
    first = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-again', devices=NEW_DEVICES),
                     env=app_user(simulator))
    assert first.returncode == 0, first
    second = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-again', devices=NEW_DEVICES,
                                               skip_existing=False, wait=True, poll_interval=0.1), env=app_user(simulator))
    assert second.returncode == 0, second
    result = second.results['result']
    assert result['created'] is False
    assert result['batch_tracking_id'] != first.results['result']['batch_tracking_id']
    assert [d['error_code'] for d in result['devices_with_errors']] == ['806', '806']


def test_csv_file_is_uploaded_and_unknown_columns_are_ignored_with_a_warning(simulator, playbook, tmp_path):
    csv_file = tmp_path / 'laptops.csv'
    csv_file.write_text('Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n'
                        'CSV-0001,,%s,Kiosk\r\nCSV-0002,,%s,Kiosk\r\n' % (hardware_hash('c1'), hardware_hash('c2')),
                        encoding='utf-8-sig')
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-csv', csv_path=str(csv_file)),
                   env=app_user(simulator))
    assert run.returncode == 0, run
    assert run.results['result']['devices_count'] == 2
    assert 'laptops.csv: column Group Tag ignored' in run.output
    assert [p['device_count'] for p in uploads(simulator)] == [2]


def test_csv_content_in_windows_1252_and_utf16_files(simulator, playbook, tmp_path):
    text = CSV_HEADER + 'CSV-0003,,,Société Générale,Modèle 1\r\n'
    for index, encoding in enumerate(('cp1252', 'utf-16')):
        csv_file = tmp_path / ('devices-%d.csv' % index)
        csv_file.write_bytes(text.replace('CSV-0003', 'CSV-000%d' % (3 + index)).encode(encoding))
        run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-enc', csv_path=str(csv_file)),
                       env=app_user(simulator))
        assert run.returncode == 0, run
    listed = playbook('device_batch_info.yml', dict(customer_id=CUSTOMER, batch_id='itest-enc'), env=app_user(simulator))
    assert sorted((d['serial_number'], d['oem_manufacturer_name']) for d in listed.results['result']['devices']) == [
        ('CSV-0003', 'Société Générale'), ('CSV-0004', 'Société Générale')]


def test_bad_csv_fails_with_every_problem_and_sends_nothing(simulator, playbook):
    content = (CSV_HEADER
               + 'BAD-0001,,%s,,\n' % hardware_hash('b1')
               + 'BAD-0002,,,,\n'                                  # no identifier set
               + 'BAD-0003,,not*base64,,\n'                        # hash not base64
               + 'bad-0001,,%s,,\n' % hardware_hash('b4'))         # duplicate serial number
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-bad', csv_content=content),
                   env=app_user(simulator))
    assert run.returncode == 0, run  # the playbook rescues and saves the failure
    assert run.results['outcome'] == 'failed'
    result = run.results['result']
    assert result['msg'].startswith('Nothing was uploaded: 3 problems with the devices: csv_content line 3 does not identify a device')
    assert result['problems'] == [
        'csv_content line 3 does not identify a device: give a hardware hash, a product key, or a serial number with '
        'manufacturer and model name (it has serial_number)',
        'csv_content line 4: the hardware hash is not base64 (a Windows Autopilot hardware hash is a base64 string of '
        'about 4,000 characters)',
        'csv_content line 5 has the same serial number as csv_content line 2 (duplicate within this upload)',
    ]
    assert 'Traceback' not in run.output
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []


def test_check_mode_checks_the_devices_and_sends_nothing(simulator, playbook):
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-check', devices=NEW_DEVICES),
                   env=app_user(simulator), check=True)
    assert run.returncode == 0, run
    result = run.results['result']
    assert result['changed'] is True
    assert result['devices_count'] == 2
    assert 'batch_tracking_id' not in result
    # The batch is read (it does not exist yet), nothing is uploaded.
    assert [r['method'] for r in simulator.stats['api_requests']] == ['GET']
    bad = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-check', devices=[{'serial_number': 'S'}]),
                   env=app_user(simulator), check=True)
    assert bad.results['outcome'] == 'failed'
    assert bad.results['result']['problems'][0].startswith('devices[0] does not identify a device')


def test_bad_options_fail_before_any_request(simulator, bad_input):
    cases = [
        (dict(customer_id='not-a-guid', batch_id='b', devices=NEW_DEVICES), 'customer_id must be a GUID'),
        (dict(customer_id=CUSTOMER, batch_id=' padded ', devices=NEW_DEVICES), 'batch_id must be a name without leading'),
        (dict(customer_id=CUSTOMER, batch_id='b', devices=NEW_DEVICES, csv_content=CSV_HEADER), 'mutually exclusive'),
        (dict(customer_id=CUSTOMER, batch_id='b', csv_path='/nonexistent/devices.csv'), 'Cannot read csv_path /nonexistent/devices.csv'),
        (dict(customer_id=CUSTOMER, batch_id='b', devices=[{'serial': 'S1'}]), 'serial'),
    ]
    # One playbook run for the five cases (each fails before any request); each is judged on its own result.
    run, results = bad_input([('device_batch.yml', variables) for variables, _message in cases], env=app_user(simulator))
    assert run.returncode == 0, run
    for (variables, message), result in zip(cases, results):
        assert result and result.get('failed') is True, (variables, result, run)
        assert message in result['msg'], (variables, message, result['msg'])
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []


def test_app_only_credentials_are_refused_with_a_hint_and_no_secret_leaks(simulator, playbook):
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-app-only', devices=NEW_DEVICES),
                   env=harness.simulator_credentials(simulator.url, 'app-only'), verbosity=4)
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['http_status'] == 403
    # What to do leads the message, and the general hint (which says app-only credentials work) is left out.
    assert result['msg'].startswith('Device uploads need app+user credentials: give refresh_token (PARTNER_CENTER_REFRESH_TOKEN)')
    assert 'issued to app-only credentials' not in result['msg']
    assert len(result['msg']) < 700, result['msg']
    assert GUID.match(result['request_id']) and GUID.match(result['correlation_id'])
    for secret in harness.SECRETS + tuple(simulator.stats['issued_tokens']):
        assert secret not in run.output


def test_app_user_upload_at_vvvv_leaks_no_secret(simulator, playbook):
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-vvvv', devices=NEW_DEVICES, wait=True,
                                            poll_interval=0.1), env=app_user(simulator), verbosity=4)
    assert run.returncode == 0, run
    issued = tuple(simulator.stats['issued_tokens'])
    assert issued
    for secret in harness.SECRETS + issued:
        assert secret not in run.output


# -- device_batch_info ----------------------------------------------------------------------


def test_info_follows_every_continuation_page(simulator, playbook):
    run = playbook('device_batch_info.yml', dict(customer_id=CUSTOMER, batch_id='existing-batch-2'), env=app_user(simulator))
    assert run.returncode == 0, run
    result = run.results['result']
    assert result['pages'] == 3
    assert len(result['devices']) == 250
    assert len(set(d['id'] for d in result['devices'])) == 250
    assert set(result['devices'][0]) >= {'id', 'serial_number', 'product_key', 'hardware_hash', 'oem_manufacturer_name',
                                         'model_name', 'uploaded_date', 'allowed_operations'}
    gets = [r for r in simulator.stats['api_requests'] if r['path'].endswith('/existing-batch-2/devices')]
    sent_continuation = [any(name.lower() == 'ms-continuationtoken' and value for name, value in r['headers'].items()) for r in gets]
    assert sent_continuation == [False, True, True]


def test_info_lists_batches_and_an_empty_list_for_a_customer_without_any(simulator, playbook):
    run = playbook('device_batch_info.yml', dict(customer_id=CUSTOMER), env=app_user(simulator))
    assert run.returncode == 0, run
    batches = run.results['result']['device_batches']
    assert [(b['id'], b['devices_count']) for b in batches] == [('existing-batch-1', 3), ('existing-batch-2', 250)]
    assert run.results['result']['raw_device_batches'][0]['devicesCount'] == 3
    empty = playbook('device_batch_info.yml', dict(customer_id=harness.EXAMPLE_CUSTOMER_ID), env=app_user(simulator))
    assert empty.returncode == 0, empty
    assert empty.results['result']['device_batches'] == []


def test_info_on_an_unknown_batch_fails_with_partner_center_ids(simulator, playbook):
    run = playbook('device_batch_info.yml', dict(customer_id=CUSTOMER, batch_id='no-such-batch'), env=app_user(simulator))
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['http_status'] == 404
    assert 'no-such-batch' in result['msg'] and 'MS-RequestId' in result['msg']
    assert GUID.match(result['request_id'])
