# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines shown for a wait's progress: their text, when a record is worth a line, the heartbeat, reading a growing file."""

import json

import pytest

from ansible_collections.partnercenter.devices.plugins.plugin_utils.progress_lines import (
    HEARTBEAT_ENV, HEARTBEAT_SECONDS, ProgressTail, change_key, heartbeat_seconds, progress_line, short_id)

BATCH = '2c847dea-0b1d-4c5e-8f70-a1b2c3d4e5f6'
OTHER = '9f00aa11-0b1d-4c5e-8f70-a1b2c3d4e5f6'


@pytest.mark.parametrize('batch_id, shown', [
    (None, '(unknown)'), ('', '(unknown)'), ('abc', 'abc'), ('123456789', '123456789'), (BATCH, '2c847dea\u2026'),
], ids=['none', 'empty', 'short', 'nine-characters', 'guid'])
def test_short_id(batch_id, shown):
    assert short_id(batch_id) == shown


@pytest.mark.parametrize('record, heartbeat, line', [
    (dict(batch=BATCH, status='processing', devices=6, done=3, errors=1, already_registered=1, polls=4, waited=41.4), False,
     'batch 2c847dea\u2026: processing \u2014 3 of 6 devices done, 1 with errors, 1 already registered (poll 4, 41 s)'),
    (dict(batch=BATCH, status='processing', devices=1, done=0, errors=0, polls=5, waited=50), True,
     'batch 2c847dea\u2026: still processing \u2014 0 of 1 device done (poll 5, 50 s)'),
    (dict(batch=BATCH, status='queued', devices=0, polls=1, waited=0), False,
     'batch 2c847dea\u2026: queued (poll 1, 0 s)'),
    (dict(batch=BATCH, polls=2, waited=3, throttled=1, error='Partner Center answered 503.'), False,
     'batch 2c847dea\u2026: no status read yet (poll 2, 3 s, 1 poll throttled): Partner Center answered 503.'),
    (dict(batch=None, status='queued', polls=3, waited=9, throttled=2), False,
     'batch (unknown): queued (poll 3, 9 s, 2 polls throttled)'),
    (dict(), False, 'batch (unknown): no status read yet (poll 0, 0 s)'),
], ids=['counts', 'heartbeat', 'no-devices', 'error-and-one-throttled', 'throttled', 'empty-record'])
def test_progress_line(record, heartbeat, line):
    assert progress_line(record, heartbeat=heartbeat) == line


def test_change_key_ignores_polls_waited_and_throttling():
    record = dict(batch=BATCH, status='processing', devices=2, done=1, errors=0, polls=1, waited=2, throttled=0)
    assert change_key(record) == change_key(dict(record, polls=9, waited=90, throttled=3))
    for key, value in dict(batch=OTHER, status='finished', devices=3, done=2, errors=1, already_registered=1, error='x').items():
        assert change_key(record) != change_key(dict(record, **{key: value})), key


@pytest.mark.parametrize('value, seconds', [
    (None, HEARTBEAT_SECONDS), ('', HEARTBEAT_SECONDS), ('soon', HEARTBEAT_SECONDS), ('0', HEARTBEAT_SECONDS),
    ('-5', HEARTBEAT_SECONDS), ('inf', HEARTBEAT_SECONDS), ('nan', HEARTBEAT_SECONDS), ('0.5', 0.5), ('30', 30.0),
], ids=['unset', 'empty', 'text', 'zero', 'negative', 'infinite', 'nan', 'fraction', 'whole'])
def test_heartbeat_seconds(value, seconds):
    assert heartbeat_seconds({} if value is None else {HEARTBEAT_ENV: value}) == seconds


def test_heartbeat_seconds_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv(HEARTBEAT_ENV, '7')
    assert heartbeat_seconds() == 7.0


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def make_record(status, polls, batch=BATCH, done=0):
    return dict(batch=batch, status=status, devices=1, done=done, errors=0, polls=polls, waited=polls * 2)


def append(path, *records, text=''):
    with open(path, 'a', encoding='utf-8') as handle:
        handle.write(''.join(json.dumps(item) + '\n' for item in records) + text)


def test_a_line_per_change_and_a_heartbeat_when_due(tmp_path):
    path = str(tmp_path / 'progress.jsonl')
    clock = Clock()
    tail = ProgressTail(path, heartbeat=60, clock=clock)
    assert tail.lines() == []  # no file yet
    append(path, make_record('queued', 1), make_record('queued', 2))
    assert tail.lines() == [progress_line(make_record('queued', 1))]
    clock.now += 59
    append(path, make_record('queued', 3))
    assert tail.lines() == []
    clock.now += 1
    append(path, make_record('queued', 4))
    assert tail.lines() == [progress_line(make_record('queued', 4), heartbeat=True)]
    append(path, make_record('finished', 5, done=1))
    assert tail.lines() == [progress_line(make_record('finished', 5, done=1))]
    assert tail.last_record[BATCH]['polls'] == 5


def test_each_batch_has_its_own_last_line(tmp_path):
    path = str(tmp_path / 'progress.jsonl')
    tail = ProgressTail(path, clock=Clock())
    append(path, make_record('queued', 1), make_record('queued', 1, batch=OTHER), make_record('queued', 2))
    assert tail.lines() == [progress_line(make_record('queued', 1)), progress_line(make_record('queued', 1, batch=OTHER))]


def test_a_line_half_written_waits_for_its_end_and_junk_is_skipped(tmp_path):
    path = str(tmp_path / 'progress.jsonl')
    tail = ProgressTail(path, clock=Clock())
    whole = json.dumps(make_record('processing', 1))
    append(path, text='not json\n[1, 2]\n' + whole[:10])
    assert tail.lines() == []
    append(path, text=whole[10:] + '\n')
    assert tail.lines() == [progress_line(make_record('processing', 1))]
