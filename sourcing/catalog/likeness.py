"""Whether two offers are the same item: picture fingerprints, title words and attributes (no network here).

A picture's fingerprint is a 64-bit difference hash (shape, robust to re-crops, watermarks, colour grading and a
new background) and a 12-bin hue histogram of its saturated pixels (colour: another colour of a line differs).
Resellers edit photos but sell the same goods, so two offers are the same item when their pictures match and
no attribute or size word says otherwise. Thresholds are measured by bench/same_item.py.
"""

import io
import re
from dataclasses import dataclass

from PIL import Image

HASH_SAME = 16  # mean bits apart of the best-matching pictures: at most this is the same photo
HASH_NEAR = 20  # up to this, the same only when the titles agree too
HUE_SAME = 0.36  # histogram distance (0-1): above it, the colours differ
TITLE_NEAR = 0.35
# Attributes that tell one product of a line from another; brand, item number and packing are the shop's own.
LINE_ATTRIBUTES = {
    "尺寸",
    "尺码",
    "规格",
    "颜色",
    "主色",
    "容量",
    "净含量",
    "型号",
    "口味",
    "材质",
    "size",
    "colour",
    "color",
}
SIZE_WORDS = re.compile(r"(加大号|特大号|小号|中号|大号|迷你款?|\d+(?:\.\d+)?\s?(?:ml|cm|mm|kg|g|l|寸|码))", re.I)


@dataclass(frozen=True)
class Print:
    dhash: int
    hues: tuple[float, ...]

    def as_list(self) -> list:
        return [f"{self.dhash:016x}", list(self.hues)]

    @classmethod
    def from_list(cls, raw) -> "Print":
        return cls(int(raw[0], 16), tuple(float(x) for x in raw[1]))


def fingerprint(data: bytes) -> Print:
    """The picture's fingerprint; ValueError when the bytes are not a picture."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (128, 128))  # JPEGs decode small: only a 9x8 and a 32x32 copy are needed
            picture = image.convert("RGB")
    except Exception as error:  # Pillow raises many kinds for bad input
        raise ValueError(f"not a picture: {type(error).__name__}") from None
    small = picture.convert("L").resize((9, 8), Image.Resampling.LANCZOS).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (small[row * 9 + col] > small[row * 9 + col + 1])
    counts, seen = [0] * 12, 0
    for h, s, v in picture.convert("HSV").resize((32, 32)).get_flattened_data():
        if s > 90 and v > 40:  # white backgrounds and grey text carry no colour
            counts[h * 12 // 256] += 1
            seen += 1
    return Print(bits, tuple(round(c / seen, 3) if seen else 0.0 for c in counts))


def hue_distance(a: Print, b: Print) -> float:
    return sum(abs(x - y) for x, y in zip(a.hues, b.hues, strict=True)) / 2


def pictures_apart(ours: list[Print], theirs: list[Print]) -> tuple[float, float]:
    """(mean hash bits, mean hue distance) from each of our pictures to its best match among theirs."""
    if not ours or not theirs:
        return 64.0, 1.0
    bits, hues = [], []
    for mine in ours:
        best = min(theirs, key=lambda other: (mine.dhash ^ other.dhash).bit_count())
        bits.append((mine.dhash ^ best.dhash).bit_count())
        hues.append(hue_distance(mine, best))
    return sum(bits) / len(bits), sum(hues) / len(hues)


def _bigrams(title: str) -> set[str]:
    text = re.sub(r"\s+", "", title.lower())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def title_likeness(a: str, b: str) -> float:
    """Jaccard of character pairs: rewritten titles of one item share the product words."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def size_words(title: str) -> set[str]:
    return {w.lower().replace(" ", "") for w in SIZE_WORDS.findall(title or "")}


def line_attributes(attributes: list[dict]) -> dict[str, str]:
    return {str(a.get("name", "")).strip().lower(): str(a.get("value", "")).strip()
            for a in attributes or [] if str(a.get("name", "")).strip().lower() in LINE_ATTRIBUTES}  # fmt: skip


@dataclass(frozen=True)
class Offer:
    """What the decision reads of an offer."""

    title: str
    category_id: int | None
    attributes: dict[str, str]
    prints: list[Print]


@dataclass(frozen=True)
class Verdict:
    same: bool
    score: float
    method: str  # SameItemMember.Method value, or why not
    bits: float
    hue: float


def conflict(a: Offer, b: Offer) -> str:
    """Why two offers cannot be the same item ("" when nothing says so)."""
    if a.category_id and b.category_id and a.category_id != b.category_id:
        return "category"
    for name, value in a.attributes.items():
        other = b.attributes.get(name)
        if other and value and other != value:
            return f"attribute {name}"
    sizes_a, sizes_b = size_words(a.title), size_words(b.title)
    if sizes_a and sizes_b and not sizes_a & sizes_b:
        return "size"
    return ""


def judge(a: Offer, b: Offer) -> Verdict:
    """Same item or not, with a score from 0 to 1."""
    bits, hue = pictures_apart(a.prints, b.prints)
    score = max(0.0, 1 - bits / 32) * max(0.0, 1 - hue)
    why = conflict(a, b)
    if why:
        return Verdict(False, score, why, bits, hue)
    if hue > HUE_SAME:
        return Verdict(False, score, "colour", bits, hue)
    if bits <= HASH_SAME:
        return Verdict(True, score, "pictures", bits, hue)
    if bits <= HASH_NEAR and title_likeness(a.title, b.title) >= TITLE_NEAR:
        return Verdict(True, score, "pictures_title", bits, hue)
    return Verdict(False, score, "pictures differ", bits, hue)
