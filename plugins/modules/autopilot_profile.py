#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: autopilot_profile
short_description: Create, update or delete a customer's Windows Autopilot profile in Microsoft Partner Center
version_added: 1.0.0
description:
  - Makes the customer's Windows Autopilot profile named O(name) (a configuration policy, in Partner Center's words)
    match the options, or deletes it with O(state=absent).
  - The profile is found by its O(name), compared without regard to case, among the customer's profiles
    (C(GET /v1/customers/{customer-id}/policies)); Partner Center does not document what it does with two profiles of
    one name, so the module never creates a second one, and fails, naming their ids, when there are already several.
  - A missing profile is created (C(POST .../policies)); one that differs is updated with the whole object
    (C(PUT .../policies/{policy-id}), as Microsoft's SDKs do); O(state=absent) deletes it (C(DELETE .../policies/{policy-id})).
  - O(settings) is the exact list the profile ends up with. Unlike C(Set-PartnerCustomerConfigurationPolicy), which drops
    every setting whose switch was not given, nothing is dropped or kept by accident; RV(settings_added) and
    RV(settings_removed) say what changed.
  - Settings and categories are read in any spelling Partner Center may send (the documented snake_case such as
    C(o_o_b_e), or the enum names PartnerCenter.DotNet writes, such as C(SkipEula) and C(OOBE)) and returned in the
    documented spelling.
  - The id of the profile in Partner Center's list must be a GUID before it names what a C(PUT) or C(DELETE) changes;
    otherwise the task fails naming the profile, and nothing is sent. A profile the list shows twice (the same id) counts
    once.
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
attributes:
  check_mode:
    support: full
    description: The profiles are read; nothing is created, changed or deleted. The result says what would change.
  diff_mode:
    support: full
    description: The diff shows the profile's name, description and settings before and after.
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID), the Microsoft ID shown on the customer's account page in Partner Center.
    type: str
    required: true
    aliases: [customer_tenant_id]
  name:
    description:
      - The name of the profile, which identifies it (compared without regard to case). A profile whose name differs
        only in case is renamed to O(name).
    type: str
    required: true
  description:
    description:
      - The description of the profile. Left out, an existing profile keeps its description.
    type: str
  settings:
    description:
      - The exact settings the profile holds; settings not listed are removed. V([]) removes them all.
      - Left out, an existing profile keeps its settings and a new one has none.
      - V(remove_oem_preinstalls) removes the manufacturer's preinstalled software; V(oobe_user_not_local_admin) makes the
        user a standard user, not a local administrator; V(skip_express_settings) skips the privacy settings pages;
        V(skip_oem_registration) skips the manufacturer's registration page; V(skip_eula) skips the license terms page.
    type: list
    elements: str
    choices: [remove_oem_preinstalls, oobe_user_not_local_admin, skip_express_settings, skip_oem_registration, skip_eula]
  state:
    description:
      - V(present) creates or updates the profile; V(absent) deletes it (a profile that does not exist is not an error).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: partnercenter.devices.autopilot_profile_info
  - module: partnercenter.devices.device_profile
  - name: Create a new configuration policy for the specified customer
    description: Partner Center's documentation of the create endpoint.
    link: https://learn.microsoft.com/partner-center/developer/create-a-new-configuration-policy-for-the-specified-customer
  - name: Update a configuration policy for the specified customer
    description: Partner Center's documentation of the update endpoint.
    link: https://learn.microsoft.com/partner-center/developer/update-a-configuration-policy-for-the-specified-customer
notes:
  - Partner Center's portal documentation says only admin agents can create and apply profiles; use app+user credentials
    (O(refresh_token)) of such a user if app-only credentials are refused.
  - New profiles are created in the category C(o_o_b_e) (out-of-box experience), the category of Autopilot profiles.
  - A C(DELETE) that gets no answer (a timeout, a dropped connection) or a server error is sent again with the same
    C(MS-RequestId), Partner Center's idempotency key. When that retry answers 404, the first attempt most likely deleted
    the profile - RV(action=deleted), with RV(deleted_unconfirmed=true) and a warning. A profile someone else deleted
    between the read and the request (404 at the first attempt) is RV(action=none).
'''

EXAMPLES = r'''
- name: The kiosk profile of the customer, with exactly these settings
  partnercenter.devices.autopilot_profile:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    name: Contoso kiosks
    description: Kiosks in the stores; no local admin, no EULA page
    settings:
      - oobe_user_not_local_admin
      - skip_eula
      - skip_express_settings
  register: kiosk_profile

