# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The performance benchmark of batch_upload_status: what `make bench` runs (see README.md beside this file).

It starts the Partner Center simulator on 127.0.0.1 with a seed it generates, runs real
ansible-playbook runs and the modules' own AnsiballZ payloads against it, and prints one table of
medians over several runs, with ratios taken within each run. It asserts nothing: it measures.
"""

import copy
import glob
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(BENCH_DIR)
for path in (TESTS_DIR, BENCH_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

import harness  # noqa: E402  pylint: disable=wrong-import-position
import report  # noqa: E402  pylint: disable=wrong-import-position
from partner_center_simulator import PartnerCenterSimulator, load_seed  # noqa: E402  pylint: disable=wrong-import-position,import-error

PLAYBOOKS = os.path.join(BENCH_DIR, 'playbooks')
CALLBACKS = os.path.join(BENCH_DIR, 'callback_plugins')

# Ids of the generated seed (GUIDs that say what they are for: be = benchmark).
WAIT_CUSTOMER = 'be000000-0000-4000-8000-000000000001'
WAIT_BATCH = 'be000000-0000-4000-8000-0000000000b1'
LARGE_CUSTOMER = 'be000000-0000-4000-8000-000000000002'
MANY_CUSTOMER = 'be100000-0000-4000-8000-%012d'
MANY_BATCH = 'be200000-0000-4000-8000-%012d'
SIZED_BATCH = 'be300000-0000-4000-8000-%012d'
# Section 6: a device batch (the device list, not a batch status) of large_devices devices.
READ_BATCH = 'bench-large-device-batch'
READ_SERIAL_PREFIX = 'BENCH-'
# Section 7: customers listed by the inventory plugin, each with one batch whose id is the customer's
# with another first group (so that the inventory's compose can name it).
INVENTORY_CUSTOMER = 'be400000-0000-4000-8000-%012d'
INVENTORY_BATCH_PREFIX = 'be500000'
# Modules a status check has no use for; importing one of them is a miss.
HEAVY_IMPORTS = ('concurrent.futures', 'requests', 'ansible.module_utils.urls', 'asyncio', 'multiprocessing',
                 'xml.etree.ElementTree', 'yaml', 'cryptography', 'ansible.module_utils.facts')

SETTINGS = (
    # name, environment variable, default, type, what
    ('runs', 'BENCH_RUNS', 3, int, 'runs of each measurement; the table shows medians'),
    ('calls', 'BENCH_CALLS', 8, int, 'section 1: checks per loop (per-call time = loop time / calls)'),
    ('polls', 'BENCH_POLLS', 4, int, 'section 2: the batch finishes at this poll'),
    # Whole seconds: the role's delay is an integer.
    ('poll_interval', 'BENCH_POLL_INTERVAL', 1, int, 'section 2: seconds between polls, every way'),
    ('customers', 'BENCH_CUSTOMERS', 50, int, 'section 3: customers'),
    ('batches', 'BENCH_BATCHES', 200, int, 'section 3: batches over those customers'),
    ('loop_runs', 'BENCH_LOOP_RUNS', 1, int, 'section 3: runs of the (slow) loop over the module'),
    ('concurrency', 'BENCH_CONCURRENCY', 8, int, 'section 3: the bulk task\'s concurrency'),
    ('large_devices', 'BENCH_LARGE_DEVICES', 10000, int, 'section 4: devices of the large batch'),
    ('large_calls', 'BENCH_LARGE_CALLS', 1, int, 'section 4: reads of the large batch per run'),
    ('inventory_customers', 'BENCH_INVENTORY_CUSTOMERS', 500, int, 'section 7: customers listed by the inventory plugin'),
    ('forks', 'BENCH_FORKS', 25, int, 'section 7: forks of the play over those customers'),
    ('sections', 'BENCH_SECTIONS', '1,2,3,4,5,6,7', str, 'which sections to run'),
    ('json', 'BENCH_JSON', os.path.join(harness.REPO_ROOT, 'tests', 'output', 'benchmarks', 'bench.json'), str,
     'where to write the JSON (the Markdown table goes beside it)'),
)


# Runs a command and writes [wall seconds, peak RSS in KB] of it to argv[1]. A small process of its own:
# a child's peak RSS counts the memory of the process it was forked from, and the benchmark's own
# process (which holds the simulator and its large batches) is far bigger than a module.
LAUNCHER = (
    'import json, os, subprocess, sys, time\n'
    'started = time.monotonic()\n'
    'child = subprocess.Popen(sys.argv[2:])\n'
    '_pid, status, usage = os.wait4(child.pid, 0)\n'
    'child.returncode = os.waitstatus_to_exitcode(status)\n'
    'wall = time.monotonic() - started\n'
    'with open(sys.argv[1], "w") as handle:\n'
    '    json.dump([wall, usage.ru_maxrss], handle)\n'
    'sys.exit(child.returncode)\n'
)


class BenchError(Exception):
    """A run that did not do what the benchmark needs (a failed playbook, a payload that failed)."""


def read_settings(environ=None):
    """The settings from BENCH_* environment variables, or their defaults."""
    environ = os.environ if environ is None else environ
    settings = {}
    for name, variable, default, kind, _what in SETTINGS:
        value = environ.get(variable)
        settings[name] = default if value in (None, '') else kind(value)
    settings['sections'] = [int(part) for part in str(settings['sections']).split(',') if part.strip()]
    return settings


def guid(pattern, number):
    """The number-th GUID of a pattern."""
    return pattern % number


def many_batches(settings):
    """The batches of section 3: ``batches`` batches spread over ``customers`` customers, customer by customer."""
    per_customer = int(math.ceil(settings['batches'] / float(settings['customers'])))
    return [{'customer_id': guid(MANY_CUSTOMER, number // per_customer + 1), 'batch_tracking_id': guid(MANY_BATCH, number + 1)}
            for number in range(settings['batches'])]


def sized_batches(settings):
    """The batches whose sizes section 4 compares: the documented example (1 device), 1,000, half the large one, the large one."""
    sizes = [1000, settings['large_devices'] // 2, settings['large_devices']]
    return [dict(devices=1, customer_id=harness.EXAMPLE_CUSTOMER_ID, batch_tracking_id=harness.EXAMPLE_BATCH_ID)] + [
        dict(devices=size, customer_id=LARGE_CUSTOMER, batch_tracking_id=guid(SIZED_BATCH, size)) for size in sizes]


def build_seed(settings):
    """The default seed plus the benchmark's customers: a batch that finishes at poll N, many small batches, large batches."""
    seed = copy.deepcopy(load_seed(harness.DEFAULT_SEED))
    seed['_comment'] = 'Generated by tests/benchmarks/run_benchmarks.py; fake ids and credentials.'
    customers = seed['customers']
    customers[WAIT_CUSTOMER] = {'batches': {WAIT_BATCH: {
        'statuses': ['processing'] * (settings['polls'] - 1) + ['finished'], 'generate_devices': 3}}}
    for batch in many_batches(settings):
        customer = customers.setdefault(batch['customer_id'], {'batches': {}})
        customer['batches'][batch['batch_tracking_id']] = {'statuses': ['finished'], 'generate_devices': 3}
    customers[LARGE_CUSTOMER] = {'batches': dict(
        (batch['batch_tracking_id'], {'statuses': ['finished_with_errors'], 'generate_devices': batch['devices'],
                                      'error_every': 50, 'errors': ['806', '808']})
        for batch in sized_batches(settings) if batch['customer_id'] == LARGE_CUSTOMER)}
    customers[LARGE_CUSTOMER]['device_batches'] = {READ_BATCH: {
        'generate_devices': settings['large_devices'], 'serial_prefix': READ_SERIAL_PREFIX}}
    for customer_id in inventory_customers(settings):
        customers[customer_id] = {
            'company_name': 'Bench customer %s' % customer_id[-4:], 'domain': 'bench-%s.onmicrosoft.com' % customer_id[-4:],
            'batches': {inventory_batch(customer_id): {'statuses': ['finished'], 'generate_devices': 3}}}
    return seed


