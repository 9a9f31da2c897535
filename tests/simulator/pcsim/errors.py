# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Partner Center's error answers: the error codes, the error body, the throttling body, the catalogue
of device errors (the ``errorCode``/``errorDescription`` of a device in a batch status), and the forms
the seed picks for what sources show in more than one way (``error_code_form``, ``www_authenticate``)."""

import json

from .messages import Response, json_bytes
from .seed import compile_choice

# Partner Center error codes (the "code" of the error body). Where Partner Center's public
# REST error-code table has one, it is used; the others are the simulator's own.
CODE_ACCESS_DENIED = 400          # 401: documented "Access denied"
CODE_NOT_FOUND = 1000             # 404: documented "Not found"
CODE_FORBIDDEN = 2032             # 403: documented "Access denied" (missing role)
CODE_NO_RELATIONSHIP = 20002      # 403: documented "Partner id has no commercial relationship with customer id"
CODE_INVALID_INPUT = 400056       # 400: documented "Invalid input" (headers, path ids, upload bodies, continuation tokens)
CODE_SIMULATOR_BASE = 900000      # 900000 + HTTP status: 405, 406, 409, 415, app-only 403, fault statuses, body errors
CODE_CONFLICT = CODE_SIMULATOR_BASE + 409            # a device batch of that name already exists
CODE_UNSUPPORTED_MEDIA = CODE_SIMULATOR_BASE + 415   # POST body that is not declared as JSON
CODE_APP_USER_REQUIRED = CODE_SIMULATOR_BASE + 403   # app-only token on an upload that needs app+user
# 401 to an app+user call whose token has no MFA claim, enforced since 2026 (Partner Center announcements relayed by
# partners: tagydes.com "MFA enforcement for Partner Center APIs is live", 2026-06-15; cloudcockpit.com "Understanding
# Microsoft MFA requirements", 2026-03). The body is UNCONFIRMED (no Microsoft page shows it): Partner Center's error
# body with the code as a number, the least convenient of its documented forms (the code is documented as a string).
CODE_MFA_REQUIRED = 900421

# The error body's code: Partner Center's error-codes page and the .NET SDK's ApiFault model type it as a string,
# the examples and the simulator's default send a JSON number. Whether the service sends one or the other is UNCONFIRMED.
ERROR_CODE_FORMS = ("number", "string")
# The challenge of a 401: Partner Center's error-codes page shows "WWW-Authenticate: OAuth realm=urn:cpsvc:cpid:{some
# cid}"; "Bearer" (RFC 6750) is what most Microsoft APIs send, UNCONFIRMED for Partner Center. What the cid is, is
# UNCONFIRMED too: the simulator puts the partner's tenant id there.
WWW_AUTHENTICATE_FORMS = ("oauth_realm", "bearer")

# Device error shorthands usable in a seed ("error": "808"). Autopilot documents the
# last three by name only, so they carry no errorCode.
ERROR_CATALOGUE = {
    "806": ("806", "ZtdDeviceAlreadyAssigned"),
    "808": ("808", "ZtdDeviceAssignedToOtherTenant"),
    "ZtdDeviceAlreadyAssigned": ("806", "ZtdDeviceAlreadyAssigned"),
    "ZtdDeviceAssignedToOtherTenant": ("808", "ZtdDeviceAssignedToOtherTenant"),
    "ZtdDeviceDuplicated": (None, "ZtdDeviceDuplicated"),
    "InvalidZtdHardwareHash": (None, "InvalidZtdHardwareHash"),
    "StorageError": (None, "StorageError"),
}


def pc_error(status, code, description, headers, extra_headers=(), data=None):
    """Partner Center's error body ``{"code", "description", "data", "source"}`` with ``headers`` (+ ``extra_headers``)."""
    body = {"code": code, "description": description[:1024], "data": list(data or []), "source": "PartnerFD"}
    return Response(status, json_bytes(body), list(headers) + list(extra_headers))


def throttled_body(seconds):
    """The body of a 429: Partner Center's gateway sends this shape, not the error body."""
    return json_bytes({"statusCode": 429, "message": "Rate limit is exceeded. Try again in %d seconds." % seconds})


def in_seed_form(sim, response):
    """``response`` (an API answer, already built) in the forms the seed picks: the error body's code as a number or a
    string, and a 401's WWW-Authenticate as Partner Center's docs show it or as a Bearer challenge."""
    if response.status == 401 and sim.seed.www_authenticate == "oauth_realm":
        response.headers = [(name, value) if name.lower() != "www-authenticate" else
                            (name, "OAuth realm=urn:cpsvc:cpid:%s" % sim.seed.tenant_id) for name, value in response.headers]
    if sim.seed.error_code_form == "string" and response.action is None and response.status and response.status >= 400:
        try:
            body = json.loads(response.body.decode("utf-8")) if response.body else None
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("code"), int) and not isinstance(body["code"], bool) and "description" in body:
            response.body = json_bytes(dict(body, code=str(body["code"])))
    return response


def compile_seed(raw, seed):
    """``seed.error_code_form`` (default ``number``) and ``seed.www_authenticate`` (default ``oauth_realm``, the documented form)."""
    seed.error_code_form = compile_choice(raw, "error_code_form", ERROR_CODE_FORMS, "number")
    seed.www_authenticate = compile_choice(raw, "www_authenticate", WWW_AUTHENTICATE_FORMS, "oauth_realm")
