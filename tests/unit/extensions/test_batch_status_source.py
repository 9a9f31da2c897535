# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the batch_status event source, with a list-backed queue and a client whose answers are scripted."""

import asyncio
import json

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response

import harness

BASE = 'https://pc.example.test'
TOKEN = 'event-source-token-DO-NOT-LEAK-5678'
CUSTOMER = '47021739-3426-40bf-9601-61b4b6d7c793'
BATCH_A = '0127ed8e-ff72-4983-a3d8-e8d8bd378932'
BATCH_B = '6b1d9e42-8a3c-4f57-9e20-c4d8a7b6f310'


source = harness.load_file_as_module('batch_status_under_test', harness.EVENT_SOURCE_PATH)


class ListQueue(asyncio.Queue):
    """The queue ansible-rulebook gives a source, keeping what is put in a list."""

    def __init__(self):
        super().__init__()
        self.events = []

    async def put(self, item):
        self.events.append(item)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def details(tracking_id, status, errors=0, clean=1):
    devices = [{'serialNumber': 'ERR-%d' % index, 'status': 'finished_with_errors', 'errorCode': '808',
                'errorDescription': 'ZtdDeviceAssignedToOtherTenant'} for index in range(errors)]
    devices += [{'serialNumber': 'OK-%d' % index, 'status': 'finished'} for index in range(clean)]
    return {'batchTrackingId': tracking_id, 'status': status, 'devicesStatus': devices}


def scripted_client(monkeypatch, script):
    """A client whose GET of a batch answers the next entry of script[tracking id]: a dict (200) or (status, body, headers)."""
    requests = []

    def send_once(method, url, headers, body):
        tracking_id = url.rsplit('/', 1)[-1]
        requests.append(tracking_id)
        answers = script[tracking_id]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, dict):
            return Response(200, None, {}, json.dumps(answer).encode())
        status, payload, extra = answer
        return Response(status, None, extra, json.dumps(payload).encode())

    client = PartnerCenterClient(BASE, StaticTokenAuth(TOKEN), retries=0, sleep=lambda seconds: None)
    client.secrets.add(TOKEN)
    monkeypatch.setattr(client, '_send_once', send_once)
    return client, requests


def pairs(*tracking_ids):
    return [(CUSTOMER, tracking_id) for tracking_id in tracking_ids]


def test_one_event_when_the_batch_completes_and_no_more_polls(monkeypatch):
    client, requests = scripted_client(monkeypatch, {BATCH_A: [details(BATCH_A, 'queued', clean=0),
                                                               details(BATCH_A, 'processing'),
                                                               details(BATCH_A, 'finishedWithErrors', errors=2, clean=3)]})
    clock = Clock()
    watcher = source.BatchWatcher(client, pairs(BATCH_A), delay=10, clock=clock)
    events = []
    for dummy in range(6):
        events += watcher.poll()
        clock.now += 10
    assert len(requests) == 3
    assert len(events) == 1
    event = events[0]['partner_center_batch']
    assert event['type'] == 'batch_complete'
    assert (event['status'], event['previous_status'], event['complete']) == ('finished_with_errors', 'processing', True)
    assert (event['devices_count'], event['devices_with_errors_count']) == (5, 2)
    assert event['device_status_counts'] == {'finished_with_errors': 2, 'finished': 3}
    assert [device['serial_number'] for device in event['devices_with_errors']] == ['ERR-0', 'ERR-1']
    assert event['devices_with_errors'][0]['remediation']
    assert not watcher.watched
    assert TOKEN not in json.dumps(events)


def test_status_changes_are_sent_once_each_when_asked(monkeypatch):
    client, dummy = scripted_client(monkeypatch, {BATCH_A: [details(BATCH_A, 'queued'), details(BATCH_A, 'queued'),
                                                            details(BATCH_A, 'processing'), details(BATCH_A, 'finished')]})
    clock = Clock()
    watcher = source.BatchWatcher(client, pairs(BATCH_A), delay=1, status_changes=True, clock=clock)
    events = []
    for dummy in range(6):
        events += watcher.poll()
        clock.now += 1
    assert [(e['partner_center_batch']['type'], e['partner_center_batch']['status']) for e in events] == [
        ('batch_status_changed', 'queued'), ('batch_status_changed', 'processing'), ('batch_complete', 'finished')]


def test_the_same_batch_given_twice_is_watched_once(monkeypatch):
    client, requests = scripted_client(monkeypatch, {BATCH_A: [details(BATCH_A, 'finished')]})
    watcher = source.BatchWatcher(client, pairs(BATCH_A, BATCH_A.upper()), delay=1, clock=Clock())
    assert len(watcher.poll()) == 1
    assert requests == [BATCH_A]


