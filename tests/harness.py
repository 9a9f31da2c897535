# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tests and the demo share: the collection on a collections path, and ansible-playbook runs.

Ansible finds a collection only at ``<path>/ansible_collections/<namespace>/<name>``, and the
repository root is the collection root, so a temporary directory holds a link of that shape
back to the checkout. The link lives outside the repository: inside it, tools that walk the
tree would loop.
"""

import ast
import atexit
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.parse
import urllib.request

import yaml

from ansible.release import __version__ as ANSIBLE_CORE_VERSION

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.join(REPO_ROOT, 'tests')
SIMULATOR_DIR = os.path.join(TESTS_DIR, 'simulator')
DEFAULT_SEED = os.path.join(SIMULATOR_DIR, 'seed.json')
BIN_DIR = os.path.dirname(sys.executable)
# save_results writes what a test playbook hands to set_stats into its results_file, on the controller:
# cheaper than ansible.builtin.copy, which runs two modules (stat, copy) in every playbook run.
CALLBACK_DIR = os.path.join(TESTS_DIR, 'callback_plugins')
SAVE_RESULTS_CALLBACK = 'save_results'

# The fake credentials of the default simulator seed.
TENANT_ID = '9c6f4a3e-1b2d-4c5e-8f70-a1b2c3d4e5f6'
TENANT_DOMAIN = 'contoso-partner.onmicrosoft.com'
CLIENT_ID = '5d2a7c1e-3f4b-4a6c-9d8e-0f1a2b3c4d5e'
CLIENT_SECRET = 'sim-client-secret-DO-NOT-LEAK-7Q2x'
REFRESH_TOKEN = 'sim-refresh-token-admin-agent-DO-NOT-LEAK-3Vb9'
REFRESH_TOKEN_NO_ROLE = 'sim-refresh-token-no-role-DO-NOT-LEAK-8Kd1'
REFRESH_TOKEN_EXPIRED = 'sim-refresh-token-expired-DO-NOT-LEAK-1Zr4'
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, REFRESH_TOKEN_NO_ROLE, REFRESH_TOKEN_EXPIRED)

# The documented example and the demo batches of the default seed.
EXAMPLE_CUSTOMER_ID = '47021739-3426-40bf-9601-61b4b6d7c793'
EXAMPLE_BATCH_ID = '0127ed8e-ff72-4983-a3d8-e8d8bd378932'
DEMO_CUSTOMER_ID = '3f8e2a91-6c47-4d0b-b5e2-7a9c1d3e5f60'
DEMO_BATCH_WITH_ERRORS = '6b1d9e42-8a3c-4f57-9e20-c4d8a7b6f310'
DEMO_BATCH_CLEAN = 'c2a4e6f8-1b3d-4a5c-8e7f-9a0b1c2d3e4f'
DEMO_BATCH_STUCK = 'd7e9f1a3-5b7c-4d9e-8f1a-2b3c4d5e6f70'
FOREIGN_CUSTOMER_ID = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d'

# The response documented on "Get the status of a device batch upload".
DOCUMENTED_EXAMPLE = {
    'batchTrackingId': '0127ed8e-ff72-4983-a3d8-e8d8bd378932',
    'status': 'finished',
    'startedTime': '2017-07-25T10:00:00',
    'completedTime': '2017-07-25T10:10:00',
    'devicesStatus': [{
        'serialNumber': '1234567890',
        'productKey': '12345-67890-09876-54321-13579',
        'status': 'finished_with_errors',
        'errorCode': '808',
        'errorDescription': 'ZtdDeviceAssignedToOtherTenant',
        'attributes': {'objectType': 'DeviceUploadDetails'},
    }],
    'attributes': {'objectType': 'BatchUploadDetails'},
}


def odd_types_answer(batch_tracking_id):
    """A BatchUploadDetails whose fields documented as strings hold other JSON types (a list, an object, a boolean, a
    number): no source shows such an answer (UNCONFIRMED), so it is served through a fault as the least convenient form."""
    return {
        'batchTrackingId': batch_tracking_id, 'status': 'finished_with_errors',
        'startedTime': ['2025-01-06T09:00:00'], 'completedTime': 1736154000,
        'devicesStatus': [
            {'deviceId': {'id': 'x'}, 'serialNumber': 12345, 'productKey': True, 'status': 'finished_with_errors',
             'errorCode': [808], 'errorDescription': {'text': 'ZtdDeviceAssignedToOtherTenant'}},
            {'deviceId': 7.5, 'serialNumber': ['SN'], 'productKey': None, 'status': 'finished_with_errors',
             'errorCode': 808, 'errorDescription': False}]}


# Settings a caller may give every ansible-playbook run of the tests (ansible_env drops other
# ANSIBLE_* variables): make test-matrix runs the suite once with ANSIBLE_INJECT_FACT_VARS=false.
PASSED_THROUGH = ('ANSIBLE_INJECT_FACT_VARS',)

# ansible-core before 2.19 wraps warnings, deprecations and errors to max(79, terminal width - 1)
# columns with textwrap; the tests run without a terminal, so to 79.
WRAPS_MESSAGES = tuple(int(part) for part in ANSIBLE_CORE_VERSION.split('.')[:2]) < (2, 19)
WRAP_WIDTH = 79
WRAPPED_MESSAGE = re.compile(r'^\[(?:WARNING|DEPRECATION WARNING|ERROR)\]:')
HYPHEN_IN_WORD = re.compile(r'\w-$')

if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)


# The event source is a file that ansible-rulebook loads by path, not a module of a package.
EVENT_SOURCE_PATH = os.path.join(REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'batch_status.py')


def load_file_as_module(name, path):
    """The Python file at ``path``, loaded as a fresh module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_constant(path, name):
    """The literal value of a top-level ``name = ...`` of the Python file at ``path``, read without importing it;
    None when the file has no such assignment."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == name for target in node.targets):
            return ast.literal_eval(node.value)
    return None


def documentation_block(path, name='DOCUMENTATION'):
    """A plugin's documentation block (DOCUMENTATION, EXAMPLES, RETURN), parsed as YAML, read without importing it."""
    text = python_constant(path, name)
    if text is None:
        raise AssertionError('%s has no %s' % (path, name))
    return yaml.safe_load(text)


