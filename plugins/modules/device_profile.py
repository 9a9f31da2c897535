#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: device_profile
short_description: Assign a Windows Autopilot profile to a customer's devices in Microsoft Partner Center
version_added: 1.0.0
description:
  - Makes the devices named by O(device_ids) or O(serial_numbers), or every device of the batch O(batch_id), carry the
    Windows Autopilot profile O(profile_id) (or the profile named O(profile_name)).
  - The devices are read first (every page of their batch; without O(batch_id), of every batch of the customer, since
    Partner Center lists devices only per batch), and the profile is assigned only to those that do not carry it yet, so
    a second run changes nothing once Partner Center has applied the assignment (O(wait=true) waits for that). Partner
    Center applies it asynchronously and does not document when a listing shows it; a run before then finds the devices
    without the profile and sends the assignment again.
  - Assigning is one C(PATCH /v1/customers/{customer-id}/DevicePolicyUpdates) for all those devices. Partner Center answers
    202 (or 200) with a C(Location) to a batch status (or the link, or the tracking id, in its body), the same resource
    uploads are followed on; the module returns its
    RV(batch_tracking_id), and with O(wait=true) waits for it and reports each device's outcome as
    M(partnercenter.devices.device_batch) does for uploads.
  - Every named device must exist (and a serial number must name one device) before anything is sent; otherwise the task
    fails, listing each one. Devices are found by what the listing carries - their id, or their serial number; real
    listings carry no hardware hash or product key, and none is needed.
  - A device carries the profile when the value of its C(o_o_b_e) policy in the listing is the profile's id or its name
    (compared without regard to case) - Microsoft's examples show the id, a real listing shows the name. Any other value
    is another profile, and the device is assigned this one.
  - Ids from Partner Center's answers are checked before the assignment is sent - the profile's id must be a GUID, and so
    must each device id - and the profile that the GET of O(profile_id) answers must be that profile; otherwise the task
    fails naming the item, and nothing is sent. A device listed twice, or named twice, is sent and counted once.
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
  - partnercenter.devices.partner_center.wait
  - partnercenter.devices.partner_center.results
