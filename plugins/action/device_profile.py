# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the device_profile module; with wait, shows a line per change of the assignment's status while it waits."""

from ansible_collections.partnercenter.devices.plugins.plugin_utils.wait_progress import WaitProgressAction


class ActionModule(WaitProgressAction):
    """Action plugin of partnercenter.devices.device_profile."""

    MODULE = 'partnercenter.devices.device_profile'
