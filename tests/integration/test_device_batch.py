# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""device_batch and device_batch_info through real ansible-playbook runs against the Partner Center simulator.

The checks are cases of shared runs (tests/shared_cases.py), each with a simulator of its own and app+user
credentials in its task's environment; a case that lists after uploading does so in the next run. The
-vvvv secret checks have runs of their own, with the credentials in ansible-playbook's environment (the
environment keyword shows its values at -vvv).
"""

import base64
import re

import harness
import shared_cases

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


def upload(simulator, options, check_mode=False):
    """A case of tasks/device_batch.yml with app+user credentials for ``simulator`` in the task's environment."""
    return shared_cases.Case(options, environment=app_user(simulator), check_mode=check_mode)


def listing(simulator, options):
    """A case of tasks/device_batch_info.yml with app+user credentials for ``simulator`` in the task's environment."""
    return shared_cases.Case(options, environment=app_user(simulator), tasks='device_batch_info.yml')


CASES = shared_cases.Table('device_batch.yml')


def test_shared_cases(make_simulator, collections_path, tmp_path):
    CASES.check(make_simulator, collections_path, tmp_path)


def uploads(simulator):
    """The upload POSTs the simulator received."""
    return [r for r in simulator.stats['api_requests'] if r['method'] == 'POST']


@CASES.case
def creates_a_batch_and_returns_its_tracking_id(simulator):
    run = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-new', devices=NEW_DEVICES))
    assert run.results['outcome'] == 'ok', run.results
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
    listed = yield listing(simulator, dict(customer_id=CUSTOMER, batch_id='itest-new'))
    assert listed.results['outcome'] == 'ok', listed.results
    assert sorted(d['serial_number'] for d in listed.results['result']['devices']) == ['ITEST-0001', 'ITEST-0002']


@CASES.case
def adds_to_an_existing_batch_whatever_the_case_of_its_name(simulator):
    run = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='EXISTING-Batch-1', devices=NEW_DEVICES))
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['created'] is False
    assert result['batch_id'] == 'existing-batch-1'
    assert [(p['path'], p['device_count']) for p in uploads(simulator)] == [
        ('/v1/customers/%s/deviceBatches/existing-batch-1/devices' % CUSTOMER, 2)]
    listed = yield listing(simulator, dict(customer_id=CUSTOMER))
    counts = dict((b['id'], b['devices_count']) for b in listed.results['result']['device_batches'])
    assert counts['existing-batch-1'] == 3 + 2


@CASES.case
def wait_returns_each_device_outcome_on_one_token(simulator):
    devices = NEW_DEVICES + [
        {'serial_number': 'OTHER-TENANT-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},   # 808
        {'serial_number': 'REG-DEMO-0001', 'oem_manufacturer_name': 'Contoso', 'model_name': 'X1'},       # 806
        {'hardware_hash': base64.b64encode(b'too short').decode()},                                         # invalid
    ]
    run = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-wait', devices=devices,
                                       wait=True, poll_interval=0.1))
    assert run.results['outcome'] == 'ok', run.results
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
    # 806 is "already registered to this customer", not an error: listed apart, with the catalogue's remediation.
    assert [d['serial_number'] for d in result['devices_with_errors']] == ['OTHER-TENANT-0001', None]
    assert [d['remediation'].split(':')[0] for d in result['devices_with_errors']] == [
        'Registered to another tenant', 'Invalid hardware hash']
    assert [(d['serial_number'], d['already_registered'], d['remediation'].split(':')[0])
            for d in result['devices_already_registered']] == [('REG-DEMO-0001', True, "Already registered to this customer's tenant")]
    assert len(simulator.stats['token_requests']) == 1


@CASES.case
def forced_upload_of_the_same_devices_again_reports_them_already_assigned(simulator):
    first = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-again', devices=NEW_DEVICES))
    assert first.results['outcome'] == 'ok', first.results
    second = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-again', devices=NEW_DEVICES,
                                          skip_existing=False, wait=True, poll_interval=0.1))
    assert second.results['outcome'] == 'ok', second.results
    result = second.results['result']
    assert result['created'] is False
    assert result['batch_tracking_id'] != first.results['result']['batch_tracking_id']
    assert [d['error_code'] for d in result['devices_already_registered']] == ['806', '806']
    assert result['devices_with_errors'] == []


@CASES.case
def csv_file_is_uploaded_and_unknown_columns_are_ignored_with_a_warning(simulator, tmp_path):
    csv_file = tmp_path / 'laptops.csv'
    csv_file.write_text('Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n'
                        'CSV-0001,,%s,Kiosk\r\nCSV-0002,,%s,Kiosk\r\n' % (hardware_hash('c1'), hardware_hash('c2')),
                        encoding='utf-8-sig')
    run = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-csv', csv_path=str(csv_file)))
    assert run.results['outcome'] == 'ok', run.results
    assert run.results['result']['devices_count'] == 2
    assert 'laptops.csv: column Group Tag ignored' in run.output
    assert [p['device_count'] for p in uploads(simulator)] == [2]


