# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Microsoft Entra ID: the token endpoint (``POST /{tenant}/oauth2/token`` and ``/oauth2/v2.0/token``),
the access and refresh tokens it issues, and its seed part (``resource``, ``token_lifetime_seconds``,
``applications``, ``refresh_tokens``, ``mfa_enforced``). The API checks bearer tokens with :func:`access_token_info`.

An app+user token carries an MFA claim when the consent behind its refresh token was made with MFA (a seed
refresh token's ``mfa``, true unless set to false); a token from a refresh token issued by a refresh-token grant
inherits it: renewing cannot add the claim (Partner Center's MFA enforcement, see errors.CODE_MFA_REQUIRED).

Issued tokens live in ``sim.state.access_tokens`` / ``sim.state.issued_refresh_tokens`` and survive
``reset()``, so a client's cached token keeps working.
"""

import base64
import copy
import re
import secrets
import time
from urllib.parse import parse_qs, unquote

from .checks import is_guid, new_guid, short
from .messages import Response, json_bytes, utc_timestamp

PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"
DEFAULT_TOKEN_LIFETIME = 3599
NON_RESOURCE_SCOPES = ("offline_access", "openid", "profile", "email")
TOKEN_PATH_RE = re.compile(r"^/([^/]+)/oauth2/(v2\.0/)?token/?$", re.IGNORECASE)


# ----------------------------------------------------------------- seed
def compile_seed(raw, seed):
    """The seed's ``resource``, ``token_lifetime_seconds``, ``applications`` and ``refresh_tokens``."""
    seed.resource = str(raw.get("resource", PARTNER_CENTER_RESOURCE)).rstrip("/")
    lifetime = raw.get("token_lifetime_seconds", DEFAULT_TOKEN_LIFETIME)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime < 0:
        raise ValueError("seed: token_lifetime_seconds must be an integer >= 0")
    seed.token_lifetime = lifetime
    mfa_enforced = raw.get("mfa_enforced", True)
    if not isinstance(mfa_enforced, bool):
        raise ValueError("seed: mfa_enforced must be true or false")
    seed.mfa_enforced = mfa_enforced
    seed.applications = {}
    for app in raw.get("applications", []):
        if not app.get("client_id") or not app.get("client_secret"):
            raise ValueError("seed: every application needs client_id and client_secret")
        seed.applications[app["client_id"].lower()] = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    seed.refresh_tokens = {}
    for entry in raw.get("refresh_tokens", []):
        if not entry.get("token"):
            raise ValueError("seed: every refresh token needs a token value")
        if not isinstance(entry.get("mfa", True), bool):
            raise ValueError("seed: refresh token mfa must be true or false")
        seed.refresh_tokens[entry["token"]] = {
            "user": entry.get("user"),
            "roles": list(entry.get("roles", [])),
            "expired": bool(entry.get("expired", False)),
            "revoked": bool(entry.get("revoked", False)),
            "client_id": entry.get("client_id"),
            "mfa": entry.get("mfa", True),
        }
    seed.secret_values = [a["client_secret"] for a in seed.applications.values()] + list(seed.refresh_tokens)


def is_token_path(path):
    return TOKEN_PATH_RE.match(path) is not None


def access_token_info(sim, token):
    """A copy of what the simulator knows of an access token it issued (kind, client_id, user, roles,
    expires_at, expired), or None for a token it did not issue."""
    with sim.lock:
        return copy.deepcopy(sim.state.access_tokens.get(token))


def expire_access_token(sim, token):
    """Mark an issued access token expired (the ``expire_token`` fault)."""
    with sim.lock:
        if token in sim.state.access_tokens:
            sim.state.access_tokens[token]["expired"] = True


# ------------------------------------------------------------- endpoint
def token_endpoint(sim, request, faulted, label):
    """Answer a request to the token endpoint; ``faulted`` is the response of a fault that hit it (or None)."""
    match = TOKEN_PATH_RE.match(request.path)
    tenant = unquote(match.group(1))
    v2 = match.group(2) is not None
    params = _form_params(request)
    basic_id, basic_secret = _basic_credentials(request)
    record = {
        "grant_type": params.get("grant_type"),
        "client_id": params.get("client_id") or basic_id,
        "tenant": tenant,
        "endpoint": "v2.0" if v2 else "v1",
        "resource_or_scope": params.get("scope") if v2 else params.get("resource"),
        "status": None,
        "fault": label,
    }
    if faulted is not None:
        response = faulted
    elif request.method != "POST":
        response = entra_error(request, 400, "invalid_request", 900561,
                               "The endpoint only accepts POST requests. Received a %s request." % request.method, [])
    else:
        response = _token_grant(sim, request, tenant, v2, params, basic_id, basic_secret)
    record["status"] = response.status
    with sim.lock:
        sim.state.stats["token_requests"].append(record)
    return response


def _form_params(request):
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    try:
        parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {key: values[0] for key, values in parsed.items()}


def _basic_credentials(request):
    auth = request.headers.get("Authorization") or ""
    if not auth.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None, None
    if ":" not in decoded:
        return None, None
    client_id, secret = decoded.split(":", 1)
    return unquote(client_id), unquote(secret)


def _token_grant(sim, request, tenant, v2, params, basic_id, basic_secret):
    seed = sim.seed
    hidden = [params.get("client_secret"), params.get("refresh_token"), basic_secret] + seed.secret_values

    def fail(status, error, code, text):
        return entra_error(request, status, error, code, text, hidden)

    if tenant.lower() not in seed.tenant_aliases:
        return fail(400, "invalid_request", 90002,
                    "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. "
                    "Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
                    % short(tenant))
    grant_type = params.get("grant_type")
    if not grant_type:
        return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
    if grant_type not in ("client_credentials", "refresh_token"):
        return fail(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % short(grant_type))
    client_id = params.get("client_id") or basic_id
    if not client_id:
        return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
    app = seed.applications.get(client_id.lower())
    if app is None:
        return fail(400, "unauthorized_client", 700016,
                    "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been "
                    "installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your "
                    "authentication request to the wrong tenant." % (short(client_id), short(tenant)))
    secret = params.get("client_secret") or basic_secret
    bad_secret_text = ("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                       "not the client secret ID, for a secret added to app '%s'." % app["client_id"])
    if grant_type == "client_credentials":
        if not secret:
            return fail(401, "invalid_client", 7000218,
                        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        if not secrets.compare_digest(secret.encode("utf-8"), app["client_secret"].encode("utf-8")):
            return fail(401, "invalid_client", 7000215, bad_secret_text)
        problem = _check_resource(seed, v2, params, grant_type, tenant)
        if problem:
            return fail(*problem)
        return _token_success(sim, request, v2, params, app["client_id"], None)
    refresh_token = params.get("refresh_token")
    if not refresh_token:
        return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'refresh_token'.")
    if secret and not secrets.compare_digest(secret.encode("utf-8"), app["client_secret"].encode("utf-8")):
        return fail(401, "invalid_client", 7000215, bad_secret_text)
    with sim.lock:
        grant = seed.refresh_tokens.get(refresh_token) or sim.state.issued_refresh_tokens.get(refresh_token)
    if grant is None or grant["revoked"] or (grant["client_id"] and grant["client_id"].lower() != client_id.lower()):
        return fail(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
    if grant["expired"]:
        return fail(400, "invalid_grant", 700082,
                    "The refresh token has expired due to inactivity. The token was issued on 2024-01-02T03:04:05.0000000Z "
                    "and was inactive for 90.00:00:00.")
    problem = _check_resource(seed, v2, params, grant_type, tenant)
    if problem:
        return fail(*problem)
    return _token_success(sim, request, v2, params, app["client_id"], grant)


def _check_resource(seed, v2, params, grant_type, tenant):
    """Return (status, error, code, text) when the resource or scope is wrong, else None."""
    not_found = ("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not "
                 "been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent "
                 "your authentication request to the wrong tenant.")
    if not v2:
        resource = params.get("resource")
        if resource is None or resource.rstrip("/").lower() != seed.resource.lower():
            return (400, "invalid_resource", 500011, not_found % (short(resource or "(none)"), short(tenant)))
        return None
    scope = params.get("scope")
    if not scope:
        return (400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
    resource_scopes = [s for s in scope.split() if s.lower() not in NON_RESOURCE_SCOPES]
    if not resource_scopes:
        return (400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid.")
    for item in resource_scopes:
        resource, _sep, permission = item.rpartition("/")
        if resource.lower() != seed.resource.lower():
            return (400, "invalid_resource", 500011, not_found % (short(resource or item), short(tenant)))
        if permission.lower() not in (".default", "user_impersonation"):
            return (400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid.")
    if grant_type == "client_credentials" and (len(resource_scopes) != 1 or not resource_scopes[0].lower().endswith("/.default")):
        return (400, "invalid_scope", 1002012,
                "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default "
                "suffixed to the resource identifier (application ID URI)." % short(scope))
    return None


def _token_success(sim, request, v2, params, client_id, grant):
    lifetime, resource = sim.seed.token_lifetime, sim.seed.resource
    now = time.time()
    access_token = secrets.token_urlsafe(48)
    new_refresh = None
    info = {
        "kind": "app" if grant is None else "app+user",
        "client_id": client_id,
        "user": grant["user"] if grant else None,
        "roles": list(grant["roles"]) if grant else [],
        # Whether the token carries an MFA claim (app+user only; an app-only token has no user to sign in).
        "mfa": bool(grant.get("mfa", True)) if grant else None,
        "expires_at": now + lifetime,
        "expired": False,
    }
    with sim.lock:
        sim.state.access_tokens[access_token] = info
        sim.state.stats["issued_tokens"].append(access_token)
        if grant is not None:
            new_refresh = secrets.token_urlsafe(64)
            sim.state.issued_refresh_tokens[new_refresh] = {
                "user": grant["user"], "roles": list(grant["roles"]), "expired": False, "revoked": False, "client_id": client_id,
                "mfa": grant.get("mfa", True),
            }
            sim.state.stats["issued_refresh_tokens"].append(new_refresh)
    if v2:
        body = {"token_type": "Bearer", "scope": params.get("scope"), "expires_in": lifetime,
                "ext_expires_in": lifetime, "access_token": access_token}
    else:
        body = {"token_type": "Bearer", "expires_in": str(lifetime), "ext_expires_in": str(lifetime),
                "expires_on": str(int(now + lifetime)), "not_before": str(int(now)), "resource": resource,
                "access_token": access_token}
        if grant is not None:
            body["scope"] = "user_impersonation"
    if new_refresh is not None:
        body["refresh_token"] = new_refresh
    return Response(200, json_bytes(body), _entra_headers(request, new_guid()))


def _entra_headers(request, trace_id):
    headers = [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache"), ("x-ms-request-id", trace_id)]
    client_request_id = request.headers.get("client-request-id")
    if is_guid(client_request_id):
        headers.append(("client-request-id", client_request_id))
    return headers


def _scrub(text, hidden):
    """Remove every non-empty string in ``hidden`` from ``text``."""
    for value in hidden:
        if value:
            text = text.replace(value, "***")
    return text


def entra_error(request, status, error, code, text, hidden):
    """An Entra ID error answer (``error``, ``error_description`` with AADSTS code, trace and correlation ids ...);
    no string in ``hidden`` appears in it."""
    trace_id = new_guid()
    client_request_id = request.headers.get("client-request-id")
    correlation_id = client_request_id if is_guid(client_request_id) else new_guid()
    timestamp = utc_timestamp()
    description = "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
        code, _scrub(text, hidden), trace_id, correlation_id, timestamp)
    body = {
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": "https://login.microsoftonline.com/error?code=%d" % code,
    }
    return Response(status, json_bytes(body), _entra_headers(request, trace_id))
