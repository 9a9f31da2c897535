# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX credential type in docs/awx: valid for AWX, in step with the modules, and a job that uses it works.

AWX turns a credential into environment variables the way ``inject_credential`` does (AWX's
``awx/main/models/credential/__init__.py``, now ``awx_plugins.interfaces``): each ``env`` injector
is rendered with Jinja2's ``ImmutableSandboxedEnvironment`` on the credential's non-empty inputs.
Every variable is set; an input left empty renders as an empty string. The secret inputs render
as ``**********`` in the copy of the environment AWX stores with the job. ``awx_injected_env``
below does the same, so the playbook runs here with what a job would get.
"""

import os
import re

import jinja2
import jinja2.meta
import jinja2.sandbox
import pytest
import yaml

import harness

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ENV_VARS
from ansible_collections.partnercenter.devices.plugins.module_utils.module import PARTNER_CENTER_ARGUMENT_SPEC

AWX_DIR = os.path.join(harness.REPO_ROOT, 'docs', 'awx')
JOB_TEMPLATE_PLAYBOOK = os.path.join(AWX_DIR, 'wait_for_batch_upload.yml')
HIDDEN = '*' * 10

# What AWX's CredentialTypeInputField and CredentialTypeInjectorField accept.
FIELD_KEYS = {'id', 'label', 'type', 'help_text', 'secret', 'multiline', 'choices', 'default', 'ask_at_runtime', 'format'}
NAME_PATTERN = re.compile(r'[a-zA-Z_]+[a-zA-Z0-9_]*')
ENV_BLOCKLIST = {'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
                 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE',
                 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST',
                 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'}

# Seed statuses of the clean demo batch: queued, processing, finished (3 devices, no errors).
CLEAN_BATCH = {'wait_for_batch_upload_customer_id': harness.DEMO_CUSTOMER_ID,
               'wait_for_batch_upload_batch_tracking_id': harness.DEMO_BATCH_CLEAN,
               'wait_for_batch_upload_delay': 0}


def load(name):
    """A YAML file of docs/awx, parsed."""
    with open(os.path.join(AWX_DIR, name), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


INPUTS = load('credential-type-inputs.yml')
INJECTORS = load('credential-type-injectors.yml')
FIELDS = {field['id']: field for field in INPUTS['fields']}


def template_variables(template):
    """The names a Jinja2 template reads."""
    return jinja2.meta.find_undeclared_variables(jinja2.Environment().parse(template))


def awx_injected_env(credential_inputs):
    """The environment AWX gives a job for a credential of this type, and the copy it stores with the job."""
    namespace = {'tower': object()}
    safe_namespace = {'tower': object()}
    for field_id, value in credential_inputs.items():
        if FIELDS[field_id].get('secret'):
            safe_namespace[field_id] = HIDDEN
        elif value:
            safe_namespace[field_id] = value
        if value:  # AWX leaves empty inputs out of the namespace: they render as ''
            namespace[field_id] = value
    sandbox = jinja2.sandbox.ImmutableSandboxedEnvironment()
    env, safe_env = {}, {}
    for name, template in INJECTORS['env'].items():
        if name in ENV_BLOCKLIST:
            continue
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    return env, safe_env


def simulator_inputs(url, kind):
    """Credential inputs for the simulator at ``url``, from the harness's fake credentials of ``kind``."""
    by_env_var = dict((env_var, option) for option, env_var in ENV_VARS.items())
    return dict((by_env_var[env_var], value) for env_var, value in harness.simulator_credentials(url, kind).items())


# -- the definition, as AWX validates it ----------------------------------------------------------


def test_inputs_are_a_valid_awx_input_configuration():
    assert set(INPUTS) <= {'fields', 'required'}
    ids = [field['id'] for field in INPUTS['fields']]
    assert len(ids) == len(set(ids))
    for field in INPUTS['fields']:
        assert set(field) <= FIELD_KEYS, field['id']
        assert NAME_PATTERN.fullmatch(field['id']) and field['id'] != 'tower'
        assert field['label'].strip()
        assert field.get('type', 'string') == 'string'
        assert field.get('help_text', '').strip(), '%s has no help text' % field['id']
    assert set(INPUTS['required']) <= set(ids)


