# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch_status event source in this process against the simulator: events, and one token renewed as it expires."""

import asyncio
import copy
import json
import logging
import os
import stat
import threading
import time

import pytest

import harness
from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-error


def test_one_token_renewed_as_it_expires_against_the_simulator(monkeypatch):
    """The source's client asks Entra ID again only when the token nears its end (auth.renewal_margin before)."""
    seed = copy.deepcopy(load_seed(harness.DEFAULT_SEED))
    # 2 s of life: renewed a quarter of its life early (auth.renewal_margin), so every 1.5 s.
    seed['token_lifetime_seconds'] = 2
    source = harness.load_file_as_module('batch_status_e2e', harness.EVENT_SOURCE_PATH)
    with PartnerCenterSimulator(seed) as simulator:
        for key, value in harness.simulator_credentials(simulator.url).items():
            monkeypatch.setenv(key, value)
        events = []

        class ListQueue:  # pylint: disable=too-few-public-methods
            async def put(self, event):
                events.append(event)

        async def run():
            task = asyncio.create_task(source.main(ListQueue(), {
                'batches': [{'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS},
                            {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_STUCK}],
                'delay': 0.6, 'status_changes': True}))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(
                    event['partner_center_batch']['type'] == 'batch_complete' for event in events):
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)
            assert not task.done()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run(run())
        stats = simulator.stats
    kinds = [(event['partner_center_batch']['batch_tracking_id'], event['partner_center_batch']['type'],
              event['partner_center_batch']['status']) for event in events]
    assert kinds == [
        (harness.DEMO_BATCH_WITH_ERRORS, 'batch_status_changed', 'queued'),
        (harness.DEMO_BATCH_STUCK, 'batch_status_changed', 'processing'),
        (harness.DEMO_BATCH_WITH_ERRORS, 'batch_status_changed', 'processing'),
        (harness.DEMO_BATCH_WITH_ERRORS, 'batch_complete', 'finished_with_errors'),
    ]
    # Several seconds of polls, a token about every second: renewed, not requested per poll.
    polls = sum(stats['polls'].values())
    assert 2 <= len(stats['token_requests']) < polls, (len(stats['token_requests']), polls)
    assert all(record['status'] == 200 for record in stats['api_requests'])
    for secret in harness.SECRETS + tuple(stats['issued_tokens']):
        assert secret not in json.dumps(events)


# -- the batches file, read off the event loop -------------------------------------------------------

SOURCE = harness.load_file_as_module('batch_status_in_process', harness.EVENT_SOURCE_PATH)
EXAMPLE = {'customer_id': harness.EXAMPLE_CUSTOMER_ID, 'batch_tracking_id': harness.EXAMPLE_BATCH_ID}


def entry(batch_tracking_id, customer_id=harness.DEMO_CUSTOMER_ID):
    return {'customer_id': customer_id, 'batch_tracking_id': batch_tracking_id}


def run_source(args, until, seconds=20.0, settle=0.5, during=None):
    """Run the source's main() with a list-backed queue until ``until(events)``, then ``settle`` seconds more.

    Returns (events, the longest gap between two turns of a watchdog coroutine on the same loop): a loop that is
    blocked by the source shows as a long gap. ``during(events)`` runs at each turn (to change a file, say).
    """
    events = []

    class ListQueue:  # pylint: disable=too-few-public-methods
        async def put(self, event):
            events.append(event)

    gaps = []

    async def run():
        task = asyncio.create_task(SOURCE.main(ListQueue(), args))
        deadline = time.monotonic() + seconds
        last = time.monotonic()
        settle_until = None
        while time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
            if task.done():
                task.result()
                raise AssertionError('the source ended; a source that returns ends the whole rulebook')
            if during is not None:
                during(events)
            if settle_until is None and until(events):
                settle_until = now + settle
            if settle_until is not None and now >= settle_until:
                break
        assert not task.done()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(run())
    return events, max(gaps or [0.0])


def kinds(events):
    return [(event['partner_center_batch']['batch_tracking_id'], event['partner_center_batch']['type']) for event in events]


def complete(batch_tracking_id):
    return lambda events: (batch_tracking_id, 'batch_complete') in kinds(events)


def warnings_naming(caplog, path):
    return [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING and str(path) in record.getMessage()]


def _fifo(path):
    os.mkfifo(path)


def _write(content):
    def make(path):
        with open(path, 'wb') as handle:
            handle.write(content)
    return make


