# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the batch_upload_status module; with wait, shows a line per change of the batch while it waits (see plugin_utils/wait_progress.py)."""

from ansible_collections.partnercenter.devices.plugins.plugin_utils.wait_progress import WaitProgressAction


class ActionModule(WaitProgressAction):
    """Action plugin of partnercenter.devices.batch_upload_status."""

    MODULE = 'partnercenter.devices.batch_upload_status'
    SETS_BATCH_FACT = True
