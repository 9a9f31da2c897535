# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the wait_for_batch_upload role fails: one clear message, checked before any token, whatever the retries."""

import json
import os
import subprocess

import pytest

import harness

PROCESSING = {'wait_for_batch_upload_customer_id': harness.DEMO_CUSTOMER_ID,
              'wait_for_batch_upload_batch_tracking_id': harness.DEMO_BATCH_STUCK,
              'wait_for_batch_upload_delay': 0}
UNKNOWN_BATCH = '00000000-0000-4000-8000-000000000000'
NOISE = ('Unknown error', 'rescued=1', 'Module failed', ' 1 polls', "{'")


def run_role(collections_path, tmp_path, simulator, variables):
    """ansible-playbook with the role as a play's role (no rescue around it): the output as a user sees it."""
    play = tmp_path / 'play.yml'
    play.write_text('- name: Wait\n  hosts: localhost\n  gather_facts: false\n  roles:\n'
                    '    - role: partnercenter.devices.wait_for_batch_upload\n')
    vars_file = tmp_path / 'vars.json'
    vars_file.write_text(json.dumps(variables))
    command = [os.path.join(harness.BIN_DIR, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', '@%s' % vars_file, str(play)]
    env = harness.ansible_env(collections_path, **harness.simulator_credentials(simulator.url))
    return subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)


def fatal_messages(output):
    return [json.loads(line.split('=> ', 1)[1])['msg'] for line in output.splitlines() if line.startswith('fatal: ')]


@pytest.mark.parametrize('retries', [0, 1])
def test_an_unfinished_batch_fails_with_one_timeout_message_whatever_the_retries(collections_path, tmp_path, simulator,
                                                                                 retries):
    run = run_role(collections_path, tmp_path, simulator, dict(PROCESSING, wait_for_batch_upload_retries=retries))
    assert run.returncode == 2, run.stdout
    polls = retries + 1
    assert fatal_messages(run.stdout) == [
        'Batch %s of customer %s was still processing after %s%s (wait_for_batch_upload_retries %d, '
        'wait_for_batch_upload_delay 0). Devices: 2 in progress. Run the role again later, or with more retries, '
        'to wait for the rest.' % (harness.DEMO_BATCH_STUCK, harness.DEMO_CUSTOMER_ID,
                                   '1 poll' if polls == 1 else '%d polls' % polls, '' if polls == 1 else ', 0 s apart',
                                   retries)]
    assert simulator.stats['polls'][harness.DEMO_BATCH_STUCK] == polls
    for noise in NOISE:
        assert noise not in run.stdout, noise
    assert 'Summarize' not in run.stdout  # nothing reported as done


def test_a_refusal_is_printed_once(collections_path, tmp_path, simulator):
    run = run_role(collections_path, tmp_path, simulator,
                   dict(PROCESSING, wait_for_batch_upload_batch_tracking_id=UNKNOWN_BATCH))
    assert run.returncode == 2, run.stdout
    messages = fatal_messages(run.stdout)
    assert len(messages) == 1 and 'HTTP 404' in messages[0] and UNKNOWN_BATCH in messages[0]
    # Only the one failing task shows it (ansible-core 2.19+ echoes the fatal message in an [ERROR] line above
    # the fatal line; older versions print the fatal line alone).
    tasks_showing = [section.split(']', 1)[0] for section in run.stdout.split('\nTASK [')[1:] if 'HTTP 404' in section]
    assert tasks_showing == ["partnercenter.devices.wait_for_batch_upload : Fail with Partner Center's answer, "
                             "or with the last status when the batch did not finish in time"], run.stdout
    assert 'rescued=0' in run.stdout and 'Module failed' not in run.stdout


@pytest.mark.parametrize('variables, expected', [
    ({'wait_for_batch_upload_batch_tracking_id': harness.DEMO_BATCH_STUCK + '\n'}, 'must be GUIDs'),
    ({'wait_for_batch_upload_customer_id': harness.DEMO_CUSTOMER_ID + '\n'}, 'must be GUIDs'),
    ({'wait_for_batch_upload_retries': -1}, 'must be 0 or more, got -1 and 0'),
    ({'wait_for_batch_upload_delay': -5}, 'must be 0 or more, got 240 and -5'),
    ({'wait_for_batch_upload_retries': 'many'}, "wait_for_batch_upload_retries"),
    ({'wait_for_batch_upload_return_devices': 'some'}, 'wait_for_batch_upload_return_devices'),
])
def test_bad_variables_are_refused_before_any_token(collections_path, tmp_path, simulator, variables, expected):
    run = run_role(collections_path, tmp_path, simulator, dict(PROCESSING, **variables))
    assert run.returncode == 2, run.stdout
    assert expected in run.stdout
    assert len(simulator.stats['token_requests']) == 0


@pytest.mark.parametrize('variable', ['wait_for_batch_upload_report_csv', 'wait_for_batch_upload_report_html'])
def test_a_report_path_that_is_a_directory_is_refused(collections_path, tmp_path, simulator, variable):
    reports = tmp_path / 'reports'
    reports.mkdir()
    run = run_role(collections_path, tmp_path, simulator, dict(PROCESSING, **{variable: str(reports)}))
    assert run.returncode == 2, run.stdout
    assert fatal_messages(run.stdout)[0].endswith(
        'but %s is a directory: give a file name in it, such as %s/batch-report.html.' % (reports, reports))
    assert os.listdir(str(reports)) == []
    assert len(simulator.stats['token_requests']) == 0


def test_success_summarizes_in_words(collections_path, tmp_path, simulator):
    run = run_role(collections_path, tmp_path, simulator,
                   dict(PROCESSING, wait_for_batch_upload_batch_tracking_id=harness.DEMO_BATCH_WITH_ERRORS))
    assert run.returncode == 0, run.stdout
    assert ('Batch %s is finished_with_errors after 4 polls: 4 devices (2 finished, 2 finished with errors), '
            '2 with errors.' % harness.DEMO_BATCH_WITH_ERRORS) in run.stdout
    assert len(simulator.stats['token_requests']) == 1
