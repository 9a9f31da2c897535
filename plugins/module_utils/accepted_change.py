# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""After Partner Center accepted a change it tracks as a batch (an upload, a profile assignment): warn or wait, and exit.

Whatever happens while following it, the result still says the change was accepted, with its tracking id.
"""

from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import poll_recorder
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import (
    BatchWaitError,
    result_options,
    wait_for_batch,
    waited_result,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import mark_already_registered, pair_device_outcomes
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError


def pair_outcomes(result, details, devices, origins, registered_apart=False):
    """Name the device each outcome is about (``device_pairing``), when the details were read.

    With ``registered_apart`` (uploads, where error 806 means "already registered"), also mark those outcomes
    (``devices_already_registered``).
    """
    if details is not None:
        result['device_pairing'] = pair_device_outcomes(details['devices_status'], devices, origins)
        if registered_apart:
            result['devices_already_registered'] = mark_already_registered(details['devices_status'])


def follow_accepted_change(module, client, result, untracked_message, devices, origins, registered_apart=False,
                           unexpected_message=None):
    """Exit the module after an accepted change: at once without ``wait``, else when the batch is complete or the wait ends.

    ``result`` holds ``batch_tracking_id`` (None when Partner Center named none: ``untracked_message`` is then a warning,
    or the failure when ``wait`` was asked for). ``devices`` and ``origins`` are what the change was about, for
    pairing the outcomes (pair_outcomes), on every device before ``return_devices`` chooses which ones the result
    carries. ``unexpected_message`` (formatted with the tracking id, the exception's type and text), when given, turns
    an error in the collection while waiting into a failure that still carries the result.
    """
    params = module.params
    if result['batch_tracking_id'] is None:
        if params['wait']:
            module.fail_json(msg=untracked_message + ' wait was asked for, and there is nothing to wait on.', **result)
        module.module.warn(untracked_message)
        module.exit_json(**result)
    if not params['wait']:
        module.exit_json(**result)
    shown = result_options(params)
    try:
        raw, details, polls, waited, throttled = wait_for_batch(
            client, params['customer_id'], result['batch_tracking_id'], params['wait_timeout'], params['poll_interval'],
            warn=module.module.warn, on_poll=poll_recorder(result['batch_tracking_id'], registered_apart=registered_apart))
    except BatchWaitError as ended:
        # The wait timed out, a poll was refused or unreadable, or the status is not one Partner Center documents:
        # the play still learns the tracking id and how far the batch got.
        pair_outcomes(result, ended.details, devices, origins, registered_apart)
        result.update(ended.result(**shown))
        module.fail(ended, **result)
    except PartnerCenterError as error:
        module.fail(error, **result)
    except Exception as error:  # pylint: disable=broad-except
        if unexpected_message is None:
            raise
        # A net, not a fix: the change was accepted, and a bug in reading its status must not hide that.
        module.fail_json(msg=unexpected_message % (result['batch_tracking_id'], type(error).__name__, error), **result)
    pair_outcomes(result, details, devices, origins, registered_apart)
    result.update(waited_result(raw, details, polls, waited, throttled, **shown))
    module.exit_json(**result)
