# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of device_input.py: reading devices from a list or an Autopilot CSV, and the local checks."""

import base64

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.device_input import (
    MAX_PROBLEMS_SHOWN,
    DeviceListError,
    api_devices,
    check_devices,
    read_autopilot_csv,
    read_device_list,
)

HASH_A = base64.b64encode(b'A' * 64).decode()
HASH_B = base64.b64encode(b'B' * 64).decode()
HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n'


def problems_of(function, *args):
    with pytest.raises(DeviceListError) as caught:
        function(*args)
    return caught.value.problems


def checked(devices):
    """Run the list through reading and checking; return the Device resources that would be sent."""
    normalized, origins, warnings = read_device_list(devices)
    assert warnings == []
    check_devices(normalized, origins)
    return api_devices(normalized)


@pytest.mark.parametrize('device', [
    {'hardware_hash': HASH_A, 'product_key': '3204567890123'},
    {'hardware_hash': HASH_A, 'serial_number': 'S1'},
    {'hardware_hash': HASH_A, 'product_key': '3204567890123', 'serial_number': 'S1'},
    {'hardware_hash': HASH_A},
    {'product_key': '3204567890123'},
    {'serial_number': 'S1', 'oem_manufacturer_name': 'Microsoft Corporation', 'model_name': 'Surface Laptop 5'},
])
def test_every_documented_identifier_set_is_accepted(device):
    sent = checked([device])
    assert len(sent) == 1
    assert set(sent[0]) == set({'hardware_hash': 'hardwareHash', 'product_key': 'productKey', 'serial_number': 'serialNumber',
                                'oem_manufacturer_name': 'oemManufacturerName', 'model_name': 'modelName'}[key] for key in device)


@pytest.mark.parametrize('device', [
    {'serial_number': 'S1'},
    {'serial_number': 'S1', 'oem_manufacturer_name': 'Microsoft Corporation'},
    {'model_name': 'Surface Laptop 5', 'oem_manufacturer_name': 'Microsoft Corporation'},
    {'serial_number': '   ', 'product_key': ''},
    {},
])
def test_a_device_without_an_identifier_set_is_refused(device):
    problems = problems_of(checked, [device])
    assert len(problems) == 1
    assert problems[0].startswith('devices[0] does not identify a device')


def test_api_devices_are_camel_case_and_leave_out_empty_fields():
    assert checked([{'serial_number': ' S1 ', 'oem_manufacturer_name': 'M', 'model_name': 'X', 'product_key': ''}]) == [
        {'serialNumber': 'S1', 'oemManufacturerName': 'M', 'modelName': 'X'}]


@pytest.mark.parametrize('bad_hash', ['not base64!', 'QUJD=', 'QUJDRA==QUJD', '===='])
def test_a_hardware_hash_that_is_not_base64_is_refused(bad_hash):
    problems = problems_of(checked, [{'hardware_hash': HASH_A}, {'hardware_hash': bad_hash}])
    assert problems == [problems[0]]
    assert problems[0].startswith('devices[1]: the hardware hash is not base64')


def test_duplicates_within_the_upload_name_both_places():
    problems = problems_of(checked, [
        {'hardware_hash': HASH_A, 'serial_number': 'S1'},
        {'hardware_hash': HASH_B, 'serial_number': 's1'},
        {'hardware_hash': HASH_A},
        {'product_key': '3204567890123'},
        {'product_key': '3204567890123'},
    ])
    assert problems == [
        'devices[1] has the same serial number as devices[0] (duplicate within this upload)',
        'devices[2] has the same hardware hash as devices[0] (duplicate within this upload)',
        'devices[4] has the same product key as devices[3] (duplicate within this upload)',
    ]


def test_the_same_serial_from_two_manufacturers_is_two_devices():
    assert len(checked([
        {'serial_number': 'S1', 'oem_manufacturer_name': 'Contoso', 'model_name': 'A'},
        {'serial_number': 'S1', 'oem_manufacturer_name': 'Fabrikam', 'model_name': 'A'},
    ])) == 2


def test_every_problem_is_reported_and_the_message_is_bounded():
    devices = [{'serial_number': 'S%d' % index} for index in range(MAX_PROBLEMS_SHOWN + 5)]
    with pytest.raises(DeviceListError) as caught:
        checked(devices)
    assert len(caught.value.problems) == MAX_PROBLEMS_SHOWN + 5
    assert str(caught.value).endswith('... and 5 more')


