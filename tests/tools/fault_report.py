# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every fault scenario of tests/unit/plugins/modules/test_faults.py and print the figures as RST.

Usage: ``.venv/bin/python tests/tools/fault_report.py`` (from the repository root or anywhere).

Each scenario gets a fresh simulator and one in-process run of batch_upload_status, checked by the same
``test_faults.check`` as the tests. The output is the table pasted into ``docs/docsite/rst/reliability.rst``.
The exit status is 1 when any scenario did not behave as the table says (the problems are listed under the table).
"""

import contextlib
import datetime
import importlib
import io
import json
import os
import platform
import sys
import time

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [TESTS_DIR, os.path.join(TESTS_DIR, 'unit', 'plugins', 'modules')]

import harness  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, harness.make_collections_path())

import in_process  # noqa: E402  pylint: disable=wrong-import-position
import rst  # noqa: E402  pylint: disable=wrong-import-position
import test_faults  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils.common import warnings as module_warnings  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ENV_VARS  # noqa: E402  pylint: disable=wrong-import-position,import-error
from partner_center_simulator import PartnerCenterSimulator, load_seed  # noqa: E402  pylint: disable=wrong-import-position,import-error


def call_module(name, args):
    """Run plugins/modules/<name>.py's main() in this process, as tests/in_process.py's run_module does."""
    module = importlib.import_module('ansible_collections.partnercenter.devices.plugins.modules.' + name)
    for collected in ('_global_warnings', '_global_deprecations'):
        setattr(module_warnings, collected, type(getattr(module_warnings, collected))())
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with in_process.module_args(dict(args, _ansible_check_mode=False, _ansible_diff=False)):
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                module.main()
            except SystemExit as exit_info:
                code = exit_info.code or 0
    output = stdout.getvalue()
    return in_process.ModuleResult(json.loads(output.strip().splitlines()[-1]), code, output, stderr.getvalue())


def run_row(row):
    """Run one scenario against its own simulator; return a dict of what came of it."""
    seed = load_seed(harness.DEFAULT_SEED)
    test_faults.seed_change(row)(seed)
    simulator = PartnerCenterSimulator(seed)
    simulator.start()
    try:
        started = time.monotonic()
        result, stats = test_faults.run_scenario(simulator, row, call_module)
        wall = time.monotonic() - started
    finally:
        simulator.stop()
    return {
        'row': row,
        'wall': wall,
        'problems': test_faults.check(row, result, stats),
        'api': test_faults.api_attempts(row, stats)[0],
        'token': test_faults.token_attempts(row, stats),
        'injected': test_faults.faults_injected(row, stats),
        'secrets_checked': set(test_faults.secrets_to_hide(row, stats)),
        'leaks': test_faults.leaks(row, result, stats),
        'traceback': 'Traceback' in result.output,
        'warnings': len(test_faults.retry_warnings(result.warnings)),
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
    started_at = datetime.datetime.now(datetime.timezone.utc)
    started = time.monotonic()
    reports = []
    for row in test_faults.SCENARIOS:
        sys.stderr.write('%s ...\n' % row['id'])
        for variable in ENV_VARS.values():
            os.environ.pop(variable, None)  # only what a scenario gives reaches the module
        reports.append(run_row(row))
    print(figures(reports, started_at, time.monotonic() - started))
    return 1 if any(report['problems'] for report in reports) else 0


if __name__ == '__main__':
    sys.exit(main())