- name: Assign it to every device of a batch
  partnercenter.devices.device_profile:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    profile_id: "{{ kiosk_profile.profile_id }}"
    batch_id: contoso-2026-11-kiosks
    wait: true

- name: Remove every setting of a profile, keeping it
  partnercenter.devices.autopilot_profile:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    name: Contoso kiosks
    settings: []

- name: Delete a profile
  partnercenter.devices.autopilot_profile:
    customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
    name: Contoso pilot
    state: absent
'''

RETURN = r'''
profile:
  description:
    - The profile after the task (in check mode, as it would be; its C(id) is null when it would be created), keys in
      snake_case. Null when the profile is absent.
  returned: always
  type: dict
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
      description: The profile's category, V(o_o_b_e) for Autopilot profiles (V(none) otherwise), whatever spelling was sent.
      type: str
    policy_settings:
      description: The settings, in the documented snake_case spelling and order, without V(none).
      type: list
      elements: str
    devices_assigned:
      description:
        - How many devices carry the profile, from C(devicesAssigned) or C(devicesAssignedCount) (Microsoft's sources
          name it both ways); null when Partner Center sent neither.
      type: int
    created_date:
      description: When the profile was created (UTC), or null.
      type: str
    last_modified_date:
      description: When the profile was last changed (UTC), or null.
      type: str
  sample:
    id: 5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c
    name: Contoso kiosks
    description: Kiosks in the stores; no local admin, no EULA page
    category: o_o_b_e
    policy_settings: [oobe_user_not_local_admin, skip_express_settings, skip_eula]
    devices_assigned: 12
    created_date: "2026-11-24T10:00:00Z"
    last_modified_date: "2026-11-24T10:00:00Z"
profile_id:
  description: The profile's id; null when it is absent, or in check mode when it would be created.
  returned: always
  type: str
  sample: 5a3e7c1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c
action:
  description: What the task did (in check mode, would do) - V(created), V(updated), V(deleted) or V(none).
  returned: always
  type: str
  sample: updated
settings_added:
  description: The settings the profile gains (all of them, when it is created).
  returned: always
  type: list
  elements: str
  sample: [skip_eula]
settings_removed:
  description: The settings the profile loses (all of them, when it is deleted).
  returned: always
  type: list
  elements: str
  sample: [remove_oem_preinstalls]
diff:
  description: The profile's name, description and settings before and after (empty dicts for no profile).
  returned: always
  type: dict
  sample: {"before": {"name": "Contoso kiosks", "description": null, "settings": ["skip_eula"]},
           "after": {"name": "Contoso kiosks", "description": null, "settings": ["skip_eula", "skip_express_settings"]}}
correlation_id:
  description: The C(MS-CorrelationId) sent with every request of this task, for Partner Center support.
  returned: success, and failure after the first request
  type: str
  sample: aaaa0000-bb11-2222-33cc-444444dddddd
deleted_unconfirmed:
  description:
    - True when the deletion was not confirmed by Partner Center's answer - the C(DELETE) got no answer or a server error,
      and its retry (same C(MS-RequestId)) found the profile gone; it is counted as deleted by this task.
  returned: always
  type: bool
outcome_unknown:
  description:
    - True when the C(POST), C(PUT) or C(DELETE) was sent and no answer settled it (every attempt timed out or lost its
      connection) - it may have been applied; RV(action) says which change it was.
  returned: failure, when the outcome of the change is unknown
  type: bool
