# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Devices after upload: which are in a batch already, which carry a profile; assigning a profile, removing a device.

Partner Center lists devices only per batch (no cross-batch device list is documented), so every
decision here starts from the batch listings of device_batches.py, every page read.
"""

import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import enum_letters
from ansible_collections.partnercenter.devices.plugins.module_utils.device_batches import (
    ACCEPTED_STATUSES,
    NOT_READ,
    BatchExistsAlready,
    CreationMayBeOurs,
    UploadOutcomeUnknown,
    batch_devices_path,
    find_device_batch,
    list_batch_devices,
    list_device_batches,
    tracking_id_from,
    upload_devices,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.devices import api_devices
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, PartnerCenterError, ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import OOBE_CATEGORY
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import (
    batch_name_problem,
    device_id_problem,
    is_guid,
    policy_id_problem,
)

# A device's profile is its policy of the o_o_b_e category (the .NET SDK writes o_o_b_e, PartnerCenter.DotNet OOBE).
_OOBE_LETTERS = enum_letters(OOBE_CATEGORY)
DELETED_STATUSES = (200, 204)
# What remove_device says of a device: removed (204), gone already (404), or removed by this task as far as can be
# told (an earlier attempt of the same DELETE went unanswered, or a server error answered it, and the retry got 404).
REMOVED, ABSENT, REMOVED_UNCONFIRMED = 'removed', 'absent', 'removed_unconfirmed'


def _lower(value):
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


# -- which uploaded devices a batch already holds ------------------------------------------------------

def identity_keys(device):
    """The exact identifiers of a device (snake_case fields) -> [(kind, key)]: its hardware hash, its product key (any case).

    Partner Center's device listings carry neither (the one real listing, Partner-Center-PowerShell
    issue #271, has id, serial number, model, manufacturer and policies only); they are used when present.
    """
    keys = []
    if isinstance(device.get('hardware_hash'), str) and device['hardware_hash'].strip():
        keys.append(('hardware_hash', device['hardware_hash'].strip()))
    if _lower(device.get('product_key')):
        keys.append(('product_key', _lower(device['product_key'])))
    return keys


_MAKER_FIELDS = ('oem_manufacturer_name', 'model_name')


def _serial_match(device, candidates):
    """How ``device`` matches one of ``candidates`` (listed devices with its serial number) -> (listed, matched_by) or (None, None).

    Manufacturer and model are compared where both sides have them; a candidate that differs in either is
    another device. More than one candidate left (the same serial number from two makers, and the device
    names no maker) is no match: the device is uploaded and Partner Center decides.
    """
    compatible = []
    for listed in candidates:
        pairs = [(_lower(device.get(name)), _lower(listed.get(name))) for name in _MAKER_FIELDS]
        if all(ours is None or theirs is None or ours == theirs for ours, theirs in pairs):
            compatible.append((listed, all(ours is not None and theirs is not None for ours, theirs in pairs)))
    if len(compatible) != 1:
        return None, None
    listed, full = compatible[0]
    return listed, 'serial_number_manufacturer_model' if full else 'serial_number'


def match_present(devices, batch_devices):
    """Split the devices to upload into those the batch lacks and those it holds.

    A device is held when the listing has its hardware hash or product key, else its serial number (any
    case) with the same manufacturer and model where both sides name them. A device that only a hardware
    hash identifies cannot be found in a listing without hashes: it is missing, and uploading it again gets
    806 (ZtdDeviceAlreadyAssigned) when it is registered already.

    Returns (missing indexes, present) where each present entry is a dict: ``index`` (in ``devices``),
    ``device_id`` and ``serial_number`` of the device in the batch, ``matched_by`` (hardware_hash,
    product_key, serial_number_manufacturer_model or serial_number).
    """
    index, by_serial = {}, {}
    for listed in batch_devices:
        for key in identity_keys(listed):
            index.setdefault(key, listed)
        serial = _lower(listed.get('serial_number'))
        if serial is not None:
            by_serial.setdefault(serial, []).append(listed)
    missing, present = [], []
    for position, device in enumerate(devices):
        found, matched_by = None, None
        for key in identity_keys(device):
            if key in index:
                found, matched_by = index[key], key[0]
                break
        if found is None and _lower(device.get('serial_number')) is not None:
            found, matched_by = _serial_match(device, by_serial.get(_lower(device['serial_number']), ()))
        if found is None:
            missing.append(position)
        else:
            present.append(dict(index=position, device_id=found.get('id'), serial_number=found.get('serial_number'),
                                matched_by=matched_by))
    return missing, present


def missing_devices(client, customer_id, batch_id, devices, warn=None):
    """Read the batch named ``batch_id`` (every page) and say which of ``devices`` (snake_case) it lacks.

    Returns a dict: ``batch`` (the shaped batch, None when it does not exist), ``missing`` (indexes),
    ``present`` (see match_present) and ``pages`` read.
    """
    batch = find_device_batch(client, customer_id, batch_id, warn)
    if batch is None:
        return dict(batch=None, missing=list(range(len(devices))), present=[], pages=0)
    listed, pages = list_batch_devices(client, customer_id, batch['id'], warn)
    missing, present = match_present(devices, listed)
    return dict(batch=batch, missing=missing, present=present, pages=pages)


def device_label(origin, device):
    """How a diff names a device to upload: where it came from and its most telling identifier."""
    for field, label in (('serial_number', 'serial number'), ('product_key', 'product key')):
        if device.get(field):
            return '%s: %s %s' % (origin, label, device[field])
    return '%s: hardware hash %s...' % (origin, (device.get('hardware_hash') or '')[:16])


def skip_present_devices(client, customer_id, batch_id, devices, origins, warn=None):
    """(devices the batch lacks, their origins, result keys, the shaped batch or None when it does not exist).

    Result keys: ``batch_id`` (as Partner Center spells it, when the batch exists), ``devices_already_in_batch``
    (each with ``origin``, ``device_id``, ``serial_number``, ``matched_by``) and ``diff``.
    """
    found = missing_devices(client, customer_id, batch_id, devices, warn)
    keys = _present_keys(found, devices, origins, batch_id)
    return [devices[index] for index in found['missing']], [origins[index] for index in found['missing']], keys, found['batch']


def _present_keys(found, devices, origins, batch_id):
    """The result keys of skip_present_devices for what missing_devices ``found``."""
    present = []
    for entry in found['present']:
        entry = dict(entry)
        entry['origin'] = origins[entry.pop('index')]
        present.append(entry)
    name = found['batch']['id'] if found['batch'] is not None else batch_id
    before = [device_label(origins[entry['index']], devices[entry['index']]) for entry in found['present']]
    added = [device_label(origins[index], devices[index]) for index in found['missing']]
    return dict(batch_id=name, devices_already_in_batch=present,
                diff=dict(before=dict(batch_id=name, devices=before), after=dict(batch_id=name, devices=before + added)))


def upload_once(client, customer_id, batch_id, devices, origins, warn=None, existing=NOT_READ, done=None, skip_existing=False):
    """Upload ``devices`` (snake_case) into the batch, creating it when needed, never sending the same devices twice.

    When creating the batch answered 409 after an attempt whose outcome is unknown, that attempt most likely
    created it: the batch is read and only the devices it lacks are added (none: no second request).
    With ``skip_existing``, a 409 without such an attempt (the batch was made meanwhile, or is not listed yet)
    is read the same way: only what the batch lacks is added, and ``create_conflict`` says so.
    ``done`` (a dict) receives what was changed or found as soon as it is known (``created``, ``create_outcome_unknown``,
    ``create_request_id``, ``batch_id``, ``devices_found_after_create``; ``create_conflict``, ``devices_already_in_batch``,
    ``diff``), so that a caller whose later request fails still reports it.

    Returns (the upload's result keys as upload_devices gives them, the devices sent in that upload, their origins);
    with nothing left to add, the keys carry no tracking id and ``upload_request_id`` None.
    """
    done = {} if done is None else done
    refused = None
    try:
        return upload_devices(client, customer_id, batch_id, api_devices(devices), warn, existing,
                              read_on_conflict=skip_existing), devices, origins
    except CreationMayBeOurs as conflict:
        done.update(created=True, create_outcome_unknown=True, create_request_id=conflict.request_id)
    except BatchExistsAlready as conflict:
        done.update(created=False, create_conflict=True)
        refused = conflict
    found = missing_devices(client, customer_id, batch_id, devices, warn)
    if found['batch'] is None:
        if refused is not None:
            raise PartnerCenterError(
                'Creating the batch %s answered 409 (it exists), yet neither the list of batches read before nor the one '
                'read after shows it: nothing was uploaded. Run the task again once Partner Center lists the batch, or '
                'check it with partnercenter.devices.device_batch_info.' % batch_id,
                http_status=409, error_code=refused.error_code, error_description=refused.error_description,
                request_id=refused.request_id, correlation_id=client.correlation_id)
        raise UploadOutcomeUnknown(
            'Creating the batch %s got no settled answer, its retry answered 409 (the batch exists), yet the list of '
            'batches does not show it: nothing more was sent. Check the batch with partnercenter.devices.device_batch_info '
            'before uploading again.' % batch_id, request_id=done['create_request_id'], correlation_id=client.correlation_id)
    name = found['batch']['id']
    if refused is not None:
        done.update(_present_keys(found, devices, origins, batch_id))
    else:
        done.update(batch_id=name, devices_found_after_create=[
            dict(device_id=entry['device_id'], serial_number=entry['serial_number'], matched_by=entry['matched_by'],
                 origin=origins[entry['index']]) for entry in found['present']])
    sent = [devices[index] for index in found['missing']]
    sent_origins = [origins[index] for index in found['missing']]
    if not sent:
        upload = dict(batch_id=name, batch_tracking_id=None, location=None, upload_request_id=None, upload_http_status=None)
    else:
        upload = upload_devices(client, customer_id, name, api_devices(sent), warn, existing=found['batch'])
    if refused is not None:
        upload.update(created=False, create_conflict=True)
    else:
        upload.update(created=True, create_outcome_unknown=True, create_request_id=done['create_request_id'])
    return upload, sent, sent_origins


# -- finding devices by id or serial number ------------------------------------------------------------

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
        if _lower(device.get('id')):
            by_id.setdefault(_lower(device['id']), device)
        if _lower(device.get('serial_number')):
            by_serial.setdefault(_lower(device['serial_number']), []).append(device)
    selected, seen = [], set()
    ids_not_found, serials_not_found, ambiguous = [], [], []

    def take(device):
        key = id(device)
        if key not in seen:
            seen.add(key)
            selected.append(device)

    for device_id in device_ids or ():
        device = by_id.get(_lower(device_id))
        if device is None:
            ids_not_found.append(device_id)
        else:
            take(device)
    for serial in serial_numbers or ():
        matches = by_serial.get(_lower(serial), [])
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
    seen, unique = set(), []
    for device in devices:
        key = device.get('id').lower() if isinstance(device.get('id'), str) else None
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        unique.append(device)
    return unique


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


def device_profile_id(device):
    """The listed profile of a shaped device when it is an id (a GUID), else None."""
    value = device_profile_value(device)
    return value if is_guid(value) else None


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


def device_policy_updates_path(customer_id):
    return '/v1/customers/%s/DevicePolicyUpdates' % urllib.parse.quote(customer_id, safe='')


def assign_profile(client, customer_id, device_ids, profile_id):
    """PATCH the customer's DevicePolicyUpdates so that each device carries the profile.

    Partner Center answers 202 (the REST reference also lists 200) with a Location to a batchJobStatus,
    the resource uploads are followed on. Returns a dict: batch_tracking_id (None when the answer names
    none), location, request_id, http_status. Each id must have been checked (unusable_device_ids,
    policy_id_problem); ids that differ only in case are sent once.
    """
    problems = [device_id_problem(device_id) for device_id in device_ids] + [policy_id_problem(profile_id)]
    if any(problems):
        # A last guard: callers check first, and say which device.
        raise ResponseError('refused to send DevicePolicyUpdates: an id from Partner Center\'s answer %s'
                            % next(problem for problem in problems if problem))
    seen, unique_ids = set(), []
    for device_id in device_ids:
        if device_id.lower() not in seen:
            seen.add(device_id.lower())
            unique_ids.append(device_id)
    body = dict(devices=[dict(id=device_id, policies=[dict(key=OOBE_CATEGORY, value=profile_id)])
                         for device_id in unique_ids])
    response = client.request('PATCH', device_policy_updates_path(customer_id), body=body, expected=ACCEPTED_STATUSES)
    return dict(batch_tracking_id=tracking_id_from(response), location=response.header('location'),
                request_id=response.request_id, http_status=response.status)


# -- removing devices --------------------------------------------------------------------------------------

def device_path(customer_id, batch_id, device_id):
    return '%s/%s' % (batch_devices_path(customer_id, batch_id), urllib.parse.quote(device_id, safe=''))


def remove_device(client, customer_id, batch_id, device_id):
    """DELETE one device from its batch -> REMOVED, ABSENT (404: gone already) or REMOVED_UNCONFIRMED.

    REMOVED_UNCONFIRMED: an earlier attempt of this DELETE (same MS-RequestId) went unanswered or got a server
    error, and the retry got 404; the device is gone, most likely by this request. A TransportError with
    ``outcome_unknown`` means no answer settled it at all.
    """
    problem = device_id_problem(device_id) or batch_name_problem(batch_id)
    if problem:
        # A last guard: callers check first (unusable_device_ids), and say which device.
        raise ResponseError('refused to send DELETE: an id from Partner Center\'s answer %s' % problem)
    try:
        client.request('DELETE', device_path(customer_id, batch_id, device_id), expected=DELETED_STATUSES)
    except ApiError as error:
        if error.http_status == 404:
            return REMOVED_UNCONFIRMED if error.maybe_applied_before else ABSENT
        raise
    return REMOVED
