# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the command line (pcsim/cli.py) through partner_center_simulator.py, and of that entry point's names."""

import os
import re
import signal
import subprocess
import sys
import threading

import pytest

import pcsim
from simulator_client import app_form, token_call


HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(tmp_path, stop_signal):
    url_file = tmp_path / "url"
    env = dict(os.environ)
    env.pop("PC_SIMULATOR_LOG", None)
    command = [sys.executable, os.path.join(HERE, "partner_center_simulator.py"), "--url-file", str(url_file), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True) as process:
        watchdog = threading.Timer(30, process.kill)
        watchdog.start()
        try:
            line = process.stdout.readline()
            match = re.match(r"^Partner Center simulator listening on (http://127\.0\.0\.1:\d+)$", line.rstrip("\n"))
            assert match, line
            assert url_file.read_text(encoding="utf-8") == match.group(1)
            assert token_call(match.group(1), form=app_form())[0] == 200
            process.send_signal(stop_signal)
            out, err = process.communicate(timeout=10)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0
    assert out == "" and err == ""
    assert not url_file.exists()


def test_cli_refuses_non_loopback_host():
    result = subprocess.run([sys.executable, os.path.join(HERE, "partner_center_simulator.py"), "--host", "0.0.0.0"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert result.stdout == ""


def test_entry_point_reexports_the_package():
    import partner_center_simulator  # pylint: disable=import-outside-toplevel

    assert partner_center_simulator.PartnerCenterSimulator is pcsim.PartnerCenterSimulator
    assert partner_center_simulator.load_seed is pcsim.load_seed
    for name in partner_center_simulator.__all__:
        assert getattr(partner_center_simulator, name) is getattr(pcsim, name), name
    assert sorted(partner_center_simulator.__all__) == sorted(pcsim.__all__)