def documented_return_keys(module_name, path):
    """The keys the RETURN of plugins/modules/<module_name>.py documents under ``path`` (dotted: its ``contains``)."""
    entry = {'contains': documentation_block(os.path.join(REPO_ROOT, 'plugins', 'modules', module_name + '.py'), 'RETURN')}
    for name in path.split('.'):
        entry = entry['contains'][name]
    return set(entry['contains'])


def make_temp_dir(name, parent=None):
    """A new temporary directory named ``name`` and a random part that follows a letter.

    ansible-core renders its defaults built on ANSIBLE_HOME with Jinja2's native environment, which parses
    each rendered path as a Python literal: a random part after a hyphen such as "-2inivwdf" (a number
    before "in") made Python print "<unknown>:1: SyntaxWarning: invalid decimal literal" once per default.
    """
    return tempfile.mkdtemp(prefix=name + '_', dir=parent)


def make_collections_path(base=None):
    """A collections path whose partnercenter.devices is this checkout, in ``base`` or a new temporary directory (removed at exit)."""
    if base is None:
        base = make_temp_dir('partnercenter-devices')
    namespace_dir = os.path.join(base, 'ansible_collections', 'partnercenter')
    os.makedirs(namespace_dir)
    os.symlink(REPO_ROOT, os.path.join(namespace_dir, 'devices'))
    # An empty config, so that neither an ansible.cfg in the working directory nor the user's is read.
    with open(os.path.join(base, 'ansible.cfg'), 'w', encoding='utf-8') as handle:
        handle.write('[defaults]\n')
    atexit.register(shutil.rmtree, base, True)
    return base


