"""Reads of supplier scorecards: what a team has seen of each supplier (docs/buying.md, "Supplier scorecards").

Computed when read, a fixed handful of grouped queries for any number of suppliers: the inputs are the team's own
inquiries, quotes, orders and receipts (other teams' never count) and the public price history of the suppliers'
offers. Nothing here writes.
"""

import statistics
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from sourcing.alibaba.api.trade_shapes import REASONS
from sourcing.catalog.models import PriceHistory, Product, Supplier
from sourcing.inquiries.models import Inquiry
from sourcing.lists.models import ListItem
from sourcing.lists.selectors import item_reader
from sourcing.orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine, QuoteLine, Receipt

ONE = Decimal("0.1")
STOCK_CODES = [code for code, reason in REASONS.items() if reason == "stock"]  # 1688's "not enough stock"


@dataclass(frozen=True)
class Figure:
    """One figure of a scorecard, the number of observations it rests on, and whether that is enough to show it."""

    key: str
    value: Decimal | None  # None: no observation at all
    observations: int
    minimum: int
    detail: str = ""  # "4 answered", shown beside the observations

    @property
    def enough(self) -> bool:
        return self.value is not None and self.observations >= self.minimum

    @property
    def shown(self) -> Decimal | None:
        """The value when it rests on enough observations, else None ("not enough data")."""
        return self.value if self.enough else None


# key, label, unit, which way is better (True: higher), what one observation is
FIGURES = (
    ("reply_rate", _("Reply rate"), "%", True, _("inquiries sent")),
    ("reply_hours", _("Median reply time"), "h", False, _("replies")),
    ("price_variation", _("Price variation"), "%", False, _("offers priced")),
    ("stock_accuracy", _("Stock accuracy"), "%", True, _("quoted options in stock")),
    ("price_drift", _("Quote-to-order drift"), "%", False, _("orders placed")),
    ("on_time", _("Shipped on time"), "%", True, _("orders paid")),
    ("shortage", _("Short"), "%", False, _("pieces ordered")),
    ("damage", _("Damaged"), "%", False, _("pieces received")),
)
HIGHER_IS_BETTER = {key: higher for key, _label, _unit, higher, _obs in FIGURES}


@dataclass
class Scorecard:
    """A team's figures for one supplier; `.figures` in FIGURES order, `.record` the receiving counts."""

    supplier: Supplier
    figures: dict = field(default_factory=dict)
    record: object = None  # SupplierRecord, or None when nothing has been received

    def __getattr__(self, key):  # card.on_time in templates and exports
        figures = self.__dict__.get("figures", {})
        if key in figures:
            return figures[key]
        raise AttributeError(key)

    @property
    def rows(self) -> list[tuple]:
        """(figure, label, unit, what one observation is) in display order."""
        return [(self.figures[k], label, unit, obs) for k, label, unit, _h, obs in FIGURES]

    @property
    def observed(self) -> bool:
        return any(f.observations for f in self.figures.values())


def _percent(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE) if whole else None


def _window():
    now = timezone.now()
    return now, now - timedelta(days=settings.SCORECARD_DAYS), now - timedelta(days=settings.SCORECARD_PRICE_DAYS)


# --- each figure, for many suppliers at once: {supplier_id: Figure} ---
def _replies(team_id, ids, since, minimum) -> tuple[dict, dict]:
    sent: dict[int, int] = {}
    waits: dict[int, list] = {}
    rows = Inquiry.objects.filter(team_id=team_id, supplier_id__in=ids, sent_at__gte=since)
    for supplier_id, sent_at, replied_at in rows.values_list("supplier_id", "sent_at", "replied_at"):
        sent[supplier_id] = sent.get(supplier_id, 0) + 1
        if replied_at is not None and replied_at >= sent_at:
            waits.setdefault(supplier_id, []).append((replied_at - sent_at).total_seconds() / 3600)
    rate, hours = {}, {}
    for sid in ids:
        n, got = sent.get(sid, 0), waits.get(sid, [])
        rate[sid] = Figure("reply_rate", _percent(len(got), n), n, minimum,
                           _("%(n)s answered") % {"n": len(got)})  # fmt: skip
        median = Decimal(str(statistics.median(got))).quantize(ONE) if got else None
        hours[sid] = Figure("reply_hours", median, len(got), minimum)
    return rate, hours


