# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An exception that escapes a module's main() is a clear failure that names the collection's bug, never a traceback."""

import pytest

import harness

from ansible_collections.partnercenter.devices.plugins.module_utils.client import COLLECTION_VERSION
from ansible_collections.partnercenter.devices.plugins.modules import device_batch_info

CORRELATION_ID = '11111111-2222-4333-8444-555555555555'


def test_an_escaped_exception_is_a_clear_failure_with_the_ids_and_no_secret(run_module, simulator, sim_args, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("unhashable type: 'list' %s" % harness.CLIENT_SECRET)

    monkeypatch.setattr(device_batch_info, 'list_device_batches', broken)
    result = run_module('device_batch_info', dict(sim_args(simulator), customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                  correlation_id=CORRELATION_ID))
    assert result.failed
    assert result['msg'].startswith('partnercenter.devices %s met an unexpected TypeError' % COLLECTION_VERSION)
    assert 'This is a bug in the collection' in result['msg'] and CORRELATION_ID in result['msg']
    assert harness.CLIENT_SECRET not in result.output and 'Traceback' not in result.output
    assert result['exception_type'] == 'TypeError' and result['collection_version'] == COLLECTION_VERSION


def test_an_exception_before_the_module_is_built_is_left_to_ansible_core(monkeypatch):
    """Nothing to fail with before the module's options are read: the exception goes on, unchanged."""
    def broken(*args, **kwargs):
        raise KeyError('argument spec')

    monkeypatch.setattr(device_batch_info, 'PartnerCenterModule', broken)
    with pytest.raises(KeyError):
        device_batch_info.main()