def ansible_env(collections_path, **extra):
    """The environment for ansible-playbook: this collection only, no user config, no stray credentials."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('PARTNER_CENTER_', 'ANSIBLE_')) or key in PASSED_THROUGH)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_CONFIG': os.path.join(collections_path, 'ansible.cfg'),
        'ANSIBLE_HOME': os.path.join(collections_path, 'ansible-home'),
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_ROLES_PATH': os.path.join(REPO_ROOT, 'roles'),
        'PATH': BIN_DIR + os.pathsep + env.get('PATH', ''),
        # The simulator is on loopback; a proxy from the environment must not capture it.
        'NO_PROXY': '127.0.0.1,localhost',
        'no_proxy': '127.0.0.1,localhost',
    })
    env.update({
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_DIR,
        'ANSIBLE_CALLBACKS_ENABLED': SAVE_RESULTS_CALLBACK,
    })
    # A caller's own callbacks come on top of save_results, not instead of it.
    for key, separator in (('ANSIBLE_CALLBACK_PLUGINS', os.pathsep), ('ANSIBLE_CALLBACKS_ENABLED', ',')):
        if extra.get(key):
            extra = dict(extra, **{key: env[key] + separator + extra[key]})
    env.update(extra)
    return env


def issue_token(url, refresh_token=None):
    """An access token from the simulator's token endpoint at ``url``, asked for beforehand as a user would: app-only,
    or from ``refresh_token`` (app+user)."""
    form = {'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET, 'resource': 'https://api.partnercenter.microsoft.com'}
    if refresh_token:
        form.update(grant_type='refresh_token', refresh_token=refresh_token)
    else:
        form['grant_type'] = 'client_credentials'
    request = urllib.request.Request('%s/%s/oauth2/token' % (url, TENANT_ID), data=urllib.parse.urlencode(form).encode(),
                                     method='POST')
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        return json.loads(response.read())['access_token']


def simulator_credentials(url, kind='app-only'):
    """PARTNER_CENTER_* variables for the simulator at ``url`` and a credential kind."""
    env = {
        'PARTNER_CENTER_BASE_URL': url,
        'PARTNER_CENTER_AUTHORITY_URL': url,
        'PARTNER_CENTER_TENANT_ID': TENANT_ID,
        'PARTNER_CENTER_CLIENT_ID': CLIENT_ID,
    }
    if kind == 'app-only':
        env['PARTNER_CENTER_CLIENT_SECRET'] = CLIENT_SECRET
    elif kind == 'app+user':
        env['PARTNER_CENTER_REFRESH_TOKEN'] = REFRESH_TOKEN
        env['PARTNER_CENTER_CLIENT_SECRET'] = CLIENT_SECRET
    else:
        raise ValueError('unknown credential kind %r' % kind)
    return env


def _unwrap_message(lines, start):
    """(the message starting at ``lines[start]`` on one line, how many lines it took).

    A following line belongs to the message when joining it (with the space textwrap dropped, or
    with nothing after a hyphen inside a word, where textwrap also breaks) wraps back to exactly
    the lines shown.
    """
    text = lines[start]
    end = start + 1
    while end < len(lines) and lines[end] and not WRAPPED_MESSAGE.match(lines[end]) and len(lines[end - 1]) <= WRAP_WIDTH:
        separators = ('', ' ') if HYPHEN_IN_WORD.search(lines[end - 1]) else (' ', '')
        joined = [text + separator + lines[end] for separator in separators
                  if textwrap.wrap(text + separator + lines[end], WRAP_WIDTH) == lines[start:end + 1]]
        if not joined:
            break
        text = joined[0]
        end += 1
    return text, end - start


def unwrap_messages(output):
    """``output`` with each [WARNING]/[DEPRECATION WARNING]/[ERROR] message on one line, as ansible-core 2.19+ prints it.

    Tests match warnings line by line; ansible-core 2.16-2.18 spread a long one over several lines.
    """
    if not WRAPS_MESSAGES:
        return output
    lines = output.split('\n')
    unwrapped = []
    index = 0
    while index < len(lines):
        if WRAPPED_MESSAGE.match(lines[index]):
            text, taken = _unwrap_message(lines, index)
        else:
            text, taken = lines[index], 1
        unwrapped.append(text)
        index += taken
    return '\n'.join(unwrapped)


# What only an exception that escaped a module prints: ansible-core 2.19+ starts the result's own msg with
# "Task failed: Module failed" (its [ERROR] line says so for every failure, the msg only for an escape);
# older versions report MODULE FAILURE with the module's traceback.
ESCAPED_EXCEPTION_OUTPUT = ('"msg": "Task failed: Module failed', 'Traceback (most recent call last)', 'MODULE FAILURE')


class EscapedException(AssertionError):
    """A playbook run whose output shows an exception that escaped a module: a bug, whatever the test expects."""


class PlaybookRun:
    """The outcome of one ansible-playbook run: exit code, output, and the results it saved.

    ``stdout``, ``stderr`` and ``output`` (both) show every warning and error on one line, whichever
    ansible-core wrote them (see unwrap_messages); ``raw_stderr`` is stderr as written.
    """

    def __init__(self, completed, results_file):
        self.returncode = completed.returncode
        self.stdout = unwrap_messages(completed.stdout)
        self.raw_stderr = completed.stderr
        self.stderr = unwrap_messages(completed.stderr)
        self.output = self.stdout + self.stderr
        self.results = {}
        if os.path.exists(results_file):
            with open(results_file, encoding='utf-8') as handle:
                self.results = json.load(handle)

    def __repr__(self):
        return 'PlaybookRun(returncode=%r)\n%s' % (self.returncode, self.output)


def run_playbook(playbook, collections_path, workdir, extra_vars=None, env=None, verbosity=0, check=False, timeout=300,
                 judge_escapes=True, inventory='localhost,'):
    """Run ``ansible-playbook`` on localhost (or ``inventory``, a path or a list of hosts, every host reached with the local
    connection); what the playbook hands to set_stats is saved to ``results_file``.

    An exception that escaped a module raises EscapedException, unless ``judge_escapes`` is false (the
    hostile suite judges them case by case).
    """
    results_file = os.path.join(workdir, 'results.json')
    variables = dict(extra_vars or {})
    variables['results_file'] = results_file
    vars_file = os.path.join(workdir, 'extra-vars.json')
    with open(vars_file, 'w', encoding='utf-8') as handle:
        json.dump(variables, handle)
    command = [os.path.join(BIN_DIR, 'ansible-playbook'), '-i', inventory, '-c', 'local',
               '-e', '@' + vars_file, playbook]
    if verbosity:
        command.append('-' + 'v' * verbosity)
    if check:
        command.append('--check')
    completed = subprocess.run(command, cwd=workdir, env=ansible_env(collections_path, **(env or {})),
                               capture_output=True, text=True, timeout=timeout, check=False)
    run = PlaybookRun(completed, results_file)
    escaped = [pattern for pattern in ESCAPED_EXCEPTION_OUTPUT if pattern in run.output]
    if judge_escapes and escaped:
        raise EscapedException('an exception escaped a module (%s):\n%s' % (', '.join(escaped), run.output))
    return run