def test_throttling_delays_the_batch_and_a_refusal_ends_it_with_one_event(monkeypatch):
    refused = (404, {'code': 600, 'description': 'Batch not found'}, {'MS-RequestId': 'rid-404'})
    throttled = (429, {'statusCode': 429, 'message': 'Rate limit is exceeded.'}, {'Retry-After': '30'})
    client, requests = scripted_client(monkeypatch, {BATCH_A: [refused], BATCH_B: [throttled, details(BATCH_B, 'finished')]})
    clock = Clock()
    watcher = source.BatchWatcher(client, pairs(BATCH_A, BATCH_B), delay=10, clock=clock)
    events = watcher.poll()
    assert [e['partner_center_batch']['type'] for e in events] == ['batch_poll_failed']
    failed = events[0]['partner_center_batch']
    assert (failed['batch_tracking_id'], failed['http_status'], failed['request_id']) == (BATCH_A, 404, 'rid-404')
    assert 'Batch not found' in failed['msg']
    # B was throttled: not polled again before its Retry-After (30 s) is over, then completes; A is never polled again.
    clock.now += 5
    assert watcher.poll() == []
    clock.now += 10
    assert watcher.poll() == []
    clock.now += 15
    events = watcher.poll()
    assert [e['partner_center_batch']['type'] for e in events] == ['batch_complete']
    assert requests == [BATCH_A, BATCH_B, BATCH_B]


def test_batches_added_to_the_file_are_watched(monkeypatch, tmp_path):
    batches_file = tmp_path / 'batches.yml'
    client, requests = scripted_client(monkeypatch, {BATCH_A: [details(BATCH_A, 'finished')],
                                                     BATCH_B: [details(BATCH_B, 'finished')]})
    clock = Clock()
    watcher = source.BatchWatcher(client, [], batches_file=str(batches_file), delay=1, clock=clock)
    assert watcher.poll() == []
    batches_file.write_text('- customer_id: %s\n  batch_tracking_id: %s\n' % (CUSTOMER, BATCH_A))
    assert len(watcher.poll()) == 1
    batches_file.write_text(json.dumps([{'customer_id': CUSTOMER, 'batch_tracking_id': tracking_id}
                                        for tracking_id in (BATCH_A, BATCH_B)]) + '\n')
    clock.now += 1
    events = watcher.poll()
    assert [e['partner_center_batch']['batch_tracking_id'] for e in events] == [BATCH_B]
    assert requests == [BATCH_A, BATCH_B]


@pytest.mark.parametrize('args, message', [
    ({}, 'needs batches or batches_file'),
    ({'batches': [{'customer_id': 'nope', 'batch_tracking_id': BATCH_A}]}, 'must be a GUID'),
    ({'batches': 'x'}, 'list of dicts'),
    ({'batches': [{'customer_id': CUSTOMER, 'batch_tracking_id': BATCH_A}], 'delay': 0}, 'delay'),
    ({'batches': [{'customer_id': CUSTOMER, 'batch_tracking_id': BATCH_A}], 'base_url': 'http://pc.example.com',
      'access_token': TOKEN}, 'https://'),
    ({'batches': [{'customer_id': CUSTOMER, 'batch_tracking_id': BATCH_A}], 'refresh_token': TOKEN}, 'client_id'),
])
def test_arguments_are_checked_before_any_request(args, message):
    with pytest.raises(ValueError, match=message) as raised:
        source.watcher_from_args(args, environ={})
    assert TOKEN not in str(raised.value)


def test_main_sends_events_and_keeps_running(monkeypatch):
    client, requests = scripted_client(monkeypatch, {BATCH_A: [details(BATCH_A, 'processing'), details(BATCH_A, 'finished')]})
    watcher = source.BatchWatcher(client, pairs(BATCH_A), delay=0.01)
    monkeypatch.setattr(source, 'watcher_from_args', lambda args: watcher)
    queue = ListQueue()

    async def run():
        task = asyncio.create_task(source.main(queue, {}))
        for dummy in range(500):
            await asyncio.sleep(0.01)
            if queue.events:
                break
        await asyncio.sleep(0.1)
        assert not task.done(), 'a source that returns ends the whole rulebook'
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert [e['partner_center_batch']['type'] for e in queue.events] == ['batch_complete']
    assert requests == [BATCH_A, BATCH_A]


ONE_BATCH = [{'customer_id': CUSTOMER, 'batch_tracking_id': BATCH_A}]
CREDENTIALS = {'PARTNER_CENTER_TENANT_ID': 'contoso.onmicrosoft.com', 'PARTNER_CENTER_CLIENT_ID': 'app-id'}


@pytest.mark.parametrize('delay', [1e-9, 0.05, 0, -1, 3601, float('inf'), float('nan'), '1e-9', 'nan', 'soon', True, [1]],
                         ids=repr)
