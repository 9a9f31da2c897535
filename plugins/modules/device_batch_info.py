#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: device_batch_info
short_description: List a customer's device batches, or the devices of one batch, in Microsoft Partner Center
version_added: 0.1.0
description:
  - Without O(batch_id), lists the customer's device batches (C(GET /v1/customers/{customer-id}/deviceBatches)).
  - With O(batch_id), lists every device of that batch (C(GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices)),
    following each page (Partner Center sends 100 devices a page) - its C(links.next) (the path and query, such as
    C(seekOperation=Next), and of its headers only C(MS-ContinuationToken); any other header of a next link is not
    sent, with a warning), else its C(continuationToken) in the C(MS-ContinuationToken) header.
    The pages are bounded - the same page asked for twice, or 1000 pages (a 10,000-device batch is 100), ends the task
    with a clear message; a page's C(totalCount) counts that page only and sets no bound. A C(links.next) to another
    host than O(base_url) is not followed.
  - Partner Center's answer 404 to the list of batches is read as "no device batch yet", with a warning, since
    Microsoft does not document it.
  - Items that are not objects are left out, with a warning that counts them.
  - Keys are in snake_case.
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
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
    type: str
    required: true
    aliases: [customer_tenant_id]
  batch_id:
    description:
      - The name of a device batch whose devices to list. Without it, the module lists the batches.
    type: str
    aliases: [batch_name]
seealso:
  - module: partnercenter.devices.device_batch
  - name: Get a list of device batches for the specified customer
    description: Partner Center's documentation of the batch list.
    link: https://learn.microsoft.com/partner-center/developer/get-a-list-of-device-batches-for-the-specified-customer
  - name: Get a list of devices in a batch for the specified customer
    description: Partner Center's documentation of the device list.
    link: https://learn.microsoft.com/partner-center/developer/get-a-list-of-devices-in-a-batch-for-the-specified-customer
notes:
  - Partner Center answers 404 rather than an empty list for a customer that has no device batch; the module then
    returns an empty RV(device_batches).
'''

EXAMPLES = r'''
- name: List the customer's device batches
  partnercenter.devices.device_batch_info:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
  register: batches

- name: Show their names and sizes
  ansible.builtin.debug:
    msg: "{{ item.id }}: {{ item.devices_count }} devices, created {{ item.creation_date }} by {{ item.created_by }}"
  loop: "{{ batches.device_batches }}"

- name: List every device of one batch
  partnercenter.devices.device_batch_info:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_id: contoso-2026-11-laptops
  register: batch

- name: Serial numbers of the batch
  ansible.builtin.debug:
    msg: "{{ batch.devices | map(attribute='serial_number') | list }}"
'''

RETURN = r'''
device_batches:
  description: Without O(batch_id), the customer's device batches.
  returned: when O(batch_id) is not given
  type: list
  elements: dict
  contains:
    id:
      description: The batch's name.
      type: str
    created_by:
      description: Who created the batch (a user, or an application id).
      type: str
    creation_date:
      description: When the batch was created (UTC).
      type: str
    devices_count:
      description: How many devices the batch holds.
      type: int
    devices_link:
      description: Partner Center's link to the batch's devices (C(uri), C(method), C(headers)).
      type: dict
  sample:
    - id: contoso-2026-11-laptops
      created_by: admin@contoso-partner.onmicrosoft.com
      creation_date: "2026-11-24T10:00:00Z"
      devices_count: 3
      devices_link:
        uri: /customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/contoso-2026-11-laptops/devices
        method: GET
        headers: []
      attributes: {object_type: DeviceBatch}
raw_device_batches:
  description: Without O(batch_id), the batches exactly as Partner Center sent them (camelCase keys).
  returned: when O(batch_id) is not given
  type: list
  elements: dict
