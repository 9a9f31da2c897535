# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule wrapper every module of the collection is built on.

It adds the shared options (documented once in the ``partner_center`` doc fragment), checks
them before any request, builds the client and its credential, and turns the client's
exceptions into ``fail_json`` with redacted messages.
"""

import ipaddress
import re
import urllib.parse

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    CLOUDS,
    ENV_VARS,
    auth_from_options,
    is_guid,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError, redact


def _env(option):
    return (env_fallback, [ENV_VARS[option]])


# The options every module shares; keep in step with doc_fragments/partner_center.py.
PARTNER_CENTER_ARGUMENT_SPEC = dict(
    tenant_id=dict(type='str', fallback=_env('tenant_id')),
    client_id=dict(type='str', fallback=_env('client_id')),
    client_secret=dict(type='str', no_log=True, fallback=_env('client_secret')),
    refresh_token=dict(type='str', no_log=True, fallback=_env('refresh_token')),
    access_token=dict(type='str', no_log=True, fallback=_env('access_token')),
    cloud=dict(type='str', default='global', choices=sorted(CLOUDS)),
    base_url=dict(type='str', fallback=_env('base_url')),
    authority_url=dict(type='str', fallback=_env('authority_url')),
    validate_certs=dict(type='bool', default=True),
    timeout=dict(type='float', default=30),
    retries=dict(type='int', default=5),
    locale=dict(type='str', default='en-US'),
    correlation_id=dict(type='str'),
)

# The options of modules that can wait for a batch; keep in step with the doc fragment's WAIT.
WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=1800),
    poll_interval=dict(type='float', default=15),
)

_SECRET_OPTIONS = ('client_secret', 'refresh_token', 'access_token')
_LOCALE_PATTERN = re.compile(r'[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*')


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PartnerCenterModule:
    """An AnsibleModule with the shared Partner Center options and a client built from them."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = dict(PARTNER_CENTER_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._client = None
        self._check_shared_options()

    # -- validation, before any request --------------------------------------------------------

    def require_guid(self, *names):
        """Fail unless each named option holds a GUID."""
        for name in names:
            value = self.params.get(name)
            if value is not None and not is_guid(value):
                self.module.fail_json(
                    msg='%s must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got %r.' % (name, value))

    def check_wait_options(self):
        """Fail unless the WAIT_ARGUMENT_SPEC options hold usable numbers."""
        params = self.params
        if params['wait_timeout'] < 0 or params['poll_interval'] <= 0:
            self.module.fail_json(msg='wait_timeout must be 0 or more and poll_interval more than 0 (seconds), got %s and %s.'
                                  % (params['wait_timeout'], params['poll_interval']))

    def _check_shared_options(self):
        params = self.params
        # An empty environment variable means "not set", not "set to nothing".
        for name in ENV_VARS:
            if params.get(name) == '':
                params[name] = None
        self.require_guid('correlation_id')
        if not _LOCALE_PATTERN.fullmatch(params['locale']):
            self.module.fail_json(msg='locale must be a language tag such as en-US, got %r.' % params['locale'])
        if params['timeout'] <= 0:
            self.module.fail_json(msg='timeout must be a positive number of seconds, got %s.' % params['timeout'])
        if params['retries'] < 0:
            self.module.fail_json(msg='retries must be 0 or more, got %s.' % params['retries'])
        cloud = CLOUDS[params['cloud']]
        for name in ('base_url', 'authority_url'):
            url = params[name] = (params[name] or cloud[name]).rstrip('/')
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ('https', 'http') or not parts.hostname:
                self.module.fail_json(msg='%s must be an https:// URL, got %r.' % (name, url))
            if parts.scheme == 'http' and not _is_loopback(parts.hostname):
                # Plain HTTP would send secrets and tokens in clear text; loopback is for a local simulator.
                self.module.fail_json(msg='%s must use https:// (http:// is accepted only for loopback '
                                          'addresses such as a local simulator), got %r.' % (name, url))
        if not params['validate_certs']:
            self.module.warn('validate_certs is false: the TLS certificates of Partner Center and Entra ID '
                             'are not checked, so a man in the middle could read your credentials.')

    # -- the client -------------------------------------------------------------------------------

    def client(self):
        """The Partner Center client for these options (built once; fails clearly on bad credentials)."""
        if self._client is None:
            params = self.params
            options = dict(params)
            options['resource'] = CLOUDS[params['cloud']]['resource']
            try:
                auth = auth_from_options(options)
            except PartnerCenterError as error:
                self.fail(error)
            self._client = PartnerCenterClient(
                params['base_url'], auth,
                timeout=params['timeout'],
                validate_certs=params['validate_certs'],
                locale=params['locale'],
                correlation_id=params['correlation_id'],
                retries=params['retries'],
                warn=self.module.warn,
            )
            self._client.secrets.update(params[name] for name in _SECRET_OPTIONS if params.get(name))
        return self._client

    # -- results ------------------------------------------------------------------------------------

    def _redact(self, text):
        secrets = set(self._client.secrets) if self._client else set()
        secrets.update(self.params[name] for name in _SECRET_OPTIONS if self.params.get(name))
        return redact(text, secrets)

    def _keep_tokens_out_of_output(self):
        # AnsibleModule masks no_log option values in everything it returns; tokens fetched
        # during the run are secrets too.
        if self._client is not None:
            self.module.no_log_values.update(self._client.secrets)

    def fail(self, error, **result):
        """Fail the task from a PartnerCenterError: its message, redacted, and its ids."""
        self._keep_tokens_out_of_output()
        # The error's own ids win over anything in ``result``: they name the request that failed.
        fields = dict(result)
        fields.update(error.result_fields())
        if self._client is not None:
            fields.setdefault('correlation_id', self._client.correlation_id)
        self.module.fail_json(msg=self._redact(error.message), **fields)

    def exit_json(self, **result):
        """Exit with ``result``; secrets fetched during the run are masked."""
        self._keep_tokens_out_of_output()
        self.module.exit_json(**result)

    def exit_with_secret(self, key, secret, **result):
        """Exit returning ``secret`` under ``key``.

        AnsibleModule would mask the secret in its own result if it were a no_log value, so it is
        left out of them; the module's action plugin hides the whole result from output instead.
        """
        self._keep_tokens_out_of_output()
        self.module.no_log_values.discard(secret)
        result[key] = secret
        self.module.exit_json(**result)

    def fail_json(self, **result):
        """Fail with ``result``; secrets fetched during the run are masked."""
        self._keep_tokens_out_of_output()
        result['msg'] = self._redact(result.get('msg', ''))
        self.module.fail_json(**result)