UNUSABLE_FILES = {
    'fifo': (_fifo, 'a FIFO'),
    'directory': (os.mkdir, 'a directory'),
    # Over the size cap (1 MiB): refused from its size, without being read or parsed.
    'too-large-22-MB': (_write(b'[' + b' ' * (22 * 1024 * 1024) + b']'), 'larger than'),
    'nested-50000-deep': (_write(b'[' * 50000), 'nested too deeply'),
    'binary': (_write(bytes(range(256)) * 16), 'not UTF-8'),
    'not-yaml': (_write(b'batches: [unclosed, {\n'), 'cannot be parsed'),
    'not-a-list': (_write(b'just some text\n'), 'list of dicts'),
}


@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='no FIFOs on this platform')
@pytest.mark.parametrize('case', sorted(UNUSABLE_FILES))
def test_an_unusable_batches_file_is_one_warning_naming_it_and_never_blocks_the_loop(case, simulator, monkeypatch,
                                                                                     tmp_path, caplog):
    for key, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(key, value)
    path = tmp_path / 'batches.yml'
    make, problem = UNUSABLE_FILES[case]
    make(str(path))
    # Were the FIFO opened for reading, that would wait for a writer: this one comes late, and once, so that a
    # blocked reader would be released and the wait would show.
    unblock = threading.Timer(4.0, _release_fifo_reader, [str(path)])
    unblock.daemon = True
    unblock.start()
    started = time.monotonic()
    caplog.set_level(logging.WARNING)
    events, longest_gap = run_source({'batches': [EXAMPLE], 'batches_file': str(path), 'delay': 0.1},
                                     until=complete(harness.EXAMPLE_BATCH_ID), settle=0.6)
    unblock.cancel()
    assert kinds(events) == [(harness.EXAMPLE_BATCH_ID, 'batch_complete')]
    assert longest_gap < 1.0, 'the event loop was blocked for %.1f s' % longest_gap
    assert time.monotonic() - started < 4.0
    warned = warnings_naming(caplog, path)
    assert len(warned) == 1, warned
    assert problem in warned[0]
    for secret in harness.SECRETS:
        assert secret not in caplog.text


def _release_fifo_reader(path):
    if not stat.S_ISFIFO(os.stat(path).st_mode):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # no reader waits


def test_the_batches_watched_stay_when_the_file_turns_bad_and_new_ones_come_when_it_is_good_again(
        simulator, monkeypatch, tmp_path, caplog):
    for key, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(key, value)
    path = tmp_path / 'batches.json'
    path.write_text(json.dumps([entry(harness.DEMO_BATCH_WITH_ERRORS)]))
    caplog.set_level(logging.WARNING)
    steps = []

    def during(events):
        seen = kinds(events)
        if not steps and seen:
            # Half-written, say: the batch already watched stays watched.
            path.write_bytes(b'[{"customer_id": "' + harness.DEMO_CUSTOMER_ID.encode() + b'", "batch_')
            steps.append('bad')
        elif steps == ['bad'] and (harness.DEMO_BATCH_WITH_ERRORS, 'batch_complete') in seen:
            path.write_text(json.dumps([entry(harness.DEMO_BATCH_WITH_ERRORS), entry(harness.DEMO_BATCH_CLEAN)]))
            steps.append('good')

    events, longest_gap = run_source({'batches_file': str(path), 'delay': 0.1, 'status_changes': True},
                                     until=complete(harness.DEMO_BATCH_CLEAN), during=during, settle=0.3)
    assert steps == ['bad', 'good']
    assert [kind for kind in kinds(events) if kind[1] == 'batch_complete'] == [
        (harness.DEMO_BATCH_WITH_ERRORS, 'batch_complete'), (harness.DEMO_BATCH_CLEAN, 'batch_complete')]
    assert len(warnings_naming(caplog, path)) == 1
    assert longest_gap < 1.0


# -- token renewal, refused credentials -------------------------------------------------------------