def test_delay_has_the_bounds_of_the_modules_poll_interval(delay):
    with pytest.raises(ValueError) as raised:
        source.watcher_from_args({'batches': ONE_BATCH, 'delay': delay, 'access_token': TOKEN}, environ={})
    assert str(raised.value).startswith('delay must be a')
    if not isinstance(delay, (bool, list)) and delay != 'soon':
        assert 'from 0.1 to 3600 seconds' in str(raised.value)


@pytest.mark.parametrize('delay, seconds', [(0.1, 0.1), ('0.5', 0.5), (3600, 3600.0), ('60', 60.0), (None, 60.0)])
def test_a_delay_within_the_bounds_is_taken(delay, seconds):
    watcher = source.watcher_from_args({'batches': ONE_BATCH, 'delay': delay, 'access_token': TOKEN}, environ={})
    assert watcher.delay == seconds


ENV_SECRET = 'env-given-secret-DO-NOT-LEAK-4242'


@pytest.mark.parametrize('variable', ['PARTNER_CENTER_CLIENT_SECRET', 'PARTNER_CENTER_REFRESH_TOKEN', 'PARTNER_CENTER_ACCESS_TOKEN'])
@pytest.mark.parametrize('bad_argument', [
    {'correlation_id': ENV_SECRET},
    {'cloud': ENV_SECRET},
    {'delay': ENV_SECRET},
    {'locale': ENV_SECRET + ' x'},
    {'status_changes': ENV_SECRET},
    {'batches_file': ['x', ENV_SECRET]},
    {'base_url': 'http://pc.example.com/' + ENV_SECRET},
    {'batches': [{'customer_id': ENV_SECRET, 'batch_tracking_id': BATCH_A}]},
], ids=['correlation_id', 'cloud', 'delay', 'locale', 'status_changes', 'batches_file', 'base_url', 'batches'])
def test_a_secret_from_the_environment_is_never_echoed_in_an_argument_error(variable, bad_argument):
    args = dict({'batches': ONE_BATCH}, **bad_argument)
    environ = dict(CREDENTIALS, **{variable: ENV_SECRET})
    with pytest.raises(ValueError) as raised:
        source.watcher_from_args(args, environ=environ)
    message = str(raised.value)
    assert ENV_SECRET not in message and '********' in message, message


def test_an_unusable_batches_file_is_a_warning_naming_it_and_the_watched_batches_stay(monkeypatch, tmp_path, caplog):
    batches_file = tmp_path / 'batches.yml'
    batches_file.write_text('- customer_id: %s\n  batch_tracking_id: %s\n' % (CUSTOMER, BATCH_A))
    client, dummy = scripted_client(monkeypatch, {BATCH_A: [details(BATCH_A, 'processing')]})
    clock = Clock()
    watcher = source.BatchWatcher(client, [], batches_file=str(batches_file), delay=1, clock=clock)
    watcher.poll()
    assert list(watcher.watched) == [(CUSTOMER, BATCH_A)]
    batches_file.write_bytes(b'\xff\xfe\x00binary')
    for dummy in range(3):
        clock.now += 1
        watcher.poll()
    warned = [record.getMessage() for record in caplog.records if str(batches_file) in record.getMessage()]
    assert len(warned) == 1 and 'not UTF-8' in warned[0] and 'offset 0' in warned[0]
    assert list(watcher.watched) == [(CUSTOMER, BATCH_A)]


def test_the_batches_file_is_read_by_the_first_poll_not_when_the_source_starts(tmp_path, monkeypatch):
    batches_file = tmp_path / 'batches.yml'
    batches_file.write_text('[')
    read = []
    original = source.read_batches_file
    monkeypatch.setattr(source, 'read_batches_file', lambda path: read.append(path) or original(path))
    watcher = source.watcher_from_args({'batches_file': str(batches_file), 'access_token': TOKEN}, environ={})
    assert read == [] and not watcher.watched


# -- fields Microsoft documents as strings: a string or null in every event -----------------------------

# What Partner Center may send in a field documented as a string, and what the event holds.
ODD_VALUES = {
    'string': ('2025-01-06T09:00:00', '2025-01-06T09:00:00'),
    'integer': (808, '808'),
    'float': (1.5, '1.5'),
    'null': (None, None),
    'list': (['2025-01-06T09:00:00'], None),
    'dict': ({'value': '2025-01-06T09:00:00'}, None),
    'true': (True, None),
    'false': (False, None),
}
BATCH_TEXT_FIELDS = {'started_time': 'startedTime', 'completed_time': 'completedTime'}
DEVICE_TEXT_FIELDS = {'device_id': 'deviceId', 'serial_number': 'serialNumber', 'product_key': 'productKey',
                      'error_code': 'errorCode', 'error_description': 'errorDescription'}


