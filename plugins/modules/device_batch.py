#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: device_batch
short_description: Upload devices into a Microsoft Partner Center device batch
version_added: 0.1.0
description:
  - Uploads devices (Windows Autopilot / Zero-Touch) for a customer into the device batch named O(batch_id),
    creating the batch when it does not exist (C(POST /v1/customers/{customer-id}/deviceBatches)) and adding
    to it when it does (C(POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices)).
  - Devices come from O(devices), a list in snake_case, or from a Windows Autopilot hardware-hash CSV file
    (O(csv_path)) or its text (O(csv_content)). They are checked before anything is sent; every problem
    is reported at once, with the line or list index it comes from.
  - Partner Center accepts the upload and processes it asynchronously; the module returns the
    RV(batch_tracking_id) to follow it with M(partnercenter.devices.batch_upload_status) or the
    C(partnercenter.devices.wait_for_batch_upload) role, or waits itself with O(wait=true).
  - Partner Center documents creating a new batch for app+user credentials only (secure application model,
    O(refresh_token)) of a user with the Admin agent role; with app-only credentials the creation is refused (HTTP 403)
    and the module says so. Adding devices to an existing batch accepts app-only and app+user credentials.
  - Any 2xx answer accepts the upload (the REST reference lists 200 and 202); the tracking id is read from the
    C(Location) header (relative or absolute) or from the body. An accepted upload without a tracking id anywhere is
    still V(changed), with a warning that says how to find the batch (M(partnercenter.devices.device_batch_info)); with
    O(wait) the task then fails, as there is nothing to wait on.
  - Once Partner Center has accepted the upload, every later failure of the task (a wait that times out, a poll that is
    refused or whose body cannot be used, a status Partner Center does not document) still returns V(changed=true),
    RV(batch_tracking_id) and RV(upload_request_id), so that a re-run does not upload the devices again unknowingly.
  - When the request was sent but no answer settled it (a dropped connection, a timeout, or a server fault (5xx) that
    retrying with the same C(MS-RequestId) did not turn into an answer), the task fails saying that the devices may have
    been accepted, with RV(outcome_unknown=true), V(changed=true) and RV(upload_request_id); check the batch with
    M(partnercenter.devices.device_batch_info) before uploading again.
  - When creating the batch got no settled answer and its retry answered 409 (the batch exists), the batch is taken as
    created by that first attempt (it did not exist when the task listed the batches); it is read, and only the devices
    it lacks are added to it, so that no device is sent twice; the result says so with RV(create_outcome_unknown).
    Whatever fails afterwards, the result keeps RV(created) and V(changed=true).
  - When creating the batch answered 409 with no earlier attempt in doubt (the batch was made between the task's read and
    its creation, or Partner Center did not list it yet), RV(create_conflict) is V(true). With O(skip_existing) the batch
    is read again and only the devices it lacks are added (if none, nothing is sent and V(changed=false)); when the list still
    does not show it, the task fails and uploads nothing. Without O(skip_existing), every device is added to it.
  - With O(wait), waiting works as in M(partnercenter.devices.batch_upload_status) (throttled polls only delay the
    next one; a status Partner Center does not document ends the wait at once), and each device outcome is paired
    with the device that was sent (RV(device_pairing)), so that even hash-only devices, whose outcomes Partner Center
    returns without serial number or product key, are named by their C(upload_index)
    and CSV line.
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
  - partnercenter.devices.partner_center.wait
  - partnercenter.devices.partner_center.results
