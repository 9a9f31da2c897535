# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's own arithmetic and set-up, without running it: medians, ratios, the table, the seed.

The benchmark itself (run_benchmarks.py, `make bench`) is not a test and asserts no timing.
"""

import json

import pytest

import harness
import report
import run_benchmarks


def test_median():
    assert report.median([3, 1, 2]) == 2
    assert report.median([4, 1, 3, 2]) == 2.5
    assert report.median([None, 5]) == 5
    assert report.median([]) is None


def test_ratios_are_taken_run_by_run():
    assert report.ratios([2.0, 6.0, 3.0], [1.0, 2.0, 0]) == [2.0, 3.0]  # a zero denominator drops that run
    assert report.median(report.ratios([1.0, 10.0, 2.0], [1.0, 5.0, 1.0])) == 2.0
    assert report.ratios([1.0, None], [1.0, 1.0]) == [1.0]


def test_row_cells_and_json():
    row = report.Row(1, 'status per call', [0.30, 0.25, 0.27], 's', ratio=[1.1, 0.9, 1.0], ratio_label='of uri',
                     target='<= uri', met=True)
    assert row.cells() == ['1', 'status per call', '0.270 s', '1.00x of uri', '<= uri', 'yes']
    assert row.as_dict()['values'] == [0.30, 0.25, 0.27]
    assert report.Row(3, 'tokens', [1, 1], 'count', target='1', met=False).cells()[2:] == ['1', '', '1', '**no**']
    assert report.Row(4, 'memory', [80.44], 'MB').cells()[2] == '80.4 MB'
    assert report.Row(4, 'wall', [5.678], 's').cells()[2] == '5.68 s'
    assert report.Row(4, 'none', [], 's').cells()[2] == 'n/a'


def test_table_is_markdown_with_aligned_columns():
    rows = [report.Row(1, 'ping', [0.2], 's'), report.Row(2, 'a much longer measure', [3], 'count', target='3', met=True)]
    lines = report.table(rows).splitlines()
    assert lines[0].startswith('| # | measure ')
    assert set(lines[1]) <= set('|-')
    assert len(set(len(line) for line in lines)) == 1
    assert lines[3].split('|')[2].strip() == 'a much longer measure'


def test_write_json(tmp_path):
    path = tmp_path / 'out' / 'bench.json'
    report.write_json(str(path), [report.Row(1, 'ping', [0.2, 0.3], 's')], {'runs': 2}, extra={'raw': {'x': [1]}})
    document = json.loads(path.read_text())
    assert document['settings'] == {'runs': 2}
    assert document['rows'][0]['median'] == 0.25
    assert document['raw'] == {'x': [1]}
    assert document['environment']['python']


IMPORTTIME = """import time: self [us] | cumulative | imported package
import time:       221 |        221 |         _json
import time:       263 |       2274 |   json
import time:      1517 |       1517 | urllib.request
import time:       834 |        834 |     threading
"""


def test_parse_importtime_and_extras():
    parsed = report.parse_importtime(IMPORTTIME)
    assert parsed == {'_json': (221, 221), 'json': (263, 2274), 'urllib.request': (1517, 1517), 'threading': (834, 834)}
    floor = report.parse_importtime(IMPORTTIME.replace('urllib.request', 'ansible.x'))
    assert report.import_extras(floor, parsed) == [('urllib.request', 1517)]


def test_settings_from_the_environment():
    settings = run_benchmarks.read_settings({'BENCH_RUNS': '5', 'BENCH_SECTIONS': '1, 3', 'BENCH_POLL_INTERVAL': ''})
    assert settings['runs'] == 5 and settings['sections'] == [1, 3]
    assert settings['poll_interval'] == 1 and settings['batches'] == 200 and settings['customers'] == 50


@pytest.mark.parametrize('batches, customers, most', [(200, 50, 4), (10, 3, 4)])
def test_many_batches_spread_over_the_customers(batches, customers, most):
    spread = run_benchmarks.many_batches(dict(batches=batches, customers=customers))
    assert len(spread) == batches
    assert len(set(batch['batch_tracking_id'] for batch in spread)) == batches
    counts = {}
    for batch in spread:
        counts[batch['customer_id']] = counts.get(batch['customer_id'], 0) + 1
    assert len(counts) == customers and max(counts.values()) == most


def test_the_generated_seed_loads_in_the_simulator(tmp_path):
    from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-outside-toplevel,import-error

    settings = run_benchmarks.read_settings({})
    seed = run_benchmarks.build_seed(settings)
    statuses = seed['customers'][run_benchmarks.WAIT_CUSTOMER]['batches'][run_benchmarks.WAIT_BATCH]['statuses']
    assert statuses == ['processing'] * (settings['polls'] - 1) + ['finished']
    assert harness.EXAMPLE_CUSTOMER_ID in seed['customers']
    assert sum(len(customer['batches']) for customer in seed['customers'].values()) >= settings['batches'] + 4
    path = tmp_path / 'seed.json'
    path.write_text(json.dumps(seed))
    PartnerCenterSimulator(load_seed(str(path)))
