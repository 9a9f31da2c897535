# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile pages, in-process: a next link's headers never reach the wire, except its continuation token.

A page of a listing is an answer of a network service, so it is data: of a ``links.next`` only the
path and query of the same service and the ``MS-ContinuationToken`` header are followed. The
request log of the simulator shows what was sent.
"""

import pytest

import harness

from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient

PAGED_BATCH = 'existing-batch-2'  # 250 devices of the default seed: pages of 100, 100, 50
DEVICES_PATH = '/customers/%s/deviceBatches/%s/devices' % (harness.DEMO_CUSTOMER_ID, PAGED_BATCH)
# What a hostile next link asks a client to send, and what must therefore never be on the wire.
FOREIGN = {
    'Authorization': 'Bearer attacker-token',
    'Host': 'evil.example.test',
    'Cookie': 'session=attacker',
    'Proxy-Authorization': 'Basic YXR0YWNrZXI6eA==',
    'Content-Length': '100000',
    'Transfer-Encoding': 'chunked',
    'X-Forwarded-For': '203.0.113.9',
}


def hostile_first_page(headers_form):
    headers = [{'key': name, 'value': value} for name, value in FOREIGN.items()]
    if headers_form == 'object':
        headers = dict(FOREIGN)
    return {'totalCount': 0, 'items': [],
            'links': {'next': {'uri': DEVICES_PATH + '?seekOperation=Next', 'method': 'GET', 'headers': headers}},
            'attributes': {'objectType': 'Collection'}}


@pytest.mark.parametrize('headers_form', ['list', 'object'])
def test_a_next_link_sets_no_request_header(simulator, run_module, sim_args, monkeypatch, headers_form):
    # The warnings the client hands to the module (a module in a process that also ran controller code warns
    # through Display instead of its result, so they are counted where they leave the client).
    warned = []
    original_warn = PartnerCenterClient.warn

    def counting_warn(client, message):
        warned.append(message)
        original_warn(client, message)

    monkeypatch.setattr(PartnerCenterClient, 'warn', counting_warn)
    simulator.add_fault('status', match='/deviceBatches/%s/devices' % PAGED_BATCH, count=1, status=200,
                        body=hostile_first_page(headers_form))
    result = run_module('device_batch_info', dict(sim_args(simulator), customer_id=harness.DEMO_CUSTOMER_ID, batch_id=PAGED_BATCH))
    assert not result.failed, result
    # The hostile page, then the batch's own three pages.
    assert result['pages'] == 4 and len(result['devices']) == 250
    listed = [entry for entry in simulator.stats['api_requests'] if '/devices' in entry['path']]
    assert len(listed) == 4
    for entry in listed:
        sent = dict((name.lower(), value) for name, value in entry['headers'].items())
        for name, value in FOREIGN.items():
            assert sent.get(name.lower()) != value, (entry['path'], name)
        assert 'cookie' not in sent and 'proxy-authorization' not in sent and 'x-forwarded-for' not in sent
        assert 'transfer-encoding' not in sent and sent.get('content-length') in (None, '0')
        assert sent['host'].startswith('127.0.0.1')
        # The simulator keeps Authorization out of its log; a request with the attacker's token would have got 401.
        assert entry['status'] == 200
    assert listed[1]['path'].endswith('?seekOperation=Next')
    warnings = [warning for warning in warned if 'next link' in warning]
    assert len(warnings) == 1, warned
    for name in FOREIGN:
        assert name in warnings[0]
    assert 'attacker' not in str(result)
