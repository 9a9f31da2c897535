# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 4: every fault of fault_cases.CASES driven through a real ansible-playbook run at -vvvv.

Each scenario starts from a fresh simulator of its own, injects its faults, reads the documented
example batch with app-only credentials (scenarios share playbook runs, a task each) and checks,
from the simulator's statistics and the saved results: the attempts in order, the MS-RequestId of
each, one warning per retry naming what went wrong and the wait, the outcome (recovered, or failed
with a clear message), and that no secret nor token, and no traceback, shows in the output.

The last three tests pin down bugs this suite found (redaction that garbled descriptions, a
malformed 200 without status and ids, a truncated body that did not say what came back).
"""

import types

import fault_cases
import harness
import pytest


def run_scenario(simulator, playbook, row):
    """Inject the scenario's faults, run the playbook at -vvvv; return (run, settled stats)."""
    fault_cases.inject(simulator, row)
    run = playbook(fault_cases.PLAYBOOK, fault_cases.extra_vars(row), env=harness.simulator_credentials(simulator.url),
                   verbosity=4)
    return run, fault_cases.settled_stats(simulator, row)


# A Retry-After given as an HTTP date counts from the moment its fault is injected: such a scenario gets a run of its
# own. The others share runs, PARTS of them (a playbook run costs about a second of CPU before its first task).
ALONE = [row for row in fault_cases.CASES
         if any(isinstance(spec.get('retry_after'), fault_cases.HttpDateIn) for spec in row['faults'])]
SHARED = [row for row in fault_cases.CASES if row not in ALONE]
PARTS = 3
MARKER = 'fault scenario %s starts'


def scenario_part(stream, rows, index):
    """The part of one output stream of a shared run that belongs to rows[index]: from its marker to the next one."""
    start = stream.find(MARKER % rows[index]['id'])
    end = stream.find(MARKER % rows[index + 1]['id']) if index + 1 < len(rows) else len(stream)
    return stream[start:end] if start >= 0 else ''


@pytest.mark.parametrize('row', ALONE, ids=[row['id'] for row in ALONE])
def test_fault_scenario_with_an_http_date(simulator, playbook, row):
    run, stats = run_scenario(simulator, playbook, row)
    problems = fault_cases.check(row, run, stats)
    assert not problems, '\n'.join(problems) + '\n\n' + run.output[-6000:]


@pytest.mark.parametrize('part', range(PARTS))
def test_fault_scenarios(part, make_simulator, playbook):
    """Every other scenario, a part of them in one run, each against a simulator of its own."""
    rows = SHARED[part::PARTS]
    simulators = [make_simulator() for unused_row in rows]
    scenarios = []
    for row, simulator in zip(rows, simulators):
        fault_cases.inject(simulator, row)
        variables = dict(base_url=simulator.url, authority_url=simulator.url)
        variables.update(fault_cases.extra_vars(row))
        scenarios.append(dict(id=row['id'], vars=variables))
    # The markers show on stdout and, as warnings, on stderr beside the retry warnings (lookup_plugins/output_marker.py).
    env = dict(harness.simulator_credentials(simulators[0].url), ANSIBLE_LOOKUP_PLUGINS=harness.LOOKUP_DIR)
    run = playbook('fault_scenarios.yml', dict(fault_scenarios=scenarios), env=env, verbosity=4)
    outcomes = run.results.get('fault_outcomes') or {}
    problems = []
    for index, (row, simulator) in enumerate(zip(rows, simulators)):
        stats = fault_cases.settled_stats(simulator, row)
        # check() reads one scenario's run: its part of the output, its outcome as batch_upload_status.yml saves it.
        part_output = scenario_part(run.stdout, rows, index) + scenario_part(run.stderr, rows, index)
        alone = types.SimpleNamespace(output=part_output, returncode=run.returncode,
                                      results=outcomes.get(row['id']) or {})
        found = fault_cases.check(row, alone, stats)
        # And no secret of the scenario anywhere in the whole run.
        found += ['a secret in the output of the run: %s' % leak for leak in fault_cases.leaks(row, run, stats)]
        problems.extend('%s: %s' % (row['id'], problem) for problem in found)
    assert len(outcomes) == len(rows), run.output[-6000:]
    assert not problems, '\n'.join(problems) + '\n\n' + run.output[-6000:]


def test_table_covers_issue_4():
    assert len(set(fault_cases.CASE_IDS)) == len(fault_cases.CASES)
    kinds = set((spec['kind'], spec['match']) for row in fault_cases.CASES for spec in row['faults'])
    for kind in ('status', 'delay', 'drop', 'invalid_json', 'truncated', 'expire_token'):
        assert (kind, 'api') in kinds
    statuses = set(spec.get('status') for row in fault_cases.CASES for spec in row['faults'] if spec['kind'] == 'status')
    assert {429, 500, 502, 503, 504, 400, 403, 404, 409} <= statuses
    assert ('status', 'token') in kinds
    outcomes = [row['outcome'] for row in fault_cases.CASES]
    assert 'recovered' in outcomes and 'failed' in outcomes


# -- bugs found by this suite, fixed ---------------------------------------------------------------------------------------------------


def test_partner_center_description_is_reported_whole(simulator, playbook):
    row = fault_cases.case('401-twice-description', '401 twice', faults=[fault_cases.fault('expire_token', count=2)],
                           outcome='failed', api=[401, 401], token=[200, 200])
    run, stats = run_scenario(simulator, playbook, row)
    assert fault_cases.api_attempts(row, stats)[0] == [401, 401]
    result = run.results['result']
    assert result['error_description'] == 'Access denied: the bearer token has expired.'
    assert 'Access denied: the bearer token has expired.' in result['msg']


def test_200_without_expected_fields_returns_status_and_request_id(simulator, playbook):
    row = fault_cases.case('200-without-fields', '200 with {"items": []}',
                           faults=[fault_cases.fault('status', status=200, body={'items': []})], outcome='failed', api=[200])
    run, stats = run_scenario(simulator, playbook, row)
    [record] = stats['api_requests']
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert result.get('http_status') == 200
    assert result.get('request_id') == record['request_id']


def test_truncated_body_failure_says_what_came_back(simulator, playbook):
    row = fault_cases.case('truncated-retries-0', 'truncated body, retries=0', faults=[fault_cases.fault('truncated')],
                           extra_vars={'retries': 0}, outcome='failed', api=['truncated'])
    run, stats = run_scenario(simulator, playbook, row)
    assert fault_cases.api_attempts(row, stats)[0] == ['truncated']
    result = run.results['result']
    assert run.results['outcome'] == 'failed'
    assert 'HTTP 200' in result['msg']
    assert 'application/json' in result['msg']
    assert '{"batchTrackingId"' in result['msg']
    assert result.get('http_status') == 200
