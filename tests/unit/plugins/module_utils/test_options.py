# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of options.py: the shared options read and checked alike from a module, a plugin and a dict."""

import logging
from unittest import mock

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader

from ansible_collections.partnercenter.devices.plugins.inventory import customers as inventory_plugin
from ansible_collections.partnercenter.devices.plugins.module_utils.auth import (
    ClientCredentialsAuth,
    RefreshTokenAuth,
    StaticTokenAuth,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import CredentialError
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PartnerCenterModule
from ansible_collections.partnercenter.devices.plugins.module_utils.options import (
    INSECURE_WARNING,
    SHARED_OPTIONS,
    OptionError,
    SharedOptionAdapter,
    build_client,
    option_warnings,
)

import harness
from in_process import module_args

TENANT = '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6'
CLIENT = '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e'
SECRET = 'options-secret-DO-NOT-LEAK-5150'
BATCH = {'customer_id': TENANT, 'batch_tracking_id': CLIENT}


EVENT_SOURCE = harness.load_file_as_module('batch_status_for_options', harness.EVENT_SOURCE_PATH)


def checked(given, environ=None):
    return SharedOptionAdapter.from_dict(given, environ={} if environ is None else environ).checked()


class FakePlugin:  # pylint: disable=too-few-public-methods
    """A plugin whose config manager gives ``values`` (every documented option, None where not set)."""

    def __init__(self, values):
        self.values = dict((name, None) for name in SHARED_OPTIONS)
        self.values.update(values)

    def get_option(self, name):
        return self.values[name]


# -- one reading, three sources ----------------------------------------------------------------------------------

# What each source gives for the same settings: a module's params and a plugin's options are typed by ansible-core
# (with their defaults filled in); a rulebook's arguments may be text.
TYPED = dict(tenant_id=TENANT, client_id=CLIENT, client_secret=SECRET, refresh_token=None, access_token=None,
             cloud='global', base_url='http://127.0.0.1:8080/', authority_url=None, validate_certs=False,
             timeout=2.5, retries=0, locale='de-DE', correlation_id=None)
AS_TEXT = dict(tenant_id=TENANT, client_id=CLIENT, client_secret=SECRET, base_url='http://127.0.0.1:8080/',
               validate_certs='no', timeout='2.5', retries='0', locale='de-DE')


def test_the_three_sources_give_the_same_checked_options():
    from_params = SharedOptionAdapter.from_params(dict(TYPED, unrelated_module_option=1)).checked()
    from_plugin = SharedOptionAdapter.from_plugin(FakePlugin(TYPED)).checked()
    from_dict = checked(AS_TEXT)
    assert from_params == from_plugin == from_dict
    assert (from_dict['base_url'], from_dict['authority_url'], from_dict['timeout'], from_dict['retries'],
            from_dict['validate_certs'], from_dict['resource']) == (
        'http://127.0.0.1:8080', 'https://login.microsoftonline.com', 2.5, 0, False, 'https://api.partnercenter.microsoft.com')
    assert option_warnings(from_dict) == [INSECURE_WARNING]


BAD_VALUES = [
    ('locale', 'en US', 'locale must be a language tag such as en-US, got \'en US\'.'),
    ('locale', 'en-US\r\nX-Injected: 1', 'locale must be a language tag'),
    ('locale', '', "locale must be a language tag such as en-US, got ''."),
    ('correlation_id', 'not-a-guid', 'correlation_id must be a GUID such as'),
    ('timeout', 0, 'timeout must be a finite number from 0.1 to 3600 seconds, got 0.'),
    ('timeout', 1e10, 'timeout must be a finite number from 0.1 to 3600 seconds'),
    ('timeout', float('nan'), 'timeout must be a finite number'),
    ('retries', 100, 'retries must be a finite number from 0 to 20, got 100.'),
    ('retries', -1, 'retries must be a finite number from 0 to 20, got -1.'),
    ('base_url', 'http://pc.example.com', 'base_url must use https://'),
    ('authority_url', 'ftp://x', 'authority_url must be an https:// URL'),
    ('authority_url', 'https://login.example.com:99999', 'authority_url has an invalid port'),
    ('base_url', 'https://user:%s@pc.example.com' % SECRET, 'base_url must not hold user information'),
    ('access_token', 'token-%s\n' % SECRET, 'access_token cannot be sent: it holds a line break'),
]
BAD_IDS = ['%s-%d' % (name, index) for index, (name, value, message) in enumerate(BAD_VALUES)]


@pytest.mark.parametrize('name, value, message', BAD_VALUES, ids=BAD_IDS)
def test_the_same_bad_value_gives_the_same_message_from_every_source(name, value, message):
    errors = []
    for adapter in (SharedOptionAdapter.from_params(dict(TYPED, **{name: value})),
                    SharedOptionAdapter.from_plugin(FakePlugin(dict(TYPED, **{name: value}))),
                    SharedOptionAdapter.from_dict(dict(AS_TEXT, **{name: value}), environ={})):
        with pytest.raises(OptionError) as raised:
            adapter.checked()
        errors.append(raised.value.message)
    assert errors[0] == errors[1] == errors[2]
    assert errors[0].startswith(message), errors[0]
    assert SECRET not in errors[0]


@pytest.mark.parametrize('name, value, message', BAD_VALUES, ids=BAD_IDS)
def test_each_caller_fails_with_the_adapters_message_before_any_request(name, value, message, run_module, tmp_path):
    with pytest.raises(OptionError) as raised:
        SharedOptionAdapter.from_dict({name: value}, environ={}).checked()
    expected = raised.value.message
    given = dict(AS_TEXT, **{name: value})
    # A module: fail_json.
    result = run_module('access_token', given)
    assert result.failed and result['msg'] == expected, result
    assert SECRET not in result.output
    # The inventory: AnsibleParserError naming the plugin.
    plugin = inventory_plugin.InventoryModule()
    values = dict(TYPED, **{name: value})
    values.update(page_size=500, company_name_starts_with=None, domain_starts_with=None, cache=False)
    plugin.get_option = values.get
    plugin._read_config_data = mock.MagicMock()  # pylint: disable=protected-access
    with mock.patch.object(inventory_plugin, 'list_customers') as listing:
        with pytest.raises(AnsibleParserError) as parser_error:
            plugin.parse(InventoryData(), DataLoader(), str(tmp_path / 'customers.partnercenter.yml'), cache=False)
    assert listing.call_count == 0
    assert parser_error.value.message == 'partnercenter.devices.customers: ' + expected
    # The event source: its argument error.
    with pytest.raises(ValueError) as source_error:
        EVENT_SOURCE.watcher_from_args(dict(given, batches=[BATCH]), environ={})
    assert str(source_error.value) == expected


def test_environment_fills_what_a_dict_leaves_out_and_empty_means_unset():
    environ = {'PARTNER_CENTER_TENANT_ID': TENANT, 'PARTNER_CENTER_CLIENT_ID': CLIENT,
               'PARTNER_CENTER_CLIENT_SECRET': 'secret-from-env', 'PARTNER_CENTER_BASE_URL': ''}
    options = checked({'client_id': ''}, environ)
    assert (options['tenant_id'], options['client_id'], options['client_secret']) == (TENANT, CLIENT, 'secret-from-env')
    assert options['base_url'] == 'https://api.partnercenter.microsoft.com'
    # A module's and a plugin's environment is read by ansible-core, never here.
    assert SharedOptionAdapter.from_params({}).checked()['tenant_id'] is None
    assert SharedOptionAdapter.from_plugin(FakePlugin({'client_id': ''})).checked()['client_id'] is None


def test_module_params_are_the_checked_options(run_module, monkeypatch):  # pylint: disable=unused-argument
    """A module reads the same options from its arguments and from the environment, through the argument spec."""
    # run_module: the test's own PARTNER_CENTER_* variables are removed first.
    monkeypatch.setenv('PARTNER_CENTER_BASE_URL', 'http://127.0.0.1:9/')
    with module_args({'access_token': 'tok', 'tenant_id': '', 'locale': 'de-DE'}):
        module = PartnerCenterModule()
    params = module.params
    assert (params['base_url'], params['authority_url'], params['tenant_id'], params['timeout'], params['locale']) == (
        'http://127.0.0.1:9', 'https://login.microsoftonline.com', None, 30.0, 'de-DE')


def test_defaults_follow_the_cloud():
    options = checked({})
    assert options['base_url'] == 'https://api.partnercenter.microsoft.com'
    assert options['authority_url'] == 'https://login.microsoftonline.com'
    assert (options['timeout'], options['retries'], options['validate_certs'], options['locale']) == (30.0, 5, True, 'en-US')
    assert option_warnings(options) == []
    china = checked({'cloud': 'china'})
    assert china['base_url'] == 'https://partner.partnercenterapi.microsoftonline.cn'
    assert china['resource'] == 'https://partner.partnercenterapi.microsoftonline.cn'


@pytest.mark.parametrize('given, message', [
    ({'timeout': 'nan'}, 'timeout must be a finite number'),
    ({'retries': 'many'}, "retries must be a number, got 'many'."),
    ({'retries': 2.5}, 'retries must be a whole number, got 2.5.'),
    ({'retries': '2.5'}, "retries must be a whole number, got '2.5'."),
    ({'retries': True}, 'retries must be a number, got True.'),
    ({'validate_certs': 'maybe'}, "validate_certs must be true or false, got 'maybe'."),
    ({'cloud': 'mars'}, "cloud must be one of china, global, got 'mars'."),
    ({'tenant_id': 42}, 'tenant_id must be a string, got a int.'),
], ids=['timeout-nan-text', 'retries-text', 'retries-fraction', 'retries-fraction-text', 'retries-bool', 'validate_certs',
        'cloud', 'tenant_id-number'])
def test_values_only_a_dict_can_give_are_refused_too(given, message):
    with pytest.raises(OptionError) as raised:
        checked(given)
    assert raised.value.message.startswith(message), raised.value.message


def test_secrets_cover_the_secret_options_the_environment_and_url_user_information():
    adapter = SharedOptionAdapter.from_dict(
        {'client_secret': 'argument-secret', 'base_url': 'https://admin:pw-1@pc.example.com', 'locale': 'bad value'},
        environ={'PARTNER_CENTER_CLIENT_SECRET': 'environment-secret', 'PARTNER_CENTER_ACCESS_TOKEN': 'env-token'})
    assert adapter.secrets() == {'argument-secret', 'environment-secret', 'env-token', 'admin:pw-1', 'pw-1'}
    # From a module or a plugin only what was given (ansible-core read the environment).
    assert SharedOptionAdapter.from_params({'refresh_token': 'rt', 'access_token': ''}).secrets() == {'rt'}


def test_the_event_source_warns_when_certificates_are_not_checked(caplog):
    with caplog.at_level(logging.WARNING):
        EVENT_SOURCE.watcher_from_args({'batches': [BATCH], 'access_token': 'tok', 'validate_certs': 'false'}, environ={})
    assert INSECURE_WARNING in [record.getMessage() for record in caplog.records]


def test_build_client_chooses_the_credential_kind_and_knows_the_secrets():
    base = {'tenant_id': TENANT, 'client_id': CLIENT}
    app_only = build_client(checked(dict(base, client_secret='s3cret-value')))
    assert isinstance(app_only.auth, ClientCredentialsAuth)
    assert 's3cret-value' in app_only.secrets
    app_user = build_client(checked(dict(base, refresh_token='refresh-value')))
    assert isinstance(app_user.auth, RefreshTokenAuth)
    assert isinstance(build_client(checked({'access_token': 'token-value'})).auth, StaticTokenAuth)
    with pytest.raises(CredentialError, match='PARTNER_CENTER_ACCESS_TOKEN'):
        build_client(checked({}))