def _price_variation(ids, since, minimum) -> dict:
    """Per offer, the coefficient of variation (population stdev ÷ mean) of its lowest price over the points in
    effect during the window (the one at its start and every change within); the supplier's figure is their mean."""
    start = PriceHistory.objects.filter(product=OuterRef("pk"), at__lt=since, price_min__isnull=False)
    offers = Product.objects.filter(supplier_id__in=ids).annotate(
        start=Subquery(start.order_by("-at", "-pk").values("price_min")[:1])
    )
    points: dict[int, list] = {}
    owner: dict[int, int] = {}
    for pk, supplier_id, price in offers.values_list("pk", "supplier_id", "start"):
        owner[pk] = supplier_id
        points[pk] = [price] if price is not None else []
    changes = PriceHistory.objects.filter(product__supplier_id__in=ids, at__gte=since, price_min__isnull=False)
    for product_id, price in changes.order_by("at", "pk").values_list("product_id", "price_min"):
        points.setdefault(product_id, []).append(price)
    per_supplier: dict[int, list] = {}
    for pk, prices in points.items():
        if prices and sum(prices) > 0:
            per_supplier.setdefault(owner.get(pk), []).append(statistics.pstdev(prices) / statistics.mean(prices))
    out = {}
    for sid in ids:
        cvs = per_supplier.get(sid, [])
        value = (Decimal(sum(cvs)) * 100 / len(cvs)).quantize(ONE) if cvs else None
        out[sid] = Figure("price_variation", value, len(cvs), minimum)
    return out


def _stock_accuracy(team_id, ids, since, minimum) -> dict:
    """Of the team's quoted options where the catalog's stock at the time (the last recorded before the quote)
    covered the quantity, and its orders 1688 refused for stock when placed, the share not refused for stock."""
    stock_then = PriceHistory.objects.filter(
        product=OuterRef("product_id"), at__lte=OuterRef("quote__quoted_at"), stock__isnull=False
    ).order_by("-at", "-pk")
    lines = (
        QuoteLine.objects.filter(
            quote__team_id=team_id, quote__supplier_id__in=ids, quote__quoted_at__gte=since, quote__called=True
        )
        .annotate(stock_then=Subquery(stock_then.values("stock")[:1]))
        .values_list("quote__supplier_id", "quantity", "stock_then", "reasons", "quote__reasons")
    )
    seen: dict[int, int] = {}
    refused: dict[int, int] = {}
    for supplier_id, quantity, stock, reasons, quote_reasons in lines:
        if stock is None or stock < quantity:
            continue
        seen[supplier_id] = seen.get(supplier_id, 0) + 1
        if "stock" in (reasons or quote_reasons or []):
            refused[supplier_id] = refused.get(supplier_id, 0) + 1
    # An order 1688 refused for stock at placement (createCrossOrder's 500_004) is a miss of its own.
    orders = PurchaseOrder.objects.filter(team_id=team_id, supplier_id__in=ids, state=PurchaseOrder.State.REFUSED,
                                          error_code__in=STOCK_CODES, created_at__gte=since)  # fmt: skip
    for supplier_id in orders.values_list("supplier_id", flat=True):
        seen[supplier_id] = seen.get(supplier_id, 0) + 1
        refused[supplier_id] = refused.get(supplier_id, 0) + 1
    out = {}
    for sid in ids:
        n, bad = seen.get(sid, 0), refused.get(sid, 0)
        out[sid] = Figure("stock_accuracy", _percent(n - bad, n), n, minimum,
                          _("%(n)s refused for stock") % {"n": bad})  # fmt: skip
    return out


def _first_event(kind: str) -> Subquery:
    return Subquery(OrderEvent.objects.filter(order=OuterRef("pk"), kind=kind).order_by("at", "pk").values("at")[:1])