attributes:
  check_mode:
    support: full
    description:
      - In check mode the devices are read and checked, and nothing is uploaded. With O(skip_existing) the batch's devices
        are read (GET only), so that RV(devices_count) and C(changed) say what a run would upload.
  diff_mode:
    support: partial
    description:
      - With O(skip_existing), the diff lists the devices given that the batch holds (before) and those it gains (after).
      - With O(skip_existing=false) the batch is not read, and there is no diff.
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
    type: str
    required: true
    aliases: [customer_tenant_id]
  batch_id:
    description:
      - The name of the device batch, of your choosing. The devices are added to the customer's batch of that
        name (compared without regard to case), which is created when it does not exist.
    type: str
    required: true
    aliases: [batch_name]
  devices:
    description:
      - The devices to upload, each a dict of the fields below.
      - Each device needs one of the identifier sets Partner Center accepts - O(devices[].hardware_hash) alone or
        with O(devices[].product_key) and/or O(devices[].serial_number); O(devices[].product_key) alone; or
        O(devices[].serial_number) with O(devices[].oem_manufacturer_name) and O(devices[].model_name).
      - Exactly one of O(devices), O(csv_path) and O(csv_content) is required.
    type: list
    elements: dict
    suboptions:
      hardware_hash:
        description: The Windows Autopilot hardware hash (base64), as Get-WindowsAutopilotInfo reports it.
        type: str
      product_key:
        description: The Windows product key ID (PKID) of the device.
        type: str
      serial_number:
        description: The serial number the manufacturer gave the device.
        type: str
      oem_manufacturer_name:
        description: The manufacturer, as the device's firmware (SMBIOS) names it, such as C(Microsoft Corporation).
        type: str
      model_name:
        description: The model, as the device's firmware (SMBIOS) names it, such as C(Surface Laptop 5).
        type: str
  csv_path:
    description:
      - A Windows Autopilot hardware-hash CSV file on the host the task runs on (usually the controller, in a
        play on C(localhost)).
      - Its header names the columns C(Device Serial Number), C(Windows Product ID) and C(Hardware Hash), and
        optionally C(Manufacturer name) and C(Device model), in any order and case. Other columns (such as
        C(Group Tag)) are ignored with a warning. UTF-8 (with or without a byte order mark) or UTF-16 with a byte
        order mark; other bytes are read as Windows-1252.
    type: path
  csv_content:
    description:
      - The text of such a CSV file, for example from C(lookup('ansible.builtin.file', 'devices.csv')).
    type: str
  skip_existing:
    version_added: 1.0.0
    description:
      - Whether to read the batch's devices first (every page) and upload only those it does not hold yet, so that a second
        run uploads nothing and reports V(changed=false).
      - A device is in the batch when the batch's listing names it - by its serial number (any case), with the same
        manufacturer and model where both the device given and the listing name them; or by its hardware hash or product
        key (any case), which Partner Center's listings do not carry as far as Microsoft's published examples show.
        RV(devices_already_in_batch) lists them.
      - A device given by its hardware hash alone (or a serial number that two listed devices of different makers share)
        cannot be found in the listing and is uploaded again on a re-run. Partner Center then answers 806
        (C(ZtdDeviceAlreadyAssigned)) for it, which means it is already registered to this customer; with O(wait) such a
        device is listed in RV(devices_already_registered) and marked C(already_registered), not counted as an error.
      - Reading costs one request per 100 devices of the batch (about 100 requests for 10,000 devices).
      - V(false) uploads every device given, without reading the batch; Partner Center then reports those already registered to the
        customer with error 806 (C(ZtdDeviceAlreadyAssigned)).
    type: bool
    default: true
seealso:
  - module: partnercenter.devices.batch_upload_status
  - module: partnercenter.devices.device_batch_info
  - name: Upload a list of devices to create a new batch
    description: Partner Center's documentation of the creation endpoint.
    link: https://learn.microsoft.com/partner-center/developer/upload-a-list-of-devices-to-create-a-new-batch-for-the-specified-customer
  - name: Upload a list of devices to an existing batch
    description: Partner Center's documentation of the endpoint that adds devices.
    link: https://learn.microsoft.com/partner-center/developer/upload-a-list-of-devices-to-an-existing-batch-for-the-specified-customer
notes:
  - Only the batch O(batch_id) is read for O(skip_existing); a device registered to the customer in another batch is
    uploaded, and Partner Center reports it with error 806 (C(ZtdDeviceAlreadyAssigned)) and changes nothing for it
    (with O(wait), in RV(devices_already_registered)).
  - A request that times out is retried with the same C(MS-RequestId), so Partner Center does not apply it twice.
  - Without O(wait), the device outcomes are not paired with the devices sent; read them with
    M(partnercenter.devices.batch_upload_status).
'''

EXAMPLES = r'''
- name: Upload a Windows Autopilot CSV for a customer and wait for Partner Center to process it
  partnercenter.devices.device_batch:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_id: contoso-2026-11-laptops
    csv_path: files/contoso-laptops.csv
    wait: true
  register: upload

