# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the whole hostile suite and print the figures of docs/docsite/rst/reliability.rst (an RST list-table).

    .venv/bin/python tests/hostile/report.py [--jobs 2]

Groups run side by side (``--jobs``), each against its own simulator and hostile server, exactly
as tests/hostile/test_hostile.py runs them; the figures are counted from the same judgement.
"""

import argparse
import concurrent.futures
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools'))

import suite  # noqa: E402  pylint: disable=wrong-import-position
import cases as case_table  # noqa: E402  pylint: disable=wrong-import-position
import harness  # noqa: E402  pylint: disable=wrong-import-position
import rst  # noqa: E402  pylint: disable=wrong-import-position
from partner_center_simulator import PartnerCenterSimulator, load_seed  # noqa: E402  pylint: disable=wrong-import-position


def run_one(group, collections_path):
    """Run one group; return (group, figures, per-case problems, global problems)."""
    simulator = PartnerCenterSimulator(load_seed(harness.DEFAULT_SEED))
    simulator.start()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            run, server, group_cases = suite.run_group(group, simulator, collections_path, workdir)
            per_case, global_problems = suite.judge_run(run, server, simulator, group_cases)
            return group, suite.figures(group_cases, run, per_case), per_case, global_problems, group_cases
    finally:
        simulator.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--jobs', type=int, default=2)
    args = parser.parse_args()
    collections_path = harness.make_collections_path()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda group: run_one(group, collections_path), case_table.GROUPS))
    elapsed = time.monotonic() - started
    keys = ('cases', 'clear_errors', 'correct_results', 'failing', 'over_bound', 'tracebacks')
    # A group split into parts for speed (input-1, input-2, ...) is one row, as the guide shows it.
    by_group = {}
    for group, counts, unused_per_case, unused_global, unused_cases in outcomes:
        name = group.rsplit('-', 1)[0] if group.rsplit('-', 1)[-1].isdigit() else group
        row = by_group.setdefault(name, dict.fromkeys(keys, 0))
        for key in keys:
            row[key] += counts[key]
    total = dict((key, sum(row[key] for row in by_group.values())) for key in keys)
    rows = [[name] + [row[key] for key in keys] for name, row in sorted(by_group.items())]
    rows.append(['**all**'] + ['**%d**' % total[key] for key in keys])
    print('\n'.join(rst.list_table(['group', 'cases', 'clear errors', 'correct results', 'not as stated', 'past their bound',
                                    'tracebacks'], rows)))
    print('\nWall time: %.0f s with %d jobs.' % (elapsed, args.jobs))
    for group, unused_counts, per_case, global_problems, group_cases in outcomes:
        for problem in global_problems:
            print('- %s: %s' % (group, problem[:500]))
        for entry in group_cases:
            if per_case[entry['id']]:
                owner = ' [depends on %s]' % entry['depends_on'] if entry.get('depends_on') else ''
                print('- %s%s: %s' % (entry['id'], owner, '; '.join(per_case[entry['id']])[:500]))


if __name__ == '__main__':
    main()