class Clock:  # pylint: disable=too-few-public-methods
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_every_401_renews_the_token_at_most_once_a_minute(simulator):
    clock = Clock()
    watcher = SOURCE.watcher_from_args({'batches': [entry(harness.DEMO_BATCH_STUCK)], 'delay': 5},
                                       environ=harness.simulator_credentials(simulator.url), clock=clock)

    def poll_after(seconds, expire_token=False):
        clock.now += seconds
        if expire_token:
            # The token in use is refused from now on (revoked, say): 401 for it, every time.
            simulator.add_fault('expire_token', match='batchJobStatus')
        events = watcher.poll()
        stats = simulator.stats
        return events, len(stats['token_requests']), stats['api_requests'][-1]['status']

    assert poll_after(0) == ([], 1, 200)
    assert poll_after(5, expire_token=True) == ([], 2, 200)       # renewed
    assert poll_after(61, expire_token=True) == ([], 3, 200)      # a minute later: renewed again
    assert poll_after(10, expire_token=True) == ([], 3, 401)      # within the minute: not renewed, polled again later
    assert poll_after(10) == ([], 3, 401)
    assert poll_after(45) == ([], 4, 200)                         # a minute after the last renewal: renewed
    assert watcher.watched and watcher.client.token_renewals == 3


NO_MFA_REFRESH_TOKEN = 'sim-refresh-token-no-mfa-DO-NOT-LEAK-5Mf2'


def _bad_secret(simulator):
    credentials = harness.simulator_credentials(simulator.url)
    credentials['PARTNER_CENTER_CLIENT_SECRET'] = 'not-the-secret-DO-NOT-LEAK-0000'
    return credentials, '401', 'invalid_client'


def _token_endpoint_400(simulator):
    simulator.add_fault('status', match='token', count=-1, status=400, body={
        'error': 'invalid_client', 'error_description': 'AADSTS7000215: Invalid client secret provided.', 'error_codes': [7000215]})
    return harness.simulator_credentials(simulator.url), '400', 'invalid_client'


def _no_mfa(simulator):
    credentials = harness.simulator_credentials(simulator.url, 'app+user')
    credentials['PARTNER_CENTER_REFRESH_TOKEN'] = NO_MFA_REFRESH_TOKEN
    return credentials, '401', '900421'


def _with_no_mfa_refresh_token(seed):
    seed['refresh_tokens'].append({'token': NO_MFA_REFRESH_TOKEN, 'user': 'nomfa@contoso-partner.onmicrosoft.com',
                                   'roles': ['AdminAgent'], 'mfa': False})


REFUSALS = {'wrong-client-secret': _bad_secret, 'token-endpoint-400-invalid_client': _token_endpoint_400, 'app+user-without-mfa': _no_mfa}


@pytest.mark.parametrize('case', sorted(REFUSALS))
def test_refused_credentials_send_one_event_per_batch_and_keep_backing_off(case, make_simulator, caplog):
    simulator = make_simulator(_with_no_mfa_refresh_token)
    credentials, http_status, error_code = REFUSALS[case](simulator)
    clock = Clock()
    watcher = SOURCE.watcher_from_args({'batches': [entry(harness.DEMO_BATCH_STUCK), entry(harness.DEMO_BATCH_CLEAN)],
                                        'delay': 10}, environ=credentials, clock=clock)
    events, polled_at = [], []
    for dummy in range(40):
        before = len(simulator.stats['token_requests']) + len(simulator.stats['api_requests'])
        events += watcher.poll()
        if len(simulator.stats['token_requests']) + len(simulator.stats['api_requests']) > before:
            polled_at.append(clock.now)
        clock.now += 10
    assert sorted(kinds(events)) == sorted([(harness.DEMO_BATCH_STUCK, 'batch_poll_failed'),
                                            (harness.DEMO_BATCH_CLEAN, 'batch_poll_failed')])
    for event in events:
        failed = event['partner_center_batch']
        assert failed['will_retry'] is True and str(failed['http_status']) == http_status
        assert error_code in (failed['error_code'] or '') + failed['msg']
    # Still watched, polled ever more slowly: 10, 20, 40, 80, 160 s apart.
    assert len(watcher.watched) == 2
    gaps = [later - earlier for earlier, later in zip(polled_at, polled_at[1:])]
    assert gaps == sorted(gaps) and gaps[-1] >= 80, polled_at
    if error_code == '900421':
        # No renewal: a token from the same refresh token has no MFA claim either.
        assert len(simulator.stats['token_requests']) == 1
    text = json.dumps(events) + caplog.text
    for secret in harness.SECRETS + (NO_MFA_REFRESH_TOKEN, 'not-the-secret-DO-NOT-LEAK-0000') + tuple(simulator.stats['issued_tokens']):
        assert secret not in text


