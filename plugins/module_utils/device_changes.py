# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changes to devices already uploaded: assigning a profile, removing a device from its batch."""

import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import ACCEPTED_STATUSES, batch_devices_path, tracking_id_from
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import OOBE_CATEGORY
from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import first_of_each_id
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import batch_name_problem, device_id_problem, policy_id_problem


# -- assigning a profile -----------------------------------------------------------------------------------

def device_policy_updates_path(customer_id):
    return '/v1/customers/%s/DevicePolicyUpdates' % urllib.parse.quote(customer_id, safe='')


def assign_profile(client, customer_id, device_ids, profile_id):
    """PATCH the customer's DevicePolicyUpdates so that each device carries the profile.

    Partner Center answers 202 (the REST reference also lists 200) with a Location to a batchJobStatus,
    the resource uploads are followed on. Returns a dict: batch_tracking_id (None when the answer names
    none), location, request_id, http_status. Each id must have been checked (unusable_device_ids,
    policy_id_problem); ids that differ only in case are sent once.
    """
    problems = [device_id_problem(device_id) for device_id in device_ids] + [policy_id_problem(profile_id)]
    if any(problems):
        # A last guard: callers check first, and say which device.
        raise ResponseError('refused to send DevicePolicyUpdates: an id from Partner Center\'s answer %s'
                            % next(problem for problem in problems if problem))
    body = dict(devices=[dict(id=device_id, policies=[dict(key=OOBE_CATEGORY, value=profile_id)])
                         for device_id in first_of_each_id(device_ids, lambda device_id: device_id)])
    response = client.request('PATCH', device_policy_updates_path(customer_id), body=body, expected=ACCEPTED_STATUSES)
    return dict(batch_tracking_id=tracking_id_from(response), location=response.header('location'),
                request_id=response.request_id, http_status=response.status)


# -- removing devices --------------------------------------------------------------------------------------

def device_path(customer_id, batch_id, device_id):
    return '%s/%s' % (batch_devices_path(customer_id, batch_id), urllib.parse.quote(device_id, safe=''))


def remove_device(client, customer_id, batch_id, device_id):
    """DELETE one device from its batch -> PartnerCenterClient.delete's DELETED, ABSENT (404: gone already) or
    DELETED_UNCONFIRMED.

    DELETED_UNCONFIRMED: an earlier attempt of this DELETE (same MS-RequestId) went unanswered or got a server
    error, and the retry got 404; the device is gone, most likely by this request. A TransportError with
    ``outcome_unknown`` means no answer settled it at all.
    """
    problem = device_id_problem(device_id) or batch_name_problem(batch_id)
    if problem:
        # A last guard: callers check first (unusable_device_ids), and say which device.
        raise ResponseError('refused to send DELETE: an id from Partner Center\'s answer %s' % problem)
    return client.delete(device_path(customer_id, batch_id, device_id))
