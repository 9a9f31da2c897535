# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task timings for tests/benchmarks: when each task started and when its result came back.

Enabled only by the benchmark (ANSIBLE_CALLBACKS_ENABLED=bench_timer); writes a JSON list of
tasks to the file named by BENCH_TIMER_FILE at the end of the run. Times are time.time(), so that
the benchmark can compare them with what it saw the simulator do.
"""

DOCUMENTATION = r'''
name: bench_timer
type: aggregate
short_description: Task timings for the collection's benchmarks
description:
  - Records the start of every task and the time of its final result, items and retries, and writes them
    as JSON to the file named by the environment variable E(BENCH_TIMER_FILE).
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Collects task start and end times."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append({'name': task.get_name(), 'start': time.time(), 'end': None, 'items': 0, 'retries': 0,
                           'status': None})

    def _finished(self, status):
        if self.tasks:
            self.tasks[-1]['end'] = time.time()
            self.tasks[-1]['status'] = status

    def v2_runner_on_ok(self, result):
        self._finished('ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finished('failed')

    def v2_runner_on_skipped(self, result):
        self._finished('skipped')

    def v2_runner_item_on_ok(self, result):
        if self.tasks:
            self.tasks[-1]['items'] += 1

    def v2_runner_retry(self, result):
        if self.tasks:
            self.tasks[-1]['retries'] += 1

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('BENCH_TIMER_FILE')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(self.tasks, handle)
