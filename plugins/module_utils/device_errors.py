# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device errors Partner Center and Windows Autopilot report, and what to do about each.

docs/docsite/rst/device-error-codes.rst is the human version of this table, with its sources. Only errors
Microsoft documents are here; anything else gets the generic hint. This module loads on every
status poll: standard library only, and the lookups are built once at import.
"""

import re

DOCS_URL = 'https://github.com/partnercenter/devices/blob/main/docs/docsite/rst/device-error-codes.rst'

# code: Partner Center's errorCode, when one is documented (806 and 808 by Partner Center; 801, 802 and
# 803 by the Autopilot service, not confirmed for Partner Center; the others come with an errorDescription
# and no number). names: the documented spellings of errorDescription; Partner Center says
# ZtdDeviceAssignedToOtherTenant where the Autopilot pages say ...AnotherTenant. source: where it is
# documented (the numbers of the Sources list in docs/docsite/rst/device-error-codes.rst).
SOURCES = {
    'pc-status': 'https://learn.microsoft.com/partner-center/developer/get-the-status-of-a-device-batch-upload',
    'csv-errors': ('https://learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/'
                   'import-windows-autopilot-device-csv-files-errors'),
    'autopilot-add': 'https://learn.microsoft.com/autopilot/add-devices#troubleshooting-registration-failures',
    # Michael Niehaus's blog (then Windows Autopilot product manager), 2019: the Autopilot service's numbered errors.
    'oofhours-2019': 'https://oofhours.com',
}
DEVICE_ERRORS = (
    {
        'code': '806',
        'names': ('ZtdDeviceAlreadyAssigned',),
        'source': ('csv-errors', 'autopilot-add'),
        'meaning': "The device is already registered to this customer's tenant.",
        'remediation': (
            "Already registered to this customer's tenant: look the serial number up in the customer's Windows "
            "Autopilot devices. If it is there, nothing is left to do; do not upload it again. If it is not, a stale "
            "record (for example in Microsoft Store for Business) must be removed first, then upload it again."
        ),
    },
    {
        'code': '808',
        'names': ('ZtdDeviceAssignedToOtherTenant', 'ZtdDeviceAssignedToAnotherTenant'),
        'source': ('pc-status', 'csv-errors', 'autopilot-add'),
        'meaning': 'The device is registered to another tenant.',
        'remediation': (
            'Registered to another tenant: only whoever registered it there (the previous owner, the OEM, or a '
            'reseller or CSP partner) can deregister it; ask them to, then upload it again. If nobody can, Microsoft '
            'support removes the record on proof of ownership (an invoice naming the serial number).'
        ),
    },
    {
        'code': None,
        'names': ('ZtdDeviceDuplicated',),
        'source': ('autopilot-add',),
        'meaning': 'The same hardware hash is more than once in the upload; only one copy was processed.',
        'remediation': (
            'Duplicate hardware hash in this upload: only one copy was processed. Check the outcome of the other copy '
            'of this device, and remove the duplicate from the device list before the next upload.'
        ),
    },
    {
        'code': '802',
        'names': ('InvalidZtdHardwareHash',),
        'source': ('autopilot-add', 'oofhours-2019'),
        'meaning': 'Fields of the hardware hash are invalid or empty; it must include the manufacturer and serial number.',
        'remediation': (
            'Invalid hardware hash: it must include the manufacturer and the serial number. Capture the hash again on '
            'the device (for example with Get-WindowsAutopilotInfo) and upload the new one.'
        ),
    },
    {
        'code': '801',
        'names': ('InvalidZtdRequestBody',),
        'source': ('oofhours-2019',),
        'meaning': 'The Autopilot service could not read the registration request (its body is malformed).',
        'remediation': (
            'Malformed registration request: check that every device has well-formed fields (a base64 hardware hash, '
            'serial numbers and product keys without stray characters) and upload it again. If it persists, open a '
            'Partner Center support request quoting the batch tracking id and the request and correlation ids.'
        ),
    },
    {
        'code': '803',
        'names': ('MissingZtdSerialNumberAndProductKey',),
        'source': ('oofhours-2019',),
        'meaning': 'The device carries neither a serial number nor a product key the service could use.',
        'remediation': (
            'No serial number nor product key: upload the device with its hardware hash and its serial number (or '
            'product key), or capture the hardware hash again on the device so that it includes the serial number. '
            'A blank or placeholder serial number in the firmware is for the OEM to fix.'
        ),
    },
    {
        'code': None,
        'names': ('StorageError',),
        'source': ('autopilot-add',),
        'meaning': 'A generic error on the service side, usually transient.',
        'remediation': (
            'Generic, usually transient service error: upload the device again later. If it persists, open a '
            'Partner Center support request quoting the batch tracking id and the request and correlation ids.'
        ),
    },
)

UNKNOWN_ERROR_HINT = (
    'Not an error the partnercenter.devices catalogue knows: see %s. If it persists, open a Partner Center '
    'support request quoting the batch tracking id%s and the correlation_id and request ids of the task.'
)

_BY_CODE = dict((entry['code'], entry) for entry in DEVICE_ERRORS if entry['code'])
_BY_NAME = dict((name.lower(), entry) for entry in DEVICE_ERRORS for name in entry['names'])
# A name inside a longer description ("808 - ZtdDeviceAssignedToOtherTenant"), not inside a longer word.
_NAME_IN_TEXT = re.compile(r'(?<![A-Za-z0-9])(%s)(?![A-Za-z0-9])' % '|'.join(re.escape(name) for name in _BY_NAME),
                           re.IGNORECASE)


def find_device_error(error_code, error_description):
    """The catalogue entry for a device's errorCode or errorDescription (either case), or None.

    The code wins: it is what Partner Center documents first, and descriptions are free text.
    """
    code = str(error_code).strip() if error_code is not None else ''
    if code in _BY_CODE:
        return _BY_CODE[code]
    description = str(error_description).strip() if error_description is not None else ''
    if not description:
        return None
    entry = _BY_NAME.get(description.lower())
    if entry is None:
        match = _NAME_IN_TEXT.search(description)
        entry = _BY_NAME[match.group(1).lower()] if match else None
    return entry


def remediation_hint(device, batch_tracking_id=None):
    """What to do about a shaped device that carries an error: the catalogue's hint, or the generic one."""
    entry = find_device_error(device.get('error_code'), device.get('error_description'))
    if entry is not None:
        return entry['remediation']
    return UNKNOWN_ERROR_HINT % (DOCS_URL, ' (%s)' % batch_tracking_id if batch_tracking_id else '')


def is_already_registered(error_code, error_description):
    """True for error 806 (ZtdDeviceAlreadyAssigned): the device is registered to this customer's tenant already."""
    entry = find_device_error(error_code, error_description)
    return entry is not None and entry['code'] == '806'
