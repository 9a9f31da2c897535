# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared connection and credential options for plugins that are not modules.

Modules get these options from ``module.py``'s argument spec (AnsibleModule-bound). The inventory
plugin (ansible-core's config manager: option values, ``env:`` entries) and the Event-Driven
Ansible source (a plain dict from a rulebook) read them here instead, through one ``get(name)``
callable, and get the same checks, the same defaults per cloud and the same client.
"""

import math
import os
import re

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    CLOUDS,
    ENV_VARS,
    auth_from_options,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_guid, option_number_problem, url_problem

# The shared options and their defaults; keep in step with doc_fragments/partner_center.py.
DEFAULTS = {
    'tenant_id': None,
    'client_id': None,
    'client_secret': None,
    'refresh_token': None,
    'access_token': None,
    'cloud': 'global',
    'base_url': None,
    'authority_url': None,
    'validate_certs': True,
    'timeout': 30.0,
    'retries': 5,
    'locale': 'en-US',
    'correlation_id': None,
}
SECRET_OPTIONS = ('client_secret', 'refresh_token', 'access_token')
_LOCALE_PATTERN = re.compile(r'[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*')
_TRUE = ('1', 'true', 'yes', 'on', 'y', 't')
_FALSE = ('0', 'false', 'no', 'off', 'n', 'f')


class OptionError(PartnerCenterError):
    """An option value that cannot work, found before any request."""


def _bool(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise OptionError('%s must be true or false, got %r.' % (name, value))


def _number(name, value, kind):
    if isinstance(value, bool):
        raise OptionError('%s must be a number, got %r.' % (name, value))
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise OptionError('%s must be a number, got %r.' % (name, value)) from None
    if math.isnan(number) or math.isinf(number):
        raise OptionError('%s must be a finite number, got %r.' % (name, value))
    return number


def resolve(get, environ=None, use_environment=True):
    """The shared options, checked, with the cloud's URLs filled in -> dict; OptionError on a bad value.

    ``get(name)`` returns the value the caller was given for option ``name`` or None. With
    ``use_environment`` (the event source), an option left unset is read from its PARTNER_CENTER_*
    variable here; the inventory plugin's config manager already did that from the ``env:`` entries.
    An empty value means "not set", as an empty environment variable does for modules.
    """
    environ = os.environ if environ is None else environ
    options = {}
    for name, default in DEFAULTS.items():
        value = get(name)
        if (value is None or value == '') and use_environment and name in ENV_VARS:
            value = environ.get(ENV_VARS[name])
        if value is None or value == '':
            value = default
        if value is not None and name not in ('validate_certs', 'timeout', 'retries') and not isinstance(value, str):
            raise OptionError('%s must be a string, got a %s.' % (name, type(value).__name__))
        options[name] = value
    options['validate_certs'] = _bool('validate_certs', options['validate_certs'])
    # The modules' bounds (validate.NUMBER_BOUNDS), so a value a module refuses is refused here too.
    options['timeout'] = _number('timeout', options['timeout'], float)
    options['retries'] = _number('retries', options['retries'], int)
    for name in ('timeout', 'retries'):
        problem = option_number_problem(name, options[name])
        if problem:
            raise OptionError(problem)
    if options['cloud'] not in CLOUDS:
        raise OptionError('cloud must be one of %s, got %r.' % (', '.join(sorted(CLOUDS)), options['cloud']))
    if not _LOCALE_PATTERN.fullmatch(options['locale']):
        raise OptionError('locale must be a language tag such as en-US, got %r.' % options['locale'])
    if options['correlation_id'] is not None and not is_guid(options['correlation_id']):
        raise OptionError('correlation_id must be a GUID such as 47021739-3426-40bf-9601-61b4b6d7c793, got %r.'
                          % options['correlation_id'])
    cloud = CLOUDS[options['cloud']]
    for name in ('base_url', 'authority_url'):
        # The modules' URL checks (validate.py): https, or http on loopback; a valid port; no user information.
        url = options[name] = (options[name] or cloud[name]).rstrip('/')
        problem = url_problem(name, url)
        if problem:
            raise OptionError(problem)
    options['resource'] = cloud['resource']
    return options


def build_client(options, warn=None, renewal_interval=None):
    """The shared client (and its credential) for options from ``resolve``; CredentialError when they do not add up.

    ``renewal_interval``: for a client that lives long (the event source), renew a refused token after any 401,
    at most once in that many seconds, instead of once in the client's life.
    """
    client = PartnerCenterClient(
        options['base_url'], auth_from_options(options),
        timeout=options['timeout'],
        validate_certs=options['validate_certs'],
        locale=options['locale'],
        correlation_id=options['correlation_id'],
        retries=options['retries'],
        warn=warn,
        renewal_interval=renewal_interval,
    )
    client.secrets.update(options[name] for name in SECRET_OPTIONS if options.get(name))
    return client
