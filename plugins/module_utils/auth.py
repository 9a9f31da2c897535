# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials for Partner Center: one small class per kind, chosen from the module options.

- ``StaticTokenAuth``: an access token the caller brings; used as is, never renewed.
- ``ClientCredentialsAuth``: app-only, ``grant_type=client_credentials`` at Microsoft Entra ID.
- ``RefreshTokenAuth``: app+user (the secure application model), ``grant_type=refresh_token``.

Token requests go to ``{authority_url}/{tenant_id}/oauth2/token`` (the v1 endpoint Partner
Center documents) with ``resource`` set to the Partner Center API of the chosen cloud.

``token(poster)`` is all a credential needs of the client: ``poster`` posts a form
(``poster.post_form(url, form)``, returning the final Response) and holds the set of secrets the
client masks (``poster.secrets``), to which a credential adds what it sends and what it receives.
"""

import math
import threading
import time
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    CredentialError,
    ResponseError,
    TokenRequestError,
    redact,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_domain, is_guid

# The environment variable behind each credential option: the argument spec's fallbacks and
# the messages about missing credentials both read this one table.
ENV_VARS = {
    'tenant_id': 'PARTNER_CENTER_TENANT_ID',
    'client_id': 'PARTNER_CENTER_CLIENT_ID',
    'client_secret': 'PARTNER_CENTER_CLIENT_SECRET',
    'refresh_token': 'PARTNER_CENTER_REFRESH_TOKEN',
    'access_token': 'PARTNER_CENTER_ACCESS_TOKEN',
    'base_url': 'PARTNER_CENTER_BASE_URL',
    'authority_url': 'PARTNER_CENTER_AUTHORITY_URL',
}

# Documented endpoints per cloud; base_url and authority_url override them one by one.
CLOUDS = {
    'global': {
        'base_url': 'https://api.partnercenter.microsoft.com',
        'authority_url': 'https://login.microsoftonline.com',
        'resource': 'https://api.partnercenter.microsoft.com',
    },
    'china': {
        'base_url': 'https://partner.partnercenterapi.microsoftonline.cn',
        'authority_url': 'https://login.chinacloudapi.cn',
        'resource': 'https://partner.partnercenterapi.microsoftonline.cn',
    },
}

# Renew a token this long before Entra ID says it expires, so a long wait never sends a stale one;
# a short-lived token keeps EXPIRY_MARGIN_FRACTION of its life as margin instead, so that it is
# used until it nearly expires rather than renewed before every call.
EXPIRY_MARGIN_SECONDS = 300
EXPIRY_MARGIN_FRACTION = 0.25
DEFAULT_TOKEN_LIFETIME_SECONDS = 3599
# Entra ID's access tokens live 1 hour (60-90 minutes with its randomisation, up to 1 day when
# configured); a larger expires_in is read as this.
MAX_TOKEN_LIFETIME_SECONDS = 86400

# What to do about the Entra ID errors users meet most, by AADSTS code.
_TOKEN_ERROR_HINTS = {
    '7000215': 'client_secret is wrong: use the secret value, not the secret id, and check that it has not expired.',
    '7000222': 'client_secret has expired: create a new one for the application.',
    '700016': 'client_id is not an application known in this tenant: check client_id and tenant_id.',
    '90002': 'tenant_id names no tenant: use the partner tenant id (a GUID) or one of its domains.',
    '700082': ('the refresh token expired after 90 days unused: consent again with the secure application '
               'model and store the new refresh token.'),
    '70000': 'the refresh token is invalid or revoked: consent again and store the new refresh token.',
    '50076': 'multi-factor authentication is required: consent again with MFA and store the new refresh token.',
    '500011': 'the Partner Center API is not known in this tenant or cloud: check cloud and authority_url.',
}


def token_lifetime(value):
    """Seconds a token lives, from an ``expires_in`` (text in v1, a number in v2), within sane bounds.

    Missing, not a number, nan or below one second: the usual hour. Larger than a day (or infinite): a day.
    """
    if isinstance(value, bool):
        return DEFAULT_TOKEN_LIFETIME_SECONDS
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_TOKEN_LIFETIME_SECONDS
    if math.isnan(seconds) or seconds < 1:
        return DEFAULT_TOKEN_LIFETIME_SECONDS
    return int(min(seconds, MAX_TOKEN_LIFETIME_SECONDS))


def renewal_margin(lifetime):
    """How long before expiry a token of ``lifetime`` seconds is renewed."""
    return min(EXPIRY_MARGIN_SECONDS, lifetime * EXPIRY_MARGIN_FRACTION)


class StaticTokenAuth:
    """An access token given by the caller.

    With ``fallback`` (credentials that can ask Entra ID), a 401 for the given token is answered
    by one token request: a token handed from task to task may expire during a long wait.
    Without it, Partner Center's 401 is final.
    """

    kind = 'access token'

    def __init__(self, access_token, fallback=None):
        self._access_token = access_token
        self._fallback = fallback

    @property
    def renewable(self):
        """Whether a rejected token can be replaced."""
        return self._fallback is not None

    @property
    def token_requests(self):
        """How many tokens were requested from Entra ID."""
        return self._fallback.token_requests if self._fallback is not None else 0

    def token(self, poster):
        """The given token, or once it was rejected, one from the fallback credentials."""
        # Read once: another thread of a bulk read may invalidate it meanwhile.
        access_token = self._access_token
        if access_token is None and self._fallback is not None:
            return self._fallback.token(poster)
        return access_token

    def invalidate(self):
        """Drop the given token in favour of the fallback credentials."""
        if self._fallback is None:
            return
        if self._access_token is None:
            self._fallback.invalidate()
        self._access_token = None


class _EntraIdAuth:
    """Shared part of the credential kinds that ask Microsoft Entra ID for a token."""

    kind = None
    renewable = True

    def __init__(self, authority_url, tenant_id, client_id, resource, clock=time.time):
        self.authority_url = authority_url.rstrip('/')
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.resource = resource
        self.token_requests = 0
        self.expires_in = None
        # The new refresh token Entra ID sends with a refresh-token grant (rotation), if any.
        self.rotated_refresh_token = None
        self._clock = clock
        self._access_token = None
        self._expires_at = 0.0
        # One token request at a time: side-by-side requests (the bulk read) share the one token.
        self._lock = threading.Lock()

    @property
    def token_url(self):
        """The tenant's v1 token endpoint."""
        return '%s/%s/oauth2/token' % (self.authority_url, urllib.parse.quote(self.tenant_id, safe=''))

    def token(self, poster):
        """A valid access token, requested from Entra ID (through ``poster``) the first time and when near expiry."""
        with self._lock:
            if self._access_token is None or self._clock() >= self._expires_at:
                self._access_token, self._expires_at = self._request_token(poster)
            return self._access_token

    def invalidate(self):
        """Forget the current token: the next call to ``token`` asks Entra ID again."""
        self._access_token = None

    def _form(self):
        raise NotImplementedError

    def _request_token(self, poster):
        self.token_requests += 1
        form = self._form()
        # Entra ID may echo what it was sent; whatever secret went out is masked in what comes back.
        poster.secrets.update(form[key] for key in ('client_secret', 'refresh_token') if form.get(key))
        response = poster.post_form(self.token_url, form)
        what = 'Microsoft Entra ID token request (%s) for tenant %s' % (self.kind, self.tenant_id)
        if response.status != 200:
            raise _token_error(what, response, poster.secrets)
        payload = response.json(what)
        if not isinstance(payload, dict):
            raise response.annotate(ResponseError('%s: HTTP 200 with a JSON %s instead of an object' % (
                what, type(payload).__name__)))
        access_token = payload.get('access_token')
        if not access_token or not isinstance(access_token, str):
            raise response.annotate(ResponseError('%s: HTTP 200 without an access_token (keys: %s)' % (
                what, ', '.join(sorted(str(key) for key in payload)[:20]))))
        poster.secrets.add(access_token)
        refresh_token = payload.get('refresh_token')
        if isinstance(refresh_token, str) and refresh_token:
            poster.secrets.add(refresh_token)
            self.rotated_refresh_token = refresh_token
        lifetime = token_lifetime(payload.get('expires_in', DEFAULT_TOKEN_LIFETIME_SECONDS))
        self.expires_in = lifetime
        return access_token, self._clock() + lifetime - renewal_margin(lifetime)