def _orders(team_id, ids, since, now, minimum) -> tuple[dict, dict]:
    """Quote-to-order drift (what 1688 charged against the order's quoted total) and shipping on time (shipped
    within the offers' promised hours of payment; an order paid and not shipped past its promise counts late)."""
    promise = (PurchaseOrderLine.objects.filter(order=OuterRef("pk"), product__ships_within_hours__isnull=False)
               .order_by("-product__ships_within_hours").values("product__ships_within_hours")[:1])  # fmt: skip
    paid = OrderEvent.objects.filter(kind="paid", at__gte=since).values("order_id")
    orders = (
        PurchaseOrder.objects.filter(team_id=team_id, supplier_id__in=ids, kind=PurchaseOrder.Kind.ORDER)
        .filter(Q(placed_at__gte=since) | Q(pk__in=paid))
        .annotate(paid_at=_first_event("paid"), shipped_at=_first_event("shipped"), promise=Subquery(promise))
        .values_list("supplier_id", "total", "placed_total", "placed_at", "paid_at", "shipped_at", "promise")
    )
    drifts: dict[int, list] = {}
    timely: dict[int, list] = {}
    for supplier_id, total, charged, placed_at, paid_at, shipped_at, hours in orders:
        if charged is not None and total and placed_at and placed_at >= since:
            drifts.setdefault(supplier_id, []).append((charged - total) * 100 / total)
        if paid_at is None or paid_at < since or hours is None:
            continue
        due = paid_at + timedelta(hours=hours)
        if shipped_at is not None:
            timely.setdefault(supplier_id, []).append(shipped_at <= due)
        elif now > due:
            timely.setdefault(supplier_id, []).append(False)
    drift, on_time = {}, {}
    for sid in ids:
        d, t = drifts.get(sid, []), timely.get(sid, [])
        drift[sid] = Figure("price_drift", (sum(d) / len(d)).quantize(ONE) if d else None, len(d), minimum)
        on_time[sid] = Figure("on_time", _percent(sum(t), len(t)), len(t), minimum,
                              _("%(n)s on time") % {"n": sum(t)})  # fmt: skip
    return drift, on_time


@dataclass(frozen=True)
class SupplierRecord:
    """A team's receiving record with one supplier: orders received in full, and pieces short or damaged."""

    orders_received: int
    orders_with_deliveries: int
    ordered: int  # pieces ordered on the orders that have had deliveries
    received: int
    short: int
    damaged: int

    @property
    def shortage_percent(self) -> Decimal | None:
        return _percent(self.short, self.ordered)

    @property
    def damage_percent(self) -> Decimal | None:
        return _percent(self.damaged, self.received)


def receiving_records(team_id: int, ids, since=None) -> dict[int, SupplierRecord]:
    """What the team has received from each supplier (its own orders only): {supplier_id: record}, none when nothing.

    Counted over every line of the orders that have had a delivery (since `since`): a line nothing arrived of is all
    short."""
    receipts = Receipt.objects.filter(supplier_id__in=ids, line__order__team_id=team_id)
    if since is not None:
        receipts = receipts.filter(received_at__gte=since)
    owner = dict(receipts.values_list("line__order_id", "supplier_id").distinct())
    if not owner:
        return {}
    rows = PurchaseOrderLine.objects.filter(order_id__in=owner).values("pk", "order_id", "quantity", "order__state")
    rows = rows.annotate(received=Sum("receipts__received_quantity"), damaged=Sum("receipts__damaged_quantity"))
    sums: dict[int, dict] = {}
    for r in rows:
        sid, got = owner[r["order_id"]], r["received"] or 0
        s = sums.setdefault(
            sid, {"orders": set(), "full": set(), "ordered": 0, "received": 0, "short": 0, "damaged": 0}
        )
        s["orders"].add(r["order_id"])
        if r["order__state"] == PurchaseOrder.State.RECEIVED:
            s["full"].add(r["order_id"])
        s["ordered"] += r["quantity"]
        s["received"] += got
        s["short"] += max(0, r["quantity"] - got)
        s["damaged"] += r["damaged"] or 0
    return {
        sid: SupplierRecord(len(s["full"]), len(s["orders"]), s["ordered"], s["received"], s["short"], s["damaged"])
        for sid, s in sums.items()
    }


