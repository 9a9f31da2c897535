# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A device batch's status (BatchUploadDetails): read it, shape it for playbooks, wait until it is complete."""

import time
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import remediation_hint
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.retry_policy import TRANSIENT_STATUSES
from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import normalize_enum, snake_case_keys

# Batch statuses, as Partner Center documents them (snake_case). The .NET SDK reads snake_case,
# camelCase and PascalCase, and only those: its EnumJsonConverter is case-sensitive, so another
# spelling (FINISHED_WITH_ERRORS) becomes Unknown there. We read those spellings and any letter
# case as well, and the shaped status is always the documented spelling. ``unknown`` "should never
# happen" (REST reference).
BATCH_STATUSES = ('unknown', 'queued', 'processing', 'finished', 'finished_with_errors')
# Batch statuses after which Partner Center does no more work on the batch.
COMPLETE_STATUSES = frozenset(('finished', 'finished_with_errors'))
# Device statuses: the resource page lists in-progress, finished and finished_with_errors; the SDKs
# reuse the batch enum. Shaped as in_progress, the snake_case form of in-progress.
DEVICE_STATUSES = BATCH_STATUSES + ('in_progress',)
DEVICE_ERROR_STATUS = 'finished_with_errors'
_STATUS_BY_LETTERS = dict((name.replace('_', ''), name) for name in DEVICE_STATUSES)

# Keys every shaped resource carries, even when Partner Center leaves them out or sends null,
# so that playbooks can test them without `default()` filters. A device's `remediation` is ours,
# not Partner Center's: what to do about its error (device_errors.py), null when it has none.
BATCH_KEYS = ('batch_tracking_id', 'status', 'started_time', 'completed_time', 'devices_status')
DEVICE_KEYS = ('device_id', 'serial_number', 'product_key', 'status', 'error_code', 'error_description', 'remediation')
# The keys Microsoft documents as strings (besides the statuses, which shaping checks): Partner Center's answer may
# still hold any JSON type there.
BATCH_TEXT_KEYS = ('started_time', 'completed_time')
DEVICE_TEXT_KEYS = ('device_id', 'serial_number', 'product_key', 'error_code', 'error_description')

# Each device has a status, in one of a few spellings: each is normalised once per run.
_NORMALIZED_STATUSES = {}


def normalize_status(value):
    """A status in its documented snake_case spelling, whatever spelling came; an unrecognised string as sent.

    ``finishedWithErrors``, ``FinishedWithErrors``, ``FINISHED_WITH_ERRORS`` -> ``finished_with_errors``;
    ``in-progress``, ``inProgress``, ``In_Progress`` -> ``in_progress``. None stays None.
    """
    if type(value) is not str:  # pylint: disable=unidiomatic-typecheck
        return normalize_enum(value, _STATUS_BY_LETTERS)
    normalized = _NORMALIZED_STATUSES.get(value)
    if normalized is None:
        normalized = normalize_enum(value, _STATUS_BY_LETTERS)
        if len(_NORMALIZED_STATUSES) < 256:  # bounded: statuses come from the server
            _NORMALIZED_STATUSES[value] = normalized
    return normalized


def is_documented_status(status):
    """True for a batch status Partner Center documents (any spelling), or no status at all."""
    return status is None or normalize_status(status) in BATCH_STATUSES


def batch_status_path(customer_id, batch_tracking_id):
    """The path of the batchJobStatus resource below base_url."""
    return '/v1/customers/%s/batchJobStatus/%s' % (
        urllib.parse.quote(customer_id, safe=''), urllib.parse.quote(batch_tracking_id, safe=''))


def device_has_error(device):
    """A device carries an error when it has an error code or the error status.

    An outcome a caller marked ``already_registered`` (806 for a device uploaded again) is not an error.
    """
    if device.get('already_registered'):
        return False
    return bool(device.get('error_code')) or normalize_status(device.get('status')) == DEVICE_ERROR_STATUS


def is_complete(status):
    """True once Partner Center has finished the batch, with or without device errors (any spelling)."""
    return normalize_status(status) in COMPLETE_STATUSES


