"""The price of an offer at a quantity, for a chosen option, in its unit: the one rule every page uses.

The product page's calculator, list items and their totals, compare, both exports and price alerts all
ask `price_at_quantity`. How an option's price and the offer's quantity tiers combine follows the
answer's `quoteType` (docs/1688-answers.md, "Price at a quantity"):

* 0 (by quantity) or no options priced: the offer's tier at the quantity; option prices are ignored.
* 1 (by option): the chosen option's own price; tiers do not apply (1688 sends at most the MOQ row).
* 2 (options with quantity tiers): the option's price is its price in the first tier; each further tier
  takes the same share off it as off the offer's first tier (SKU_TIER_RULE = "scale"), or, with
  SKU_TIER_RULE = "tier", the tier's own price whatever the option (UNCONFIRMED which live follows).

With no option chosen on an offer whose options cost different amounts, the quote is the cheapest
option's ("from"), and says so.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
MAX_QUANTITY = 10_000_000

# Attribute names under which 1688 sellers state how many pieces a pack (carton, box, set) holds.
PACK_ATTRIBUTES = ("包装数量", "装箱数", "装箱数量", "每箱数量", "箱装数量", "每盒数量", "每包数量", "每套件数", "件数")
# Units that are themselves one piece: a pack size is not needed to compare them.
PIECE_UNITS = {"个", "件", "只", "支", "条", "把", "双", "台", "张", "根", "顶", "块", "片", "本", "piece", "pcs", "pc"}
# "24", "24个", "24 pcs", "24个/箱": a whole count of pieces, nothing else ("50*40*30cm" and "12.5" are not).
PACK_COUNT = re.compile(
    r"\s*(\d{1,6})\s*(?:个|件|只|支|条|片|双|瓶|袋|pcs?|pieces?)?\s*(?:/\s*\S{1,4})?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class Unit:
    """What one quantity of an offer is: 个, 箱 (carton) …, and how many pieces a pack holds when 1688 says."""

    zh: str = ""
    en: str = ""
    per_pack: int | None = None

    @property
    def known(self) -> bool:
        return bool(self.zh or self.en)

    @property
    def is_piece(self) -> bool:
        return (self.zh or self.en).strip().lower() in PIECE_UNITS

    @property
    def key(self) -> str:
        """What makes two prices comparable: the same unit, or "piece" once a pack size turns a pack into pieces."""
        if self.is_piece or self.per_pack:
            return "piece"
        return (self.zh or self.en).strip().lower()

    def __str__(self) -> str:
        if not self.known:
            return ""
        name = self.zh or self.en
        if self.zh and self.en and self.en != self.zh:
            name = f"{self.zh} ({self.en})"
        if self.per_pack and not self.is_piece:
            name += " " + _("of %(n)s pcs") % {"n": self.per_pack}
        return name

    @property
    def short(self) -> str:
        """The unit in one word for after a number: 个, 箱, or "units" when 1688 did not say."""
        return self.zh or self.en or _("units")


def pack_size(attributes) -> int | None:
    """Pieces per pack from the offer's attributes ("包装数量": "24个"), or None."""
    for row in attributes or []:
        if not isinstance(row, dict) or str(row.get("name") or "").strip() not in PACK_ATTRIBUTES:
            continue
        match = PACK_COUNT.fullmatch(str(row.get("value") or ""))
        if match and 1 < int(match.group(1)) <= 100_000:
            return int(match.group(1))
    return None


def unit_of(product) -> Unit:
    return Unit(zh=product.unit or "", en=product.unit_en or "", per_pack=pack_size(product.attributes))


@dataclass(frozen=True)
class PriceQuote:
    quantity: int
    unit_price: Decimal | None
    total: Decimal | None
    tier_min_quantity: int | None
    below_moq: bool
    message: str = ""
    unit: Unit = field(default_factory=Unit)
    option: str = ""  # the option priced ("绿色 / 500ml"); "" for the whole offer
    is_from: bool = False  # no option chosen on an offer whose options cost different amounts: the cheapest
    tiers: tuple = ()  # ((start quantity, unit price for this option), ...) where quantity tiers apply

    @property
    def piece_price(self) -> Decimal | None:
        """The price of one piece when a pack's size is known, else the unit price."""
        if self.unit_price is None:
            return None
        if self.unit.per_pack and not self.unit.is_piece:
            return (self.unit_price / self.unit.per_pack).quantize(Decimal("0.0001"))
        return self.unit_price


def _tiers(product) -> list[tuple[int, Decimal]]:
    rows = []
    for tier in product.price_tiers or []:
        if not isinstance(tier, dict):
            continue
        try:
            start, price = int(tier.get("min_quantity") or 1), Decimal(str(tier.get("price")))
        except (TypeError, ValueError, InvalidOperation):
            continue
        if price.is_finite() and price >= 0:
            rows.append((start, price))
    return sorted(rows)


