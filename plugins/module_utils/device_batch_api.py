# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Partner Center's device batch API: list batches and their devices, upload devices into a batch."""

import re
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.text_case import snake_case_keys
from ansible_collections.partnercenter.devices.plugins.module_utils.device_errors import is_already_registered
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    ApiError,
    PartnerCenterError,
    ResponseError,
    TransportError,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.paging import read_pages
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import is_guid

# Keys every shaped item carries, even when Partner Center leaves them out.
DEVICE_BATCH_KEYS = ('id', 'created_by', 'creation_date', 'devices_count')
DEVICE_KEYS = ('id', 'serial_number', 'product_key', 'hardware_hash', 'model_name', 'oem_manufacturer_name',
               'uploaded_date')

# The Location of an accepted upload: /customers/{customer-id}/batchJobStatus/{batch-tracking-id}.
_TRACKING_ID_IN_LOCATION = re.compile(r'/batchJobStatus/([^/?#"\s]+)', re.IGNORECASE)

# Partner Center documents creating a batch for app+user credentials only; adding to an existing batch accepts both.
_APP_USER_HINT = (
    'Creating a device batch needs app+user credentials: give refresh_token (PARTNER_CENTER_REFRESH_TOKEN) of a user '
    'with the Admin agent role, with client_id and client_secret.'
)

# What a 404 on the batch list is taken to mean; nothing in Microsoft's sources confirms it.
EMPTY_LIST_404_WARNING = (
    'Partner Center answered 404 to the list of device batches of customer %s; this is read as "the customer has no '
    'device batch yet", which Microsoft does not document. If the customer should have batches, check the customer id '
    'and the partner relationship.'
)


def device_batches_path(customer_id):
    return '/v1/customers/%s/deviceBatches' % urllib.parse.quote(customer_id, safe='')


def batch_devices_path(customer_id, batch_id):
    return '%s/%s/devices' % (device_batches_path(customer_id), urllib.parse.quote(batch_id, safe=''))


def _shape_items(body, keys, skipped, raw=None):
    """The ``items`` of a Partner Center collection page, in snake_case with ``keys`` always present.

    Items that are not objects are left out and counted in ``skipped`` (a one-element list), so the
    caller can say so; the object items as sent are added to ``raw`` when given.
    """
    items = body.get('items') if isinstance(body, dict) else None
    if not isinstance(items, list):
        shown = ', '.join(sorted(str(key) for key in body)) if isinstance(body, dict) else type(body).__name__
        raise ResponseError('Partner Center answered 200 but the body is not a collection with a list of items (got %s)'
                            % (shown or 'an empty object'))
    shaped = []
    for item in items:
        if not isinstance(item, dict):
            skipped[0] += 1
            continue
        if raw is not None:
            raw.append(item)
        item = snake_case_keys(item)
        for key in keys:
            item.setdefault(key, None)
        shaped.append(item)
    return shaped


def _warn_skipped(warn, skipped, what):
    if skipped[0] and warn is not None:
        warn('%s: %d item%s of the answer %s not an object and %s left out.'
             % (what, skipped[0], '' if skipped[0] == 1 else 's', 'is' if skipped[0] == 1 else 'are',
                'is' if skipped[0] == 1 else 'are'))


def list_device_batches(client, customer_id, warn=None):
    """Every device batch of the customer, following every page -> (raw items, shaped items)."""
    path = device_batches_path(customer_id)
    skipped, raw = [0], []
    try:
        batches = read_pages(client, path, 'Partner Center', lambda body: _shape_items(body, DEVICE_BATCH_KEYS, skipped, raw))[0]
    except ApiError as error:
        if error.http_status == 404:
            # Read as "no device batch yet" (the simulator and earlier Partner Center answers do so); said, not hidden.
            if warn is not None:
                warn(EMPTY_LIST_404_WARNING % customer_id)
            return [], []
        raise
    _warn_skipped(warn, skipped, 'GET %s' % path)
    return raw, batches


def list_batch_devices(client, customer_id, batch_id, warn=None):
    """Every device of one batch, following each page (links.next, else the continuation token) -> (shaped devices, pages)."""
    path = batch_devices_path(customer_id, batch_id)
    skipped = [0]
    devices, pages = read_pages(client, path, 'Partner Center', lambda body: _shape_items(body, DEVICE_KEYS, skipped))
    _warn_skipped(warn, skipped, 'GET %s' % path)
    return devices, pages


def find_device_batch(client, customer_id, batch_id, warn=None):
    """The shaped device batch named ``batch_id`` (names compare without regard to case), or None."""
    wanted = batch_id.lower()
    for batch in list_device_batches(client, customer_id, warn)[1]:
        if str(batch.get('id') or '').lower() == wanted:
            return batch
    return None


