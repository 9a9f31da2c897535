# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: the real ansible-rulebook runs the sample rulebook of docs/ with the batch_status source
against the simulator; the follow-up playbook runs once per batch that finished with device errors.

ansible-rulebook is in make test's virtualenv only (requirements-dev.txt), not in the matrix ones
(tests/tools/run_matrix.py leaves this file out): the source's own code runs under every ansible-core
in test_event_source.py and the unit tests."""

import json
import os
import shutil
import signal
import subprocess
import time

import harness

RULEBOOK_DIR = os.path.join(harness.REPO_ROOT, 'docs', 'event-driven-ansible', 'rulebooks')
ANSIBLE_RULEBOOK = os.path.join(harness.BIN_DIR, 'ansible-rulebook')
# What the sample rulebook is given to watch: two batches that finish with device errors (the documented
# example at once, the demo batch after four polls), one that finishes clean and one that never finishes.
WATCHED = [
    (harness.EXAMPLE_CUSTOMER_ID, harness.EXAMPLE_BATCH_ID),
    (harness.DEMO_CUSTOMER_ID, harness.DEMO_BATCH_WITH_ERRORS),
    (harness.DEMO_CUSTOMER_ID, harness.DEMO_BATCH_CLEAN),
    (harness.DEMO_CUSTOMER_ID, harness.DEMO_BATCH_STUCK),
]
WITH_ERRORS = (harness.EXAMPLE_BATCH_ID, harness.DEMO_BATCH_WITH_ERRORS)


def java_home():
    """JAVA_HOME for ansible-rulebook's JVM (drools), from the java on PATH; None without a Java 17+."""
    java = shutil.which('java')
    if java is None:
        return None
    home = os.path.dirname(os.path.dirname(os.path.realpath(java)))
    version = subprocess.run([java, '-version'], capture_output=True, text=True, check=False).stderr
    digits = version.split('"')[1].split('.')[0] if '"' in version else '0'
    return home if digits.isdigit() and int(digits) >= 17 else None


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as handle:
        return [line.split() for line in handle if line.strip()]


def test_the_rule_fires_once_per_batch_that_finished_with_errors(simulator, collections_path, tmp_path):
    home = java_home()
    assert home, 'ansible-rulebook needs Java 17 or newer (tests/tools/ensure_java.sh installs it)'
    batches_file = tmp_path / 'batches.json'
    batches_file.write_text(json.dumps([{'customer_id': customer, 'batch_tracking_id': batch} for customer, batch in WATCHED]))
    report_file = tmp_path / 'batch-errors.log'
    variables = tmp_path / 'vars.yml'
    variables.write_text('batches_file: %s\n' % batches_file)
    env = harness.ansible_env(collections_path, JAVA_HOME=home, BATCH_REPORT_FILE=str(report_file),
                              **harness.simulator_credentials(simulator.url))
    # The sample polls every 60 s; the test cannot wait that long between polls.
    rulebook = tmp_path / 'batch-finished-local.yml'
    with open(os.path.join(RULEBOOK_DIR, 'batch-finished-local.yml'), encoding='utf-8') as handle:
        rulebook.write_text(handle.read().replace('delay: 60', 'delay: 1'))
    for name in ('fix-device-errors.yml', 'inventory.yml'):
        shutil.copy(os.path.join(RULEBOOK_DIR, name), tmp_path / name)
    output_path = tmp_path / 'ansible-rulebook.out'
    with open(output_path, 'w', encoding='utf-8') as output:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [ANSIBLE_RULEBOOK, '-i', 'inventory.yml', '--rulebook', str(rulebook), '--vars', str(variables),
             '--env-vars', ','.join(sorted(key for key in env if key.startswith('PARTNER_CENTER_'))), '-v'],
            cwd=str(tmp_path), env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and process.poll() is None:
                reported = set(line[1] for line in lines(report_file))
                if reported >= set(WITH_ERRORS):
                    break
                time.sleep(1)
            # Polls go on for the batch that never finishes: time for a second event, were there one.
            time.sleep(5)
            still_running = process.poll() is None
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    log = output_path.read_text(encoding='utf-8', errors='replace')
    assert still_running, log[-4000:]

    report = lines(report_file)
    by_batch = {}
    for line in report:
        by_batch.setdefault(line[1], []).append(line[2])
    assert set(by_batch) == set(WITH_ERRORS), log[-4000:]
    for devices in by_batch.values():
        # One run of the playbook per batch: each device in error once.
        assert len(devices) == len(set(devices)), report
    assert by_batch[harness.EXAMPLE_BATCH_ID] == ['1234567890']

    polls = simulator.stats['polls']
    # A complete batch is no longer polled; the stuck one is polled on and on.
    assert polls[harness.EXAMPLE_BATCH_ID] == 1
    assert polls[harness.DEMO_BATCH_WITH_ERRORS] == 4
    assert polls[harness.DEMO_BATCH_CLEAN] == 3
    assert polls[harness.DEMO_BATCH_STUCK] > 4
    tokens = simulator.stats['token_requests']
    assert len(tokens) == 1, tokens
    for secret in harness.SECRETS + tuple(simulator.stats['issued_tokens']):
        assert secret not in log
