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

GUIDES = os.path.join(harness.REPO_ROOT, 'docs', 'docsite', 'rst')
PROVISIONING = os.path.join(GUIDES, 'provisioning-devices.rst')
WAITING = os.path.join(GUIDES, 'waiting-for-a-device-batch.rst')
# An RST code block: its indentation, language, options (such as ``:caption: docs/.../file.yml``) and body.
CODE_BLOCK = re.compile(r'^( *)\.\. code-block:: (\S+)\n((?:\1   :[\w-]+:.*\n)*)\n((?:\1   .*\n|[ \t]*\n)+)', re.MULTILINE)


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def section(text, heading):
    """The text under an RST section title underlined with '-', up to the next such title."""
    title = '\n%s\n%s\n' % (heading, '-' * len(heading))
    start = text.index(title) + len(title)
    following = re.search(r'^\S.*\n-{3,}\n', text[start:], re.MULTILINE)
    return text[start:start + following.start() if following else len(text)]


def code_blocks(text):
    """Every code block of an RST text as (language, caption, body), the body as a reader copies it."""
    found = []
    for indent, language, options, body in CODE_BLOCK.findall(text):
        caption = re.search(r':caption: (.+)', options)
        lines = body.rstrip('\n').split('\n')
        found.append((language, caption.group(1).strip() if caption else None,
                      '\n'.join(line[len(indent) + 3:] for line in lines) + '\n'))
    return found


def blocks(text, language):
    return [body for lang, unused_caption, body in code_blocks(text) if lang == language]


def guides():
    return sorted(os.path.join(GUIDES, name) for name in os.listdir(GUIDES) if name.endswith('.rst'))


def clean_env(home):
    """A user's shell: no stray Ansible or Partner Center settings, a home of its own."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('PARTNER_CENTER_', 'ANSIBLE_', 'VIRTUAL_ENV')))
    env.update(HOME=str(home), NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost')
    return env


def git_status():
    return subprocess.run(['git', 'status', '--porcelain'], cwd=harness.REPO_ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_the_guides_show_the_example_files_as_they_are():
    """A code block captioned with a file's path is that file, and every example file beside the guides is shown."""
    shown = set()
    for guide in guides():
        for unused_language, caption, body in code_blocks(read(guide)):
            if caption:
                assert body == read(os.path.join(harness.REPO_ROOT, caption)), '%s shows %s other than it is' % (guide, caption)
                shown.add(caption)
    examples = set()
    for dirpath, dirnames, filenames in os.walk(os.path.join(harness.REPO_ROOT, 'docs')):
        dirnames[:] = [name for name in dirnames if name != 'docsite']
        examples.update(os.path.relpath(os.path.join(dirpath, name), harness.REPO_ROOT)
                        for name in filenames if not name.endswith('.md'))
    assert len(examples) > 10, 'the test looks in the wrong place'
    assert sorted(examples - shown) == []
    provisioning = section(read(PROVISIONING), 'The playbook, its inventory and the CSV, in full')
    assert [caption for unused_language, caption, unused_body in code_blocks(provisioning)] == [
        'docs/provisioning-devices/provision-devices.yml', 'docs/provisioning-devices/devices.csv',
        'docs/provisioning-devices/inventory.ini']


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
    promised = dict(re.findall(r'^   \* - ``([A-Z0-9-]+)``\n     - error ``(\d+)``', guide, re.MULTILINE))
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