- name: Report each device Partner Center refused
  ansible.builtin.debug:
    msg: "{{ item.serial_number }}: {{ item.error_code }} {{ item.error_description }}"
  loop: "{{ upload.devices_with_errors }}"

- name: Upload devices listed in the playbook, identified by serial number, manufacturer and model
  partnercenter.devices.device_batch:
    customer_id: "{{ customer_id }}"
    batch_id: contoso-kiosks
    devices:
      - serial_number: KIOSK-0001
        oem_manufacturer_name: Microsoft Corporation
        model_name: Surface Go 4
      - hardware_hash: "{{ lookup('ansible.builtin.file', 'hashes/kiosk-0002.txt') }}"
        serial_number: KIOSK-0002
  register: upload

- name: Wait for that batch with the role, every poll visible
  ansible.builtin.include_role:
    name: partnercenter.devices.wait_for_batch_upload
  vars:
    wait_for_batch_upload_customer_id: "{{ customer_id }}"
    wait_for_batch_upload_batch_tracking_id: "{{ upload.batch_tracking_id }}"

- name: Check a CSV without sending anything
  partnercenter.devices.device_batch:
    customer_id: "{{ customer_id }}"
    batch_id: contoso-2026-11-laptops
    csv_content: "{{ lookup('ansible.builtin.file', 'contoso-laptops.csv') }}"
  check_mode: true
'''

RETURN = r'''
batch_id:
  description: The name of the batch, as Partner Center spells it when the devices were added to an existing batch.
  returned: always
  type: str
  sample: contoso-2026-11-laptops
devices_count:
  description:
    - How many devices were uploaded (in check mode, how many would be); with O(skip_existing), those the batch lacked.
    - With RV(create_outcome_unknown), how many were added after the creation whose answer was lost; with RV(create_conflict)
      and O(skip_existing), how many the batch lacked when it was read again.
  returned: always
  type: int
  sample: 3
devices_already_in_batch:
  version_added: 1.0.0
  description:
    - With O(skip_existing), the devices given that the batch holds already and that were not uploaded, each with C(origin)
      (C(devices[2]) or C(laptops.csv line 5)), C(device_id) and C(serial_number) of the device in the batch, and
      C(matched_by) (V(serial_number) when manufacturer and model could not both be compared, V(serial_number_manufacturer_model),
      V(hardware_hash) or V(product_key)).
  returned: when O(skip_existing=true)
  type: list
  elements: dict
  sample: [{"origin": "laptops.csv line 2", "device_id": "e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a01",
            "serial_number": "LAPTOP-0001", "matched_by": "serial_number"}]
  contains: &device_found
    origin:
      description: Where the device given came from, such as C(devices[2]) or C(laptops.csv line 5).
      type: str
    device_id:
      description: The id of the device in the batch, as its listing gives it.
      type: str
    serial_number:
      description: The serial number of the device in the batch, as its listing gives it.
      type: str
    matched_by:
      description:
        - How the device given was found in the batch - V(hardware_hash), V(product_key), V(serial_number_manufacturer_model)
          or V(serial_number) (when manufacturer and model could not both be compared).
      type: str
diff:
  version_added: 1.0.0
  description: With O(skip_existing), the devices given that the batch holds (C(before)) and, after, those plus the ones uploaded.
  returned: when O(skip_existing=true)
  type: dict
created:
  description:
    - Whether the upload created the batch (V(false) when the devices were added to an existing one).
    - With RV(create_outcome_unknown), V(true) - the creation whose answer was lost is taken to have made the batch.
    - With RV(create_conflict), V(false).
  returned: success, not in check mode; failure, once a creation is known or taken to have happened
  type: bool
  sample: true
create_outcome_unknown:
  version_added: 1.0.0
  description:
    - V(true) when creating the batch got no settled answer (a server fault or a lost answer) and its retry answered 409;
      the batch was read and only the devices it lacked were added (RV(devices_count) of them, none when it held all).
      RV(devices_found_after_create) lists the devices given that it held. RV(batch_tracking_id) is then the tracking id
      of that addition; the creation's own was lost with its answer (null when nothing was added, with a warning).
  returned: when it happened, also when the task then fails
  type: bool
  sample: true
