# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines shown on the controller for a wait's progress, read from the records the module appends.

The module writes one JSON record per poll (module_utils/action_handshake.py, ``poll_recorder``);
``ProgressTail`` reads that file while the module runs and decides what to show: a line when the batch's
status or its device counts change, and a heartbeat when nothing has changed for HEARTBEAT_SECONDS.
"""

import json
import os
import time

# How long a wait may go without a line before a heartbeat shows that it is still going. Tests
# shorten it through HEARTBEAT_ENV.
HEARTBEAT_SECONDS = 180.0
HEARTBEAT_ENV = 'PARTNER_CENTER_PROGRESS_HEARTBEAT'


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
