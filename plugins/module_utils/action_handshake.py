# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's side of what passes between a module and its action plugin, through the module's environment.

The action plugins (plugin_utils/wait_progress.py, on the controller) set these variables when they run a
module; the names are defined here once, and plugin_utils imports them (module_utils cannot import plugin_utils).

- PROGRESS_FILE_ENV names a file to which the module appends one JSON object per poll of a wait
  (``poll_recorder``); plugin_utils/progress_lines.py turns those records into the lines people see.
  Without it, nothing is written.
- FACT_BY_ACTION_ENV says that the action plugin sets the fact partnercenter_batch_upload_details itself
  (``module_sets_fact``): the module then leaves it out of its result, so a large batch crosses from the
  module once. Without it (async runs) the module sets the fact (``with_batch_fact``); the result's keys
  are the same either way.
"""

import json
import os

from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import is_already_registered

PROGRESS_FILE_ENV = 'PARTNER_CENTER_PROGRESS_FILE'
FACT_BY_ACTION_ENV = 'PARTNER_CENTER_FACT_BY_ACTION'
BATCH_FACT = 'partnercenter_batch_upload_details'

_DONE_DEVICE_STATUSES = frozenset(('finished', 'finishedwitherrors', 'completed', 'succeeded', 'failed', 'error'))


def _plain(status):
    """A status without case or separators: ``finished_with_errors``, ``finishedWithErrors`` -> ``finishedwitherrors``."""
    return ''.join(char for char in str(status or '').lower() if char.isalnum())


def _is_error(device, registered_apart):
    if registered_apart and is_already_registered(device.get('error_code'), device.get('error_description')):
        return False
    return bool(device.get('error_code')) or _plain(device.get('status')) == 'finishedwitherrors'


def poll_record(details, polls, waited_seconds, throttled_polls=0, error=None, batch_tracking_id=None, registered_apart=False):
    """What one poll says, as a small JSON-ready dict (never the devices themselves).

    With ``registered_apart`` (device_batch, whose result reads error 806 as "already registered", not as an error),
    806 outcomes are counted in ``already_registered`` and not in ``errors``.
    """
    record = dict(polls=polls, waited=round(float(waited_seconds or 0), 1), throttled=int(throttled_polls or 0))
    if details is None:
        details = getattr(error, 'details', None)
    if isinstance(details, dict):
        devices = [device for device in details.get('devices_status') or [] if isinstance(device, dict)]
        record.update(
            batch=details.get('batch_tracking_id') or batch_tracking_id,
            status=details.get('status'),
            devices=len(devices),
            done=sum(1 for device in devices if _plain(device.get('status')) in _DONE_DEVICE_STATUSES),
            errors=sum(1 for device in devices if _is_error(device, registered_apart)),
        )
        if registered_apart:
            record['already_registered'] = sum(
                1 for device in devices if is_already_registered(device.get('error_code'), device.get('error_description')))
    else:
        record['batch'] = batch_tracking_id
    if error is not None:
        record['error'] = str(getattr(error, 'message', None) or error)[:300]
    return record


def poll_recorder(batch_tracking_id=None, environ=None, registered_apart=False):
    """An ``on_poll(details, polls, waited_seconds, throttled_polls, error)`` callback, or None when no one reads progress.

    ``registered_apart``: as poll_record's.
    """
    path = (environ if environ is not None else os.environ).get(PROGRESS_FILE_ENV)
    if not path:
        return None

    def on_poll(details, polls, waited_seconds, throttled_polls=0, error=None):
        record = poll_record(details, polls, waited_seconds, throttled_polls, error, batch_tracking_id, registered_apart)
        try:
            with open(path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(record, sort_keys=True) + '\n')
        except OSError:
            pass  # progress is a courtesy: it never fails the wait

    return on_poll


def module_sets_fact(environ=None):
    """True unless the action plugin said it sets the fact itself."""
    return (environ if environ is not None else os.environ).get(FACT_BY_ACTION_ENV) != '1'


def with_batch_fact(result):
    """``result`` with the fact set to its batch_upload_details, when it has any; returns ``result``."""
    details = result.get('batch_upload_details')
    if isinstance(details, dict):
        facts = dict(result.get('ansible_facts') or {})
        facts[BATCH_FACT] = details
        result['ansible_facts'] = facts
    return result