def tracking_id_from(response):
    """The batch tracking id of an accepted upload, from its Location header or, failing that, its body; None when neither has one.

    The documentation shows a Location header, relative (``/customers/{id}/batchJobStatus/{tracking-id}``)
    or absolute; the REST reference puts the link in the body, and a body may name ``batchTrackingId``.
    """
    body = response.body.decode('utf-8', 'replace')
    for text in (response.header('location'), body):
        match = _TRACKING_ID_IN_LOCATION.search(urllib.parse.unquote(text or ''))
        if match and is_guid(match.group(1)):
            return match.group(1)
    match = _TRACKING_ID_IN_BODY.search(body)
    if match and is_guid(match.group(1)):
        return match.group(1)
    return None


# A body that names the tracking id itself: {"batchTrackingId": "..."}.
_TRACKING_ID_IN_BODY = re.compile(r'"batchTrackingId"\s*:\s*"([^"]+)"', re.IGNORECASE)
# Partner Center's answer to an upload: the REST reference lists 200 and 202; the SDK accepts any 2xx.
ACCEPTED_STATUSES = tuple(range(200, 300))


class UploadOutcomeUnknown(PartnerCenterError):
    """The upload request was sent but no answer settled it: Partner Center may have accepted the devices."""


class CreationMayBeOurs(PartnerCenterError):
    """Creating the batch answered 409 after an attempt whose outcome is unknown (a server fault, a lost answer).

    The batch did not exist when the task listed the batches, so it is most likely the one that attempt created,
    with its devices: the caller reads it and uploads only what it lacks, never the same devices again.
    """


class BatchExistsAlready(PartnerCenterError):
    """Creating the batch answered 409 with no earlier attempt in doubt: the batch exists although the list read before
    did not show it (made meanwhile, or not listed yet). Raised only when the caller reads the batch before adding to it."""


def outcome_unknown(error):
    """True when a failed upload POST may still have been applied: the request went out and no answer settled it.

    The client tells (TransportError.outcome_unknown): it knows whether the body may have been delivered.
    """
    return isinstance(error, TransportError) and bool(error.outcome_unknown)


def _unknown(body, path, why, error):
    count = len(body if isinstance(body, list) else body.get('devices', ()))
    return UploadOutcomeUnknown(
        'The upload of %d device%s to %s may have been accepted by Partner Center: %s (%s). Do not assume it failed: '
        'check the batch with partnercenter.devices.device_batch_info (its devices) before uploading again; a new upload '
        'of devices that were accepted gets error 806 (ZtdDeviceAlreadyAssigned) for them. Give upload_request_id (the '
        'MS-RequestId, Partner Center\'s idempotency key) to Partner Center support if needed.'
        % (count, '' if count == 1 else 's', path, why, error.message),
        http_status=error.http_status, error_code=error.error_code, error_description=error.error_description,
        request_id=error.request_id, correlation_id=error.correlation_id)


def _post_devices(client, path, body, creating=False):
    """POST an upload; UploadOutcomeUnknown when it may have been applied without an answer saying so.

    A 409 to a creation after an attempt whose outcome is unknown is CreationMayBeOurs; without one, the ApiError.
    """
    # An app-only credential refused a creation needs a user's credential: say that first, not the general credentials hint.
    hint = _APP_USER_HINT if creating and getattr(client.auth, 'kind', None) == 'app-only' else None
    try:
        response = client.request('POST', path, body=body, expected=ACCEPTED_STATUSES, refusal_hint=hint)
    except TransportError as error:
        if not outcome_unknown(error):
            raise
        raise _unknown(body, path, 'the request was sent but no answer came back', error) from None
    except ApiError as error:
        if creating and error.http_status == 409 and error.unsettled_attempts:
            raise CreationMayBeOurs(
                'Creating the batch got no settled answer (a server fault or a lost answer), and its retry found the '
                'batch existing (409): %s' % error.message,
                http_status=409, error_code=error.error_code, error_description=error.error_description,
                request_id=error.request_id, correlation_id=error.correlation_id) from None
        if error.http_status is not None and error.http_status >= 500:
            raise _unknown(body, path, 'Partner Center answered with a server fault, which does not say whether the '
                           'request was applied', error) from None
        if error.unsettled_attempts:
            raise _unknown(body, path, 'an earlier attempt of the same request got no settled answer before this refusal',
                           error) from None
        raise
    return response


# upload_devices reads the batch list itself unless the caller has (``existing``).
NOT_READ = object()


