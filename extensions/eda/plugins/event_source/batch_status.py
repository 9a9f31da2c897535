# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An ansible-rulebook event source: one event when a Partner Center device batch finishes.

It polls the batch upload status of the batches it is given, on the collection's own client (so one
access token, renewed as it nears expiry or when refused, and the modules' retries and Retry-After
handling), in a worker thread (``asyncio.to_thread``), where the batches file is read too: it needs
nothing that ansible-rulebook and ansible-core do not already bring.
"""

import asyncio
import json
import logging
import os
import stat
import sys
import time

DOCUMENTATION = r'''
short_description: Watch Partner Center device batches and send an event when one finishes
description:
  - Polls the status of Partner Center device batch uploads (C(GET /v1/customers/{id}/batchJobStatus/{tracking-id}))
    and puts one event on the rulebook's queue for each batch when it becomes complete (status C(finished) or
    C(finished_with_errors)), with its device counts and the devices with errors. Optionally one event per status
    change as well.
  - A batch is reported complete once only; it is not polled after that. Batches that cannot be read for a reason
    retrying cannot change (the batch or customer is unknown, access is refused, the answer is unreadable) get one
    C(batch_poll_failed) event (C(will_retry=false)) and are no longer polled. Throttled and failing polls (429, 5xx,
    timeouts) only delay the next poll of that batch, as C(Retry-After) asks.
  - When the credentials are refused (Entra ID refuses the token request, for example C(invalid_client) for a wrong
    client secret or C(invalid_grant) for an expired refresh token; or Partner Center answers 401 with error code
    C(900421), an app+user token without an MFA claim), each batch gets one C(batch_poll_failed) event with
    C(will_retry=true) and stays watched, polled ever more slowly (up to every 15 minutes); after a poll that works,
    a later refusal is reported again.
  - A token that Partner Center refuses (401) is renewed, at most once a minute; a 401 with error code C(900421) is
    not, since a token renewed from the same refresh token has no MFA claim either.
  - The source never ends on its own, so the rulebook keeps running; with O(batches_file), batches added to the file
    later are watched too.
  - Every event is a dict with one key, C(partner_center_batch), whose C(type) is V(batch_complete),
    V(batch_status_changed) or V(batch_poll_failed). Each has C(customer_id) and C(batch_tracking_id) (as given),
    C(status) and C(complete).
  - V(batch_complete) and V(batch_status_changed) also have C(previous_status) (null at the first poll),
    C(started_time) and C(completed_time) (date-time strings), C(devices_count), C(device_status_counts)
    (devices per device status), C(devices_with_errors) (each with C(device_id), C(serial_number), C(product_key),
    C(status), C(error_code), C(error_description) and C(remediation)), C(devices_with_errors_count) and C(polls)
    (the polls that worked).
  - The times and the device fields Microsoft documents as strings (C(device_id), C(serial_number), C(product_key),
    C(error_code), C(error_description)) are always a string or null. A number Partner Center sends is passed on as
    its text (V(808)), any other type (a list, an object, a boolean) as null.
  - V(batch_poll_failed) also has C(msg), C(http_status), C(error_code), C(request_id), C(will_retry) and C(polls).
  - Every field is always present, null when Partner Center sent none. No event carries a credential or a token.
  - The JSON schema of the events is C(schemas/event/batch_status.json) in the collection, that of the arguments
    C(extensions/eda/plugins/event_source/schemas/batch_status.json).
  - The credential options are those of the collection's modules, with the same C(PARTNER_CENTER_*) environment
    variables when they are not given. Secrets from either are masked in every message and event, also in the
    error for a bad argument.
  - An argument given as null is not given (its default, or its environment variable). A boolean argument takes a
    boolean or its text (V(true), V(no), V(1) ...), as a templated rulebook variable arrives.
  - An argument the source does not know (a misspelt one, say) is ignored, with one warning when the source starts
    naming it and the arguments the source knows; C(feedback) and C(eda_feedback_queue), which ansible-rulebook
    reads or adds itself, are not warned of.
version_added: 1.0.0
options:
  batches:
    description:
      - The batches to watch, each a dict with C(customer_id) and C(batch_tracking_id) (both GUIDs), as the modules'
        C(batches) option takes them. Other keys of an entry are ignored.
    type: list
    elements: dict
  batches_file:
    description:
      - A YAML or JSON file with a list of such batches (or a dict whose C(batches) key holds the list), read again
        whenever it changes, so that an upload play can append the tracking ids it gets and the source starts watching them.
      - It is read in a worker thread, only when it is a regular file (not a FIFO, a device or a directory) of at most
        1 MiB. A file that cannot be read or used (absent files list no batch) gives one warning naming it, until it
        changes; the batches already watched stay watched. Removing a batch from the file does not stop watching it.
      - At least one of O(batches) and O(batches_file) is required.
    type: str
  delay:
    description:
      - Seconds between two polls of a batch, a finite number from 0.1 to 3600 (the modules' C(poll_interval)
        bounds), or its text (as a rulebook variable arrives); null is the default. Partner Center advises against
        continuous polling; a throttled poll waits longer.
    type: float
    default: 60
  status_changes:
    description:
      - Whether to send a C(batch_status_changed) event whenever a batch's status changes before it is complete (the
        first status seen counts as a change).
      - A boolean or its text (V(true), V(no), V(1) ...), as O(validate_certs); null is the default.
    type: bool
    default: false
  tenant_id:
    description: The partner tenant (GUID or domain); E(PARTNER_CENTER_TENANT_ID) when not set.
    type: str
  client_id:
    description: The application (client) id; E(PARTNER_CENTER_CLIENT_ID) when not set.
    type: str
  client_secret:
    description: The client secret (app-only credentials); E(PARTNER_CENTER_CLIENT_SECRET) when not set.
    type: str
  refresh_token:
    description: A refresh token (app+user credentials); E(PARTNER_CENTER_REFRESH_TOKEN) when not set.
    type: str
  access_token:
    description:
      - An access token used as is; E(PARTNER_CENTER_ACCESS_TOKEN) when not set. It expires after about an hour,
        so give credentials that can renew it too.
    type: str
  cloud:
    description: V(global) or V(china); sets the default O(base_url) and O(authority_url).
    type: str
    choices: [global, china]
    default: global
  base_url:
    description: The Partner Center API base URL; E(PARTNER_CENTER_BASE_URL) when not set.
    type: str
  authority_url:
    description: The Microsoft Entra ID authority; E(PARTNER_CENTER_AUTHORITY_URL) when not set.
    type: str
  validate_certs:
    description: Whether to check TLS certificates; a boolean or its text (V(true), V(no), V(1) ...).
    type: bool
    default: true
  timeout:
    description: Seconds one HTTP request may take as a whole; a finite number from 0.1 to 3600, or its text.
    type: float
    default: 30
  retries:
    description: How many times the client retries a throttled or failed request within one poll; 0 to 20, or its text.
    type: int
    default: 5
  locale:
    description: The C(X-Locale) of requests, a language tag such as V(en-US).
    type: str
    default: en-US
  correlation_id:
    description: A GUID sent as C(MS-CorrelationId) on every request of this source; a new one when not set.
    type: str
notes:
  - Needs ansible-core next to ansible-rulebook (as in the supported decision environments) and this collection
    installed where ansible-rulebook finds collections.
  - What was reported is kept in memory; after a restart, batches already complete are reported again once.
'''

EXAMPLES = r'''
- name: Follow up on device batches
  hosts: localhost
  sources:
    - partnercenter.devices.batch_status:
        batches_file: /var/lib/partnercenter/batches.yml
        delay: 120
  rules:
    - name: A batch finished with device errors
      condition: >-
        event.partner_center_batch.type == "batch_complete"
        and event.partner_center_batch.status == "finished_with_errors"
      action:
        run_job_template:
          name: Fix Autopilot device errors
          organization: Default
          job_args:
            extra_vars:
              customer_id: "{{ event.partner_center_batch.customer_id }}"
              batch_tracking_id: "{{ event.partner_center_batch.batch_tracking_id }}"

- name: Watch two batches and tell each status change
  hosts: localhost
  sources:
    - partnercenter.devices.batch_status:
        batches:
          - customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
            batch_tracking_id: 0127ed8e-ff72-4983-a3d8-e8d8bd378932
          - customer_id: 47021739-3426-40bf-9601-61b4b6d7c793
            batch_tracking_id: 6b1d9e42-8a3c-4f57-9e20-c4d8a7b6f310
        status_changes: true
        delay: 60
  rules:
    - name: A batch changed status
      condition: event.partner_center_batch.type == "batch_status_changed"
      action:
        debug:
          msg: "{{ event.partner_center_batch.batch_tracking_id }} is {{ event.partner_center_batch.status }}"
    - name: A batch cannot be read
      condition: event.partner_center_batch.type == "batch_poll_failed"
      action:
        debug:
          msg: "{{ event.partner_center_batch.msg }} (polled again: {{ event.partner_center_batch.will_retry }})"
'''


def _import_collection():
    """The collection's module_utils, by name; importable as is inside ansible-core, else from where this file sits.

    ansible-rulebook runs a source file with runpy, with no collection loader: when the
    ``ansible_collections`` tree above this file is not on sys.path, add it.
    """
    try:
        from ansible_collections.partnercenter.devices.plugins.module_utils import batch, bulk, errors, options, retry_policy, validate
    except ImportError:
        # .../ansible_collections/partnercenter/devices/extensions/eda/plugins/event_source/batch_status.py
        parts = os.path.abspath(globals().get('__file__') or '.').split(os.sep)
        if len(parts) < 9 or parts[-8] != 'ansible_collections':
            raise ImportError('partnercenter.devices.batch_status needs the partnercenter.devices collection installed '
                              'in an ansible_collections directory (ansible-galaxy collection install), and ansible-core') from None
        sys.path.append(os.sep.join(parts[:-8]) or os.sep)
        from ansible_collections.partnercenter.devices.plugins.module_utils import batch, bulk, errors, options, retry_policy, validate
    return dict(batch=batch, bulk=bulk, errors=errors, options=options, retry_policy=retry_policy, validate=validate)


# One name per assignment: ansible-doc (and galaxy-importer through it) warns about any other target at module level.
_MODULE_UTILS = _import_collection()
batch_utils = _MODULE_UTILS['batch']
bulk_utils = _MODULE_UTILS['bulk']
error_utils = _MODULE_UTILS['errors']
option_utils = _MODULE_UTILS['options']
retry_utils = _MODULE_UTILS['retry_policy']
validate_utils = _MODULE_UTILS['validate']

EVENT_KEY = 'partner_center_batch'
# The longest pause after polls that keep failing: a batch is never forgotten for good.
MAX_FAILURE_PAUSE = 900.0
# A poll cycle never sleeps longer than this, so a new entry of batches_file is seen soon.
MAX_IDLE = 30.0
DEVICE_FIELDS = ('device_id', 'serial_number', 'product_key', 'status', 'error_code', 'error_description', 'remediation')
# The arguments the source reads itself; the shared options (option_utils.SHARED_OPTIONS) are the others it knows.
OWN_ARGUMENTS = ('batches', 'batches_file', 'delay', 'status_changes')
# Keys ansible-rulebook itself reads from or adds to a source's arguments (its feedback queue), not the source's.
RULEBOOK_ARGUMENTS = ('feedback', 'eda_feedback_queue')
# Statuses of Entra ID's refusal of a token request (invalid_client, invalid_grant, unauthorized_client ...).
TOKEN_REFUSAL_STATUSES = frozenset((400, 401))
# A token Partner Center refuses is renewed at most once in this many seconds (the source lives for days).
TOKEN_RENEWAL_INTERVAL = 60.0
# The largest batches file read: about 9,000 batches in JSON, far more than one source can poll.
MAX_BATCHES_FILE_BYTES = 1024 * 1024
# delay has the bounds of the modules' poll_interval.
DELAY_BOUNDS = validate_utils.NUMBER_BOUNDS['poll_interval']

logger = logging.getLogger(__name__)


def _key(customer_id, batch_tracking_id):
    return customer_id.lower(), batch_tracking_id.lower()


def check_batches(entries, where):
    """The entries as (customer_id, batch_tracking_id) pairs; ValueError naming the first bad one."""
    if entries is None:
        return []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError('%s must be a list of dicts with customer_id and batch_tracking_id.' % where)
    problem = bulk_utils.invalid_entry(entries)
    if problem:
        raise ValueError('%s: %s' % (where, problem))
    return [(entry['customer_id'], entry['batch_tracking_id']) for entry in entries]


def _file_kind(mode):
    for test, kind in ((stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO'), (stat.S_ISSOCK, 'a socket'),
                       (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device')):
        if test(mode):
            return kind
    return 'not a regular file'


def _read_regular_file(path):
    """The bytes of ``path``, at most MAX_BATCHES_FILE_BYTES; None when it does not exist; ValueError otherwise.

    Never blocks: a FIFO or device is refused before it is opened, and it is opened non-blocking, so one swapped
    in between cannot hold the reader either; what was opened is checked again.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ValueError('batches_file %s cannot be read: %s' % (path, error.strerror or error)) from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError('batches_file %s is %s: it must be a regular file.' % (path, _file_kind(info.st_mode)))
    flags = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_NOCTTY', 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ValueError('batches_file %s cannot be read: %s' % (path, error.strerror or error)) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError('batches_file %s is %s: it must be a regular file.' % (path, _file_kind(info.st_mode)))
        chunks, size = [], 0
        while size <= MAX_BATCHES_FILE_BYTES:
            chunk = os.read(descriptor, 64 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise ValueError('batches_file %s cannot be read: %s' % (path, error.strerror or error)) from None
    finally:
        os.close(descriptor)
    if size > MAX_BATCHES_FILE_BYTES:
        raise ValueError('batches_file %s is larger than %d KiB: list fewer batches in it.' % (path, MAX_BATCHES_FILE_BYTES // 1024))
    return b''.join(chunks)


def _parse_batches_text(path, data):
    """The YAML or JSON document in ``data``; ValueError naming ``path`` when it is neither."""
    # ansible-core and ansible-rulebook both bring PyYAML; only a source with a batches file needs it.
    import yaml  # pylint: disable=import-outside-toplevel

    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as error:
        raise ValueError('batches_file %s is not UTF-8 text (byte 0x%02x at offset %d): it must be YAML or JSON.'
                         % (path, data[error.start], error.start)) from None
    try:
        try:
            # JSON first: a large JSON file is read in a fraction of the time YAML takes.
            return json.loads(text)
        except ValueError:
            pass
        return yaml.load(text, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    except RecursionError:
        raise ValueError('batches_file %s is nested too deeply to read: it must be a list of batches.' % path) from None
    except yaml.YAMLError as error:
        problem = ' '.join(str(getattr(error, 'problem', None) or 'not YAML or JSON').split())
        mark = getattr(error, 'problem_mark', None)
        where = ' (line %d, column %d)' % (mark.line + 1, mark.column + 1) if mark is not None else ''
        raise ValueError('batches_file %s cannot be parsed%s: %s.' % (path, where, problem)) from None


def read_batches_file(path):
    """The batches listed in ``path`` (YAML or JSON); an absent or empty file lists none; ValueError naming the file."""
    data = _read_regular_file(path)
    if data is None:
        return []
    entries = _parse_batches_text(path, data)
    if isinstance(entries, dict) and 'batches' in entries:
        entries = entries['batches']
    return check_batches(entries or [], 'batches_file %s' % path)


class _Watched:  # pylint: disable=too-few-public-methods
    """One batch being watched: the last status seen and when to poll it next."""

    def __init__(self, customer_id, batch_tracking_id, due):
        self.customer_id = customer_id
        self.batch_tracking_id = batch_tracking_id
        self.status = None
        self.polls = 0
        self.failures = 0
        self.due = due
        # Whether a refusal of the credentials was reported since the last poll that worked.
        self.refusal_reported = False


class BatchWatcher:
    """The polling, without asyncio: each ``poll`` reads the batches that are due and returns the events to send."""

    def __init__(self, client, batches=(), batches_file=None, delay=60.0, status_changes=False, clock=time.monotonic):
        self.client = client
        self.batches_file = batches_file
        self.delay = float(delay)
        self.status_changes = status_changes
        self.clock = clock
        self.watched = {}
        # Batches reported complete or failed: never polled nor reported again.
        self.finished = set()
        self._file_stamp = None
        self._add(batches)

    def _add(self, pairs):
        now = self.clock()
        for customer_id, batch_tracking_id in pairs:
            key = _key(customer_id, batch_tracking_id)
            if key not in self.watched and key not in self.finished:
                self.watched[key] = _Watched(customer_id, batch_tracking_id, now)

    def _reload_file(self):
        if not self.batches_file:
            return
        try:
            info = os.stat(self.batches_file)
            stamp = (info.st_dev, info.st_ino, info.st_mode, info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        if stamp == self._file_stamp:
            return
        self._file_stamp = stamp
        try:
            pairs = read_batches_file(self.batches_file)
        except ValueError as error:
            # Perhaps written half-way: one warning, read again when it changes next; the batches watched stay.
            logger.warning('%s', self.client.redact(str(error)))
        else:
            self._add(pairs)

    def pause(self):
        """Seconds until a batch is due (at most MAX_IDLE with a batches file, else ``delay`` when none is watched)."""
        idle = min(MAX_IDLE, self.delay) if self.batches_file else self.delay
        if not self.watched:
            return idle
        wait = min(item.due for item in self.watched.values()) - self.clock()
        return max(0.0, min(wait, idle))

    def poll(self):
        """Read every batch that is due; return the events to send, in order."""
        self._reload_file()
        events = []
        now = self.clock()
        for key, item in list(self.watched.items()):
            if item.due > now:
                continue
            event = self._poll_one(key, item)
            if event is not None:
                events.append(self._masked(event))
        return events

    def _masked(self, event):
        """``event`` with every secret the client knows masked, also where the service echoed one (a device's error)."""
        text = json.dumps(event, default=str)
        if self.client.redact(text) == text:
            return event
        return _redact_strings(event, self.client.redact)

    def _poll_one(self, key, item):
        try:
            details = batch_utils.read_batch_upload_details(self.client, item.customer_id, item.batch_tracking_id)[1]
        except error_utils.PartnerCenterError as error:
            return self._failed(key, item, error)
        item.polls += 1
        item.failures = 0
        item.refusal_reported = False
        item.due = self.clock() + self.delay
        previous, status = item.status, details['status']
        item.status = status
        if batch_utils.is_complete(status):
            del self.watched[key]
            self.finished.add(key)
            return self._event('batch_complete', item, previous, details)
        if not batch_utils.is_documented_status(status):
            logger.warning('%s', self.client.redact(batch_utils.unexpected_status_message(item.batch_tracking_id, status)))
        if self.status_changes and status != previous:
            return self._event('batch_status_changed', item, previous, details)
        return None

    def _failed(self, key, item, error):
        message = self.client.redact(error.message)
        # retry_policy.py's table; it says why the source polls again after a 401 or an undocumented status.
        permanent = isinstance(error, error_utils.ResponseError) or (
            isinstance(error, error_utils.ApiError) and error.http_status in retry_utils.PERMANENT_STATUSES)
        if permanent:
            del self.watched[key]
            self.finished.add(key)
            logger.error('%s', message)
            return self._failure_event(item, error, message, will_retry=False)
        # Throttled, a server or network fault, or a token that could not be had: poll again later, ever more slowly.
        item.failures += 1
        pause = min(MAX_FAILURE_PAUSE, self.delay * (2 ** min(item.failures - 1, 10)))
        retry_after = batch_utils.retry_after_of(error)
        if retry_after is not None:
            pause = max(pause, retry_after)
        item.due = self.clock() + pause
        logger.warning('%s; polled again in %.0f s', message, pause)
        if _credentials_refused(error) and not item.refusal_reported:
            # Nothing the source can change: say so once, and keep trying in case the credential is fixed.
            item.refusal_reported = True
            return self._failure_event(item, error, message, will_retry=True)
        return None

    @staticmethod
    def _failure_event(item, error, message, will_retry):
        fields = error.result_fields()
        return {EVENT_KEY: {
            'type': 'batch_poll_failed',
            'customer_id': item.customer_id,
            'batch_tracking_id': item.batch_tracking_id,
            'status': item.status,
            'complete': False,
            'msg': message,
            'http_status': fields.get('http_status'),
            'error_code': fields.get('error_code'),
            'request_id': fields.get('request_id'),
            'will_retry': will_retry,
            'polls': item.polls,
        }}

    @staticmethod
    def _event(kind, item, previous, details):
        summary = batch_utils.summarize(details)
        devices_with_errors = [_device_fields(device) for device in summary['devices_with_errors']]
        return {EVENT_KEY: {
            'type': kind,
            'customer_id': item.customer_id,
            'batch_tracking_id': item.batch_tracking_id,
            'status': details['status'],
            'previous_status': previous,
            'complete': summary['complete'],
            'started_time': details['started_time'],
            'completed_time': details['completed_time'],
            'devices_count': len(details['devices_status']),
            'device_status_counts': summary['device_status_counts'],
            'devices_with_errors': devices_with_errors,
            'devices_with_errors_count': len(devices_with_errors),
            'polls': item.polls,
        }}


def _device_fields(device):
    """A device's event fields (shape_batch_upload_details made those Microsoft documents as strings text or null)."""
    return dict((field, device.get(field)) for field in DEVICE_FIELDS)


def _redact_strings(value, redact):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return dict((key, _redact_strings(item, redact)) for key, item in value.items())
    if isinstance(value, list):
        return [_redact_strings(item, redact) for item in value]
    return value


def _credentials_refused(error):
    """Whether ``error`` says that the credentials themselves are refused, which no retry of the source can change."""
    if isinstance(error, error_utils.TokenRequestError):
        return error.http_status in TOKEN_REFUSAL_STATUSES
    return isinstance(error, error_utils.ApiError) and error.http_status == 401 and error.error_code == '900421'


def watcher_from_args(args, environ=None, clock=time.monotonic):
    """A BatchWatcher for the rulebook's ``args``; ValueError (before any request) when they cannot work.

    The batches file is not read here but by the first poll, off the event loop. A message never shows a
    secret, whether it was given as an argument or in the environment.
    """
    args = dict(args or {})
    environ = os.environ if environ is None else environ
    _warn_of_unknown_arguments(args)
    try:
        return _watcher_from_args(args, environ, clock)
    except (ValueError, error_utils.PartnerCenterError) as error:
        secrets = option_utils.SharedOptionAdapter.from_dict(args, environ).secrets()
        raise ValueError(error_utils.redact(str(error), secrets)) from None


def _warn_of_unknown_arguments(args):
    """One warning naming every argument the source does not know (a misspelt one, say): ignored, not refused, so
    that a key ansible-rulebook may add one day does not stop a rulebook. Names only: a value may be a secret."""
    known = OWN_ARGUMENTS + tuple(option_utils.SHARED_OPTIONS)
    unknown = sorted(name if isinstance(name, str) and name.isidentifier() else repr(name)
                     for name in args if name not in known and name not in RULEBOOK_ARGUMENTS)
    if unknown:
        logger.warning('partnercenter.devices.batch_status ignores the argument%s it does not know: %s. The arguments it '
                       'knows are %s.', 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(sorted(known)))


def _watcher_from_args(args, environ, clock):
    batches = check_batches(args.get('batches'), 'batches')
    batches_file = args.get('batches_file')
    if batches_file is not None and (not isinstance(batches_file, str) or not batches_file.strip()):
        raise ValueError('batches_file must be a path, got %r.' % (batches_file,))
    if not batches and not batches_file:
        raise ValueError('partnercenter.devices.batch_status needs batches or batches_file.')
    # As for every other argument, null is "not given".
    delay = args.get('delay')
    if delay is None:
        delay = 60
    # A rulebook variable substituted into the source arguments arrives as text, which float() reads too.
    problem = ('delay must be a number, got %r.' % (delay,) if isinstance(delay, bool)
               else validate_utils.number_problem('delay', delay, *DELAY_BOUNDS))
    if problem:
        raise ValueError(problem)
    status_changes = args.get('status_changes')
    # A boolean or its text, as validate_certs: "{{ var }}" arrives as text when var is text (--env-vars, say).
    status_changes = False if status_changes is None else option_utils.checked_bool('status_changes', status_changes)
    options = option_utils.SharedOptionAdapter.from_dict(args, environ).checked()
    for message in option_utils.option_warnings(options):
        logger.warning('%s', message)
    client = option_utils.build_client(options, warn=lambda message: logger.warning('%s', message),
                                       renewal_interval=TOKEN_RENEWAL_INTERVAL)
    client.clock = clock
    return BatchWatcher(client, batches, batches_file, float(delay), status_changes, clock=clock)


async def main(queue, args):
    """Poll the batches until cancelled; put one event per completion (and status change, when asked)."""
    watcher = watcher_from_args(args)
    logger.info('partnercenter.devices.batch_status: watching %d batches%s', len(watcher.watched),
                ' and %s' % watcher.batches_file if watcher.batches_file else '')
    while True:
        # The client is synchronous (urllib, and sleeps while throttled): keep it off the event loop.
        events = await asyncio.to_thread(watcher.poll)
        for event in events:
            await queue.put(event)
            await asyncio.sleep(0)
        await asyncio.sleep(watcher.pause())


if __name__ == '__main__':
    class _PrintingQueue:  # pylint: disable=too-few-public-methods
        """Prints events: ``python batch_status.py customer-id tracking-id`` with PARTNER_CENTER_* set."""

        async def put(self, event):
            print(event)

    asyncio.run(main(_PrintingQueue(), {'batches': [{'customer_id': sys.argv[1], 'batch_tracking_id': sys.argv[2]}],
                                        'delay': 15}))
