# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running the hostile cases and judging them; shared by test_hostile.py, test_no_secret_at_vvvv.py and report.py.

A case runs in-process (``run_case``: the module's ``main()`` against a fresh hostile server and, when it needs one,
a fresh simulator) or, for the role and the -vvvv flow, in one ansible-playbook run (``run_flow``). Each case is
judged on its own expectation (``judge``) and on what it printed (``output_problems``): no escaped exception, no
``Traceback``, no secret (the suite's, the simulator's, and every token either server issued, in plain and escaped
forms), no request that a local check should have stopped.
"""

import base64
import contextlib
import faulthandler
import json
import math
import os
import signal
import sys
import time
import traceback
import urllib.parse

HOSTILE_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HOSTILE_DIR)
for path in (TESTS_DIR, HOSTILE_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

import harness  # noqa: E402  pylint: disable=wrong-import-position
import cases as case_table  # noqa: E402  pylint: disable=wrong-import-position
from servers import HostileServer  # noqa: E402  pylint: disable=wrong-import-position

FLOW_PLAYBOOK = os.path.join(HOSTILE_DIR, 'playbooks', 'flow.yml')
FORBIDDEN_OUTPUT = harness.ESCAPED_EXCEPTION_OUTPUT
# The collection's module each case's ``module`` runs.
MODULES = {'access_token': 'access_token', 'status': 'batch_upload_status', 'device_batch': 'device_batch',
           'device_batch_info': 'device_batch_info'}
# Results that carry a token by design (access_token's; its action plugin hides them from the output).
TOKEN_KEYS = ('access_token', 'refresh_token')
# A case still running after this long has hung: it is stopped, so that the other cases still run.
HANG_SECONDS = 60
LAST_RESORT_SECONDS = 30
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


def substitute(value, urls):
    """``value`` with {H}, {S} and {TMP} replaced by ``urls``, and non-finite numbers as text."""
    if isinstance(value, str):
        for key, url in urls.items():
            value = value.replace('{%s}' % key, url)
        return value
    if isinstance(value, float) and not math.isfinite(value):
        # As a user would write them in YAML; the option's float conversion reads them.
        return str(value)
    if isinstance(value, list):
        return [substitute(item, urls) for item in value]
    if isinstance(value, dict):
        return dict((key, substitute(item, urls)) for key, item in value.items())
    return value


# -- in-process --------------------------------------------------------------------------------------

class CaseHung(BaseException):
    """A case still running after HANG_SECONDS. Not an Exception, so that no handler in the module takes it for its own."""


@contextlib.contextmanager
def hang_guard(seconds=HANG_SECONDS):
    """Stop what runs inside after ``seconds`` with CaseHung (tests run in the main thread, where signals arrive).

    A module that waits for its own threads (the bulk read) cannot be stopped so: past another LAST_RESORT_SECONDS the
    process prints every thread's stack and ends, and pytest-xdist reports the test that was running as crashed.
    """
    def stop(unused_signum, unused_frame):
        raise CaseHung('still running after %d s' % seconds)

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds + LAST_RESORT_SECONDS, exit=True, file=2)  # standard error, not a captured one
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def needs_simulator(entry):
    """Whether a case names the simulator ({S})."""
    return '{S}' in json.dumps(entry['args'])


def run_case(entry, run_module, server, simulator, files):
    """Run one case in-process; return (the case as run, its outcome, the text it printed).

    The outcome is {'failed', 'result', 'elapsed'}; ``result`` holds the module's warnings as text and, for
    access_token, ``has_refresh_token`` instead of its tokens (which are its result by design and left out of the text
    judged for secrets, as its action plugin leaves them out of a playbook's output).
    """
    urls = {'H': server.url, 'TMP': files}
    if simulator is not None:
        urls['S'] = simulator.url
    entry = substitute(entry, urls)
    for fault in entry.get('faults') or []:
        simulator.add_fault_dict(fault)
    # An option set to None is left out, as the flow's tasks omit it.
    args = dict((key, value) for key, value in entry['args'].items() if value is not None)
    started = time.monotonic()
    try:
        with hang_guard():
            ran = run_module(MODULES[entry['module']], args)
    except CaseHung as exc:
        return entry, dict(failed=True, result={'msg': 'the case hung: %s' % exc}, elapsed=time.monotonic() - started), ''
    except Exception as exc:  # pylint: disable=broad-except
        # Escaped from main(): in a playbook, "Module failed" with the traceback. Judged as that.
        shown = traceback.format_exc()
        return entry, dict(failed=True, result={'msg': 'Task failed: Module failed: %r' % exc}, elapsed=time.monotonic() - started), shown
    elapsed = time.monotonic() - started
    result = dict(ran)
    result['warnings'] = list(ran.warnings)
    if entry['module'] == 'access_token':
        result['has_refresh_token'] = isinstance(result.get('refresh_token'), str)
        for key in TOKEN_KEYS:
            result.pop(key, None)
    lines = [line for line in ran.output.splitlines() if not line.startswith('{')]
    shown = '\n'.join(lines + [json.dumps(result), ran.errors])
    return entry, dict(failed=ran.failed, result=result, elapsed=elapsed), shown


# -- the -vvvv playbook flow ----------------------------------------------------------------------------

# Options whose values the flow passes by reference: a case is a loop item, printed at -vvvv, so its
# secrets (and URLs that may hold one) travel in the extra variable hostile_secrets instead.
BY_REFERENCE = ('client_secret', 'refresh_token', 'access_token', 'base_url', 'authority_url')
# What a case that takes its credentials from the environment leaves out of its arguments.
FROM_ENVIRONMENT = ('tenant_id', 'client_id', 'client_secret')


def _by_reference(flow_cases):
    secrets = {}
    for entry in flow_cases:
        for key in BY_REFERENCE:
            if key in entry['args']:
                reference = 'ref-%d' % len(secrets)
                secrets[reference] = entry['args'][key]
                entry['args'][key] = reference
    return secrets


def flow_cases():
    """The cases of the -vvvv flow (the role's and FLOW), each with ``credentials``: 'env' or 'args'."""
    by_id = dict((entry['id'], entry) for entry in case_table.CASES)
    chosen = [(entry['id'], 'env' if entry['id'] in case_table.ROLE_FROM_ENV else 'args')
              for entry in case_table.CASES if entry['module'] == 'role']
    chosen += list(case_table.FLOW)
    found = []
    for case_id, credentials in chosen:
        entry = dict(by_id[case_id], credentials=credentials)
        if credentials == 'env':
            entry['args'] = dict((key, value) for key, value in entry['args'].items() if key not in FROM_ENVIRONMENT)
        found.append(entry)
    return found


def run_flow(simulator, collections_path, workdir):
    """Run the flow's cases in one ansible-playbook run at -vvvv; return (PlaybookRun, hostile server, cases, outcomes).

    PARTNER_CENTER_TENANT_ID, _CLIENT_ID and _CLIENT_SECRET (the hostile one) are set for the run; a case with
    ``credentials: env`` gives none of them itself.
    """
    files = os.path.join(workdir, 'files')
    os.makedirs(files, exist_ok=True)
    make_files(files)
    server = HostileServer()
    server.start()
    try:
        urls = {'H': server.url, 'S': simulator.url, 'TMP': files}
        cases = [substitute(entry, urls) for entry in flow_cases()]
        references = _by_reference(cases)
        env = {'PARTNER_CENTER_TENANT_ID': harness.TENANT_ID, 'PARTNER_CENTER_CLIENT_ID': harness.CLIENT_ID,
               'PARTNER_CENTER_CLIENT_SECRET': case_table.HOSTILE_CLIENT_SECRET}
        run = harness.run_playbook(FLOW_PLAYBOOK, collections_path, workdir, verbosity=4, timeout=900, env=env, judge_escapes=False,
                                   extra_vars={'hostile_cases': cases, 'hostile_secrets': references})
    finally:
        server.stop()
    outcomes = dict((run.results.get('included') or {}).items())
    return run, server, cases, outcomes


# -- judging ----------------------------------------------------------------------------------------------


def secrets_of(server, simulator):
    """Every secret that must never be printed, in every form it may take: the suite's, the simulator's, and every
    token either server issued; plain, percent-encoded, JSON-escaped, as Python's repr shows it, base64 (alone and as
    HTTP Basic's ``client_id:secret``), as HTML character entities, and each long piece of one holding a line break."""
    values = set(harness.SECRETS) | set(case_table.SECRETS)
    values.update(server.issued)
    if simulator is not None:
        stats = simulator.stats
        values.update(stats.get('issued_tokens', []))
        values.update(stats.get('issued_refresh_tokens', []))
    values.add('wrong-secret-DO-NOT-LEAK-0Aa1')
    forms = set()
    for value in values:
        if not value:
            continue
        forms.update((value, urllib.parse.quote(value, safe=''), urllib.parse.quote_plus(value), json.dumps(value)[1:-1],
                      repr(value)[1:-1], base64.b64encode(value.encode('utf-8')).decode('ascii'),
                      ''.join('&#%d;' % ord(char) for char in value), ''.join('&#x%x;' % ord(char) for char in value)))
        forms.update(base64.b64encode(('%s:%s' % (client_id, value)).encode('utf-8')).decode('ascii')
                     for client_id in (harness.CLIENT_ID, urllib.parse.quote_plus(harness.CLIENT_ID)))
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
    """How long a case may take before it counts as over its bound: the bound, with room for a loaded machine.

    The bound catches hangs, not slowness: a busy 2-core machine may run a case a few times slower than its stated
    bound, while a hang runs to HANG_SECONDS (in-process) or the flow's 60 s task timeout."""
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


def output_problems(output, server, simulator):
    """The suite's global checks on what a case (or a run) printed, and on the requests the hostile server saw."""
    problems = []
    for text in FORBIDDEN_OUTPUT:
        if text in output:
            at = output.index(text)
            problems.append('%r in the output: %s' % (text, output[max(0, at - 600):at + 600]))
    for secret in sorted(secrets_of(server, simulator)):
        if secret in output:
            at = output.index(secret)
            problems.append('a secret in the output: ...%s<SECRET>...' % output[max(0, at - 300):at])
    never = dict((key, count) for key, count in server.counts.items() if key.endswith(':never'))
    if never:
        problems.append('requests reached the hostile server although local checks should have stopped them: %s' % never)
    return problems
