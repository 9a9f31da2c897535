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
  - With O(batches) it reads many batches in one task, side by side and on one access token, and returns
    RV(results), one entry per batch.
  - Statuses are read in the spellings Partner Center's .NET SDK reads (V(finished_with_errors), V(finishedWithErrors),
    V(FinishedWithErrors)) and, beyond what that SDK does (its reading is case-sensitive), in any letter case
    (V(FINISHED_WITH_ERRORS)); device statuses also as V(in-progress) or V(inProgress). They are returned in the
    documented snake_case spelling; RV(raw_batch_upload_details) keeps what was sent.
  - "With O(wait): a poll that is throttled (HTTP 429) or fails with a server fault (5xx), a timeout or a dropped
    connection, after the client's own O(retries), only delays the next poll (by at least its C(Retry-After)), and is
    counted in RV(throttled_polls). The wait ends when the batch is complete, at O(wait_timeout), when a poll is refused
    in a way retrying cannot change (400, 401 after one token renewal or with code C(900421), 403, 404) or its body cannot be used, or at
    once when the batch has a status Partner Center does not document (such as V(cancelled)): the task then fails
    naming the status, with the details and RV(unexpected_status=true). V(unknown) keeps the wait going, with one warning."
  - An answer about another batch than O(batch_tracking_id), a status that is not a string, or a body nested more than
    64 levels deep is refused with a clear message. Device entries that are not objects are left out of
    RV(batch_upload_details.devices_status) with a warning (RV(raw_batch_upload_details) keeps them).
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
  - partnercenter.devices.partner_center.wait
  - partnercenter.devices.partner_center.results
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  facts:
    support: full
    description:
      - The details are also set as the fact C(partnercenter_batch_upload_details), for one batch.
      - With O(batches) no fact is set; use RV(results).
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
      - Required, with O(batch_tracking_id), unless O(batches) is given.
    type: str
    aliases: [customer_tenant_id]
  batch_tracking_id:
    description:
      - The batch tracking id (a GUID) that the device batch upload returned in its C(Location) header.
      - Required, with O(customer_id), unless O(batches) is given.
    type: str
  batches:
    version_added: 1.0.0
    description:
      - Many batches to read in one task, instead of O(customer_id) and O(batch_tracking_id).
      - Use it when a task checks tens or hundreds of batches, such as the batch of every customer a partner provisions,
        instead of a loop over this module. A loop starts the module, and asks Entra ID for a token, once per batch;
        O(batches) reads them side by side, O(concurrency) at a time, on one token.
      - Returns RV(results), one entry per batch in the order given, and RV(batch_counts). A batch that cannot be read
        fails its own entry (with C(failed), C(msg) and the error) while the others are read; the task fails only with
        O(fail_on_error).
      - Every id is checked before any request is sent. Mutually exclusive with O(customer_id) and O(batch_tracking_id).
      - With O(wait), waits for every batch. O(wait_timeout) then counts for all of them together, and a batch not
        finished by then fails its own entry of RV(results) (see O(fail_on_error)).
    type: list
    elements: dict
    suboptions:
      customer_id:
        description: The customer's tenant id (a GUID).
        type: str
        required: true
        aliases: [customer_tenant_id]
      batch_tracking_id:
        description: The batch tracking id (a GUID).
        type: str
        required: true
  concurrency:
    version_added: 1.0.0
    description:
      - With O(batches), how many batches are read at the same time, from 1 to 32.
      - A customer that Partner Center throttles gets no more than its share of them; its reads wait as
        C(Retry-After) asks while the reads of other customers go on.
    type: int
    default: 8
  fail_on_error:
    version_added: 1.0.0
    description:
      - With O(batches), fail the task when any batch could not be read or, with O(wait), did not finish in time.
        The task still returns RV(results).
      - Without it, such a batch only carries C(failed=true), C(msg) and the error in its entry of RV(results).
    type: bool
    default: false
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
          Batch {{ ansible_facts.partnercenter_batch_upload_details.batch_tracking_id }} is
          {{ ansible_facts.partnercenter_batch_upload_details.status }} with
          {{ ansible_facts.partnercenter_batch_upload_details.devices_status | length }} devices

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

- name: Check a batch of thousands of devices, keeping only the devices with errors in the result
  partnercenter.devices.batch_upload_status:
    customer_id: "{{ customer_id }}"
    batch_tracking_id: "{{ batch_tracking_id }}"
    return_devices: with_errors
  register: batch

- name: Read the batches of many customers in one task (one token, eight at a time), waiting for each to finish
  partnercenter.devices.batch_upload_status:
    batches:
      - customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
        batch_tracking_id: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
      - customer_id: 3f8e2a91-6c47-4d0b-b5e2-7a9c1d3e5f60
        batch_tracking_id: 6b1d9e42-8a3c-4f57-9e20-c4d8a7b6f310
    wait: true
  register: statuses

