# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""batch_upload_status under the simulator's faults, in-process: retries, Retry-After, throttling, timeouts, token
renewal, redaction. One table, SCENARIOS, and one check of what came of each; each scenario is its own test case.

Every scenario starts from a fresh simulator, injects its faults, reads the documented example batch with app-only
credentials and the module's own defaults for ``retries`` and ``timeout`` unless the scenario sets them, and says
what must follow: ``recovered`` (the batch was read) or ``failed`` (with a clear message). The batch is a copy of the
documented example under an id of the scenario's own: the retry warnings name it, so their text is the scenario's own
(ansible-core shows a given warning text once per process, see tests/in_process.py).

``tests/tools/fault_report.py`` runs the same table through the same check and prints the figures in
``docs/docsite/rst/reliability.rst``.

Attempts are written as the client met them, in the order it sent them: an HTTP status (int) when a whole answer
came back, else ``'timeout'`` (no answer within ``timeout``), ``'dropped'`` (the connection closed without an
answer) or ``'truncated'`` (fewer body bytes than Content-Length).
"""

import copy
import email.utils
import json
import re
import time
import uuid

import pytest

import harness

MODULE = 'batch_upload_status'
DEFAULT_RETRIES = 5
DEFAULT_TIMEOUT = 30
# The client's backoff without Retry-After: retry n waits a uniform draw below BACKOFF_BASE * 2**(n-1) s, capped.
BACKOFF_BASE = 1.0
MAX_RETRY_WAIT = 60.0
# Attempt outcomes the client retries (every other one is final, or a 401 renewal).
RETRYABLE = frozenset((429, 500, 502, 503, 504, 'timeout', 'dropped', 'truncated'))
SECRET_OPTIONS = ('client_secret', 'refresh_token', 'access_token')

# The documented example batch; the clean batch (seed statuses queued, processing, finished) where a scenario needs
# several logical requests.
EXAMPLE_BATCH = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID}
CLEAN_BATCH = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}
AUTH_HINT = 'Admin agent or Sales agent'
WRONG_CLIENT_SECRET = 'wrong-client-secret-DO-NOT-LEAK-4Hs8'
# Where a scenario's batch id goes: uuid5 of its id in this namespace.
BATCH_ID_NAMESPACE = uuid.UUID('6f1c3b2e-58d4-4a0f-9e7c-2b5d8a1f4c37')

# One warning per retry, as PartnerCenterClient._pause words it.
RETRY_WARNING = re.compile(
    r'^(?P<method>GET|POST) (?P<target>\S+): (?P<reason>.+); retry (?P<number>\d+) of (?P<retries>\d+) '
    r'in (?P<wait>\d+(?:\.\d+)?) s(?P<retry_after> \(Retry-After\))?$')
GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


class HttpDateIn:
    """A Retry-After given as an HTTP date, ``seconds`` after the moment the fault is injected."""

    def __init__(self, seconds):
        self.seconds = seconds

    def value(self):
        """The HTTP date (IMF-fixdate, whole seconds, so never later than ``seconds`` from now)."""
        return email.utils.formatdate(time.time() + self.seconds, usegmt=True)

    def __repr__(self):
        return 'an HTTP date %d s ahead' % self.seconds


def retry_after(seconds):
    """A wait that must be exactly the Retry-After the server sent."""
    return ('retry-after', float(seconds))


def retry_after_at_most(seconds):
    """A wait taken from a Retry-After HTTP date: at most ``seconds``, and said to come from Retry-After."""
    return ('retry-after-at-most', float(seconds))


# A wait drawn by the client's own full-jitter backoff (no Retry-After): below the step of its retry number.
BACKOFF = ('backoff', None)


def fault(kind, match='api', count=1, after=0, **params):
    """One simulator fault: the keyword arguments of PartnerCenterSimulator.add_fault."""
    return dict(params, kind=kind, match=match, count=count, after=after)


def scenario(scenario_id, what, faults=(), options=None, batch=None, outcome='recovered', api=(200,), token=(200,),
             waits=(), request_ids=None, message=(), not_in_message=(), ids=None, **expected):
    """One row of the table, with defaults filled in.

    ``options``: module options beside the shared ones; ``batch``: the seeded batch the scenario's batch copies
    (the documented example unless given).
    ``api`` / ``token``: the attempts the API / the token endpoint must see, in order.
    ``waits``: one wait spec per retry warning, in the order given (token endpoint first).
    ``request_ids``: one letter per API attempt; equal letters mean an equal MS-RequestId, different
    letters different ones (default: one logical request, every attempt with the same id).
    For ``failed``: ``message`` substrings the task's msg must hold (``{path}`` stands for the path of the batch's
    status), ``not_in_message`` ones it must not, ``ids``: ``'result'`` when the result must carry the API request's
    MS-RequestId and MS-CorrelationId, ``'message'`` when the msg must also name them; ``http_status`` /
    ``error_code`` when given.
    """
    unknown = set(expected) - {'http_status', 'error_code'}
    if unknown:
        raise ValueError('%s: unknown keys %s' % (scenario_id, ', '.join(sorted(unknown))))
    if outcome not in ('recovered', 'failed'):
        raise ValueError('%s: outcome must be recovered or failed' % scenario_id)
    api = list(api)
    row = {
        'id': scenario_id,
        'what': what,
        'faults': [dict(item) for item in faults],
        'options': dict(options or {}),
        'batch': dict(batch or EXAMPLE_BATCH),
        'outcome': outcome,
        'api': api,
        'token': list(token),
        'waits': list(waits),
        'request_ids': request_ids or 'A' * len(api),
        'message': list(message),
        'not_in_message': list(not_in_message),
        'ids': ids,
    }
    row.update(expected)
    if len(row['request_ids']) != len(api):
        raise ValueError('%s: request_ids needs one letter per API attempt' % scenario_id)
    return row


SCENARIOS = [
    # -- throttling: Retry-After in both of its forms, and without it -----------------------------------
    scenario('api-429-retry-after-seconds', '429 with Retry-After: 1',
             faults=[fault('status', status=429, retry_after=1)],
             api=[429, 200], waits=[retry_after(1)]),
    scenario('api-429-retry-after-http-date', '429 with Retry-After as an HTTP date 3 s ahead',
             faults=[fault('status', status=429, retry_after=HttpDateIn(3))],
             api=[429, 200], waits=[retry_after_at_most(3)]),
    scenario('api-429-without-retry-after', '429 without Retry-After',
             faults=[fault('status', status=429)],
             api=[429, 200], waits=[BACKOFF]),
    # -- gateway and service faults -------------------------------------------------------------------------
    scenario('api-503-burst', '3 x 503, Retry-After: 1',
             faults=[fault('status', status=503, retry_after=1, count=3)],
             api=[503, 503, 503, 200], waits=[retry_after(1)] * 3),
    scenario('api-502-500-504', '502, then 500, then 504, no Retry-After',
             faults=[fault('status', status=502), fault('status', status=500, after=1), fault('status', status=504, after=2)],
             api=[502, 500, 504, 200], waits=[BACKOFF] * 3),
    scenario('api-html-502-gateway-page', '502 with an HTML gateway page',
             faults=[fault('invalid_json', status=502)],
             api=[502, 200], waits=[BACKOFF]),
    scenario('api-503-retries-spent', '5 x 503 (Retry-After: 1) with retries=2',
             faults=[fault('status', status=503, retry_after=1, count=5)], options={'retries': 2},
             outcome='failed', api=[503, 503, 503], waits=[retry_after(1)] * 2,
             message=['Partner Center refused GET {path}: HTTP 503 Service Unavailable', 'code 900503', 'after 3 attempts'],
             not_in_message=[AUTH_HINT], ids='message', http_status=503, error_code='900503'),
    scenario('api-503-retries-0', '503 with retries=0',
             faults=[fault('status', status=503, retry_after=1)], options={'retries': 0},
             outcome='failed', api=[503],
             message=['HTTP 503 Service Unavailable'], not_in_message=['attempts', AUTH_HINT], ids='message', http_status=503),
    # -- transport faults ----------------------------------------------------------------------------------------
    scenario('api-slow-past-timeout', 'answer delayed 2 s with timeout=1',
             faults=[fault('delay', seconds=2)], options={'timeout': 1},
             api=['timeout', 200], waits=[BACKOFF]),
    scenario('api-slow-within-timeout', 'answer delayed 0.5 s with the default timeout (30 s)',
             faults=[fault('delay', seconds=0.5)],
             api=[200]),
    scenario('api-connection-dropped', 'connection closed without an answer',
             faults=[fault('drop')],
             api=['dropped', 200], waits=[BACKOFF]),
    scenario('api-truncated-body', 'body cut short of its Content-Length',
             faults=[fault('truncated')],
             api=['truncated', 200], waits=[BACKOFF]),
    scenario('api-truncated-body-every-time', 'every body cut short, retries=1',
             faults=[fault('truncated', count=-1)], options={'retries': 1},
             outcome='failed', api=['truncated', 'truncated'], waits=[BACKOFF],
             message=['GET {path} failed', 'truncated body'], ids='result'),
    scenario('api-truncated-body-retries-0', 'body cut short, retries=0: the failure says what came back',
             faults=[fault('truncated')], options={'retries': 0},
             outcome='failed', api=['truncated'],
             message=['HTTP 200', 'application/json', '{"batchTrackingId"'], http_status=200),
    # -- answers that are not what the API documents --------------------------------------------------------------
    scenario('api-html-200-gateway-page', '200 with an HTML gateway page',
             faults=[fault('invalid_json')],
             outcome='failed', api=[200],
             message=['HTTP 200 with a body that is not JSON', 'content type text/html', "'<!DOCTYPE html>"],
             ids='result', http_status=200),
    scenario('api-200-without-expected-fields', '200 with JSON that is no BatchUploadDetails',
             faults=[fault('status', status=200, body={'items': [], 'totalCount': 0})],
             outcome='failed', api=[200],
             message=['answered 200', 'not a BatchUploadDetails', 'items, totalCount'], ids='result', http_status=200),
    # -- tokens ----------------------------------------------------------------------------------------------------------
    scenario('api-401-token-renewed', '401 (token expired) on the API call',
             faults=[fault('expire_token')],
             api=[401, 200], token=[200, 200]),
    scenario('api-401-twice', '401 on the API call, and again with a fresh token',
             faults=[fault('expire_token', count=2)],
             outcome='failed', api=[401, 401], token=[200, 200],
             message=['Partner Center refused GET {path}: HTTP 401 Unauthorized', 'code 400', 'after 2 attempts',
                      AUTH_HINT],
             ids='message', http_status=401),
    scenario('token-503-burst', '2 x 503 from the token endpoint, Retry-After: 1',
             faults=[fault('status', match='token', status=503, retry_after=1, count=2)],
             token=[503, 503, 200], waits=[retry_after(1)] * 2),
    scenario('token-connection-dropped', 'token endpoint closes the connection without an answer',
             faults=[fault('drop', match='token')],
             token=['dropped', 200], waits=[BACKOFF]),
    scenario('token-invalid-client', 'wrong client_secret (Entra ID invalid_client)',
             options={'client_secret': WRONG_CLIENT_SECRET},
             outcome='failed', api=[], token=[401],
             message=['Microsoft Entra ID token request (app-only) for tenant %s failed: HTTP 401, invalid_client'
                      % harness.TENANT_ID, 'AADSTS7000215', 'Hint: client_secret is wrong'],
             http_status=401, error_code='invalid_client'),
    # -- client errors: never retried ----------------------------------------------------------------------------------
    scenario('api-400', '400 Bad Request',
             faults=[fault('status', status=400, code=400056, description='Invalid input: the request is malformed.')],
             outcome='failed', api=[400],
             message=['HTTP 400 Bad Request, code 400056: Invalid input: the request is malformed.'],
             not_in_message=['attempts', AUTH_HINT], ids='message', http_status=400, error_code='400056'),
    scenario('api-403', '403 Forbidden',
             faults=[fault('status', status=403, code=20002,
                           description='Partner id has no commercial relationship with customer id.')],
             outcome='failed', api=[403],
             message=['HTTP 403 Forbidden, code 20002: Partner id has no commercial relationship with customer id.', AUTH_HINT],
             not_in_message=['attempts'], ids='message', http_status=403, error_code='20002'),
    scenario('api-404', '404 Not Found',
             faults=[fault('status', status=404, code=1000, description='Not found: the batch was not found.')],
             outcome='failed', api=[404],
             message=['HTTP 404 Not Found, code 1000: Not found: the batch was not found.'],
             not_in_message=['attempts', AUTH_HINT], ids='message', http_status=404, error_code='1000'),
    scenario('api-409', '409 Conflict',
             faults=[fault('status', status=409)],
             outcome='failed', api=[409],
             message=['HTTP 409 Conflict, code 900409: Simulated HTTP 409 from the Partner Center simulator.'],
             not_in_message=['attempts', AUTH_HINT], ids='message', http_status=409, error_code='900409'),
    # -- several logical requests: a new MS-RequestId for each, the same one across retries --------------------------
    scenario('api-503-while-waiting', 'waiting for a batch: 503 (Retry-After: 1) on the second poll',
             faults=[fault('status', status=503, retry_after=1, after=1)],
             batch=CLEAN_BATCH, options=dict(wait=True, poll_interval=0.1),
             api=[200, 503, 200, 200], request_ids='ABBC', waits=[retry_after(1)]),
]

SCENARIO_IDS = [row['id'] for row in SCENARIOS]


# -- running a scenario ---------------------------------------------------------------------------------------------


def batch_of(row):
    """The scenario's batch: the customer of the batch it copies, and a batch id of its own."""
    return {'customer_id': row['batch']['customer_id'],
            'batch_tracking_id': str(uuid.uuid5(BATCH_ID_NAMESPACE, row['id']))}