def text_or_none(value):
    """A field documented as a string as text or None: a string as sent, a number (808) as its text, anything else
    (a list, an object, a boolean) None, so that the value never carries another JSON type on."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _type_name(value):
    return 'null' if value is None else type(value).__name__


def shape_batch_upload_details(resource, batch_tracking_id=None):
    """The BatchUploadDetails with snake_case keys, documented keys always present.

    Batch and device statuses are in their documented snake_case spelling (the raw resource keeps
    what was sent). Unknown fields are kept (in snake_case); every device object is kept, whatever
    its status string; entries that are not objects are left out (``non_object_devices`` counts them).
    ResponseError, naming what came back, when the body is not a BatchUploadDetails, when it is
    about another batch than ``batch_tracking_id`` (when given), or when a status is not a string.
    """
    if not isinstance(resource, dict) or not ('status' in resource or 'batchTrackingId' in resource):
        shown = ', '.join(sorted(str(key) for key in resource)) if isinstance(resource, dict) else type(resource).__name__
        raise ResponseError('Partner Center answered 200 but the body is not a BatchUploadDetails '
                            '(no status nor batchTrackingId; got %s)' % (shown or 'an empty object'))
    details = snake_case_keys(resource)
    for key in BATCH_KEYS:
        details.setdefault(key, None)
    sent_id = details['batch_tracking_id']
    if sent_id is not None and not isinstance(sent_id, str):
        raise ResponseError('Partner Center answered 200 but batchTrackingId is a %s, not a string' % _type_name(sent_id))
    if batch_tracking_id and sent_id and sent_id.lower() != batch_tracking_id.lower():
        raise ResponseError('Partner Center answered 200 with the status of batch %s, not of batch %s that was asked for; '
                            'the answer is not used' % (sent_id, batch_tracking_id))
    if details['status'] is not None and not isinstance(details['status'], str):
        raise ResponseError('Partner Center answered 200 but the batch status is a %s, not a string'
                            % _type_name(details['status']))
    details['status'] = normalize_status(details['status'])
    for key in BATCH_TEXT_KEYS:
        details[key] = text_or_none(details[key])
    devices = details['devices_status']
    if devices is None:
        devices = []
    if not isinstance(devices, list):
        raise ResponseError('Partner Center answered 200 but devicesStatus is a %s, not a list'
                            % type(devices).__name__)
    kept = []
    for index, device in enumerate(devices):
        if not isinstance(device, dict):
            continue
        for key in DEVICE_KEYS:
            device.setdefault(key, None)
        if device['status'] is not None and not isinstance(device['status'], str):
            raise ResponseError('Partner Center answered 200 but devicesStatus[%d].status is a %s, not a string'
                                % (index, _type_name(device['status'])))
        device['status'] = normalize_status(device['status'])
        for key in DEVICE_TEXT_KEYS:
            # Documented as strings: a number (808) is read as its text so that look-ups work, and another
            # JSON type (a list, an object) is not carried on (raw_batch_upload_details keeps what was sent).
            device[key] = text_or_none(device[key])
        device['remediation'] = (remediation_hint(device, details['batch_tracking_id'])
                                 if device_has_error(device) else None)
        kept.append(device)
    details['devices_status'] = kept
    return details


def non_object_devices(raw):
    """How many entries of the raw resource's devicesStatus are not objects (and so are not in the shaped list)."""
    devices = raw.get('devicesStatus') if isinstance(raw, dict) else None
    if not isinstance(devices, list):
        return 0
    return sum(1 for device in devices if not isinstance(device, dict))


def details_warnings(raw, details):
    """What a playbook should be told about one answer: device entries left out, a status we do not know."""
    warnings = []
    skipped = non_object_devices(raw)
    if skipped:
        verb = 'is' if skipped == 1 else 'are'
        warnings.append('Batch %s: %d entr%s of devicesStatus %s not an object and %s left out of devices_status '
                        '(return_raw: true returns them in raw_batch_upload_details).'
                        % (details['batch_tracking_id'], skipped, 'y' if skipped == 1 else 'ies', verb, verb))
    if not is_documented_status(details['status']):
        warnings.append(unexpected_status_message(details['batch_tracking_id'], details['status']))
    elif details['status'] == 'unknown':
        warnings.append(UNKNOWN_STATUS_WARNING % details['batch_tracking_id'])
    return warnings


UNKNOWN_STATUS_WARNING = ('Batch %s has the status unknown, which Partner Center documents as one that should never happen; '
                          'a wait goes on polling it.')


def unexpected_status_message(batch_tracking_id, status):
    """Why a batch whose status Partner Center does not document is not waited for."""
    return ('Batch %s has the status %r, which Partner Center does not document (documented: %s): it is not complete, '
            'and a wait stops at once on it rather than poll until wait_timeout.'
            % (batch_tracking_id, status, ', '.join(BATCH_STATUSES)))


