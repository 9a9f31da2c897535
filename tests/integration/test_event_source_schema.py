# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch_status event source against its JSON schemas, with jsonschema: every event the source sends against the
simulator (every event type, and the variants of each) is valid, an event short of a field is not; the arguments
of the documented examples and sample rulebooks are valid, and the schema and the source agree on good and bad
arguments.

jsonschema is in make test's virtualenv only (requirements-dev.txt), not in the matrix ones, which hold only
ansible-core and the test runner (tests/tools/run_matrix.py leaves this file out); the source itself never needs
it. tests/unit/extensions/test_batch_status_interface.py checks the schemas against the docs without it."""

import asyncio
import copy
import glob
import json
import os
import time

import jsonschema
import pytest
import yaml

import harness
from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-error

SOURCE = harness.load_file_as_module('batch_status_schema', harness.EVENT_SOURCE_PATH)
ARGS_SCHEMA_PATH = os.path.join(harness.REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'schemas', 'batch_status.json')
EVENT_SCHEMA_PATH = os.path.join(harness.REPO_ROOT, 'schemas', 'event', 'batch_status.json')
RULEBOOKS = sorted(glob.glob(os.path.join(harness.REPO_ROOT, 'docs', 'event-driven-ansible', 'rulebooks', 'batch-finished-*.yml')))


def _load_json(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


ARGS_SCHEMA = _load_json(ARGS_SCHEMA_PATH)
EVENT_SCHEMA = _load_json(EVENT_SCHEMA_PATH)
ARGS_VALIDATOR = jsonschema.Draft202012Validator(ARGS_SCHEMA)
EVENT_VALIDATOR = jsonschema.Draft202012Validator(EVENT_SCHEMA)
EVENT_TYPES = sorted(EVENT_SCHEMA['$defs'][ref['$ref'].rsplit('/', 1)[1]]['properties']['type']['const']
                     for ref in EVENT_SCHEMA['properties']['partner_center_batch']['oneOf'])


def problems(validator, instance):
    return ['%s: %s' % ('/'.join(str(part) for part in error.absolute_path), error.message)
            for error in validator.iter_errors(instance)]


@pytest.mark.parametrize('path', [ARGS_SCHEMA_PATH, EVENT_SCHEMA_PATH], ids=['arguments', 'events'])
def test_the_schema_is_a_valid_draft_2020_12_schema(path):
    jsonschema.Draft202012Validator.check_schema(_load_json(path))


# -- events from the running source ------------------------------------------------------------------

ODD_BATCH = 'f1e2d3c4-b5a6-4978-8a69-5b4c3d2e1f00'
ECHO_BATCH = 'e3c4a7d0-5ec2-4e7a-9c0d-6b1f2a3c4d5e'
UNKNOWN_BATCH = '00000000-0000-4000-8000-000000000001'
WRONG_SECRET = 'not-the-secret-DO-NOT-LEAK-0000'


def _with_odd_batches(seed):
    """A batch in an undocumented status first, with null fields left out, a numeric error code and a device
    without a status; and a batch whose device errors echo the bearer token (masked in the event)."""
    batches = seed['customers'][harness.EXAMPLE_CUSTOMER_ID]['batches']
    batches[ODD_BATCH] = {
        'statuses': ['Paused', 'processing', 'finishedWithErrors'], 'omit_null_fields': True, 'devices': [
            {'serialNumber': 'ODD-NUMERIC-CODE', 'status': 'finishedWithErrors', 'errorCode': 808,
             'errorDescription': 'ZtdDeviceAssignedToOtherTenant'},
            {'serialNumber': 'ODD-NO-STATUS', 'status': None},
            {'productKey': '00000-00000-00000-00000-00000', 'status': 'finished'}]}
    batches[ECHO_BATCH] = {
        'statuses': ['finished'], 'echo_bearer_token': True, 'devices': [
            {'serialNumber': 'ECHO-TOKEN', 'status': 'finished_with_errors', 'errorDescription': 'carried {bearer_token}'}]}


# A 200 answer whose fields documented as strings hold other JSON types (UNCONFIRMED: no source shows one; the
# least convenient form a client may meet).
ODD_TYPES_BATCH = 'a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d'
ODD_TYPES_ANSWER = harness.odd_types_answer(ODD_TYPES_BATCH)


def _odd_types(simulator):
    simulator.add_fault('status', match=ODD_TYPES_BATCH, status=200, body=ODD_TYPES_ANSWER)
    return _polled(simulator.url, {'batches': [_entry(ODD_TYPES_BATCH, harness.EXAMPLE_CUSTOMER_ID)]}, polls=1)


def _entry(batch_tracking_id, customer_id=harness.DEMO_CUSTOMER_ID):
    return {'customer_id': customer_id, 'batch_tracking_id': batch_tracking_id}


class Clock:  # pylint: disable=too-few-public-methods
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _polled(simulator_url, args, polls, environ=None, step=10.0):
    """The events of ``polls`` polls of the source's watcher (its own clock stepped ``step`` seconds each time)."""
    clock = Clock()
    watcher = SOURCE.watcher_from_args(dict(args, delay=step), environ=environ or harness.simulator_credentials(simulator_url),
                                       clock=clock)
    events = []
    for dummy in range(polls):
        events += watcher.poll()
        clock.now += step
    return events