def _wanted(quantity) -> int | None:
    try:
        wanted = int(str(quantity).strip())
    except (TypeError, ValueError):
        return None
    return wanted if 0 < wanted <= MAX_QUANTITY else None


def options_differ(product) -> bool:
    """Whether the offer's options are priced differently (its price range is a range across options)."""
    if product.quote_type == 0:
        return False
    if product.quote_type in (1, 2):
        return (
            product.price_min is not None and product.price_max is not None and product.price_min != product.price_max
        )
    # Only a search summary: a range may be options or tiers; with no tiers known it is priced "from" its low end.
    return not _tiers(product) and product.price_min is not None and product.price_max not in (None, product.price_min)


def price_at_quantity(product, quantity, sku=None) -> PriceQuote:
    """The unit price and total at a quantity for the chosen option (or none), tiers and minimum order applied."""
    moq = product.moq or 1
    unit = unit_of(product)
    wanted = _wanted(quantity)
    message = ""
    if wanted is None:
        wanted, message = moq, _("Enter a whole number of pieces; showing the minimum order.")
    below = wanted < moq
    quantity = max(wanted, moq)
    if below:
        message = _("The minimum order is %(moq)s; priced at %(moq)s.") % {"moq": moq}
    tiers = _tiers(product)
    tier = None
    for start, price in tiers:
        if start <= quantity:
            tier = (start, price)
    if tier is None and tiers:
        tier = tiers[0]
    option, is_from = "", False
    option_price = sku.price if sku is not None else None
    if sku is not None:
        option = sku.label
        if option_price is None and (product.quote_type == 1 or not tiers):
            # priced by option, and 1688 gave this one no price: no other option's price stands in for it
            return PriceQuote(quantity=quantity, unit_price=None, total=None, tier_min_quantity=None, below_moq=below,
                              message=_("1688 gave no price for this option."), unit=unit, option=option)  # fmt: skip
    elif options_differ(product):
        option_price, is_from = product.price_min, True
    unit_price, tier_start = _combine(product, tier, tiers, option_price)
    option_tiers = tuple((start, _combine(product, (start, price), tiers, option_price)[0]) for start, price in tiers)
    if tier_start is None:  # the option's own price, tiers do not apply
        option_tiers = ()
    if unit_price is None and product.price_min is not None and not tiers and sku is None:
        unit_price = product.price_min  # only a search summary's price is known
        is_from = is_from or options_differ(product)
    total = (unit_price * quantity).quantize(CENT) if unit_price is not None else None
    if unit_price is None and not message:
        message = _("1688 gave no price for this offer.")
    elif is_from and not message:
        message = _("No option chosen: priced from the cheapest option.")
    return PriceQuote(quantity=quantity, unit_price=unit_price, total=total, tier_min_quantity=tier_start,
                      below_moq=below, message=message, unit=unit, option=option, is_from=is_from,
                      tiers=option_tiers)  # fmt: skip


def _combine(product, tier, tiers, option_price) -> tuple[Decimal | None, int | None]:
    """(unit price, the tier's start quantity or None) by the offer's quote type; see the module's rule."""
    tier_start = tier[0] if tier else None
    if option_price is None or product.quote_type == 0:
        return (tier[1] if tier else None), tier_start
    if product.quote_type == 1 or not tiers:
        return option_price, None
    # quote type 2 (or unknown with both): the option's first-tier price, less the tier's share
    if getattr(settings, "SKU_TIER_RULE", "scale") == "tier":
        return tier[1], tier_start
    first = tiers[0][1]
    if not first:
        return option_price, tier_start
    return (option_price * tier[1] / first).quantize(CENT), tier_start


@dataclass(frozen=True)
class Headline:
    """The big price on a product page and what its range is of."""

    low: Decimal | None
    high: Decimal | None
    basis: str  # "options" | "tiers" | "options_tiers" | "one" | "range" | "unknown"
    lowest_at: int | None = None  # the quantity from which the deepest tier applies
    lowest: Decimal | None = None  # the lowest unit price at the deepest tier


def headline(product) -> Headline:
    """The price range and its basis: across options, across quantity tiers, or both."""
    tiers = _tiers(product)
    low, high = product.price_min, product.price_max
    if low is None and high is None:
        return Headline(None, None, "unknown")
    deepest = tiers[-1] if len(tiers) > 1 and tiers[-1][1] < tiers[0][1] else None
    if options_differ(product):
        if deepest and product.quote_type != 1 and tiers[0][1]:
            scaled = product.quote_type == 2 and getattr(settings, "SKU_TIER_RULE", "scale") != "tier"
            lowest = (low * deepest[1] / tiers[0][1]).quantize(CENT) if scaled else deepest[1]
            return Headline(low, high, "options_tiers", deepest[0], lowest)
        return Headline(low, high, "options")
    if deepest:
        return Headline(deepest[1], tiers[0][1], "tiers", deepest[0], deepest[1])
    if low is None or high is None or low == high:
        return Headline(low if low is not None else high, None, "one")
    return Headline(low, high, "range")  # a range 1688 gave without saying of what
