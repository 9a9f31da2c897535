# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile suite's one playbook flow: the role's cases and a handful of module cases in one ansible-playbook run at -vvvv.

What only a playbook shows: the wait_for_batch_upload role, and that nothing ansible-playbook prints at -vvvv (task
arguments, module invocations, results, the role's messages) holds a secret, whether the credentials came from task
arguments or from the PARTNER_CENTER_* environment. Each case is judged as in test_hostile.py; the test fails listing
every case not as stated and every problem of the whole output.
"""

import suite
import cases as case_table


def test_the_flow_covers_the_role_and_both_credential_sources():
    flow = suite.flow_cases()
    assert set(entry['credentials'] for entry in flow if entry['module'] == 'role') == {'env', 'args'}
    assert set(entry['credentials'] for entry in flow if entry['module'] != 'role') == {'env', 'args'}
    assert {'access_token', 'status', 'device_batch', 'role'} <= set(entry['module'] for entry in flow)
    assert [entry['id'] for entry in case_table.CASES if entry['module'] == 'role'] == \
        [entry['id'] for entry in flow if entry['module'] == 'role']


def test_hostile_cases_at_vvvv_show_no_secret(simulator, collections_path, tmp_path):
    run, server, cases, outcomes = suite.run_flow(simulator, collections_path, str(tmp_path))
    problems = []
    if run.returncode != 0:
        problems.append('ansible-playbook exited %d: %s' % (run.returncode, run.output[-3000:]))
    problems += suite.output_problems(run.output, server, simulator)
    for entry in cases:
        found = suite.judge(entry, outcomes.get(entry['id']), server, run.output)
        if found:
            problems.append('%s (credentials from %s): %s' % (entry['id'], entry['credentials'], '; '.join(found)))
    assert not problems, '%d problems:\n%s' % (len(problems), '\n'.join(problems))