def api_path(row):
    return '/v1/customers/%(customer_id)s/batchJobStatus/%(batch_tracking_id)s' % batch_of(row)


def seed_change(row):
    """The seed change that gives the scenario its batch."""

    def change(seed):
        batches = seed['customers'][row['batch']['customer_id']]['batches']
        batches[batch_of(row)['batch_tracking_id']] = copy.deepcopy(batches[row['batch']['batch_tracking_id']])

    return change


def inject(simulator, row):
    """Add the scenario's faults to ``simulator`` (HTTP dates are computed now)."""
    for spec in row['faults']:
        params = dict(spec)
        if isinstance(params.get('retry_after'), HttpDateIn):
            params['retry_after'] = params['retry_after'].value()
        simulator.add_fault(**params)


def module_args(simulator, row):
    """The module's arguments: app-only credentials for ``simulator``, the scenario's batch and options.

    ``retries`` and ``timeout`` are the module's defaults unless the scenario sets them.
    """
    args = dict(base_url=simulator.url, authority_url=simulator.url, tenant_id=harness.TENANT_ID,
                client_id=harness.CLIENT_ID, client_secret=harness.CLIENT_SECRET)
    args.update(batch_of(row))
    args.update(row['options'])
    return args


def settled_stats(simulator, row, timeout=15.0):
    """The simulator's stats once every expected request is recorded.

    A delayed answer is recorded when the simulator finishes it, which for a client that gave up
    can be after the module has ended.
    """
    deadline = time.monotonic() + timeout
    while True:
        stats = simulator.stats
        if (len(stats['api_requests']) >= len(row['api']) and len(stats['token_requests']) >= len(row['token'])) \
                or time.monotonic() >= deadline:
            return stats
        time.sleep(0.1)


