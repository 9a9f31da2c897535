# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module cases in-process: give a module its arguments, call its ``main()``, read its result.

The fixtures here are registered for every test by tests/conftest.py.

As community.hashi_vault tests its modules: no ansible-playbook, no AnsiballZ. A case runs the module
against the simulator (or another server) on 127.0.0.1 through the ``run_module`` fixture::

    result = run_module('device', dict(sim_args(simulator), customer_id=..., state='absent'))
    assert result.failed and 'GUID' in result['msg']

What only the controller does (action plugins, progress lines, facts, -vvvv) is tested by playbook runs
under tests/integration.
"""

import contextlib
import importlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.warnings import get_warning_messages

import harness

try:
    # ansible-core 2.19 and newer: the supported way to hand a module its arguments.
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.16 to 2.18
    patch_module_args = None


@contextlib.contextmanager
def module_args(args):
    """Hand ``args`` to the next AnsibleModule built in this process."""
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    # What patch_module_args does on 2.19, and what ansible-core's own unit tests did before it.
    saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')  # pylint: disable=protected-access
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access


class ModuleResult(dict):
    """A module's result (the JSON it printed) with its exit code; ``failed`` is True after fail_json.

    ``output`` and ``errors`` hold what the module wrote on standard output and standard error.

    ``warnings`` holds the module's warnings wherever ansible-core put them: in the result, or, once controller code
    has been imported into the test process (ansible-core 2.19 and newer then hand a module's warnings to the
    controller's display), on standard error as ``[WARNING]:`` lines. The display shows a given text once per process,
    so a case that asserts a warning should make its text its own (a simulator URL, a batch name of the case).
    """

    def __init__(self, result, rc, output, errors=''):
        super().__init__(result)
        self.rc = rc
        self.output = output
        self.errors = errors
        shown = [' '.join(line.split(None, 1)[1:]) for line in errors.splitlines() if line.startswith('[WARNING]:')]
        self.warnings = [_warning_text(warning) for warning in result.get('warnings') or []] + shown

    @property
    def failed(self):
        return bool(self.get('failed')) or self.rc != 0


def _warning_text(warning):
    """A warning of a module result as text: ansible-core 2.19 and newer return a summary object, older ones text."""
    if isinstance(warning, dict):
        return (warning.get('event') or {}).get('msg', '')
    return warning


def sim_args(sim, kind='app-only', **extra):
    """The shared options for the simulator ``sim`` and a credential kind (app-only, app+user): the credentials of
    harness.simulator_credentials, as options instead of PARTNER_CENTER_* variables."""
    prefix = 'PARTNER_CENTER_'
    args = dict((name[len(prefix):].lower(), value) for name, value in harness.simulator_credentials(sim.url, kind).items())
    args.update(timeout=5, retries=2)
    args.update(extra)
    return args


@pytest.fixture(name='sim_args')
def sim_args_fixture():
    """``sim_args(simulator, kind='app-only', **options)``: the shared options for a simulator."""
    return sim_args


@pytest.fixture
def run_module(capsys, monkeypatch):
    """``run_module(name, args, check_mode=False, diff=False)``: run plugins/modules/<name>.py's main() in-process.

    Returns a ModuleResult. The PARTNER_CENTER_* variables of the test's own environment are removed first, so
    that only what a case gives reaches the module (a case sets them with monkeypatch.setenv to test fallbacks,
    after asking for this fixture).
    """
    from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ENV_VARS  # pylint: disable=import-outside-toplevel

    for variable in ENV_VARS.values():
        monkeypatch.delenv(variable, raising=False)

    def run(name, args, check_mode=False, diff=False):
        module = importlib.import_module('ansible_collections.partnercenter.devices.plugins.modules.' + name)
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        # A module process starts with no warnings; in one test process ansible-core keeps every run's warnings, and
        # each result lists all of them: this run's are those after the ones already kept.
        earlier = len(get_warning_messages())
        capsys.readouterr()
        with module_args(args):
            with pytest.raises(SystemExit) as exit_info:
                module.main()
        captured = capsys.readouterr()
        output = captured.out
        try:
            result = json.loads(output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError('module %s printed no JSON result: %r' % (name, output[-2000:])) from None
        code = exit_info.value.code
        if 'warnings' in result:
            result['warnings'] = result['warnings'][earlier:]
        return ModuleResult(result, 0 if code is None else code, output, captured.err)

    return run


@pytest.fixture
def api_requests():
    """``api_requests(sim, method=None)``: the simulator's log of API requests, as (method, path) pairs."""

    def requests(sim, method=None):
        logged = [(entry['method'], entry['path']) for entry in sim.stats['api_requests']]
        return [entry for entry in logged if method is None or entry[0] == method]

    return requests
