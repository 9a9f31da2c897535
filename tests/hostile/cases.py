# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile suite's cases: bad input, a misbehaving server, and the simulator's faults.

A case is a dict:

- ``id``: unique, the pytest id of its test (``pytest tests/hostile -k <id>``); ``kind``: input, server, token,
  shape, sim or role (the rows of the figures that report.py prints);
- ``module``: access_token, status (batch_upload_status, one batch), bulk (its ``batches``),
  device_batch, device_batch_info, or role (wait_for_batch_upload);
- ``args``: the module's options (for the role: its variables, plus the shared options in ``args``);
  ``{H}`` and ``{S}`` stand for the hostile server's and the simulator's URLs, ``{TMP}`` for a
  scratch directory with the files of ``suite.make_files``;
- ``expect``: ``failed`` (bool), ``msg`` (substrings the message must hold), ``result`` (keys and
  values the result must hold), ``bound`` (seconds the module may take: a bound that catches a hang, not a
  timing, see ``suite.allowed_time``);
- ``counters``: the most requests the hostile server may see per behaviour (``'t:ok~x': 2``);
- ``faults``: simulator faults to inject first, into a fresh simulator.

test_hostile.py runs every case but the role's in-process, one test per case, against a fresh hostile
server (and simulator); test_no_secret_at_vvvv.py runs the role's cases and those of FLOW in one
ansible-playbook run at -vvvv. Every case also gets the suite's global checks: no escaped exception, no
``Traceback``, no secret in any output, no request to the ``never`` behaviour (bad input stopped before
sending).
"""

import copy

import harness

HOSTILE_CLIENT_SECRET = 'hostile-client-secret-DO-NOT-LEAK-9Qw2'
HOSTILE_REFRESH_TOKEN = 'hostile-refresh-token-DO-NOT-LEAK-5Tz7'
HOSTILE_ACCESS_TOKEN = 'hostile-given-access-token-DO-NOT-LEAK-2Lm4'
URL_PASSWORD = 'url-password-DO-NOT-LEAK-6Hn3'
SECRETS = (HOSTILE_CLIENT_SECRET, HOSTILE_REFRESH_TOKEN, HOSTILE_ACCESS_TOKEN, URL_PASSWORD)

CUSTOMER = harness.EXAMPLE_CUSTOMER_ID
BATCH = harness.EXAMPLE_BATCH_ID
# Slack over a computed bound: the module's own work on a loaded machine.
SLACK = 10.0
# Of a clear failure or a correct answer, with nothing slow on the way (the machine may be loaded).
QUICK = 15.0


def hostile_shared(api='never', token='ok', **extra):
    """Shared options pointing at the hostile server: API behaviour ``api``, token behaviour ``token``."""
    args = dict(base_url='{H}/b/%s' % api, authority_url='{H}/t/%s' % token, tenant_id=harness.TENANT_ID,
                client_id=harness.CLIENT_ID, client_secret=HOSTILE_CLIENT_SECRET, timeout=2, retries=0)
    args.update(extra)
    return args


def sim_shared(kind='app-only', **extra):
    """Shared options pointing at the simulator."""
    args = dict(base_url='{S}', authority_url='{S}', tenant_id=harness.TENANT_ID, client_id=harness.CLIENT_ID,
                client_secret=harness.CLIENT_SECRET, timeout=5, retries=2)
    if kind == 'app+user':
        args['refresh_token'] = harness.REFRESH_TOKEN
    args.update(extra)
    return args


MODULE_ARGS = {
    'access_token': {},
    'status': dict(customer_id=CUSTOMER, batch_tracking_id=BATCH),
    'status_wait': dict(customer_id=CUSTOMER, batch_tracking_id=BATCH, wait=True, wait_timeout=5, poll_interval=0.5),
    # fail_on_error: a batch that cannot be read fails the task, so that its message can be judged.
    'bulk': dict(batches=[dict(customer_id=CUSTOMER, batch_tracking_id=BATCH)] * 2, fail_on_error=True),
    'bulk_wait': dict(batches=[dict(customer_id=CUSTOMER, batch_tracking_id=BATCH)] * 2, wait=True, wait_timeout=5,
                      poll_interval=0.5, fail_on_error=True),
    'device_batch': dict(customer_id=CUSTOMER, batch_id='hostile-batch',
                         devices=[dict(serial_number='HOSTILE-0001', oem_manufacturer_name='Contoso', model_name='Laptop 1')]),
    'device_batch_wait': dict(customer_id=CUSTOMER, batch_id='hostile-batch', wait=True, wait_timeout=5, poll_interval=0.5,
                              devices=[dict(serial_number='HOSTILE-0001', oem_manufacturer_name='Contoso', model_name='Laptop 1')]),
    'device_batch_info': dict(customer_id=CUSTOMER),
    'device_batch_info_devices': dict(customer_id=CUSTOMER, batch_id='hostile-batch'),
}
# The module each MODULE_ARGS entry runs.
MODULE_OF = {'access_token': 'access_token', 'status': 'status', 'status_wait': 'status', 'bulk': 'status',
             'bulk_wait': 'status', 'device_batch': 'device_batch', 'device_batch_wait': 'device_batch',
             'device_batch_info': 'device_batch_info', 'device_batch_info_devices': 'device_batch_info'}

CASES = []


def case(case_id, variant, shared, expect, kind, extra=None, **more):
    """Add one case: ``variant`` names MODULE_ARGS (or 'role'), ``shared`` the shared options."""
    args = copy.deepcopy(MODULE_ARGS.get(variant, {}))
    args.update(shared)
    args.update(extra or {})
    entry = dict(id=case_id, module=MODULE_OF.get(variant, variant), variant=variant, args=args, expect=expect, kind=kind)
    entry.update(more)
    CASES.append(entry)


def fails(*msg, bound=QUICK, **result):
    """Expect a clear failure whose message holds every ``msg``."""
    return dict(failed=True, msg=list(msg), bound=bound, result=result)


def succeeds(bound=QUICK, warns=None, **result):
    """Expect success with ``result`` (and a warning holding ``warns``, when given)."""
    return dict(failed=False, msg=[], bound=bound, result=result, warns=warns)


# -- bad input: refused before any request (the 'never' behaviour counts any that slips through) ----

ALL_VARIANTS = ('access_token', 'status', 'bulk', 'device_batch', 'device_batch_info')
WAIT_VARIANTS = ('status_wait', 'bulk_wait', 'device_batch_wait')

for value, label in ((float('nan'), 'nan'), (float('inf'), 'inf'), (1e10, '1e10'), (-1, 'negative'), (0, 'zero')):
    for variant in ALL_VARIANTS:
        case('input-timeout-%s-%s' % (label, variant), variant, hostile_shared(timeout=value),
             fails('timeout must be a finite number from 0.1 to 3600 seconds'), 'input')

for value, label in ((-1, 'negative'), (1000, 'thousand')):
    for variant in ALL_VARIANTS:
        case('input-retries-%s-%s' % (label, variant), variant, hostile_shared(retries=value),
             fails('retries must be a finite number from 0 to 20'), 'input')

for value, label in ((float('nan'), 'nan'), (float('inf'), 'inf'), (0, 'zero'), (1e10, '1e10')):
    for variant in WAIT_VARIANTS:
        case('input-poll-interval-%s-%s' % (label, variant), variant, hostile_shared(), fails('poll_interval must be a finite number'),
             'input', extra=dict(poll_interval=value))

for value, label in ((-1, 'negative'), (10 ** 10, '1e10')):
    for variant in WAIT_VARIANTS:
        case('input-wait-timeout-%s-%s' % (label, variant), variant, hostile_shared(), fails('wait_timeout must be a finite number'),
             'input', extra=dict(wait_timeout=value))

for variant in ALL_VARIANTS:
    case('input-base-url-userinfo-%s' % variant, variant,
         hostile_shared(base_url='http://admin:%s@127.0.0.1:9/b/never' % URL_PASSWORD),
         fails('base_url must not hold user information', '********@127.0.0.1'), 'input')
    case('input-authority-url-userinfo-%s' % variant, variant,
         hostile_shared(authority_url='http://admin:%s@127.0.0.1:9/t/never' % URL_PASSWORD),
         fails('authority_url must not hold user information'), 'input')
    case('input-base-url-bad-port-%s' % variant, variant, hostile_shared(base_url='http://127.0.0.1:99999'),
         fails('base_url has an invalid port'), 'input')
    case('input-access-token-crlf-%s' % variant, variant,
         hostile_shared(access_token=HOSTILE_ACCESS_TOKEN + '\r\nX-Injected: 1'),
         fails('access_token cannot be sent', 'line break or another control character'), 'input')

case('input-access-token-trailing-newline', 'status', hostile_shared(access_token=HOSTILE_ACCESS_TOKEN + '\n'),
     fails('access_token cannot be sent'), 'input')
case('input-access-token-nul', 'status', hostile_shared(access_token=HOSTILE_ACCESS_TOKEN[:10] + '\x00' + HOSTILE_ACCESS_TOKEN[10:]),
     fails('access_token cannot be sent'), 'input')
case('input-authority-url-ftp', 'access_token', hostile_shared(authority_url='ftp://127.0.0.1/t/never'),
     fails('authority_url must be an https:// URL'), 'input')
case('input-base-url-http-remote', 'status', hostile_shared(base_url='http://pc.example.test'),
     fails('base_url must use https://'), 'input')
case('input-base-url-space', 'status', hostile_shared(base_url='http://127.0.0.1:9/b/never x'),
     fails('base_url must be a URL without spaces'), 'input')
case('input-customer-id-newline', 'status', hostile_shared(), fails('customer_id must be a GUID'), 'input',
     extra=dict(customer_id=CUSTOMER + '\n'))
case('input-batch-id-not-guid', 'status', hostile_shared(), fails('batch_tracking_id must be a GUID'), 'input',
     extra=dict(batch_tracking_id='../../etc/passwd'))
case('input-tenant-garbage', 'access_token', hostile_shared(tenant_id='contoso/../x'), fails('tenant_id must be'), 'input')
case('input-correlation-id-bad', 'status', hostile_shared(correlation_id='not-a-guid'), fails('correlation_id must be a GUID'), 'input')
case('input-locale-crlf', 'status', hostile_shared(locale='en-US\r\nX: 1'), fails('locale must be a language tag'), 'input')
case('input-bulk-entry-not-guid', 'bulk', hostile_shared(), fails('batches[0]'), 'input',
     extra=dict(batches=[dict(customer_id='nope', batch_tracking_id=BATCH)]))

CSV_CASES = (
    ('csv-fifo', '{TMP}/fifo.csv', 'is a FIFO (named pipe), not a regular file'),
    ('csv-directory', '{TMP}', 'is a directory, not a regular file'),
    ('csv-char-device', '/dev/zero', 'is a character device, not a regular file'),
    ('csv-missing', '{TMP}/missing.csv', 'Cannot read csv_path'),
    ('csv-repeated-column', '{TMP}/repeated.csv', 'names the column Hardware Hash more than once'),
    ('csv-nul-serial', '{TMP}/nul.csv', 'line 2: serial_number holds a control character'),
    ('csv-control-product-key', '{TMP}/control-key.csv', 'line 3: product_key holds a control character'),
    ('csv-control-model', '{TMP}/control-model.csv', 'line 2: model_name holds a control character'),
    ('csv-escape-manufacturer', '{TMP}/escape-manufacturer.csv', 'line 2: oem_manufacturer_name holds a control character'),
    ('csv-binary', '{TMP}/binary.csv', 'is not a Windows Autopilot device CSV'),
)
for case_id, path, message in CSV_CASES:
    case('input-%s' % case_id, 'device_batch', hostile_shared(), fails(message, 'Nothing was uploaded' if 'Cannot' not in message else ''),
         'input', extra=dict(devices=None, csv_path=path))
case('input-devices-nul', 'device_batch', hostile_shared(), fails('devices[0]: serial_number holds a control character'), 'input',
     extra=dict(devices=[dict(serial_number='S\x00', oem_manufacturer_name='C', model_name='M')]))
case('input-csv-content-control', 'device_batch', hostile_shared(), fails('csv_content line 2: serial_number holds a control character'),
     'input', extra=dict(devices=None, csv_content='Device Serial Number,Windows Product ID,Hardware Hash\nA\x1bB,KEY-1,\n'))

# -- a misbehaving server ------------------------------------------------------------------------

# Whole-request timeouts: timeout 2, so at most about 2 s per attempt.
for behaviour in ('drip-headers', 'drip-body', 'stall'):
    for variant in ('status', 'bulk', 'device_batch_info', 'device_batch'):
        case('server-%s-%s' % (behaviour, variant), variant, hostile_shared(api=behaviour),
             fails('did not answer within 2 s (timeout', bound=2 + SLACK), 'server')
    case('server-%s-access-token' % behaviour, 'access_token', hostile_shared(token=behaviour),
         fails('did not answer within 2 s (timeout', bound=2 + SLACK), 'server')
    case('server-%s-status-retries' % behaviour, 'status', hostile_shared(api=behaviour, retries=1),
         fails('did not answer within 2 s (timeout', '(after 1 retry)', bound=2 * 2 + 1 + SLACK), 'server')
case('server-drip-body-wait', 'status_wait', hostile_shared(api='drip-body'), fails('timeout', bound=2 + SLACK), 'server')

SERVER_FAILURES = (
    ('huge-declared', 'body too large to read: it announces 52428800 bytes, the limit is 16 MiB'),
    ('huge-stream', 'body too large to read: it sent more than that'),
    ('deep-json', 'nested too deeply to read'),
    ('html', 'a body that is not JSON (content type text/html'),
    ('empty', 'a body that is not JSON'),
    ('binary', 'a body that is not JSON (content type application/octet-stream'),
    ('truncated', 'closed the connection after 15 of 1000 bytes (truncated body)'),
    ('drop', 'closed the connection without an answer'),
    ('rst', 'closed the connection without an answer'),
    ('garbage', 'cannot reach 127.0.0.1'),
    ('bad-length', '200'),
    ('error-data', 'code 2032: Access denied for this partner. (data: the user lacks the Admin agent role; {"roles": []}; third; and 1 more)'),
    ('code-int', 'code 900403: Forbidden'),
    ('code-object', 'HTTP 400 Bad Request'),
    ('error-deep', 'HTTP 400 Bad Request'),
    ('echo-auth', 'HTTP 400 Bad Request'),
    ('echo-auth-html', 'HTTP 500 Internal Server Error'),
    ('always-500', 'HTTP 500 Internal Server Error'),
    ('always-429', 'HTTP 429 Too Many Requests'),
    ('unauthorized', 'HTTP 401 Unauthorized'),
    ('redirect', 'HTTP 302 Found'),
    ('not-found', 'HTTP 404 Not Found'),
    ('json-list', '200'),
    ('json-string', '200'),
    ('json-null', '200'),
)
for behaviour, message in SERVER_FAILURES:
    case('server-%s-status' % behaviour, 'status', hostile_shared(api=behaviour), fails(message), 'server')
for behaviour, message in SERVER_FAILURES[:12]:
    case('server-%s-bulk' % behaviour, 'bulk', hostile_shared(api=behaviour), fails('2 of 2 batches failed', message), 'server')
    case('server-%s-device-batch-info' % behaviour, 'device_batch_info', hostile_shared(api=behaviour), fails(message), 'server')

case('server-error-data-returned', 'status', hostile_shared(api='error-data'),
     fails('Access denied', error_code='2032', error_data=['the user lacks the Admin agent role', '{"roles": []}', 'third', 'fourth']),
     'server')
case('server-code-int-is-text', 'status', hostile_shared(api='code-int'), fails('900403', error_code='900403'), 'server')
case('server-ok-status', 'status', hostile_shared(api='ok'), succeeds(complete=True), 'server')
case('server-ok-bulk', 'bulk', hostile_shared(api='ok'), succeeds(), 'server')
case('server-ok-device-batch-info', 'device_batch_info', hostile_shared(api='ok'), succeeds(), 'server')
case('server-ok-upload', 'device_batch', hostile_shared(api='upload-ok'), succeeds(changed=True, batch_tracking_id=BATCH), 'server')
case('server-redirect-not-followed', 'status', hostile_shared(api='redirect'), fails('HTTP 302'), 'server')

# Token storms.
case('server-401-bulk-100-batches', 'bulk', hostile_shared(api='unauthorized', token='ok~storm'), fails('100 of 100 batches failed'),
     'server', extra=dict(batches=[dict(customer_id=CUSTOMER, batch_tracking_id=BATCH)] * 100, concurrency=16),
     counters={'t:ok~storm': 2})
case('server-401-single', 'status', hostile_shared(api='unauthorized', token='ok~single401'), fails('HTTP 401'), 'server',
     counters={'t:ok~single401': 2})
case('server-short-token-bulk-50', 'bulk', hostile_shared(api='ok', token='short~short50'), succeeds(), 'server',
     extra=dict(batches=[dict(customer_id=CUSTOMER, batch_tracking_id=BATCH)] * 50), counters={'t:short~short50': 1})

# Uploads: a body the server will not read, an upload that gets no answer.
case('server-upload-reset-large', 'device_batch', hostile_shared(api='upload-reset', retries=3, timeout=10),
     fails('while the request body', 'may be too large', 'It was not sent again', 'MS-RequestId', bound=10 + SLACK), 'server',
     extra=dict(devices=None, csv_path='{TMP}/large.csv'), counters={'b:upload-reset': 2})
case('server-upload-drop', 'device_batch', hostile_shared(api='upload-drop', retries=1),
     fails('what became of it is unknown', 'MS-RequestId', bound=2 + 1 + SLACK), 'server')

# The token endpoint.
TOKEN_FAILURES = (
    ('deep', 'nested too deeply to read'),
    ('html', 'a body that is not JSON'),
    ('list', 'HTTP 200 with a JSON list instead of an object'),
    ('no-token', 'HTTP 200 without an access_token (keys: token_type)'),
    ('desc-list', 'failed: HTTP 400, invalid_client'),
    ('desc-int', 'failed: HTTP 401, 900403'),
    ('desc-object', 'failed: HTTP 401'),
    ('echo-secret', 'AADSTS7000215: Invalid client secret provided: ********'),
    ('unavailable', 'HTTP 503, temporarily_unavailable: AADSTS90033'),
    ('expired-refresh', 'the refresh token expired after 90 days unused'),
    ('crlf-token', 'refused to send'),
    ('huge-declared', 'body too large to read'),
    ('truncated', 'truncated body'),
    ('drop', 'closed the connection without an answer'),
    ('garbage', 'cannot reach 127.0.0.1'),
)
for behaviour, message in TOKEN_FAILURES:
    variant = 'status' if behaviour == 'crlf-token' else 'access_token'
    case('token-%s-%s' % (behaviour, variant), variant, hostile_shared(api='ok', token=behaviour), fails(message), 'token')
    if behaviour in ('deep', 'desc-int', 'echo-secret', 'unavailable'):
        case('token-%s-status' % behaviour, 'status', hostile_shared(api='ok', token=behaviour), fails(message), 'token')
case('token-error-code-is-text', 'access_token', hostile_shared(token='desc-int'), fails('900403', error_code='900403'), 'token')
for behaviour in ('expires-inf', 'expires-nan', 'expires-neg', 'expires-huge', 'expires-text', 'expires-list', 'expires-bignum'):
    case('token-%s' % behaviour, 'access_token', hostile_shared(token=behaviour), succeeds(credential_kind='app-only'), 'token')
    case('token-%s-status' % behaviour, 'status', hostile_shared(api='ok', token=behaviour), succeeds(complete=True), 'token')
case('token-refresh-grant-rotates', 'access_token', hostile_shared(token='ok', refresh_token=HOSTILE_REFRESH_TOKEN),
     succeeds(credential_kind='app+user', has_refresh_token=True), 'token')
case('token-app-only-no-refresh', 'access_token', hostile_shared(token='ok'),
     succeeds(credential_kind='app-only', has_refresh_token=False), 'token')

# -- shaping of odd bodies: a clear failure (naming the field where there is one), never a wrong result --

ODD_BODIES = (
    ('status-list', 'status', 'status'),
    ('status-object', 'status', 'status'),
    ('device-status-list', 'status', 'status'),
    ('devices-status-object', 'status', 'devicesStatus'),
    ('deep-300', 'status', ''),
    ('other-batch', 'status', '99999999-8888-4777-8666-555555555555'),
    ('links-not-object', 'device_batch_info_devices', 'links'),
    ('next-not-object', 'device_batch_info_devices', 'next'),
    ('ctoken-object', 'device_batch_info_devices', 'ontinuationToken'),
    ('ctoken-list', 'device_batch_info_devices', 'ontinuationToken'),
    ('ctoken-float', 'device_batch_info_devices', 'ontinuationToken'),
    ('ctoken-crlf', 'device_batch_info_devices', ''),
    ('endless', 'device_batch_info_devices', ''),
    ('items-not-list', 'device_batch_info', 'items'),
)
for behaviour, variant, message in ODD_BODIES:
    case('shape-%s-%s' % (behaviour, variant), variant, hostile_shared(api=behaviour, timeout=5),
         fails(message, bound=15), 'shape')
# Entries that are not objects are counted and warned about, not a failure: the other entries are still usable.
case('shape-devices-not-objects-status', 'status', hostile_shared(api='devices-not-objects'), succeeds(warns='not an object'), 'shape')
case('shape-items-not-objects-device_batch_info', 'device_batch_info', hostile_shared(api='items-not-objects'),
     succeeds(warns='not an object'), 'shape')
case('shape-status-list-bulk', 'bulk', hostile_shared(api='status-list'), fails('status'), 'shape')
case('shape-status-list-wait', 'status_wait', hostile_shared(api='status-list'), fails('status'), 'shape')

# -- the simulator's faults -------------------------------------------------------------------------


def sim_fault(kind, match='api', count=1, **params):
    """One simulator fault."""
    fault = dict(kind=kind, match=match, count=count)
    fault.update(params)
    return fault


SIM = (
    ('sim-503-then-ok', 'status', [sim_fault('status', status=503, retry_after=0)], succeeds(complete=True)),
    ('sim-429-retry-after', 'status', [sim_fault('status', status=429, retry_after=1)], succeeds(complete=True)),
    ('sim-drop-then-ok', 'status', [sim_fault('drop')], succeeds(complete=True)),
    ('sim-truncated-then-ok', 'status', [sim_fault('truncated')], succeeds(complete=True)),
    ('sim-invalid-json-then-ok', 'status', [sim_fault('invalid_json', status=502)], succeeds(complete=True)),
    ('sim-expire-token-renews', 'status', [sim_fault('expire_token')], succeeds(complete=True)),
    ('sim-500-forever', 'status', [sim_fault('status', status=500, count=-1)], fails('HTTP 500', 'after 3 attempts', bound=2 + 4 + SLACK)),
    ('sim-delay-past-timeout', 'status', [sim_fault('delay', seconds=8, count=-1)],
     fails('did not answer within 1 s', bound=3 * 1 + 4 + SLACK)),
    ('sim-invalid-json-200', 'status', [sim_fault('invalid_json', count=-1)], fails('not JSON', bound=4 + SLACK)),
    ('sim-token-503-forever', 'access_token', [sim_fault('status', match='token', status=503, count=-1)],
     fails('HTTP 503', 'temporarily_unavailable', bound=4 + SLACK)),
    ('sim-token-drop-then-ok', 'access_token', [sim_fault('drop', match='token')], succeeds()),
    ('sim-bulk-503-then-ok', 'bulk', [sim_fault('status', status=503, retry_after=0, count=2)], succeeds()),
    ('sim-info-truncated-then-ok', 'device_batch_info', [sim_fault('truncated')], succeeds()),
    ('sim-info-403-data', 'device_batch_info', [sim_fault('status', status=403, code=2032, body={
        'code': 2032, 'description': 'Denied', 'data': ['no relationship']})], fails('(data: no relationship)')),
)
for case_id, variant, faults, expect in SIM:
    extra = dict(customer_id=harness.DEMO_CUSTOMER_ID) if variant == 'device_batch_info' else None
    case(case_id, variant, sim_shared(timeout=1 if 'delay' in case_id else 5), expect, 'sim', faults=faults, extra=extra)
case('sim-access-token-app-user-rotates', 'access_token', sim_shared('app+user'),
     succeeds(credential_kind='app+user', has_refresh_token=True), 'sim', faults=[])
case('sim-access-token-expired-refresh', 'access_token', sim_shared('app+user', refresh_token=harness.REFRESH_TOKEN_EXPIRED),
     fails('AADSTS700082', 'the refresh token expired after 90 days unused'), 'sim', faults=[])
case('sim-access-token-wrong-secret-visible', 'access_token', sim_shared(client_secret='wrong-secret-DO-NOT-LEAK-0Aa1'),
     fails('invalid_client', 'AADSTS7000215'), 'sim', faults=[])
case('sim-upload-ok', 'device_batch', sim_shared('app+user'), succeeds(changed=True), 'sim', faults=[],
     extra=dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_id='hostile-sim-batch'))
case('sim-upload-drop-replayed', 'device_batch', sim_shared('app+user'), succeeds(changed=True), 'sim',
     faults=[sim_fault('drop', match='(?i)/devicebatches$', after=1)],
     extra=dict(customer_id=harness.DEMO_CUSTOMER_ID, batch_id='hostile-sim-batch-2',
                devices=[dict(serial_number='HOSTILE-0002', oem_manufacturer_name='Contoso', model_name='Laptop 1')]))

# -- the role -------------------------------------------------------------------------------------

ROLE_VARS = dict(wait_for_batch_upload_customer_id=CUSTOMER, wait_for_batch_upload_batch_tracking_id=BATCH,
                 wait_for_batch_upload_retries=1, wait_for_batch_upload_delay=1)
case('role-ok', 'role', hostile_shared(api='ok'), succeeds(), 'role', extra=ROLE_VARS)
case('role-token-unavailable', 'role', hostile_shared(token='unavailable'), fails('AADSTS90033'), 'role', extra=ROLE_VARS)
case('role-token-echo-secret', 'role', hostile_shared(token='echo-secret'), fails('********'), 'role', extra=ROLE_VARS)
case('role-html', 'role', hostile_shared(api='html'), fails('not JSON'), 'role', extra=ROLE_VARS)
case('role-drip', 'role', hostile_shared(api='drip-body'), fails('timeout', bound=2 + QUICK), 'role', extra=ROLE_VARS)
case('role-deep-json', 'role', hostile_shared(api='deep-json'), fails('nested too deeply'), 'role', extra=ROLE_VARS)
case('role-error-data', 'role', hostile_shared(api='error-data'), fails('(data: '), 'role', extra=ROLE_VARS)
case('role-bad-timeout', 'role', hostile_shared(timeout=float('nan')), fails('timeout must be a finite number'), 'role',
     extra=ROLE_VARS)
case('role-userinfo', 'role', hostile_shared(base_url='http://u:%s@127.0.0.1:9' % URL_PASSWORD),
     fails('must not hold user information'), 'role', extra=ROLE_VARS)
case('role-customer-newline', 'role', hostile_shared(token='ok~rolenl'), fails('must be GUIDs'), 'role',
     extra=dict(ROLE_VARS, wait_for_batch_upload_customer_id=CUSTOMER + '\n'), counters={'t:ok~rolenl': 0})
case('role-processing-retries-0', 'role', hostile_shared(api='processing'), fails('processing'), 'role',
     extra=dict(ROLE_VARS, wait_for_batch_upload_retries=0))
case('role-status-list', 'role', hostile_shared(api='status-list'), fails('status'), 'role', extra=ROLE_VARS)

# The module cases that the -vvvv playbook flow runs beside the role's: servers that echo a credential back, a URL with a
# password, tokens issued and rotated. ``env``: the case takes tenant_id, client_id and client_secret from the
# PARTNER_CENTER_* environment (HOSTILE_CLIENT_SECRET) instead of task arguments.
FLOW = (
    ('token-echo-secret-access_token', 'env'),
    ('token-echo-secret-status', 'args'),
    ('server-echo-auth-status', 'env'),
    ('server-echo-auth-html-status', 'args'),
    ('input-base-url-userinfo-status', 'args'),
    ('input-access-token-crlf-device_batch', 'env'),
    ('token-refresh-grant-rotates', 'args'),
    ('sim-access-token-app-user-rotates', 'args'),
    ('sim-upload-ok', 'args'),
)
# The role's cases whose credentials come from the environment (the others give them as module defaults).
ROLE_FROM_ENV = ('role-ok', 'role-token-echo-secret')


def check_unique():
    """Case ids are unique (a duplicate would hide a result)."""
    seen = set()
    for entry in CASES:
        assert entry['id'] not in seen, entry['id']
        seen.add(entry['id'])


check_unique()
