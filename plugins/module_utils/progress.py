# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress of a wait, for people watching the play: one JSON line per poll, and the line shown for it.

The module side (``poll_recorder``) appends one JSON object per poll to the file named by the
environment variable PROGRESS_FILE_ENV, which the collection's action plugins set when the module
runs on the controller; without it, nothing is written. The action plugin side (``ProgressTail``)
reads that file while the module runs and decides what to show: a line when the batch's status or
its device counts change, and a heartbeat when nothing has changed for HEARTBEAT_SECONDS.
"""

import json
import os
import time

from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import is_already_registered

PROGRESS_FILE_ENV = 'PARTNER_CENTER_PROGRESS_FILE'
# How long a wait may go without a line before a heartbeat shows that it is still going. Tests
# shorten it through HEARTBEAT_ENV (read on the controller only).
HEARTBEAT_SECONDS = 180.0
HEARTBEAT_ENV = 'PARTNER_CENTER_PROGRESS_HEARTBEAT'

_DONE_DEVICE_STATUSES = frozenset(('finished', 'finishedwitherrors', 'completed', 'succeeded', 'failed', 'error'))


def _plain(status):
    """A status without case or separators: ``finished_with_errors``, ``finishedWithErrors`` -> ``finishedwitherrors``."""
    return ''.join(char for char in str(status or '').lower() if char.isalnum())


def _is_error(device, registered_apart):
    if registered_apart and is_already_registered(device.get('error_code'), device.get('error_description')):
        return False
    return bool(device.get('error_code')) or _plain(device.get('status')) == 'finishedwitherrors'


def poll_record(details, polls, waited_seconds, throttled_polls=0, error=None, batch_tracking_id=None, registered_apart=False):
    """What one poll says, as a small JSON-ready dict (never the devices themselves).

    With ``registered_apart`` (device_batch, whose result reads error 806 as "already registered", not as an error),
    806 outcomes are counted in ``already_registered`` and not in ``errors``.
    """
    record = dict(polls=polls, waited=round(float(waited_seconds or 0), 1), throttled=int(throttled_polls or 0))
    if details is None:
        details = getattr(error, 'details', None)
    if isinstance(details, dict):
        devices = [device for device in details.get('devices_status') or [] if isinstance(device, dict)]
        record.update(
            batch=details.get('batch_tracking_id') or batch_tracking_id,
            status=details.get('status'),
            devices=len(devices),
            done=sum(1 for device in devices if _plain(device.get('status')) in _DONE_DEVICE_STATUSES),
            errors=sum(1 for device in devices if _is_error(device, registered_apart)),
        )
        if registered_apart:
            record['already_registered'] = sum(
                1 for device in devices if is_already_registered(device.get('error_code'), device.get('error_description')))
    else:
        record['batch'] = batch_tracking_id
    if error is not None:
        record['error'] = str(getattr(error, 'message', None) or error)[:300]
    return record


def poll_recorder(batch_tracking_id=None, environ=None, registered_apart=False):
    """An ``on_poll(details, polls, waited_seconds, throttled_polls, error)`` callback, or None when no one reads progress.

    ``registered_apart``: as poll_record's.
    """
    path = (environ if environ is not None else os.environ).get(PROGRESS_FILE_ENV)
    if not path:
        return None

    def on_poll(details, polls, waited_seconds, throttled_polls=0, error=None):
        record = poll_record(details, polls, waited_seconds, throttled_polls, error, batch_tracking_id, registered_apart)
        try:
            with open(path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(record, sort_keys=True) + '\n')
        except OSError:
            pass  # progress is a courtesy: it never fails the wait

    return on_poll


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def short_id(batch_tracking_id):
    """The first block of a GUID, enough to tell batches apart in a line: ``2c847dea…``."""
    if not batch_tracking_id:
        return '(unknown)'
    text = str(batch_tracking_id)
    return text[:8] + '\u2026' if len(text) > 9 else text


def progress_line(record, heartbeat=False):
    """``batch 2c847dea…: processing — 3 of 6 devices done, 1 with errors, 1 already registered (poll 4, 41 s)``.

    The status is the batch's, as Partner Center gives it: a batch whose devices were all registered already may be
    ``finished_with_errors`` while its line counts no error.
    """
    parts = ['batch %s: ' % short_id(record.get('batch'))]
    if record.get('status') is not None:
        parts.append(('still %s' if heartbeat else '%s') % record['status'])
        if record.get('devices'):
            parts.append(' \u2014 %d of %s done' % (record['done'], _plural(record['devices'], 'device')))
            if record.get('errors'):
                parts.append(', %d with errors' % record['errors'])
            if record.get('already_registered'):
                parts.append(', %d already registered' % record['already_registered'])
    else:
        parts.append('no status read yet')
    extra = ['poll %d' % record.get('polls', 0), '%d s' % round(record.get('waited', 0))]
    if record.get('throttled'):
        extra.append('%s throttled' % _plural(record['throttled'], 'poll'))
    parts.append(' (%s)' % ', '.join(extra))
    if record.get('error'):
        parts.append(': %s' % record['error'])
    return ''.join(parts)


def change_key(record):
    """What must differ from the last line shown for a new line to be worth showing."""
    return (record.get('batch'), record.get('status'), record.get('devices'), record.get('done'),
            record.get('errors'), record.get('already_registered'), record.get('error'))


def heartbeat_seconds(environ=None):
    """HEARTBEAT_SECONDS, or the positive number of seconds in HEARTBEAT_ENV."""
    try:
        value = float((environ if environ is not None else os.environ).get(HEARTBEAT_ENV, ''))
    except ValueError:
        return HEARTBEAT_SECONDS
    return value if 0 < value < float('inf') else HEARTBEAT_SECONDS


class ProgressTail:
    """Reads the progress file as the module appends to it; ``lines()`` returns what to show now."""

    def __init__(self, path, heartbeat=HEARTBEAT_SECONDS, clock=time.monotonic):
        self.path = path
        self.heartbeat = heartbeat
        self.clock = clock
        self.offset = 0
        self.partial = ''
        self.last_key = {}
        self.last_record = {}
        self.last_shown = clock()

    def _new_records(self):
        try:
            with open(self.path, encoding='utf-8') as handle:
                handle.seek(self.offset)
                chunk = handle.read()
                self.offset = handle.tell()
        except OSError:
            return []
        text = self.partial + chunk
        complete, _sep, self.partial = text.rpartition('\n')
        records = []
        for line in complete.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def lines(self):
        """The lines to show for what the module wrote since the last call, or a heartbeat when it is due."""
        shown = []
        now = self.clock()
        for record in self._new_records():
            batch = record.get('batch')
            key = change_key(record)
            if self.last_key.get(batch) != key:
                shown.append(progress_line(record))
                self.last_shown = now
            elif now - self.last_shown >= self.heartbeat:
                shown.append(progress_line(record, heartbeat=True))
                self.last_shown = now
            self.last_key[batch] = key
            self.last_record[batch] = record
        return shown
