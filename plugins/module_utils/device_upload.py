# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Uploading devices once: which of them a batch holds already, and sending only the rest.

Partner Center lists devices only per batch (no cross-batch device list is documented), so every
decision here starts from the batch listings of device_batch_api.py, every page read.
"""

from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import (
    NOT_READ,
    BatchExistsAlready,
    CreationMayBeOurs,
    UploadOutcomeUnknown,
    find_device_batch,
    list_batch_devices,
    upload_devices,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.device_input import api_devices
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import match_key


def identity_keys(device):
    """The exact identifiers of a device (snake_case fields) -> [(kind, key)]: its hardware hash, its product key (any case).

    Partner Center's device listings carry neither (the one real listing, Partner-Center-PowerShell
    issue #271, has id, serial number, model, manufacturer and policies only); they are used when present.
    """
    keys = []
    if isinstance(device.get('hardware_hash'), str) and device['hardware_hash'].strip():
        keys.append(('hardware_hash', device['hardware_hash'].strip()))
    if match_key(device.get('product_key')):
        keys.append(('product_key', match_key(device['product_key'])))
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
        pairs = [(match_key(device.get(name)), match_key(listed.get(name))) for name in _MAKER_FIELDS]
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
        serial = match_key(listed.get('serial_number'))
        if serial is not None:
            by_serial.setdefault(serial, []).append(listed)
    missing, present = [], []
    for position, device in enumerate(devices):
        found, matched_by = None, None
        for key in identity_keys(device):
            if key in index:
                found, matched_by = index[key], key[0]
                break
        if found is None and match_key(device.get('serial_number')) is not None:
            found, matched_by = _serial_match(device, by_serial.get(match_key(device['serial_number']), ()))
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