attributes:
  check_mode:
    support: full
    description: The profile and the devices are read; nothing is assigned. The result lists the devices that would change.
  diff_mode:
    support: full
    description: The diff lists each device that changes, with the profile it carries before and after.
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
    type: str
    required: true
    aliases: [customer_tenant_id]
  profile_id:
    description:
      - The id (a GUID) of the profile to assign, such as RV(partnercenter.devices.autopilot_profile#module:profile_id).
      - Exactly one of O(profile_id) and O(profile_name) is required.
    type: str
  profile_name:
    description:
      - The name of the profile to assign, compared without regard to case. It must name exactly one of the customer's
        profiles.
    type: str
  device_ids:
    description:
      - The ids of the devices, as M(partnercenter.devices.device_batch_info) returns them.
    type: list
    elements: str
  serial_numbers:
    description:
      - The serial numbers of the devices (compared without regard to case). A serial number that more than one device
        carries fails the task; name those devices by id.
    type: list
    elements: str
  batch_id:
    description:
      - The device batch to read the devices from. Alone, the profile is assigned to every device of the batch.
        Not empty, not V(.) or V(..), without control characters.
      - With O(device_ids) or O(serial_numbers), the devices are looked for in this batch only, which costs one batch's
        pages instead of every batch's.
    type: str
    aliases: [batch_name]
seealso:
  - module: partnercenter.devices.autopilot_profile
  - module: partnercenter.devices.device_batch_info
  - name: Update a list of devices with a policy
    description: Partner Center's documentation of the assignment endpoint.
    link: https://learn.microsoft.com/partner-center/developer/update-a-list-of-devices-with-a-policy
notes:
  - Assigning the profile a device already carries is never sent. Partner Center documents no way to take a profile off a
    device, so the module only assigns.
  - Why a module of its own rather than an option of M(partnercenter.devices.device) - assigning is one asynchronous request
    per customer for any number of devices, followed like an upload, whereas removing is one synchronous request per device
    of one batch; each module then has one meaning of "changed" and one kind of result.
'''

EXAMPLES = r'''
- name: Assign the kiosk profile to every device of a batch, and wait for Partner Center to apply it
  partnercenter.devices.device_profile:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    profile_name: Contoso kiosks
    batch_id: contoso-2026-11-kiosks
    wait: true
  register: assigned

- name: Report devices Partner Center refused
  ansible.builtin.debug:
    msg: "{{ item.serial_number }}: {{ item.error_code }} {{ item.error_description }}"
  loop: "{{ assigned.devices_with_errors | default([]) }}"

- name: Assign a profile to two devices named by serial number
  partnercenter.devices.device_profile:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    profile_id: 5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c
    batch_id: contoso-2026-11-kiosks
    serial_numbers:
      - KIOSK-0001
      - KIOSK-0002
'''

RETURN = r'''
profile_id:
  description: The id of the profile assigned.
  returned: success
  type: str
  sample: 5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c
profile_name:
  description: The name of the profile assigned.
  returned: success
  type: str
  sample: Contoso kiosks
devices:
  description:
    - The devices the profile was assigned to (in check mode, would be).
    - In RV(diff), C(after) shows each with this profile's id in C(profile) and C(profile_id).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01", "serial_number": "KIOSK-0001", "product_key": null,
            "batch_id": "contoso-2026-11-kiosks", "profile": null, "profile_id": null}]
  contains: &listed_device
    id:
      description: The device's id.
      type: str
      sample: e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01
    serial_number:
      description: The device's serial number, or null.
      type: str
      sample: KIOSK-0001
    product_key:
      description: The device's product key, or null (real listings carry none).
      type: str
    batch_id:
      description: The batch the device is in, as Partner Center spells it.
      type: str
      sample: contoso-2026-11-kiosks
    profile:
      description: The profile the device carried before, as the listing gives it - its id or its name - or null for none.
      type: str
    profile_id:
      description: C(profile) when it is an id (a GUID), else null.
      type: str
devices_count:
  description: How many devices the profile was assigned to (in check mode, would be); each device counts once.
  returned: always
  type: int
  sample: 2
devices_already_assigned:
  description:
    - The devices that carried the profile already (nothing was sent for them), each as in RV(devices); how many is
      C(devices_already_assigned | length).
  returned: success
  type: list
  elements: dict
  sample: [{"id": "e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a02", "serial_number": "KIOSK-0002", "product_key": null,
            "batch_id": "contoso-2026-11-kiosks", "profile": "5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c",
            "profile_id": "5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c"}]
  contains: *listed_device
pages:
  description: How many pages of devices were read.
  returned: success
  type: int
  sample: 1
batch_tracking_id:
  description:
    - The id that tracks Partner Center's processing of the assignment, from the C(Location) of its answer (or its body);
      give it to M(partnercenter.devices.batch_upload_status). Null when Partner Center named none (a warning says so).
  returned: when the profile was assigned, also when the task then fails
  type: str
  sample: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
location:
  description: The C(Location) header of Partner Center's answer (null when it had none).
  returned: when the profile was assigned
  type: str
assignment_request_id:
  description:
    - The C(MS-RequestId) of the assignment request Partner Center accepted, for Partner Center support.
    - With RV(outcome_unknown), the C(MS-RequestId) of the request whose outcome is unknown.
  returned: when the profile was assigned, and when RV(outcome_unknown)
  type: str
outcome_unknown:
  description:
    - True when the assignment was sent and no answer settled it (every attempt timed out or lost its connection) - it
      may have been applied; list the devices with M(partnercenter.devices.device_batch_info) to know.
  returned: failure, when the outcome of the assignment is unknown
  type: bool
