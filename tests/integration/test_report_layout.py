# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML reports in a real browser (headless Chromium): no horizontal scroll at 1280 px, whatever the values.

`make pytest` installs Debian's chromium first (tests/tools/ensure_chromium.sh); without it these tests are skipped.
The report has no script; the test measures a copy with one added script that writes the page's widths into the DOM.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

import harness

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='chromium is not installed (tests/tools/ensure_chromium.sh)')

HOSTILE_BATCH = 'e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9'
LONG_SERIAL = 'SERIAL' + 'X' * 180
LONG_URL = 'https://support.example.com/' + '/'.join(['averyveryverylongpathsegment%d' % n for n in range(12)]) + '?q=' + 'z' * 80
HOSTILE_DEVICES = [
    {'deviceId': 'bb000000-0000-4000-8000-000000000001', 'serialNumber': LONG_SERIAL, 'productKey': 'K' * 120,
     'status': 'finished_with_errors', 'errorCode': '99999999999999999999',
     'errorDescription': 'See ' + LONG_URL + ' and ' + 'Ztd' + 'VeryLongErrorName' * 12},
    {'deviceId': 'bb000000-0000-4000-8000-000000000002', 'serialNumber': 'PLAIN-0002', 'error': '808'},
    {'deviceId': 'bb000000-0000-4000-8000-000000000003', 'serialNumber': 'PLAIN-0003',
     'status': 'S' * 90},
    {'deviceId': 'bb000000-0000-4000-8000-000000000004', 'serialNumber': 'NAME-ONLY-0004', 'error': 'ZtdDeviceDuplicated'},
]
MEASURE = ('<script>document.body.setAttribute("data-widths", JSON.stringify({scroll: '
           'document.documentElement.scrollWidth, client: document.documentElement.clientWidth}));</script>')


@pytest.fixture
def hostile_simulator():
    from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-outside-toplevel

    seed = load_seed(harness.DEFAULT_SEED)
    seed['customers'][harness.DEMO_CUSTOMER_ID]['batches'][HOSTILE_BATCH] = {
        'statuses': ['finished_with_errors'], 'startedTime': '2025-04-01T09:00:00', 'completedTime': '2025-04-01T09:01:00',
        'devices': HOSTILE_DEVICES}
    sim = PartnerCenterSimulator(seed)
    sim.start()
    yield sim
    sim.stop()


def chromium(*arguments):
    command = [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1280,900']
    return subprocess.run(command + list(arguments), capture_output=True, text=True, timeout=120, check=True)


def widths(report, tmp_path):
    """The page's scroll and client widths at 1280 px, measured on a copy with MEASURE added."""
    with open(report, encoding='utf-8') as handle:
        page = handle.read()
    assert '<script' not in page
    measured = tmp_path / 'measured.html'
    measured.write_text(page.replace('</body>', MEASURE + '</body>'), encoding='utf-8')
    dom = chromium('--dump-dom', measured.as_uri()).stdout
    found = re.search(r'data-widths="([^"]+)"', dom)
    assert found, dom[-2000:]
    return json.loads(found.group(1).replace('&quot;', '"'))


def screenshot(report, tmp_path):
    """A PNG of the report at 1280 px, kept beside the test's files for a person to look at."""
    path = tmp_path / (os.path.basename(report) + '.png')
    chromium('--screenshot=%s' % path, 'file://' + report)
    assert path.stat().st_size > 10000
    return path


def test_the_report_of_hostile_values_fits_1280_px(hostile_simulator, playbook, tmp_path):
    html_path = str(tmp_path / 'hostile.html')
    run = playbook('role_reports.yml', {
        'wait_for_batch_upload_customer_id': harness.DEMO_CUSTOMER_ID,
        'wait_for_batch_upload_batch_tracking_id': HOSTILE_BATCH,
        'wait_for_batch_upload_batch_id': 'B' * 150,
        'wait_for_batch_upload_delay': 0,
        'wait_for_batch_upload_report_html': html_path,
    }, env=harness.simulator_credentials(hostile_simulator.url))
    assert run.returncode == 0, run
    measured = widths(html_path, tmp_path)
    assert measured['client'] == 1280 and measured['scroll'] <= measured['client'], measured
    with open(html_path, encoding='utf-8') as handle:
        page = handle.read()
    assert '<h1 id="headline" class="headline bad">3 of 4 devices need attention</h1>' in page
    screenshot(html_path, tmp_path)


def test_the_report_of_many_batches_fits_1280_px(hostile_simulator, playbook, tmp_path):
    html_path = str(tmp_path / 'batches.html')
    batches = [dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_tracking_id=batch) for batch in (
        HOSTILE_BATCH, harness.DEMO_BATCH_WITH_ERRORS, harness.DEMO_BATCH_CLEAN, '00000000-0000-4000-8000-000000000000')]
    run = playbook('bulk_report.yml', {'batches': batches, 'report_html': html_path,
                                       'names': {harness.DEMO_BATCH_WITH_ERRORS: 'contoso-2026-11-laptops'}},
                   env=harness.simulator_credentials(hostile_simulator.url))
    assert run.returncode == 0, run
    with open(html_path, encoding='utf-8') as handle:
        page = handle.read()
    summary = page.split('<table id="batches">', 1)[1].split('</table>', 1)[0]
    # A row and a bar per batch; the one that could not be read says so.
    assert summary.count('<svg class="bar"') == 4
    assert 'contoso-2026-11-laptops' in summary and '(failed)' in summary
    assert page.count('<section id="batch-') == 4
    # One headline for every batch (read at once: two still in progress), then one for each.
    assert ('<h1 id="headline" class="headline bad">3 of 11 devices need attention; 7 still in progress; '
            '1 batch status could not be read</h1>') in page
    assert re.findall(r'<p class="headline (\w+)" id="batch-\d-headline">([^<]*)</p>', page) == [
        ('bad', '3 of 4 devices need attention'), ('pending', '4 of 4 devices still in progress'),
        ('pending', '3 of 3 devices still in progress'), ('bad', 'The batch status could not be read')]
    measured = widths(html_path, tmp_path)
    assert measured['scroll'] <= measured['client'] == 1280, measured
    screenshot(html_path, tmp_path)
