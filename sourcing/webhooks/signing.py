"""Signatures as in the Standard Webhooks specification (what Svix and others send; docs/webhooks.md).

A secret is "whsec_" and the base64 of 24 random bytes; the key is those bytes. Each request carries
`webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(key,
"<id>.<timestamp>.<body>")>`, space-separated when two secrets sign (after a roll). How a receiver checks them:
docs/webhooks.md, "Verifying a delivery" (the tests run that code against these requests).
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


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
