# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When each loop item of the hostile suite's tasks ended, so that the suite can bound each case's time."""

DOCUMENTATION = r'''
name: hostile_timer
type: aggregate
short_description: Loop item end times for the collection's hostile suite
description:
  - Records, per task, when the task started and when each loop item's result came back, and writes them
    as JSON to the file named by the environment variable E(HOSTILE_TIMER_FILE).
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Collects task start and item end times."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'hostile_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append({'name': task.get_name(), 'start': time.time(), 'items': []})

    def _item(self):
        if self.tasks:
            self.tasks[-1]['items'].append(time.time())

    def v2_runner_item_on_ok(self, result):
        self._item()

    def v2_runner_item_on_failed(self, result):
        self._item()

    def v2_runner_item_on_skipped(self, result):
        self._item()

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('HOSTILE_TIMER_FILE')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(self.tasks, handle)
