# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guides work as written: their commands and tasks, copied as a user would, run against the simulator."""

import csv
import os
import re
import subprocess

import yaml

import harness

DOCS = os.path.join(harness.REPO_ROOT, 'docs')
PROVISIONING = os.path.join(DOCS, 'provisioning-devices.md')
WAITING = os.path.join(DOCS, 'waiting-for-a-device-batch.md')
FENCED = re.compile(r'^```(\w*)\n(.*?)^```', re.MULTILINE | re.DOTALL)


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def section(text, heading):
    """The text under a ``## heading``, up to the next heading of that level."""
    start = text.index('\n## %s\n' % heading)
    end = text.find('\n## ', start + 1)
    return text[start:end if end >= 0 else len(text)]


def blocks(text, language):
    return [body for lang, body in FENCED.findall(text) if lang == language]


def clean_env(home):
    """A user's shell: no stray Ansible or Partner Center settings, a home of its own."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('PARTNER_CENTER_', 'ANSIBLE_', 'VIRTUAL_ENV')))
    env.update(HOME=str(home), NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost')
    return env


def git_status():
    return subprocess.run(['git', 'status', '--porcelain'], cwd=harness.REPO_ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_the_provisioning_guide_shows_its_playbook_and_csv_as_they_are():
    guide = section(read(PROVISIONING), 'The playbook and the CSV, in full')
    assert blocks(guide, 'yaml') == [read(os.path.join(DOCS, 'provisioning-devices', 'provision-devices.yml'))]
    assert blocks(guide, 'text') == [read(os.path.join(DOCS, 'provisioning-devices', 'devices.csv'))]


def test_the_provisioning_guide_runs_as_written_against_the_simulator(tmp_path):
    guide = read(PROVISIONING)
    commands = blocks(section(guide, 'Try it against the simulator'), 'sh')
    assert len(commands) == 1
    status_before = git_status()
    script = tmp_path / 'guide.sh'
    # Whatever fails, the simulator the commands started in the background is stopped.
    script.write_text('set -euo pipefail\ntrap \'kill $(jobs -p) 2>/dev/null || true\' EXIT\n' + commands[0])
    log = tmp_path / 'guide.log'
    with open(str(log), 'w', encoding='utf-8') as handle:
        completed = subprocess.run(['bash', str(script)], cwd=harness.REPO_ROOT, env=clean_env(tmp_path),
                                   stdout=handle, stderr=subprocess.STDOUT, timeout=300, check=False)
    output = log.read_text(encoding='utf-8')
    assert completed.returncode == 0, output
    assert 'Check mode: the 6 devices of devices.csv passed every check; nothing was sent.' in output
    assert '3 of 6 devices need attention.' in output
    assert '[WARNING]' not in output and 'Traceback' not in output, output
    assert output.count('failed=0') == 2
    # The reports land outside the repository, which stays as it was.
    reports = tmp_path / 'partner-center-reports'
    assert sorted(os.listdir(str(reports))) == ['contoso-2026-11-laptops.csv', 'contoso-2026-11-laptops.html']
    assert git_status() == status_before
    # The guide's table of outcomes is what the run reported.
    with open(str(reports / 'contoso-2026-11-laptops.csv'), encoding='utf-8') as handle:
        errors = dict((row['serial_number'], row['error_code']) for row in csv.DictReader(handle) if row['error_code'])
    promised = dict(re.findall(r'^\| `([A-Z0-9-]+)` \| error `(\d+)`', guide, re.MULTILINE))
    assert promised == errors == {'OTHER-TENANT-0001': '808', 'REG-DEMO-0001': '806'}


def test_the_waiting_guide_tasks_run_as_written(simulator, collections_path, tmp_path):
    """Each YAML block of the waiting guide is a task list; run each in a play on the documented variables."""
    tasks = [yaml.safe_load(block) for block in blocks(read(WAITING), 'yaml')]
    assert len(tasks) >= 2
    play = [{
        'name': 'The waiting guide',
        'hosts': 'localhost',
        'gather_facts': False,
        'tasks': [task for block in tasks for task in block],
    }]
    path = tmp_path / 'waiting.yml'
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    # The variables the guide leaves to the reader; the simulator finishes a batch in seconds, not minutes.
    variables = {'customer_id': harness.DEMO_CUSTOMER_ID, 'batch_tracking_id': harness.DEMO_BATCH_CLEAN,
                 'wait_for_batch_upload_delay': 0}
    run = harness.run_playbook(str(path), collections_path, str(tmp_path), extra_vars=variables,
                               env=dict(harness.simulator_credentials(simulator.url), ANSIBLE_INJECT_FACT_VARS='false'))
    assert run.returncode == 0, run
    assert 'Batch %s is finished after 3 polls' % harness.DEMO_BATCH_CLEAN in run.stdout
    assert 'batch %s\u2026: finished' % harness.DEMO_BATCH_CLEAN[:8] in run.stdout  # the module's own wait, with progress
    assert '[WARNING]' not in run.output, run.output