def run_scenario(simulator, row, call_module):
    """Inject the faults, run the module with ``call_module(name, args)``; return (its ModuleResult, settled stats)."""
    inject(simulator, row)
    result = call_module(MODULE, module_args(simulator, row))
    return result, settled_stats(simulator, row)


# -- reading what came of it ----------------------------------------------------------------------------------------


def faults_hit(stats):
    """How many requests the injected faults answered."""
    return sum(item['hits'] for item in stats['faults'])


def faults_injected(row, stats):
    """Faults the scenario injected: requests the simulator faulted, plus a wrong credential given."""
    return faults_hit(stats) + sum(1 for name in SECRET_OPTIONS if name in row['options'])


def _timeout(row):
    return float(row['options'].get('timeout', DEFAULT_TIMEOUT))


def _delay_seconds(row, match):
    for spec in row['faults']:
        if spec['kind'] == 'delay' and spec['match'] == match:
            return spec['seconds']
    return 0


def label(record, row, match):
    """What the client met on one recorded request: its HTTP status, or how the exchange broke."""
    kind = record.get('fault')
    if kind == 'drop':
        return 'dropped'
    if kind == 'truncated':
        return 'truncated'
    if kind == 'delay' and _delay_seconds(row, match) >= _timeout(row):
        return 'timeout'
    return record['status']