def _through_main(simulator_url, args, until, seconds=20.0):
    """The events main() puts on a queue until ``until(events)``; the source is then cancelled."""
    events = []

    class ListQueue:  # pylint: disable=too-few-public-methods
        async def put(self, event):
            events.append(event)

    async def run():
        task = asyncio.create_task(SOURCE.main(ListQueue(), args))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until(events) and not task.done():
            await asyncio.sleep(0.05)
        assert not task.done(), 'the source ended'
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    with pytest.MonkeyPatch.context() as patch:
        for key, value in harness.simulator_credentials(simulator_url).items():
            patch.setenv(key, value)
        asyncio.run(run())
    return events


def _scenario_table(url, simulator=None):
    demo = [_entry(harness.DEMO_BATCH_WITH_ERRORS), _entry(harness.DEMO_BATCH_CLEAN), _entry(harness.DEMO_BATCH_STUCK)]
    wrong_secret = dict(harness.simulator_credentials(url), PARTNER_CENTER_CLIENT_SECRET=WRONG_SECRET)
    example = _entry(harness.EXAMPLE_BATCH_ID, harness.EXAMPLE_CUSTOMER_ID)
    return {
        'status-changes-to-complete': lambda: _polled(url, {'batches': demo, 'status_changes': True}, polls=6),
        'complete-only': lambda: _polled(url, {'batches': [example]}, polls=2),
        'odd-types': lambda: _odd_types(simulator),
        'odd-answers': lambda: _polled(url, {'batches': [_entry(ODD_BATCH, harness.EXAMPLE_CUSTOMER_ID)], 'status_changes': True},
                                       polls=4),
        'echoed-token-masked': lambda: _polled(url, {'batches': [_entry(ECHO_BATCH, harness.EXAMPLE_CUSTOMER_ID)]}, polls=1),
        'unknown-batch': lambda: _polled(url, {'batches': [_entry(UNKNOWN_BATCH)]}, polls=2),
        'refused-credentials': lambda: _polled(url, {'batches': [_entry(harness.DEMO_BATCH_STUCK)]}, polls=3, environ=wrong_secret),
        'through-main': lambda: _through_main(url, {'batches': [example], 'delay': 0.1, 'status_changes': True}, until=bool),
    }


SCENARIO_NAMES = sorted(_scenario_table('http://127.0.0.1:1'))


@pytest.fixture(scope='module')
def emitted():
    """What the source sent in each scenario, against a simulator each (the status progressions start afresh)."""
    results = {}
    for name in SCENARIO_NAMES:
        seed = copy.deepcopy(load_seed(harness.DEFAULT_SEED))
        _with_odd_batches(seed)
        with PartnerCenterSimulator(seed) as simulator:
            results[name] = _scenario_table(simulator.url, simulator)[name]()
    return results


def _payloads(events):
    return [event[SOURCE.EVENT_KEY] for event in events]