assignment_http_status:
  description: The HTTP status of Partner Center's answer that accepted the assignment (V(202), or V(200)).
  returned: when the profile was assigned
  type: int
  sample: 202
diff:
  description: The devices that change, with the profile each carries before and after.
  returned: always
  type: dict
correlation_id:
  description: The C(MS-CorrelationId) sent with every request of this task, for Partner Center support.
  returned: success, and failure after the first request
  type: str
  sample: aaaa0000-bb11-2222-33cc-444444dddddd
batch_upload_details:
  description:
    - With O(wait), the final status of the assignment, as M(partnercenter.devices.batch_upload_status) returns it.
    - Each entry of its C(devices_status) also names the device it is about, as for uploads.
  returned: when O(wait=true) and the profile was assigned
  type: dict
  contains:
    batch_tracking_id:
      description: The batch tracking id of the assignment.
      type: str
    status:
      description: V(queued), V(processing), V(finished) or V(finished_with_errors) (or V(unknown)), in the documented spelling.
      type: str
    started_time:
      description:
        - When Partner Center started the assignment, or null; the date-time as Partner Center sends it (its documented
          example, V(2017-07-25T10:00:00), names no time zone).
      type: str
    completed_time:
      description: When Partner Center finished it, or null; the date-time as Partner Center sends it.
      type: str
    devices_status:
      description:
        - One entry per device (those O(return_devices) keeps).
      type: list
      elements: dict
      contains: &device_outcome
        device_id:
          description: The device id, or null (Partner Center does not always send it).
          type: str
        serial_number:
          description: The device's serial number, or null.
          type: str
        product_key:
          description: The device's product key, or null.
          type: str
        status:
          description:
            - The device's status in snake_case (V(in_progress), V(finished), V(finished_with_errors)), whatever spelling
              Partner Center sent; a value it does not document, as sent.
          type: str
        error_code:
          description: Partner Center's error code for this device, or null.
          type: str
        error_description:
          description: The error's name or text, or null.
          type: str
        remediation:
          description: What to do about the device's error (see M(partnercenter.devices.batch_upload_status)), null when it has none.
          type: str
        attributes:
          description: Partner Center's resource attributes, when it sent them.
          type: dict
        upload_index:
          description: The index in RV(devices) of the device this entry is about; null when it could not be paired.
          type: int
        csv_line:
          description: Always null here (the devices come from no CSV); the key is there as for uploads.
          type: int
        paired_by:
          description: How the entry was paired with its device - V(serial_number), V(product_key) or V(position); null when it was not.
          type: str
raw_batch_upload_details:
  description: With O(wait), the status exactly as Partner Center sent it (camelCase keys).
  returned: when O(wait=true), O(return_raw=true) and the profile was assigned
  type: dict
device_pairing:
  description: With O(wait), how the device outcomes were paired with RV(devices), as in M(partnercenter.devices.device_batch).
  returned: when O(wait=true) and the details were read
  type: str
  sample: identifiers
complete:
  description: With O(wait), whether Partner Center has finished the assignment.
  returned: when O(wait=true) and the profile was assigned
  type: bool
devices_with_errors:
  description: With O(wait), the entries of RV(batch_upload_details.devices_status) that carry an error, each with its C(remediation).
  returned: when O(wait=true) and the profile was assigned
  type: list
  elements: dict
  contains: *device_outcome
device_status_counts:
  description: With O(wait), how many devices have each status.
  returned: when O(wait=true) and the profile was assigned
  type: dict
unexpected_status:
  description: With O(wait), whether the status is one Partner Center does not document.
  returned: when O(wait=true) and the details were read
  type: bool
polls:
  description: With O(wait), how many times the status was read.
  returned: when O(wait=true) and the profile was assigned
  type: int
throttled_polls:
  description: With O(wait), how many polls were throttled or failed and only delayed the next one.
  returned: when O(wait=true) and the profile was assigned
  type: int
