# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Devices to upload: read them from a list or a Windows Autopilot CSV and check them locally.

Everything here runs before any request, so a bad upload fails with every problem listed at once
and nothing reaches Partner Center.
"""

import base64
import binascii
import csv
import io
import os
import stat

from ansible_collections.partnercenter.devices.plugins.module_utils.validate import has_control_characters

# Device fields as playbooks write them (snake_case) and as Partner Center's Device resource names them.
DEVICE_FIELDS = (
    ('hardware_hash', 'hardwareHash'),
    ('product_key', 'productKey'),
    ('serial_number', 'serialNumber'),
    ('oem_manufacturer_name', 'oemManufacturerName'),
    ('model_name', 'modelName'),
)
FIELD_NAMES = tuple(name for name, api_name in DEVICE_FIELDS)

# The identifier sets Partner Center accepts for a device ("at a minimum"; more fields are fine).
IDENTIFIER_SETS = (
    ('hardware_hash', 'product_key'),
    ('hardware_hash', 'serial_number'),
    ('hardware_hash', 'product_key', 'serial_number'),
    ('hardware_hash',),
    ('product_key',),
    ('serial_number', 'oem_manufacturer_name', 'model_name'),
)

# Columns of the Windows Autopilot hardware-hash CSV (Partner Center's "Add devices" upload and
# Get-WindowsAutopilotInfo's output), matched without regard to case or surrounding spaces.
CSV_COLUMNS = {
    'device serial number': 'serial_number',
    'windows product id': 'product_key',
    'hardware hash': 'hardware_hash',
    'manufacturer name': 'oem_manufacturer_name',
    'device model': 'model_name',
}
CSV_REQUIRED_COLUMNS = ('Device Serial Number', 'Windows Product ID', 'Hardware Hash')

# A message lists this many problems, then how many more there are.
MAX_PROBLEMS_SHOWN = 20
# A CSV file larger than this is refused before it is read: 100,000 devices with hardware hashes
# (about 4 KB each) are about 400 MiB, far more than one upload should carry.
MAX_CSV_BYTES = 512 * 1024 * 1024


class DeviceListError(ValueError):
    """The devices cannot be uploaded as given; ``problems`` lists every reason, one line each."""

    def __init__(self, problems):
        shown = list(problems[:MAX_PROBLEMS_SHOWN])
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append('... and %d more' % (len(problems) - MAX_PROBLEMS_SHOWN))
        super().__init__('; '.join(shown))
        self.problems = list(problems)


def _text(value):
    """A field's value as stripped text, or None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_csv_file(path):
    """The text of a CSV file: UTF-16 with a byte order mark, else UTF-8, else Windows-1252 (what Excel saves).

    Only a regular file is read: a FIFO, a device or a directory is refused at once (opened without
    blocking, so a FIFO with no writer cannot hang the task). Raises DeviceListError for those, and
    OSError when the file cannot be opened.
    """
    name = os.path.basename(path) or path
    descriptor = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise DeviceListError(['csv_path %s is %s, not a regular file: give the path of a CSV file'
                                   % (name, _file_kind(info.st_mode))])
        if info.st_size > MAX_CSV_BYTES:
            raise DeviceListError(['csv_path %s has %d bytes, more than the %d MiB one upload may read: '
                                   'split the devices over several files' % (name, info.st_size, MAX_CSV_BYTES // 1048576)])
        with os.fdopen(descriptor, 'rb') as handle:
            descriptor = None
            data = handle.read(MAX_CSV_BYTES + 1)
    finally:
        if descriptor is not None:
            os.close(descriptor)
    if data.startswith((b'\xff\xfe', b'\xfe\xff')):
        return data.decode('utf-16')
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError:
        return data.decode('cp1252', 'replace')


def _file_kind(mode):
    for test, kind in ((stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO (named pipe)'),
                       (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
                       (stat.S_ISSOCK, 'a socket')):
        if test(mode):
            return kind
    return 'not a regular file'


def _control_problem(origin, device):
    """A problem line when a field of ``device`` holds a control character, naming the field (never its value).

    Control characters have no place in a device field: Partner Center would store them or refuse the whole batch.
    """
    bad = [name for name in FIELD_NAMES if device.get(name) and has_control_characters(device[name])]
    if bad:
        return '%s: %s hold%s a control character (such as NUL or a line break), which no device field may hold' % (
            origin, ', '.join(bad), 's' if len(bad) == 1 else '')
    return None


def read_device_list(devices):
    """Devices given as a list of dicts in snake_case -> (devices, where each came from, warnings)."""
    if not devices:
        raise DeviceListError(['devices is empty: give at least one device'])
    normalized, origins, problems = [], [], []
    for index, device in enumerate(devices):
        origin = 'devices[%d]' % index
        if not isinstance(device, dict):
            problems.append('%s is a %s, not a dict of device fields' % (origin, type(device).__name__))
            continue
        unknown = sorted(str(key) for key in device if key not in FIELD_NAMES)
        if unknown:
            problems.append('%s has unknown field%s %s (known: %s)' % (
                origin, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(FIELD_NAMES)))
            continue
        shaped = dict((name, _text(device.get(name))) for name in FIELD_NAMES)
        problem = _control_problem(origin, shaped)
        if problem:
            problems.append(problem)
            continue
        normalized.append(shaped)
        origins.append(origin)
    if problems:
        raise DeviceListError(problems)
    return normalized, origins, []


def read_autopilot_csv(content, source='the CSV'):
    """Devices from the text of a Windows Autopilot hardware-hash CSV -> (devices, origins, warnings).

    Origins name the file's line numbers, so problems point at the row to fix.
    """
    if content.startswith('\ufeff'):
        content = content[1:]
    reader = csv.reader(io.StringIO(content, newline=''))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise DeviceListError(['%s is empty: it needs a header line (%s) and one line per device'
                                   % (source, ','.join(CSV_REQUIRED_COLUMNS))])
        columns = [CSV_COLUMNS.get(cell.strip().lower()) for cell in header]
        repeated = []
        for cell, column in zip(header, columns):
            if column is not None and columns.count(column) > 1 and column not in [c for unused, c in repeated]:
                repeated.append((cell.strip(), column))
        repeated = [cell for cell, unused in repeated]
        if repeated:
            # Which of the two would count is a guess; Partner Center's own upload refuses such a file.
            raise DeviceListError(['%s has a header that names the column%s %s more than once: keep one of each'
                                   % (source, 's' if len(repeated) > 1 else '', ', '.join(repeated))])
        missing = [name for name in CSV_REQUIRED_COLUMNS if CSV_COLUMNS[name.lower()] not in columns]
        if missing:
            raise DeviceListError(['%s is not a Windows Autopilot device CSV: its header (%s) lacks %s'
                                   % (source, ','.join(cell.strip() for cell in header), ', '.join(missing))])
        warnings = []
        ignored = [cell.strip() for cell, column in zip(header, columns) if column is None and cell.strip()]
        if ignored:
            # Get-WindowsAutopilotInfo can add Group Tag and Assigned User; Partner Center's upload has no such fields.
            warnings.append('%s: column%s %s ignored: Partner Center device uploads do not take %s.' % (
                source, 's' if len(ignored) > 1 else '', ', '.join(ignored), 'them' if len(ignored) > 1 else 'it'))
        devices, origins, problems = [], [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            origin = '%s line %d' % (source, reader.line_num)
            if len(row) > len(header):
                problems.append('%s has %d fields, the header %d' % (origin, len(row), len(header)))
                continue
            device = dict((name, None) for name in FIELD_NAMES)
            for cell, column in zip(row, columns):
                if column is not None:
                    device[column] = _text(cell)
            problem = _control_problem(origin, device)
            if problem:
                problems.append(problem)
                continue
            devices.append(device)
            origins.append(origin)
    except csv.Error as error:
        raise DeviceListError(['%s line %d cannot be read as CSV: %s' % (source, reader.line_num, error)]) from None
    if problems:
        raise DeviceListError(problems)
    if not devices:
        raise DeviceListError(['%s has a header but no devices' % source])
    return devices, origins, warnings


def _is_base64(value):
    # b64decode tolerates surplus padding ("QUJD="); a hash from Windows never has it.
    if len(value) % 4:
        return False
    try:
        return bool(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return False


def _duplicate_keys(device):
    """What identifies a device for duplicate detection within one upload."""
    keys = []
    if device['hardware_hash']:
        keys.append(('hardware hash', device['hardware_hash']))
    if device['product_key']:
        keys.append(('product key', device['product_key'].lower()))
    if device['serial_number']:
        # The same serial number from two manufacturers is two devices.
        keys.append(('serial number', (device['serial_number'].lower(), (device['oem_manufacturer_name'] or '').lower())))
    return keys


def check_devices(devices, origins):
    """Raise DeviceListError listing every device that Partner Center would refuse or see twice."""
    problems = []
    first_seen = {}
    for device, origin in zip(devices, origins):
        present = set(name for name in FIELD_NAMES if device[name])
        if not any(present.issuperset(identifiers) for identifiers in IDENTIFIER_SETS):
            problems.append(
                '%s does not identify a device: give a hardware hash, a product key, or a serial number with '
                'manufacturer and model name (it has %s)' % (origin, ', '.join(sorted(present)) or 'no fields'))
            continue
        if device['hardware_hash'] and not _is_base64(device['hardware_hash']):
            problems.append('%s: the hardware hash is not base64 (a Windows Autopilot hardware hash is a base64 '
                            'string of about 4,000 characters)' % origin)
            continue
        for identity in _duplicate_keys(device):
            if identity in first_seen:
                problems.append('%s has the same %s as %s (duplicate within this upload)' % (origin, identity[0], first_seen[identity]))
                break
            first_seen[identity] = origin
    if problems:
        raise DeviceListError(problems)


def api_devices(devices):
    """The devices as Partner Center's Device resources: camelCase, empty fields left out."""
    return [dict((api_name, device[name]) for name, api_name in DEVICE_FIELDS if device[name]) for device in devices]