def test_list_entries_that_are_not_devices():
    assert problems_of(read_device_list, []) == ['devices is empty: give at least one device']
    problems = problems_of(read_device_list, [{'hardware_hash': HASH_A}, 'S1', {'serial': 'S1'}])
    assert problems == ['devices[1] is a str, not a dict of device fields',
                        'devices[2] has unknown field serial (known: hardware_hash, product_key, serial_number, '
                        'oem_manufacturer_name, model_name)']


def test_csv_rows_become_devices_with_their_line_numbers():
    content = ('\ufeff' + HEADER + 'S1,,%s,Microsoft Corporation,Surface Laptop 5\r\n' % HASH_A
               + '\r\n' + 'S2,3204567890123,,,\r\n')
    devices, origins, warnings = read_autopilot_csv(content, 'laptops.csv')
    assert warnings == []
    assert origins == ['laptops.csv line 2', 'laptops.csv line 4']
    assert api_devices(devices) == [
        {'serialNumber': 'S1', 'hardwareHash': HASH_A, 'oemManufacturerName': 'Microsoft Corporation', 'modelName': 'Surface Laptop 5'},
        {'serialNumber': 'S2', 'productKey': '3204567890123'},
    ]


def test_csv_columns_match_in_any_order_and_case_and_extra_columns_are_ignored_with_a_warning():
    content = ('hardware hash , DEVICE SERIAL NUMBER,Group Tag,windows product id\n'
               '%s,S1,Kiosk,\n' % HASH_A)
    devices, origins, warnings = read_autopilot_csv(content, 'hashes.csv')
    assert api_devices(devices) == [{'hardwareHash': HASH_A, 'serialNumber': 'S1'}]
    assert origins == ['hashes.csv line 2']
    assert warnings == ['hashes.csv: column Group Tag ignored: Partner Center device uploads do not take it.']


def test_a_quoted_field_may_hold_commas_and_quotes():
    content = HEADER + '"S1, rev ""B""",,,"Contoso, Inc",Model\nS2,,%s,,\n' % HASH_A
    devices, origins, warnings = read_autopilot_csv(content)
    assert devices[0]['serial_number'] == 'S1, rev "B"'
    assert devices[0]['oem_manufacturer_name'] == 'Contoso, Inc'
    assert origins == ['the CSV line 2', 'the CSV line 3']
    assert warnings == []


def test_a_quoted_line_break_inside_a_field_is_refused_naming_the_row():
    content = HEADER + '"S1",,,"Contoso\nInc",Model\nS2,,%s,,\n' % HASH_A
    with pytest.raises(DeviceListError) as caught:
        read_autopilot_csv(content)
    assert caught.value.problems == ['the CSV line 3: oem_manufacturer_name holds a control character (such as NUL or '
                                     'a line break), which no device field may hold']


@pytest.mark.parametrize('content, problem', [
    ('', 'the CSV is empty: it needs a header line (Device Serial Number,Windows Product ID,Hardware Hash) and one line per device'),
    ('\n\n', 'the CSV is empty: it needs a header line (Device Serial Number,Windows Product ID,Hardware Hash) and one line per device'),
    (HEADER, 'the CSV has a header but no devices'),
    ('Serial,Hash\nS1,%s\n' % HASH_A,
     'the CSV is not a Windows Autopilot device CSV: its header (Serial,Hash) lacks Device Serial Number, Windows Product ID, Hardware Hash'),
    ('Device Serial Number,Hardware Hash\nS1,%s\n' % HASH_A,
     'the CSV is not a Windows Autopilot device CSV: its header (Device Serial Number,Hardware Hash) lacks Windows Product ID'),
    (HEADER + 'S1,,%s,M,X,surplus\n' % HASH_A, 'the CSV line 2 has 6 fields, the header 5'),
])
def test_csv_that_is_not_an_autopilot_device_list(content, problem):
    assert problems_of(read_autopilot_csv, content) == [problem]


def test_csv_problems_point_at_lines():
    content = HEADER + 'S1,,%s,,\nS2,,,,\nS3,,%s,,\n' % (HASH_A, HASH_A)
    devices, origins, warnings = read_autopilot_csv(content, 'f.csv')
    assert warnings == []
    assert problems_of(check_devices, devices, origins) == [
        'f.csv line 3 does not identify a device: give a hardware hash, a product key, or a serial number with '
        'manufacturer and model name (it has serial_number)',
        'f.csv line 4 has the same hardware hash as f.csv line 2 (duplicate within this upload)',
    ]
