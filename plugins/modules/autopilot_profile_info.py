#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: autopilot_profile_info
short_description: List a customer's Windows Autopilot profiles in Microsoft Partner Center, or get one by id or name
version_added: 1.0.0
description:
  - Without O(profile_id) or O(name), lists every Windows Autopilot profile (configuration policy) of the customer
    (C(GET /v1/customers/{customer-id}/policies)).
  - With O(profile_id), gets that profile (C(GET /v1/customers/{customer-id}/policies/{policy-id})); with O(name), the
    profiles of that name, compared without regard to case.
  - Keys are in snake_case; settings and categories are returned in the documented snake_case spelling whatever spelling
    Partner Center sent, and the device count is read from C(devicesAssigned) or C(devicesAssignedCount).
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
  profile_id:
    description:
      - The id (a GUID) of the profile to get. A profile that does not exist gives an empty RV(profiles).
    type: str
  name:
    description:
      - The name of the profiles to get, compared without regard to case.
    type: str
seealso:
  - module: partnercenter.devices.autopilot_profile
  - name: Get a list of a customer's policies
    description: Partner Center's documentation of the list endpoint.
    link: https://learn.microsoft.com/partner-center/developer/get-a-list-of-a-customer-s-policies
'''

EXAMPLES = r'''
- name: List the customer's Autopilot profiles
  partnercenter.devices.autopilot_profile_info:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
  register: listed

- name: Show each profile's settings and how many devices carry it
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.policy_settings | join(', ') }} ({{ item.devices_assigned }} devices)"
  loop: "{{ listed.profiles }}"

- name: Get one profile by its name
  partnercenter.devices.autopilot_profile_info:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    name: Contoso kiosks
  register: kiosk
'''

RETURN = r'''
profiles:
  description: The profiles, keys in snake_case (see RV(partnercenter.devices.autopilot_profile#module:profile)); empty when none matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The profile's id (a GUID).
      type: str
    name:
      description: The profile's name.
      type: str
    description:
      description: The profile's description, or null.
      type: str
    category:
      description: The category, V(o_o_b_e) for Autopilot profiles.
      type: str
    policy_settings:
      description: The settings, in the documented snake_case spelling and order, without V(none).
      type: list
      elements: str
    devices_assigned:
      description: How many devices carry the profile (C(devicesAssigned) or C(devicesAssignedCount)); null when not sent.
      type: int
    created_date:
      description: When the profile was created (UTC), or null.
      type: str
    last_modified_date:
      description: When the profile was last changed (UTC), or null.
      type: str
  sample:
    - id: 5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c
      name: Contoso kiosks
      description: null
      category: o_o_b_e
      policy_settings: [oobe_user_not_local_admin, skip_eula]
      devices_assigned: 12
      created_date: "2026-11-24T10:00:00Z"
      last_modified_date: "2026-11-24T10:00:00Z"
raw_profiles:
  description: The profiles exactly as Partner Center sent them (camelCase keys).
  returned: success
  type: list
  elements: dict
correlation_id:
  description: The C(MS-CorrelationId) sent with every request of this task, for Partner Center support.
  returned: success, and failure after the first request
  type: str
  sample: aaaa0000-bb11-2222-33cc-444444dddddd
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

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule, report_unexpected_exceptions
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import get_profile, list_profiles, profiles_named


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            profile_id=dict(type='str'),
            name=dict(type='str'),
        ),
        mutually_exclusive=[('profile_id', 'name')],
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id', 'profile_id')
    if params['name'] is not None and not params['name'].strip():
        module.fail_json(msg='name must not be empty: leave it out to list every profile.')
    client = module.client()
    try:
        if params['profile_id'] is not None:
            raw, shaped = get_profile(client, params['customer_id'], params['profile_id'])
            raw_items, profiles = ([], []) if raw is None else ([raw], [shaped])
        else:
            raw_items, profiles = list_profiles(client, params['customer_id'])
            if params['name'] is not None:
                matches = profiles_named(raw_items, profiles, params['name'])
                raw_items, profiles = [raw for raw, shaped in matches], [shaped for raw, shaped in matches]
    except PartnerCenterError as error:
        module.fail(error)
    module.exit_json(changed=False, profiles=profiles, raw_profiles=raw_items, correlation_id=client.correlation_id)


if __name__ == '__main__':
    main()
