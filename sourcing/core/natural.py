"""Natural order for option values: 350 ml, 500 ml, 1000 ml, 1.5 L (not 1000 ml, 350 ml, 500 ml).

Full-width digits and letters (５００ｍｌ) are read as their plain forms, Chinese numerals (三件套, 十二寸, 两只装)
as numbers, and a few units of volume and weight (ml/毫升, L/升, g/克, kg/千克/公斤/斤) on one scale, so 1 L
follows 500 ml. Options that are not all numbered (colours: 白色, 黑色) keep 1688's order: sorting those by
code point would only shuffle what the seller arranged.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_MEASURES = "寸只个件套斤升米层码号岁人包瓶支条片双盒箱袋张把台块粒根节对卷克"
_CHINESE_NUMBER = re.compile(f"[{''.join(_DIGITS)}{''.join(_POWERS)}]+(?=[{_MEASURES}]|[^\u4e00-\u9fff]|$)")
_UNIT_WORDS = [("千克", "kg"), ("公斤", "kg"), ("毫升", "ml"), ("厘米", "cm"), ("毫米", "mm")]
_UNITS = {  # unit → (dimension, factor to the base unit)
    "ml": ("v", 1), "毫升": ("v", 1), "l": ("v", 1000), "升": ("v", 1000),
    "g": ("m", 1), "克": ("m", 1), "kg": ("m", 1000), "千克": ("m", 1000), "公斤": ("m", 1000), "斤": ("m", 500),
    "mm": ("d", 1), "毫米": ("d", 1), "cm": ("d", 10), "厘米": ("d", 10), "m": ("d", 1000), "米": ("d", 1000),
}  # fmt: skip
T = TypeVar("T")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")?")


def _chinese_to_int(text: str) -> int:
    """三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105, 两千 → 2000 (simple numerals, as on option labels)."""
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total += (section + digit) * 10000
            section = digit = 0
        else:
            section += (digit or 1) * _POWERS[char]
            digit = 0
    return total + section + digit


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    for word, unit in _UNIT_WORDS:  # before numerals: the 千 of 千克 is a unit, not a thousand
        text = text.replace(word, unit)
    # a numeral only where it counts something (十二寸, 两只装, 三件套, or standing alone), not 一字领 or 百搭
    return _CHINESE_NUMBER.sub(lambda m: str(_chinese_to_int(m.group())), text)


def natural_key(text: str) -> tuple:
    """A sort key: text parts compared as text, numbers as numbers (with their unit's scale)."""
    plain, parts, at = _plain(text), [], 0
    for match in _NUMBER.finditer(plain):
        parts.append((1, plain[at : match.start()].strip(), 0.0))
        dimension, factor = _UNITS.get(match.group(2) or "", ("", 1))
        parts.append((0, dimension, float(match.group(1)) * factor))
        at = match.end()
    parts.append((1, plain[at:].strip(), 0.0))
    return tuple(parts)


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", _plain(text)))


def natural_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """`items` in natural order of key(item) when every one carries a number, else in their own order."""
    items = list(items)
    if len(items) < 2 or not all(has_number(key(item)) for item in items):
        return items
    return sorted(items, key=lambda item: natural_key(key(item)))
