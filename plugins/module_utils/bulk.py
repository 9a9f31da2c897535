# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading many device batches in one task: a bounded pool of workers on one client, so one token.

Only a task that lists ``batches`` imports this file (and with it ``concurrent.futures``): a single
status check loads none of it.

Every read goes through the client, so each one gets the client's retries, its backoff and its
honouring of ``Retry-After``. A throttled read sleeps in its own worker; the pool gives no customer
more than its share of the workers, so the reads of the other customers go on meanwhile.
"""

import collections
import concurrent.futures
import heapq
import time

from ansible_collections.partnercenter.devices.plugins.module_utils.batch import (
    BatchWaitError,
    PollTracker,
    details_result,
    read_batch_upload_details,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import guid_problem, is_guid

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 32
ENTRY_KEYS = ('customer_id', 'batch_tracking_id')
# How many failed entries the message of a fail_on_error failure names.
MAX_FAILURES_NAMED = 5


def invalid_entry(batches):
    """A message naming the first entry of ``batches`` whose ids are not GUIDs, or None."""
    for index, entry in enumerate(batches):
        for name in ENTRY_KEYS:
            value = entry.get(name)
            if not is_guid(value):
                return guid_problem('batches[%d].%s' % (index, name), value)
    return None


class BatchOutcome:  # pylint: disable=too-few-public-methods
    """What became of one entry: the last details read and how many polls it took, or the error that ended it."""

    def __init__(self, index, customer_id, batch_tracking_id):
        self.index = index
        self.customer_id = customer_id
        self.batch_tracking_id = batch_tracking_id
        self.raw = None
        self.details = None
        self.error = None
        self.polls = 0
        self.throttled_polls = 0
        self.waited = 0.0
        # With wait: what the polls so far mean for the next one (batch.PollTracker).
        self.tracker = None

    @property
    def customer_key(self):
        """The customer, as Partner Center throttles it (ids compare without regard to case)."""
        return self.customer_id.lower()


class _Reader:
    """Schedules the reads: due polls first come, first served, no customer over its share of the workers."""

    def __init__(self, client, outcomes, workers, wait, wait_timeout, poll_interval, clock, warn=None, on_poll=None):
        self.client = client
        self.outcomes = outcomes
        self.workers = workers
        self.wait = wait
        self.poll_interval = poll_interval
        self.clock = clock
        self.started = clock()
        self.wait_timeout = wait_timeout
        if wait:
            for outcome in outcomes:
                outcome.tracker = PollTracker(outcome.customer_id, outcome.batch_tracking_id, wait_timeout, poll_interval,
                                              self.started, warn=warn, on_poll=on_poll)
        self.on_poll = on_poll
        # Reads to start now, per customer, in input order; the customers in order of first appearance.
        self.ready = collections.OrderedDict()
        for outcome in outcomes:
            self.ready.setdefault(outcome.customer_key, collections.deque()).append(outcome.index)
        # With wait: (due time, index) of the next poll of each batch that is not complete yet.
        self.due = []
        self.in_flight = {}
        self.busy = collections.Counter()

    def run(self, pool, sleep):
        """Read until every entry has its outcome."""
        while self.ready or self.due or self.in_flight:
            self._release_due()
            self._dispatch(pool)
            timeout = max(0.0, self.due[0][0] - self.clock()) if self.due else None
            if not self.in_flight:
                if timeout:
                    sleep(timeout)
                continue
            done, _pending = concurrent.futures.wait(self.in_flight, timeout=timeout,
                                                     return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                self._record(self.in_flight.pop(future), future)

    def _release_due(self):
        now = self.clock()
        while self.due and self.due[0][0] <= now:
            index = heapq.heappop(self.due)[1]
            self.ready.setdefault(self.outcomes[index].customer_key, collections.deque()).append(index)

    def _dispatch(self, pool):
        # A customer's share: the workers divided among the customers that have reads to do. Throttling is
        # per partner and customer, so a throttled customer then holds at most its share while it sleeps.
        active = set(self.ready) | set(key for key, count in self.busy.items() if count)
        share = -(-self.workers // max(1, len(active)))
        while len(self.in_flight) < self.workers:
            started = False
            for key in list(self.ready):
                if len(self.in_flight) >= self.workers:
                    break
                if self.busy[key] >= share:
                    continue
                queue = self.ready[key]
                outcome = self.outcomes[queue.popleft()]
                if not queue:
                    del self.ready[key]
                self.busy[key] += 1
                future = pool.submit(read_batch_upload_details, self.client, outcome.customer_id, outcome.batch_tracking_id)
                self.in_flight[future] = outcome.index
                started = True
            if not started:
                return

    def _record(self, index, future):
        outcome = self.outcomes[index]
        self.busy[outcome.customer_key] -= 1
        now = self.clock()
        outcome.waited = now - self.started
        try:
            raw, details = future.result()
        except PartnerCenterError as error:
            raw = details = None
            failure = error
        else:
            outcome.raw, outcome.details = raw, details
            failure = None
        if not self.wait:
            # One read each: the client has already retried what was transient.
            outcome.polls += int(failure is None)
            outcome.error = failure
            if self.on_poll is not None:
                self.on_poll(details, outcome.polls, outcome.waited, 0, failure)
            return
        tracker = outcome.tracker
        try:
            pause = tracker.record(now, raw, details, failure)
        except BatchWaitError as ended:
            pause = None
            outcome.error = ended
        outcome.polls, outcome.throttled_polls = tracker.polls, tracker.throttled_polls
        if pause is not None:
            # A throttled or failing poll only delays the next one (Retry-After included), up to the deadline.
            heapq.heappush(self.due, (now + pause, index))


def read_batches(client, batches, concurrency=DEFAULT_CONCURRENCY, wait=False, wait_timeout=1800, poll_interval=15,
                 clock=time.monotonic, sleep=time.sleep, warn=None, on_poll=None):
    """Read every batch of ``batches`` (dicts with customer_id and batch_tracking_id); one BatchOutcome each, in input order.

    Up to ``concurrency`` reads run at once, all on ``client``, so on one token, fetched before the
    first read: a credential that does not work raises here, once, instead of failing every entry.
    A batch that cannot be read gets the error in its outcome and the others go on. With ``wait``,
    each batch is polled (pauses as ``wait_for_batch``) until complete or until ``wait_timeout``
    seconds from the start have passed; a batch still not complete then gets a BatchWaitTimeout. As
    in ``wait_for_batch``, a throttled or failing poll (429, 5xx, timeout, dropped connection) only
    delays that batch's next poll, and a status Partner Center does not document ends its wait at once.

    ``on_poll(details_or_None, polls, waited_seconds, throttled_polls, error_or_None)`` is called, from
    the thread that calls read_batches, after every poll of any batch (the shaped details name the
    batch; ``polls`` and ``throttled_polls`` count that batch's polls).
    """
    outcomes = [BatchOutcome(index, entry['customer_id'], entry['batch_tracking_id']) for index, entry in enumerate(batches)]
    if not outcomes:
        return outcomes
    client.access_token()
    workers = max(1, min(concurrency, len(outcomes)))
    reader = _Reader(client, outcomes, workers, wait, wait_timeout, poll_interval, clock, warn=warn, on_poll=on_poll)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix='partnercenter-batch') as pool:
        reader.run(pool, sleep)
    return outcomes


def outcome_result(outcome, client, wait=False, return_devices='all', return_raw=False):
    """The entry of ``results`` for one outcome: the ids, the details keys of a single read, or the error."""
    entry = dict(customer_id=outcome.customer_id, batch_tracking_id=outcome.batch_tracking_id,
                 failed=outcome.error is not None)
    if outcome.details is not None:
        entry.update(details_result(outcome.raw, outcome.details, return_devices, return_raw))
    if wait:
        entry.update(polls=outcome.polls, waited_seconds=round(outcome.waited, 1), throttled_polls=outcome.throttled_polls)
    if outcome.error is not None:
        entry.update(outcome.error.result_fields())
        entry['msg'] = client.redact(outcome.error.message)
    return entry


def batch_counts(results):
    """From the entries of ``results``: how many failed, how many batches are complete (and with device errors), how many not yet."""
    counts = dict(total=len(results), complete=0, incomplete=0, failed=0, with_device_errors=0)
    for entry in results:
        if entry['failed']:
            counts['failed'] += 1
        elif entry['complete']:
            counts['complete'] += 1
            counts['with_device_errors'] += int(bool(entry['devices_with_errors']))
        else:
            counts['incomplete'] += 1
    return counts


def failure_message(outcomes, client):
    """The message of a task that fails on error: how many entries failed, and the first ones with their errors."""
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    named = ['batches[%d] (customer %s, batch %s): %s'
             % (outcome.index, outcome.customer_id, outcome.batch_tracking_id, client.redact(outcome.error.message))
             for outcome in failed[:MAX_FAILURES_NAMED]]
    message = '%d of %d batches failed: %s' % (len(failed), len(outcomes), ' | '.join(named))
    if len(failed) > MAX_FAILURES_NAMED:
        message += ' | and %d more (see results)' % (len(failed) - MAX_FAILURES_NAMED)
    return message
