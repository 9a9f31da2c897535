# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cases that share ansible-playbook runs, each on a host of its own (playbooks/cases.yml).

An ``ansible-playbook`` run costs about a second of CPU before its first task, so tests that each make
one short run spend most of their time starting Ansible. Such tests are written as the cases of a
Table instead, and one test runs the whole table, in one run per step::

    CASES = shared_cases.Table('batch_upload_status.yml')

    @CASES.case
    def request_headers_follow_the_documentation(simulator):
        run = yield shared_cases.Case(dict(customer_id=..., locale='fr-FR'), environment=credentials(simulator))
        assert run.results['result']['correlation_id'] == ...

    def test_shared_cases(make_simulator, collections_path, tmp_path):
        CASES.check(make_simulator, collections_path, tmp_path)

A case is a generator function, as a test would be written: it gets a simulator of its own (and, if it
takes a second argument, a directory of its own), yields what to run (a Case, or a list of them),
receives the outcome (a list for a list), and asserts; it may yield again, for a second step that
depends on the first. Every case's first step runs in one playbook run, every second step in the
next, and so on: a table costs as many runs as its longest case has steps. Each Case is
a host: its vars are the options of its one-module task file (playbooks/tasks/), and it has its own
environment, check mode and facts. An outcome has ``results`` (what the task file kept: outcome,
result, fact ...), and the ``output`` and ``returncode`` of the whole run: an output check therefore
sees every case's output (a secret must show in none).

``check`` fails naming every case that failed, with the line and message of its failed assertion.
"""

import json
import os
import pathlib
import traceback
import types

import harness

PLAYBOOK = os.path.join(harness.TESTS_DIR, 'integration', 'playbooks', 'cases.yml')


class Case:
    """One host of a shared run: its module's options, and its own environment and check mode."""

    def __init__(self, options, environment=None, check_mode=False, tasks=None):
        self.options = dict(options)
        self.environment = dict(environment or {})
        self.check_mode = check_mode
        self.tasks = tasks


class Table:
    """Cases run by one task file (``tasks``, the default of each Case) in one ansible-playbook run."""

    def __init__(self, tasks):
        self.tasks = tasks
        self.cases = []

    def case(self, function=None, seed_change=None):
        """Register a case (a generator function taking its simulator), as ``@table.case``, or
        ``@table.case(seed_change=change)`` for a simulator whose seed ``change(seed)`` alters; returns it unchanged."""
        if function is None:
            return lambda function: self.case(function, seed_change)
        function.seed_change = seed_change
        self.cases.append(function)
        return function

    def check(self, make_simulator, collections_path, workdir):
        """Run every case, a playbook run per round, and fail naming each case whose assertions failed."""
        problems = []
        waiting = []  # (case function, its generator, what it asked to run next)
        for function in self.cases:
            arguments = [make_simulator(function.seed_change)]
            if function.__code__.co_argcount > 1:  # a case that writes files gets a directory of its own
                arguments.append(pathlib.Path(workdir) / function.__name__)
                arguments[-1].mkdir()
            _advance(function, function(*arguments), None, waiting, problems)
        run = None
        while waiting:
            run, outcomes = self._run_round(waiting, collections_path, workdir)
            asked_before, waiting = waiting, []
            for (function, generator, unused_asked), shown in zip(asked_before, outcomes):
                if shown is None:
                    problems.append('%s: no outcome (see the run)' % function.__name__)
                else:
                    _advance(function, generator, shown, waiting, problems)
        assert not problems, '%d of %d cases failed:\n%s\n\nthe last run: %s' % (
            len(problems), len(self.cases), '\n'.join(problems), run.output[-6000:] if run else '')

    def _run_round(self, waiting, collections_path, workdir):
        """One playbook run of what each waiting case asked: (the run, each case's outcome or list of them, or None)."""
        hosts = {}
        asked_ids = []  # per waiting case, the id of each Case it asked for
        for number, (unused_function, unused_generator, asked) in enumerate(waiting):
            cases = asked if isinstance(asked, list) else [asked]
            asked_ids.append(['%d_%d' % (number, index) for index in range(len(cases))])
            for case_id, case in zip(asked_ids[-1], cases):
                hosts['case_' + case_id] = dict(case.options, case_id=case_id, case_tasks=case.tasks or self.tasks,
                                                case_environment=case.environment, case_check_mode=case.check_mode)
        inventory = os.path.join(str(workdir), 'cases.json')
        with open(inventory, 'w', encoding='utf-8') as handle:
            json.dump({'all': {'hosts': hosts}}, handle)
        run = harness.run_playbook(PLAYBOOK, collections_path, str(workdir), inventory=inventory)
        kept = run.results.get('case_outcomes') or {}
        outcomes = []
        for (unused_function, unused_generator, asked), ids in zip(waiting, asked_ids):
            if not all(case_id in kept for case_id in ids):
                outcomes.append(None)
                continue
            shown = [types.SimpleNamespace(results=kept[case_id], output=run.output, returncode=run.returncode)
                     for case_id in ids]
            outcomes.append(shown if isinstance(asked, list) else shown[0])
        return run, outcomes


def _advance(function, generator, outcome, waiting, problems):
    """Hand a case its outcome (None to start it): what it asks next joins ``waiting``, a failure ``problems``."""
    try:
        asked = next(generator) if outcome is None else generator.send(outcome)
    except StopIteration:
        return
    except Exception as error:  # pylint: disable=broad-exception-caught  # reported with its case
        where = traceback.extract_tb(error.__traceback__)[-1]
        problems.append('%s: line %d (%s): %s: %s' % (function.__name__, where.lineno, where.line,
                                                      type(error).__name__, error))
        return
    waiting.append((function, generator, asked))
