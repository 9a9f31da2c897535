# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every fault scenario of tests/integration/fault_cases.py and print the figures as RST.

Usage: ``.venv/bin/python tests/tools/fault_report.py`` (from the repository root or anywhere).

Each scenario gets a fresh simulator and one real ``ansible-playbook`` run at ``-vvvv``, checked by
the same ``fault_cases.check`` as ``tests/integration/test_faults.py``. The output is the table
pasted into ``docs/docsite/rst/reliability.rst``. The exit status is 1 when any scenario did not behave as the
table says (the problems are listed under the table).
"""

import datetime
import os
import platform
import sys
import tempfile
import time

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [TESTS_DIR, os.path.join(TESTS_DIR, 'integration')]

import fault_cases  # noqa: E402  pylint: disable=wrong-import-position
import rst  # noqa: E402  pylint: disable=wrong-import-position
import harness  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION  # noqa: E402  pylint: disable=wrong-import-position
from partner_center_simulator import PartnerCenterSimulator, load_seed  # noqa: E402  pylint: disable=wrong-import-position,import-error

PLAYBOOK_PATH = os.path.join(harness.TESTS_DIR, 'integration', 'playbooks', fault_cases.PLAYBOOK)


def run_row(row, collections_path):
    """Run one scenario against its own simulator; return a dict of what came of it."""
    simulator = PartnerCenterSimulator(load_seed(harness.DEFAULT_SEED))
    simulator.start()
    try:
        fault_cases.inject(simulator, row)
        workdir = tempfile.mkdtemp(prefix='fault-report-')
        started = time.monotonic()
        run = harness.run_playbook(PLAYBOOK_PATH, collections_path, workdir, extra_vars=fault_cases.extra_vars(row),
                                   env=harness.simulator_credentials(simulator.url), verbosity=4)
        wall = time.monotonic() - started
        stats = fault_cases.settled_stats(simulator, row)
    finally:
        simulator.stop()
    problems = fault_cases.check(row, run, stats)
    return {
        'row': row,
        'wall': wall,
        'problems': problems,
        'api': fault_cases.api_attempts(row, stats)[0],
        'token': fault_cases.token_attempts(row, stats),
        'injected': fault_cases.faults_injected(row, stats),
        'secrets_checked': set(fault_cases.secrets_to_hide(row, stats)),
        'leaks': fault_cases.leaks(row, run, stats),
        'traceback': 'Traceback' in run.output,
        'warnings': len(fault_cases.retry_warnings(run.output)),
    }


def outcome_text(report):
    """recovered / failed clearly, or what went wrong."""
    if report['problems']:
        return '**not as expected**'
    return 'recovered' if report['row']['outcome'] == 'recovered' else 'failed clearly'


def attempts_text(attempts):
    """``3: 429, 429, 200``."""
    if not attempts:
        return '0'
    return '%d: %s' % (len(attempts), ', '.join(str(item) for item in attempts))


def figures(reports, started_at, total_wall):
    """The figures as RST: one row per scenario, then the totals."""
    lines = [
        'Produced by ``.venv/bin/python tests/tools/fault_report.py`` on %s (ansible-core %s, Python %s, %s).'
        % (started_at.strftime('%Y-%m-%d %H:%M UTC'), ANSIBLE_CORE_VERSION, platform.python_version(), platform.system()),
        '',
    ]
    lines += rst.list_table(
        ['scenario', 'faults injected', 'outcome', 'API attempts', 'token requests', 'retry warnings', 'wall time'],
        [[rst.literal(report['row']['id']), '%s (%d)' % (report['row']['what'], report['injected']), outcome_text(report),
          attempts_text(report['api']), attempts_text(report['token']), report['warnings'], '%.1f s' % report['wall']]
         for report in reports])
    recovered = [r for r in reports if not r['problems'] and r['row']['outcome'] == 'recovered']
    failed = [r for r in reports if not r['problems'] and r['row']['outcome'] == 'failed']
    unexpected = [r for r in reports if r['problems']]
    secrets_checked = set()
    for report in reports:
        secrets_checked |= report['secrets_checked']
    lines.append('')
    lines += rst.list_table(['total', ''], [
        ['scenarios', len(reports)],
        ['faults injected', sum(r['injected'] for r in reports)],
        ['survived (the task recovered)', '%d faults in %d scenarios' % (sum(r['injected'] for r in recovered), len(recovered))],
        ['failed clearly', '%d faults in %d scenarios' % (sum(r['injected'] for r in failed), len(failed))],
        ['not as expected', '%d scenarios' % len(unexpected)],
        ['leaks found', '%d (%d distinct secret and token values looked for in every output and result)'
         % (sum(len(r['leaks']) for r in reports), len(secrets_checked))],
        ['tracebacks', sum(1 for r in reports if r['traceback'])],
        ['wall time', '%.0f s, one scenario after another' % total_wall],
    ])
    for report in unexpected:
        lines += ['', '%s:' % rst.literal(report['row']['id']), ''] + ['- %s' % problem for problem in report['problems']]
    return '\n'.join(lines)


def main():
    """Run the table, print the RST; 0 when every scenario behaved as the table says."""
    collections_path = harness.make_collections_path()
    started_at = datetime.datetime.now(datetime.timezone.utc)
    started = time.monotonic()
    reports = []
    for row in fault_cases.CASES:
        sys.stderr.write('%s ...\n' % row['id'])
        reports.append(run_row(row, collections_path))
    print(figures(reports, started_at, time.monotonic() - started))
    return 1 if any(report['problems'] for report in reports) else 0


if __name__ == '__main__':
    sys.exit(main())
