# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of what is tried again (retry_policy.py), as each of the three loops reads it: the client's
retries, a wait's next poll, the event source's next poll."""

import json

import pytest

import harness

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import is_transient
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError
from ansible_collections.partnercenter.devices.plugins.module_utils.http_exchange import Response
from ansible_collections.partnercenter.devices.plugins.module_utils.retry_policy import PERMANENT_STATUSES, TRANSIENT_STATUSES

BASE = 'https://pc.example.test'
TOKEN = 'retry-policy-token-DO-NOT-LEAK-1234'
CUSTOMER = '47021739-3426-40bf-9601-61b4b6d7c793'
BATCH = '0127ed8e-ff72-4983-a3d8-e8d8bd378932'
PATH = '/v1/customers/%s/batchJobStatus/%s' % (CUSTOMER, BATCH)
# Statuses in neither table: the client and a wait stop on them, the event source polls again later.
OTHER_STATUSES = (401, 412, 501)
FINISHED = {'batchTrackingId': BATCH, 'status': 'finished', 'devicesStatus': []}

source = harness.load_file_as_module('batch_status_retry_policy', harness.EVENT_SOURCE_PATH)


def scripted_client(monkeypatch, statuses, retries=1):
    """A client whose requests get an error answer of each of ``statuses`` in turn, then the finished batch."""
    sent = []
    script = list(statuses)

    def send_once(method, url, headers, body):
        sent.append(headers['MS-RequestId'])
        if script:
            status = script.pop(0)
            return Response(status, None, {'Content-Type': 'application/json'}, json.dumps({'code': status}).encode())
        return Response(200, None, {'Content-Type': 'application/json'}, json.dumps(FINISHED).encode())

    client = PartnerCenterClient(BASE, StaticTokenAuth(TOKEN), retries=retries, sleep=lambda seconds: None)
    monkeypatch.setattr(client, '_send_once', send_once)
    return client, sent


def test_the_table_holds_throttling_and_server_faults_and_no_status_is_both():
    assert TRANSIENT_STATUSES == {408, 429, 500, 502, 503, 504}
    assert not TRANSIENT_STATUSES & PERMANENT_STATUSES


@pytest.mark.parametrize('status', sorted(TRANSIENT_STATUSES))
def test_the_client_sends_a_transient_status_again_with_the_same_request_id(monkeypatch, status):
    client, sent = scripted_client(monkeypatch, [status])
    assert client.get_json(PATH, 'status') == FINISHED
    assert len(sent) == 2 and sent[0] == sent[1]


@pytest.mark.parametrize('status', sorted(PERMANENT_STATUSES) + [412, 501])
def test_the_client_sends_any_other_status_once(monkeypatch, status):
    client, sent = scripted_client(monkeypatch, [status])
    with pytest.raises(ApiError) as raised:
        client.get_json(PATH, 'status')
    assert raised.value.http_status == status and len(sent) == 1


@pytest.mark.parametrize('status', sorted(TRANSIENT_STATUSES))
def test_a_wait_polls_again_after_a_transient_status(status):
    assert is_transient(ApiError('refused', http_status=status))


@pytest.mark.parametrize('status', sorted(PERMANENT_STATUSES) + list(OTHER_STATUSES))
def test_a_wait_stops_on_any_other_status(status):
    assert not is_transient(ApiError('refused', http_status=status))


@pytest.mark.parametrize('status', sorted(TRANSIENT_STATUSES | PERMANENT_STATUSES) + list(OTHER_STATUSES))
def test_the_event_source_stops_polling_a_batch_only_on_a_permanent_status(monkeypatch, status):
    client, sent = scripted_client(monkeypatch, [status], retries=0)
    now = [1000.0]
    watcher = source.BatchWatcher(client, [(CUSTOMER, BATCH)], delay=10, clock=lambda: now[0])
    events = watcher.poll()
    now[0] += 3600
    later = watcher.poll()
    if status in PERMANENT_STATUSES:
        assert [event['partner_center_batch']['will_retry'] for event in events] == [False]
        assert later == [] and len(sent) == 1
    else:
        assert [event['partner_center_batch']['type'] for event in later] == ['batch_complete']
        assert len(sent) == 2