def _completed_with(batch_fields=None, device_fields=None):
    """The answer for a finished batch whose one device is in error, with these raw (camelCase) fields."""
    device = {'serialNumber': 'ERR-0', 'status': 'finished_with_errors', 'errorCode': '808',
              'errorDescription': 'ZtdDeviceAssignedToOtherTenant'}
    device.update(device_fields or {})
    answer = dict({'batchTrackingId': BATCH_A, 'status': 'finished', 'devicesStatus': [device]}, **(batch_fields or {}))
    return answer


TEXT_CASES = [(field, case) for field in sorted(BATCH_TEXT_FIELDS) + sorted(DEVICE_TEXT_FIELDS) for case in sorted(ODD_VALUES)]


@pytest.mark.parametrize('field, case', TEXT_CASES, ids=['%s-%s' % pair for pair in TEXT_CASES])
def test_a_field_documented_as_a_string_is_a_string_or_null_in_the_event(field, case, monkeypatch):
    raw, expected = ODD_VALUES[case]
    if field in BATCH_TEXT_FIELDS:
        answer = _completed_with(batch_fields={BATCH_TEXT_FIELDS[field]: raw})
    else:
        answer = _completed_with(device_fields={DEVICE_TEXT_FIELDS[field]: raw})
    client, dummy = scripted_client(monkeypatch, {BATCH_A: [answer]})
    [event] = source.BatchWatcher(client, pairs(BATCH_A), delay=1, clock=Clock()).poll()
    payload = event['partner_center_batch']
    value = payload[field] if field in BATCH_TEXT_FIELDS else payload['devices_with_errors'][0][field]
    assert value == expected and type(value) is type(expected), (raw, value)
    if isinstance(raw, (list, dict)):
        # The raw value is not carried anywhere in the event.
        assert json.dumps(raw) not in json.dumps(event)


# -- arguments the source does not know ------------------------------------------------------------------

UNKNOWN_ARGUMENTS = {
    'a-misspelt-one': ({'status_change': True}, ['status_change']),
    'two': ({'status_change': True, 'delays': 5}, ['delays', 'status_change']),
    'not-a-name': ({'batch file': 'x', 3: 'y'}, ["'batch file'", '3']),
}


def _warnings(caplog):
    return [record.getMessage() for record in caplog.records if record.levelname == 'WARNING']


@pytest.mark.parametrize('case', sorted(UNKNOWN_ARGUMENTS))
def test_unknown_arguments_are_one_warning_naming_them_and_the_known_ones(case, caplog):
    extra, named = UNKNOWN_ARGUMENTS[case]
    caplog.set_level('WARNING')
    args = {'batches': ONE_BATCH, 'access_token': TOKEN}
    args.update(extra)
    watcher = source.watcher_from_args(args, environ={})
    assert list(watcher.watched) == [(CUSTOMER, BATCH_A)]
    [warned] = _warnings(caplog)
    unknown, known = warned.split(' The arguments it knows are ')
    assert unknown.endswith(': %s.' % ', '.join(named)), warned
    assert known == '%s.' % ', '.join(sorted(source.OWN_ARGUMENTS + tuple(source.option_utils.SHARED_OPTIONS)))


def test_an_unknown_argument_is_named_before_a_refusal_of_the_others(caplog):
    """A misspelt ``batches`` leaves the source with nothing to watch: the warning says why."""
    caplog.set_level('WARNING')
    with pytest.raises(ValueError, match='needs batches or batches_file'):
        source.watcher_from_args({'batchs': ONE_BATCH, 'access_token': TOKEN}, environ={})
    [warned] = _warnings(caplog)
    assert ': batchs.' in warned


def test_the_value_of_an_unknown_argument_is_never_shown(caplog):
    caplog.set_level('DEBUG')
    source.watcher_from_args({'batches': ONE_BATCH, 'access_token': TOKEN, 'client_secrt': ENV_SECRET}, environ={})
    assert 'client_secrt' in caplog.text and ENV_SECRET not in caplog.text


KNOWN_ONLY = {
    'own-and-shared': {'delay': 5, 'status_changes': 'yes', 'timeout': 10, 'locale': 'en-US'},
    'ansible-rulebook-feedback': {'feedback': True, 'eda_feedback_queue': object()},
}


@pytest.mark.parametrize('case', sorted(KNOWN_ONLY))
def test_no_warning_when_every_argument_is_known(case, caplog):
    caplog.set_level('WARNING')
    source.watcher_from_args(dict({'batches': ONE_BATCH, 'access_token': TOKEN}, **KNOWN_ONLY[case]), environ={})
    assert _warnings(caplog) == []