def inventory_customers(settings):
    """The customer ids of section 7."""
    return [guid(INVENTORY_CUSTOMER, number + 1) for number in range(settings['inventory_customers'])]


def inventory_batch(customer_id):
    """The one batch of a section 7 customer."""
    return INVENTORY_BATCH_PREFIX + customer_id[len(INVENTORY_BATCH_PREFIX):]


INVENTORY_CONFIG = '''\
plugin: partnercenter.devices.customers
domain_starts_with: bench-
compose:
  batch_tracking_id: "'%s' + customer_id[%d:]"
''' % (INVENTORY_BATCH_PREFIX, len(INVENTORY_BATCH_PREFIX))


class PollWatcher(threading.Thread):
    """Notes when the simulator answers each poll of one batch (time.time() of the Nth 200 answer)."""

    def __init__(self, simulator, batch_tracking_id, period=0.002):
        super().__init__(daemon=True)
        self.simulator = simulator
        self.key = batch_tracking_id.lower()
        self.period = period
        self.times = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            count = self.simulator.stats['polls'].get(self.key, 0)
            now = time.time()
            while len(self.times) < count:
                self.times.append(now)
            self.stopped.wait(self.period)

    def stop(self):
        """Stop watching."""
        self.stopped.set()
        self.join()


class Bench:
    """Runs the sections against one simulator and collects the rows of the table."""

    def __init__(self, settings, simulator, workdir):
        self.settings = settings
        self.simulator = simulator
        self.workdir = workdir
        self.collections_path = harness.make_collections_path()
        self.credentials = harness.simulator_credentials(simulator.url)
        self.rows = []
        self.raw = {}
        self.payloads = None
        self._plays = 0

    # -- running things -----------------------------------------------------------------------------

    def play(self, name, extra_vars, env=None):
        """Run playbooks/<name> with the timing callback; return its tasks' timings."""
        self._plays += 1
        workdir = os.path.join(self.workdir, 'play-%03d' % self._plays)
        os.makedirs(workdir)
        timer_file = os.path.join(workdir, 'timings.json')
        play_env = dict(self.credentials, ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='bench_timer',
                        BENCH_TIMER_FILE=timer_file)
        play_env.update(env or {})
        run = harness.run_playbook(os.path.join(PLAYBOOKS, name), self.collections_path, workdir, extra_vars=extra_vars,
                                   env=play_env, timeout=900)
        if run.returncode != 0:
            raise BenchError('%s failed (exit %d):\n%s' % (name, run.returncode, run.output[-4000:]))
        with open(timer_file, encoding='utf-8') as handle:
            return json.load(handle)

    def run_payload(self, path, python_args=()):
        """Run one AnsiballZ payload alone; return (wall seconds, peak RSS in MB, stdout bytes, stderr text)."""
        env = dict(harness.ansible_env(self.collections_path), **self.credentials)
        out_path, err_path = os.path.join(self.workdir, 'payload.out'), os.path.join(self.workdir, 'payload.err')
        usage_path = os.path.join(self.workdir, 'payload.usage')
        with open(out_path, 'wb') as out_file, open(err_path, 'wb') as err_file:
            completed = subprocess.run([sys.executable, '-c', LAUNCHER, usage_path, sys.executable] + list(python_args) + [path],
                                       env=env, stdout=out_file, stderr=err_file, check=False, timeout=300)
        with open(out_path, 'rb') as handle:
            out = handle.read()
        with open(err_path, 'rb') as handle:
            err = handle.read()
        try:
            with open(usage_path, encoding='utf-8') as handle:
                wall, peak_kb = json.load(handle)
            result = json.loads(out.decode('utf-8'))
        except (OSError, ValueError):
            raise BenchError('payload %s printed no JSON (exit %d): %s' % (path, completed.returncode, err[-2000:])) from None
        if result.get('failed'):
            raise BenchError('payload %s failed: %s' % (path, result.get('msg')))
        return wall, peak_kb / 1024.0, len(out), err.decode('utf-8', 'replace')

    def add(self, *args, **kwargs):
        """Add a row to the table."""
        row = report.Row(*args, **kwargs)
        self.rows.append(row)
        return row

    # -- 1. one check ----------------------------------------------------------------------------------

    def one_check(self):
        """A status check each way, per call, in the same playbook run."""
        settings = self.settings
        per_call = dict(ping=[], uri=[], status_token=[], status_secret=[])
        names = dict(ping='Bench: ping', uri='Bench: uri', status_token='Bench: status, access_token given',
                     status_secret='Bench: status, client secret')
        for _run in range(settings['runs']):
            tasks = self.play('one_check.yml', dict(calls=settings['calls'], customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                    batch_tracking_id=harness.EXAMPLE_BATCH_ID))
            for key, name in names.items():
                per_call[key].append(duration(task_named(tasks, name)) / settings['calls'])
        self.raw['one_check'] = per_call
        ping, uri = per_call['ping'], per_call['uri']
        self.add(1, 'ansible.builtin.ping, per call (the floor)', ping, 's')
        self.add(1, 'ansible.builtin.uri GET, token fetched beforehand, per call', uri, 's', ratio=report.ratios(uri, ping),
                 ratio_label='of ping')
        for key, label in (('status_token', 'batch_upload_status, access_token given, per call'),
                           ('status_secret', 'batch_upload_status, client secret (token + GET), per call')):
            versus_uri = report.ratios(per_call[key], uri)
            self.add(1, label, per_call[key], 's', ratio=versus_uri, ratio_label='of uri', target='<= uri',
                     met=report.median(versus_uri) <= 1.0)
        beyond = [status - floor for status, floor in zip(per_call['status_token'], ping)]
        self.add(1, 'batch_upload_status beyond the floor (access_token given), per call', beyond, 's',
                 ratio=report.ratios(per_call['status_token'], ping), ratio_label='of ping')

    # -- 2. waiting ------------------------------------------------------------------------------------

    def waiting(self):
        """A batch that finishes at poll N, waited for three ways."""
        settings = self.settings
        polls, interval = settings['polls'], settings['poll_interval']
        variants = (('module', 'wait_module.yml', 'in the module (wait: true)'),
                    ('role', 'wait_role.yml', 'with the wait_for_batch_upload role'),
                    ('uri', 'wait_uri.yml', 'with uri until/retries'))
        figures = dict((key, dict(wall=[], requests=[], tokens=[], delay=[])) for key, _name, _label in variants)
        for _run in range(settings['runs']):
            for key, playbook, _label in variants:
                self.simulator.reset()
                watcher = PollWatcher(self.simulator, WAIT_BATCH)
                watcher.start()
                try:
                    tasks = self.play(playbook, dict(customer_id=WAIT_CUSTOMER, batch_tracking_id=WAIT_BATCH,
                                                     poll_interval=interval, poll_retries=polls * 3))
                finally:
                    watcher.stop()
                stats = self.simulator.stats
                if len(watcher.times) < polls:
                    raise BenchError('%s: the batch was polled %d times, not %d' % (playbook, len(watcher.times), polls))
                go_on = task_named(tasks, 'Go on')['start']
                figures[key]['wall'].append(go_on - tasks[0]['start'])
                figures[key]['requests'].append(sum(1 for record in stats['api_requests'] if WAIT_BATCH in record['path']))
                figures[key]['tokens'].append(len(stats['token_requests']))
                figures[key]['delay'].append(go_on - watcher.times[polls - 1])
        self.raw['waiting'] = figures
        module_wall = figures['module']['wall']
        for key, _playbook, label in variants:
            data = figures[key]
            self.add(2, 'wait %s: wall time to the next task' % label, data['wall'], 's',
                     ratio=None if key == 'module' else report.ratios(data['wall'], module_wall),
                     ratio_label='' if key == 'module' else 'of the module\'s')
            self.add(2, 'wait %s: status requests (finishes at poll %d)' % (label, polls), data['requests'], 'count',
                     target='%d' % polls, met=report.median(data['requests']) == polls)
            self.add(2, 'wait %s: token requests' % label, data['tokens'], 'count', target='1',
                     met=report.median(data['tokens']) == 1)
            self.add(2, 'wait %s: delay from the final answer to the next task' % label, data['delay'], 's',
                     target='<= %g s (one poll interval)' % interval, met=report.median(data['delay']) <= interval)

    # -- 3. many batches -----------------------------------------------------------------------------

    def many(self):
        """Many batches over many customers: a loop over the module, and one bulk task."""
        settings = self.settings
        batches = many_batches(settings)
        figures = dict(loop=[], bulk=[], loop_tokens=[], bulk_tokens=[], bulk_requests=[], speedup=[])
        for run in range(settings['runs']):
            self.simulator.reset()
            tasks = self.play('many_bulk.yml', dict(batches=batches, concurrency=settings['concurrency']))
            stats = self.simulator.stats
            bulk = duration(task_named(tasks, 'Bench: one bulk task'))
            figures['bulk'].append(bulk)
            figures['bulk_tokens'].append(len(stats['token_requests']))
            figures['bulk_requests'].append(len(stats['api_requests']))
            if run < settings['loop_runs']:
                self.simulator.reset()
                tasks = self.play('many_loop.yml', dict(batches=batches))
                loop = duration(task_named(tasks, 'Bench: loop over the module'))
                figures['loop'].append(loop)
                figures['loop_tokens'].append(len(self.simulator.stats['token_requests']))
                figures['speedup'].append(loop / bulk)
        self.raw['many'] = figures
        what = '%d batches over %d customers' % (len(batches), settings['customers'])
        self.add(3, '%s: a loop over the module (%d run%s)' % (what, len(figures['loop']), '' if len(figures['loop']) == 1 else 's'),
                 figures['loop'], 's')
        self.add(3, '%s: one bulk task (concurrency %d)' % (what, settings['concurrency']), figures['bulk'], 's',
                 ratio=figures['speedup'], ratio_label='faster than the loop', target='>= 20x faster',
                 met=report.median(figures['speedup']) >= 20)
        self.add(3, 'bulk task: token requests', figures['bulk_tokens'], 'count', target='1',
                 met=report.median(figures['bulk_tokens']) == 1)
        self.add(3, 'bulk task: status requests', figures['bulk_requests'], 'count', target='%d' % len(batches),
                 met=report.median(figures['bulk_requests']) == len(batches))
        self.add(3, 'loop over the module: token requests', figures['loop_tokens'], 'count')

    # -- 6. customers inventory ---------------------------------------------------------------------

    def customers(self):
        """The customers inventory: listing N customers, a play over them with forks, and the bulk read of their batches."""
        settings = self.settings
        count = settings['inventory_customers']
        config = os.path.join(self.workdir, 'bench.partnercenter.yml')
        with open(config, 'w', encoding='utf-8') as handle:
            handle.write(INVENTORY_CONFIG)
        env = dict(harness.ansible_env(self.collections_path), **self.credentials)
        figures = dict(listing=[], listing_requests=[], listing_tokens=[], play=[], play_tokens=[], play_requests=[], bulk=[],
                       speedup=[])
        batches = [dict(customer_id=customer_id, batch_tracking_id=inventory_batch(customer_id))
                   for customer_id in inventory_customers(settings)]
        for _run in range(settings['runs']):
            self.simulator.reset()
            started = time.monotonic()
            listed = subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-inventory'), '-i', config, '--list'], env=env,
                                    cwd=self.workdir, capture_output=True, text=True, check=False, timeout=600)
            figures['listing'].append(time.monotonic() - started)
            hosts = json.loads(listed.stdout or '{}').get('_meta', {}).get('hostvars', {}) if listed.returncode == 0 else {}
            if len(hosts) != count:
                raise BenchError('ansible-inventory listed %d customers, not %d:\n%s' % (len(hosts), count, listed.stderr[-2000:]))
            stats = self.simulator.stats
            figures['listing_requests'].append(sum(1 for record in stats['api_requests'] if record['path'].startswith('/v1/customers?')))
            figures['listing_tokens'].append(len(stats['token_requests']))

            self.simulator.reset()
            tasks = self.play_inventory('customers_play.yml', config, settings['forks'])
            stats = self.simulator.stats
            play = duration(task_named(tasks, 'Bench: one status read per customer'))
            figures['play'].append(play)
            figures['play_tokens'].append(len(stats['token_requests']))
            figures['play_requests'].append(sum(1 for record in stats['api_requests'] if '/batchJobStatus/' in record['path']))

            self.simulator.reset()
            tasks = self.play('many_bulk.yml', dict(batches=batches, concurrency=settings['concurrency']))
            bulk = duration(task_named(tasks, 'Bench: one bulk task'))
            figures['bulk'].append(bulk)
            figures['speedup'].append(play / bulk)
        self.raw['customers'] = figures
        self.add(7, 'customers inventory: ansible-inventory --list of %d customers (wall, with start-up)' % count, figures['listing'], 's')
        self.add(7, 'customers inventory: listing requests (500 a page)', figures['listing_requests'], 'count',
                 target='%d' % int(math.ceil(count / 500.0)), met=report.median(figures['listing_requests']) == int(math.ceil(count / 500.0)))
        self.add(7, 'customers inventory: token requests of the listing', figures['listing_tokens'], 'count', target='1',
                 met=report.median(figures['listing_tokens']) == 1)
        self.add(7, 'play over %d customers, one status read each (forks %d)' % (count, settings['forks']), figures['play'], 's',
                 ratio=figures['speedup'], ratio_label='of the bulk read')
        # ansible-playbook lists the inventory first: one token for the listing, one for the play (run_once).
        self.add(7, 'play over the customers: token requests (the listing + access_token run_once)', figures['play_tokens'], 'count',
                 target='2', met=report.median(figures['play_tokens']) == 2)
        self.add(7, 'play over the customers: status requests', figures['play_requests'], 'count', target='%d' % count,
                 met=report.median(figures['play_requests']) == count)
        self.add(7, 'the same %d batches read by one bulk task (concurrency %d)' % (count, settings['concurrency']), figures['bulk'], 's')

    def play_inventory(self, name, inventory, forks):
        """Run playbooks/<name> on ``inventory`` with ``forks`` and the timing callback; return its tasks' timings."""
        self._plays += 1
        workdir = os.path.join(self.workdir, 'play-%03d' % self._plays)
        os.makedirs(workdir)
        timer_file = os.path.join(workdir, 'timings.json')
        env = dict(harness.ansible_env(self.collections_path), **self.credentials)
        env.update(ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='bench_timer', BENCH_TIMER_FILE=timer_file)
        completed = subprocess.run([os.path.join(harness.BIN_DIR, 'ansible-playbook'), '-i', inventory, '--forks', str(forks),
                                    os.path.join(PLAYBOOKS, name)], cwd=workdir, env=env, capture_output=True, text=True,
                                   check=False, timeout=1800)
        if completed.returncode != 0:
            raise BenchError('%s failed (exit %d):\n%s' % (name, completed.returncode, (completed.stdout + completed.stderr)[-4000:]))
        with open(timer_file, encoding='utf-8') as handle:
            return json.load(handle)

    # -- 4. large batches ------------------------------------------------------------------------------

    def large(self):
        """The large batch through ansible-playbook, and the module process alone at several sizes."""
        settings = self.settings
        large = sized_batches(settings)[-1]
        per_call = dict(ping=[], status=[], with_errors=[], uri=[])
        names = dict(ping='Bench: ping', status='Bench: status', with_errors='Bench: status with_errors', uri='Bench: uri')
        for _run in range(settings['runs']):
            tasks = self.play('large.yml', dict(calls=settings['large_calls'], customer_id=large['customer_id'],
                                                batch_tracking_id=large['batch_tracking_id'],
                                                warm_customer_id=harness.EXAMPLE_CUSTOMER_ID,
                                                warm_batch_tracking_id=harness.EXAMPLE_BATCH_ID))
            for key, name in names.items():
                per_call[key].append(duration(task_named(tasks, name)) / settings['large_calls'])
        beyond = [status - ping for status, ping in zip(per_call['status'], per_call['ping'])]
        beyond_with_errors = [status - ping for status, ping in zip(per_call['with_errors'], per_call['ping'])]
        devices = '{:,}'.format(large['devices'])
        of_uri = report.ratios(per_call['status'], per_call['uri'])
        self.add(4, 'batch of %s devices: batch_upload_status task (defaults), per call' % devices, per_call['status'], 's',
                 ratio=of_uri, ratio_label='of uri', target='<= 1.5x uri',
                 met=report.median(of_uri) is not None and report.median(of_uri) <= 1.5)
        self.add(4, 'batch of %s devices: work beyond the floor, defaults (task - ping)' % devices, beyond, 's')
        self.add(4, 'batch of %s devices: batch_upload_status task, return_devices: with_errors, per call' % devices,
                 per_call['with_errors'], 's', ratio=report.ratios(per_call['with_errors'], per_call['uri']), ratio_label='of uri')
        self.add(4, 'batch of %s devices: work beyond the floor, return_devices: with_errors (task - ping)' % devices,
                 beyond_with_errors, 's', target='< 1 s', met=report.median(beyond_with_errors) < 1.0)
        self.add(4, 'batch of %s devices: uri GET, per call (reference)' % devices, per_call['uri'], 's')

        payloads = self.module_payloads()
        memory = dict((key, []) for key in payloads)
        walls = dict((key, []) for key in payloads)
        sizes = {}
        for _run in range(settings['runs']):
            for key, path in payloads.items():
                wall, peak, size, _err = self.run_payload(path)
                memory[key].append(peak)
                walls[key].append(wall)
                sizes[key] = size
        self.raw['large'] = dict(per_call=per_call, memory=memory, walls=walls, result_bytes=sizes)
        batches = sized_batches(settings)
        self.add(4, 'module process alone, %s devices: wall time' % devices, walls['status-%d' % large['devices']], 's',
                 ratio=report.ratios(walls['status-%d' % large['devices']], walls['ping']), ratio_label='of ping')
        self.add(4, 'peak memory of the module process: ping (the floor)', memory['ping'], 'MB')
        for batch in batches:
            key = 'status-%d' % batch['devices']
            self.add(4, 'peak memory of the module process: %s device%s (result %.1f MB)'
                     % ('{:,}'.format(batch['devices']), '' if batch['devices'] == 1 else 's', sizes[key] / 1e6),
                     memory[key], 'MB', ratio=report.ratios(memory[key], memory['ping']), ratio_label='of ping')
        low = slope(memory, batches[1]['devices'], batches[2]['devices'])
        high = slope(memory, batches[2]['devices'], batches[3]['devices'])
        self.add(4, 'memory per device, from {:,} to {:,} devices'.format(batches[1]['devices'], batches[2]['devices']), low, 'KB')
        linearity = report.median(report.ratios(high, low))
        self.add(4, 'memory per device, from {:,} to {:,} devices'.format(batches[2]['devices'], batches[3]['devices']), high, 'KB',
                 ratio=report.ratios(high, low), ratio_label='of the slope below', target='linear (0.8x-1.25x), < 10 KB',
                 met=linearity is not None and 0.8 <= linearity <= 1.25 and report.median(high) < 10)
        self.add(4, 'peak memory of the bulk task (%d batches)' % self.settings['batches'], memory['bulk'], 'MB',
                 ratio=report.ratios(memory['bulk'], memory['ping']), ratio_label='of ping')

    def reading(self):
        """Reading every page of a large device batch: device_batch_info, and device_batch when nothing is missing."""
        settings = self.settings
        pages = int(math.ceil(settings['large_devices'] / 100.0))
        per_call = dict(ping=[], info=[], upload=[])
        names = dict(ping='Bench: ping', info='Bench: device_batch_info', upload='Bench: device_batch, nothing missing')
        before = len(self.simulator.stats['api_requests'])
        for _run in range(settings['runs']):
            tasks = self.play('read_batch.yml', dict(
                customer_id=LARGE_CUSTOMER, batch_id=READ_BATCH, expected_devices=settings['large_devices'],
                expected_pages=pages, present_serial='%s%06d' % (READ_SERIAL_PREFIX, settings['large_devices'])),
                env=harness.simulator_credentials(self.simulator.url, 'app+user'))
            for key, name in names.items():
                per_call[key].append(duration(task_named(tasks, name)))
        requests = self.simulator.stats['api_requests'][before:]
        if any(r['method'] != 'GET' for r in requests):
            raise BenchError('reading the batch sent a request that is not a GET')
        self.raw['reading'] = dict(per_call=per_call, requests=len(requests))
        devices = '{:,}'.format(settings['large_devices'])
        self.add(6, 'device batch of %s devices (%d pages): device_batch_info' % (devices, pages), per_call['info'], 's',
                 ratio=report.ratios(per_call['info'], per_call['ping']), ratio_label='of ping')
        self.add(6, 'same batch: device_batch with nothing missing (reads every page, uploads nothing)', per_call['upload'], 's',
                 ratio=report.ratios(per_call['upload'], per_call['ping']), ratio_label='of ping')
        # device_batch returns little, so its time beyond the floor is the reading; device_batch_info also returns every device.
        per_page = [(upload - ping) / pages * 1000 for upload, ping in zip(per_call['upload'], per_call['ping'])]
        self.add(6, 'same batch: reading cost per page ((device_batch - ping) / pages)', per_page, 'ms')

    def module_payloads(self):
        """The AnsiballZ payloads of ping, of status reads of each size and of the bulk task, left behind by a run."""
        if self.payloads is not None:
            return self.payloads
        remote_tmp = os.path.join(self.workdir, 'remote-tmp')
        batches = sized_batches(self.settings)
        self.play('payloads.yml', dict(sized_batches=[dict(customer_id=b['customer_id'], batch_tracking_id=b['batch_tracking_id'])
                                                      for b in batches], batches=many_batches(self.settings)),
                  env=dict(ANSIBLE_KEEP_REMOTE_FILES='1', ANSIBLE_REMOTE_TMP=remote_tmp))
        # One directory per module run, named ansible-tmp-<time>-...: in task order.
        directories = sorted(glob.glob(os.path.join(remote_tmp, 'ansible-tmp-*')),
                             key=lambda path: float(os.path.basename(path).split('-')[2]))
        files = [glob.glob(os.path.join(directory, 'AnsiballZ_*.py'))[0] for directory in directories]
        keys = ['ping'] + ['status-%d' % batch['devices'] for batch in batches] + ['bulk']
        if len(files) != len(keys):
            raise BenchError('expected %d payloads, found %d: %s' % (len(keys), len(files), files))
        for key, path in zip(keys, files):
            expected = 'AnsiballZ_ping.py' if key == 'ping' else 'AnsiballZ_batch_upload_status.py'
            if os.path.basename(path) != expected:
                raise BenchError('payload %s is %s, not %s' % (key, path, expected))
        self.payloads = dict(zip(keys, files))
        return self.payloads

    # -- 5. import cost ----------------------------------------------------------------------------

    def imports(self):
        """python -X importtime of the payloads: what a status check imports beyond ping."""
        payloads = self.module_payloads()
        chosen = dict(ping=payloads['ping'], status=payloads['status-1'], bulk=payloads['bulk'])
        totals = dict((key, []) for key in chosen)
        parsed = {}
        for _run in range(self.settings['runs']):
            for key, path in chosen.items():
                _wall, _peak, _size, err = self.run_payload(path, python_args=('-X', 'importtime'))
                parsed[key] = report.parse_importtime(err)
                totals[key].append(sum(own for own, _cumulative in parsed[key].values()) / 1000.0)
        status_extras = report.import_extras(parsed['ping'], parsed['status'])
        bulk_extras = report.import_extras(parsed['status'], parsed['bulk'])
        heavy = [name for name in HEAVY_IMPORTS if name in parsed['status']]
        self.raw['imports'] = dict(totals=totals, status_extras=status_extras, bulk_extras=bulk_extras, heavy=heavy)
        self.add(5, 'import time of ping (sum of -X importtime self times)', totals['ping'], 'ms')
        self.add(5, 'import time of a status check', totals['status'], 'ms', ratio=report.ratios(totals['status'], totals['ping']),
                 ratio_label='of ping')
        ours = sum(own for name, own in status_extras if name.startswith('ansible_collections.')) / 1000.0
        stdlib = sum(own for name, own in status_extras if not name.startswith('ansible_collections.')) / 1000.0
        self.add(5, 'beyond ping: %d modules; the collection\'s own code' % len(status_extras), [ours], 'ms')
        top = ', '.join('%s %.1f' % (name, own / 1000.0) for name, own in status_extras
                        if not name.startswith('ansible_collections.'))
        self.add(5, 'beyond ping: the standard library (HTTP client, TLS, email headers, uuid)', [stdlib], 'ms',
                 target='nothing heavy (%s...)' % ', '.join(HEAVY_IMPORTS[:3]), met=not heavy, note=top)
        self.add(5, 'bulk path beyond a single check: %d modules (%s)' % (
            len(bulk_extras), ', '.join(sorted(set(name.split('.')[0] if not name.startswith('ansible_collections.')
                                                   else name.rsplit('.', 1)[1] for name, _own in bulk_extras)))),
            [sum(own for _name, own in bulk_extras) / 1000.0], 'ms')
        requests_time = self.import_requests()
        if requests_time is not None:
            self.add(5, '(reference) import requests alone', requests_time, 'ms')

    def import_requests(self):
        """How long `import requests` takes (cumulative), when requests is installed."""
        values = []
        for _run in range(self.settings['runs']):
            completed = subprocess.run([sys.executable, '-X', 'importtime', '-c', 'import requests'], capture_output=True,
                                       text=True, check=False)
            if completed.returncode != 0:
                return None
            values.append(report.parse_importtime(completed.stderr).get('requests', (0, 0))[1] / 1000.0)
        return values


