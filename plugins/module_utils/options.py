# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared connection and credential options: what they are, one way to read and check them, one client from them.

Three kinds of callers give these options, each in its own way: a module (AnsibleModule's params, read through the
argument spec that ``module.py`` builds from SHARED_OPTIONS, with the PARTNER_CENTER_* environment fallbacks), the
inventory plugin (ansible-core's config manager, ``get_option``, with the ``env:`` entries of the doc fragment) and the
Event-Driven Ansible source (a plain dict from a rulebook, the PARTNER_CENTER_* variables read here). A
``SharedOptionAdapter`` reads the options from any of them and applies the one set of checks, before any request;
``build_client`` builds the client and its credential for all three. Each caller turns an OptionError into its own kind
of failure (``fail_json``, AnsibleParserError, the source's argument error).
"""

import os
import re

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    CLOUDS,
    ENV_VARS,
    auth_from_options,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.client import PartnerCenterClient
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import PartnerCenterError
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import (
    guid_problem,
    header_value_problem,
    is_guid,
    option_number_problem,
    url_problem,
)

# The shared options, in AnsibleModule's argument spec terms, with their defaults: the one list. doc_fragments/partner_center.py
# documents them (a unit test checks that they agree); ENV_VARS (auth.py) names the environment variable behind some.
SHARED_OPTIONS = {
    'tenant_id': dict(type='str'),
    'client_id': dict(type='str'),
    'client_secret': dict(type='str', no_log=True),
    'refresh_token': dict(type='str', no_log=True),
    'access_token': dict(type='str', no_log=True),
    'cloud': dict(type='str', default='global', choices=sorted(CLOUDS)),
    'base_url': dict(type='str'),
    'authority_url': dict(type='str'),
    'validate_certs': dict(type='bool', default=True),
    'timeout': dict(type='float', default=30.0),
    'retries': dict(type='int', default=5),
    'locale': dict(type='str', default='en-US'),
    'correlation_id': dict(type='str'),
}
SECRET_OPTIONS = tuple(name for name, option in SHARED_OPTIONS.items() if option.get('no_log'))

_LOCALE_PATTERN = re.compile(r'[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*')
_TRUE = ('1', 'true', 'yes', 'on', 'y', 't')
_FALSE = ('0', 'false', 'no', 'off', 'n', 'f')
INSECURE_WARNING = ('validate_certs is false: the TLS certificates of Partner Center and Entra ID are not checked, '
                    'so a man in the middle could read your credentials.')


class OptionError(PartnerCenterError):
    """A shared option whose value cannot work, found before any request."""


def url_user_information(url):
    """The user information of ``url`` (``user:password@``) and its password, as secrets to mask; empty when none."""
    if not isinstance(url, str):
        return set()
    userinfo = url.partition('//')[2].partition('/')[0].rpartition('@')[0]
    return set(value for value in (userinfo, userinfo.partition(':')[2]) if value)


def checked_bool(name, value):
    """``value`` as a boolean: a boolean, or its text (``yes``, ``False``, ``1`` ... in any case, as a templated value
    arrives); OptionError naming ``name`` otherwise. Every boolean option of the collection's callers is read so."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise OptionError('%s must be true or false, got %r.' % (name, value))


def _number(name, value, kind):
    """``value`` as a ``kind`` (int or float) within the option's bounds (validate.NUMBER_BOUNDS); OptionError if not."""
    if isinstance(value, bool):
        raise OptionError('%s must be a number, got %r.' % (name, value))
    problem = option_number_problem(name, value)
    if problem:
        raise OptionError(problem)
    number = float(value)
    if kind is int:
        if not number.is_integer():
            raise OptionError('%s must be a whole number, got %r.' % (name, value))
        return int(number)
    return number


class SharedOptionAdapter:
    """The shared options as one caller gave them: read through ``get(name)``, checked by ``checked()``.

    Build one with ``from_params`` (a module's params), ``from_plugin`` (a plugin's ``get_option``) or ``from_dict``
    (an event source's arguments, with the environment as fallback). Whichever the source, the same values give the
    same checked options, and the same bad value the same message.
    """

    def __init__(self, get, environ=None):
        """``get(name)``: the value given for option ``name``, or None. ``environ``: where an option that was not given
        is read from its PARTNER_CENTER_* variable; None when the caller's own machinery does that already."""
        self._get = get
        self._environ = environ

    @classmethod
    def from_params(cls, params):
        """A module's params: AnsibleModule has applied the argument spec, environment fallbacks included."""
        return cls(params.get)

    @classmethod
    def from_plugin(cls, plugin):
        """A plugin's options: ansible-core's config manager reads them, the ``env:`` entries of the doc fragment included."""
        return cls(plugin.get_option)

    @classmethod
    def from_dict(cls, values, environ=None):
        """A plain dict (an event source's arguments); an option not in it is read from its PARTNER_CENTER_* variable."""
        values = dict(values or {})
        return cls(values.get, os.environ if environ is None else environ)

    def given(self, name):
        """The value given for ``name``, from the environment when the caller leaves that here; None when not set.

        An empty value of an option with an environment variable means "not set", as an empty variable does.
        """
        value = self._get(name)
        if name in ENV_VARS:
            if (value is None or value == '') and self._environ is not None:
                value = self._environ.get(ENV_VARS[name])
            if value == '':
                value = None
        return value

    def secrets(self):
        """Every secret among what was given, to mask in any message, whether or not the options pass their checks.

        The secret options (and, for a caller whose environment is read here, their variables, even when an argument
        wins over one), and the user information of a URL option.
        """
        secrets = set()
        for name in SECRET_OPTIONS:
            secrets.add(self.given(name))
            if self._environ is not None:
                secrets.add(self._environ.get(ENV_VARS[name]))
        for name in ('base_url', 'authority_url'):
            secrets.update(url_user_information(self.given(name)))
        return set(secret for secret in secrets if isinstance(secret, str) and secret)

    def checked(self):
        """The shared options, checked, with the cloud's URLs filled in and the token ``resource`` -> dict.

        OptionError, naming the option and what it must be, for the first value that cannot work. A message never
        shows a secret option's value, nor the user information of a URL.
        """
        options = {}
        for name, option in SHARED_OPTIONS.items():
            value = self.given(name)
            if value is None:
                value = option.get('default')
            if value is not None and option['type'] == 'str' and not isinstance(value, str):
                raise OptionError('%s must be a string, got a %s.' % (name, type(value).__name__))
            options[name] = value
        options['validate_certs'] = checked_bool('validate_certs', options['validate_certs'])
        options['timeout'] = _number('timeout', options['timeout'], float)
        options['retries'] = _number('retries', options['retries'], int)
        if options['cloud'] not in CLOUDS:
            raise OptionError('cloud must be one of %s, got %r.' % (', '.join(sorted(CLOUDS)), options['cloud']))
        if not _LOCALE_PATTERN.fullmatch(options['locale']):
            raise OptionError('locale must be a language tag such as en-US, got %r.' % options['locale'])
        if options['correlation_id'] is not None and not is_guid(options['correlation_id']):
            raise OptionError(guid_problem('correlation_id', options['correlation_id']))
        cloud = CLOUDS[options['cloud']]
        for name in ('base_url', 'authority_url'):
            # https, or http on loopback; a valid port; no user information (validate.url_problem).
            url = options[name] = (options[name] or cloud[name]).rstrip('/')
            problem = url_problem(name, url)
            if problem:
                raise OptionError(problem)
        if options['access_token']:
            problem = header_value_problem('Authorization', 'Bearer ' + options['access_token'])
            if problem:
                # The value is a secret: say what is wrong with it, never what it is.
                raise OptionError('access_token cannot be sent: %s. Check where it comes from (a stray line break at the '
                                  'end of a file or variable is the usual cause).'
                                  % problem.replace('the Authorization header value', 'it'))
        options['resource'] = cloud['resource']
        return options


def option_warnings(options):
    """What a user should be warned of about checked ``options`` (from ``SharedOptionAdapter.checked``)."""
    return [] if options['validate_certs'] else [INSECURE_WARNING]


def build_client(options, warn=None, renewal_interval=None):
    """The shared client (and its credential) for checked ``options``; CredentialError when they do not add up.

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
