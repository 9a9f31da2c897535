#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: device
short_description: Remove devices from a customer's device batch in Microsoft Partner Center
version_added: 1.0.0
description:
  - With O(state=absent), removes the devices named by O(device_ids) or O(serial_numbers) from the customer's device batch
    O(batch_id) (C(DELETE /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices/{device-id}), one request per device).
  - The batch's devices are read first (every page); devices that are not in the batch (or a batch that does not exist)
    are not an error, they are listed in RV(already_absent), so a second run changes nothing.
  - Removing a device ends its Windows Autopilot registration for the customer, and cannot be undone but by uploading it
    again. Check mode and C(--diff) show exactly which devices would go.
  - Devices are found by what the listing carries - their id, or their serial number; real listings carry no hardware hash
    or product key, and none is needed.
  - Each device id the listing gives must be a GUID (as Partner Center documents it) and its batch a usable name; otherwise
    the task fails naming the device, before any device is removed. A device named twice (by id and serial number, or by
    ids that differ in case) is removed once.
  - Devices are added with M(partnercenter.devices.device_batch); this module only removes, and O(state) has no other
    value, so that a task that removes says so.
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
attributes:
  check_mode:
    support: full
    description: The batch's devices are read; nothing is removed. RV(removed) lists the devices that would go.
  diff_mode:
    support: full
    description: The diff lists the devices that go, before, and none after.
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
    type: str
    required: true
    aliases: [customer_tenant_id]
  batch_id:
    description:
      - The device batch the devices are in (compared without regard to case). Partner Center removes a device only
        through its batch. Not empty, not V(.) or V(..), without control characters.
    type: str
    required: true
    aliases: [batch_name]
  device_ids:
    description:
      - The ids of the devices to remove, as M(partnercenter.devices.device_batch_info) returns them.
      - At least one of O(device_ids) and O(serial_numbers) is required.
    type: list
    elements: str
  serial_numbers:
    description:
      - The serial numbers of the devices to remove, compared without regard to case. A serial number that several devices
        of the batch carry fails the task before anything is removed; name those devices by id.
    type: list
    elements: str
  state:
    description:
      - V(absent) removes the devices. It must be given, so that a removal is never implied.
    type: str
    required: true
    choices: [absent]
seealso:
  - module: partnercenter.devices.device_batch
  - module: partnercenter.devices.device_batch_info
  - name: Delete a device for the specified customer
    description: Partner Center's documentation of the endpoint.
    link: https://learn.microsoft.com/partner-center/developer/delete-a-device-for-the-specified-customer
notes:
  - Why a module of its own rather than O(state=absent) on M(partnercenter.devices.device_batch) - there,
    O(partnercenter.devices.device_batch#module:devices) are devices to upload, described by hardware hash or serial
    number, manufacturer and model; a removal names devices Partner Center already holds, by id or serial number, and
    must never be the accident of a changed option.
  - A device removed by someone else between the read and the request (Partner Center answers 404) counts as already absent.
  - A DELETE that gets no answer (a timeout, a dropped connection) or a server error is sent again with the same
    C(MS-RequestId), Partner Center's idempotency key. When that retry answers 404, the first attempt most likely removed
    the device - it is listed in RV(removed) and RV(removed_unconfirmed), with a warning, never in RV(already_absent).
    When no attempt is answered, the task fails with RV(outcome_unknown) and the device in RV(maybe_removed).
'''

EXAMPLES = r'''
- name: Preview which devices would go
  partnercenter.devices.device:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_id: contoso-2026-11-laptops
    serial_numbers: [LAPTOP-0007, LAPTOP-0008]
    state: absent
  check_mode: true
  diff: true

- name: Remove two devices registered by mistake
  partnercenter.devices.device:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_id: contoso-2026-11-laptops
    serial_numbers: [LAPTOP-0007, LAPTOP-0008]
    state: absent
  register: removal

- name: Say what was removed
  ansible.builtin.debug:
    msg: "Removed {{ removal.removed | map(attribute='serial_number') | join(', ') }}"
'''

RETURN = r'''
removed:
  description:
    - The devices removed (in check mode, that would be).
    - When the task fails after removing some devices, the devices it did remove; nothing else was removed, but see
      RV(maybe_removed).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01", "serial_number": "LAPTOP-0007", "product_key": null,
            "batch_id": "contoso-2026-11-laptops", "profile": null, "profile_id": null}]
  contains: &listed_device
    id:
      description: The device's id.
      type: str
      sample: e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01
    serial_number:
      description: The device's serial number, or null.
      type: str
      sample: LAPTOP-0007
    product_key:
      description: The device's product key, or null (real listings carry none).
      type: str
    batch_id:
      description: The batch the device was in, as Partner Center spells it.
      type: str
      sample: contoso-2026-11-laptops
    profile:
      description: The Autopilot profile the device carried, as the listing gives it - its id or its name - or null.
      type: str
    profile_id:
      description: C(profile) when it is an id (a GUID), else null.
      type: str
