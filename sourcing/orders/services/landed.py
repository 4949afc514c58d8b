"""Landed cost: what each item of a list costs delivered, per unit, from goods, freight, duty and VAT.

Per item (rejected items left out): goods (the current verified quote's amount, else the listed unit price at
the quantity), domestic freight (the item's share of its quote's freight, by weight within the supplier group,
else 1688's freight estimate), international freight (the rate card's price per kg × chargeable weight, the
card's minimum charge applied over the whole list, one parcel fee per supplier), duty on CIF (goods + both
freights + parcel fees) and VAT on CIF + duty. Money is Decimal, cents rounded half up, and every split keeps
its sum exact (largest remainder). What is not known is said in words, never counted as 0.
Contract: docs/buying.md, "Landed cost". A pure read: it writes nothing and calls nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from sourcing.catalog.pricing import price_at_quantity
from sourcing.lists.models import ListItem, ProductList
from sourcing.lists.selectors import Converter, item_reader, rate_for
from sourcing.orders.models import DutyRate, FreightEstimate, ItemPacking, QuoteLine, QuoteWatch, RateCard, ShipAddress
from sourcing.orders.regions import PROVINCE_CODES

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    """Round to the cent, half up (¥0.005 → ¥0.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def duty_and_vat(cif: Decimal, duty_percent: Decimal, vat_percent: Decimal) -> tuple[Decimal, Decimal]:
    """Duty on CIF and VAT on CIF + duty, each to the cent."""
    duty = cents(cif * duty_percent / 100)
    return duty, cents((cif + duty) * vat_percent / 100)


def allocate(total: Decimal, weights: list) -> list[Decimal]:
    """Split `total` (rounded to the cent) by `weights` into cents that add up to it exactly.

    Each part gets its exact share rounded down; the cents left over go to the largest remainders (the first
    such part on a tie). All weights zero or unknown: equal parts."""
    if not weights:
        return []
    whole = int((Decimal(total) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    sign, whole = (-1 if whole < 0 else 1), abs(whole)
    clean = [max(Decimal(w or 0), ZERO) for w in weights]
    if not sum(clean):
        clean = [Decimal(1)] * len(weights)
    base = sum(clean)
    exact = [Decimal(whole) * w / base for w in clean]
    parts = [int(e) for e in exact]
    left = whole - sum(parts)
    for i in sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))[:left]:
        parts[i] += 1
    return [(Decimal(sign * p) / 100).quantize(CENT) for p in parts]


def to_cny(amount: Decimal, currency: str) -> Decimal | None:
    """A rate card's amount in yuan at the admins' newest rate (kept as "1 CNY = x"); None without a rate."""
    code = (currency or "CNY").upper()
    if code == "CNY":
        return Decimal(amount)
    rate = rate_for(code)
    if rate is None or not rate.rate:
        return None
    return Decimal(amount) / rate.rate


# --- the estimate's key: the same address, option and quantity ask the same question ---
def area_codes(address: ShipAddress) -> tuple[str, str, str] | None:
    """(province, city, district) codes for product.freight.estimate, or None outside mainland China.

    The address keeps names, not codes: 1688's freight templates price by province, so the estimate is asked
    for the province's first city and district (UNCONFIRMED live: docs/buying.md, "Landed cost")."""
    code = PROVINCE_CODES.get(address.province)
    if not code:
        return None
    return f"{code}0000", f"{code}0100", f"{code}0102"


def estimate_key(address: ShipAddress, item: ListItem, quantity: int) -> str:
    sku = item.sku.sku_id if item.sku_id and item.sku else ""
    sent = [area_codes(address), str(item.product.offer_id), sku, int(quantity)]
    return hashlib.sha256(json.dumps(sent, ensure_ascii=False).encode()).hexdigest()


def list_address(product_list: ProductList) -> ShipAddress | None:
    """Where the list's goods go: its buying settings' address, else the team's default."""
    watch = QuoteWatch.objects.filter(product_list=product_list).select_related("address").first()
    if watch and watch.address_id:
        return watch.address
    return ShipAddress.objects.filter(team_id=product_list.team_id, is_default=True).first()


def list_rate_card(product_list: ProductList) -> RateCard | None:
    """The list's rate card (its buying settings), else the team's default; None when the team keeps none."""
    watch = QuoteWatch.objects.filter(product_list=product_list).select_related("rate_card").first()
    if watch and watch.rate_card_id and watch.rate_card.team_id == product_list.team_id:
        return watch.rate_card
    return RateCard.objects.filter(team_id=product_list.team_id, is_default=True).first()


def item_quantity(item: ListItem) -> int | None:
    """The quantity landed cost is for: the target, else the minimum order; None when neither is known."""
    return item.target_quantity or item.product.moq or None


# --- the result ---
@dataclass
class ItemLanded:
    """One item's landed cost and its parts; a part that is None is unknown and `unknown` says why."""

    item_id: int
    quantity: int | None
    goods: Decimal | None = None
    goods_from: str = ""  # quote | listed
    domestic: Decimal | None = None
    domestic_from: str = ""  # quote | estimate
    international: Decimal | None = None  # price per kg × chargeable weight, the minimum charge's share in
    parcel_fee: Decimal | None = None
    duty: Decimal | None = None
    vat: Decimal | None = None
    duty_percent: Decimal = ZERO
    vat_percent: Decimal = ZERO
    duty_from: str = ""  # list | category | "" (none set: 0)
    chargeable_kg: Decimal | None = None
    by_weight_only: bool = False
    supplier_key: str = ""
    total: Decimal | None = None
    unit: Decimal | None = None
    unit_converted: Decimal | None = None
    total_converted: Decimal | None = None
    unknown: list = field(default_factory=list)  # why the total is not known, in words
    notes: list = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.total is not None

    @property
    def cif(self) -> Decimal | None:
        parts = (self.goods, self.domestic, self.international, self.parcel_fee)
        return None if any(p is None for p in parts) else sum(parts, ZERO)


@dataclass
class ListLanded:
    """A list's landed cost with one rate card: per item, and totals over the items whose cost is known."""

    rate_card: RateCard | None
    converter: Converter
    items: dict = field(default_factory=dict)  # item id → ItemLanded
    total: Decimal = ZERO
    total_converted: Decimal | None = None
    known: int = 0
    unknown: int = 0
    card_missing_rate: bool = False
    notes: list = field(default_factory=list)


# --- the computation ---
def _unit_weight(item, packing: dict) -> Decimal | None:
    own = packing.get(item.pk)
    if own is not None and own.unit_weight_kg:
        return own.unit_weight_kg
    return item.product.weight_kg if item.product.weight_kg and item.product.weight_kg > 0 else None


def _supplier_key(product) -> str:
    return f"s{product.supplier_id}" if product.supplier_id else f"o{product.offer_id}"


def _quote_shares(lines_by_quote: dict, weights_of) -> dict:
    """For each quote, each line's goods and domestic freight: the quote's totals split over its priced lines
    (goods by amount, so a shop discount is shared; freight by weight, by amount when a weight is missing)."""
    shares = {}
    for quote, lines in lines_by_quote.items():
        priced = [x for x in lines if x.amount is not None]
        if not priced or quote.goods is None or quote.freight is None:
            continue
        goods = allocate(quote.goods, [x.amount for x in priced])
        weights = [weights_of(x) for x in priced]
        by_weight = all(w is not None for w in weights)
        freight = allocate(quote.freight, weights if by_weight else [x.amount for x in priced])
        for line, g, f in zip(priced, goods, freight, strict=True):
            shares[line.pk] = (g, f, by_weight)
    return shares


def landed_for_list(product_list: ProductList, *, rate_card: RateCard | None = None) -> ListLanded:
    """The list's landed cost with `rate_card` (None: the list's card, else the team's default)."""
    team = product_list.team
    card = rate_card if rate_card is not None else list_rate_card(product_list)
    result = ListLanded(rate_card=card, converter=Converter.for_team(team))
    items = list(
        product_list.items.exclude(status=ListItem.Status.REJECTED)
        .select_related("product__supplier", "sku")
        .order_by("position", "pk")
    )
    if not items:
        return result
    ids = [i.pk for i in items]
    packing = {p.list_item_id: p for p in ItemPacking.objects.filter(list_item_id__in=ids)}
    newest_last = QuoteLine.objects.filter(list_item_id__in=ids, is_current=True,
                                           quote__team_id=product_list.team_id).order_by("quote__quoted_at", "pk")  # fmt: skip
    current = {x.list_item_id: x for x in newest_last}
    quote_ids = {x.quote_id for x in current.values()}
    lines_by_quote: dict = {}
    all_lines = QuoteLine.objects.filter(quote_id__in=quote_ids).select_related("quote", "product").order_by("pk")
    other_packing = {p.list_item_id: p for p in ItemPacking.objects.filter(
        list_item_id__in={x.list_item_id for x in all_lines if x.list_item_id} - set(ids))}  # fmt: skip
    packing_all = {**other_packing, **packing}
    for line in all_lines:
        lines_by_quote.setdefault(line.quote, []).append(line)

    def line_weight(line):
        own = packing_all.get(line.list_item_id)
        unit = own.unit_weight_kg if own is not None and own.unit_weight_kg else line.product.weight_kg
        return unit * line.quantity if unit and unit > 0 else None

    shares = _quote_shares(lines_by_quote, line_weight)
    address = list_address(product_list)
    estimates = {}
    if address is not None:
        keys = {}
        for item in items:
            quantity = item_quantity(item)
            if quantity:
                keys[estimate_key(address, item, quantity)] = item.pk
        for found in FreightEstimate.objects.filter(list_item_id__in=ids, key__in=list(keys)).order_by("created_at",
                                                                                                       "pk"):  # fmt: skip
            if keys.get(found.key) == found.list_item_id:
                estimates[found.list_item_id] = found  # the newest wins
    duties = {}
    for rate in DutyRate.objects.filter(team_id=product_list.team_id).filter(
        product_list=product_list) | DutyRate.objects.filter(team_id=product_list.team_id,
                                                             category_id__in={i.product.category_id for i in items}):  # fmt: skip
        duties["list" if rate.product_list_id else rate.category_id] = rate

    rows = []
    for item in items:
        row = ItemLanded(item_id=item.pk, quantity=item_quantity(item), supplier_key=_supplier_key(item.product))
        result.items[item.pk] = row
        rows.append((item, row))
        if row.quantity is None:
            row.unknown.append(_("no quantity: set a target quantity (1688 gives no minimum order)"))
        line = current.get(item.pk)
        spec = item.sku.spec_id if item.sku_id and item.sku else ""
        if line is not None and line.pk in shares and line.quantity == row.quantity and line.spec_id == spec:
            row.goods, row.domestic, by_weight = shares[line.pk]
            row.goods_from = row.domestic_from = "quote"
            if not by_weight:
                row.notes.append(_("the quote's freight is shared by amount: not every item's weight is known"))
        else:
            if line is not None and line.pk in shares:
                row.notes.append(_("the verified quote was for another option or quantity: quote the list again"))
            if row.quantity:
                priced = price_at_quantity(item.product, row.quantity, sku=item.sku if item.sku_id else None)
                if priced.total is None:
                    row.unknown.append(_("no price: %(why)s") % {"why": priced.message or _("1688 gives no price")})
                else:
                    row.goods, row.goods_from = priced.total, "listed"
                estimate = estimates.get(item.pk)
                if estimate is not None and estimate.freight is not None:
                    row.domestic, row.domestic_from = estimate.freight, "estimate"
                    # 1688 estimates each offer as its own parcel: a supplier's items sent together cost less
                    row.notes.append(_("freight in China is 1688's estimate for this item alone: quote the list "
                                       "for the freight of each supplier's items together"))  # fmt: skip
                elif estimate is not None:
                    row.unknown.append(_("domestic freight not known: %(why)s") % {"why": estimate.message})
                elif address is None:
                    row.unknown.append(_("domestic freight not known: add a ship-to address"))
                else:
                    row.unknown.append(_("domestic freight not known: quote the list or estimate domestic freight"))
        rate = duties.get("list") or duties.get(item.product.category_id)
        if rate is not None:
            row.duty_percent, row.vat_percent = rate.duty_percent, rate.vat_percent
            row.duty_from = "list" if rate.product_list_id else "category"
        else:
            row.notes.append(_("no duty or VAT rate set for this list or category: counted as 0"))
    _international(result, rows, packing)
    _finish(result, rows)
    return result


def _international(result: ListLanded, rows: list, packing: dict) -> None:
    """Chargeable weight per item, the list's international freight and parcel fees shared by it."""
    card = result.rate_card
    if card is None:
        for _item, row in rows:
            row.unknown.append(_("international freight not known: pick a rate card (or set the team's default)"))
        return
    price, minimum, fee = (to_cny(card.price_per_kg, card.currency), to_cny(card.min_charge, card.currency),
                           to_cny(card.per_parcel_fee, card.currency))  # fmt: skip
    if price is None:
        result.card_missing_rate = True
        for _item, row in rows:
            row.unknown.append(_("international freight not known: no %(c)s rate kept by the admins")
                               % {"c": card.currency})  # fmt: skip
        return
    weighed = []
    for item, row in rows:
        weight = _unit_weight(item, packing)
        own = packing.get(item.pk)
        volume = own.unit_volume_cm3 if own is not None and own.unit_volume_cm3 else None
        if weight is None:
            row.unknown.append(_("international freight not known: no weight (give the weight per unit)"))
            continue
        if row.quantity is None:
            continue
        unit_kg = weight
        if volume is None:
            row.by_weight_only = True
        else:
            unit_kg = max(weight, volume / card.volumetric_divisor)
        row.chargeable_kg = unit_kg * row.quantity
        weighed.append(row)
    if not weighed:
        return
    by_kg = cents(sum((r.chargeable_kg for r in weighed), ZERO) * price)
    total = max(by_kg, cents(minimum))
    if total > by_kg:
        result.notes.append(_("the rate card's minimum charge applies: shared by chargeable weight"))
    for row, part in zip(weighed, allocate(total, [r.chargeable_kg for r in weighed]), strict=True):
        row.international = part
    groups: dict = {}
    for row in weighed:
        groups.setdefault(row.supplier_key, []).append(row)
    for members in groups.values():  # one parcel per supplier
        for row, part in zip(members, allocate(cents(fee), [r.chargeable_kg for r in members]), strict=True):
            row.parcel_fee = part


def _finish(result: ListLanded, rows: list) -> None:
    converter = result.converter
    for _item, row in rows:
        cif = row.cif
        if cif is None or row.quantity is None or row.unknown:
            result.unknown += 1
            continue
        row.duty, row.vat = duty_and_vat(cif, row.duty_percent, row.vat_percent)
        row.total = cif + row.duty + row.vat
        row.unit = cents(row.total / row.quantity)
        row.unit_converted, row.total_converted = converter(row.unit), converter(row.total)
        result.total += row.total
        result.known += 1
    result.total_converted = converter(result.total) if result.known else None


@item_reader
def landed_for_items(team_id: int, items) -> None:
    """Attach `.landed` (an ItemLanded, or None for a rejected item) to each list item: its whole list computed
    once (minimum charges and parcel fees are shared over the list)."""
    by_list: dict[int, list] = {}
    for item in items:
        by_list.setdefault(item.product_list_id, []).append(item)
    for list_id, members in by_list.items():
        product_list = ProductList.objects.select_related("team").filter(pk=list_id, team_id=team_id).first()
        found = landed_for_list(product_list).items if product_list else {}
        for item in members:
            item.landed = found.get(item.pk)
