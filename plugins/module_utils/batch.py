# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device batch uploads: read a BatchUploadDetails and shape it for playbooks."""

import re
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError

# Batch statuses after which Partner Center does no more work on the batch.
COMPLETE_STATUSES = frozenset(('finished', 'finished_with_errors'))
DEVICE_ERROR_STATUS = 'finished_with_errors'

# Keys every shaped resource carries, even when Partner Center leaves them out or sends null,
# so that playbooks can test them without `default()` filters.
BATCH_KEYS = ('batch_tracking_id', 'status', 'started_time', 'completed_time', 'devices_status')
DEVICE_KEYS = ('device_id', 'serial_number', 'product_key', 'status', 'error_code', 'error_description')

_CAMEL_BOUNDARY = re.compile(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')


def snake_case(name):
    """``batchTrackingId`` -> ``batch_tracking_id``; names already in snake_case are unchanged."""
    return _CAMEL_BOUNDARY.sub('_', name).lower()


def snake_case_keys(value):
    """A copy of ``value`` with every dict key, at any depth, in snake_case."""
    if isinstance(value, dict):
        return dict((snake_case(str(key)), snake_case_keys(item)) for key, item in value.items())
    if isinstance(value, list):
        return [snake_case_keys(item) for item in value]
    return value


def batch_status_path(customer_id, batch_tracking_id):
    """The path of the batchJobStatus resource below base_url."""
    return '/v1/customers/%s/batchJobStatus/%s' % (
        urllib.parse.quote(customer_id, safe=''), urllib.parse.quote(batch_tracking_id, safe=''))


def device_has_error(device):
    """A device carries an error when it has an error code or the error status."""
    return bool(device.get('error_code')) or str(device.get('status') or '').lower() == DEVICE_ERROR_STATUS


def is_complete(status):
    """True once Partner Center has finished the batch, with or without device errors."""
    return str(status or '').lower() in COMPLETE_STATUSES


def shape_batch_upload_details(resource):
    """The BatchUploadDetails with snake_case keys, documented keys always present.

    Unknown fields are kept (in snake_case); every device is kept, whatever its status string.
    """
    if not isinstance(resource, dict) or not ('status' in resource or 'batchTrackingId' in resource):
        shown = ', '.join(sorted(resource)) if isinstance(resource, dict) else type(resource).__name__
        raise ResponseError('Partner Center answered 200 but the body is not a BatchUploadDetails '
                            '(no status nor batchTrackingId; got %s)' % (shown or 'an empty object'))
    details = snake_case_keys(resource)
    for key in BATCH_KEYS:
        details.setdefault(key, None)
    devices = details['devices_status'] or []
    if not isinstance(devices, list):
        raise ResponseError('Partner Center answered 200 but devicesStatus is a %s, not a list'
                            % type(devices).__name__)
    for device in devices:
        if isinstance(device, dict):
            for key in DEVICE_KEYS:
                device.setdefault(key, None)
    details['devices_status'] = [device for device in devices if isinstance(device, dict)]
    return details


def summarize(details):
    """What playbooks test most: completion, devices with errors, counts by device status."""
    counts = {}
    for device in details['devices_status']:
        status = device.get('status') or 'unknown'
        counts[status] = counts.get(status, 0) + 1
    return {
        'complete': is_complete(details['status']),
        'devices_with_errors': [device for device in details['devices_status'] if device_has_error(device)],
        'device_status_counts': counts,
    }


def read_batch_upload_details(client, customer_id, batch_tracking_id):
    """GET the batch's status; return (the resource as sent, the shaped details)."""
    path = batch_status_path(customer_id, batch_tracking_id)
    resource = client.get_json(path, 'Partner Center GET %s' % path)
    return resource, shape_batch_upload_details(resource)
