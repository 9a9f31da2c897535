# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows Autopilot profiles, which Partner Center calls configuration policies: read, compare, write.

List ``GET /v1/customers/{id}/policies``, get ``GET .../policies/{policy-id}``, create ``POST .../policies``
(200), update ``PUT .../policies/{policy-id}`` with the whole object (the SDKs' "Patch" sends PUT),
delete ``DELETE .../policies/{policy-id}`` (204). Partner Center documents no rule for duplicate
names, so a profile is found by its name here, client-side.
"""

import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, ResponseError
from ansible_collections.partnercenter.devices.plugins.module_utils.paging import read_pages
from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import (
    enum_letters,
    first_of_each_id,
    normalize_enum,
    snake_case,
    snake_case_keys,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import policy_id_problem

# The settings a profile can hold, in the documented snake_case spelling and the documented order.
POLICY_SETTINGS = ('remove_oem_preinstalls', 'oobe_user_not_local_admin', 'skip_express_settings',
                   'skip_oem_registration', 'skip_eula')
# "none" is the flags enum's zero: it means "no setting", never a setting of its own.
NO_SETTING = 'none'
# Autopilot profiles are of the out-of-box-experience category: the .NET SDK writes o_o_b_e, PartnerCenter.DotNet OOBE.
OOBE_CATEGORY = 'o_o_b_e'
CATEGORIES = (NO_SETTING, OOBE_CATEGORY)

# The documented snake_case; PartnerCenter.DotNet (PowerShell) writes enum names as they are declared
# (SkipEula, OOBE, None): accepted in any spelling, returned as documented.
_SETTING_BY_LETTERS = dict((enum_letters(name), name) for name in POLICY_SETTINGS + (NO_SETTING,))
_CATEGORY_BY_LETTERS = dict((enum_letters(name), name) for name in CATEGORIES)

# Keys every shaped profile carries, even when Partner Center leaves them out.
PROFILE_KEYS = ('id', 'name', 'category', 'description', 'devices_assigned', 'policy_settings',
                'created_date', 'last_modified_date')
# The device count: devicesAssigned in every JSON example, devicesAssignedCount in the SDK model.
DEVICE_COUNT_KEYS = ('devices_assigned', 'devices_assigned_count')

# Create answers 200 (documented); 201 is what a REST service might answer and means the same.
CREATED_STATUSES = (200, 201)
UPDATED_STATUSES = (200, 204)


def policies_path(customer_id):
    return '/v1/customers/%s/policies' % urllib.parse.quote(customer_id, safe='')


def policy_path(customer_id, policy_id):
    return '%s/%s' % (policies_path(customer_id), urllib.parse.quote(policy_id, safe=''))


def normalize_setting(value):
    """A policy setting in its documented spelling (SkipEula, skipEula, SKIP_EULA -> skip_eula); unknown as sent."""
    return normalize_enum(value, _SETTING_BY_LETTERS)


def normalize_category(value):
    """A policy category in its documented spelling (OOBE, oobe -> o_o_b_e; None -> none); unknown as sent."""
    return normalize_enum(value, _CATEGORY_BY_LETTERS)


def normalize_settings(value):
    """The settings of a profile as a list in documented spelling and order, without "none".

    Partner Center sends a list; a flags enum written as one string (``"SkipEula, RemoveOemPreinstalls"``)
    is read too. Settings we do not know are kept, as sent, after the known ones.
    """
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.split(',') if part.strip()]
    if not isinstance(value, list):
        raise ResponseError('Partner Center answered 200 but policySettings is a %s, not a list' % type(value).__name__)
    settings = []
    for item in value:
        if not isinstance(item, str):
            raise ResponseError('Partner Center answered 200 but policySettings holds a %s, not a string' % type(item).__name__)
        setting = normalize_setting(item.strip())
        if setting != NO_SETTING and setting not in settings:
            settings.append(setting)
    return ordered_settings(settings)


def ordered_settings(settings):
    """``settings`` in the documented order, unknown ones last in their own order."""
    known = [name for name in POLICY_SETTINGS if name in settings]
    return known + [name for name in settings if name not in POLICY_SETTINGS]


def shape_profile(raw):
    """A ConfigurationPolicy in snake_case with PROFILE_KEYS present, settings and category normalised."""
    if not isinstance(raw, dict):
        raise ResponseError('Partner Center answered 200 but the profile is a %s, not an object' % type(raw).__name__)
    profile = snake_case_keys(raw)
    count = None
    for key in DEVICE_COUNT_KEYS:
        if profile.get(key) is not None:
            count = profile[key]
            break
    profile.pop('devices_assigned_count', None)
    profile['devices_assigned'] = count
    profile['policy_settings'] = normalize_settings(profile.get('policy_settings'))
    profile['category'] = normalize_category(profile.get('category'))
    for key in PROFILE_KEYS:
        profile.setdefault(key, None)
    return profile


def _shape_page(body, raw_items):
    items = body.get('items')
    if not isinstance(items, list):
        raise ResponseError('Partner Center answered 200 but the body is not a collection with a list of items (got %s)'
                            % (', '.join(sorted(str(key) for key in body)) or 'an empty object'))
    shaped = []
    for item in items:
        if isinstance(item, dict):
            raw_items.append(item)
            shaped.append(shape_profile(item))
    return shaped


def list_profiles(client, customer_id):
    """Every profile of the customer, following pages should Partner Center send them -> (raw, shaped)."""
    raw = []
    shaped = read_pages(client, policies_path(customer_id), 'Partner Center',
                        lambda body: _shape_page(body, raw))[0]
    return raw, shaped


def get_profile(client, customer_id, profile_id):
    """(raw, shaped) of the profile with this id, or (None, None) when Partner Center answers 404."""
    path = policy_path(customer_id, profile_id)
    try:
        return client.get_json(path, 'Partner Center GET %s' % path, shape=lambda body: (body, shape_profile(body)))
    except ApiError as error:
        if error.http_status == 404:
            return None, None
        raise


def profiles_named(raw_items, shaped_items, name):
    """The (raw, shaped) profiles whose name is ``name``, compared without regard to case or surrounding spaces."""
    wanted = name.strip().lower()
    return [(raw, shaped) for raw, shaped in zip(raw_items, shaped_items)
            if isinstance(shaped.get('name'), str) and shaped['name'].strip().lower() == wanted]


def unique_profiles(matches):
    """The (raw, shaped) profiles with each id (compared without regard to case) once: a listing may repeat one."""
    return first_of_each_id(matches, lambda match: match[1].get('id'))


def _checked_policy_id(profile_id):
    """``profile_id`` when it has the shape of a policy id; else ResponseError: it came from an answer."""
    problem = policy_id_problem(profile_id)
    if problem:
        raise ResponseError('refused to send a change of an Autopilot profile whose id in Partner Center\'s answer %s' % problem)
    return profile_id


def profile_view(profile):
    """What a diff shows of a profile: its name, description and settings; empty for no profile."""
    if profile is None:
        return {}
    return dict(name=profile.get('name'), description=profile.get('description'),
                settings=list(profile.get('policy_settings') or []))


def desired_view(current, name, description, settings):
    """The profile_view after the change: options left out (None) keep the current value."""
    view = profile_view(current) if current is not None else dict(name=name, description=None, settings=[])
    view['name'] = name
    if description is not None:
        view['description'] = description
    if settings is not None:
        view['settings'] = ordered_settings(list(settings))
    return view


def settings_change(before, after):
    """(added, removed) settings from one settings list to another, in documented order."""
    return ([name for name in after if name not in before], [name for name in before if name not in after])


def _body_profile(response, fallback):
    """The profile in a write's answer; ``fallback`` (what was sent) when the answer has no usable body."""
    if response.body.strip():
        try:
            body = response.json('Partner Center %s' % response.status)
        except ResponseError:
            body = None
        if isinstance(body, dict) and body.get('id'):
            return body, shape_profile(body)
    return fallback, shape_profile(fallback)


def create_profile(client, customer_id, view):
    """POST a new profile from a desired view -> (raw, shaped, response)."""
    body = dict(name=view['name'], category=OOBE_CATEGORY, policySettings=list(view['settings']))
    if view.get('description') is not None:
        body['description'] = view['description']
    response = client.request('POST', policies_path(customer_id), body=body, expected=CREATED_STATUSES)
    raw, shaped = _body_profile(response, body)
    return raw, shaped, response


def update_profile(client, customer_id, current_raw, view):
    """PUT the whole profile with the desired name, description and settings -> (raw, shaped, response).

    The object is sent as Partner Center gave it (id, category, device count and any field we do not
    know unchanged), with the settings in the documented spelling.
    """
    profile_id = _checked_policy_id(shape_profile(current_raw).get('id'))
    replaced = ('id', 'name', 'description', 'policy_settings')
    body = dict((key, value) for key, value in current_raw.items() if snake_case(str(key)) not in replaced)
    # The update documents id as required: the path's id, once, whatever spelling the answer gave its key.
    body['id'] = profile_id
    body['name'] = view['name']
    body['description'] = view.get('description')
    body['policySettings'] = list(view['settings'])
    # Only one name for the count goes back: the one the service sent.
    response = client.request('PUT', policy_path(customer_id, profile_id), body=body, expected=UPDATED_STATUSES)
    raw, shaped = _body_profile(response, body)
    return raw, shaped, response


def delete_profile(client, customer_id, profile_id):
    """DELETE the profile -> PartnerCenterClient.delete's DELETED, ABSENT (404: gone already) or DELETED_UNCONFIRMED."""
    return client.delete(policy_path(customer_id, _checked_policy_id(profile_id)))
