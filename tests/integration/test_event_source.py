# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch_status event source in this process against the simulator: events, and one token renewed as it expires."""

import asyncio
import copy
import json
import time

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
