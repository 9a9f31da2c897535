# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of options.py: the shared options for plugins that are not modules."""

import pytest

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    ClientCredentialsAuth,
    RefreshTokenAuth,
    StaticTokenAuth,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import CredentialError
from ansible_collections.partnercenter.devices.plugins.module_utils.options import OptionError, build_client, resolve

TENANT = '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6'
CLIENT = '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e'


def test_defaults_follow_the_cloud():
    options = resolve({}.get, environ={})
    assert options['base_url'] == 'https://api.partnercenter.microsoft.com'
    assert options['authority_url'] == 'https://login.microsoftonline.com'
    assert (options['timeout'], options['retries'], options['validate_certs']) == (30.0, 5, True)
    china = resolve({'cloud': 'china'}.get, environ={})
    assert china['base_url'] == 'https://partner.partnercenterapi.microsoftonline.cn'


def test_environment_fills_what_is_not_given_and_empty_means_unset():
    environ = {'PARTNER_CENTER_TENANT_ID': TENANT, 'PARTNER_CENTER_CLIENT_ID': CLIENT,
               'PARTNER_CENTER_CLIENT_SECRET': 'secret-from-env', 'PARTNER_CENTER_BASE_URL': ''}
    options = resolve({'client_id': ''}.get, environ=environ)
    assert (options['tenant_id'], options['client_id'], options['client_secret']) == (TENANT, CLIENT, 'secret-from-env')
    assert options['base_url'] == 'https://api.partnercenter.microsoft.com'
    # The inventory's config manager reads the environment itself.
    assert resolve({}.get, environ=environ, use_environment=False)['tenant_id'] is None


@pytest.mark.parametrize('given, message', [
    ({'base_url': 'http://pc.example.com'}, 'https://'),
    ({'authority_url': 'ftp://x'}, 'https:// URL'),
    ({'timeout': 0}, 'timeout must be a finite number from 0.1 to 3600 seconds, got 0.'),
    ({'timeout': 1e10}, 'timeout must be a finite number from 0.1 to 3600 seconds'),
    ({'timeout': 'nan'}, 'finite'),
    ({'retries': -1}, 'retries must be a finite number from 0 to 20, got -1.'),
    ({'retries': 100}, 'retries must be a finite number from 0 to 20, got 100.'),
    ({'retries': 'many'}, 'number'),
    ({'validate_certs': 'maybe'}, 'true or false'),
    ({'locale': 'en US'}, 'language tag'),
    ({'correlation_id': 'not-a-guid'}, 'GUID'),
    ({'cloud': 'mars'}, 'cloud'),
    ({'tenant_id': 42}, 'string'),
])
def test_bad_values_are_refused_before_any_request(given, message):
    with pytest.raises(OptionError, match=message):
        resolve(given.get, environ={})


def test_loopback_http_and_text_values_are_accepted():
    options = resolve({'base_url': 'http://127.0.0.1:8080/', 'timeout': '2.5', 'retries': '0',
                       'validate_certs': 'no'}.get, environ={})
    assert (options['base_url'], options['timeout'], options['retries'], options['validate_certs']) == \
        ('http://127.0.0.1:8080', 2.5, 0, False)


def test_build_client_chooses_the_credential_kind_and_knows_the_secrets():
    base = {'tenant_id': TENANT, 'client_id': CLIENT}
    app_only = build_client(resolve(dict(base, client_secret='s3cret-value').get, environ={}))
    assert isinstance(app_only.auth, ClientCredentialsAuth)
    assert 's3cret-value' in app_only.secrets
    app_user = build_client(resolve(dict(base, refresh_token='refresh-value').get, environ={}))
    assert isinstance(app_user.auth, RefreshTokenAuth)
    assert isinstance(build_client(resolve({'access_token': 'token-value'}.get, environ={})).auth, StaticTokenAuth)
    with pytest.raises(CredentialError, match='PARTNER_CENTER_ACCESS_TOKEN'):
        build_client(resolve({}.get, environ={}))


def test_urls_get_the_modules_checks_and_credentials_in_them_are_never_shown():
    with pytest.raises(OptionError, match='user information') as caught:
        resolve({'base_url': 'https://user:s3cret-pw@pc.example.com'}.get, environ={})
    assert 's3cret-pw' not in str(caught.value)
    with pytest.raises(OptionError, match='invalid port'):
        resolve({'authority_url': 'https://login.example.com:99999'}.get, environ={})