def api_attempts(row, stats):
    """(labels, records) of the API requests, in the order the client sent them.

    The simulator records a request when it answers; a delayed answer the client gave up on is
    answered last, so it is put back first (the table's delay faults hit the first attempts).
    """
    records = [(label(record, row, 'api'), record) for record in stats['api_requests']]
    records.sort(key=lambda item: item[0] != 'timeout')
    return [item[0] for item in records], [item[1] for item in records]


def token_attempts(row, stats):
    """The labels of the token requests, in order."""
    return [label(record, row, 'token') for record in stats['token_requests']]


def retry_warnings(warnings):
    """The client's retry warnings among a result's warnings (texts), in order, as dicts."""
    found = []
    for warning in warnings:
        match = RETRY_WARNING.match(warning.strip())
        if match is None:
            continue
        item = match.groupdict()
        item['number'] = int(item['number'])
        item['retries'] = int(item['retries'])
        item['wait'] = float(item['wait'])
        item['retry_after'] = bool(item['retry_after'])
        found.append(item)
    return found


def expected_retries(row):
    """(method, attempt label, retry number) of each retry the client must warn about, in order.

    Within one logical request, every attempt but the last whose outcome is retryable is retried;
    a 401 is answered by a token renewal, without a warning. Token requests come first.
    """
    expected = []
    number = 0
    for index, outcome in enumerate(row['token']):
        if outcome in RETRYABLE and index < len(row['token']) - 1:
            number += 1
            expected.append(('POST', outcome, number))
        else:
            number = 0
    groups = {}
    for letter, outcome in zip(row['request_ids'], row['api']):
        groups.setdefault(letter, []).append(outcome)
    for outcomes in groups.values():
        number = 0
        for outcome in outcomes[:-1]:
            if outcome in RETRYABLE:
                number += 1
                expected.append(('GET', outcome, number))
    return expected