def summarize(details):
    """What playbooks test most: completion, devices with errors, counts by device status."""
    counts = {}
    for device in details['devices_status']:
        status = device.get('status') or 'unknown'
        counts[status] = counts.get(status, 0) + 1
    return {
        'complete': is_complete(details['status']),
        'unexpected_status': not is_documented_status(details['status']),
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


def result_options(params):
    """The options of RESULT_ARGUMENT_SPEC from a module's params, as details_result and waited_result take them."""
    return dict(return_devices=params['return_devices'], return_raw=params['return_raw'])


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


def waited_result(raw, details, polls, waited_seconds, throttled_polls=0, return_devices='all', return_raw=False):
    """details_result (when details were read), with how many polls a wait took, how many were throttled, how long."""
    result = details_result(raw, details, return_devices, return_raw) if details is not None else {}
    result.update(polls=polls, waited_seconds=round(waited_seconds, 1), throttled_polls=throttled_polls)
    return result


def read_batch_upload_details(client, customer_id, batch_tracking_id):
    """GET the batch's status; return (the resource as sent, the shaped details)."""
    path = batch_status_path(customer_id, batch_tracking_id)
    return client.get_json(path, 'Partner Center GET %s' % path,
                           shape=lambda resource: (resource, shape_batch_upload_details(resource, batch_tracking_id)))


# Waiting: polls start at poll_interval and grow by this factor up to MAX_POLL_INTERVAL (or
# poll_interval, when that is larger), so a long batch costs few requests and a short one
# is noticed within one interval.
POLL_BACKOFF_FACTOR = 1.5
MAX_POLL_INTERVAL = 60.0


class BatchWaitError(PartnerCenterError):
    """A wait ended without a complete batch; carries the last details seen (or None) and the wait's counts."""

    def __init__(self, message, raw, details, polls, waited_seconds, throttled_polls=0, cause=None):
        super().__init__(message)
        self.raw = raw
        self.details = details
        self.polls = polls
        self.waited_seconds = waited_seconds
        self.throttled_polls = throttled_polls
        self.cause = cause
        if cause is not None:
            for name in ('http_status', 'error_code', 'error_description', 'request_id', 'correlation_id', 'error_data'):
                setattr(self, name, getattr(cause, name, None))

    def result(self, return_devices='all', return_raw=False):
        """The result keys of the wait: the last details (when any) and the counts."""
        return waited_result(self.raw, self.details, self.polls, self.waited_seconds, self.throttled_polls,
                             return_devices, return_raw)


class BatchWaitTimeout(BatchWaitError):
    """The batch was not complete when the wait timed out."""


class BatchStatusUnexpected(BatchWaitError):
    """The batch has a status Partner Center does not document (such as cancelled): the wait stops at once."""


class BatchPollFailed(BatchWaitError):
    """A poll failed in a way retrying cannot change (400, 401 after renewal, 403, 404, an unreadable body)."""


def is_transient(error):
    """True when a failed poll should only delay the next one: throttling, a server fault, a timeout, a dropped connection.

    What is transient is retry_policy.py's table, shared with the client and the event source.
    """
    if getattr(error, 'retryable', False):
        # A TransportError the client could have retried: timeout, connection refused or dropped, truncated body.
        return True
    return getattr(error, 'http_status', None) in TRANSIENT_STATUSES and not isinstance(error, ResponseError)


def retry_after_of(error):
    """The Retry-After (seconds) a failed poll carried, when the client kept it; else None."""
    value = getattr(error, 'retry_after', None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def poll_intervals(poll_interval):
    """The successive pauses between polls: poll_interval, growing to the cap."""
    interval = float(poll_interval)
    cap = max(interval, MAX_POLL_INTERVAL)
    while True:
        yield interval
        interval = min(cap, interval * POLL_BACKOFF_FACTOR)


def timeout_message(customer_id, batch_tracking_id, details, polls, throttled_polls, waited, wait_timeout, error=None):
    """Why a wait timed out: the last status seen (or the last error), the polls and how many were throttled."""
    state = ('still %s' % details['status']) if details is not None else 'not read once'
    throttled = ', %d more throttled or failed' % throttled_polls if throttled_polls else ''
    message = ('Batch %s of customer %s was %s after waiting %d s (%d polls%s, wait_timeout %s s).'
               % (batch_tracking_id, customer_id, state, round(waited), polls, throttled, wait_timeout))
    if error is not None:
        message += ' The last poll failed: %s' % error.message
    return message


class PollTracker:
    """The state of one batch's wait, shared by wait_for_batch and the bulk read: what a poll outcome means next."""

    def __init__(self, customer_id, batch_tracking_id, wait_timeout, poll_interval, started, warn=None, on_poll=None):
        self.customer_id = customer_id
        self.batch_tracking_id = batch_tracking_id
        self.wait_timeout = wait_timeout
        self.deadline = started + wait_timeout
        self.started = started
        self.intervals = poll_intervals(poll_interval)
        self.warn = warn
        self.on_poll = on_poll
        self.raw = None
        self.details = None
        self.polls = 0
        self.throttled_polls = 0
        self.waited = 0.0
        self._warned_unknown = False

    def record(self, now, raw=None, details=None, error=None):
        """Take one poll's outcome; return the pause before the next poll, or raise a BatchWaitError, or return None when complete.

        ``polls`` counts the polls that read the status, ``throttled_polls`` those that failed and only delayed the next.
        """
        self.waited = now - self.started
        if error is None:
            self.polls += 1
            self.raw, self.details = raw, details
        elif is_transient(error):
            self.throttled_polls += 1
        if self.on_poll is not None:
            self.on_poll(details if error is None else None, self.polls, self.waited, self.throttled_polls, error)
        if error is not None and not is_transient(error):
            raise BatchPollFailed(
                'Waiting for batch %s of customer %s stopped after %d polls: %s'
                % (self.batch_tracking_id, self.customer_id, self.polls, error.message),
                self.raw, self.details, self.polls, self.waited, self.throttled_polls, cause=error)
        if error is None:
            status = details['status']
            if is_complete(status):
                return None
            if not is_documented_status(status):
                raise BatchStatusUnexpected(
                    '%s Batch %s of customer %s, after %d polls.' % (
                        unexpected_status_message(self.batch_tracking_id, status), self.batch_tracking_id,
                        self.customer_id, self.polls),
                    raw, details, self.polls, self.waited, self.throttled_polls)
            if status == 'unknown' and not self._warned_unknown and self.warn is not None:
                self._warned_unknown = True
                self.warn(UNKNOWN_STATUS_WARNING % self.batch_tracking_id)
        remaining = self.deadline - now
        if remaining <= 0:
            raise BatchWaitTimeout(
                timeout_message(self.customer_id, self.batch_tracking_id, self.details, self.polls, self.throttled_polls,
                                self.waited, self.wait_timeout, error),
                self.raw, self.details, self.polls, self.waited, self.throttled_polls, cause=error)
        pause = next(self.intervals)
        if error is not None:
            retry_after = retry_after_of(error)
            if retry_after is not None:
                pause = max(pause, retry_after)
        # Never sleep past the deadline: the last poll happens at the timeout, not after it.
        return min(pause, remaining)


def wait_for_batch(client, customer_id, batch_tracking_id, wait_timeout, poll_interval,
                   clock=time.monotonic, sleep=time.sleep, warn=None, on_poll=None):
    """Poll until the batch is complete; return (raw, details, polls, waited_seconds, throttled_polls).

    One client, so one token for the whole wait. A poll that fails with throttling, a server fault,
    a timeout or a dropped connection (after the client's own retries) only delays the next poll,
    by at least its Retry-After; the wait ends with a BatchWaitError subclass when ``wait_timeout``
    passes (BatchWaitTimeout), when a poll is refused in a way retrying cannot change
    (BatchPollFailed), or at once when the batch has a status Partner Center does not document
    (BatchStatusUnexpected). ``unknown`` is polled through, with one warning through ``warn``.

    ``on_poll(details_or_None, polls, waited_seconds, throttled_polls, error_or_None)`` is called after
    every poll (details are the shaped details; None when the poll failed).
    """
    tracker = PollTracker(customer_id, batch_tracking_id, wait_timeout, poll_interval, clock(), warn=warn, on_poll=on_poll)
    while True:
        try:
            raw, details = read_batch_upload_details(client, customer_id, batch_tracking_id)
        except PartnerCenterError as error:
            pause = tracker.record(clock(), error=error)
        else:
            pause = tracker.record(clock(), raw, details)
            if pause is None:
                return raw, details, tracker.polls, tracker.waited, tracker.throttled_polls
        sleep(pause)
