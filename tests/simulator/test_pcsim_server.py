# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/server.py and the life cycle in pcsim/simulator.py: HTTP/1.1, loopback only, start/stop, logging."""

import http.client
import re

import pytest

import harness
import pcsim
from simulator_client import DEFAULT_SEED, api_headers, http_call


def test_http11_keep_alive_with_content_length(base, app_token):
    connection = http.client.HTTPConnection(base[len("http://"):], timeout=5)
    try:
        path = "/v1/customers/%s/batchJobStatus/%s" % (harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID)
        statuses = []
        sockets = set()
        for token in (app_token, "bogus", app_token):
            connection.request("GET", path, headers=api_headers(token))
            response = connection.getresponse()
            assert response.version == 11
            assert int(response.getheader("Content-Length")) == len(response.read())
            statuses.append(response.status)
            sockets.add(id(connection.sock))
        assert statuses == [200, 401, 200]
        assert len(sockets) == 1
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_non_loopback_hosts_are_refused(host):
    with pytest.raises(ValueError):
        pcsim.PartnerCenterSimulator(DEFAULT_SEED, host=host)


def test_context_manager_and_stop(capfd):
    with pcsim.PartnerCenterSimulator(DEFAULT_SEED, log=True) as simulator:
        url = simulator.url
        assert re.match(r"^http://127\.0\.0\.1:\d+$", url)
        assert http_call("GET", url + "/_simulator/stats")[0] == 200
    assert "GET /_simulator/stats" in capfd.readouterr().err
    assert simulator.url == url
    with pytest.raises(OSError):
        http_call("GET", url + "/_simulator/stats", timeout=2)


def test_quiet_by_default(capfd, base):
    capfd.readouterr()
    http_call("GET", base + "/_simulator/stats")
    http_call("GET", base + "/v1/nothing")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
