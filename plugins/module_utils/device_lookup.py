# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Devices already uploaded: read them from the batch listings, select them by id or serial number, and read the
profile each carries.

Partner Center lists devices only per batch (no cross-batch device list is documented), so every device is
found through the batch listings of device_batch_api.py, every page read.
"""

from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import find_device_batch, list_batch_devices, list_device_batches
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import OOBE_CATEGORY
from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import enum_letters, first_of_each_id, match_key
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import batch_name_problem, device_id_problem, is_guid

# A device's profile is its policy of the o_o_b_e category (the .NET SDK writes o_o_b_e, PartnerCenter.DotNet OOBE).
_OOBE_LETTERS = enum_letters(OOBE_CATEGORY)


def read_devices(client, customer_id, batch_id=None, warn=None):
    """The devices of one batch, or of every batch of the customer -> (devices, pages read).

    Each shaped device gets ``batch_id``, the batch it is in (as Partner Center spells it).
    ``batch_id`` that names no batch reads nothing.
    """
    if batch_id is not None:
        batch = find_device_batch(client, customer_id, batch_id, warn)
        batch_ids = [] if batch is None else [batch['id']]
    else:
        batch_ids = [batch['id'] for batch in list_device_batches(client, customer_id, warn)[1] if batch.get('id') is not None]
    unusable = [name for name in batch_ids if batch_name_problem(name)]
    if unusable and warn is not None:
        # A name from the answer goes into a path only with the shape of a batch name.
        warn('The list of device batches of customer %s names %d batch%s that cannot be read: %s.' % (
            customer_id, len(unusable), '' if len(unusable) == 1 else 'es',
            '; '.join('its id %s' % batch_name_problem(name) for name in unusable[:5])))
    batch_ids = [name for name in batch_ids if not batch_name_problem(name)]
    devices, pages = [], 0
    for name in batch_ids:
        listed, read = list_batch_devices(client, customer_id, name, warn)
        pages += read
        for device in listed:
            device['batch_id'] = name
            devices.append(device)
    return devices, pages


def select_devices(devices, device_ids=None, serial_numbers=None):
    """The devices named by id or serial number (any case) -> (selected, ids not found, serials not found, ambiguous serials).

    ``ambiguous`` lists each serial number that more than one device carries (two manufacturers,
    or two batches): such a device must be named by its id. Each device is selected once.
    """
    by_id, by_serial = {}, {}
    for device in devices:
        if match_key(device.get('id')):
            by_id.setdefault(match_key(device['id']), device)
        if match_key(device.get('serial_number')):
            by_serial.setdefault(match_key(device['serial_number']), []).append(device)
    selected, seen = [], set()
    ids_not_found, serials_not_found, ambiguous = [], [], []

    def take(device):
        key = id(device)
        if key not in seen:
            seen.add(key)
            selected.append(device)

    for device_id in device_ids or ():
        device = by_id.get(match_key(device_id))
        if device is None:
            ids_not_found.append(device_id)
        else:
            take(device)
    for serial in serial_numbers or ():
        matches = by_serial.get(match_key(serial), [])
        if not matches:
            serials_not_found.append(serial)
        elif len(matches) > 1:
            ambiguous.append(serial)
        else:
            take(matches[0])
    return selected, ids_not_found, serials_not_found, ambiguous


def unique_devices(devices):
    """``devices`` with each device id (compared without regard to case) once, the first kept, in order.

    A listing may name one device twice (on two pages, or in two spellings); a request must not.
    Devices without a usable id are kept: the id check names them.
    """
    return first_of_each_id(devices, lambda device: device.get('id'))


def device_label_in_answer(device):
    """How a message names a device of a listing whose id may be unusable: its serial number or product key, and batch."""
    for field, label in (('serial_number', 'serial number'), ('product_key', 'product key')):
        if isinstance(device.get(field), str) and device[field].strip():
            return 'the device with %s %r in batch %r' % (label, device[field][:80], device.get('batch_id'))
    return 'a device without serial number or product key in batch %r' % device.get('batch_id')


def unusable_device_ids(devices, with_batch=False):
    """What is wrong with the ids that a changing request about ``devices`` (from a listing) would carry -> [message].

    Each device id must have the shape of a device id; with ``with_batch``, the batch name (which goes into the
    DELETE path) that of a batch name.
    """
    problems = []
    for device in devices:
        problem = device_id_problem(device.get('id'))
        if problem:
            problems.append('%s: its id %s' % (device_label_in_answer(device), problem))
        if with_batch:
            problem = batch_name_problem(device.get('batch_id'))
            if problem:
                problems.append('%s: its batch id %s' % (device_label_in_answer(device), problem))
    return problems


def device_summary(device):
    """What a result and a diff name a device by.

    ``profile`` is the device's Autopilot profile as the listing gives it, an id or a name; ``profile_id`` is
    that value when it is an id (a GUID), else null.
    """
    profile = device_profile_value(device)
    return dict(id=device.get('id'), serial_number=device.get('serial_number'), product_key=device.get('product_key'),
                batch_id=device.get('batch_id'), profile=profile, profile_id=profile if is_guid(profile) else None)


# -- profiles on devices -----------------------------------------------------------------------------------

def device_profile_value(device):
    """The value of the o_o_b_e policy a shaped device carries (the profile's id, or its name), or None for none.

    Microsoft's examples show the policy id; a real listing (Partner-Center-PowerShell issue #271) shows a
    profile's name, "AzureAD Join Default Profile".
    """
    policies = device.get('policies')
    if not isinstance(policies, list):
        return None
    for policy in policies:
        if isinstance(policy, dict) and isinstance(policy.get('key'), str) and enum_letters(policy['key']) == _OOBE_LETTERS:
            value = policy.get('value')
            return value if isinstance(value, str) and value.strip() else None
    return None


def carries_profile(device, profile_id, profile_name=None):
    """True when the device's profile is the one of ``profile_id`` and ``profile_name``.

    The listed value is the profile's id or its name, each compared without regard to case (a name also
    without surrounding spaces); a value that is neither is another profile.
    """
    current = device_profile_value(device)
    if current is None:
        return False
    if current.strip().lower() == profile_id.lower():
        return True
    return isinstance(profile_name, str) and bool(profile_name.strip()) and current.strip().lower() == profile_name.strip().lower()
