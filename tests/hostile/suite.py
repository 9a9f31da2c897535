# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running the hostile cases and judging them; shared by test_hostile.py and report.py.

One ansible-playbook run (at -vvvv) per group of cases, against a fresh hostile server and a fresh
simulator. Each case is judged on its own expectation; the whole output of the run is judged for
``Module failed``, ``Traceback`` and every secret (the suite's, the simulator's, and every token
either server issued, in plain and escaped forms).
"""

import base64
import json
import math
import os
import sys
import urllib.parse

HOSTILE_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HOSTILE_DIR)
for path in (TESTS_DIR, HOSTILE_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

import harness  # noqa: E402  pylint: disable=wrong-import-position
import cases as case_table  # noqa: E402  pylint: disable=wrong-import-position
from servers import HostileServer  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(HOSTILE_DIR, 'playbooks', 'hostile.yml')
FORBIDDEN_OUTPUT = harness.ESCAPED_EXCEPTION_OUTPUT
CALLBACK_DIR = os.path.join(HOSTILE_DIR, 'callback_plugins')
# The looping tasks of playbooks/hostile.yml, by the module their cases run.
LOOP_TASKS = {'access_token': 'Get access tokens', 'status': 'Read batch upload statuses',
              'device_batch': 'Upload devices', 'device_batch_info': 'List device batches and devices'}
HASH = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWg=='
HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash\n'


def make_files(directory):
    """The files the CSV cases name under {TMP}."""
    os.mkfifo(os.path.join(directory, 'fifo.csv'))
    contents = {
        'repeated.csv': 'Device Serial Number,Windows Product ID,Hardware Hash,Hardware Hash\nS1,,%s,%s\n' % (HASH, HASH),
        'nul.csv': HEADER + 'S1\x00,,%s\n' % HASH,
        'control-key.csv': HEADER + 'S1,,%s\nS2,KEY\x07,%s\n' % (HASH, HASH),
        'control-model.csv': 'Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n'
                             'S1,,,Contoso,Model\x0b1\n',
        'escape-manufacturer.csv': 'Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n'
                                   'S1,,,Con\x1b[31mtoso,Model 1\n',
    }
    for name, text in contents.items():
        with open(os.path.join(directory, name), 'w', encoding='utf-8', newline='') as handle:
            handle.write(text)
    with open(os.path.join(directory, 'binary.csv'), 'wb') as handle:
        handle.write(bytes(range(1, 256)) * 8)
    # About 6 MB: more than the socket buffers, so a server that stops reading resets the upload.
    with open(os.path.join(directory, 'large.csv'), 'w', encoding='utf-8', newline='') as handle:
        handle.write(HEADER)
        for number in range(1500):
            big_hash = base64.b64encode(('%06d' % number).encode() * 500).decode()
            handle.write('LARGE-%06d,,%s\n' % (number, big_hash))


def _substitute(value, urls):
    if isinstance(value, str):
        for key, url in urls.items():
            value = value.replace('{%s}' % key, url)
        return value
    if isinstance(value, float) and not math.isfinite(value):
        # As a user would write them in YAML; the option's float conversion reads them.
        return str(value)
    if isinstance(value, list):
        return [_substitute(item, urls) for item in value]
    if isinstance(value, dict):
        return dict((key, _substitute(item, urls)) for key, item in value.items())
    return value


# Options whose values the cases pass by reference: the loop items are printed at -vvvv, so the
# secrets (and URLs that may hold one) travel in the extra variable hostile_secrets instead.
BY_REFERENCE = ('client_secret', 'refresh_token', 'access_token', 'base_url', 'authority_url')


def _by_reference(group_cases):
    secrets = {}
    for entry in group_cases:
        for key in BY_REFERENCE:
            if key in entry['args']:
                reference = 'ref-%d' % len(secrets)
                secrets[reference] = entry['args'][key]
                entry['args'][key] = reference
    return secrets


def run_group(group, simulator, collections_path, workdir):
    """Run every case of ``group``; return (PlaybookRun, hostile server, the cases as run)."""
    files = os.path.join(workdir, 'files')
    os.makedirs(files, exist_ok=True)
    make_files(files)
    server = HostileServer()
    server.start()
    try:
        urls = {'H': server.url, 'S': simulator.url, 'TMP': files}
        group_cases = [_substitute(entry, urls) for entry in case_table.CASES if entry['group'] == group]
        references = _by_reference(group_cases)
        timer_file = os.path.join(workdir, 'timer.json')
        env = {'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_DIR, 'ANSIBLE_CALLBACKS_ENABLED': 'hostile_timer',
               'ANSIBLE_LOOKUP_PLUGINS': harness.LOOKUP_DIR, 'HOSTILE_TIMER_FILE': timer_file}
        run = harness.run_playbook(PLAYBOOK, collections_path, workdir, verbosity=4, timeout=600, env=env, judge_escapes=False,
                                   extra_vars={'hostile_cases': group_cases, 'simulator_url': simulator.url,
                                               'hostile_secrets': references})
    finally:
        server.stop()
    run.outcomes = outcomes(run.results, timer_file)
    return run, server, group_cases


def outcomes(saved, timer_file):
    """Case id -> {'failed', 'result', 'elapsed'} from the saved results and the item times."""
    found = dict((key, value) for key, value in (saved.get('included') or {}).items())
    timings = []
    if os.path.exists(timer_file):
        with open(timer_file, encoding='utf-8') as handle:
            timings = json.load(handle)
    for module, task_name in LOOP_TASKS.items():
        results = (saved.get('looped') or {}).get(module) or []
        task = next((entry for entry in timings if entry['name'] == task_name), None)
        ends = task['items'] if task else []
        for index, result in enumerate(results):
            if index < len(ends):
                elapsed = ends[index] - (ends[index - 1] if index else task['start'])
            else:
                elapsed = float('inf')
            item = result.get('item') or {}
            result = dict(result)
            result['has_refresh_token'] = isinstance(result.get('refresh_token'), str)
            found[item.get('id')] = dict(failed=bool(result.get('failed')), result=result, elapsed=elapsed)
    return found


def secrets_of(server, simulator):
    """Every secret that must never be printed: the suite's, the simulator's, and every token issued."""
    values = set(harness.SECRETS) | set(case_table.SECRETS)
    values.add(case_table.HOSTILE_ACCESS_TOKEN)
    values.update(server.issued)
    stats = simulator.stats
    values.update(stats.get('issued_tokens', []))
    values.update(stats.get('issued_refresh_tokens', []))
    values.add('wrong-secret-DO-NOT-LEAK-0Aa1')
    forms = set()
    for value in values:
        if not value:
            continue
        forms.update((value, urllib.parse.quote(value, safe=''), urllib.parse.quote_plus(value), json.dumps(value)[1:-1]))
        # Tokens issued with a line break (the crlf-token behaviour): each half must stay hidden too.
        forms.update(part for part in value.replace('\r', '\n').split('\n') if len(part) >= 12)
    return forms


def _holds(result, key, expected):
    if key == 'has_refresh_token':
        return result.get(key) is expected
    return result.get(key) == expected


def _warned(expected, result, output):
    """Whether a warning holds ``expected``: in the result or, since ansible-core 2.19 leaves warnings out of
    registered results, among the run's [WARNING] lines."""
    warnings = [str(warning) for warning in result.get('warnings') or []]
    warnings += [line for line in (output or '').splitlines() if '[WARNING]' in line]
    return any(expected in warning for warning in warnings)