def _reason_names(reason, outcome):
    if isinstance(outcome, int):
        return reason.startswith('HTTP %d ' % outcome)
    return {
        'timeout': 'did not answer within',
        'dropped': 'closed the connection without an answer',
        'truncated': 'truncated body',
    }[outcome] in reason


def _wait_problem(spec, warning):
    kind, seconds = spec
    wait = warning['wait']
    if kind == 'retry-after':
        if not warning['retry_after'] or wait != seconds:
            return 'expected a wait of %.1f s (Retry-After)' % seconds
    elif kind == 'retry-after-at-most':
        if not warning['retry_after'] or not 0 <= wait <= seconds:
            return 'expected a wait of at most %.1f s (Retry-After)' % seconds
    else:
        step = min(MAX_RETRY_WAIT, BACKOFF_BASE * 2 ** (warning['number'] - 1))
        if warning['retry_after'] or not 0 <= wait <= step:
            return 'expected a backoff draw below %.1f s, without Retry-After' % step
    return None


def secrets_to_hide(row, stats):
    """Every value that must never show: the seed's secrets, tokens issued in the run, secrets the scenario passed."""
    values = list(harness.SECRETS) + stats['issued_tokens'] + stats['issued_refresh_tokens']
    values += [row['options'][name] for name in SECRET_OPTIONS if name in row['options']]
    return values


