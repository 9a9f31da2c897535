# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo` runs tests/demo/run_demo.py: it must work, and show what the README promises."""

import csv
import os
import subprocess
import sys

import harness


def listing(directory):
    """Each file of ``directory`` with its modification time, or None when there is no such directory."""
    if not os.path.isdir(directory):
        return None
    return dict((name, os.stat(os.path.join(directory, name)).st_mtime_ns) for name in os.listdir(directory))


def test_demo_uploads_waits_and_reports_each_device(tmp_path):
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('PARTNER_CENTER_', 'ANSIBLE_')))
    # Reports go to tmp_path: the tests leave the reports of a `make demo` in build/demo-reports/ alone.
    env['DEMO_REPORT_DIR'] = str(tmp_path)
    demo_reports = os.path.join(harness.REPO_ROOT, 'build', 'demo-reports')
    before = listing(demo_reports)
    completed = subprocess.run([sys.executable, os.path.join(harness.TESTS_DIR, 'demo', 'run_demo.py')], env=env,
                               capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert '6 devices went into the new batch contoso-demo-laptops' in output
    assert 'error 808 ZtdDeviceAssignedToOtherTenant' in output
    assert 'error 806 ZtdDeviceAlreadyAssigned' in output
    assert 'InvalidZtdHardwareHash' in output
    assert '3 of 6 devices need attention.' in output
    with open(str(tmp_path / 'contoso-demo-laptops.csv'), encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert [(row['serial_number'], row['error_code']) for row in rows if row['error_code']] == [
        ('OTHER-TENANT-0001', '808'), ('REG-DEMO-0001', '806')]
    assert len(rows) == 6
    assert os.path.getsize(str(tmp_path / 'contoso-demo-laptops.html')) > 0
    assert 'failed=0' in output
    # A line per change while the role waits is the role's own polls; no warning about the inventory.
    assert '[WARNING]' not in output, output
    assert listing(demo_reports) == before
    for secret in harness.SECRETS:
        assert secret not in output
