# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of a module that waits for a batch, shown on the controller while the module runs.

The module does the whole wait itself (one token, its time bound, Retry-After, every result key); this
only watches. When the task waits and runs with a local connection, a temporary file is made on the
controller and named to the module through its environment (progress.PROGRESS_FILE_ENV); the module
appends one JSON line per poll, and a thread shows the lines worth showing with Display, which reaches
the terminal and AWX job output alike. Remote, become or async runs get no live lines and the same result.
"""

import os
import tempfile
import threading

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.partnercenter.devices.plugins.module_utils.progress import (
    PROGRESS_FILE_ENV,
    ProgressTail,
    heartbeat_seconds,
)

display = Display()

# How often the thread looks at the file: often enough that a line shows within a second of its poll.
_TAIL_INTERVAL = 0.25


class WaitProgressAction(ActionBase):
    """Runs the module named MODULE, showing its progress when the task waits."""

    MODULE = None
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
        if not self._shows_progress():
            result = merge_hash(result, self._execute_module(module_name=self.MODULE, module_args=self._task.args,
                                                             task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result

        handle, path = tempfile.mkstemp(prefix='partnercenter-progress-', suffix='.jsonl')
        os.close(handle)
        saved_environment = self._task.environment
        environments = [] if saved_environment is None else list(
            saved_environment if isinstance(saved_environment, list) else [saved_environment])
        self._task.environment = environments + [{PROGRESS_FILE_ENV: path}]
        stop = threading.Event()
        tail = ProgressTail(path, heartbeat=heartbeat_seconds())
        host = task_vars.get('inventory_hostname') if task_vars else None

        def show():
            for line in tail.lines():
                display.display('%s%s' % ('%s | ' % host if host else '', line))

        def watch():
            while not stop.wait(_TAIL_INTERVAL):
                show()

        watcher = threading.Thread(target=watch, name='partnercenter-progress', daemon=True)
        watcher.start()
        try:
            result = merge_hash(result, self._execute_module(module_name=self.MODULE, module_args=self._task.args,
                                                             task_vars=task_vars))
        finally:
            stop.set()
            watcher.join()
            show()  # the polls written after the last look
            self._task.environment = saved_environment
            try:
                os.unlink(path)
            except OSError:
                pass
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
