# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every test of tests/hostile and print the figures of docs/docsite/rst/reliability.rst (an RST list-table).

    .venv/bin/python tests/hostile/report.py [--jobs 2]

The tests are collected, not listed here: the cases of cases.py are counted per kind (input, server, token, shape,
sim: one in-process test each; the role's in the one -vvvv playbook run, with a few module cases run again there, counted
apart), every other
tests/hostile/test_*.py file is a row of its own. A case of cases.py states whether it expects a clear error or a
correct result; a test of another file counts as held when it passed.
"""

import argparse
import os
import re
import sys
import time

import pytest

HOSTILE_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HOSTILE_DIR)
REPO_ROOT = os.path.dirname(TESTS_DIR)
sys.path.insert(0, HOSTILE_DIR)
sys.path.insert(1, TESTS_DIR)
sys.path.insert(2, os.path.join(TESTS_DIR, 'tools'))

import suite  # noqa: E402  pylint: disable=wrong-import-position
import cases as case_table  # noqa: E402  pylint: disable=wrong-import-position
import rst  # noqa: E402  pylint: disable=wrong-import-position

CASE_TEST = re.compile(r'test_hostile\.py::test_hostile_case\[(?P<id>.+)\]$')
FLOW_TEST = 'test_no_secret_at_vvvv.py::test_hostile_cases_at_vvvv_show_no_secret'
# The flow's failure message names each case not as stated at the start of a line.
FLOW_CASE_LINE = re.compile(r'^E?\s*(?P<id>[\w.-]+) \(credentials from (?:env|args)\)', re.MULTILINE)
ROLE_ROW = 'role (in the -vvvv playbook run)'
# The module cases the flow runs again, as a playbook shows them: counted apart, and not in the total.
FLOW_ROW = 'module cases again in the -vvvv playbook run'
KIND_ROWS = {'input': 'input (bad options and files)', 'server': 'server (hostile API, uploads, token storms, timeouts)',
             'token': 'token (hostile token endpoint)', 'shape': 'shape (odd bodies for the shaping code)',
             'sim': 'sim (simulator faults, rotated refresh tokens)'}
KEYS = ('cases', 'held', 'clear_errors', 'correct_results', 'not_as_stated', 'past_bound', 'secrets_shown', 'tracebacks')


class Collector:
    """A pytest plugin that keeps, per test, whether it passed and what it said when it did not."""

    def __init__(self):
        self.tests = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.tests.setdefault(item.nodeid, None)

    def pytest_runtest_logreport(self, report):
        if report.when == 'call' or report.outcome != 'passed':
            previous = self.tests.get(report.nodeid)
            if previous is None or previous[0] == 'passed':
                self.tests[report.nodeid] = (report.outcome, report.longreprtext or '')


def _row():
    return dict.fromkeys(KEYS, 0)


def _count(row, expects_failure, failure_text):
    """Count one case into ``row``: held (a clear error or a correct result, as it states) or not, and why not."""
    row['cases'] += 1
    if failure_text is None:
        row['held'] += 1
        row['clear_errors' if expects_failure else 'correct_results'] += 1
        return
    row['not_as_stated'] += 1
    row['past_bound'] += int('took ' in failure_text and 'allowed under load' in failure_text)
    row['secrets_shown'] += int('a secret in the output' in failure_text)
    row['tracebacks'] += int('Traceback' in failure_text or 'an exception escaped the module' in failure_text)


def figures(tests):
    """(rows by name, the suite's own checks, problems) from the collected tests' outcomes."""
    by_id = dict((entry['id'], entry) for entry in case_table.CASES)
    rows = {}
    own_checks = [0, 0]
    problems = []
    for nodeid, outcome in sorted(tests.items()):
        status, text = outcome or ('not run', '')
        failure = None if status == 'passed' else (text or status)
        path, _sep, _name = nodeid.partition('::')
        file_name = os.path.basename(path)
        match = CASE_TEST.search(nodeid)
        if match:
            entry = by_id[match.group('id')]
            _count(rows.setdefault(KIND_ROWS[entry['kind']], _row()), entry['expect']['failed'], failure)
        elif nodeid.endswith(FLOW_TEST):
            failing = set(FLOW_CASE_LINE.findall(text)) if failure else set()
            for entry in suite.flow_cases():
                shown = failure if entry['id'] in failing or (failure and not failing) else None
                row = rows.setdefault(ROLE_ROW if entry['module'] == 'role' else FLOW_ROW, _row())
                _count(row, entry['expect']['failed'], shown)
        elif file_name in ('test_hostile.py', 'test_no_secret_at_vvvv.py'):
            own_checks[0] += 1
            own_checks[1] += int(failure is None)
        else:
            name = file_name[len('test_'):-len('.py')].replace('_', ' ')
            row = rows.setdefault(name, _row())
            row['cases'] += 1
            row['held'] += int(failure is None)
            row['not_as_stated'] += int(failure is not None)
            row['clear_errors'] = row['correct_results'] = None
        if failure:
            problems.append('%s: %s' % (nodeid, ' '.join(failure.split())[-500:]))
    return rows, own_checks, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--jobs', type=int, default=2)
    args = parser.parse_args()
    collector = Collector()
    started = time.monotonic()
    os.chdir(REPO_ROOT)
    pytest.main([HOSTILE_DIR, '-q', '-n', str(args.jobs), '-p', 'no:cacheprovider'], plugins=[collector])
    elapsed = time.monotonic() - started
    rows, own_checks, problems = figures(collector.tests)
    order = list(KIND_ROWS.values()) + [ROLE_ROW]
    names = [name for name in order if name in rows] + sorted(name for name in rows if name not in order + [FLOW_ROW])
    total = dict((key, sum(rows[name][key] or 0 for name in names)) for key in KEYS)
    table = [[name] + ['-' if rows[name][key] is None else rows[name][key] for key in KEYS] for name in names]
    table.append(['**all**'] + ['**%d**' % total[key] for key in KEYS])
    if FLOW_ROW in rows:
        table.append([FLOW_ROW + ' (not in the total)'] + [rows[FLOW_ROW][key] for key in KEYS])
    print('\n'.join(rst.list_table(['area', 'cases', 'held', 'clear errors', 'correct results', 'not as stated',
                                    'past their bound', 'secrets shown', 'tracebacks'], table)))
    print('\nChecks of the suite itself: %d, %d passed. Wall time: %.0f s with %d jobs.'
          % (own_checks[0], own_checks[1], elapsed, args.jobs))
    for problem in problems:
        print('- %s' % problem)


if __name__ == '__main__':
    main()