create_conflict:
  version_added: 1.0.0
  description:
    - V(true) when the list of batches read before did not show the batch, yet creating it answered 409 (it exists - made
      meanwhile, or not listed yet), with no earlier attempt of the creation in doubt (see RV(create_outcome_unknown)).
    - With O(skip_existing), the batch was read again (RV(devices_already_in_batch) and the diff are from that read), and only
      the devices it lacked were added (RV(devices_count) of them; none sends nothing and gives V(changed=false), with
      RV(batch_tracking_id) and RV(upload_request_id) null). Without O(skip_existing), every device given was added to it.
  returned: when the batch was to be created or added to (not in check mode), also when the task then fails
  type: bool
  sample: false
create_request_id:
  version_added: 1.0.0
  description: With RV(create_outcome_unknown), the C(MS-RequestId) of the creation request whose answer was lost, for Partner Center support.
  returned: when RV(create_outcome_unknown)
  type: str
devices_found_after_create:
  version_added: 1.0.0
  description:
    - With RV(create_outcome_unknown), the devices given that the batch held when it was read after the 409, and that were
      not sent again; each as in RV(devices_already_in_batch).
    - A device given by its hardware hash alone cannot be found this way and is sent again; its outcome is then 806, read
      as already registered (RV(devices_already_registered)).
  returned: when RV(create_outcome_unknown) and the batch was read
  type: list
  elements: dict
  contains: *device_found
devices_already_registered:
  version_added: 1.0.0
  description:
    - With O(wait), the entries of RV(batch_upload_details.devices_status) whose outcome is error 806
      (C(ZtdDeviceAlreadyAssigned)) - the device is registered to this customer already, as for a device uploaded again
      because the batch's listing cannot name it (one given by its hardware hash alone). They are not errors, and not in
      RV(devices_with_errors).
  returned: when O(wait=true) and the details were read
  type: list
  elements: dict
  # The keys of a device outcome, as in batch_upload_details.devices_status: defined at their first use here.
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
      description: Partner Center's error code for this device (for example V(806), V(808)), or null.
      type: str
    error_description:
      description: The error's name or text (for example V(ZtdDeviceAssignedToOtherTenant)), or null.
      type: str
    remediation:
      description: What to do about the device's error, from the collection's catalogue; null when it has none.
      type: str
    attributes:
      description: Partner Center's resource attributes, when it sent them.
      type: dict
    upload_index:
      description:
        - The collection's own - the index of the device this entry is about in the devices sent (in O(devices), or
          the data rows of the CSV); null when the entry could not be paired with a device.
      type: int
    csv_line:
      description: The collection's own - the CSV line of that device; null for O(devices), or when not paired.
      type: int
    paired_by:
      description:
        - The collection's own - how the entry was paired with its device, V(serial_number), V(product_key) or
          V(position) (see RV(device_pairing)); null when it was not.
      type: str
    already_registered:
      description:
        - The collection's own - V(true) for an outcome with error 806 (C(ZtdDeviceAlreadyAssigned)), the device being
          registered to this customer already (see RV(devices_already_registered)); else V(false).
      type: bool
batch_tracking_id:
  description:
    - The id that tracks Partner Center's processing of this upload, from the C(Location) of its answer (or its body). Give
      it to M(partnercenter.devices.batch_upload_status) or the C(partnercenter.devices.wait_for_batch_upload) role.
    - Null when Partner Center accepted the upload without naming it (a warning says how to find the batch), and with
      RV(create_outcome_unknown) or RV(create_conflict) when nothing was left to add.
  returned: once Partner Center accepted the upload, also when the task then fails
  type: str
  sample: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
upload_http_status:
  version_added: 1.0.0
  description: The HTTP status of Partner Center's answer that accepted the upload (V(202), or V(200) as the REST reference also lists).
  returned: once Partner Center accepted the upload
  type: int
  sample: 202
outcome_unknown:
  version_added: 1.0.0
  description:
    - V(true) when the upload request was sent and no answer settled it (a dropped connection, a timeout or a server
      fault (5xx) not settled by retrying, or a refusal of a retry after such an attempt), so Partner Center may have
      accepted the devices. The task fails; check the batch with
      M(partnercenter.devices.device_batch_info) before uploading again.
  returned: failure, when the outcome of the upload is unknown
  type: bool
  sample: true