@pytest.mark.parametrize('scenario', SCENARIO_NAMES)
def test_every_event_of_the_source_is_valid(scenario, emitted):
    events = emitted[scenario]
    assert events, 'the scenario sent no event'
    for event in events:
        assert not problems(EVENT_VALIDATOR, event), (problems(EVENT_VALIDATOR, event), event)


def test_the_scenarios_send_every_event_type_of_the_schema(emitted):
    sent = sorted(set(payload['type'] for events in emitted.values() for payload in _payloads(events)))
    assert sent == EVENT_TYPES


def test_the_scenarios_send_each_variant_the_schema_allows(emitted):
    """What the scenarios show: both outcomes of poll failures, complete with and without device errors, null and
    undocumented statuses, a numeric error code passed on as text, a secret masked."""
    payloads = [payload for events in emitted.values() for payload in _payloads(events)]
    failed = [payload for payload in payloads if payload['type'] == 'batch_poll_failed']
    assert sorted(set(payload['will_retry'] for payload in failed)) == [False, True]
    assert sorted(set(payload['http_status'] for payload in failed)) == [401, 404]
    complete = [payload for payload in payloads if payload['type'] == 'batch_complete']
    assert sorted(set(payload['status'] for payload in complete)) == ['finished', 'finished_with_errors']
    assert any(payload['devices_with_errors_count'] == 0 for payload in complete)
    odd = _payloads(emitted['odd-answers'])
    assert [(payload['type'], payload['previous_status'], payload['status']) for payload in odd] == [
        ('batch_status_changed', None, 'Paused'), ('batch_status_changed', 'Paused', 'processing'),
        ('batch_complete', 'processing', 'finished_with_errors')]
    assert odd[-1]['started_time'] and sum(odd[-1]['device_status_counts'].values()) == odd[-1]['devices_count'] == 3
    assert odd[-1]['devices_with_errors'][0]['error_code'] == '808'
    assert odd[-1]['devices_with_errors'][0]['device_id'] is None
    [echoed] = _payloads(emitted['echoed-token-masked'])
    assert echoed['devices_with_errors'][0]['error_description'] == 'carried ********'
    [odd_types] = _payloads(emitted['odd-types'])
    assert (odd_types['started_time'], odd_types['completed_time']) == (None, '1736154000')
    assert [[device[field] for field in TEXT_DEVICE_FIELDS] for device in odd_types['devices_with_errors']] == [
        [None, '12345', None, None, None], ['7.5', None, None, '808', None]]


TEXT_DEVICE_FIELDS = ('device_id', 'serial_number', 'product_key', 'error_code', 'error_description')


def _first_of_each_type(emitted):
    first = {}
    for events in emitted.values():
        for event in events:
            first.setdefault(event[SOURCE.EVENT_KEY]['type'], event)
    return first


def _required(event_type):
    definitions = EVENT_SCHEMA['$defs']
    fields = set(definitions[event_type].get('required', ()))
    if definitions[event_type].get('$ref') == '#/$defs/details':
        fields.update(definitions['details']['required'])
    return sorted(fields)


MISSING = [(event_type, field) for event_type in EVENT_TYPES for field in _required(event_type)]


@pytest.mark.parametrize('event_type, field', MISSING, ids=['%s-%s' % case for case in MISSING])
def test_an_event_without_a_field_is_invalid(event_type, field, emitted):
    event = copy.deepcopy(_first_of_each_type(emitted)[event_type])
    assert not problems(EVENT_VALIDATOR, event)
    del event[SOURCE.EVENT_KEY][field]
    assert problems(EVENT_VALIDATOR, event)


INVALID_CHANGES = {
    'unknown-type': lambda payload: payload.update(type='batch_done'),
    'extra-field': lambda payload: payload.update(token='x'),
    'polls-as-text': lambda payload: payload.update(polls='1'),
    'customer-id-not-a-guid': lambda payload: payload.update(customer_id='contoso'),
    'complete-flag-contradicts-the-type': lambda payload: payload.update(complete=not payload['complete']),
}


