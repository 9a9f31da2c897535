# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local checks of what a client sends: GUIDs, Accept and Content-Type headers, hardware hashes, and the
devices of an upload body (field names in any case, accepted identifier sets)."""

import base64
import binascii
import re
import uuid

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
JSON_MEDIA_TYPES = ("application/json", "text/json")
MIN_HARDWARE_HASH_BYTES = 32
DEVICE_FIELDS = ("hardwareHash", "productKey", "serialNumber", "oemManufacturerName", "modelName")
# Sets of device fields that identify a device well enough (documented "at a minimum"; more is fine).
DEVICE_IDENTIFIER_SETS = (
    ("hardwareHash", "productKey"),
    ("hardwareHash", "serialNumber"),
    ("hardwareHash", "productKey", "serialNumber"),
    ("hardwareHash",),
    ("productKey",),
    ("serialNumber", "oemManufacturerName", "modelName"),
)


def is_guid(value):
    return isinstance(value, str) and GUID_RE.match(value) is not None


def new_guid():
    return str(uuid.uuid4())


def short(value, limit=100):
    """``value`` as text, cut to ``limit`` characters (for echoing client input in messages)."""
    value = "" if value is None else str(value)
    return value if len(value) <= limit else value[:limit] + "..."


def accepts_json(accept):
    """Return True if an Accept header value allows application/json."""
    if accept is None or not accept.strip():
        return True
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for param in parts[1:]:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0 and media in ("*/*", "application/*", "application/json"):
            return True
    return False


def is_json_media_type(content_type):
    """Return True if a Content-Type header value declares JSON (application/json, text/json, */*+json)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media in JSON_MEDIA_TYPES or (media.startswith("application/") and media.endswith("+json"))


def is_valid_hardware_hash(value):
    """Return True if ``value`` is strict base64 that decodes to at least MIN_HARDWARE_HASH_BYTES bytes."""
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(decoded) >= MIN_HARDWARE_HASH_BYTES


def field(obj, name):
    """Return ``obj[name]`` matching the key without regard to case (ASP.NET model binding does so), else None."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


def parse_device(raw, index):
    """Return (device, None) with the device's identifying fields, or (None, problem) for a malformed device.

    Empty strings count as absent. The device must carry at least one accepted identifier set.
    """
    if not isinstance(raw, dict):
        return None, "device %d is not a JSON object" % index
    device = {}
    for name in DEVICE_FIELDS:
        value = field(raw, name)
        if value is not None and not isinstance(value, str):
            return None, "device %d: %s must be a string" % (index, name)
        device[name] = value.strip() if value and value.strip() else None
    present = {name for name, value in device.items() if value is not None}
    if not any(present.issuperset(needed) for needed in DEVICE_IDENTIFIER_SETS):
        return None, ("device %d does not carry an accepted set of identifiers (hardwareHash + productKey, hardwareHash + serialNumber, "
                      "hardwareHash + productKey + serialNumber, hardwareHash only, productKey only, or serialNumber + "
                      "oemManufacturerName + modelName)" % index)
    return device, None


def parse_devices(raw_devices):
    """Return (devices, None) for a non-empty list of well-formed devices, or (None, problem)."""
    if not isinstance(raw_devices, list) or not raw_devices:
        return None, "devices must be a non-empty list of devices"
    devices = []
    for index, raw in enumerate(raw_devices):
        device, problem = parse_device(raw, index)
        if problem:
            return None, problem
        devices.append(device)
    return devices, None