device_pairing:
  version_added: 1.0.0
  description:
    - With O(wait), how the device outcomes of RV(batch_upload_details.devices_status) were paired with the devices sent -
      V(identifiers) (by serial number or product key), V(position) (in upload order, when Partner Center returned as many
      outcomes as devices were sent and none names its device, as for hash-only uploads), V(identifiers_and_position),
      V(partial) (some outcomes could not be paired) or V(none) (no outcomes).
  returned: when O(wait=true) and the details were read
  type: str
  sample: position
location:
  description: The C(Location) header of Partner Center's answer, the path of the batch's status (null when the answer had none).
  returned: once Partner Center accepted the upload
  type: str
  sample: /customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932
upload_request_id:
  description:
    - The C(MS-RequestId) of the upload request Partner Center accepted, for Partner Center support. It is Partner
      Center's idempotency key for the request.
    - When RV(outcome_unknown), the C(MS-RequestId) of the request whose outcome is unknown.
    - Null with RV(create_outcome_unknown) when nothing was left to add (see RV(create_request_id)), and with RV(create_conflict)
      when nothing was left to add.
  returned: once Partner Center accepted the upload (also when the task then fails), and when RV(outcome_unknown)
  type: str
  sample: 9f3c4b2a-1d5e-4f60-8a7b-0c1d2e3f4a5b
correlation_id:
  description: The C(MS-CorrelationId) sent with every request of this task, for Partner Center support.
  returned: success, not in check mode; failure after the first request
  type: str
  sample: aaaa0000-bb11-2222-33cc-444444dddddd
batch_upload_details:
  description:
    - With O(wait), the final status of the upload, as M(partnercenter.devices.batch_upload_status) returns it (its
      RV(batch_upload_details) lists every key), with one entry per uploaded device in RV(batch_upload_details.devices_status).
  returned: when O(wait=true)
  type: dict
  contains:
    batch_tracking_id:
      description: The batch tracking id.
      type: str
    status:
      description:
        - V(queued), V(processing), V(finished) or V(finished_with_errors) (or V(unknown)), whatever spelling Partner Center
          sent (V(finishedWithErrors) is returned as V(finished_with_errors)); a status it does not document, as sent.
      type: str
    started_time:
      description:
        - When Partner Center started processing the batch, or null; the date-time as Partner Center sends it (its
          documented example, V(2017-07-25T10:00:00), names no time zone).
      type: str
    completed_time:
      description: When Partner Center finished the batch, or null; the date-time as Partner Center sends it.
      type: str
    devices_status:
      description:
        - One entry per device, each naming the device it is about.
        - With O(return_devices=with_errors), only the devices of RV(devices_with_errors); with O(return_devices=none), none.
        - "The error codes and their remediation: U(https://github.com/partnercenter/devices/blob/main/docs/docsite/rst/device-error-codes.rst)."
      type: list
      elements: dict
      contains: *device_outcome
  sample:
    batch_tracking_id: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
    status: finished_with_errors
    started_time: "2026-11-24T10:00:00"
    completed_time: "2026-11-24T10:00:20"
    devices_status:
      - device_id: 4f0d6a4e-0a8e-4c2b-9d38-2f1b5c6e7a80
        serial_number: LAPTOP-0001
        product_key: null
        status: finished
        error_code: null
        error_description: null
        remediation: null
        upload_index: 0
        csv_line: 2
        paired_by: serial_number
        already_registered: false
      - device_id: null
        serial_number: OTHER-TENANT-0001
        product_key: null
        status: finished_with_errors
        error_code: "808"
        error_description: ZtdDeviceAssignedToOtherTenant
        remediation: "Registered to another tenant: only whoever registered it there (...) can deregister it; ..."
        upload_index: 1
        csv_line: 3
        paired_by: serial_number
        already_registered: false
raw_batch_upload_details:
  description: With O(wait), the BatchUploadDetails exactly as Partner Center sent it (camelCase keys).
  returned: when O(wait=true) and O(return_raw=true)
  type: dict