@pytest.mark.parametrize('change', sorted(INVALID_CHANGES))
@pytest.mark.parametrize('event_type', EVENT_TYPES)
def test_an_event_changed_against_the_schema_is_invalid(event_type, change, emitted):
    event = copy.deepcopy(_first_of_each_type(emitted)[event_type])
    INVALID_CHANGES[change](event[SOURCE.EVENT_KEY])
    assert problems(EVENT_VALIDATOR, event)


# The fields documented as strings, where an event holds a string or null and nothing else.
TEXT_FIELDS = [('details', field) for field in ('started_time', 'completed_time')] + [('device', field) for field in TEXT_DEVICE_FIELDS]
NOT_TEXT = {'a-number': 808, 'a-list': ['808'], 'an-object': {'code': '808'}, 'a-boolean': True}
TEXT_CASES = [(where, field, case) for where, field in TEXT_FIELDS for case in sorted(NOT_TEXT)]


@pytest.mark.parametrize('where, field, case', TEXT_CASES, ids=['%s-%s' % (field, case) for dummy, field, case in TEXT_CASES])
def test_a_field_documented_as_a_string_is_invalid_with_another_type(where, field, case, emitted):
    event = copy.deepcopy(_first_of_each_type(emitted)['batch_complete'])
    payload = event[SOURCE.EVENT_KEY]
    target = payload if where == 'details' else payload['devices_with_errors'][0]
    for value in ('2025-01-06T09:00:00', None):
        target[field] = value
        assert not problems(EVENT_VALIDATOR, event), (value, problems(EVENT_VALIDATOR, event))
    target[field] = NOT_TEXT[case]
    assert problems(EVENT_VALIDATOR, event)


def test_a_device_without_its_remediation_is_invalid(emitted):
    event = copy.deepcopy(next(event for events in emitted.values() for event in events
                               if event[SOURCE.EVENT_KEY].get('devices_with_errors')))
    del event[SOURCE.EVENT_KEY]['devices_with_errors'][0]['remediation']
    assert problems(EVENT_VALIDATOR, event)


def test_the_meta_ansible_rulebook_adds_is_allowed(emitted):
    event = dict(_first_of_each_type(emitted)['batch_complete'],
                 meta={'source': {'name': 'Device batches', 'type': 'partnercenter.devices.batch_status'},
                       'received_at': '2026-01-01T00:00:00Z', 'uuid': '9d3b9c8e-0000-4000-8000-000000000000'})
    assert not problems(EVENT_VALIDATOR, event)


# -- arguments -----------------------------------------------------------------------------------------

