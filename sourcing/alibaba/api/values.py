"""Small field readers: numbers, flags, links, badges and seller data as 1688 sends them."""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from ..timefmt import parse_gateway_time
from .refs import IMAGE_HOST


# --- field readers: the one place where 1688 names meet ours ---
def decimal_or_none(value: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric string, else None (booleans and blanks included)."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def first_decimal(*values: Any) -> Decimal | None:
    """The first of `values` that reads as a Decimal, or None."""
    return next((d for d in map(decimal_or_none, values) if d is not None), None)


def int_or_none(value: Any) -> int | None:
    """An int from a number or numeric string (decimals cut, "12.0" → 12), else None."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip().split(".")[0])
    except ValueError:
        return None


def is_true(value: Any) -> bool:
    """1688 sends flags as booleans or as the strings "true"/"false"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_dict(value: Any) -> dict:
    """`value` when it is a dict, else {} (1688 sends null or a string where an object is due)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """`value` when it is a list, else []."""
    return value if isinstance(value, list) else []


def price_range(value: Any) -> tuple[Decimal | None, Decimal | None]:
    """A price as (low, high): "125-128" gives both ends, "12.5" or 12.5 gives it twice."""
    text = str(value if value is not None else "").strip()
    low_text, dash, high_text = text.partition("-")
    if dash and low_text:
        low, high = decimal_or_none(low_text), decimal_or_none(high_text)
        if low is None or high is None:
            return (low or high), (low or high)
        return min(low, high), max(low, high)
    price = decimal_or_none(text)
    return price, price


def image_url(path: Any, host: str = IMAGE_HOST) -> str:
    """Absolute image URL; 1688 often gives paths relative to its image host."""
    text = str(path or "").strip()
    if not text or text.startswith(("http://", "https://")):
        return text
    if text.startswith("//"):
        return "https:" + text
    return host.rstrip("/") + "/" + text.lstrip("/")


def video_url(value: Any) -> str:
    """A video link as 1688 gives it (absolute or `//…`): an https/http URL, or "" for anything else."""
    text = str(value or "").strip() if isinstance(value, str) else ""
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
        return text if parts.scheme in ("http", "https") and parts.hostname and len(text) <= 500 else ""
    except ValueError:
        return ""


def offer_page_url(offer_id: Any) -> str:
    """The public offer page (spec §11): the link to show when no chat link can be had."""
    text = str(offer_id or "").strip()
    return f"https://detail.1688.com/offer/{text}.html" if text.isascii() and text.isdigit() else ""


detail_url = offer_page_url  # the older name


def absolute_http(value: Any) -> tuple[str, str, SplitResult] | None:
    """(the URL, its host, its parts) when `value` is an absolute http(s) URL; protocol-relative `//host/…`
    is taken as https. None for anything else."""
    text = str(value or "").strip()
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return text, host, parts


def clean_offer_url(url: Any) -> str:
    """A 1688 link without its tracking parameters (`?fromkv=…&kjSource=pc`), or "" when not a link."""
    found = absolute_http(url)
    if found is None:
        return ""
    text, host, parts = found
    if host == "1688.com" or host.endswith(".1688.com"):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return text


def offer_link(offer_id: Any, promotion_url: Any = "") -> str:
    """The offer's page: the cleaned promotion link when 1688 gave a real one, else the plain page."""
    return clean_offer_url(promotion_url) or offer_page_url(offer_id)


def ships_within_hours(guarantee: Any) -> int | None:
    """Hours from the shippingTimeGuarantee enum: shipIn24Hours → 24, shipIn48Hours → 48."""
    found = re.fullmatch(r"shipIn(\d{1,3})Hours", str(guarantee or "").strip())
    return int(found.group(1)) if found else None


def option_name(attribute_id: Any) -> str:
    """The label of a SKU option 1688 gave no name for."""
    text = str(attribute_id or "").strip()
    return f"Option {text}" if text else "Option"


# sellerDataInfo keys → ours (scores are strings "0.0"-"5.0"; repeatPurchasePercent is a fraction in
# detail answers ("0.4666") and a percent in search items ("11")).
SELLER_DATA_KEYS = {
    "compositeServiceScore": "service",
    "logisticsExperienceScore": "logistics",
    "disputeComplaintScore": "dispute",
    "offerExperienceScore": "offer",
    "consultingExperienceScore": "consulting",
    "afterSalesExperienceScore": "after_sales",
    "tradeMedalLevel": "trade_medal_level",
    "repeatPurchasePercent": "repurchase",
    "tpYear": "years",
}
# Identity codes seen in sellerIdentities / offerIdentities / tagInfoList, as buyers know them.
BADGE_WORDS = {
    "powerful_merchants": "实力商家",
    "super_factory": "超级工厂",
    "source_factory": "源头工厂",
    "tp_member": "诚信通",
    "诚信通会员": "诚信通",
    "yx": "严选",
    "isOnePsale": "一件代发",
    "isSelect": "精选货源",
}


def read_seller_data(raw: Any) -> dict[str, str]:
    """sellerDataInfo as {"service": "4.5", "repurchase": "46.66", "years": "3", ...}; repurchase in percent."""
    data = {}
    for key, ours in SELLER_DATA_KEYS.items():
        value = as_dict(raw).get(key)
        if value in (None, "") or isinstance(value, dict | list):
            continue
        if ours == "repurchase":
            number = decimal_or_none(str(value).strip().rstrip("%"))
            if number is None:
                continue
            percent = number * 100 if number <= 1 and "%" not in str(value) and "." in str(value) else number
            value = str(percent.quantize(Decimal("0.01")))
        data[ours] = str(value).strip()
    return data


# The seller identities a buyer weighs (docs/supplier-trust.md); the two factory ones make "verified factory".
SELLER_BADGES = ("超级工厂", "源头工厂", "实力商家", "诚信通")
FACTORY_BADGES = ("超级工厂", "源头工厂")


def badge_word(code: Any) -> str:
    """An identity as buyers know it: `super_factory`, `super_factory-超级工厂` and `超级工厂` all give 超级工厂."""
    text = str(code).strip() if isinstance(code, str | int) and not isinstance(code, bool) else ""
    if text in BADGE_WORDS:
        return BADGE_WORDS[text]
    head, dash, tail = text.partition("-")  # the field table's "code-word" form
    if dash and head in BADGE_WORDS:
        return BADGE_WORDS[head]
    return BADGE_WORDS.get(tail, tail) if dash and tail else text


def read_seller_badges(*lists: Any, tags: Any = None) -> list[str]:
    """Only the seller identities (超级工厂, 源头工厂, 实力商家, 诚信通) among identity lists and tags."""
    return [b for b in read_badges(*lists, tags=tags) if b in SELLER_BADGES]


def read_score(value: Any) -> Decimal | None:
    """A 0-5 rating ("5.0", 4.5) to one decimal, or None."""
    number = decimal_or_none(value)
    return number.quantize(Decimal("0.1")) if number is not None and 0 <= number <= 5 else None


def read_flag(value: Any) -> bool | None:
    """A flag that may be absent: None when not said, else True/False (booleans or "true"/"false")."""
    if value is None or value == "":
        return None
    return is_true(value)


def read_badges(*lists: Any, tags: Any = None) -> list[str]:
    """Identity codes and true tag flags, in words, without repeats."""
    seen: list[str] = []
    codes = [badge_word(c) for values in lists for c in as_list(values) if isinstance(c, str | int)]
    codes += [str(t.get("key")) for t in as_list(tags) if isinstance(t, dict) and is_true(t.get("value"))]
    for code in codes:
        word = BADGE_WORDS.get(code, code)
        if word and word not in seen:
            seen.append(word)
    return seen


def read_listed_at(value: Any) -> datetime | None:
    """1688's createDate ("2024-04-20 08:00:00", Beijing time), or None."""
    try:
        return parse_gateway_time(str(value)) if value else None
    except ValueError:
        return None