def leaks(row, result, stats):
    """The secret values found in the module's output, result or warnings (shortened)."""
    text = result.output + json.dumps(dict(result)) + '\n'.join(result.warnings)
    return ['%s... (%d characters)' % (value[:4], len(value)) for value in secrets_to_hide(row, stats) if value and value in text]


def check(row, result, stats):
    """Everything that does not hold for this scenario's run, as readable lines (empty: as expected)."""
    problems = []
    api, records = api_attempts(row, stats)
    token = token_attempts(row, stats)
    if api != row['api']:
        problems.append('API attempts: expected %s, got %s' % (row['api'], api))
    if token != row['token']:
        problems.append('token requests: expected %s, got %s' % (row['token'], token))

    # One MS-RequestId per logical request, reused by each of its attempts; one MS-CorrelationId per task.
    request_ids = [record['request_id'] for record in records]
    if not all(request_id and GUID.match(request_id) for request_id in request_ids):
        problems.append('MS-RequestId not a GUID on every attempt: %s' % request_ids)
    elif len(request_ids) == len(row['request_ids']):
        letters = dict(zip(row['request_ids'], request_ids))
        if [letters[letter] for letter in row['request_ids']] != request_ids or len(set(letters.values())) != len(letters):
            problems.append('MS-RequestId pattern: expected %s, got %s' % (row['request_ids'], request_ids))
    correlation_ids = set(record['correlation_id'] for record in records)
    if len(correlation_ids) > 1:
        problems.append('more than one MS-CorrelationId in one task: %s' % sorted(correlation_ids))

    # One warning per retry, naming what went wrong and the wait.
    problems.extend(_warning_problems(row, retry_warnings(result.warnings)))

    # The outcome.
    if row['outcome'] == 'recovered':
        details = result.get('batch_upload_details') or {}
        if result.failed:
            problems.append('expected recovery, the module failed: %s' % result.get('msg'))
        elif details.get('batch_tracking_id') != batch_of(row)['batch_tracking_id'] or result.get('complete') is not True:
            problems.append('recovered, but not with the complete batch: %s' % details)
    else:
        problems.extend(_failure_problems(row, result, records))

    # Nothing leaked, nothing crashed.
    found = leaks(row, result, stats)
    if found:
        problems.append('secrets in the output, result or warnings: %s' % found)
    for marker in ('Traceback', 'MODULE FAILURE'):
        if marker in result.output:
            problems.append('%r in the output' % marker)
    return problems


