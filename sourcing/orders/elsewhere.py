"""The same item from other suppliers, delivered (issue 22): each offer's landed unit cost at the team's quantity,
and the list items for which an identical offer is cheaper delivered. A pure read, like services/landed.py.

One offer alone, as landed cost prices a list item before a quote: goods (the listed price at the quantity), freight
in China (the team's newest 1688 freight estimate of that offer at that quantity, else left out and said so),
international freight (the team's default rate card: price per kg × the offer's weight × quantity, the card's
minimum charge, one parcel fee), duty on CIF and VAT on CIF + duty (the team's rate for the offer's category, else
0). Where it can't be computed it says why in a word: no price, no rate card, no exchange rate, no weight.
Lower pages read it through the `buying` template tags and the lists' item reader: catalog never imports orders.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from sourcing.catalog.models import Product, SameItemMember
from sourcing.catalog.pricing import price_at_quantity
from sourcing.catalog.selectors.trust import trust_for
from sourcing.lists.models import ListItem
from sourcing.lists.selectors import item_reader
from sourcing.orders.models import DutyRate, FreightEstimate, RateCard
from sourcing.orders.services.landed import ZERO, cents, duty_and_vat, item_quantity, to_cny


@dataclass
class OfferLanded:
    """One offer's landed cost at a quantity; `why` is the word when it can't be computed."""

    product: Product
    quantity: int
    listed: Decimal | None = None  # the listed unit price at the quantity
    unit: Decimal | None = None  # landed per unit, freight in China included when known
    base: Decimal | None = None  # landed per unit without freight in China (the like-for-like figure)
    domestic_known: bool = False
    why: str = ""


class Landing:
    """What a team lands goods with: its default rate card, its duty rates by category, its freight estimates."""

    def __init__(self, team_id: int):
        self.team_id = team_id
        self._estimates: dict = {}
        self._loaded: set = set()
        self.card = RateCard.objects.filter(team_id=team_id, is_default=True).first()
        self.duties = {d.category_id: d for d in DutyRate.objects.filter(team_id=team_id, category__isnull=False)}
        self._rates = None
        if self.card is not None:
            self._rates = tuple(to_cny(x, self.card.currency) for x in
                                (self.card.price_per_kg, self.card.min_charge, self.card.per_parcel_fee))  # fmt: skip

    def preload(self, product_ids) -> None:
        """Read the team's freight estimates of these offers at once (one query, the newest per offer and quantity)."""
        wanted = set(product_ids) - self._loaded
        if not wanted:
            return
        self._loaded |= wanted
        rows = FreightEstimate.objects.filter(team_id=self.team_id, list_item__product_id__in=wanted,
                                              freight__isnull=False).order_by("created_at", "pk")  # fmt: skip
        for product_id, quantity, freight in rows.values_list("list_item__product_id", "quantity", "freight"):
            self._estimates[(product_id, quantity)] = freight  # the newest wins

    def domestic(self, product: Product, quantity: int) -> Decimal | None:
        """The team's newest 1688 freight estimate of the offer at this quantity (to any of its addresses)."""
        self.preload([product.pk])
        return self._estimates.get((product.pk, quantity))

    def offer(self, product: Product, quantity: int, sku=None) -> OfferLanded:
        quantity = max(1, int(quantity or product.moq or 1))
        row = OfferLanded(product=product, quantity=quantity)
        priced = price_at_quantity(product, quantity, sku=sku)
        row.listed = priced.unit_price
        if priced.total is None:
            row.why = _("no price")
        elif self.card is None:
            row.why = _("no rate card")
        elif self._rates is None or self._rates[0] is None:
            row.why = _("no exchange rate")
        elif not product.weight_kg or product.weight_kg <= 0:
            row.why = _("no weight")
        if row.why:
            return row
        price, minimum, fee = self._rates
        international = max(cents(product.weight_kg * quantity * price), cents(minimum or ZERO)) + cents(fee or ZERO)
        rate = self.duties.get(product.category_id)
        duty_percent, vat_percent = (rate.duty_percent, rate.vat_percent) if rate else (ZERO, ZERO)
        domestic = self.domestic(product, quantity)

        def per_unit(cif: Decimal) -> Decimal:
            return cents((cif + sum(duty_and_vat(cif, duty_percent, vat_percent))) / quantity)

        row.base = per_unit(priced.total + international)
        row.domestic_known = domestic is not None
        row.unit = per_unit(priced.total + international + domestic) if domestic is not None else row.base
        return row


