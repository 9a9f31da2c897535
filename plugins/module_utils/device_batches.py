# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Partner Center's device batch API: list batches and their devices, upload devices into a batch."""

import re
import urllib.parse

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import is_guid
from ansible_collections.partnercenter.devices.plugins.module_utils.batch import snake_case_keys
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ApiError, ResponseError

# Keys every shaped item carries, even when Partner Center leaves them out.
DEVICE_BATCH_KEYS = ('id', 'created_by', 'creation_date', 'devices_count')
DEVICE_KEYS = ('id', 'serial_number', 'product_key', 'hardware_hash', 'model_name', 'oem_manufacturer_name',
               'uploaded_date')

CONTINUATION_HEADER = 'MS-ContinuationToken'
# The Location of an accepted upload: /customers/{customer-id}/batchJobStatus/{batch-tracking-id}.
_TRACKING_ID_IN_LOCATION = re.compile(r'/batchJobStatus/([^/?#"\s]+)', re.IGNORECASE)

_APP_USER_HINT = (
    'Partner Center documents device uploads for app+user credentials (the secure application model): '
    'give refresh_token (PARTNER_CENTER_REFRESH_TOKEN) of a user with the Admin agent role, not only client_secret.'
)


def device_batches_path(customer_id):
    return '/v1/customers/%s/deviceBatches' % urllib.parse.quote(customer_id, safe='')


def batch_devices_path(customer_id, batch_id):
    return '%s/%s/devices' % (device_batches_path(customer_id), urllib.parse.quote(batch_id, safe=''))


def _shape_items(body, keys):
    """The ``items`` of a Partner Center collection, raw and in snake_case with ``keys`` always present."""
    items = body.get('items') if isinstance(body, dict) else None
    if not isinstance(items, list):
        shown = ', '.join(sorted(body)) if isinstance(body, dict) else type(body).__name__
        raise ResponseError('Partner Center answered 200 but the body is not a collection with a list of items (got %s)'
                            % (shown or 'an empty object'))
    raw = [item for item in items if isinstance(item, dict)]
    shaped = []
    for item in raw:
        item = snake_case_keys(item)
        for key in keys:
            item.setdefault(key, None)
        shaped.append(item)
    return raw, shaped


def list_device_batches(client, customer_id):
    """Every device batch of the customer -> (raw items, shaped items)."""
    path = device_batches_path(customer_id)
    try:
        return client.get_json(path, 'Partner Center GET %s' % path, shape=lambda body: _shape_items(body, DEVICE_BATCH_KEYS))
    except ApiError as error:
        if error.http_status == 404:
            # Partner Center answers 404 rather than an empty collection for a customer with no device batch.
            return [], []
        raise


def _next_continuation(body):
    """The continuation token of a page: ``continuationToken``, or the header of the ``next`` link."""
    token = body.get('continuationToken')
    if not token:
        next_link = (body.get('links') or {}).get('next') or {}
        for header in next_link.get('headers') or ():
            if isinstance(header, dict) and str(header.get('key', '')).lower() == CONTINUATION_HEADER.lower():
                token = header.get('value')
    return token or None


def list_batch_devices(client, customer_id, batch_id):
    """Every device of one batch, following each continuation page -> (shaped devices, pages)."""
    path = batch_devices_path(customer_id, batch_id)
    devices = []
    seen_tokens = set()
    continuation = None
    pages = 0
    while True:
        headers = {CONTINUATION_HEADER: continuation} if continuation else None
        body, shaped = client.get_json(path, 'Partner Center GET %s (page %d)' % (path, pages + 1),
                                       shape=lambda body: (body, _shape_items(body, DEVICE_KEYS)[1]), headers=headers)
        pages += 1
        devices.extend(shaped)
        continuation = _next_continuation(body)
        if continuation is None:
            return devices, pages
        if continuation in seen_tokens:
            # A service fault must not loop a module forever.
            raise ResponseError('Partner Center GET %s sent the same continuation token twice (page %d); '
                                'stopping after %d devices.' % (path, pages, len(devices)))
        seen_tokens.add(continuation)


def find_device_batch(client, customer_id, batch_id):
    """The shaped device batch named ``batch_id`` (names compare without regard to case), or None."""
    wanted = batch_id.lower()
    for batch in list_device_batches(client, customer_id)[1]:
        if str(batch.get('id') or '').lower() == wanted:
            return batch
    return None


def tracking_id_from(response):
    """The batch tracking id of an accepted upload, from its Location header or, failing that, its body.

    The documentation shows a Location header; the REST reference puts the link in the body.
    """
    for text in (response.header('location'), response.body.decode('utf-8', 'replace')):
        match = _TRACKING_ID_IN_LOCATION.search(urllib.parse.unquote(text or ''))
        if match and is_guid(match.group(1)):
            return match.group(1)
    raise response.annotate(ResponseError(
        'Partner Center accepted the upload (HTTP %d) but sent no batch tracking id: Location %r, body %r'
        % (response.status, response.header('location'), response.excerpt())))


def _post_devices(client, path, body):
    try:
        response = client.request('POST', path, body=body, expected=(202,))
    except ApiError as error:
        if error.http_status == 403 and getattr(client.auth, 'kind', None) == 'app-only':
            error.message += ' ' + _APP_USER_HINT
        raise
    return response


def upload_devices(client, customer_id, batch_id, devices):
    """Upload ``devices`` (Device resources) into the batch named ``batch_id``, creating it when it does not exist.

    Returns a dict: batch_id (as Partner Center spells it), created, batch_tracking_id, location, upload_request_id.
    """
    existing = find_device_batch(client, customer_id, batch_id)
    created = existing is None
    if created:
        try:
            response = _post_devices(client, device_batches_path(customer_id), {'batchId': batch_id, 'devices': devices})
        except ApiError as error:
            if error.http_status != 409:
                raise
            # Created meanwhile by someone else: add to it instead.
            created = False
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
    )