def allowed_time(bound):
    """How long a case may take before it counts as over its bound: the bound, with room for a loaded machine."""
    return min(bound * 2 + 10, 55.0)


def judge(entry, outcome, server, output=None):
    """The problems of one case: [] when it did what it states."""
    expect = entry['expect']
    problems = []
    if outcome is None:
        return ['no outcome recorded (the run stopped before this case)']
    result = outcome['result'] or {}
    message = ' '.join(str(result.get('msg', '')).split())
    if message.startswith('Task failed: Module failed'):
        problems.append('an exception escaped the module: %s' % message[:400])
    if outcome['failed'] != expect['failed']:
        problems.append('expected %s, got %s: %s' % ('a failure' if expect['failed'] else 'success',
                                                     'a failure' if outcome['failed'] else 'success', message[:400]))
    for text in expect['msg']:
        if text and text not in message:
            problems.append('message lacks %r: %s' % (text, message[:400]))
    if expect.get('warns') and not _warned(expect['warns'], result, output):
        problems.append('no warning holds %r (warnings: %s)' % (expect['warns'], result.get('warnings')))
    for key, value in expect['result'].items():
        if not _holds(result, key, value):
            problems.append('result %s is %r, expected %r' % (key, result.get(key), value))
    # The bound catches hangs, not slowness: a busy 2-core machine may run a case a few times slower than its
    # stated bound, while a hang runs to the 60 s task timeout of the suite's playbook.
    if outcome['elapsed'] > allowed_time(expect['bound']):
        problems.append('took %.1f s, bound %.1f s (%.1f s allowed under load)'
                        % (outcome['elapsed'], expect['bound'], allowed_time(expect['bound'])))
    for counter, most in (entry.get('counters') or {}).items():
        seen = server.counts.get(counter, 0)
        if seen > most:
            problems.append('%d requests to %s, at most %d expected' % (seen, counter, most))
    if expect['failed'] and outcome['failed'] and not message:
        problems.append('a failure without a message')
    return problems


def judge_run(run, server, simulator, group_cases):
    """(per-case problems dict, global problems list) for one run."""
    per_case = {}
    for entry in group_cases:
        per_case[entry['id']] = judge(entry, run.outcomes.get(entry['id']), server, run.output)
    global_problems = []
    if run.returncode != 0:
        global_problems.append('ansible-playbook exited %d: %s' % (run.returncode, run.output[-3000:]))
    for text in FORBIDDEN_OUTPUT:
        if text in run.output:
            at = run.output.index(text)
            global_problems.append('%r in the output: %s' % (text, run.output[max(0, at - 600):at + 600]))
    for secret in secrets_of(server, simulator):
        if secret in run.output:
            at = run.output.index(secret)
            global_problems.append('a secret in the output: ...%s...' % run.output[max(0, at - 300):at].replace(secret, '<SECRET>'))
    never = dict((key, count) for key, count in server.counts.items() if key.endswith(':never'))
    if never:
        global_problems.append('requests reached the hostile server although local checks should have stopped them: %s' % never)
    return per_case, global_problems


def figures(group_cases, run, per_case):
    """Counts for docs/docsite/rst/reliability.rst: cases, clear errors, correct results, and what went wrong."""
    counts = dict(cases=len(group_cases), clear_errors=0, correct_results=0, failing=0, over_bound=0)
    for entry in group_cases:
        problems = per_case[entry['id']]
        if problems:
            counts['failing'] += 1
            counts['over_bound'] += int(any(problem.startswith('took ') for problem in problems))
        elif entry['expect']['failed']:
            counts['clear_errors'] += 1
        else:
            counts['correct_results'] += 1
    counts['tracebacks'] = sum(run.output.count(text) for text in FORBIDDEN_OUTPUT)
    return counts
