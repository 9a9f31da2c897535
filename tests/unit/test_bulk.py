# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of bulk.py: the bounded pool that reads many batches on one client.

The client is a fake that answers from a script per batch; waits run on a fake clock whose
``sleep`` only moves time on, so nothing sleeps for real. Where a test needs reads to overlap it
holds them on events, with a timeout so that a scheduling bug fails the test instead of hanging it.
"""

import os
import subprocess
import sys
import threading

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils import bulk
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import BatchWaitTimeout
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    ApiError,
    TokenRequestError,
    TransportError,
    redact,
)

HOLD_SECONDS = 10
CUSTOMER_A = '47021739-3426-40bf-9601-61b4b6d7c793'
CUSTOMER_B = '3f8e2a91-6c47-4d0b-b5e2-7a9c1d3e5f60'
CUSTOMER_T = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d'
SECRET = 'unit-access-token-DO-NOT-LEAK-5Gh2'


def batch_id(number):
    """A batch tracking id GUID, distinct per number."""
    return '00000000-0000-4000-8000-%012d' % number


def entry(customer_id, number):
    """One element of the batches option."""
    return {'customer_id': customer_id, 'batch_tracking_id': batch_id(number)}


def resource(tracking_id, status='finished', devices=None):
    """A BatchUploadDetails as Partner Center sends it."""
    return {'batchTrackingId': tracking_id, 'status': status, 'startedTime': None, 'completedTime': None,
            'devicesStatus': devices or [], 'attributes': {'objectType': 'BatchUploadDetails'}}


class FakeAuth:
    """Counts token requests; can refuse."""

    def __init__(self, error=None):
        self.error = error
        self.token_calls = 0

    def token(self, client):
        """The one token, or the refusal."""
        assert client is not None
        self.token_calls += 1
        if self.error is not None:
            raise self.error
        return SECRET


class FakeClient:
    """What read_batch_upload_details uses of the client: get_json, from a script of answers per batch.

    ``script[tracking id]`` is a list of answers, one per read, the last one repeated: a status string,
    a whole BatchUploadDetails (a dict), or an exception to raise. ``hooks[tracking id]`` runs in the worker before it answers.
    """

    def __init__(self, script=None, hooks=None, auth=None):
        self.script = dict((key, list(value)) for key, value in (script or {}).items())
        self.hooks = hooks or {}
        self.auth = auth or FakeAuth()
        self.lock = threading.Lock()
        self.reads = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.secrets = {SECRET}

    def get_json(self, path, what, shape=None, headers=None):
        """Answer the batch named at the end of ``path``."""
        assert what and headers is None
        tracking_id = path.rsplit('/', 1)[1]
        customer_id = path.split('/')[3]
        with self.lock:
            self.reads.append((customer_id, tracking_id))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            hook = self.hooks.get(tracking_id)
            if hook is not None:
                hook()
            with self.lock:
                answers = self.script.get(tracking_id, ['finished'])
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
            if isinstance(answer, Exception):
                raise answer
            return shape(answer if isinstance(answer, dict) else resource(tracking_id, answer))
        finally:
            with self.lock:
                self.in_flight -= 1

    def access_token(self):
        """The credentials' token, as PartnerCenterClient asks for it."""
        return self.auth.token(self)

    def redact(self, text):
        """Mask the token, as PartnerCenterClient does."""
        return redact(text, self.secrets)


