# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of module.py's local checks, before any request."""

import contextlib
import json
from unittest import mock

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 has no such helper: AnsibleModule reads basic._ANSIBLE_ARGS as JSON bytes
    from ansible.module_utils import basic as _basic

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(_basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield

from ansible_collections.partnercenter.devices.plugins.module_utils import module as module_utils

BASE = dict(base_url='http://127.0.0.1:9', authority_url='http://127.0.0.1:9', client_secret='csecret-VALUE-1234',
            client_id='cid', tenant_id='contoso.onmicrosoft.com')


def build(capsys, **args):
    """PartnerCenterModule for ``args``; (module or None, the JSON it exited with or None)."""
    options = dict(BASE)
    options.update(args)
    with patch_module_args(options):
        try:
            return module_utils.PartnerCenterModule(argument_spec=dict(module_utils.WAIT_ARGUMENT_SPEC)), None
        except SystemExit:
            return None, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('name, value', [('timeout', 'nan'), ('timeout', 'inf'), ('timeout', 1e10), ('retries', 1000),
                                         ('timeout', 0)])
def test_shared_numbers_are_bounded(capsys, name, value):
    unused, result = build(capsys, **{name: value})
    assert result['failed'] and ('%s must be a finite number' % name) in result['msg']


@pytest.mark.parametrize('name, value', [('poll_interval', 'nan'), ('poll_interval', 'inf'), ('wait_timeout', 10 ** 10)])
def test_wait_numbers_are_bounded(capsys, name, value):
    options = dict(BASE)
    options[name] = value
    with patch_module_args(options):
        module = module_utils.PartnerCenterModule(argument_spec=dict(module_utils.WAIT_ARGUMENT_SPEC))
        with pytest.raises(SystemExit):
            module.check_wait_options()
    result = json.loads(capsys.readouterr().out)
    assert ('%s must be a finite number' % name) in result['msg']


def test_userinfo_is_refused_and_masked_everywhere(capsys):
    unused, result = build(capsys, base_url='http://admin:pass-VALUE-99@127.0.0.1:9')
    text = json.dumps(result)
    assert 'must not hold user information' in result['msg']
    assert 'pass-VALUE-99' not in text


def test_access_token_with_a_line_break_is_refused_unshown(capsys):
    unused, result = build(capsys, access_token='tok-VALUE-123\r\nX: 1')
    assert 'access_token cannot be sent' in result['msg'] and 'tok-VALUE' not in json.dumps(result)