- name: Or from a list of uploads, each a dict with customer_id and batch_tracking_id
  partnercenter.devices.batch_upload_status:
    batches: "{{ uploads }}"
    concurrency: 16
  register: statuses

- name: Report the batches that could not be read
  ansible.builtin.debug:
    msg: "{{ item.customer_id }} / {{ item.batch_tracking_id }}: {{ item.msg }}"
  loop: "{{ statuses.results | selectattr('failed') }}"
  loop_control:
    label: "{{ item.batch_tracking_id }}"

- name: Report the batches whose devices carry errors
  ansible.builtin.debug:
    msg: "{{ item.batch_tracking_id }}: {{ item.devices_with_errors | length }} devices with errors"
  loop: "{{ statuses.results | rejectattr('failed') | selectattr('devices_with_errors') }}"
  loop_control:
    label: "{{ item.batch_tracking_id }}"
'''

RETURN = r'''
batch_upload_details:
  description:
    - The batch's B(BatchUploadDetails), with Partner Center's camelCase keys turned into snake_case.
    - Keys Partner Center adds beyond those below are kept, in snake_case too.
  returned: for one batch, on success and when O(wait) times out
  type: dict
  contains: &batch_upload_details
    batch_tracking_id:
      description: The batch tracking id.
      type: str
      sample: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
    status:
      description:
        - The batch's status, one of V(unknown), V(queued), V(processing), V(finished), V(finished_with_errors), in this
          spelling whatever spelling Partner Center sent (V(finishedWithErrors) is returned as V(finished_with_errors)).
        - A status Partner Center does not document (such as V(cancelled)) is returned as sent, with RV(unexpected_status=true).
        - A V(finished) batch may still hold devices with errors; see RV(devices_with_errors).
      type: str
      sample: finished
    started_time:
      description:
        - When processing started, or null; the date-time as Partner Center sends it (its documented example, this
          sample, names no time zone).
      type: str
      sample: "2017-07-25T10:00:00"
    completed_time:
      description: When processing completed, or null; the date-time as Partner Center sends it.
      type: str
      sample: "2017-07-25T10:10:00"
    devices_status:
      description:
        - Every device of the batch (DeviceUploadDetails), in Partner Center's order.
        - With O(return_devices=with_errors), only the devices of RV(devices_with_errors); with O(return_devices=none), none.
      type: list
      elements: dict
      contains: &device_outcome
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
          description:
            - The device's upload status in snake_case (V(in_progress), V(finished), V(finished_with_errors)), whatever
              spelling Partner Center sent (V(in-progress), V(inProgress), V(finishedWithErrors)); a value it does not
              document is returned as sent.
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
        remediation:
          description:
            - What to do about the device's error, from the collection's catalogue of the errors Microsoft documents
              (matched on C(error_code), then on C(error_description)), or a generic hint for an error it does not know.
            - Null when the device carries no error. Added by the collection; not in RV(raw_batch_upload_details).
            - See U(https://github.com/partnercenter/devices/blob/main/docs/docsite/rst/device-error-codes.rst).
          type: str
          sample: >-
            Registered to another tenant: only whoever registered it there (the previous owner, the OEM, or a reseller
            or CSP partner) can deregister it; ask them to, then upload it again. If nobody can, Microsoft support removes
            the record on proof of ownership (an invoice naming the serial number).
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
  returned: for one batch with O(return_raw=true), on success and when O(wait) times out
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
  returned: for one batch, on success
  type: dict
  contains:
    partnercenter_batch_upload_details:
      description: The same dict as RV(batch_upload_details).
      type: dict
complete:
  description: Whether Partner Center has finished the batch (status V(finished) or V(finished_with_errors)).
  returned: for one batch, on success and when O(wait) times out
  type: bool
  sample: true
devices_with_errors:
  description:
    - The devices, shaped as in RV(batch_upload_details.devices_status), that carry an error code or
      the status V(finished_with_errors).
    - Each has a C(remediation), what to do about its error (see RV(batch_upload_details.devices_status[].remediation)).
  returned: for one batch, on success and when O(wait) times out
  type: list
  elements: dict
  contains: *device_outcome
  sample:
    - serial_number: "1234567890"
      product_key: 12345-67890-09876-54321-13579
      device_id: null
      status: finished_with_errors
      error_code: "808"
      error_description: ZtdDeviceAssignedToOtherTenant
      remediation: >-
        Registered to another tenant: only whoever registered it there (the previous owner, the OEM, or a reseller
        or CSP partner) can deregister it; ask them to, then upload it again. If nobody can, Microsoft support removes
        the record on proof of ownership (an invoice naming the serial number).
      attributes: {object_type: DeviceUploadDetails}
device_status_counts:
  description: How many devices have each status.
  returned: for one batch, on success and when O(wait) times out
  type: dict
  sample: {"finished": 3, "finished_with_errors": 1}
unexpected_status:
  version_added: 1.0.0
  description:
    - Whether the batch's status is none of those Partner Center documents (such as V(cancelled)). A wait stops at once
      on such a status and fails naming it; a read without O(wait) returns it, with a warning.
  returned: for one batch, when the details were read
  type: bool
  sample: false
throttled_polls:
  version_added: 1.0.0
  description:
    - With O(wait), how many polls failed with throttling (429), a server fault (5xx), a timeout or a dropped connection
      after the client's own retries, and only delayed the next poll. Not counted in RV(polls).
  returned: for one batch, when O(wait=true)
  type: int
  sample: 0
polls:
  description: With O(wait), how many times the module read the batch's status (polls that failed are not counted).
  returned: for one batch, when O(wait=true)
  type: int
  sample: 4
waited_seconds:
  description: With O(wait), how long the module waited, in seconds.
  returned: for one batch, when O(wait=true)
  type: float
  sample: 47.5
results:
  version_added: 1.0.0
  description:
    - With O(batches), one entry per batch, in the order given.
    - A batch that was read has the keys of a single read (RV(batch_upload_details), RV(complete),
      RV(devices_with_errors), RV(device_status_counts), and RV(raw_batch_upload_details) with O(return_raw)); one that could not be read has C(failed=true),
      C(msg) and the error's keys instead. A batch that did not finish within O(wait_timeout) has both.
  returned: when O(batches) is given
  type: list
  elements: dict
  contains:
    customer_id:
      description: The customer's tenant id, as given.
      type: str
      sample: 47021739-3426-40bf-9601-61b4b6d7c793
    batch_tracking_id:
      description: The batch tracking id, as given.
      type: str
      sample: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
    failed:
      description:
        - Whether this batch could not be read or, with O(wait), did not finish in time or has a status Partner Center
          does not document (its C(msg) names the status).
      type: bool
      sample: false
    msg:
      description: Why this batch failed.
      type: str
      returned: when failed
    batch_upload_details:
      description: As RV(batch_upload_details).
      type: dict
      returned: when the batch was read
      contains: *batch_upload_details
    raw_batch_upload_details:
      description: As RV(raw_batch_upload_details).
      type: dict
      returned: when the batch was read and O(return_raw=true)
    complete:
      description: As RV(complete).
      type: bool
      returned: when the batch was read
    devices_with_errors:
      description: As RV(devices_with_errors).
      type: list
      elements: dict
      returned: when the batch was read
      contains: *device_outcome
    device_status_counts:
      description: As RV(device_status_counts).
      type: dict
      returned: when the batch was read
    unexpected_status:
      description: As RV(unexpected_status).
      type: bool
      returned: when the batch was read
    polls:
      description: With O(wait), how many times this batch's status was read.
      type: int
      returned: when O(wait=true)
    throttled_polls:
      description: With O(wait), how many polls of this batch were throttled or failed and only delayed the next one.
      type: int
      returned: when O(wait=true)
    waited_seconds:
      description: With O(wait), how long after the start of the task this batch's last read ended, in seconds.
      type: float
      returned: when O(wait=true)
    http_status:
      description: The HTTP status of the answer that made this batch fail.
      type: int
      returned: when failed and Partner Center or Entra ID answered
      sample: 404
    error_code:
      description: Partner Center's error C(code), or Entra ID's C(error).
      type: str
      returned: when failed and the answer carried one
    error_description:
      description: Partner Center's error C(description), or the first line of Entra ID's C(error_description).
      type: str
      returned: when failed and the answer carried one
    error_data:
      description:
        - The first entries (at most 50) of the C(data) list of Partner Center's error answer that made this batch fail; an
          entry that is not text or a number is given as JSON text.
      type: list
      elements: raw
      returned: when failed and a Partner Center refusal carried a non-empty C(data)
    request_id:
      description: The C(MS-RequestId) of the failed request (or Entra ID's trace id), for support.
      type: str
      returned: when failed after a request
    correlation_id:
      description: The correlation id of the failed answer, when it is not the task's (such as Entra ID's).
      type: str
      returned: when failed and the answer carried one
batch_counts:
  version_added: 1.0.0
  description: With O(batches), how many entries of RV(results) are in each state.
  returned: when O(batches) is given
  type: dict
  contains:
    total:
      description: How many batches were given.
      type: int
    complete:
      description: Batches read and finished (V(finished) or V(finished_with_errors)).
      type: int
    with_device_errors:
      description: Of the complete batches, how many hold at least one device with an error.
      type: int
    incomplete:
      description: Batches read but not finished yet (V(queued), V(processing)).
      type: int
    failed:
      description: Batches that could not be read or, with O(wait), did not finish in time.
      type: int
  sample: {"total": 200, "complete": 196, "with_device_errors": 12, "incomplete": 3, "failed": 1}
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
  description:
    - The C(MS-RequestId) of the failed Partner Center request (or Entra ID's trace id), for support.
  returned: failure
  type: str
'''

from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import module_sets_fact, poll_recorder, with_batch_fact
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import (
    RESULT_ARGUMENT_SPEC,
    BatchWaitError,
    details_result,
    details_warnings,
    read_batch_upload_details,
    result_options,
    wait_for_batch,
    waited_result,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import WAIT_ARGUMENT_SPEC, PartnerCenterModule, report_unexpected_exceptions


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', aliases=['customer_tenant_id']),
            batch_tracking_id=dict(type='str'),
            batches=dict(type='list', elements='dict', options=dict(
                customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
                batch_tracking_id=dict(type='str', required=True),
            )),
            concurrency=dict(type='int', default=8),
            fail_on_error=dict(type='bool', default=False),
            **dict(WAIT_ARGUMENT_SPEC, **RESULT_ARGUMENT_SPEC)
        ),
        mutually_exclusive=[('batches', 'customer_id'), ('batches', 'batch_tracking_id')],
        required_one_of=[('customer_id', 'batches')],
        required_together=[('customer_id', 'batch_tracking_id')],
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id', 'batch_tracking_id')
    module.check_wait_options()
    if params['batches'] is not None:
        _read_many(module)
    client = module.client()
    result = dict(changed=False)
    warn = module.module.warn
    shown = result_options(params)
    try:
        if params['wait']:
            raw, details, polls, waited, throttled = wait_for_batch(
                client, params['customer_id'], params['batch_tracking_id'], params['wait_timeout'], params['poll_interval'],
                warn=warn, on_poll=poll_recorder(params['batch_tracking_id']))
            result.update(waited_result(raw, details, polls, waited, throttled, **shown))
        else:
            raw, details = read_batch_upload_details(client, params['customer_id'], params['batch_tracking_id'])
            result.update(details_result(raw, details, **shown))
    except BatchWaitError as ended:
        # The last details seen still go back, so the play can report how far the batch got.
        result.update(ended.result(**shown))
        if module_sets_fact():
            with_batch_fact(result)  # only when the wait read details
        module.fail(ended, **result)
    except PartnerCenterError as error:
        module.fail(error)

    for warning in details_warnings(raw, details):
        # A wait already warned once about the status unknown.
        if not (params['wait'] and 'status unknown' in warning):
            warn(warning)
    result['correlation_id'] = client.correlation_id
    if module_sets_fact():
        with_batch_fact(result)
    module.exit_json(**result)


def _read_many(module):
    """The bulk read (option batches): exits the module."""
    # Imported here: the thread pool is of no use to a single status check, which should not pay for loading it.
    from ansible_collections.partnercenter.devices.plugins.module_utils import bulk  # pylint: disable=import-outside-toplevel

    params = module.params
    problem = bulk.invalid_entry(params['batches'])
    if problem is None and not 1 <= params['concurrency'] <= bulk.MAX_CONCURRENCY:
        problem = 'concurrency must be from 1 to %d, got %s.' % (bulk.MAX_CONCURRENCY, params['concurrency'])
    if problem is not None:
        module.fail_json(msg=problem)
    client = module.client()
    try:
        outcomes = bulk.read_batches(client, params['batches'], concurrency=params['concurrency'], wait=params['wait'],
                                     wait_timeout=params['wait_timeout'], poll_interval=params['poll_interval'],
                                     warn=module.module.warn, on_poll=poll_recorder() if params['wait'] else None)
    except PartnerCenterError as error:
        # Only what concerns every batch gets here, such as a credential Entra ID refuses.
        module.fail(error)
    results = [bulk.outcome_result(outcome, client, params['wait'], params['return_devices'], params['return_raw'])
               for outcome in outcomes]
    for outcome in outcomes:
        if outcome.details is not None and outcome.error is None:
            for warning in details_warnings(outcome.raw, outcome.details):
                if not (params['wait'] and 'status unknown' in warning):
                    module.module.warn('batches[%d]: %s' % (outcome.index, warning))
    result = dict(changed=False, results=results, batch_counts=bulk.batch_counts(results),
                  correlation_id=client.correlation_id)
    if params['fail_on_error'] and result['batch_counts']['failed']:
        module.fail_json(msg=bulk.failure_message(outcomes, client), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