@dataclass
class ElsewhereRow:
    """A row of the product page's "same item from N other suppliers": listed and landed, with trust signals."""

    product: Product
    landed: OfferLanded
    trust: object
    cheaper_by: Decimal | None  # landed per unit, against the product asked about (like for like)
    card: object = None  # the team's scorecard of the supplier (set by the template tag), when it has seen any


def _compare(mine: OfferLanded, theirs: OfferLanded) -> Decimal | None:
    """How much cheaper per unit `theirs` lands than `mine`, like for like (freight in China only when both know it)."""
    if mine.base is None or theirs.base is None:
        return None
    both = mine.domestic_known and theirs.domestic_known
    gap = (mine.unit - theirs.unit) if both else (mine.base - theirs.base)
    return gap if gap > 0 else None


def elsewhere_landed(team_id: int, product: Product, others: list, quantity: int) -> tuple[OfferLanded, list]:
    """The product's own landed cost and each other offer's at `quantity`, cheapest landed first (then listed)."""
    landing = Landing(team_id)
    landing.preload([product.pk, *(o.pk for o in others)])
    mine = landing.offer(product, quantity)
    rows = []
    for other in others:
        theirs = landing.offer(other, quantity)
        rows.append(ElsewhereRow(other, theirs, trust_for(other), _compare(mine, theirs)))
    rows.sort(key=lambda r: (r.landed.unit is None, r.landed.unit or 0, r.landed.listed is None, r.landed.listed or 0,
                             r.product.pk))  # fmt: skip
    return mine, rows


@dataclass
class Cheaper:
    """A cheaper identical offer for a list item: per unit, the saving, and what the comparison counts: `basis`
    "landed" (freight in China included), "landed_base" (before freight in China) or "listed" (landed cost can't be
    computed for one of the two: `why`)."""

    product: Product
    unit: Decimal
    saving: Decimal
    basis: str
    mine: Decimal | None = None  # the item's own offer on the same basis
    why: str = ""

    @property
    def with_domestic(self) -> bool:
        return self.basis == "landed"


def _cheaper(mine: OfferLanded, theirs: OfferLanded) -> Cheaper | None:
    saving = _compare(mine, theirs)
    if mine.base is not None and theirs.base is not None:
        if not saving:
            return None
        both = mine.domestic_known and theirs.domestic_known
        return Cheaper(theirs.product, theirs.unit if both else theirs.base, saving, "landed" if both else "landed_base",
                       mine.unit if both else mine.base)  # fmt: skip
    if mine.listed is None or theirs.listed is None or theirs.listed >= mine.listed:
        return None
    return Cheaper(theirs.product, theirs.listed, mine.listed - theirs.listed, "listed", mine.listed,
                   mine.why or theirs.why)  # fmt: skip


@item_reader
def cheaper_identical_for_items(team_id: int, items) -> None:
    """Attach `.cheaper_identical` (a Cheaper, or None) to each list item: the identical offer (same-item cluster)
    that lands cheapest at the item's quantity, when it lands cheaper than the item's own offer (listed prices
    compared only where landed cost can't be computed, and it says why)."""
    items = [i for i in items if i.status != ListItem.Status.REJECTED]
    for item in items:
        item.cheaper_identical = None
    product_ids = {i.product_id for i in items}
    clusters = dict(SameItemMember.objects.filter(product_id__in=product_ids).values_list("product_id", "cluster_id"))
    if not clusters:
        return
    by_cluster: dict[int, list] = {}
    for other in Product.objects.filter(same_item__cluster_id__in=set(clusters.values()),
                                        status=Product.Status.ACTIVE).select_related("same_item", "supplier"):  # fmt: skip
        by_cluster.setdefault(other.same_item.cluster_id, []).append(other)
    landing = Landing(team_id)
    landing.preload(product_ids | {p.pk for members in by_cluster.values() for p in members})
    for item in items:
        others = [p for p in by_cluster.get(clusters.get(item.product_id), []) if p.pk != item.product_id]
        quantity = item_quantity(item)
        if not others or not quantity:
            continue
        mine = landing.offer(item.product, quantity, sku=item.sku if item.sku_id else None)
        best = None
        for other in others:
            found = _cheaper(mine, landing.offer(other, quantity))
            if found and (best is None or found.saving > best.saving):
                best = found
        item.cheaper_identical = best