devices:
  description:
    - With O(batch_id), every device of the batch, from all pages. Only the snake_case form is returned, since a
      batch can hold thousands of devices.
    - Partner Center's listings, as far as Microsoft's published examples show, carry no hardware hash, product key nor
      allowed operations; these keys are then null. A device is recognised by its serial number, manufacturer and model.
  returned: when O(batch_id) is given
  type: list
  elements: dict
  contains:
    id:
      description: Partner Center's id of the device (a GUID).
      type: str
    serial_number:
      description: The device's serial number, or null.
      type: str
    product_key:
      description: The Windows product key ID, or null (Partner Center's listings do not show it).
      type: str
    hardware_hash:
      description: The Windows Autopilot hardware hash, or null (Partner Center's listings do not show it).
      type: str
    oem_manufacturer_name:
      description: The manufacturer, or null.
      type: str
    model_name:
      description: The model, or null.
      type: str
    uploaded_date:
      description:
        - When the device was uploaded, an ISO 8601 date-time as Partner Center sent it, not converted. Microsoft's
          examples show a local offset with seven decimals (V(2020-01-30T09:10:33.2417951+01:00)); it may also be
          UTC (V(2020-01-30T08:10:33Z)). Compare dates as date-times, not as text.
      type: str
    policies:
      description: The Autopilot policies assigned to the device.
      type: list
      elements: dict
    allowed_operations:
      description: What Partner Center allows on the device, such as V(PATCH) and V(DELETE), when the listing says (it is absent otherwise).
      type: list
      elements: str
  sample:
    - id: 4f0d6a4e-0a8e-4c2b-9d38-2f1b5c6e7a80
      serial_number: LAPTOP-0001
      product_key: null
      hardware_hash: null
      oem_manufacturer_name: Microsoft Corporation
      model_name: Surface Laptop 5
      uploaded_date: "2026-11-24T11:00:05.2417951+01:00"
      policies: [{key: o_o_b_e, value: AzureAD Join Default Profile}]
      attributes: {object_type: Device}
batch_id:
  description: With O(batch_id), the name of the batch.
  returned: when O(batch_id) is given
  type: str
  sample: contoso-2026-11-laptops
pages:
  description: With O(batch_id), how many pages Partner Center sent.
  returned: when O(batch_id) is given
  type: int
  sample: 3
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
  description: Partner Center's error C(code), or Entra ID's C(error), of the answer that made the task fail; always a string.
  returned: failure, when the answer carried one
  type: str
  sample: "1000"
error_description:
  description: Partner Center's error C(description), or the first line of Entra ID's C(error_description).
  returned: failure, when the answer carried one
  type: str
error_data:
  description:
    - The first entries (at most 50) of the C(data) list of a Partner Center error answer; an entry that
      is not text or a number is given as JSON text.
  returned: failure, when a Partner Center refusal carried a non-empty C(data)
  type: list
  elements: raw
  version_added: 1.0.0
request_id:
  description: The C(MS-RequestId) of the failed Partner Center request (or Entra ID's trace id), for support.
  returned: failure
  type: str
'''

from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import list_batch_devices, list_device_batches
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule, report_unexpected_exceptions


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            batch_id=dict(type='str', aliases=['batch_name']),
        ),
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id')
    if params['batch_id'] is not None and not params['batch_id'].strip():
        module.fail_json(msg='batch_id must not be empty: leave it out to list the batches.')
    client = module.client()
    result = dict(changed=False)
    try:
        if params['batch_id'] is None:
            raw_batches, batches = list_device_batches(client, params['customer_id'], warn=module.module.warn)
            result.update(device_batches=batches, raw_device_batches=raw_batches)
        else:
            devices, pages = list_batch_devices(client, params['customer_id'], params['batch_id'], warn=module.module.warn)
            result.update(batch_id=params['batch_id'], devices=devices, pages=pages)
    except PartnerCenterError as error:
        module.fail(error)
    module.exit_json(correlation_id=client.correlation_id, **result)


if __name__ == '__main__':
    main()