def upload_devices(client, customer_id, batch_id, devices, warn=None, existing=NOT_READ, read_on_conflict=False):
    """Upload ``devices`` (Device resources) into the batch named ``batch_id``, creating it when it does not exist.

    ``existing`` is the shaped batch (None: there is none) when the caller has just read the list of batches.

    Returns a dict: batch_id (as Partner Center spells it), created, batch_tracking_id (None when the
    accepted answer names none), location, upload_request_id, http_status of the accepted answer, and
    create_conflict (True when creating answered 409 and every device was added to the batch instead).
    Raises UploadOutcomeUnknown when the request went out and no answer settled it, and CreationMayBeOurs
    when creating the batch answered 409 after such an attempt (device_upload.upload_once reads it then);
    with ``read_on_conflict``, BatchExistsAlready for a 409 without such an attempt, so that the caller reads
    the batch before adding to it.
    """
    if existing is NOT_READ:
        existing = find_device_batch(client, customer_id, batch_id, warn)
    created = existing is None
    conflict = False
    if created:
        try:
            response = _post_devices(client, device_batches_path(customer_id), {'batchId': batch_id, 'devices': devices},
                                     creating=True)
        except ApiError as error:
            if error.http_status != 409:
                raise
            if read_on_conflict:
                raise BatchExistsAlready(
                    'Creating the batch answered 409 (it exists) although the list of batches did not show it: %s' % error.message,
                    http_status=409, error_code=error.error_code, error_description=error.error_description,
                    request_id=error.request_id, correlation_id=error.correlation_id) from None
            # Made meanwhile (or not listed yet), and every device is to be sent: add them to it instead.
            created, conflict = False, True
    else:
        batch_id = existing['id']
    if not created:
        response = _post_devices(client, batch_devices_path(customer_id, batch_id), devices)
    return dict(
        batch_id=batch_id,
        created=created,
        batch_tracking_id=tracking_id_from(response),
        location=response.header('location'),
        upload_request_id=response.request_id,
        upload_http_status=response.status,
        create_conflict=conflict,
    )


def no_tracking_id_message(customer_id, batch_id, upload):
    """What to do when Partner Center accepted an upload without naming its batch tracking id."""
    return ('Partner Center accepted the upload (HTTP %s, MS-RequestId %s) but sent no batch tracking id (no Location header '
            'and none in the body), so its progress cannot be followed here. The devices were sent: list them with '
            'partnercenter.devices.device_batch_info (customer_id %s, batch_id %s) and do not upload them again.'
            % (upload.get('upload_http_status'), upload.get('upload_request_id'), customer_id, batch_id))


_CSV_LINE = re.compile(r' line (\d+)$')


def _identifier(value):
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def pair_device_outcomes(outcomes, sent, origins):
    """Give each device outcome of a batch's status the device it is about; return how they were paired.

    ``outcomes`` are the shaped ``devices_status`` entries (changed in place), ``sent`` the devices as
    uploaded (snake_case), ``origins`` where each came from ("devices[2]", "laptops.csv line 5").
    An outcome is paired by its serial number, else its product key, when exactly one device sent
    not yet paired has it; the others by position when the service returned as many outcomes as
    devices were sent (hash-only devices come back without either). Each outcome gets
    ``upload_index``, ``csv_line`` (for a CSV, else null) and ``paired_by`` (``serial_number``,
    ``product_key``, ``position`` or null). Returns ``identifiers``, ``position``,
    ``identifiers_and_position``, ``partial`` (some outcomes are not paired) or ``none``.
    """
    used = set()
    by_field = {}
    for field in ('serial_number', 'product_key'):
        index = {}
        for position, device in enumerate(sent):
            key = _identifier(device.get(field))
            if key is not None:
                index.setdefault(key, []).append(position)
        by_field[field] = index
    methods = set()
    unpaired = []
    for position, outcome in enumerate(outcomes):
        outcome.update(upload_index=None, csv_line=None, paired_by=None)
        for field in ('serial_number', 'product_key'):
            candidates = [i for i in by_field[field].get(_identifier(outcome.get(field)), ()) if i not in used]
            if _identifier(outcome.get(field)) is not None and len(candidates) == 1:
                outcome.update(upload_index=candidates[0], paired_by=field)
                used.add(candidates[0])
                break
        if outcome['paired_by'] is None:
            unpaired.append(position)
        else:
            methods.add('identifiers')
    if unpaired and len(outcomes) == len(sent):
        for position in unpaired:
            if position not in used:
                outcomes[position].update(upload_index=position, paired_by='position')
                used.add(position)
                methods.add('position')
    for outcome in outcomes:
        if outcome['upload_index'] is not None:
            match = _CSV_LINE.search(origins[outcome['upload_index']])
            outcome['csv_line'] = int(match.group(1)) if match else None
    if not outcomes:
        return 'none'
    if any(outcome['upload_index'] is None for outcome in outcomes):
        return 'partial'
    if methods == set(['identifiers', 'position']):
        return 'identifiers_and_position'
    return methods.pop()


def mark_already_registered(outcomes):
    """Mark each device outcome ``already_registered`` (True for error 806, else False); return the marked ones.

    806 (ZtdDeviceAlreadyAssigned) means the device is registered to this customer already: what a re-run
    gets for a device the batch's listing cannot name (one given by its hardware hash alone), not a failure.
    """
    marked = []
    for outcome in outcomes:
        outcome['already_registered'] = is_already_registered(outcome.get('error_code'), outcome.get('error_description'))
        if outcome['already_registered']:
            marked.append(outcome)
    return marked
