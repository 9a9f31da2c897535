# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile suite (issue 12): every case of cases.py through real ansible-playbook runs at -vvvv.

One test per group of cases (one playbook run each), so that xdist runs groups side by side. A
test fails listing every case that did not do what it states, and every global problem (a
traceback, ``Module failed``, a secret in the output, a request that local checks should have
stopped). Cases that depend on another owner's fix are named in the message with that owner.
"""

import pytest

import suite
import cases as case_table


def _report(per_case, global_problems, group_cases):
    lines = list(global_problems)
    for entry in group_cases:
        problems = per_case[entry['id']]
        if problems:
            owner = ' [depends on %s]' % entry['depends_on'] if entry.get('depends_on') else ''
            lines.append('%s%s: %s' % (entry['id'], owner, '; '.join(problems)))
    return lines


@pytest.mark.parametrize('group', case_table.GROUPS)
def test_hostile_group(group, simulator, collections_path, tmp_path):
    run, server, group_cases = suite.run_group(group, simulator, collections_path, str(tmp_path))
    per_case, global_problems = suite.judge_run(run, server, simulator, group_cases)
    problems = _report(per_case, global_problems, group_cases)
    assert not problems, '%d problems in group %s:\n%s' % (len(problems), group, '\n'.join(problems))


def test_the_suite_has_enough_cases_over_every_module():
    modules = set(entry['module'] for entry in case_table.CASES)
    assert len(case_table.CASES) >= 150
    assert modules == {'access_token', 'status', 'device_batch', 'device_batch_info', 'role'}
    variants = set(entry['variant'] for entry in case_table.CASES)
    assert {'bulk', 'status_wait', 'bulk_wait', 'device_batch_wait'} <= variants