ECHO_BATCH = 'e3c4a7d0-5ec2-4e7a-9c0d-6b1f2a3c4d5e'


def _echoing_batch(seed):
    """A batch whose devices' errors echo the caller's bearer token and the client secret (a careless service)."""
    seed['customers'][harness.EXAMPLE_CUSTOMER_ID]['batches'][ECHO_BATCH] = {
        'statuses': ['finished'], 'echo_bearer_token': True, 'devices': [
            {'serialNumber': 'ECHO-TOKEN', 'status': 'finished_with_errors', 'errorDescription': 'carried {bearer_token}'},
            {'serialNumber': 'ECHO-SECRET', 'status': 'finished_with_errors',
             'errorDescription': 'secret %s' % harness.CLIENT_SECRET}]}


def test_an_event_holds_no_secret_a_service_echoes(make_simulator, monkeypatch):
    simulator = make_simulator(_echoing_batch)
    for key, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(key, value)
    events, dummy = run_source({'batches': [entry(ECHO_BATCH, harness.EXAMPLE_CUSTOMER_ID)], 'delay': 0.1},
                               until=complete(ECHO_BATCH), settle=0.1)
    assert kinds(events) == [(ECHO_BATCH, 'batch_complete')]
    described = dict((device['serial_number'], device['error_description'])
                     for device in events[0]['partner_center_batch']['devices_with_errors'])
    assert described == {'ECHO-TOKEN': 'carried ********', 'ECHO-SECRET': 'secret ********'}
    for secret in harness.SECRETS + tuple(simulator.stats['issued_tokens']):
        assert secret not in json.dumps(events)


def test_the_source_recovers_from_refused_tokens_by_renewing_again(simulator, monkeypatch):
    """Through main() and a list-backed queue: a token refused twice in a row is renewed again once the interval is over."""
    for key, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(SOURCE, 'TOKEN_RENEWAL_INTERVAL', 0.5)
    # The first token and its renewal are both refused (401 for good: expire_token): only a later renewal helps.
    simulator.add_fault('expire_token', match='batchJobStatus', count=2)
    events, dummy = run_source({'batches': [entry(harness.DEMO_BATCH_STUCK)], 'delay': 0.1, 'status_changes': True},
                               until=bool, seconds=15, settle=0.1)
    assert kinds(events) == [(harness.DEMO_BATCH_STUCK, 'batch_status_changed')]
    statuses = [request['status'] for request in simulator.stats['api_requests']]
    assert statuses[:2] == [401, 401] and statuses[-1] == 200
    assert len(simulator.stats['token_requests']) == 3


def test_refused_credentials_through_main_send_one_event_per_batch(simulator, monkeypatch):
    for key, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv('PARTNER_CENTER_CLIENT_SECRET', 'not-the-secret-DO-NOT-LEAK-0000')
    batches = [entry(harness.DEMO_BATCH_STUCK), entry(harness.DEMO_BATCH_CLEAN)]
    events, dummy = run_source({'batches': batches, 'delay': 0.1}, until=lambda events: len(events) >= 2, settle=1.5)
    assert sorted(kinds(events)) == sorted((item['batch_tracking_id'], 'batch_poll_failed') for item in batches)
    assert all(event['partner_center_batch']['will_retry'] for event in events)
    # Polled again meanwhile, ever more slowly, without another event.
    assert len(simulator.stats['token_requests']) > 2
    assert 'not-the-secret-DO-NOT-LEAK-0000' not in json.dumps(events)


# -- arguments as a rulebook gives them ------------------------------------------------------------------


def test_text_arguments_a_null_and_a_misspelt_one_through_main(simulator, monkeypatch, caplog):
    """Values as ansible-rulebook's --env-vars give them (text), a null, and a typo: the source runs, takes the text
    as the boolean and number it stands for, and says once which argument it ignored."""
    for key, value in harness.simulator_credentials(simulator.url).items():
        monkeypatch.setenv(key, value)
    caplog.set_level(logging.WARNING)
    events, dummy = run_source({'batches': [entry(harness.DEMO_BATCH_STUCK)], 'delay': '0.1', 'status_changes': 'yes',
                                'retries': None, 'status_change': 'true'},
                               until=bool, settle=0.5)
    assert kinds(events) == [(harness.DEMO_BATCH_STUCK, 'batch_status_changed')]
    warned = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warned) == 1 and 'does not know: status_change.' in warned[0], warned