def supplier_record(team_id: int, supplier_id: int) -> SupplierRecord | None:
    """What the team has received from this supplier (all its orders with a delivery), or None when nothing yet."""
    return receiving_records(team_id, [supplier_id]).get(supplier_id)


# --- whole scorecards ---
def _receiving_figures(record: SupplierRecord | None, minimum: int) -> tuple[Figure, Figure]:
    if record is None:
        return Figure("shortage", None, 0, minimum), Figure("damage", None, 0, minimum)
    return (
        Figure("shortage", record.shortage_percent, record.ordered, minimum, _("%(n)s short") % {"n": record.short}),
        Figure("damage", record.damage_percent, record.received, minimum, _("%(n)s damaged") % {"n": record.damaged}),
    )


def scorecards(team_id: int, suppliers) -> dict[int, Scorecard]:
    """The team's scorecard of each supplier: {supplier_id: Scorecard}. Eight queries however many suppliers."""
    suppliers = [s for s in suppliers if s is not None]
    ids = [s.pk for s in suppliers]
    if not ids:
        return {}
    now, since, price_since = _window()
    minimum = settings.SCORECARD_MIN_OBSERVATIONS
    rate, hours = _replies(team_id, ids, since, minimum)
    variation = _price_variation(ids, price_since, minimum)
    stock = _stock_accuracy(team_id, ids, since, minimum)
    drift, on_time = _orders(team_id, ids, since, now, minimum)
    records = receiving_records(team_id, ids, since)
    cards = {}
    for supplier in suppliers:
        sid = supplier.pk
        shortage, damage = _receiving_figures(records.get(sid), minimum)
        found = (rate[sid], hours[sid], variation[sid], stock[sid], drift[sid], on_time[sid], shortage, damage)
        cards[sid] = Scorecard(supplier=supplier, figures={f.key: f for f in found}, record=records.get(sid))
    return cards


def team_suppliers(team_id: int) -> list[Supplier]:
    """Every supplier the team has dealt with (listed an offer of, asked, quoted or ordered from), by name."""
    listed = ListItem.objects.filter(product_list__team_id=team_id).values("product__supplier_id")
    asked = Inquiry.objects.filter(team_id=team_id).values("supplier_id")
    quoted = QuoteLine.objects.filter(quote__team_id=team_id).values("quote__supplier_id")
    ordered = PurchaseOrder.objects.filter(team_id=team_id).values("supplier_id")
    found = Supplier.objects.filter(Q(pk__in=listed) | Q(pk__in=asked) | Q(pk__in=quoted) | Q(pk__in=ordered))
    return list(found.order_by("company_name", "pk")[: settings.SCORECARD_MAX_SUPPLIERS])


def sort_cards(cards: list[Scorecard], key: str, *, worst_first: bool = False) -> list[Scorecard]:
    """By one figure, best first (worst first when asked; drift by its size); without enough data always last."""

    def by_name(card):
        return (str(card.supplier.display_name), card.supplier.pk)

    if key not in HIGHER_IS_BETTER:
        return sorted(cards, key=by_name)
    known = sorted((c for c in cards if c.figures[key].enough), key=by_name)
    unknown = sorted((c for c in cards if not c.figures[key].enough), key=by_name)
    size = abs if key == "price_drift" else (lambda v: v)
    known.sort(key=lambda c: size(c.figures[key].value), reverse=HIGHER_IS_BETTER[key] != worst_first)
    return known + unknown


@item_reader
def scorecards_for_items(team_id: int, items) -> None:
    """Attach `.scorecard` to each list item: the team's scorecard of its offer's supplier, or a false value.

    Lazy: read for all the items at once when a page (compare, exports) first looks, so pages that never show
    scorecards (the list) pay no query."""
    suppliers = {item.product.supplier_id: item.product.supplier for item in items if item.product.supplier_id}
    batch: dict = {}

    def card_of(supplier_id):
        if "cards" not in batch:
            batch["cards"] = scorecards(team_id, list(suppliers.values()))
        return batch["cards"].get(supplier_id)

    for item in items:
        item.scorecard = SimpleLazyObject(partial(card_of, item.product.supplier_id))
