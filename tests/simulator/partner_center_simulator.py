# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local Microsoft Partner Center simulator for tests and demos: the command line, and the names
tests import (``from partner_center_simulator import PartnerCenterSimulator, load_seed``).

The simulator itself is the package ``pcsim`` beside this file (Python puts a script's folder on
``sys.path``; the tests put tests/simulator there). README.md says where each part lives.
Run ``python partner_center_simulator.py --help`` for the CLI.
"""

import sys

from pcsim import (CODE_ACCESS_DENIED, CODE_APP_USER_REQUIRED, CODE_CONFLICT, CODE_FORBIDDEN, CODE_INVALID_INPUT, CODE_NO_RELATIONSHIP,
                   CODE_NOT_FOUND, CODE_SIMULATOR_BASE, CODE_UNSUPPORTED_MEDIA, DEFAULT_DEVICE_PAGE_SIZE, DEFAULT_SEED_PATH,
                   DEFAULT_TOKEN_LIFETIME, DEFAULT_UPLOAD_RESPONSE, DEFAULT_UPLOAD_STATUSES, DEVICE_ALLOWED_OPERATIONS, DEVICE_PAGING_MODES,
                   ERROR_CATALOGUE, FAULT_KINDS, GUID_RE, MAX_DELAY_SECONDS, NON_FINAL_STATUSES, PARTNER_CENTER_RESOURCE,
                   UPLOAD_ANSWER_STATUSES, UPLOAD_LOCATION_FORMS, PartnerCenterSimulator, is_guid, is_loopback_host, load_seed, main,
                   normalize_fault)

__all__ = [
    "PartnerCenterSimulator", "load_seed", "normalize_fault", "is_loopback_host", "is_guid", "main",
    "DEFAULT_SEED_PATH", "ERROR_CATALOGUE", "FAULT_KINDS", "GUID_RE", "MAX_DELAY_SECONDS", "NON_FINAL_STATUSES",
    "PARTNER_CENTER_RESOURCE", "DEFAULT_TOKEN_LIFETIME", "DEFAULT_DEVICE_PAGE_SIZE", "DEVICE_ALLOWED_OPERATIONS", "DEVICE_PAGING_MODES",
    "DEFAULT_UPLOAD_RESPONSE", "DEFAULT_UPLOAD_STATUSES", "UPLOAD_ANSWER_STATUSES", "UPLOAD_LOCATION_FORMS",
    "CODE_ACCESS_DENIED", "CODE_APP_USER_REQUIRED", "CODE_CONFLICT", "CODE_FORBIDDEN", "CODE_INVALID_INPUT", "CODE_NO_RELATIONSHIP",
    "CODE_NOT_FOUND", "CODE_SIMULATOR_BASE", "CODE_UNSUPPORTED_MEDIA",
]

if __name__ == "__main__":
    sys.exit(main())