duplicates:
  description: When several profiles have the name, their ids.
  returned: failure, when the name is not unique
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
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, TransportError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule, report_unexpected_exceptions
from ansible_collections.partnercenter.devices.plugins.module_utils.profiles import (
    POLICY_SETTINGS,
    create_profile,
    delete_profile,
    desired_view,
    list_profiles,
    ordered_settings,
    profile_view,
    profiles_named,
    settings_change,
    unique_profiles,
    update_profile,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_plain_name, policy_id_problem


def check_name(module, option, value):
    """Fail unless ``value`` is a usable name: not empty, no surrounding spaces, no control characters."""
    if not is_plain_name(value, trimmed=True):
        module.fail_json(msg='%s must be a name without leading or trailing spaces or control characters, got %r.'
                         % (option, value))


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type='str', required=True, aliases=['customer_tenant_id']),
            name=dict(type='str', required=True),
            description=dict(type='str'),
            settings=dict(type='list', elements='str', choices=list(POLICY_SETTINGS)),
            state=dict(type='str', default='present', choices=['present', 'absent']),
        ),
        supports_check_mode=True,
    )
    params = module.params
    module.require_guid('customer_id')
    check_name(module, 'name', params['name'])
    settings = params['settings']
    if settings is not None:
        repeated = sorted(set(name for name in settings if settings.count(name) > 1))
        if repeated:
            module.fail_json(msg='settings lists %s more than once.' % ', '.join(repeated))
        settings = ordered_settings(settings)

    client = module.client()
    customer_id = params['customer_id']
    result = dict(changed=False, profile=None, profile_id=None, action='none', settings_added=[], settings_removed=[],
                  deleted_unconfirmed=False, diff=dict(before={}, after={}))
    try:
        raw_items, profiles = list_profiles(client, customer_id)
        matches = unique_profiles(profiles_named(raw_items, profiles, params['name']))
        if len(matches) > 1:
            ids = [shaped.get('id') for raw, shaped in matches]
            module.fail_json(msg='%d profiles of customer %s are named %r (ids %s); Partner Center does not keep names '
                                 'unique, so the module cannot tell which one is meant. Rename or delete all but one.'
                             % (len(matches), customer_id, params['name'], ', '.join(str(i) for i in ids)),
                             duplicates=ids, correlation_id=client.correlation_id)
        current_raw, current = matches[0] if matches else (None, None)
        if current is not None and policy_id_problem(current.get('id')):
            module.fail_json(msg='Nothing was changed: Partner Center listed Autopilot profile %r of customer %s with an id '
                                 'that %s; such an id cannot name what a PUT or DELETE changes.'
                             % (current.get('name'), customer_id, policy_id_problem(current.get('id'))),
                             correlation_id=client.correlation_id, **result)
        if params['state'] == 'absent':
            _absent(module, client, result, current)
        else:
            _present(module, client, result, current_raw, current, settings)
    except PartnerCenterError as error:
        if isinstance(error, TransportError) and error.outcome_unknown:
            result['outcome_unknown'] = True
        module.fail(error, **result)
    module.exit_json(correlation_id=client.correlation_id, **result)


def _absent(module, client, result, current):
    if current is None:
        return
    before = profile_view(current)
    result.update(changed=True, action='deleted', settings_removed=list(before['settings']),
                  diff=dict(before=before, after={}))
    if module.check_mode:
        return
    outcome = delete_profile(client, module.params['customer_id'], current['id'])
    if outcome == ABSENT:
        # Deleted by someone else between the read and the request: nothing changed here.
        result.update(changed=False, action='none', settings_removed=[], diff=dict(before={}, after={}))
        module.module.warn('Autopilot profile %s (%s) was no longer there when it was to be deleted (Partner Center '
                           'answered 404): deleted meanwhile by someone else.' % (current['id'], current.get('name')))
    elif outcome == DELETED_UNCONFIRMED:
        result['deleted_unconfirmed'] = True
        module.module.warn('The DELETE of Autopilot profile %s (%s) got no clear answer at first (a timeout or a server '
                           'error); sent again with the same MS-RequestId, it found the profile gone. It is reported as '
                           'deleted by this task.' % (current['id'], current.get('name')))


def _present(module, client, result, current_raw, current, settings):
    params = module.params
    before = profile_view(current)
    after = desired_view(current, params['name'], params['description'], settings)
    added, removed = settings_change(before.get('settings', []), after['settings'])
    result.update(profile=current, profile_id=current['id'] if current else None, settings_added=added,
                  settings_removed=removed, diff=dict(before=before, after=after))
    if current is not None and before == after:
        return
    result.update(changed=True, action='created' if current is None else 'updated')
    if module.check_mode:
        predicted = dict(current or dict(id=None, category='o_o_b_e', devices_assigned=None, created_date=None,
                                         last_modified_date=None))
        predicted.update(name=after['name'], description=after['description'], policy_settings=after['settings'])
        result['profile'] = predicted
        return
    if current is None:
        shaped = create_profile(client, params['customer_id'], after)[1]
    else:
        shaped = update_profile(client, params['customer_id'], current_raw, after)[1]
    result.update(profile=shaped, profile_id=shaped.get('id') or (current or {}).get('id'))


if __name__ == '__main__':
    main()
