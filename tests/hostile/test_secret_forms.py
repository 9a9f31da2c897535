# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A token endpoint whose error echoes the client secret in another spelling: base64 of ``client_id:secret``
(HTTP Basic), HTML character references, JSON ``\\u`` escapes. A module's result holds none of them."""

import base64
import html
import json

import pytest

import harness


def _decimal(text):
    return ''.join('&#%d;' % ord(char) for char in text)


def _hex(text):
    return ''.join('&#x%x;' % ord(char) for char in text)


def _mixed(text):
    return html.escape(text[:4]) + _decimal(text[4:10]) + text[10:-3] + _hex(text[-3:])


BASIC = base64.b64encode(('%s:%s' % (harness.CLIENT_ID, harness.CLIENT_SECRET)).encode()).decode()
ECHOES = {
    'basic-base64': BASIC,
    'basic-base64-urlsafe': base64.urlsafe_b64encode(('%s:%s' % (harness.CLIENT_ID, harness.CLIENT_SECRET)).encode()).decode(),
    'html-decimal': _decimal(harness.CLIENT_SECRET),
    'html-hex': _hex(harness.CLIENT_SECRET),
    'html-mixed': _mixed(harness.CLIENT_SECRET),
    'json-u-escapes': ''.join('\\u%04x' % ord(char) for char in harness.CLIENT_SECRET),
}


def _spellings():
    """Every spelling of the secret these cases echo, to look for in a result."""
    return [harness.CLIENT_SECRET, BASIC] + list(ECHOES.values()) + [BASIC[len(BASIC) // 3:2 * len(BASIC) // 3]]


# A piece of the secret this long is a leak too (an echo cut off by an excerpt).
PIECE = 10


def _assert_no_secret(result):
    text = json.dumps(result)
    for spelling in _spellings():
        assert spelling not in text, spelling
    readable = html.unescape(text.replace('\\\\u', '\\u').encode().decode('unicode_escape', 'ignore'))
    secret = harness.CLIENT_SECRET
    for start in range(len(secret) - PIECE + 1):
        assert secret[start:start + PIECE] not in readable, (secret[start:start + PIECE], readable)


@pytest.mark.parametrize('echo', sorted(ECHOES))
def test_a_json_token_error_that_echoes_the_secret_leaves_no_trace_in_the_result(echo, run_module, simulator, sim_args):
    description = ('AADSTS7000215: Invalid client secret provided for Authorization: Basic %s (received %s).\r\n'
                   'Trace ID: 6d1f0a2e-1111-4222-8333-944455556666' % (BASIC, ECHOES[echo]))
    simulator.add_fault('status', match='token', status=401, body={
        'error': 'invalid_client', 'error_description': description, 'error_codes': [7000215]})
    result = run_module('batch_upload_status', dict(sim_args(simulator), customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                    batch_tracking_id=harness.EXAMPLE_BATCH_ID))
    assert result.failed
    assert 'invalid_client' in result['msg'] and '********' in result['msg']
    _assert_no_secret(result)
    assert not simulator.stats['api_requests']


@pytest.mark.parametrize('echo', sorted(ECHOES))
def test_an_html_token_error_page_that_echoes_the_secret_leaves_no_trace_in_the_result(echo, run_module, simulator, sim_args):
    simulator.add_fault('invalid_json', match='token', status=400, body=(
        '<html><body><p>Bad credentials:%s</p></body></html>' % ECHOES[echo]))
    result = run_module('batch_upload_status', dict(sim_args(simulator), customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                    batch_tracking_id=harness.EXAMPLE_BATCH_ID))
    assert result.failed
    assert 'not JSON' in result['msg']
    _assert_no_secret(result)
