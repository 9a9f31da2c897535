# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device error catalogue and the remediation hint every shaped device carries."""

import copy
import os

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.batch import shape_batch_upload_details, summarize
from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import DEVICE_ERRORS, DOCS_URL, SOURCES

BATCH_ID = '6b1d9e42-8a3c-4f57-9e20-c4d8a7b6f310'
DOCS_PAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         'docs', 'docsite', 'rst', 'device-error-codes.rst')


def hint_for(name_or_code):
    """The catalogue's remediation for a documented code or name."""
    [entry] = [entry for entry in DEVICE_ERRORS if name_or_code == entry['code'] or name_or_code in entry['names']]
    return entry['remediation']


def shaped_device(**device):
    """One device shaped as a finished batch's only device."""
    details = shape_batch_upload_details({'batchTrackingId': BATCH_ID, 'status': 'finished', 'devicesStatus': [device]})
    return details['devices_status'][0]


@pytest.mark.parametrize('code, expected', [
    ('806', '806'),
    ('808', '808'),
    (' 808 ', '808'),
    (806, '806'),  # a number instead of the documented string
])
def test_documented_codes(code, expected):
    device = shaped_device(status='finished_with_errors', errorCode=code, errorDescription=None)
    assert device['remediation'] == hint_for(expected)


@pytest.mark.parametrize('description, expected', [
    ('ZtdDeviceAlreadyAssigned', '806'),
    ('ZtdDeviceAssignedToOtherTenant', '808'),
    ('ZtdDeviceAssignedToAnotherTenant', '808'),  # the Autopilot documentation's spelling
    ('ztddeviceassignedtoothertenant', '808'),
    ('ZtdDeviceDuplicated', 'ZtdDeviceDuplicated'),
    ('INVALIDZTDHARDWAREHASH', 'InvalidZtdHardwareHash'),
    ('StorageError', 'StorageError'),
    (' StorageError\n', 'StorageError'),
    ('808 - ZtdDeviceAssignedToOtherTenant', '808'),
    ('Error: ZtdDeviceDuplicated (line 3).', 'ZtdDeviceDuplicated'),
])
def test_documented_names_without_a_code(description, expected):
    device = shaped_device(status='finished_with_errors', errorCode=None, errorDescription=description)
    assert device['remediation'] == hint_for(expected)


def test_the_code_wins_over_the_description():
    device = shaped_device(status='finished_with_errors', errorCode='806', errorDescription='ZtdDeviceDuplicated')
    assert device['remediation'] == hint_for('806')


def test_an_unknown_code_falls_back_to_a_documented_name():
    device = shaped_device(status='finished_with_errors', errorCode='999', errorDescription='StorageError')
    assert device['remediation'] == hint_for('StorageError')


@pytest.mark.parametrize('code, description', [
    ('999', 'SomethingNew'),
    (None, 'MyStorageErrorHandler'),  # a documented name inside a longer word is not that error
    ('', ''),  # an error by status only
    (None, None),
    ('8080', None),
])
def test_unknown_errors_get_the_generic_hint(code, description):
    device = shaped_device(status='finished_with_errors', errorCode=code, errorDescription=description)
    hint = device['remediation']
    assert hint not in [entry['remediation'] for entry in DEVICE_ERRORS]
    assert DOCS_URL in hint
    assert 'batch tracking id (%s)' % BATCH_ID in hint
    assert 'correlation_id and request ids' in hint


def test_generic_hint_without_a_batch_tracking_id():
    details = shape_batch_upload_details({'status': 'finished', 'devicesStatus': [{'errorCode': '1'}]})
    hint = details['devices_status'][0]['remediation']
    assert 'quoting the batch tracking id and the correlation_id' in hint


@pytest.mark.parametrize('device', [
    {'status': 'finished'},
    {'status': 'finished', 'errorCode': None, 'errorDescription': None},
    {'status': 'finished', 'errorCode': '', 'errorDescription': ''},
    {'status': 'in-progress'},
    {},
])
def test_devices_without_an_error_have_a_null_remediation(device):
    shaped = shaped_device(**device)
    assert 'remediation' in shaped
    assert shaped['remediation'] is None


def test_every_device_carries_the_key_and_errors_carry_a_hint():
    raw = {
        'batchTrackingId': BATCH_ID,
        'status': 'finished_with_errors',
        'devicesStatus': [
            {'serialNumber': 'OK-1', 'status': 'finished'},
            {'serialNumber': 'E-806', 'status': 'finished_with_errors', 'errorCode': '806',
             'errorDescription': 'ZtdDeviceAlreadyAssigned'},
            {'serialNumber': 'E-808', 'status': 'finished_with_errors', 'errorCode': '808',
             'errorDescription': 'ZtdDeviceAssignedToOtherTenant'},
            {'serialNumber': 'E-HASH', 'status': 'finished_with_errors', 'errorDescription': 'InvalidZtdHardwareHash'},
        ],
    }
    sent = copy.deepcopy(raw)
    details = shape_batch_upload_details(raw)
    assert raw == sent  # the resource as sent stays as sent: no remediation in it
    assert [(d['serial_number'], d['remediation']) for d in details['devices_status']] == [
        ('OK-1', None),
        ('E-806', hint_for('806')),
        ('E-808', hint_for('808')),
        ('E-HASH', hint_for('InvalidZtdHardwareHash')),
    ]
    with_errors = summarize(details)['devices_with_errors']
    assert [d['serial_number'] for d in with_errors] == ['E-806', 'E-808', 'E-HASH']
    assert all(d['remediation'] for d in with_errors)


def test_a_remediation_sent_by_partner_center_is_replaced():
    device = shaped_device(status='finished', remediation='<b>trust me</b>')
    assert device['remediation'] is None


def test_catalogue_entries_are_complete_and_unambiguous():
    codes = [entry['code'] for entry in DEVICE_ERRORS if entry['code']]
    names = [name.lower() for entry in DEVICE_ERRORS for name in entry['names']]
    # 806 and 808 from Partner Center; 801-803 from the Autopilot service (oofhours.com, 2019).
    assert sorted(codes) == ['801', '802', '803', '806', '808']
    assert len(set(names)) == len(names)
    for entry in DEVICE_ERRORS:
        assert entry['names'] and entry['meaning'] and entry['remediation']
        assert entry['source'] and all(source in SOURCES for source in entry['source'])


@pytest.mark.parametrize('code, name', [('801', 'InvalidZtdRequestBody'), ('802', 'InvalidZtdHardwareHash'),
                                        ('803', 'MissingZtdSerialNumberAndProductKey')])
def test_autopilot_service_codes(code, name):
    by_code = shaped_device(status='finished_with_errors', errorCode=code, errorDescription=None)
    by_name = shaped_device(status='finished_with_errors', errorCode=None, errorDescription=name)
    assert by_code['remediation'] == by_name['remediation'] == hint_for(name)


def test_docs_page_lists_every_catalogued_error():
    with open(DOCS_PAGE, encoding='utf-8') as handle:
        page = handle.read()
    for entry in DEVICE_ERRORS:
        if entry['code']:
            assert '   * - %s\n' % entry['code'] in page
        for name in entry['names']:
            assert '``%s``' % name in page
    assert DOCS_URL.endswith('/docs/docsite/rst/device-error-codes.rst')
