"""Supplier trust for the pages, compare and exports: one function merges what the portal knows.

A product found by a search knows its seller's trust only from the search item (Product.seller, years
and identities included); once a detail names the supplier, the Supplier row holds it (years, badges,
scores merged from every answer). `trust_for(product)` returns the supplier's values, each gap filled
from the product's snapshot, plus the offer's own rating, dropship price and single-piece flag.
Reading rules: docs/supplier-trust.md.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from sourcing.alibaba.api import FACTORY_BADGES, SELLER_BADGES
from sourcing.catalog.models import Product, Supplier

# sellerDataInfo's sub-scores, in the order 1688's shop page shows them: (key, English, Chinese).
SUB_SCORES = (
    ("offer", _("Goods"), "商品体验"),
    ("logistics", _("Logistics"), "物流体验"),
    ("consulting", _("Replies"), "咨询体验"),
    ("after_sales", _("After-sales"), "售后体验"),
    ("dispute", _("Disputes"), "纠纷解决"),
)


@dataclass(frozen=True)
class SubScore:
    key: str
    label: str
    label_zh: str
    value: Decimal


@dataclass(frozen=True)
class Trust:
    """What a buyer weighs about who sells an offer; None or () where nothing is known yet."""

    years: int | None  # on 1688 (诚信通 years, tpYear)
    badges: tuple[str, ...]  # seller identities in a fixed order: 超级工厂, 源头工厂, 实力商家, 诚信通
    is_factory: bool | None  # 超级工厂 or 源头工厂; None while no identity is known
    service_score: Decimal | None  # compositeServiceScore, 0-5
    repurchase_rate: Decimal | None  # percent
    sub_scores: tuple[SubScore, ...]
    medal_level: int | None  # tradeMedalLevel
    trade_score: Decimal | None  # the offer's rating (tradeScore), 0-5
    consign_price: Decimal | None  # the offer's dropship price (consignPrice)
    one_piece: bool | None  # the offer ships single pieces (isOnePsale)
    from_supplier: bool  # a detail linked the supplier (else only a search item's snapshot is known)

    @property
    def known(self) -> bool:
        """Whether any seller signal is known (the pages say "not known yet" otherwise)."""
        return bool(
            self.years is not None or self.badges or self.service_score is not None
            or self.repurchase_rate is not None or self.sub_scores
        )  # fmt: skip


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().rstrip("%")) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def _badges(*lists) -> tuple[str, ...]:
    """The seller identities of the first list that names any, in SELLER_BADGES order."""
    for values in lists:
        found = tuple(b for b in SELLER_BADGES if b in (values or []))
        if found:
            return found
    return ()


def _trust(supplier: Supplier | None, snapshot: dict, product: Product | None) -> Trust:
    snapshot = snapshot if isinstance(snapshot, dict) else {}
    scores = {**(snapshot.get("scores") or {}), **((supplier.scores if supplier else None) or {})}
    badges = _badges(supplier.badges if supplier else None, snapshot.get("badges"))
    years = supplier.years if supplier is not None and supplier.years is not None else snapshot.get("years")
    if badges:
        factory = any(b in FACTORY_BADGES for b in badges)
    elif product is not None:
        factory = product.seller_factory
    else:
        factory = None
    service = supplier.service_score if supplier is not None else None
    repurchase = supplier.repurchase_rate if supplier is not None else None
    subs = []
    for key, label, label_zh in SUB_SCORES:
        value = _decimal(scores.get(key))
        if value is not None and 0 <= value <= 5:
            subs.append(SubScore(key=key, label=label, label_zh=label_zh, value=value))
    medal = _decimal(scores.get("trade_medal_level"))
    return Trust(
        years=years if isinstance(years, int) else None,
        badges=badges,
        is_factory=factory,
        service_score=service if service is not None else _decimal(snapshot.get("service")),
        repurchase_rate=repurchase if repurchase is not None else _decimal(snapshot.get("repurchase")),
        sub_scores=tuple(subs),
        medal_level=int(medal) if medal is not None and 0 <= medal < 100 else None,
        trade_score=product.trade_score if product is not None else None,
        consign_price=product.consign_price if product is not None else None,
        one_piece=product.one_piece if product is not None else None,
        from_supplier=supplier is not None,
    )


def trust_for(product: Product) -> Trust:
    """The merged trust signals of the product's supplier (the supplier row first, the search snapshot after)."""
    supplier = product.supplier if product.supplier_id else None
    return _trust(supplier, product.seller, product)


def supplier_trust(supplier: Supplier) -> Trust:
    """A supplier's trust signals (its page): the offer-level fields are None."""
    return _trust(supplier, {}, None)
