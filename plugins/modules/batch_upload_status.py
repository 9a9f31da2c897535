#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: batch_upload_status
short_description: Get the status of a device batch upload from Microsoft Partner Center
version_added: 0.1.0
description:
  - Reads the status of a device batch upload (Windows Autopilot / Zero-Touch) for a customer, from
    Partner Center's C(GET /v1/customers/{customer-id}/batchJobStatus/{batch-tracking-id}).
  - Returns the B(BatchUploadDetails) resource with snake_case keys, every device included, both as a
    result and as the fact C(partnercenter_batch_upload_details), with whether the batch is complete
    and which devices carry errors.
  - Works with app-only and app+user credentials. The user of app+user credentials needs the Admin agent
    or Sales agent role.
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  facts:
    support: full
    description: The details are also set as the fact C(partnercenter_batch_upload_details).
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
    type: str
    required: true
    aliases: [customer_tenant_id]
  batch_tracking_id:
    description:
      - The batch tracking id (a GUID) that the device batch upload returned in its C(Location) header.
    type: str
    required: true
  wait:
    description:
      - Whether to poll until Partner Center has finished the batch (status V(finished) or V(finished_with_errors))
        before returning.
      - All polls share one access token. Throttled polls wait as Partner Center's C(Retry-After) asks.
      - To show every poll in the play output or in AWX job events instead, use C(until)/C(retries) or the
        P(partnercenter.devices.wait_for_batch_upload#role) role.
    type: bool
    default: false
  wait_timeout:
    description:
      - With O(wait), how many seconds to wait at most. When they pass, the task fails with the batch, the
        last status seen and how long it waited, and still returns the last RV(batch_upload_details).
    type: int
    default: 1800
  poll_interval:
    description:
      - With O(wait), the seconds between the first polls. The pause then grows by half at each poll, up to
        60 seconds (or O(poll_interval), if larger), so a long batch costs few requests.
    type: float
    default: 15
seealso:
  - name: Get the status of a device batch upload
    description: Partner Center's documentation of the endpoint this module calls.
    link: https://learn.microsoft.com/partner-center/developer/get-the-status-of-a-device-batch-upload
  - name: Partner Center authentication
    description: App-only and app+user credentials, and the secure application model.
    link: https://learn.microsoft.com/partner-center/developer/partner-center-authentication
'''

EXAMPLES = r'''
- name: Read a batch's status with app-only credentials
  partnercenter.devices.batch_upload_status:
    tenant_id: contoso-partner.onmicrosoft.com
    client_id: "{{ partner_center_client_id }}"
    client_secret: "{{ partner_center_client_secret }}"
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_tracking_id: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
  register: batch

- name: Read it with app+user credentials (secure application model)
  partnercenter.devices.batch_upload_status:
    tenant_id: 9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6
    client_id: "{{ partner_center_client_id }}"
    client_secret: "{{ partner_center_client_secret }}"
    refresh_token: "{{ vault_partner_center_refresh_token }}"
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_tracking_id: 0127ed8e-ff72-4983-a3d8-e8d8bd378932

- name: Credentials from PARTNER_CENTER_* environment variables, or set once for the play
  module_defaults:
    group/partnercenter.devices.all:
      tenant_id: "{{ partner_center_tenant_id }}"
      client_id: "{{ partner_center_client_id }}"
      client_secret: "{{ partner_center_client_secret }}"
  block:
    - name: Read the batch and publish it as a fact
      partnercenter.devices.batch_upload_status:
        customer_id: "{{ customer_id }}"
        batch_tracking_id: "{{ batch_tracking_id }}"

    - name: Use the fact
      ansible.builtin.debug:
        msg: >-
          Batch {{ partnercenter_batch_upload_details.batch_tracking_id }} is
          {{ partnercenter_batch_upload_details.status }} with
          {{ partnercenter_batch_upload_details.devices_status | length }} devices

- name: Wait until Partner Center has processed the batch (at most 30 minutes)
  partnercenter.devices.batch_upload_status:
    customer_id: "{{ customer_id }}"
    batch_tracking_id: "{{ batch_tracking_id }}"
    wait: true
    wait_timeout: 1800
    poll_interval: 15
  register: batch

- name: Report each device that carries an error
  ansible.builtin.debug:
    msg: "{{ item.serial_number }}: {{ item.error_code }} {{ item.error_description }}"
  loop: "{{ batch.devices_with_errors }}"
  when: batch.complete
'''

RETURN = r'''
batch_upload_details:
  description:
    - The batch's B(BatchUploadDetails), with Partner Center's camelCase keys turned into snake_case.
    - Keys Partner Center adds beyond those below are kept, in snake_case too.
  returned: success, and when O(wait) times out
  type: dict
  contains:
    batch_tracking_id:
      description: The batch tracking id.
      type: str
      sample: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
    status:
      description:
        - The batch's status, one of V(unknown), V(queued), V(processing), V(finished), V(finished_with_errors).
        - A V(finished) batch may still hold devices with errors; see RV(devices_with_errors).
      type: str
      sample: finished
    started_time:
      description: When processing started (UTC), or null.
      type: str
      sample: "2017-07-25T10:00:00"
    completed_time:
      description: When processing completed (UTC), or null.
      type: str
      sample: "2017-07-25T10:10:00"
    devices_status:
      description: Every device of the batch (DeviceUploadDetails), in Partner Center's order.
      type: list
      elements: dict
      contains:
        device_id:
          description: The device id, or null (Partner Center does not always send it).
          type: str
        serial_number:
          description: The device's serial number, or null.
          type: str
          sample: "1234567890"
        product_key:
          description: The device's product key, or null.
          type: str
          sample: 12345-67890-09876-54321-13579
        status:
          description: The device's upload status, as Partner Center sends it (for example V(in-progress), V(finished), V(finished_with_errors)).
          type: str
          sample: finished_with_errors
        error_code:
          description: Partner Center's error code for this device (for example V(806), V(808)), or null.
          type: str
          sample: "808"
        error_description:
          description: The error's name or text (for example V(ZtdDeviceAssignedToOtherTenant)), or null.
          type: str
          sample: ZtdDeviceAssignedToOtherTenant
        attributes:
          description: Partner Center's resource attributes.
          type: dict
          sample: {"object_type": "DeviceUploadDetails"}
    attributes:
      description: Partner Center's resource attributes (C(object_type), C(etag)).
      type: dict
      sample: {"object_type": "BatchUploadDetails"}
raw_batch_upload_details:
  description: The BatchUploadDetails exactly as Partner Center sent it, with its camelCase keys.
  returned: success, and when O(wait) times out
  type: dict
  sample:
    batchTrackingId: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
    status: finished
    startedTime: "2017-07-25T10:00:00"
    completedTime: "2017-07-25T10:10:00"
    devicesStatus:
      - serialNumber: "1234567890"
        productKey: 12345-67890-09876-54321-13579
        status: finished_with_errors
        errorCode: "808"
        errorDescription: ZtdDeviceAssignedToOtherTenant
        attributes: {objectType: DeviceUploadDetails}
    attributes: {objectType: BatchUploadDetails}
ansible_facts:
  description: Facts set by the module.
  returned: success
  type: dict
  contains:
    partnercenter_batch_upload_details:
      description: The same dict as RV(batch_upload_details).
      type: dict
complete:
  description: Whether Partner Center has finished the batch (status V(finished) or V(finished_with_errors)).
  returned: success, and when O(wait) times out
  type: bool
  sample: true
devices_with_errors:
  description:
    - The devices, shaped as in RV(batch_upload_details.devices_status), that carry an error code or
      the status V(finished_with_errors).
  returned: success, and when O(wait) times out
  type: list
  elements: dict
  sample:
    - serial_number: "1234567890"
      product_key: 12345-67890-09876-54321-13579
      device_id: null
      status: finished_with_errors
      error_code: "808"
      error_description: ZtdDeviceAssignedToOtherTenant
      attributes: {object_type: DeviceUploadDetails}
device_status_counts:
  description: How many devices have each status.
  returned: success, and when O(wait) times out
  type: dict
  sample: {"finished": 3, "finished_with_errors": 1}
polls:
  description: With O(wait), how many times the module read the batch's status.
  returned: when O(wait=true)
  type: int
  sample: 4
waited_seconds:
  description: With O(wait), how long the module waited, in seconds.
  returned: when O(wait=true)
  type: float
  sample: 47.5
correlation_id:
  description: The C(MS-CorrelationId) sent with every request of this task, for Partner Center support.
  returned: success, and failure after the first request
  type: str
  sample: aaaa0000-bb11-2222-33cc-444444dddddd
http_status:
  description: The HTTP status of the answer that made the task fail.
  returned: failure, when Partner Center or Entra ID answered
  type: int
  sample: 404
error_code:
  description: Partner Center's error C(code), or Entra ID's C(error), of the answer that made the task fail.
  returned: failure, when the answer carried one
  type: str
  sample: "600008"
error_description:
  description: Partner Center's error C(description), or the first line of Entra ID's C(error_description).
  returned: failure, when the answer carried one
  type: str
request_id:
  description:
    - The C(MS-RequestId) of the failed Partner Center request (or Entra ID's trace id), for support.
  returned: failure
  type: str
'''

from ansible_collections.partnercenter.devices.plugins.module_utils.batch import (
    BatchWaitTimeout,
    details_result,
    read_batch_upload_details,
    wait_for_batch,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule


def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            batch_tracking_id=dict(type='str', required=True),
            wait=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=1800),
            poll_interval=dict(type='float', default=15),
        ),
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id', 'batch_tracking_id')
    if params['wait_timeout'] < 0 or params['poll_interval'] <= 0:
        module.fail_json(msg='wait_timeout must be 0 or more and poll_interval more than 0 (seconds), got %s and %s.'
                         % (params['wait_timeout'], params['poll_interval']))
    client = module.client()
    result = dict(changed=False)
    try:
        if params['wait']:
            raw, details, polls, waited = wait_for_batch(client, params['customer_id'], params['batch_tracking_id'],
                                                         params['wait_timeout'], params['poll_interval'])
            result.update(polls=polls, waited_seconds=round(waited, 1))
        else:
            raw, details = read_batch_upload_details(client, params['customer_id'], params['batch_tracking_id'])
    except BatchWaitTimeout as timeout:
        # The last details seen still go back, so the play can report how far the batch got.
        result.update(_details_result(timeout.raw, timeout.details),
                      polls=timeout.polls, waited_seconds=round(timeout.waited_seconds, 1))
        module.fail(timeout, **result)
    except PartnerCenterError as error:
        module.fail(error)

    result.update(_details_result(raw, details), correlation_id=client.correlation_id)
    module.exit_json(**result)


def _details_result(raw, details):
    result = details_result(raw, details)
    result['ansible_facts'] = {'partnercenter_batch_upload_details': details}
    return result


if __name__ == '__main__':
    main()
