# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile suite in-process: one test per case of cases.py (the role's run in test_no_secret_at_vvvv.py).

Each case runs its module's ``main()`` against a fresh hostile server (and a fresh simulator when it names one) and
fails listing everything it did not do as stated: its outcome, message, result keys, warning, the requests the hostile
server saw, its bound in seconds, and the global checks on what it printed (no escaped exception, no ``Traceback``, no
secret in any form, no request that a local check should have stopped). Select one with
``-k <case id>``.
"""

import pytest

import suite
import cases as case_table
from servers import HostileServer

IN_PROCESS = [entry for entry in case_table.CASES if entry['module'] != 'role']


@pytest.fixture(scope='module')
def case_files(tmp_path_factory):
    """The files the CSV cases name under {TMP}, made once per module and worker."""
    directory = tmp_path_factory.mktemp('hostile-files')
    suite.make_files(str(directory))
    return str(directory)


@pytest.mark.parametrize('entry', IN_PROCESS, ids=[entry['id'] for entry in IN_PROCESS])
def test_hostile_case(entry, run_module, make_simulator, case_files):
    simulator = make_simulator() if suite.needs_simulator(entry) else None
    server = HostileServer()
    server.start()
    try:
        ran, outcome, output = suite.run_case(entry, run_module, server, simulator, case_files)
    finally:
        server.stop()
    problems = suite.judge(ran, outcome, server, output) + suite.output_problems(output, server, simulator)
    assert not problems, '%s:\n%s' % (entry['id'], '\n'.join(problems))


def test_the_suite_has_enough_cases_over_every_module():
    modules = set(entry['module'] for entry in case_table.CASES)
    assert len(case_table.CASES) >= 150
    assert modules == {'access_token', 'status', 'device_batch', 'device_batch_info', 'role'}
    variants = set(entry['variant'] for entry in case_table.CASES)
    assert {'bulk', 'status_wait', 'bulk_wait', 'device_batch_wait'} <= variants
    kinds = set(entry['kind'] for entry in case_table.CASES)
    assert kinds == {'input', 'server', 'token', 'shape', 'sim', 'role'}