def _source_arguments(document):
    """Every argument mapping of a partnercenter.devices.batch_status source in a parsed rulebook."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == 'partnercenter.devices.batch_status':
                found.append(value)
            else:
                found += _source_arguments(value)
    elif isinstance(document, list):
        for item in document:
            found += _source_arguments(item)
    return found


def _documented_arguments():
    documented = {}
    examples = yaml.safe_load(SOURCE.EXAMPLES)
    for index, arguments in enumerate(_source_arguments(examples)):
        documented['EXAMPLES-%d' % index] = arguments
    for path in RULEBOOKS:
        with open(path, encoding='utf-8') as handle:
            for index, arguments in enumerate(_source_arguments(yaml.safe_load(handle))):
                documented['%s-%d' % (os.path.basename(path), index)] = arguments
    return documented


DOCUMENTED_ARGUMENTS = _documented_arguments()


def test_the_documented_examples_give_the_source_arguments():
    assert len([name for name in DOCUMENTED_ARGUMENTS if name.startswith('EXAMPLES')]) == 2
    assert len(DOCUMENTED_ARGUMENTS) >= 4


@pytest.mark.parametrize('name', sorted(DOCUMENTED_ARGUMENTS))
def test_the_documented_arguments_are_valid_and_the_source_takes_them(name):
    arguments = DOCUMENTED_ARGUMENTS[name]
    assert not problems(ARGS_VALIDATOR, arguments), problems(ARGS_VALIDATOR, arguments)
    SOURCE.watcher_from_args(arguments, environ={'PARTNER_CENTER_ACCESS_TOKEN': 'schema-test-token'})


ONE = [{'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID}]
# Arguments the schema and the source both take (True) or both refuse (False).
AGREED = {
    'batches-only': ({'batches': ONE}, True),
    'batches-file-only': ({'batches_file': '/var/lib/partnercenter/batches.yml'}, True),
    'batches-null-with-a-file': ({'batches': None, 'batches_file': 'batches.json'}, True),
    'entry-with-another-key': ({'batches': [dict(ONE[0], note='first upload')]}, True),
    'delay-as-text': ({'batches': ONE, 'delay': '0.5'}, True),
    'delay-at-its-bounds': ({'batches': ONE, 'delay': 3600}, True),
    'validate-certs-as-text': ({'batches': ONE, 'validate_certs': 'Yes'}, True),
    'retries-as-text': ({'batches': ONE, 'retries': '3'}, True),
    'timeout-as-a-whole-number': ({'batches': ONE, 'timeout': 10}, True),
    'china': ({'batches': ONE, 'cloud': 'china'}, True),
    'empty-tenant-means-the-environments': ({'batches': ONE, 'tenant_id': ''}, True),
    'delay-null-is-the-default': ({'batches': ONE, 'delay': None}, True),
    'status-changes-null-is-the-default': ({'batches': ONE, 'status_changes': None}, True),
    'status-changes-as-text': ({'batches': ONE, 'status_changes': 'yes'}, True),
    'status-changes-as-templated-text': ({'batches': ONE, 'status_changes': 'False'}, True),
    'every-argument-null-but-batches': (dict(dict.fromkeys(ARGS_SCHEMA['properties']), batches=ONE), True),
    'an-unknown-argument-is-ignored': ({'batches': ONE, 'status_change': True}, True),
    'nothing-to-watch': ({}, False),
    'an-empty-list-and-no-file': ({'batches': []}, False),
    'blank-file': ({'batches_file': '   '}, False),
    'file-not-text': ({'batches_file': ['batches.yml']}, False),
    'customer-not-a-guid': ({'batches': [dict(ONE[0], customer_id='contoso')]}, False),
    'entry-without-a-tracking-id': ({'batches': [{'customer_id': harness.EXAMPLE_CUSTOMER_ID}]}, False),
    'batches-not-a-list': ({'batches': ONE[0]}, False),
    'delay-0': ({'batches': ONE, 'delay': 0}, False),
    'delay-over-an-hour': ({'batches': ONE, 'delay': 3601}, False),
    'delay-as-words': ({'batches': ONE, 'delay': 'soon'}, False),
    'status-changes-maybe': ({'batches': ONE, 'status_changes': 'maybe'}, False),
    'status-changes-a-number': ({'batches': ONE, 'status_changes': 1}, False),
    'cloud-unknown': ({'batches': ONE, 'cloud': 'mars'}, False),
    'retries-21': ({'batches': ONE, 'retries': 21}, False),
    'retries-not-whole': ({'batches': ONE, 'retries': 2.5}, False),
    'timeout-0': ({'batches': ONE, 'timeout': 0}, False),
    'validate-certs-maybe': ({'batches': ONE, 'validate_certs': 'maybe'}, False),
    'locale-not-a-tag': ({'batches': ONE, 'locale': 'english!'}, False),
    'correlation-id-not-a-guid': ({'batches': ONE, 'correlation_id': 'run-42'}, False),
    'secret-not-text': ({'batches': ONE, 'client_secret': 12345}, False),
}


@pytest.mark.parametrize('case', sorted(AGREED))
def test_the_schema_and_the_source_agree_on_arguments(case):
    arguments, valid = AGREED[case]
    assert (not problems(ARGS_VALIDATOR, arguments)) is valid, problems(ARGS_VALIDATOR, arguments)
    environ = {'PARTNER_CENTER_ACCESS_TOKEN': 'schema-test-token'}
    if valid:
        SOURCE.watcher_from_args(arguments, environ=environ)
    else:
        with pytest.raises(ValueError):
            SOURCE.watcher_from_args(arguments, environ=environ)