class FakeTime:
    """A clock that only ``sleep`` moves on."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        """The current fake time."""
        return self.now

    def sleep(self, seconds):
        """Move time on instead of sleeping."""
        self.sleeps.append(seconds)
        self.now += seconds


def not_found(tracking_id):
    """The ApiError of a batch Partner Center does not know."""
    return ApiError('Partner Center refused GET .../%s: HTTP 404 Not Found, token %s' % (tracking_id, SECRET),
                    http_status=404, error_code=1000, error_description='Not found', request_id='req-1')


# -- checking the entries --------------------------------------------------------------------------


def test_invalid_entry_names_the_index_and_the_key():
    batches = [entry(CUSTOMER_A, 1), entry(CUSTOMER_B, 2), {'customer_id': CUSTOMER_B, 'batch_tracking_id': 'nope'}]
    assert bulk.invalid_entry(batches) == (
        "batches[2].batch_tracking_id must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got 'nope'.")
    assert bulk.invalid_entry([{'customer_id': 'x\n', 'batch_tracking_id': batch_id(1)}]).startswith('batches[0].customer_id ')
    assert bulk.invalid_entry(batches[:2]) is None
    assert bulk.invalid_entry([]) is None


# -- reading -------------------------------------------------------------------------------------------


def test_outcomes_keep_input_order_whatever_the_order_reads_end_in():
    first_may_end = threading.Event()
    client = FakeClient(hooks={batch_id(1): lambda: first_may_end.wait(HOLD_SECONDS)},
                        script={batch_id(3): ['processing']})
    # The last read lets the first one end, so the first entry's read ends last.
    client.hooks[batch_id(3)] = first_may_end.set
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1), entry(CUSTOMER_B, 2), entry(CUSTOMER_T, 3)], concurrency=3)
    assert first_may_end.is_set()
    assert [outcome.batch_tracking_id for outcome in outcomes] == [batch_id(1), batch_id(2), batch_id(3)]
    assert [outcome.index for outcome in outcomes] == [0, 1, 2]
    assert [outcome.details['status'] for outcome in outcomes] == ['finished', 'finished', 'processing']
    assert [outcome.raw['batchTrackingId'] for outcome in outcomes] == [batch_id(1), batch_id(2), batch_id(3)]


def test_one_token_request_before_any_read():
    client = FakeClient()
    bulk.read_batches(client, [entry(CUSTOMER_A, number) for number in range(20)], concurrency=8)
    assert client.auth.token_calls == 1
    assert len(client.reads) == 20


def test_a_refused_credential_fails_once_before_any_read():
    client = FakeClient(auth=FakeAuth(TokenRequestError('Microsoft Entra ID token request failed: HTTP 401')))
    with pytest.raises(TokenRequestError):
        bulk.read_batches(client, [entry(CUSTOMER_A, 1), entry(CUSTOMER_B, 2)])
    assert client.reads == []


def test_no_batches_no_request():
    client = FakeClient()
    assert bulk.read_batches(client, []) == []
    assert client.auth.token_calls == 0


def test_concurrency_bounds_the_reads_in_flight():
    barrier = threading.Barrier(3, timeout=HOLD_SECONDS)
    hooks = dict((batch_id(number), barrier.wait) for number in range(3))
    customers = [CUSTOMER_A, CUSTOMER_B, CUSTOMER_T]
    client = FakeClient(hooks=hooks)
    batches = [entry(customers[number % 3], number) for number in range(12)]
    bulk.read_batches(client, batches, concurrency=3)
    # The first three reads met at the barrier: three ran at once, never more.
    assert client.max_in_flight == 3
    assert len(client.reads) == 12


def test_a_failed_read_fails_its_entry_only():
    client = FakeClient(script={batch_id(2): [not_found(batch_id(2))]})
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1), entry(CUSTOMER_A, 2), entry(CUSTOMER_B, 3)])
    assert [outcome.error is None for outcome in outcomes] == [True, False, True]
    assert outcomes[1].details is None and outcomes[1].polls == 0
    assert outcomes[1].error.http_status == 404
    assert len(client.reads) == 3


def test_a_sleeping_customer_holds_only_its_share_of_the_workers():
    # Customer T's reads "sleep" (as throttled reads do, in their worker) until every read of customer A
    # is done. With two workers and two customers, T gets one of them: A's reads all go on meanwhile.
    # Were T given both workers, A's reads would wait for T's sleep (here: until the hold times out).
    a_done = threading.Event()
    a_reads = [entry(CUSTOMER_A, number) for number in range(10, 16)]
    client = FakeClient(hooks={batch_id(1): lambda: a_done.wait(HOLD_SECONDS), batch_id(2): lambda: a_done.wait(HOLD_SECONDS)})
    client.hooks[batch_id(15)] = a_done.set
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_T, 1), entry(CUSTOMER_T, 2)] + a_reads, concurrency=2)
    assert a_done.is_set()
    assert all(outcome.error is None for outcome in outcomes)
    order = [tracking_id for _customer, tracking_id in client.reads]
    # T's second batch waited for its first; A's six were read meanwhile.
    assert order.index(batch_id(2)) > order.index(batch_id(15))


def test_one_customer_alone_gets_every_worker():
    barrier = threading.Barrier(4, timeout=HOLD_SECONDS)
    client = FakeClient(hooks=dict((batch_id(number), barrier.wait) for number in range(4)))
    bulk.read_batches(client, [entry(CUSTOMER_A, number) for number in range(8)], concurrency=4)
    assert client.max_in_flight == 4


# -- waiting ---------------------------------------------------------------------------------------------


def test_wait_polls_each_batch_until_complete():
    fake = FakeTime()
    client = FakeClient(script={batch_id(1): ['queued', 'processing', 'finished'],
                                batch_id(2): ['finished_with_errors'],
                                batch_id(3): ['processing', 'finished']})
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1), entry(CUSTOMER_A, 2), entry(CUSTOMER_B, 3)],
                                 wait=True, wait_timeout=100, poll_interval=2, clock=fake.clock, sleep=fake.sleep)
    assert [outcome.polls for outcome in outcomes] == [3, 1, 2]
    assert [outcome.details['status'] for outcome in outcomes] == ['finished', 'finished_with_errors', 'finished']
    assert all(outcome.error is None for outcome in outcomes)
    # Batch 1 was polled at 0, 2 and 5 s (pauses grow by half, as with one batch); batch 3 at 0 and 2 s.
    assert outcomes[0].waited == pytest.approx(5.0)
    assert outcomes[2].waited == pytest.approx(2.0)
    assert outcomes[1].waited == pytest.approx(0.0)
    assert sum(fake.sleeps) == pytest.approx(5.0)
    assert client.auth.token_calls == 1


def test_wait_timeout_fails_the_unfinished_entry_with_its_last_details():
    fake = FakeTime()
    client = FakeClient(script={batch_id(1): ['processing'], batch_id(2): ['queued', 'finished']})
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1), entry(CUSTOMER_B, 2)],
                                 wait=True, wait_timeout=10, poll_interval=4, clock=fake.clock, sleep=fake.sleep)
    stuck, done = outcomes
    assert isinstance(stuck.error, BatchWaitTimeout)
    assert stuck.error.message == ('Batch %s of customer %s was still processing after waiting 10 s (3 polls, wait_timeout 10 s).'
                                   % (batch_id(1), CUSTOMER_A))
    assert stuck.details['status'] == 'processing'
    # Polls at 0, 4 and 10 s: the pause after 4 s would grow to 6 s, and the deadline is then.
    assert stuck.polls == 3
    assert stuck.waited == pytest.approx(10.0)
    assert fake.sleeps == [4.0, 6.0]
    assert done.error is None and done.polls == 2


def test_wait_stops_polling_a_batch_after_an_error():
    fake = FakeTime()
    client = FakeClient(script={batch_id(1): ['processing', not_found(batch_id(1)), 'finished']})
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1)], wait=True, wait_timeout=100, poll_interval=1,
                                 clock=fake.clock, sleep=fake.sleep)
    assert outcomes[0].error.http_status == 404
    assert outcomes[0].polls == 1
    assert len(client.reads) == 2


def test_without_wait_an_incomplete_batch_is_read_once():
    client = FakeClient(script={batch_id(1): ['processing', 'finished']})
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1)])
    assert outcomes[0].details['status'] == 'processing' and outcomes[0].polls == 1
    assert len(client.reads) == 1


# -- the results -------------------------------------------------------------------------------------------


def read(script, batches, **kwargs):
    """The outcomes of a read, and the client that made it."""
    client = FakeClient(script=script)
    return bulk.read_batches(client, batches, **kwargs), client


def test_outcome_result_of_a_read_batch_has_the_keys_of_a_single_read():
    outcomes, client = read({}, [entry(CUSTOMER_A, 1)])
    result = bulk.outcome_result(outcomes[0], client, return_raw=True)
    assert result['customer_id'] == CUSTOMER_A and result['batch_tracking_id'] == batch_id(1)
    assert result['failed'] is False
    assert result['complete'] is True
    assert result['batch_upload_details']['batch_tracking_id'] == batch_id(1)
    assert result['raw_batch_upload_details']['batchTrackingId'] == batch_id(1)
    assert result['devices_with_errors'] == [] and result['device_status_counts'] == {}
    assert 'msg' not in result and 'polls' not in result


def test_outcome_result_of_a_failed_batch_carries_its_error_redacted():
    outcomes, client = read({batch_id(1): [not_found(batch_id(1))]}, [entry(CUSTOMER_A, 1)])
    result = bulk.outcome_result(outcomes[0], client, wait=True)
    assert result['failed'] is True
    assert result['http_status'] == 404 and result['error_code'] == '1000'
    assert result['error_description'] == 'Not found' and result['request_id'] == 'req-1'
    assert SECRET not in result['msg'] and '********' in result['msg']
    assert 'batch_upload_details' not in result
    assert result['polls'] == 0


def test_outcome_result_of_a_timed_out_batch_has_both_details_and_error():
    fake = FakeTime()
    client = FakeClient(script={batch_id(1): ['processing']})
    outcomes = bulk.read_batches(client, [entry(CUSTOMER_A, 1)], wait=True, wait_timeout=0, poll_interval=1,
                                 clock=fake.clock, sleep=fake.sleep)
    result = bulk.outcome_result(outcomes[0], client, wait=True)
    assert result['failed'] is True and result['complete'] is False
    assert result['batch_upload_details']['status'] == 'processing'
    assert result['msg'].startswith('Batch %s of customer %s was still processing' % (batch_id(1), CUSTOMER_A))
    assert result['polls'] == 1


def test_batch_counts():
    device_error = {'serialNumber': 'S1', 'status': 'finished_with_errors', 'errorCode': '808'}
    with_errors = resource(batch_id(4), 'finished_with_errors', devices=[device_error])
    outcomes, client = read({batch_id(2): ['processing'], batch_id(3): [not_found(batch_id(3))], batch_id(4): [with_errors]},
                            [entry(CUSTOMER_A, 1), entry(CUSTOMER_A, 2), entry(CUSTOMER_A, 3), entry(CUSTOMER_B, 4)])
    results = [bulk.outcome_result(outcome, client) for outcome in outcomes]
    assert bulk.batch_counts(results) == dict(total=4, complete=2, incomplete=1, failed=1, with_device_errors=1)
    assert bulk.batch_counts([]) == dict(total=0, complete=0, incomplete=0, failed=0, with_device_errors=0)


def test_failure_message_names_the_first_failures_and_counts_the_rest():
    script = dict((batch_id(number), [not_found(batch_id(number))]) for number in range(1, 8))
    outcomes, client = read(script, [entry(CUSTOMER_A, 0)] + [entry(CUSTOMER_B, number) for number in range(1, 8)])
    message = bulk.failure_message(outcomes, client)
    assert message.startswith('7 of 8 batches failed: batches[1] (customer %s, batch %s): Partner Center refused'
                              % (CUSTOMER_B, batch_id(1)))
    assert 'batches[5]' in message and 'batches[6]' not in message
    assert message.endswith('and 2 more (see results)')
    assert SECRET not in message


# -- start-up cost -------------------------------------------------------------------------------------------


def test_a_single_check_loads_no_thread_pool(collections_path):
    # A fresh interpreter: this one has loaded concurrent.futures for the tests above.
    code = ('import sys\n'
            'import ansible_collections.partnercenter.devices.plugins.modules.batch_upload_status\n'
            'print(sorted(name for name in sys.modules if name.startswith("concurrent") or name.endswith(".bulk")))\n')
    completed = subprocess.run([sys.executable, '-c', code], env=dict(os.environ, PYTHONPATH=collections_path),
                               capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == '[]'


# -- waiting through throttling and undocumented statuses ------------------------------------------------


def throttled(seconds=None):
    """The ApiError of a poll still throttled after the client's retries (Retry-After kept when the client has it)."""
    error = ApiError('Partner Center refused GET ...: HTTP 429 Too Many Requests', http_status=429)
    if seconds is not None:
        error.retry_after = seconds
    return error


