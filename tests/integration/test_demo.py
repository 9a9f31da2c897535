# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo` runs tests/demo/run_demo.py: it must work, and show what the README promises."""

import os
import subprocess
import sys

import harness


def test_demo_runs_and_reports_the_batches():
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('PARTNER_CENTER_', 'ANSIBLE_')))
    completed = subprocess.run([sys.executable, os.path.join(harness.TESTS_DIR, 'demo', 'run_demo.py')], env=env,
                               capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert 'Batch 0127ed8e-ff72-4983-a3d8-e8d8bd378932: finished' in output
    assert 'is finished_with_errors after 4 polls: 4 devices, 2 with errors.' in output
    assert 'error 808 ZtdDeviceAssignedToOtherTenant' in output
    assert '2 of 4 devices need attention: PF1A2B3E, PF1A2B3F' in output
    assert 'failed=0' in output
    for secret in harness.SECRETS:
        assert secret not in output