def test_injectors_are_a_valid_awx_injector_configuration():
    assert set(INJECTORS) == {'env'}
    for name, template in INJECTORS['env'].items():
        assert NAME_PATTERN.fullmatch(name)
        assert not name.startswith('ANSIBLE_') and name not in ENV_BLOCKLIST
        assert template.isascii()
        # AWX renders every injector on its fields with StrictUndefined before saving the type.
        strict = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
        strict.from_string(template).render(dict((field_id, 'EXAMPLE') for field_id in FIELDS))


def test_every_input_the_injectors_use_exists():
    used = set()
    for template in INJECTORS['env'].values():
        used |= template_variables(template)
    assert used <= set(FIELDS)
    assert used == set(FIELDS), 'inputs no injector uses: %s' % sorted(set(FIELDS) - used)


def test_every_injected_variable_is_one_the_modules_read():
    for name, template in INJECTORS['env'].items():
        assert name in ENV_VARS.values(), name
        [field_id] = template_variables(template)
        # Each variable carries the input of the option it is the fallback of, unchanged.
        assert ENV_VARS[field_id] == name
        assert template.replace(' ', '') == '{{%s}}' % field_id


def test_secret_inputs_are_secret_and_only_those():
    for field_id, field in FIELDS.items():
        assert bool(field.get('secret')) == bool(PARTNER_CENTER_ARGUMENT_SPEC[field_id].get('no_log')), field_id
    assert {'client_secret', 'refresh_token'} <= set(field_id for field_id, field in FIELDS.items() if field.get('secret') is True)


def test_optional_inputs_are_not_required():
    # Every kind of credential needs the tenant and the application; the secret is a client secret,
    # a refresh token or both, and the URLs have defaults.
    assert sorted(INPUTS['required']) == ['client_id', 'tenant_id']
    for optional in ('client_secret', 'refresh_token', 'base_url', 'authority_url'):
        assert optional in FIELDS and optional not in INPUTS['required']
        assert 'default' not in FIELDS[optional]


def test_empty_optional_inputs_give_empty_variables_and_secrets_stay_out_of_the_stored_env():
    inputs = {'tenant_id': harness.TENANT_ID, 'client_id': harness.CLIENT_ID, 'client_secret': harness.CLIENT_SECRET,
              'refresh_token': ''}
    env, safe_env = awx_injected_env(inputs)
    assert env == {
        'PARTNER_CENTER_TENANT_ID': harness.TENANT_ID,
        'PARTNER_CENTER_CLIENT_ID': harness.CLIENT_ID,
        'PARTNER_CENTER_CLIENT_SECRET': harness.CLIENT_SECRET,
        'PARTNER_CENTER_REFRESH_TOKEN': '',
        'PARTNER_CENTER_BASE_URL': '',
        'PARTNER_CENTER_AUTHORITY_URL': '',
    }
    assert safe_env['PARTNER_CENTER_CLIENT_SECRET'] == HIDDEN
    assert safe_env['PARTNER_CENTER_REFRESH_TOKEN'] == HIDDEN
    assert harness.CLIENT_SECRET not in repr(safe_env)


# -- a job with the credential ----------------------------------------------------------------------


@pytest.mark.parametrize('kind', ['app-only', 'app+user'])
def test_job_template_playbook_runs_with_only_the_injected_environment(simulator, collections_path, tmp_path, kind):
    env, safe_env = awx_injected_env(simulator_inputs(simulator.url, kind))
    assert set(env) == set(INJECTORS['env'])
    run = harness.run_playbook(JOB_TEMPLATE_PLAYBOOK, collections_path, str(tmp_path), extra_vars=CLEAN_BATCH,
                               env=env, verbosity=4)
    assert run.returncode == 0, run
    assert 'Batch %s is finished' % harness.DEMO_BATCH_CLEAN in run.output  # the role's summary
    assert '"partner_center_batch_status": "finished"' in run.output  # the set_stats artifact
    stats = simulator.stats
    assert len(stats['token_requests']) == 1  # one token for the whole wait
    assert stats['polls'][harness.DEMO_BATCH_CLEAN] == 3
    secrets = [value for value in harness.SECRETS + tuple(stats['issued_tokens']) + tuple(stats['issued_refresh_tokens'])
               if value]
    assert len(secrets) > len(harness.SECRETS)
    for secret in secrets:
        assert secret not in run.output
        assert secret not in repr(safe_env)