@CASES.case
def csv_content_in_windows_1252_and_utf16_files(simulator, tmp_path):
    text = CSV_HEADER + 'CSV-0003,,,Société Générale,Modèle 1\r\n'
    for index, encoding in enumerate(('cp1252', 'utf-16')):
        csv_file = tmp_path / ('devices-%d.csv' % index)
        csv_file.write_bytes(text.replace('CSV-0003', 'CSV-000%d' % (3 + index)).encode(encoding))
        run = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-enc', csv_path=str(csv_file)))
        assert run.results['outcome'] == 'ok', run.results
    listed = yield listing(simulator, dict(customer_id=CUSTOMER, batch_id='itest-enc'))
    assert sorted((d['serial_number'], d['oem_manufacturer_name']) for d in listed.results['result']['devices']) == [
        ('CSV-0003', 'Société Générale'), ('CSV-0004', 'Société Générale')]


@CASES.case
def bad_csv_fails_with_every_problem_and_sends_nothing(simulator):
    content = (CSV_HEADER
               + 'BAD-0001,,%s,,\n' % hardware_hash('b1')
               + 'BAD-0002,,,,\n'                                  # no identifier set
               + 'BAD-0003,,not*base64,,\n'                        # hash not base64
               + 'bad-0001,,%s,,\n' % hardware_hash('b4'))         # duplicate serial number
    run = yield upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-bad', csv_content=content))
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


@CASES.case
def check_mode_checks_the_devices_and_sends_nothing(simulator):
    run, bad = yield [upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-check', devices=NEW_DEVICES), check_mode=True),
                      upload(simulator, dict(customer_id=CUSTOMER, batch_id='itest-check', devices=[{'serial_number': 'S'}]),
                             check_mode=True)]
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
    assert result['changed'] is True
    assert result['devices_count'] == 2
    assert 'batch_tracking_id' not in result
    # The batch is read (it does not exist yet), nothing is uploaded.
    assert [r['method'] for r in simulator.stats['api_requests']] == ['GET']
    assert bad.results['outcome'] == 'failed'
    assert bad.results['result']['problems'][0].startswith('devices[0] does not identify a device')


@CASES.case
def bad_options_fail_before_any_request(simulator):
    cases = [
        (dict(customer_id='not-a-guid', batch_id='b', devices=NEW_DEVICES), 'customer_id must be a GUID'),
        (dict(customer_id=CUSTOMER, batch_id=' padded ', devices=NEW_DEVICES), 'batch_id must be a name without leading'),
        (dict(customer_id=CUSTOMER, batch_id='b', devices=NEW_DEVICES, csv_content=CSV_HEADER), 'mutually exclusive'),
        (dict(customer_id=CUSTOMER, batch_id='b', csv_path='/nonexistent/devices.csv'), 'Cannot read csv_path /nonexistent/devices.csv'),
        (dict(customer_id=CUSTOMER, batch_id='b', devices=[{'serial': 'S1'}]), 'serial'),
    ]
    runs = yield [upload(simulator, variables) for variables, _message in cases]
    for (variables, message), run in zip(cases, runs):
        assert run.results['outcome'] == 'failed', (variables, run.results)
        assert message in run.results['result']['msg'], (variables, message, run.results['result']['msg'])
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []


def test_app_only_credentials_are_refused_with_a_hint_and_no_secret_leaks(simulator, playbook):
    run = playbook('device_batch.yml', dict(customer_id=CUSTOMER, batch_id='itest-app-only', devices=NEW_DEVICES),
                   env=harness.simulator_credentials(simulator.url, 'app-only'), verbosity=4)
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['http_status'] == 403
    # What to do leads the message, and the general hint (which says app-only credentials work) is left out.
    assert result['msg'].startswith('Creating a device batch needs app+user credentials: give refresh_token (PARTNER_CENTER_REFRESH_TOKEN)')
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


@CASES.case
def info_follows_every_continuation_page(simulator):
    run = yield listing(simulator, dict(customer_id=CUSTOMER, batch_id='existing-batch-2'))
    assert run.results['outcome'] == 'ok', run.results
    result = run.results['result']
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


@CASES.case
def info_lists_batches_and_an_empty_list_for_a_customer_without_any(simulator):
    run, empty = yield [listing(simulator, dict(customer_id=CUSTOMER)),
                        listing(simulator, dict(customer_id=harness.EXAMPLE_CUSTOMER_ID))]
    assert run.results['outcome'] == 'ok', run.results
    batches = run.results['result']['device_batches']
    assert [(b['id'], b['devices_count']) for b in batches] == [('existing-batch-1', 3), ('existing-batch-2', 250)]
    assert run.results['result']['raw_device_batches'][0]['devicesCount'] == 3
    assert empty.results['outcome'] == 'ok', empty.results
    assert empty.results['result']['device_batches'] == []


@CASES.case
def info_on_an_unknown_batch_fails_with_partner_center_ids(simulator):
    run = yield listing(simulator, dict(customer_id=CUSTOMER, batch_id='no-such-batch'))
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result['http_status'] == 404
    assert 'no-such-batch' in result['msg'] and 'MS-RequestId' in result['msg']
    assert GUID.match(result['request_id'])
