# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait_for_batch_upload role's CSV and HTML reports, and the remediation hints in results."""

import csv
import html.parser
import os
import re
import stat

import pytest

import harness
from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import DEVICE_ERRORS

CSV_COLUMNS = ['serial_number', 'product_key', 'device_id', 'status', 'error_code', 'error_description', 'remediation']
HINT_806 = [entry['remediation'] for entry in DEVICE_ERRORS if entry['code'] == '806'][0]
HINT_808 = [entry['remediation'] for entry in DEVICE_ERRORS if entry['code'] == '808'][0]

# Seed statuses: queued, processing, processing, finished_with_errors (4 devices: 806 and 808 fail).
WITH_ERRORS = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_WITH_ERRORS}

# A batch whose devices carry what a spreadsheet or a browser would run, added to the default seed.
HOSTILE_BATCH = 'f0e1d2c3-b4a5-4968-8776-655443322110'
SCRIPT_SERIAL = '<script>alert("pwned")</script>'
FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_DEVICES = [
    {'deviceId': 'aa000000-0000-4000-8000-000000000001', 'serialNumber': SCRIPT_SERIAL,
     'productKey': 'KEY,"QUOTED"\nNEXT-LINE', 'error': '808'},
    {'deviceId': 'aa000000-0000-4000-8000-000000000002', 'serialNumber': FORMULA, 'productKey': '+1+2',
     'status': 'finished_with_errors', 'errorCode': '999', 'errorDescription': FORMULA + ' <img src=x onerror=alert(1)>'},
    {'deviceId': 'aa000000-0000-4000-8000-000000000003', 'serialNumber': '-2+3', 'productKey': '@SUM(A1:A2)'},
    {'deviceId': 'aa000000-0000-4000-8000-000000000004', 'serialNumber': '\tTAB-FIRST', 'productKey': 'PLAIN-KEY'},
    # An error Autopilot names without a code.
    {'deviceId': 'aa000000-0000-4000-8000-000000000005', 'serialNumber': 'NAME-ONLY', 'error': 'ZtdDeviceDuplicated'},
]
CLEAN = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN}
HEADLINE = re.compile(r'<h1 id="headline" class="headline (\w+)">([^<]*)</h1>')


def role_vars(batch, **extra):
    """Role variables for ``batch``, polling without delay."""
    variables = {
        'wait_for_batch_upload_customer_id': batch['customer_id'],
        'wait_for_batch_upload_batch_tracking_id': batch['batch_tracking_id'],
        'wait_for_batch_upload_delay': 0,
    }
    variables.update(extra)
    return variables


def report_paths(directory):
    return os.path.join(str(directory), 'batch report.csv'), os.path.join(str(directory), 'batch report.html')


def read_csv(path):
    """The rows of a report as dicts, after checking the header."""
    with open(path, newline='', encoding='utf-8') as handle:
        reader = csv.reader(handle)
        assert next(reader) == CSV_COLUMNS
        return [dict(zip(CSV_COLUMNS, row)) for row in reader]


