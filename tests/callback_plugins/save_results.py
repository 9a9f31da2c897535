# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes what a test playbook handed to set_stats into its results_file, on the controller."""

DOCUMENTATION = r'''
name: save_results
type: aggregate
short_description: Saves a test playbook's set_stats data as JSON to its results_file
description:
  - The test playbooks of partnercenter.devices hand what the test asserts on to M(ansible.builtin.set_stats)
    (not per host); at the end of the run this callback writes that data as JSON to the file named by the
    extra variable C(results_file), which tests/harness.py sets. A run that set no stats writes no file.
  - Saving through ansible.builtin.copy instead costs two module runs (stat, copy) per playbook run.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED (tests/harness.py does)
'''

import json
import os

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Keeps the results_file extra variable and writes the run's custom stats there."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'save_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.results_file = None

    def v2_playbook_on_play_start(self, play):
        extra_vars = play.get_variable_manager().extra_vars
        if extra_vars.get('results_file'):
            self.results_file = str(extra_vars['results_file'])

    def v2_playbook_on_stats(self, stats):
        data = (getattr(stats, 'custom', None) or {}).get('_run')
        if self.results_file and data is not None:
            descriptor = os.open(self.results_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
                json.dump(data, handle, cls=AnsibleJSONEncoder, indent=4, sort_keys=True)