waited_seconds:
  description: With O(wait), how long the module waited, in seconds.
  returned: when O(wait=true) and the profile was assigned
  type: float
not_found:
  description: When named devices do not exist, or a serial number names several, each of them, saying which.
  returned: failure, when named devices cannot be found
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

from ansible_collections.partnercenter.devices.plugins.module_utils.accepted_change import follow_accepted_change
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import RESULT_ARGUMENT_SPEC
from ansible_collections.partnercenter.devices.plugins.module_utils.device_changes import assign_profile
from ansible_collections.partnercenter.devices.plugins.module_utils.device_lookup import (
    carries_profile,
    device_summary,
    read_devices,
    select_devices,
    unique_devices,
    unusable_device_ids,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, TransportError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import WAIT_ARGUMENT_SPEC, PartnerCenterModule, report_unexpected_exceptions
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import (
    get_profile,
    list_profiles,
    profiles_named,
    unique_profiles,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import batch_name_problem, is_plain_name, policy_id_problem


def check_names(module, option):
    """Fail unless every entry of the list option is a non-empty name without control characters."""
    bad = [value for value in module.params[option] or () if not is_plain_name(value)]
    if bad:
        module.fail_json(msg='%s must hold names without control characters, not empty; got %s.'
                         % (option, ', '.join(repr(value) for value in bad)))


def resolve_profile(module, client):
    """The id and name of the profile to assign; fails clearly when there is no such profile, or several."""
    params = module.params
    customer_id = params['customer_id']
    if params['profile_id'] is not None:
        asked = params['profile_id']
        profile = get_profile(client, customer_id, asked)[1]
        if profile is None:
            module.fail_json(msg='Customer %s has no Autopilot profile with id %s (Partner Center answered 404); nothing '
                                 'was assigned.' % (customer_id, asked), correlation_id=client.correlation_id)
        answered = profile.get('id')
        if answered is not None and (not isinstance(answered, str) or answered.lower() != asked.lower()):
            module.fail_json(msg='Nothing was assigned: Partner Center answered the GET of Autopilot profile %s of customer %s '
                                 'with another profile (id %r, name %r).' % (asked, customer_id, answered, profile.get('name')),
                             correlation_id=client.correlation_id)
        # The id asked for, checked as a GUID; the answer only confirms it.
        return asked, profile.get('name')
    raw_items, profiles = list_profiles(client, customer_id)
    matches = unique_profiles(profiles_named(raw_items, profiles, params['profile_name']))
    if len(matches) != 1:
        module.fail_json(msg='%s of customer %s is named %r; nothing was assigned.%s' % (
            'No Autopilot profile' if not matches else '%d Autopilot profiles' % len(matches), customer_id,
            params['profile_name'], ' Give profile_id instead.' if matches else ''),
            correlation_id=client.correlation_id)
    profile_id = matches[0][1].get('id')
    problem = policy_id_problem(profile_id)
    if problem:
        module.fail_json(msg='Nothing was assigned: Partner Center listed Autopilot profile %r of customer %s with an id that '
                             '%s.' % (matches[0][1].get('name'), customer_id, problem), correlation_id=client.correlation_id)
    return profile_id, matches[0][1].get('name')


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            profile_id=dict(type='str'),
            profile_name=dict(type='str'),
            device_ids=dict(type='list', elements='str'),
            serial_numbers=dict(type='list', elements='str'),
            batch_id=dict(type='str', aliases=['batch_name']),
            **dict(WAIT_ARGUMENT_SPEC, **RESULT_ARGUMENT_SPEC)
        ),
        mutually_exclusive=[('profile_id', 'profile_name')],
        required_one_of=[('profile_id', 'profile_name'), ('device_ids', 'serial_numbers', 'batch_id')],
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id', 'profile_id')
    module.check_wait_options()
    check_names(module, 'device_ids')
    check_names(module, 'serial_numbers')
    if params['profile_name'] is not None and not params['profile_name'].strip():
        module.fail_json(msg='profile_name must not be empty.')
    if params['batch_id'] is not None and batch_name_problem(params['batch_id']):
        module.fail_json(msg='batch_id must name a device batch: it %s.' % batch_name_problem(params['batch_id']))
    if params['device_ids'] == [] or params['serial_numbers'] == []:
        module.fail_json(msg='device_ids and serial_numbers, when given, must name at least one device.')

    client = module.client()
    customer_id = params['customer_id']
    result = dict(changed=False, devices=[], devices_count=0, diff=dict(before={}, after={}))
    try:
        profile_id, profile_name = resolve_profile(module, client)
        devices, pages = read_devices(client, customer_id, params['batch_id'], warn=module.module.warn)
        if params['batch_id'] is not None and not devices and not (params['device_ids'] or params['serial_numbers']):
            module.module.warn('Batch %s of customer %s has no devices (or does not exist): nothing to assign.'
                               % (params['batch_id'], customer_id))
        named = params['device_ids'] or params['serial_numbers']
        if named:
            devices, ids_missing, serials_missing, ambiguous = select_devices(devices, params['device_ids'], params['serial_numbers'])
            problems = (['device id %s' % value for value in ids_missing] + ['serial number %s' % value for value in serials_missing])
            problems = ['%s: no such device in %s' % (problem, 'batch %s' % params['batch_id'] if params['batch_id'] else
                                                      "the customer's batches") for problem in problems]
            problems += ['serial number %s: several devices carry it; name them by device_ids' % value for value in ambiguous]
            if problems:
                module.fail_json(msg='Nothing was assigned: %s.' % '; '.join(problems), not_found=problems,
                                 correlation_id=client.correlation_id)
    except PartnerCenterError as error:
        module.fail(error, **result)

    # A device listed twice (two pages, two spellings of its id) or named twice is assigned and counted once.
    devices = unique_devices(devices)
    changing, carrying = [], []
    for device in devices:
        (carrying if carries_profile(device, profile_id, profile_name) else changing).append(device)
    unusable = unusable_device_ids(changing)
    if unusable:
        module.fail_json(msg='Nothing was assigned: Partner Center listed %s; such an id cannot name a device of the '
                             'assignment.' % '; '.join(unusable), correlation_id=client.correlation_id, **result)
    before = [device_summary(device) for device in changing]
    after = [dict(summary, profile=profile_id, profile_id=profile_id) for summary in before]
    result.update(profile_id=profile_id, profile_name=profile_name, devices=before, devices_count=len(before),
                  devices_already_assigned=[device_summary(device) for device in carrying], pages=pages, correlation_id=client.correlation_id,
                  diff=dict(before=dict(devices=before) if before else {}, after=dict(devices=after) if after else {}))
    if not changing or module.check_mode:
        result['changed'] = bool(changing)
        module.exit_json(**result)

    try:
        accepted = assign_profile(client, customer_id, [device['id'] for device in changing], profile_id)
    except PartnerCenterError as error:
        if isinstance(error, TransportError) and error.outcome_unknown:
            result.update(outcome_unknown=True, assignment_request_id=error.request_id)
        module.fail(error, **result)
    result.update(changed=True, batch_tracking_id=accepted['batch_tracking_id'], location=accepted['location'],
                  assignment_request_id=accepted['request_id'], assignment_http_status=accepted['http_status'])
    untracked = None if result['batch_tracking_id'] is not None else (
        'Partner Center accepted the assignment (HTTP %s, MS-RequestId %s) but named no batch tracking id, so '
        'its progress cannot be followed; list the devices with partnercenter.devices.device_batch_info to see '
        'their profile.' % (result['assignment_http_status'], result['assignment_request_id']))
    follow_accepted_change(module, client, result, untracked, changing, ['device %s' % device.get('id') for device in changing])


if __name__ == '__main__':
    main()