class ClientCredentialsAuth(_EntraIdAuth):
    """App-only: the application's own identity (client id and secret)."""

    kind = 'app-only'

    def __init__(self, authority_url, tenant_id, client_id, client_secret, resource, clock=time.time):
        super().__init__(authority_url, tenant_id, client_id, resource, clock)
        self._client_secret = client_secret

    def _form(self):
        return {
            'grant_type': 'client_credentials',
            'client_id': self.client_id,
            'client_secret': self._client_secret,
            'resource': self.resource,
        }


class RefreshTokenAuth(_EntraIdAuth):
    """App+user (secure application model): a refresh token from a one-time MFA consent."""

    kind = 'app+user'

    def __init__(self, authority_url, tenant_id, client_id, refresh_token, resource, client_secret=None,
                 clock=time.time):
        super().__init__(authority_url, tenant_id, client_id, resource, clock)
        self._refresh_token = refresh_token
        self._client_secret = client_secret

    def _form(self):
        form = {
            'grant_type': 'refresh_token',
            'client_id': self.client_id,
            'refresh_token': self._refresh_token,
            'resource': self.resource,
        }
        if self._client_secret:
            form['client_secret'] = self._client_secret
        return form


def _token_error(what, response, secrets):
    """A TokenRequestError that gives Entra ID's error, code, description and ids, never ``secrets``."""
    def masked(text):
        # A copy: another thread of a bulk read may add a renewed token meanwhile.
        return redact(text, frozenset(secrets))

    try:
        payload = response.json(what)
    except ResponseError as error:
        return TokenRequestError(masked(error.message), http_status=response.status)
    if not isinstance(payload, dict):
        payload = {}
    error_code = _text_field(payload.get('error'))
    # Entra ID appends "Trace ID: ..., Correlation ID: ..., Timestamp: ..." lines; the ids are
    # reported from their own fields instead.
    description = (_text_field(payload.get('error_description')) or '').strip().splitlines()
    description = ' '.join(description[0].split()) if description else ''
    message = '%s failed: HTTP %d' % (what, response.status)
    if error_code:
        message += ', %s' % error_code
    if description:
        message += ': %s' % description
    codes = payload.get('error_codes')
    codes = codes if isinstance(codes, list) else []
    hints = []
    for code in codes:
        hint = _TOKEN_ERROR_HINTS.get(_text_field(code))
        if hint and hint not in hints:
            hints.append(hint)
    if hints:
        message += ' Hint: %s' % ' '.join(hints)
    trace_id = _text_field(payload.get('trace_id'))
    correlation_id = _text_field(payload.get('correlation_id'))
    if trace_id or correlation_id:
        message += ' [trace id %s, correlation id %s]' % (trace_id, correlation_id)
    return TokenRequestError(
        masked(message),
        http_status=response.status,
        error_code=masked(error_code) if error_code else None,
        error_description=masked(description) or None,
        request_id=trace_id,
        correlation_id=correlation_id,
    )


