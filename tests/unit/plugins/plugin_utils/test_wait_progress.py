# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WaitProgressAction in-process: when it watches a wait, the task's environment around the module, and its progress watcher."""

import os
import threading

import pytest

from action_in_process import HOST, SHORT, ModuleStandIn, details, make_action, shown_lines, wait_for_output

from ansible_collections.partnercenter.devices.plugins.action import batch_upload_status, device_batch, device_profile
from ansible_collections.partnercenter.devices.plugins.module_utils.action_handshake import FACT_BY_ACTION_ENV, PROGRESS_FILE_ENV
from ansible_collections.partnercenter.devices.plugins.plugin_utils import wait_progress
from ansible_collections.partnercenter.devices.plugins.plugin_utils.progress_lines import HEARTBEAT_ENV

PLUGINS = [batch_upload_status, device_batch, device_profile]
PLUGIN_IDS = ['batch_upload_status', 'device_batch', 'device_profile']
RESULT = dict(changed=False, batch_upload_details=details('finished', ['finished']))


def progress_threads():
    return [thread for thread in threading.enumerate() if thread.name == 'partnercenter-progress']


@pytest.mark.parametrize('plugin', PLUGINS, ids=PLUGIN_IDS)
@pytest.mark.parametrize('wait', [True, 'true', 'True', 'yes', 'on', '1', 1])
def test_a_wait_on_a_local_connection_is_watched(plugin, wait):
    action = make_action(plugin, dict(wait=wait))
    module = ModuleStandIn(RESULT).install(action)
    action.run(task_vars={'inventory_hostname': HOST})
    path = module.call['environment'][PROGRESS_FILE_ENV]
    assert os.path.basename(path).startswith('partnercenter-progress-')
    # The watcher is gone with its file once the module returned.
    assert not os.path.exists(path)
    assert progress_threads() == []


@pytest.mark.parametrize('plugin', PLUGINS, ids=PLUGIN_IDS)
@pytest.mark.parametrize('args, task', [
    (dict(), {}),
    (dict(wait=False), {}),
    (dict(wait='no'), {}),
    (dict(wait=True), dict(transport='ssh')),
    (dict(wait=True), dict(become=True)),
    (dict(wait=True), dict(async_val=60)),
], ids=['no-wait', 'wait-false', 'wait-no', 'remote', 'become', 'async'])
def test_no_watch(plugin, args, task):
    action = make_action(plugin, args, **task)
    module = ModuleStandIn(RESULT).install(action)
    action.run(task_vars={'inventory_hostname': HOST})
    assert PROGRESS_FILE_ENV not in module.call['environment']


@pytest.mark.parametrize('environment', [None, {'HTTPS_PROXY': 'http://proxy.example:3128'},
                                         [{'HTTPS_PROXY': 'http://proxy.example:3128'}, {'LANG': 'C.UTF-8'}]],
                         ids=['none', 'dict', 'list'])
def test_the_task_environment_reaches_the_module_and_is_restored(environment):
    action = make_action(batch_upload_status, dict(wait=True), environment=environment)
    module = ModuleStandIn(RESULT).install(action)
    action.run(task_vars={})
    seen = module.call['environment']
    assert seen[FACT_BY_ACTION_ENV] == '1' and PROGRESS_FILE_ENV in seen
    for entry in environment if isinstance(environment, list) else [environment or {}]:
        assert entry.items() <= seen.items()
    assert action._task.environment == environment  # pylint: disable=protected-access


def test_a_module_that_raises_leaves_no_watcher_and_the_environment_restored():
    action = make_action(device_batch, dict(wait=True))
    module = ModuleStandIn(RESULT, raises=RuntimeError('connection lost')).install(action)
    with pytest.raises(RuntimeError, match='connection lost'):
        action.run(task_vars={})
    assert not os.path.exists(module.call['environment'][PROGRESS_FILE_ENV])
    assert action._task.environment is None  # pylint: disable=protected-access
    assert progress_threads() == []


def test_without_host_the_lines_have_no_host_prefix(capsys):
    action = make_action(device_profile, dict(wait=True))
    ModuleStandIn(RESULT, polls=[details('queued', ['queued'])]).install(action)
    action.run(task_vars=None)
    assert [line for line in capsys.readouterr().out.splitlines() if 'batch ' in line] == [
        'batch %s: queued \u2014 0 of 1 device done (poll 1, 2 s)' % SHORT]


def test_a_heartbeat_shows_when_nothing_changes(capsys, monkeypatch):
    monkeypatch.setenv(HEARTBEAT_ENV, '0.000001')
    processing = details('processing', ['queued'])
    seen = []

    def during(poll_number):
        if poll_number == 1:  # the second poll comes after the watcher showed the first
            seen.append(wait_for_output(capsys, shown_lines))

    action = make_action(batch_upload_status, dict(wait=True))
    ModuleStandIn(RESULT, polls=[processing, processing], during=during).install(action)
    action.run(task_vars={'inventory_hostname': HOST})
    assert shown_lines(''.join(seen) + capsys.readouterr().out) == [
        '%s | batch %s: processing \u2014 0 of 1 device done (poll 1, 2 s)' % (HOST, SHORT),
        '%s | batch %s: still processing \u2014 0 of 1 device done (poll 2, 4 s)' % (HOST, SHORT),
    ]


def test_the_watcher_tolerates_its_file_removed_before_it_finishes(capsys):
    watcher = wait_progress._ProgressWatcher('pc-host')  # pylint: disable=protected-access
    os.unlink(watcher.path)
    watcher.finish()
    assert not watcher.thread.is_alive()
    assert capsys.readouterr().out == ''