complete:
  description: With O(wait), whether Partner Center has finished the batch; V(false) only when O(wait_timeout) passed.
  returned: when O(wait=true)
  type: bool
  sample: true
devices_with_errors:
  description:
    - With O(wait), the entries of RV(batch_upload_details.devices_status) that carry an error, each with its C(remediation).
    - Not those RV(devices_already_registered) lists (error 806).
  returned: when O(wait=true)
  type: list
  elements: dict
  contains: *device_outcome
device_status_counts:
  description: With O(wait), how many devices have each status.
  returned: when O(wait=true)
  type: dict
  sample: {"finished": 2, "finished_with_errors": 1}
polls:
  description: With O(wait), how many times the module read the batch's status (polls that failed are not counted).
  returned: when O(wait=true)
  type: int
  sample: 3
throttled_polls:
  version_added: 1.0.0
  description:
    - With O(wait), how many polls failed with throttling (429), a server fault (5xx), a timeout or a dropped connection
      after the client's own retries, and only delayed the next poll.
  returned: when O(wait=true)
  type: int
  sample: 0
unexpected_status:
  version_added: 1.0.0
  description: With O(wait), whether the batch has a status Partner Center does not document (the wait then fails at once, naming it).
  returned: when O(wait=true) and the details were read
  type: bool
  sample: false
waited_seconds:
  description: With O(wait), how long the module waited, in seconds.
  returned: when O(wait=true)
  type: float
  sample: 31.5
problems:
  description: When the devices cannot be uploaded as given, every reason, each naming its CSV line or list index.
  returned: failure, when the devices fail the checks
  type: list
  elements: str
  sample: ["contoso.csv line 4: the hardware hash is not base64 (...)", "contoso.csv line 7 has the same serial number as contoso.csv line 2 (...)"]
http_status:
  description: The HTTP status of the answer that made the task fail.
  returned: failure, when Partner Center or Entra ID answered
  type: int
  sample: 403
error_code:
  description: Partner Center's error C(code), or Entra ID's C(error), of the answer that made the task fail; always a string.
  returned: failure, when the answer carried one
  type: str
  sample: "600008"
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
  returned: failure, when a request failed
  type: str
