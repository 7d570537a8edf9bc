"""Webhook signatures: HMAC-SHA256 over `timestamp + "." + body` with the subscriber's secret.

Headers of every webhook request:

- `X-Registry-Timestamp`: Unix seconds when the request was signed;
- `X-Registry-Signature`: `v1=` + hex HMAC-SHA256(secret, f"{timestamp}.".encode() + body);
- `X-Registry-Message-Id`: the outbox message id (the same on every retry: receivers de-duplicate
  on it).

A receiver recomputes the HMAC over the raw body it received and refuses a timestamp further
than the replay window (default 300 s) from its own clock, so a captured request cannot be
replayed later. `verify_signature` does both; receivers in Python may import it.
"""

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Registry-Timestamp"
SIGNATURE_HEADER = "X-Registry-Signature"
MESSAGE_ID_HEADER = "X-Registry-Message-Id"
SCHEME = "v1"


class SignatureInvalid(ValueError):
    """The request is not signed with the expected secret, or its timestamp is stale."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=<hex>`: the signature header's value for `body` signed at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={digest.hexdigest()}"


def signed_headers(secret: str, body: bytes, *, message_id: int, timestamp: int) -> dict[str, str]:
    """The headers of a webhook request carrying `body`."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        MESSAGE_ID_HEADER: str(message_id),
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> int:
    """Checks a received webhook; returns its timestamp or raises SignatureInvalid.

    `headers` may be any case-insensitive mapping or a plain dict with the canonical names.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    raw_timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    received = lowered.get(SIGNATURE_HEADER.lower())
    if raw_timestamp is None or received is None:
        raise SignatureInvalid("timestamp or signature header missing")
    try:
        timestamp = int(raw_timestamp)
    except ValueError as error:
        raise SignatureInvalid("timestamp is not an integer") from error
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise SignatureInvalid(f"timestamp outside the {tolerance_seconds} s replay window")
    if not hmac.compare_digest(signature(secret, timestamp, body), received):
        raise SignatureInvalid("signature does not match the body")
    return timestamp