def slope(memory, fewer, more):
    """Per run: KB of peak memory per device between the reads of ``fewer`` and ``more`` devices."""
    return [(high - low) * 1024 / (more - fewer)
            for low, high in zip(memory['status-%d' % fewer], memory['status-%d' % more])]


def task_named(tasks, name):
    """The timing of the task called ``name``."""
    for task in tasks:
        if task['name'] == name:
            return task
    raise BenchError('no task named %r among %s' % (name, [task['name'] for task in tasks]))


def duration(task):
    """Seconds from a task's start to its final result."""
    if task['end'] is None:
        raise BenchError('task %r has no result' % task['name'])
    return task['end'] - task['start']


def main():
    """Run the sections asked for; print the table; write JSON and Markdown; return the exit status."""
    settings = read_settings()
    started = time.time()
    workdir = tempfile.mkdtemp(prefix='partnercenter-bench-')
    seed = build_seed(settings)
    seed_path = os.path.join(os.path.dirname(settings['json']) or '.', 'seed.json')
    os.makedirs(os.path.dirname(seed_path) or '.', exist_ok=True)
    with open(seed_path, 'w', encoding='utf-8') as handle:
        json.dump(seed, handle, indent=1)
    simulator = PartnerCenterSimulator(load_seed(seed_path))
    simulator.start()
    bench = Bench(settings, simulator, workdir)
    sections = dict(((1, bench.one_check), (2, bench.waiting), (3, bench.many), (4, bench.large), (5, bench.imports),
                     (6, bench.reading),
                     (7, bench.customers)))
    try:
        for number in settings['sections']:
            section_started = time.time()
            print('section %d ...' % number, end=' ', flush=True)
            sections[number]()
            print('%.0f s' % (time.time() - section_started), flush=True)
    except BenchError as error:
        print('\nbenchmark failed: %s' % error, file=sys.stderr)
        return 1
    finally:
        simulator.stop()
    text = report.table(bench.rows)
    elapsed = time.time() - started
    print()
    print(text)
    print()
    print('%d runs each; total %.0f s. JSON: %s' % (settings['runs'], elapsed, settings['json']))
    report.write_json(settings['json'], bench.rows, settings, extra=dict(raw=bench.raw, elapsed_seconds=elapsed))
    with open(os.path.splitext(settings['json'])[0] + '.md', 'w', encoding='utf-8') as handle:
        handle.write(text + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
