"""Small cleaners the catalog's writers share: a content hash, money and counts in range, a place split in two."""

import hashlib
import json
from decimal import Decimal


def content_hash(value) -> str:
    """A stable digest of JSON-able content (Decimals and datetimes as text)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def money(value: Decimal | None) -> Decimal | None:
    if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        return None
    return value.quantize(Decimal("0.01"))


def count_in_range(value: int | None, limit: int = 2**31 - 1) -> int | None:
    return None if value is None or value < 0 else min(value, limit)


def split_place(text: str) -> tuple[str, str]:
    """ "浙江省 金华市" or "浙江省杭州市" → (province, city)."""
    text = (text or "").strip()
    if " " in text:
        province, _, city = text.partition(" ")
        return province[:40], city.strip()[:60]
    for mark in ("自治区", "省", "市"):
        at = text.find(mark)
        if 0 < at < len(text) - 1:
            return text[: at + len(mark)][:40], text[at + len(mark) :][:60]
    return text[:40], ""