def _text_field(value):
    """A field of Entra ID's error answer as one line of text, or None when it is missing or not a scalar."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        text = ' '.join(str(value).split()) if not isinstance(value, str) else value
        return text[:2000] or None
    return None


def _missing(names):
    return ', '.join('%s (%s)' % (name, ENV_VARS[name]) for name in names)


def auth_from_options(options):
    """Choose the credential kind from what is given: access token, else refresh token, else secret.

    ``options`` holds the shared options (already resolved for the cloud); raises
    CredentialError naming the options and environment variables that would complete it.
    """
    access_token = options.get('access_token')
    if access_token:
        fallback = None
        can_request = bool(options.get('refresh_token') or options.get('client_secret'))
        if can_request and options.get('client_id') and options.get('tenant_id'):
            fallback = _entra_id_auth(options)
        return StaticTokenAuth(access_token, fallback)
    return _entra_id_auth(options)


def _entra_id_auth(options):
    if options.get('refresh_token'):
        kind, required = 'app+user (refresh_token)', ('client_id', 'tenant_id')
    elif options.get('client_secret'):
        kind, required = 'app-only (client_secret)', ('client_id', 'tenant_id')
    else:
        raise CredentialError(
            'No Partner Center credential was given. Set one of: access_token (%s); '
            'refresh_token (%s) with client_id and tenant_id, for app+user credentials; '
            'client_secret (%s) with client_id and tenant_id, for app-only credentials.'
            % (ENV_VARS['access_token'], ENV_VARS['refresh_token'], ENV_VARS['client_secret']))

    missing = [name for name in required if not options.get(name)]
    if missing:
        raise CredentialError('%s credentials also need: %s.' % (kind, _missing(missing)))

    tenant_id = options['tenant_id']
    if not (is_guid(tenant_id) or is_domain(tenant_id)):
        raise CredentialError('tenant_id must be the partner tenant id (a GUID) or one of its domains '
                              '(such as contoso.onmicrosoft.com), got %r.' % tenant_id)

    if options.get('refresh_token'):
        return RefreshTokenAuth(options['authority_url'], tenant_id, options['client_id'],
                                options['refresh_token'], options['resource'],
                                client_secret=options.get('client_secret'))
    return ClientCredentialsAuth(options['authority_url'], tenant_id, options['client_id'],
                                 options['client_secret'], options['resource'])
