"""Names the catalog's reads and writes share: an offer's number, a team search's key, where data came from, and
the cache keys that writes retire."""

import hashlib
import json

from portal.cache import forget
from sourcing.connections.models import AppCredential

CATEGORY_OPTIONS_KEY = "catalog:category-options:1"
MAX_OFFER_ID = 2**63 - 1


def offer_number(offer_id) -> int | None:
    """1688's offer id as a positive 64-bit number, or None."""
    text = str(offer_id or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_OFFER_ID else None


def search_key(*, kind: str, query: str = "", remote: dict | None = None, image_sha: str = "") -> str:
    text = json.dumps([kind, query.lower(), remote or {}, image_sha], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def source_of(credential: AppCredential | None) -> str:
    if credential is None:
        return ""
    return "live" if credential.gateway == AppCredential.Gateway.LIVE else "sandbox"


def categories_changed() -> None:
    """Drop the cached category <select>."""
    forget(CATEGORY_OPTIONS_KEY)
