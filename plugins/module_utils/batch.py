# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device batch uploads: read a BatchUploadDetails and shape it for playbooks."""

import re
import time
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import remediation_hint
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, ResponseError

# Batch statuses after which Partner Center does no more work on the batch.
COMPLETE_STATUSES = frozenset(('finished', 'finished_with_errors'))
DEVICE_ERROR_STATUS = 'finished_with_errors'

# Keys every shaped resource carries, even when Partner Center leaves them out or sends null,
# so that playbooks can test them without `default()` filters. A device's `remediation` is ours,
# not Partner Center's: what to do about its error (device_errors.py), null when it has none.
BATCH_KEYS = ('batch_tracking_id', 'status', 'started_time', 'completed_time', 'devices_status')
DEVICE_KEYS = ('device_id', 'serial_number', 'product_key', 'status', 'error_code', 'error_description', 'remediation')

_CAMEL_BOUNDARY = re.compile(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')


# A batch repeats the same few keys for each of its devices: each is converted once per run.
_SNAKE_CASE_NAMES = {}


def snake_case(name):
    """``batchTrackingId`` -> ``batch_tracking_id``; names already in snake_case are unchanged."""
    converted = _SNAKE_CASE_NAMES.get(name)
    if converted is None:
        converted = _CAMEL_BOUNDARY.sub('_', name).lower()
        if len(_SNAKE_CASE_NAMES) < 4096:  # bounded: keys come from the server
            _SNAKE_CASE_NAMES[name] = converted
    return converted


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
    devices = details['devices_status']
    if devices is None:
        devices = []
    if not isinstance(devices, list):
        raise ResponseError('Partner Center answered 200 but devicesStatus is a %s, not a list'
                            % type(devices).__name__)
    for device in devices:
        if isinstance(device, dict):
            for key in DEVICE_KEYS:
                device.setdefault(key, None)
            device['remediation'] = (remediation_hint(device, details['batch_tracking_id'])
                                     if device_has_error(device) else None)
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


# Which devices batch_upload_details.devices_status (and the fact) carry; the summary always counts them all.
RETURN_DEVICES = ('all', 'with_errors', 'none')
# The options of modules that return a batch's status; keep in step with the doc fragment's RESULTS.
RESULT_ARGUMENT_SPEC = dict(
    return_devices=dict(type='str', default='all', choices=list(RETURN_DEVICES)),
    return_raw=dict(type='bool', default=False),
)


def details_result(raw, details, return_devices='all', return_raw=False):
    """The result keys every module returns for a batch's status: the details, the summary, and the raw resource when asked.

    ``complete``, ``devices_with_errors`` and ``device_status_counts`` are computed on every device, whatever
    ``return_devices`` keeps in ``batch_upload_details.devices_status``.
    """
    result = summarize(details)
    if return_devices != 'all':
        details = dict(details)
        details['devices_status'] = list(result['devices_with_errors']) if return_devices == 'with_errors' else []
    result['batch_upload_details'] = details
    if return_raw:
        result['raw_batch_upload_details'] = raw
    return result


def waited_result(raw, details, polls, waited_seconds, return_devices='all', return_raw=False):
    """details_result, with how many polls a wait took and how long it waited."""
    result = details_result(raw, details, return_devices, return_raw)
    result.update(polls=polls, waited_seconds=round(waited_seconds, 1))
    return result


def read_batch_upload_details(client, customer_id, batch_tracking_id):
    """GET the batch's status; return (the resource as sent, the shaped details)."""
    path = batch_status_path(customer_id, batch_tracking_id)
    return client.get_json(path, 'Partner Center GET %s' % path,
                           shape=lambda resource: (resource, shape_batch_upload_details(resource)))


# Waiting: polls start at poll_interval and grow by this factor up to MAX_POLL_INTERVAL (or
# poll_interval, when that is larger), so a long batch costs few requests and a short one
# is noticed within one interval.
POLL_BACKOFF_FACTOR = 1.5
MAX_POLL_INTERVAL = 60.0


class BatchWaitTimeout(PartnerCenterError):
    """The batch was not complete when the wait timed out; carries the last details seen."""

    def __init__(self, message, raw, details, polls, waited_seconds):
        super().__init__(message)
        self.raw = raw
        self.details = details
        self.polls = polls
        self.waited_seconds = waited_seconds


def poll_intervals(poll_interval):
    """The successive pauses between polls: poll_interval, growing to the cap."""
    interval = float(poll_interval)
    cap = max(interval, MAX_POLL_INTERVAL)
    while True:
        yield interval
        interval = min(cap, interval * POLL_BACKOFF_FACTOR)


def wait_for_batch(client, customer_id, batch_tracking_id, wait_timeout, poll_interval,
                   clock=time.monotonic, sleep=time.sleep, on_poll=None):
    """Poll until the batch is complete; return (raw, details, polls, waited_seconds).

    One client, so one token for the whole wait; throttling within a poll is the client's
    business (Retry-After, backoff). Raises BatchWaitTimeout when ``wait_timeout`` passes.
    ``on_poll(details_or_None, polls, waited_seconds, throttled_polls, error_or_None)`` is told of each poll.
    """
    started = clock()
    polls = 0
    for interval in poll_intervals(poll_interval):
        try:
            raw, details = read_batch_upload_details(client, customer_id, batch_tracking_id)
        except PartnerCenterError as error:
            if on_poll is not None:
                on_poll(None, polls, clock() - started, 0, error)
            raise
        polls += 1
        waited = clock() - started
        if on_poll is not None:
            on_poll(details, polls, waited, 0, None)
        if is_complete(details['status']):
            return raw, details, polls, waited
        remaining = wait_timeout - waited
        if remaining <= 0:
            raise BatchWaitTimeout(
                'Batch %s of customer %s was still %s after waiting %d s (%d polls, wait_timeout %s s).'
                % (batch_tracking_id, customer_id, details['status'], round(waited), polls, wait_timeout),
                raw, details, polls, waited)
        # Never sleep past the deadline: the last poll happens at the timeout, not after it.
        sleep(min(interval, remaining))
    return None  # not reached: poll_intervals never ends