class _Tables(html.parser.HTMLParser):
    """Every table with an id, as lists of rows of cell texts (entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = {}
        self.cells_by_id = {}
        self.tags = []
        self._table = self._row = self._cell = self._cell_id = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == 'table':
            self._table = self.tables.setdefault(attributes.get('id'), [])
        elif tag == 'tr' and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ('td', 'th'):
            self._cell = []
        if attributes.get('id') and tag != 'table':
            self._cell_id = attributes['id']

    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self._cell is not None:
            text = ''.join(self._cell)
            if self._row is not None:
                self._row.append(text)
            if self._cell_id:
                self.cells_by_id[self._cell_id] = text
                self._cell_id = None
            self._cell = None
        elif tag == 'table':
            self._table = self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_html(path):
    with open(path, encoding='utf-8') as handle:
        page = handle.read()
    parsed = _Tables()
    parsed.feed(page)
    parsed.close()
    return page, parsed


@pytest.fixture
def hostile_simulator():
    """The simulator with the default seed plus HOSTILE_BATCH, finished at the first poll."""
    from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-outside-toplevel

    seed = load_seed(harness.DEFAULT_SEED)
    seed['customers'][harness.DEMO_CUSTOMER_ID]['batches'][HOSTILE_BATCH] = {
        'statuses': ['finished_with_errors'],
        'startedTime': '2025-04-01T09:00:00',
        'completedTime': '2025-04-01T09:01:00',
        'devices': HOSTILE_DEVICES,
    }
    sim = PartnerCenterSimulator(seed)
    sim.start()
    yield sim
    sim.stop()


def test_reports_hold_every_device_and_the_errors(simulator, playbook, tmp_path):
    csv_path, html_path = report_paths(tmp_path)
    run = playbook('role_reports.yml', role_vars(WITH_ERRORS, wait_for_batch_upload_report_csv=csv_path,
                                                 wait_for_batch_upload_report_html=html_path,
                                                 wait_for_batch_upload_batch_id='contoso-2026-11-laptops'),
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    assert run.results['outcome'] == 'ok'

    rows = read_csv(csv_path)
    assert [(r['serial_number'], r['status'], r['error_code'], r['error_description']) for r in rows] == [
        ('PF1A2B3C', 'finished', '', ''),
        ('PF1A2B3D', 'finished', '', ''),
        ('PF1A2B3E', 'finished_with_errors', '806', 'ZtdDeviceAlreadyAssigned'),
        ('PF1A2B3F', 'finished_with_errors', '808', 'ZtdDeviceAssignedToOtherTenant'),
    ]
    assert [r['remediation'] for r in rows] == ['', '', HINT_806, HINT_808]
    assert rows[3]['product_key'] == 'W2KDC-9HV8T-Q6MXF-3BRYJ-7PG4N'
    assert rows[3]['device_id'] == 'a1c3e5f7-0b2d-4f6a-8c9e-1d3f5a7b9c04'

    page, parsed = read_html(html_path)
    assert parsed.cells_by_id['batch-1-name'] == 'contoso-2026-11-laptops'
    assert parsed.cells_by_id['batch-1-tracking-id'] == harness.DEMO_BATCH_WITH_ERRORS
    assert parsed.cells_by_id['batch-1-customer-id'] == harness.DEMO_CUSTOMER_ID
    assert parsed.cells_by_id['batch-1-status'] == 'finished_with_errors'
    assert parsed.cells_by_id['batch-1-device-count'] == '4'
    assert parsed.cells_by_id['batch-1-error-count'] == '2'
    # The page leads with what needs doing, not with Partner Center's status of the batch.
    assert HEADLINE.search(page).groups() == ('bad', '2 of 4 devices need attention')
    assert '<title>Device batch contoso-2026-11-laptops: 2 of 4 devices need attention</title>' in page
    # Every device, those with errors first; the serial number, product key and device id in the first cell, each labelled.
    devices = parsed.tables['batch-1-devices']
    assert devices[0] == ['Device', 'Status', 'Code', 'Error', 'What to do']
    assert [(row[0][:21], row[1], row[2], row[3], row[4]) for row in devices[1:]] == [
        ('Serial numberPF1A2B3E', 'finished_with_errors', '806', 'ZtdDeviceAlreadyAssigned', HINT_806),
        ('Serial numberPF1A2B3F', 'finished_with_errors', '808', 'ZtdDeviceAssignedToOtherTenant', HINT_808),
        ('Serial numberPF1A2B3C', 'finished', '', '', ''),
        ('Serial numberPF1A2B3D', 'finished', '', '', ''),
    ]
    assert devices[2][0] == ('Serial numberPF1A2B3FProduct keyW2KDC-9HV8T-Q6MXF-3BRYJ-7PG4N'
                             'Device ida1c3e5f7-0b2d-4f6a-8c9e-1d3f5a7b9c04')
    # The picture: one bar, a rectangle per status, widths proportional to the counts, colour by kind of status.
    bars = re.findall(r'<rect class="(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"', page)
    assert bars == [('finished', '0.0', '500.0'), ('errors', '500.0', '500.0')]
    # Self-contained: no script, no stylesheet or image to fetch.
    assert not set(parsed.tags) & {'script', 'link', 'img', 'iframe', 'object'}
    assert 'src=' not in page and '@import' not in page and 'url(' not in page

    for path in (csv_path, html_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_reports_are_written_before_the_role_fails_on_device_errors(simulator, playbook, tmp_path):
    csv_path, html_path = report_paths(tmp_path)
    run = playbook('role_reports.yml', role_vars(WITH_ERRORS, wait_for_batch_upload_fail_on_device_errors=True,
                                                 wait_for_batch_upload_report_csv=csv_path,
                                                 wait_for_batch_upload_report_html=html_path,
                                                 wait_for_batch_upload_report_mode='0600'),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert run.results['result']['msg'].startswith('2 devices of batch %s carry errors:' % harness.DEMO_BATCH_WITH_ERRORS)
    assert [r['error_code'] for r in read_csv(csv_path)] == ['', '', '806', '808']
    page, parsed = read_html(html_path)
    assert len(parsed.tables['batch-1-devices']) == 5  # the header and four devices
    assert HEADLINE.search(page).groups() == ('bad', '2 of 4 devices need attention')
    for path in (csv_path, html_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_hostile_values_are_neutralised_in_csv_and_escaped_in_html(hostile_simulator, playbook, tmp_path):
    csv_path, html_path = report_paths(tmp_path)
    run = playbook('role_reports.yml',
                   role_vars({'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': HOSTILE_BATCH},
                             wait_for_batch_upload_report_csv=csv_path, wait_for_batch_upload_report_html=html_path),
                   env=harness.simulator_credentials(hostile_simulator.url))
    assert run.returncode == 0, run

    rows = read_csv(csv_path)
    assert len(rows) == 5
    # Commas, quotes and line breaks stay inside their field.
    assert rows[0]['serial_number'] == SCRIPT_SERIAL
    assert rows[0]['product_key'] == 'KEY,"QUOTED"\nNEXT-LINE'
    assert rows[0]['remediation'] == HINT_808
    # Values a spreadsheet would take for a formula start with a quote instead.
    assert rows[1]['serial_number'] == "'" + FORMULA
    assert rows[1]['product_key'] == "'+1+2"
    assert rows[1]['error_description'] == "'" + FORMULA + ' <img src=x onerror=alert(1)>'
    assert rows[2]['serial_number'] == "'-2+3"
    assert rows[2]['product_key'] == "'@SUM(A1:A2)"
    assert rows[3]['serial_number'] == "'\tTAB-FIRST"
    assert rows[3]['product_key'] == 'PLAIN-KEY'
    for row in rows:
        for value in row.values():
            assert value[:1] not in ('=', '+', '-', '@', '\t', '\r')
    # An error the catalogue does not know: the generic hint, naming the batch for support.
    assert 'batch tracking id (%s)' % HOSTILE_BATCH in rows[1]['remediation']
    assert (rows[4]['error_code'], rows[4]['error_description']) == ('', 'ZtdDeviceDuplicated')

    page, parsed = read_html(html_path)
    assert SCRIPT_SERIAL not in page and '<img' not in page
    assert '&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;' in page
    assert not set(parsed.tags) & {'script', 'img'}
    devices = parsed.tables['batch-1-devices'][1:]
    # Escaped, not altered: the page shows exactly what Partner Center sent.
    assert [(row[0], row[2], row[3]) for row in devices[:3]] == [
        ('Serial number' + SCRIPT_SERIAL + 'Product keyKEY,"QUOTED"\nNEXT-LINEDevice idaa000000-0000-4000-8000-000000000001',
         '808', 'ZtdDeviceAssignedToOtherTenant'),
        ('Serial number' + FORMULA + 'Product key+1+2Device idaa000000-0000-4000-8000-000000000002',
         '999', FORMULA + ' <img src=x onerror=alert(1)>'),
        # A name without a code: an empty code cell, so the error names stay in their column.
        ('Serial numberNAME-ONLYProduct key-Device idaa000000-0000-4000-8000-000000000005', '', 'ZtdDeviceDuplicated'),
    ]
    assert all(len(row) == 5 for row in devices)


@pytest.mark.parametrize('batch, return_devices, tone, headline', [
    (WITH_ERRORS, 'all', 'bad', '2 of 4 devices need attention'),
    (WITH_ERRORS, 'none', 'bad', '2 of 4 devices need attention'),
    (CLEAN, 'all', 'ok', 'All 3 devices registered'),
], ids=['with-errors', 'with-errors-no-device-list', 'clean'])
def test_the_html_report_leads_with_a_headline(simulator, playbook, tmp_path, batch, return_devices, tone, headline):
    html_path = report_paths(tmp_path)[1]
    run = playbook('role_reports.yml', role_vars(batch, wait_for_batch_upload_report_html=html_path,
                                                 wait_for_batch_upload_return_devices=return_devices),
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    page = read_html(html_path)[0]
    assert HEADLINE.search(page).groups() == (tone, headline)
    # Partner Center's own status of the batch comes second.
    assert '<p class="subtitle">Device batch upload report: batch %s, Partner Center\'s status finished' % batch['batch_tracking_id'] in page


def test_no_report_without_a_path(simulator, playbook, tmp_path):
    run = playbook('role_reports.yml', role_vars(WITH_ERRORS), env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    assert sorted(os.listdir(str(tmp_path))) == ['extra-vars.json', 'results.json']


def test_check_mode_polls_but_writes_no_report(simulator, playbook, tmp_path):
    csv_path, html_path = report_paths(tmp_path)
    run = playbook('role_reports.yml', role_vars(WITH_ERRORS, wait_for_batch_upload_report_csv=csv_path,
                                                 wait_for_batch_upload_report_html=html_path),
                   env=harness.simulator_credentials(simulator.url), check=True)
    assert run.returncode == 0, run
    assert run.results['details']['status'] == 'finished_with_errors'
    assert [d['remediation'] for d in run.results['devices_with_errors']] == [HINT_806, HINT_808]
    assert not os.path.exists(csv_path) and not os.path.exists(html_path)
    assert simulator.stats['polls'][harness.DEMO_BATCH_WITH_ERRORS] == 4


def test_a_missing_report_directory_fails_the_role_clearly(simulator, playbook, tmp_path):
    missing = os.path.join(str(tmp_path), 'no-such-dir', 'report.csv')
    run = playbook('role_reports.yml', role_vars(WITH_ERRORS, wait_for_batch_upload_report_csv=missing),
                   env=harness.simulator_credentials(simulator.url))
    assert run.results['outcome'] == 'failed'
    assert 'no-such-dir' in run.results['result']['msg']


def test_module_returns_the_remediation_of_806_and_808(simulator, playbook):
    run = playbook('batch_upload_status.yml', dict(WITH_ERRORS, wait=True, poll_interval=0.1, return_raw=True),
                   env=harness.simulator_credentials(simulator.url))
    assert run.returncode == 0, run
    result = run.results['result']
    assert [(d['serial_number'], d['remediation']) for d in result['batch_upload_details']['devices_status']] == [
        ('PF1A2B3C', None), ('PF1A2B3D', None), ('PF1A2B3E', HINT_806), ('PF1A2B3F', HINT_808)]
    assert [(d['error_code'], d['remediation']) for d in result['devices_with_errors']] == [
        ('806', HINT_806), ('808', HINT_808)]
    assert run.results['fact']['devices_status'][3]['remediation'] == HINT_808
    # Partner Center's resource is returned as sent: the hint is the collection's.
    assert all('remediation' not in device for device in result['raw_batch_upload_details']['devicesStatus'])
