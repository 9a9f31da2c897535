# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugins in-process, as ansible-core's own unit tests run them.

``make_action(plugin, args, ...)`` builds a plugin's ActionModule from a task, a connection and a play context
made of simple objects. ``ModuleStandIn(...).install(action)`` takes the place of that instance's
``_execute_module`` (the plugin's own seam to its module): it records what the plugin asked for and the
environment the task gives the module, appends progress records to the file that environment names (with the
module's own ``poll_recorder``), and returns what the module would.
"""

import copy
import time
import types
from unittest import mock

from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import module_sets_fact, poll_recorder, with_batch_fact

HOST = 'pc-host'
BATCH = '2c847dea-0b1d-4c5e-8f70-a1b2c3d4e5f6'
SHORT = BATCH[:8] + '\u2026'


def make_action(plugin, args, async_val=0, check_mode=False, transport='local', become=False, environment=None,
                has_native_async=False):
    """``plugin``'s ActionModule for a task with ``args``, on a connection of ``transport``."""
    task = mock.MagicMock(Task)
    task.args = dict(args)
    task.async_val = async_val
    task.check_mode = check_mode
    task.environment = environment
    task.action = plugin.__name__.rsplit('.', 1)[-1]
    connection = types.SimpleNamespace(transport=transport, has_native_async=has_native_async,
                                       _shell=types.SimpleNamespace(tmpdir=None))
    play_context = PlayContext()
    play_context.become = become
    play_context.check_mode = check_mode
    return plugin.ActionModule(task, connection, play_context, loader=None, templar=None, shared_loader_obj=None)


def task_environment(environment):
    """The variables a task's ``environment`` (None, a dict, or a list of dicts) gives its module, later ones winning."""
    merged = {}
    for entry in environment if isinstance(environment, list) else [environment]:
        merged.update(entry or {})
    return merged


def details(status, device_statuses=(), error_codes=()):
    """batch_upload_details as the modules return them: ``status``, one device per entry of ``device_statuses``."""
    codes = list(error_codes) + [None] * (len(device_statuses) - len(error_codes))
    return dict(batch_tracking_id=BATCH, status=status,
                devices_status=[dict(serial_number='SN-%d' % number, status=device_status, error_code=code)
                                for number, (device_status, code) in enumerate(zip(device_statuses, codes))])


class ModuleStandIn:
    """What the module does when the plugin runs it: ``polls`` (batch_upload_details, one per poll) written as progress
    records when the environment names a progress file, then ``result`` (or ``raises``).

    ``sets_fact``: the module sets the fact itself unless the plugin's environment says the plugin does (as
    batch_upload_status does). ``during(poll_number)`` runs after each poll is written.
    """

    def __init__(self, result, polls=(), sets_fact=False, raises=None, during=None):
        self.result = result
        self.polls = list(polls)
        self.sets_fact = sets_fact
        self.raises = raises
        self.during = during
        self.calls = []

    def install(self, action):
        def execute(module_name=None, module_args=None, task_vars=None, wrap_async=False, **_other):
            environment = task_environment(action._task.environment)  # pylint: disable=protected-access
            self.calls.append(dict(module_name=module_name, module_args=module_args, task_vars=task_vars, wrap_async=wrap_async,
                                   environment=environment))
            on_poll = poll_recorder(BATCH, environ=environment)
            for number, poll in enumerate(self.polls, 1):
                if on_poll:
                    on_poll(poll, number, 2.0 * number)
                if self.during:
                    self.during(number)
            if self.raises is not None:
                raise self.raises
            result = copy.deepcopy(self.result)
            if self.sets_fact and module_sets_fact(environment):
                with_batch_fact(result)
            return result

        action._execute_module = execute  # pylint: disable=protected-access
        return self

    @property
    def call(self):
        """The one call the plugin made."""
        assert len(self.calls) == 1, self.calls
        return self.calls[0]


def shown_lines(output, host=HOST):
    """The progress lines Display printed for ``host``."""
    return [line for line in output.splitlines() if line.startswith('%s | batch ' % host)]


def wait_for_output(capsys, predicate, seconds=5.0):
    """Standard output printed so far (read with capsys) once ``predicate`` holds for it, or when ``seconds`` have passed."""
    seen = ''
    deadline = time.monotonic() + seconds
    while True:
        seen += capsys.readouterr().out
        if predicate(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)
