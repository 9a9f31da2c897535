#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: access_token
short_description: Get a Partner Center access token from Microsoft Entra ID, to reuse across tasks
version_added: 0.1.0
description:
  - Requests one access token for Partner Center with the shared credential options (app-only or app+user)
    and returns it, so that later tasks can pass it as O(partnercenter.devices.batch_upload_status#module:access_token)
    instead of asking Entra ID again, for example in every retry of an C(until) loop.
  - The result is hidden from the play output as if the task had C(no_log) set, since it holds a secret.
    The registered variable still holds the token; the modules' O(access_token) option is C(no_log).
    A failure holds no token and stays visible, with its message (secrets masked) and Entra ID's ids.
  - With app+user credentials (O(refresh_token)), Microsoft Entra ID answers with a new refresh token
    as well, returned as RV(refresh_token) and hidden the same way. Store it back where the refresh token
    comes from (a vault, an AWX credential), since a refresh token that is never replaced stops working about
    90 days after it was issued. See the credentials guide of the collection.
  - An access token lives about an hour. Pass the credentials along with it, and a module whose token
    was rejected as expired asks Entra ID for a new one once.
  - Since 2026 Partner Center requires a multi-factor authentication (MFA) claim in the token of every app+user
    call and refuses a token without one with HTTP 401 and error code C(900421). Entra ID issues the token either
    way; the claim comes from the consent behind O(refresh_token), so a refresh token from a consent made without
    MFA (and every refresh token rotated from it) gives tokens that Partner Center refuses. The modules then fail
    at once without renewing the token, naming the code and the request ids. Get a refresh token from a consent
    made with MFA (the secure application model), or use app-only credentials where the call accepts them
    (reading a batch upload status, adding devices to an existing batch; creating a new batch needs app+user).
author:
  - Partner Center devices maintainers (@partnercenter)
extends_documentation_fragment:
  - partnercenter.devices.partner_center
attributes:
  check_mode:
    support: full
    description: A token request changes nothing; the module runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
seealso:
  - module: partnercenter.devices.batch_upload_status
  - name: The wait_for_batch_upload role
    description: Gets one token with this module and reuses it for every poll of a batch.
    link: https://github.com/partnercenter/devices/blob/main/roles/wait_for_batch_upload/README.md
  - name: Credentials guide
    description: App-only and app+user credentials, and storing the rotated refresh token back.
    link: https://github.com/partnercenter/devices/blob/main/docs/docsite/rst/credentials.rst
'''

EXAMPLES = r'''
- name: Get a token once (credentials from the PARTNER_CENTER_* environment variables)
  partnercenter.devices.access_token:
  register: partner_center_token

- name: Poll with it; no token request per retry
  partnercenter.devices.batch_upload_status:
    access_token: "{{ partner_center_token.access_token }}"
    customer_id: "{{ customer_id }}"
    batch_tracking_id: "{{ batch_tracking_id }}"
  register: batch
  until: batch.complete
  retries: 60
  delay: 30

- name: Get a token with app+user credentials; Entra ID rotates the refresh token
  partnercenter.devices.access_token:
    tenant_id: "{{ partner_tenant_id }}"
    client_id: "{{ partner_client_id }}"
    client_secret: "{{ partner_client_secret }}"
    refresh_token: "{{ partner_refresh_token }}"
  register: partner_center_token

- name: Store the rotated refresh token back in the AWX credential it came from
  awx.awx.credential:
    name: Partner Center app+user
    credential_type: Microsoft Partner Center
    organization: Default
    inputs:
      tenant_id: "{{ partner_tenant_id }}"
      client_id: "{{ partner_client_id }}"
      client_secret: "{{ partner_client_secret }}"
      refresh_token: "{{ partner_center_token.refresh_token }}"
  no_log: true
  when: partner_center_token.refresh_token is not none
'''

RETURN = r'''
access_token:
  description: The access token, to pass as the O(access_token) option of the collection's modules.
  returned: success
  type: str
expires_in:
  description: Seconds the token stays valid, as Entra ID said; null for a token given as O(access_token).
  returned: success
  type: int
  sample: 3599
refresh_token:
  description:
    - The new refresh token Microsoft Entra ID sent with an app+user (refresh-token grant) token, to store back
      in place of O(refresh_token). Hidden from output like RV(access_token).
    - Null for app-only credentials, for a token given as O(access_token), and when Entra ID sent none.
  returned: success
  type: str
  version_added: 1.0.0
credential_kind:
  description: The kind of credentials that obtained the token.
  returned: success
  type: str
  choices: [app-only, app+user, access token]
  sample: app-only
http_status:
  description: The HTTP status of Entra ID's refusal.
  returned: failure, when Entra ID answered
  type: int
  sample: 401
error_code:
  description: Entra ID's C(error), such as V(invalid_client) or V(invalid_grant).
  returned: failure, when the answer carried one
  type: str
  sample: invalid_client
error_description:
  description: The first line of Entra ID's C(error_description), with its AADSTS code.
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
  description: Entra ID's trace id of the failed token request, for support.
  returned: failure, when the answer carried one
  type: str
correlation_id:
  description: Entra ID's correlation id of the failed token request, for support.
  returned: failure, when the answer carried one
  type: str
'''

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule, report_unexpected_exceptions


@report_unexpected_exceptions
def main():
    module = PartnerCenterModule(supports_check_mode=True)
    client = module.client()
    try:
        token = client.access_token()
    except PartnerCenterError as error:
        module.fail(error)
    # A StaticTokenAuth falls back to Entra ID only after a 401; its own token needs no request.
    module.exit_with_secrets(
        dict(access_token=token, refresh_token=getattr(client.auth, 'rotated_refresh_token', None)),
        refresh_token=None,
        changed=False,
        expires_in=getattr(client.auth, 'expires_in', None),
        credential_kind=client.auth.kind,
    )


if __name__ == '__main__':
    main()
