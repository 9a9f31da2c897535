# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local Microsoft Partner Center simulator for tests and demos (standard library only).

One real HTTP/1.1 server on a loopback address answers both the Microsoft Entra ID token endpoint
and the Partner Center REST API, driven by a seed (``seed.json``). Where each part lives and how
to add an endpoint: ``tests/simulator/README.md``.
"""

from .checks import GUID_RE, is_guid
from .cli import main
from .endpoints.batch_status import NON_FINAL_STATUSES
from .endpoints.device_batches import DEFAULT_DEVICE_PAGE_SIZE, DEVICE_ALLOWED_OPERATIONS, DEVICE_PAGING_MODES
from .endpoints.uploads import DEFAULT_UPLOAD_RESPONSE, DEFAULT_UPLOAD_STATUSES, UPLOAD_ANSWER_STATUSES, UPLOAD_LOCATION_FORMS
from .entra_id import DEFAULT_TOKEN_LIFETIME, PARTNER_CENTER_RESOURCE
from .errors import (CODE_ACCESS_DENIED, CODE_APP_USER_REQUIRED, CODE_CONFLICT, CODE_FORBIDDEN, CODE_INVALID_INPUT, CODE_NO_RELATIONSHIP,
                     CODE_NOT_FOUND, CODE_SIMULATOR_BASE, CODE_UNSUPPORTED_MEDIA, ERROR_CATALOGUE)
from .faults import FAULT_KINDS, MAX_DELAY_SECONDS, normalize_fault
from .seed import DEFAULT_SEED_PATH, load_seed
from .simulator import PartnerCenterSimulator, is_loopback_host

__all__ = [
    "PartnerCenterSimulator", "load_seed", "normalize_fault", "is_loopback_host", "is_guid", "main",
    "DEFAULT_SEED_PATH", "ERROR_CATALOGUE", "FAULT_KINDS", "GUID_RE", "MAX_DELAY_SECONDS", "NON_FINAL_STATUSES",
    "PARTNER_CENTER_RESOURCE", "DEFAULT_TOKEN_LIFETIME", "DEFAULT_DEVICE_PAGE_SIZE", "DEVICE_ALLOWED_OPERATIONS", "DEVICE_PAGING_MODES",
    "DEFAULT_UPLOAD_RESPONSE", "DEFAULT_UPLOAD_STATUSES", "UPLOAD_ANSWER_STATUSES", "UPLOAD_LOCATION_FORMS",
    "CODE_ACCESS_DENIED", "CODE_APP_USER_REQUIRED", "CODE_CONFLICT", "CODE_FORBIDDEN", "CODE_INVALID_INPUT", "CODE_NO_RELATIONSHIP",
    "CODE_NOT_FOUND", "CODE_SIMULATOR_BASE", "CODE_UNSUPPORTED_MEDIA",
]
