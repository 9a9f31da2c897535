# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of a module that waits for a batch, shown on the controller while the module runs.

The module does the whole wait itself (one token, its time bound, Retry-After, every result key); this
only watches. When the task waits and runs with a local connection, a temporary file is made on the
controller and named to the module through its environment (PROGRESS_FILE_ENV); the module
appends one JSON line per poll, and a thread shows the lines worth showing (progress_lines.py) with
Display, which reaches the terminal and AWX job output alike. Remote, become or async runs get no live
lines and the same result.

For batch_upload_status it also sets the fact partnercenter_batch_upload_details. ansible-core handles a
fact at a cost that grows with its size (the module's JSON, the worker's decoding, its copies of facts),
so a 10,000-device batch sent as a fact and again as a result key costs about twice what it needs to.
When this plugin runs the module and sees it finish (every run but an async one), it tells the module
through FACT_BY_ACTION_ENV to leave the fact out, and sets the fact itself from batch_upload_details:
the very same object, which came from the module once. Async runs get the fact from the module.

The module's side of both, and the names of the variables, are in module_utils/action_handshake.py.
"""

import os
import tempfile
import threading

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import FACT_BY_ACTION_ENV, PROGRESS_FILE_ENV, with_batch_fact
from ansible_collections.partnercenter.devices.plugins.plugin_utils.progress_lines import ProgressTail, heartbeat_seconds

display = Display()

# How often the thread looks at the file: often enough that a line shows within a second of its poll.
_TAIL_INTERVAL = 0.25


class WaitProgressAction(ActionBase):
    """Runs the module named MODULE, showing its progress when the task waits."""

    MODULE = None
    # Whether the module's result holds batch_upload_details that this plugin sets as the fact.
    SETS_BATCH_FACT = False
    _supports_check_mode = True
    _supports_async = True

    def _shows_progress(self):
        if not self._task.args.get('wait') in (True, 'true', 'True', 'yes', 'on', '1', 1):
            return False
        if self._task.async_val or getattr(self._play_context, 'become', False):
            return False
        return getattr(self._connection, 'transport', None) == 'local'

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        extra_environment = {}
        if self.SETS_BATCH_FACT and not self._task.async_val:
            # This run is seen to its end: the fact is set here, not carried from the module twice.
            extra_environment[FACT_BY_ACTION_ENV] = '1'
        watcher = None
        if self._shows_progress():
            watcher = _ProgressWatcher(task_vars.get('inventory_hostname') if task_vars else None)
            extra_environment[PROGRESS_FILE_ENV] = watcher.path
        saved_environment = self._task.environment
        if extra_environment:
            environments = [] if saved_environment is None else list(
                saved_environment if isinstance(saved_environment, list) else [saved_environment])
            self._task.environment = environments + [extra_environment]
        try:
            module_result = self._execute_module(module_name=self.MODULE, module_args=self._task.args,
                                                 task_vars=task_vars, wrap_async=wrap_async)
        finally:
            if watcher:
                watcher.finish()
            self._task.environment = saved_environment
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        result = merge_hash(result, module_result)
        if FACT_BY_ACTION_ENV in extra_environment:
            with_batch_fact(result)
        return result


class _ProgressWatcher:
    """A temporary file for the module's poll lines (``path``), and a thread that shows those worth showing until
    finish()."""

    def __init__(self, host):
        handle, self.path = tempfile.mkstemp(prefix='partnercenter-progress-', suffix='.jsonl')
        os.close(handle)
        self.host = host
        self.tail = ProgressTail(self.path, heartbeat=heartbeat_seconds())
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name='partnercenter-progress', daemon=True)
        self.thread.start()

    def _show(self):
        for line in self.tail.lines():
            display.display('%s%s' % ('%s | ' % self.host if self.host else '', line))

    def _watch(self):
        while not self.stop.wait(_TAIL_INTERVAL):
            self._show()

    def finish(self):
        """Stop the thread, show the polls written after its last look, remove the file."""
        self.stop.set()
        self.thread.join()
        self._show()
        try:
            os.unlink(self.path)
        except OSError:
            pass