def test_wait_polls_through_throttling_and_server_faults_and_loses_no_batch():
    fake = FakeTime()
    script = dict((batch_id(number), [throttled(), ApiError('HTTP 503', http_status=503), TransportError('dropped'),
                                      'processing', throttled(7), 'finished'])
                  for number in range(1, 41))
    polls = []
    outcomes, unused_client = read(script, [entry(CUSTOMER_A if number % 2 else CUSTOMER_B, number) for number in range(1, 41)],
                                   wait=True, wait_timeout=600, poll_interval=1, clock=fake.clock, sleep=fake.sleep,
                                   on_poll=lambda *args: polls.append(args))
    assert all(outcome.error is None and outcome.details['status'] == 'finished' for outcome in outcomes)
    assert all(outcome.polls == 2 and outcome.throttled_polls == 4 for outcome in outcomes)
    assert len(polls) == 40 * 6
    details, count, unused_waited, throttled_count, error = polls[0]
    assert details is None and count == 0 and throttled_count == 1 and error.http_status == 429
    # Retry-After 7 s was honoured before the last poll of each batch.
    assert max(fake.sleeps) >= 7


def test_wait_stops_at_once_on_an_undocumented_status():
    fake = FakeTime()
    outcomes, unused_client = read({batch_id(1): ['queued', 'Cancelled']}, [entry(CUSTOMER_A, 1)], wait=True,
                                   wait_timeout=600, poll_interval=1, clock=fake.clock, sleep=fake.sleep)
    error = outcomes[0].error
    assert "has the status 'Cancelled', which Partner Center does not document" in error.message
    assert outcomes[0].details['status'] == 'Cancelled' and outcomes[0].polls == 2
    assert fake.now - 1000.0 < 5


def test_wait_warns_once_about_unknown():
    fake = FakeTime()
    warnings = []
    outcomes, unused_client = read({batch_id(1): ['unknown', 'Unknown', 'UNKNOWN', 'finishedWithErrors']}, [entry(CUSTOMER_A, 1)],
                                   wait=True, wait_timeout=600, poll_interval=1, clock=fake.clock, sleep=fake.sleep,
                                   warn=warnings.append)
    assert outcomes[0].error is None and outcomes[0].details['status'] == 'finished_with_errors'
    assert len(warnings) == 1 and 'status unknown' in warnings[0]


def test_a_refusal_retrying_cannot_change_ends_the_wait():
    fake = FakeTime()
    outcomes, unused_client = read({batch_id(1): ['processing', ApiError('forbidden', http_status=403)]}, [entry(CUSTOMER_A, 1)],
                                   wait=True, wait_timeout=600, poll_interval=1, clock=fake.clock, sleep=fake.sleep)
    assert outcomes[0].error.http_status == 403 and outcomes[0].polls == 1
    assert outcomes[0].details['status'] == 'processing'
