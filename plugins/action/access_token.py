# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the access_token module and hides its successful result from output, as ``no_log: true`` would.

A module's own ``_ansible_no_log`` is stripped from what it returns; an action plugin's is kept.
The tokens stay in the registered variable for later tasks. A failure holds no token and its
message is already redacted, so it stays visible: a wrong secret or an Entra ID outage must say so.
"""

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Action plugin of partnercenter.devices.access_token."""

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name='partnercenter.devices.access_token',
                                           module_args=self._task.args, task_vars=task_vars))
        if not result.get('failed'):
            result['_ansible_no_log'] = True
        return result