removed_unconfirmed:
  description:
    - The devices of RV(removed) whose removal Partner Center did not confirm - the DELETE got no answer or a server
      error, and its retry (same C(MS-RequestId)) found the device gone. They are counted as removed by this task.
    - Each as in RV(removed).
  returned: always
  type: list
  elements: dict
  contains: *listed_device
outcome_unknown:
  description: True when a DELETE was sent and no answer settled it (every attempt timed out or lost its connection).
  returned: failure, when the outcome of a removal is unknown
  type: bool
maybe_removed:
  description:
    - With RV(outcome_unknown), the device whose DELETE may have been applied, as in RV(removed); list the batch
      with M(partnercenter.devices.device_batch_info) to know.
  returned: failure, when the outcome of a removal is unknown
  type: list
  elements: dict
  contains: *listed_device
already_absent:
  description:
    - The devices asked for that were not in the batch, or were removed meanwhile by someone else (Partner Center
      answered 404 to the first attempt of their DELETE).
  returned: always
  type: list
  elements: dict
  sample: [{"device_id": null, "serial_number": "LAPTOP-0008"}]
  contains:
    device_id:
      description:
        - The device id as given in O(device_ids); null for a device named by serial number that is not in the batch.
        - For a device removed meanwhile, its id as the listing gave it.
      type: str
    serial_number:
      description:
        - The serial number as given in O(serial_numbers); null for a device named by id that is not in the batch.
        - For a device removed meanwhile, its serial number as the listing gave it (or null).
      type: str
batch_id:
  description: The batch, as Partner Center spells it (as given when it does not exist).
  returned: always
  type: str
  sample: contoso-2026-11-laptops
pages:
  description: How many pages of the batch's devices were read.
  returned: success
  type: int
  sample: 1
diff:
  description: The devices that go (C(before)), and none after.
  returned: always
  type: dict
correlation_id:
  description: The C(MS-CorrelationId) sent with every request of this task, for Partner Center support.
  returned: success, and failure after the first request
  type: str
  sample: aaaa0000-bb11-2222-33cc-444444dddddd
ambiguous:
  description: Serial numbers that several devices of the batch carry.
  returned: failure, when a serial number is ambiguous
  type: list
  elements: str
http_status:
  description: The HTTP status of the answer that made the task fail.
  returned: failure, when Partner Center or Entra ID answered
  type: int
  sample: 403
