# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every module of the collection shares, documented once."""


class ModuleDocFragment:
    """Shared Partner Center connection and credential options."""

    # Keep in step with SHARED_OPTIONS in module_utils/options.py (tests/unit/test_collection_metadata.py checks).
    DOCUMENTATION = r'''
options:
  tenant_id:
    description:
      - The partner's Microsoft Entra ID tenant, as a GUID or one of its domains (such as V(contoso.onmicrosoft.com)).
      - Needed with O(client_secret) or O(refresh_token), not with O(access_token).
      - If not set, the environment variable E(PARTNER_CENTER_TENANT_ID) is used.
    type: str
  client_id:
    description:
      - The application (client) id registered in Partner Center.
      - Needed with O(client_secret) or O(refresh_token).
      - If not set, the environment variable E(PARTNER_CENTER_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - The application's client secret (its value, not its id).
      - On its own with O(client_id) and O(tenant_id) it selects B(app-only) credentials
        (C(grant_type=client_credentials)). With O(refresh_token) it is sent along, as confidential
        applications must.
      - If not set, the environment variable E(PARTNER_CENTER_CLIENT_SECRET) is used.
    type: str
  refresh_token:
    description:
      - A refresh token from the secure application model's one-time consent (with MFA), for
        B(app+user) credentials (C(grant_type=refresh_token)). Keep it in a vault.
      - Takes precedence over O(client_secret) alone. Entra ID lets it expire after 90 days unused.
      - Partner Center refuses (HTTP 401, error code C(900421)) an app+user call whose token has no MFA claim,
        which is the case for every token of a refresh token from a consent made without MFA. The task then
        fails at once, without renewing the token (renewing cannot add the claim), naming the code and the
        request ids; consent again with MFA, or use app-only credentials where the call accepts them (reading a
        batch upload status, adding devices to an existing batch).
      - If not set, the environment variable E(PARTNER_CENTER_REFRESH_TOKEN) is used.
    type: str
  access_token:
    description:
      - A Partner Center access token obtained beforehand (for example with
        M(partnercenter.devices.access_token)). It is used as is, with no token request, and takes
        precedence over every other credential.
      - When the credentials for a token request are given too, they are used once if Partner Center
        rejects the token (HTTP 401), for example because it expired during a long wait.
      - If not set, the environment variable E(PARTNER_CENTER_ACCESS_TOKEN) is used.
    type: str
  cloud:
    description:
      - Which Partner Center to talk to. V(global) is Partner Center (also for Microsoft Cloud for
        US Government) at U(https://api.partnercenter.microsoft.com) with tokens from
        U(https://login.microsoftonline.com); V(china) is Partner Center operated by 21Vianet at
        U(https://partner.partnercenterapi.microsoftonline.cn) with tokens from U(https://login.chinacloudapi.cn).
      - Sets the defaults of O(base_url) and O(authority_url), and the token C(resource).
    type: str
    choices: [global, china]
    default: global
  base_url:
    description:
      - The Partner Center API base URL, without C(/v1). Defaults to the one of O(cloud).
      - Must be C(https://), except on loopback addresses (a local simulator), with a host, an optional
        valid port and no user information (C(user:password@) is refused, and never shown), query or fragment.
      - If not set, the environment variable E(PARTNER_CENTER_BASE_URL) is used.
    type: str
  authority_url:
    description:
      - The Microsoft Entra ID authority that issues tokens; the token endpoint is
        C({authority_url}/{tenant_id}/oauth2/token). Defaults to the one of O(cloud).
      - The same rules as O(base_url) apply.
      - If not set, the environment variable E(PARTNER_CENTER_AUTHORITY_URL) is used.
    type: str
  validate_certs:
    description:
      - Whether to check the TLS certificates of Partner Center and Entra ID. Set to V(false) only for
        test endpoints; the module warns when it is.
      - Proxies are taken from the usual E(HTTPS_PROXY) and E(NO_PROXY) environment variables.
    type: bool
    default: true
  timeout:
    description:
      - Seconds one HTTP request to Partner Center or Entra ID may take as a whole, from connecting to the
        last byte of the answer. A server that answers slowly, even a byte at a time, is cut off when they pass.
      - A finite number from V(0.1) to V(3600).
      - "The longest a task can take is about O(timeout) x (O(retries) + 1) plus the pauses between retries
        (each at most 60 seconds) for each request it makes; a task that waits for a batch adds its C(wait_timeout)."
      - An answer larger than 16 MiB is not read; the task fails saying so. No Partner Center answer comes
        near that size.
    type: float
    default: 30
  retries:
    description:
      - How many times to retry a request that was throttled (HTTP 429), met a gateway fault
        (500, 502, 503, 504) or a request timeout (408), timed out, or lost its connection. Waits follow C(Retry-After) when
        Partner Center sends it, otherwise exponential backoff with jitter, at most 60 seconds each.
      - Each retry is reported as a warning. V(0) disables retries. From V(0) to V(20).
      - An upload whose connection closed while its body was being sent is not sent again; an upload that
        got no answer is retried with the same C(MS-RequestId), Partner Center's idempotency key. When no
        retry settles it, the task fails saying that the devices may have been accepted.
    type: int
    default: 5
  locale:
    description:
      - The C(X-Locale) of requests, the language of Partner Center's messages.
    type: str
    default: en-US
  correlation_id:
    description:
      - A GUID sent as C(MS-CorrelationId) on every request, to trace a whole workflow across tasks
        in Partner Center's support logs. A new one is generated for each task when not set.
    type: str
notes:
  - The credential kind follows from what is given. O(access_token) wins; else O(refresh_token) selects
    app+user credentials; else O(client_secret) selects app-only credentials. A missing piece is
    reported before any request, naming the options and environment variables that would supply it.
  - All modules of this collection are in the action group C(partnercenter.devices.all), so the
    shared options can be set once with C(module_defaults).
  - A rejected access token (HTTP 401) is renewed at most once per task, however many requests the task
    runs side by side. A token is used until shortly before it expires (5 minutes, or a quarter of its
    lifetime for a short-lived token).
'''

    # Waiting for a batch to finish: modules that return a batch's status with wait=true.
    # Keep in step with WAIT_ARGUMENT_SPEC in module_utils/module.py.
    WAIT = r'''
options:
  wait:
    description:
      - Whether to poll until Partner Center has finished the batch (status V(finished) or V(finished_with_errors))
        before returning.
      - All polls share one access token. Throttled polls wait as Partner Center's C(Retry-After) asks.
      - "While it waits, the play output (and AWX job output) shows a line each time the batch's status or its device
        counts change, such as C(batch 2c847dea…: processing — 3 of 6 devices done, 1 with errors (poll 4, 41 s)),
        and a heartbeat line every three minutes when nothing changes (M(partnercenter.devices.device_batch) counts
        devices answered with error 806 apart, as C(1 already registered), not among the errors). Only when the task runs on the controller
        (a local connection, without become or async); elsewhere the task waits the same, without the lines."
      - To make every poll a task attempt in the play output and in AWX job events instead, use C(until)/C(retries)
        or the C(partnercenter.devices.wait_for_batch_upload) role.
    type: bool
    default: false
  wait_timeout:
    description:
      - With O(wait), how many seconds to wait at most. When they pass, the task fails with the batch, the
        last status seen and how long it waited, and still returns the last RV(batch_upload_details).
      - From V(0) to V(604800) (a week). A poll under way when it passes still ends within O(timeout).
    type: int
    default: 1800
  poll_interval:
    description:
      - With O(wait), the seconds between the first polls. The pause then grows by half at each poll, up to
        60 seconds (or O(poll_interval), if larger), so a long batch costs few requests.
      - A finite number from V(0.1) to V(3600).
    type: float
    default: 15
'''

    # Which devices a batch's status carries in the result: modules that return a batch's status.
    # Keep in step with RESULT_ARGUMENT_SPEC in module_utils/batch.py.
    RESULTS = r'''
options:
  return_devices:
    description:
      - Which devices RV(batch_upload_details.devices_status) and the fact C(partnercenter_batch_upload_details) carry.
      - V(all), every device; V(with_errors), only the devices with an error (as RV(devices_with_errors));
        V(none), no device.
      - RV(complete), RV(devices_with_errors) and RV(device_status_counts) always count every device of the batch.
      - For batches of thousands of devices, V(with_errors) or V(none) keeps the result, the play's memory and
        AWX job events small.
    type: str
    choices: [all, with_errors, none]
    default: all
    version_added: 1.0.0
  return_raw:
    description:
      - Whether to return RV(raw_batch_upload_details), the resource exactly as Partner Center sent it.
      - Off by default, since it repeats every device of RV(batch_upload_details).
    type: bool
    default: false
    version_added: 1.0.0
'''

    # For plugins that are not modules (the customers inventory): where the config manager reads
    # each option from when the plugin's configuration leaves it out. Used together with DOCUMENTATION.
    # Keep in step with ENV_VARS in module_utils/auth.py.
    PLUGINS = r'''
options:
  tenant_id:
    env:
      - name: PARTNER_CENTER_TENANT_ID
  client_id:
    env:
      - name: PARTNER_CENTER_CLIENT_ID
  client_secret:
    env:
      - name: PARTNER_CENTER_CLIENT_SECRET
  refresh_token:
    env:
      - name: PARTNER_CENTER_REFRESH_TOKEN
  access_token:
    env:
      - name: PARTNER_CENTER_ACCESS_TOKEN
  base_url:
    env:
      - name: PARTNER_CENTER_BASE_URL
  authority_url:
    env:
      - name: PARTNER_CENTER_AUTHORITY_URL
'''
