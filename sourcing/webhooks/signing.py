"""Signatures as in the Standard Webhooks specification (what Svix and others send; docs/webhooks.md).

A secret is "whsec_" and the base64 of 24 random bytes; the key is those bytes. Each request carries
`webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(key,
"<id>.<timestamp>.<body>")>`, space-separated when two secrets sign (after a roll). Plain Python: a receiver can
copy `verify`.
"""

import base64
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The signature of one request, without its "v1," prefix."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode("ascii")


def headers(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    signature = " ".join(f"v1,{sign(s, msg_id, timestamp, body)}" for s in secrets_ if s)
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def verify(secret: str, headers_: dict, body: bytes, *, tolerance: int = TOLERANCE_SECONDS, now=None) -> bool:
    """What a receiver does: the timestamp is recent (no replay of an old request) and one v1 signature matches."""
    try:
        msg_id, stamp = headers_["webhook-id"], int(headers_["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - stamp) > tolerance:
        return False
    expected = sign(secret, msg_id, stamp, body)
    return any(
        version == "v1" and hmac.compare_digest(value, expected)
        for version, _comma, value in (part.partition(",") for part in headers_.get("webhook-signature", "").split())
    )