error_code:
  description: Partner Center's error C(code), or Entra ID's C(error), of the answer that made the task fail; always a string.
  returned: failure, when the answer carried one
  type: str
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
request_id:
  description: The C(MS-RequestId) of the failed Partner Center request (or Entra ID's trace id), for support.
  returned: failure, when a request failed
  type: str
'''

from ansible_collections.partnercenter.devices.plugins.module_utils.client import ABSENT, DELETED_UNCONFIRMED
from ansible_collections.partnercenter.devices.plugins.module_utils.device_changes import remove_device
from ansible_collections.partnercenter.devices.plugins.module_utils.device_lookup import (
    device_summary,
    read_devices,
    select_devices,
    unique_devices,
    unusable_device_ids,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, TransportError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule, report_unexpected_exceptions
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import batch_name_problem, is_plain_name


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            batch_id=dict(type='str', required=True, aliases=['batch_name']),
            device_ids=dict(type='list', elements='str'),
            serial_numbers=dict(type='list', elements='str'),
            state=dict(type='str', required=True, choices=['absent']),
        ),
        required_one_of=[('device_ids', 'serial_numbers')],
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id')
    if batch_name_problem(params['batch_id']):
        module.fail_json(msg='batch_id must name a device batch: it %s.' % batch_name_problem(params['batch_id']))
    named = list(params['device_ids'] or []) + list(params['serial_numbers'] or [])
    bad = [value for value in named if not is_plain_name(value)]
    if bad or not named:
        module.fail_json(msg='device_ids and serial_numbers must name at least one device, each without control characters '
                             'and not empty; got %s.' % (', '.join(repr(value) for value in bad) or 'none'))

    client = module.client()
    customer_id = params['customer_id']
    result = dict(changed=False, removed=[], removed_unconfirmed=[], already_absent=[], batch_id=params['batch_id'],
                  diff=dict(before={}, after={}))
    try:
        devices, pages = read_devices(client, customer_id, params['batch_id'], warn=module.module.warn)
    except PartnerCenterError as error:
        module.fail(error, **result)
    selected, ids_missing, serials_missing, ambiguous = select_devices(devices, params['device_ids'], params['serial_numbers'])
    if ambiguous:
        module.fail_json(msg='Nothing was removed: serial number%s %s %s carried by several devices of batch %s; name them '
                             'by device_ids.' % ('s' if len(ambiguous) > 1 else '', ', '.join(ambiguous),
                                                 'are' if len(ambiguous) > 1 else 'is', params['batch_id']),
                         ambiguous=ambiguous, correlation_id=client.correlation_id, **result)
    if devices:
        result['batch_id'] = devices[0]['batch_id']
    # A device named twice (by id and by serial number, or by ids that differ in case) is removed once.
    selected = unique_devices(selected)
    unusable = unusable_device_ids(selected, with_batch=True)
    if unusable:
        module.fail_json(msg='Nothing was removed: Partner Center listed %s; such an id cannot name what a DELETE '
                             'removes.' % '; '.join(unusable), correlation_id=client.correlation_id, **result)
    going = [device_summary(device) for device in selected]
    absent = [dict(device_id=value, serial_number=None) for value in ids_missing]
    absent.extend(dict(device_id=None, serial_number=value) for value in serials_missing)
    result.update(removed=going, already_absent=absent, pages=pages,
                  correlation_id=client.correlation_id, changed=bool(going), diff=_diff(result['batch_id'], going))
    if module.check_mode or not going:
        module.exit_json(**result)

    removed, unconfirmed = [], []

    def record():
        # What was removed stays in the result whatever follows: it cannot be undone, and a re-run must not be surprised.
        result.update(removed=removed, removed_unconfirmed=unconfirmed, changed=bool(removed),
                      diff=_diff(result['batch_id'], removed))

    for device in going:
        try:
            outcome = remove_device(client, customer_id, device['batch_id'], device['id'])
        except PartnerCenterError as error:
            record()
            if isinstance(error, TransportError) and error.outcome_unknown:
                result.update(outcome_unknown=True, maybe_removed=[device])
            module.fail(error, **result)
        if outcome == ABSENT:
            result['already_absent'].append(dict(device_id=device['id'], serial_number=device.get('serial_number')))
            continue
        removed.append(device)
        if outcome == DELETED_UNCONFIRMED:
            unconfirmed.append(device)
            module.module.warn('The DELETE of device %s (serial number %s) got no clear answer at first (a timeout or a '
                               'server error); sent again with the same MS-RequestId, it found the device gone. It is '
                               'reported as removed by this task.' % (device['id'], device.get('serial_number')))
    record()
    module.exit_json(**result)


def _diff(batch_id, devices):
    """The devices that go, before, and none after; empty when none goes."""
    if not devices:
        return dict(before={}, after={})
    return dict(before=dict(batch_id=batch_id, devices=devices), after=dict(batch_id=batch_id, devices=[]))


if __name__ == '__main__':
    main()
