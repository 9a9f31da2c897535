# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is tried again after a failed answer, and how long to wait before.

Three loops try again, on three time scales, and read the one table below:

- the client (client.py) sends the same request again, with the same MS-RequestId, after a short backoff, at
  most ``retries`` times in a task;
- a wait (batch.py, for ``wait`` and the bulk read) polls again at its next interval, until ``wait_timeout``;
- the event source polls a batch again later, ever more slowly, for as long as it runs (days).

Each also tries again after a timeout, a refused or dropped connection or a truncated body (a TransportError that
says it is ``retryable``).
"""

import email.utils
import random
import time

# Throttling, and faults of the service or of a gateway in front of it: the same request may work a moment later.
# 408: the server stopped waiting for the request, so it did not act on it. All three loops try these again.
TRANSIENT_STATUSES = frozenset((408, 429, 500, 502, 503, 504))

# The request or the caller is wrong (malformed, forbidden, unknown, not allowed, not acceptable, conflicting,
# gone): the same request gets the same answer and spends throttling quota the partner's other tasks share. No
# loop tries these again; the event source stops polling the batch and says so once. Nor is an answer whose body
# cannot be used (a ResponseError: most often a proxy's page or a changed API, which a retry would hide).
PERMANENT_STATUSES = frozenset((400, 403, 404, 405, 406, 409, 410))

# Where the loops differ, and why:
# - 401 from Partner Center: the client asks for a new token and sends the request once more, once per task (a
#   client with a renewal interval, as the event source's, at most once per interval); never after code 900421
#   (no MFA claim: a token from the same refresh token has none either). A 401 for the renewed token means the
#   credential itself is refused, which waiting within a task cannot change: the request fails, and so does a wait.
#   The event source runs for days, across credential fixes and rotations: it polls again later (renewing at most
#   once a minute) and reports the refusal once.
# - A refusal of the token request (Entra ID's 400 or 401: invalid_client, invalid_grant): final for a task, for
#   the same reason; the event source polls again later and reports it once.
# - Any status in neither table (another 4xx, 501, 505, a redirect, which is not followed): the client and a wait
#   stop and report it, so that a task ends with what it met; the event source polls again later, so that a batch
#   is never dropped over an answer no source documents.

# First backoff step in seconds; step n is BACKOFF_BASE * 2**(n-1), drawn with full jitter.
BACKOFF_BASE = 1.0
# No single wait, even one asked for by Retry-After, lasts longer than this.
MAX_RETRY_WAIT = 60.0


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, moment.timestamp() - now)


def backoff_delay(attempt, retry_after=None, rand=random.random):
    """How long to wait before retry number ``attempt`` (1-based).

    The server's Retry-After wins when given; otherwise exponential backoff with full jitter
    (a uniform draw below the exponential step), so that many playbooks throttled together do
    not come back in step. Either way bounded by MAX_RETRY_WAIT.
    """
    if retry_after is not None:
        return min(MAX_RETRY_WAIT, retry_after)
    step = min(MAX_RETRY_WAIT, BACKOFF_BASE * (2 ** (attempt - 1)))
    return step * rand()