'''

import os

from ansible_collections.partnercenter.devices.plugins.module_utils.accepted_change import follow_accepted_change
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import RESULT_ARGUMENT_SPEC
from ansible_collections.partnercenter.devices.plugins.module_utils.device_batch_api import UploadOutcomeUnknown, no_tracking_id_message
from ansible_collections.partnercenter.devices.plugins.module_utils.device_input import (
    DeviceListError,
    check_devices,
    read_autopilot_csv,
    read_csv_file,
    read_device_list,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.device_upload import skip_present_devices, upload_once
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import WAIT_ARGUMENT_SPEC, PartnerCenterModule, report_unexpected_exceptions
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_plain_name

DEVICE_OPTIONS = dict(
    hardware_hash=dict(type='str'),
    # The Windows product key ID (PKID) identifies a device; it is not a secret.
    product_key=dict(type='str', no_log=False),
    serial_number=dict(type='str'),
    oem_manufacturer_name=dict(type='str'),
    model_name=dict(type='str'),
)


def read_devices(module):
    """The devices to upload from whichever option gives them -> (devices, origins, warnings)."""
    params = module.params
    if params['devices'] is not None:
        return read_device_list(params['devices'])
    if params['csv_content'] is not None:
        return read_autopilot_csv(params['csv_content'], 'csv_content')
    path = params['csv_path']
    try:
        content = read_csv_file(path)
    except (OSError, UnicodeDecodeError) as error:
        module.fail_json(msg='Cannot read csv_path %s: %s' % (path, getattr(error, 'strerror', None) or error))
    return read_autopilot_csv(content, os.path.basename(path))


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            batch_id=dict(type='str', required=True, aliases=['batch_name']),
            devices=dict(type='list', elements='dict', options=DEVICE_OPTIONS),
            csv_path=dict(type='path'),
            csv_content=dict(type='str'),
            skip_existing=dict(type='bool', default=True),
            **dict(WAIT_ARGUMENT_SPEC, **RESULT_ARGUMENT_SPEC)
        ),
        mutually_exclusive=[('devices', 'csv_path', 'csv_content')],
        required_one_of=[('devices', 'csv_path', 'csv_content')],
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id')
    module.check_wait_options()
    batch_id = params['batch_id']
    if not is_plain_name(batch_id, trimmed=True):
        module.fail_json(msg='batch_id must be a name without leading or trailing spaces or control characters, got %r.' % batch_id)

    try:
        devices, origins, warnings = read_devices(module)
        check_devices(devices, origins)
    except DeviceListError as error:
        module.fail_json(msg='Nothing was uploaded: %d problem%s with the devices: %s' % (
            len(error.problems), '' if len(error.problems) == 1 else 's', error), problems=error.problems)
    for warning in warnings:
        module.module.warn(warning)

    result = dict(changed=True, batch_id=batch_id, devices_count=len(devices))
    known = {}
    if params['skip_existing']:
        devices, origins, known['existing'] = _skip_present(module, result, devices, origins)
    if module.check_mode:
        module.exit_json(**result)

    client = module.client()
    # What was changed, as soon as it is known: a failure after it still reports it.
    done = {}
    try:
        upload, devices, origins = upload_once(client, params['customer_id'], batch_id, devices, origins,
                                               warn=module.module.warn, done=done, skip_existing=params['skip_existing'], **known)
    except UploadOutcomeUnknown as unknown:
        # The devices may be in Partner Center now: say so, and give the idempotency key of the request.
        result.update(done, changed=True, outcome_unknown=True, upload_request_id=unknown.request_id,
                      correlation_id=client.correlation_id)
        module.fail(unknown, **result)
    except PartnerCenterError as error:
        # Nothing was accepted, unless a creation whose answer was lost made the batch.
        result.update(done, changed=bool(done.get('created')), correlation_id=client.correlation_id)
        module.fail(error, **result)
    result.update(done)
    result.update(upload, correlation_id=client.correlation_id)
    if upload.get('create_outcome_unknown'):
        result['devices_count'] = len(devices)
        if upload['upload_request_id'] is None:
            # The batch holds every device: nothing was sent again, and the creation's tracking id was lost with its answer.
            module.module.warn(CREATED_WITHOUT_ANSWER % (batch_id, params['customer_id']))
            module.exit_json(**result)
    elif upload.get('create_conflict') and params['skip_existing']:
        # Read again after the 409: only what the batch lacked was sent (maybe nothing).
        result['devices_count'] = len(devices)
        if upload['upload_request_id'] is None:
            result['changed'] = False
            module.exit_json(**result)
    # From here on Partner Center has accepted the devices: every outcome keeps changed, the tracking id and the request id.
    untracked = None if result['batch_tracking_id'] is not None else no_tracking_id_message(params['customer_id'], result['batch_id'], result)
    follow_accepted_change(module, client, result, untracked, devices, origins, registered_apart=True,
                           unexpected_message=UNEXPECTED_WHILE_WAITING)


CREATED_WITHOUT_ANSWER = (
    'Creating batch %s (customer %s) got no settled answer and its retry found the batch: it holds every device given, '
    'so nothing was uploaded again. Its tracking id was lost with the answer; follow the devices with '
    'partnercenter.devices.device_batch_info.'
)
UNEXPECTED_WHILE_WAITING = (
    'Partner Center accepted the upload (batch tracking id %s), then reading its status failed with an error in the '
    'collection (%s: %s); please report it. Follow the batch with partnercenter.devices.batch_upload_status.'
)


def _skip_present(module, result, devices, origins):
    """Leave out the devices the batch holds (read first, every page); exit unchanged when none is missing.

    Returns the devices and origins to upload, and the batch as read (None: there is none), so the upload reads no list again.
    """
    try:
        devices, origins, found, batch = skip_present_devices(module.client(), module.params['customer_id'], result['batch_id'],
                                                              devices, origins, warn=module.module.warn)
    except PartnerCenterError as error:
        result['changed'] = False
        module.fail(error, **result)
    result.update(found, devices_count=len(devices), changed=bool(devices))
    if not devices:
        module.exit_json(correlation_id=module.client().correlation_id, **result)
    return devices, origins, batch


if __name__ == '__main__':
    main()