def _warning_problems(row, warnings):
    problems = []
    expected = expected_retries(row)
    retries = int(row['options'].get('retries', DEFAULT_RETRIES))
    if len(warnings) != len(expected) or len(row['waits']) != len(expected):
        return ['retry warnings: expected %d (table waits: %d), got %d: %s'
                % (len(expected), len(row['waits']), len(warnings), [w['reason'] for w in warnings])]
    for (method, outcome, number), spec, warning in zip(expected, row['waits'], warnings):
        shown = '%s %s: %s; retry %d of %d in %.1f s%s' % (
            warning['method'], warning['target'], warning['reason'], warning['number'], warning['retries'],
            warning['wait'], ' (Retry-After)' if warning['retry_after'] else '')
        if warning['method'] != method or not _reason_names(warning['reason'], outcome):
            problems.append('retry warning %r does not name %s %s' % (shown, method, outcome))
        if (warning['number'], warning['retries']) != (number, retries):
            problems.append('retry warning %r: expected retry %d of %d' % (shown, number, retries))
        wait_problem = _wait_problem(spec, warning)
        if wait_problem:
            problems.append('retry warning %r: %s' % (shown, wait_problem))
    return problems


def _failure_problems(row, result, records):
    problems = []
    message = result.get('msg') or ''
    if not result.failed:
        return ['expected a failure, the module succeeded']
    for text in row['message']:
        text = text.replace('{path}', api_path(row))
        if text not in message:
            problems.append('message lacks %r: %s' % (text, message))
    for text in row['not_in_message']:
        if text in message:
            problems.append('message holds %r: %s' % (text, message))
    for key in ('http_status', 'error_code'):
        if key in row and str(result.get(key)) != str(row[key]):
            problems.append('%s: expected %r, got %r' % (key, row[key], result.get(key)))
    if row['ids'] and records:
        last = records[-1]
        for key in ('request_id', 'correlation_id'):
            if result.get(key) != last[key]:
                problems.append('%s in the result: expected %s, got %s' % (key, last[key], result.get(key)))
        if row['ids'] == 'message':
            ids = '[MS-RequestId %s, MS-CorrelationId %s]' % (last['request_id'], last['correlation_id'])
            if ids not in message:
                problems.append('message does not name %s: %s' % (ids, message))
    return problems


# -- the tests ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('row', [pytest.param(row, id=row['id']) for row in SCENARIOS])
def test_fault_scenario(row, make_simulator, run_module):
    simulator = make_simulator(seed_change(row))
    result, stats = run_scenario(simulator, row, run_module)
    problems = check(row, result, stats)
    assert not problems, '%s (%s):\n%s\n\nresult: %s' % (row['id'], row['what'], '\n'.join(problems), dict(result))


def test_table_covers_every_kind_of_fault():
    assert len(set(SCENARIO_IDS)) == len(SCENARIOS)
    kinds = set((spec['kind'], spec['match']) for row in SCENARIOS for spec in row['faults'])
    for kind in ('status', 'delay', 'drop', 'invalid_json', 'truncated', 'expire_token'):
        assert (kind, 'api') in kinds
    statuses = set(spec.get('status') for row in SCENARIOS for spec in row['faults'] if spec['kind'] == 'status')
    assert {429, 500, 502, 503, 504, 400, 403, 404, 409} <= statuses
    assert ('status', 'token') in kinds
    outcomes = [row['outcome'] for row in SCENARIOS]
    assert 'recovered' in outcomes and 'failed' in outcomes


def test_partner_center_description_is_reported_whole(make_simulator, run_module):
    row = scenario('description-whole', '401 twice', faults=[fault('expire_token', count=2)],
                   outcome='failed', api=[401, 401], token=[200, 200])
    result, stats = run_scenario(make_simulator(seed_change(row)), row, run_module)
    assert api_attempts(row, stats)[0] == [401, 401]
    assert result['error_description'] == 'Access denied: the bearer token has expired.'
    assert 'Access denied: the bearer token has expired.' in result['msg']


def test_200_without_expected_fields_returns_status_and_request_id(make_simulator, run_module):
    row = scenario('200-items-only', '200 with {"items": []}',
                   faults=[fault('status', status=200, body={'items': []})], outcome='failed', api=[200])
    result, stats = run_scenario(make_simulator(seed_change(row)), row, run_module)
    [record] = stats['api_requests']
    assert result.failed
    assert result.get('http_status') == 200
    assert result.get('request_id') == record['request_id']
