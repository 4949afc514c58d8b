"""Reads of buying: the door to addresses, a list's quotes and runs, and the quoted price beside each list item.

Addresses come through `get_address_for_user` (404 outside the team); quotes and runs only through their
list, itself fetched through `lists.selectors.get_list_for_user`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import User
from sourcing.accounts.selectors import get_team_object_for_user
from sourcing.core.converters import parse_id
from sourcing.lists.models import ProductList
from sourcing.lists.selectors import item_reader
from sourcing.orders.models import (
    DutyRate,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Quote,
    QuoteLine,
    QuoteRun,
    QuoteWatch,
    RateCard,
    Receipt,
    Sample,
    SamplePhoto,
    ShipAddress,
)


# --- the doors ---
def get_address_for_user(user: User, pk) -> ShipAddress:
    """The address if the user is a member of its team (`.membership` set); 404 for anyone else."""
    return get_team_object_for_user(user, ShipAddress.objects.select_related("team"), pk, name="address")


def get_rate_card_for_user(user: User, pk) -> RateCard:
    """The rate card if the user is a member of its team (`.membership` set); 404 for anyone else."""
    return get_team_object_for_user(user, RateCard.objects.select_related("team"), pk, name="rate card")


def get_duty_rate_for_user(user: User, pk) -> DutyRate:
    """The duty rate if the user is a member of its team (`.membership` set); 404 for anyone else."""
    return get_team_object_for_user(user, DutyRate.objects.select_related("team"), pk, name="duty rate")


def get_order_for_user(user: User, pk) -> PurchaseOrder:
    """The purchase order if the user is a member of its team (`.membership` set); 404 for anyone else."""
    return get_team_object_for_user(user, PurchaseOrder.objects.select_related("team", "supplier"), pk, name="order")


def get_sample_for_user(user: User, pk) -> Sample:
    """The sample if the user is a member of its team (`.membership` set); 404 for anyone else."""
    return get_team_object_for_user(
        user, Sample.objects.select_related("team", "list_item__product", "list_item__product_list"), pk, name="sample"
    )


def team_addresses(team_id: int) -> list[ShipAddress]:
    """The team's addresses, the default first."""
    return list(ShipAddress.objects.filter(team_id=team_id).order_by("-is_default", "label", "pk"))


def default_address(team_id: int) -> ShipAddress | None:
    return ShipAddress.objects.filter(team_id=team_id, is_default=True).first()


def get_run_for_list(product_list: ProductList, pk) -> QuoteRun:
    """A run of this list (already opened through the list's door); 404 otherwise."""
    run_id = parse_id(pk)
    run = QuoteRun.objects.filter(pk=run_id, product_list=product_list).first() if run_id else None
    if run is None:
        raise Http404("No such quote run")
    return run


def latest_run(product_list: ProductList) -> QuoteRun | None:
    return QuoteRun.objects.filter(product_list=product_list).order_by("-created_at", "-pk").first()


def watch_of(product_list: ProductList) -> QuoteWatch:
    """The list's buying settings (unsaved defaults when none are kept)."""
    found = QuoteWatch.objects.filter(product_list=product_list).first()
    return found or QuoteWatch(product_list=product_list, drift_percent=Decimal(settings.QUOTE_DRIFT_PERCENT))


def list_quotes(product_list: ProductList) -> list[Quote]:
    """The list's current quotes (those whose lines are still the items' newest), newest first, lines loaded."""
    current = QuoteLine.objects.filter(quote__product_list=product_list, is_current=True).values("quote_id")
    quotes = list(
        Quote.objects.filter(pk__in=current).select_related("supplier", "address").order_by("-quoted_at", "-pk")
    )
    lines = QuoteLine.objects.filter(quote__in=quotes).select_related("product", "sku", "list_item").order_by("pk")
    by_quote: dict[int, list[QuoteLine]] = {}
    for line in lines:
        line.reason_text = reason_words(line.reasons)
        by_quote.setdefault(line.quote_id, []).append(line)
    for quote in quotes:
        quote.all_lines = by_quote.get(quote.pk, [])
        quote.reason_text = reason_words(quote.reasons)
    return quotes


# --- the price beside the listed one ---
@dataclass(frozen=True)
class VerifiedQuote:
    """What the list, compare and exports show of an item's newest quoted option."""

    quote_id: int
    unit_price: Decimal | None
    amount: Decimal | None
    quantity: int
    spec_id: str
    quoted_at: object  # datetime
    orderable: bool
    reasons: tuple
    message: str
    freight: Decimal | None  # the supplier group's, shared by its options
    group_total: Decimal | None
    listed_unit_price: Decimal | None

    @property
    def reason_text(self) -> str:
        return reason_words(self.reasons)


def reason_words(reasons) -> str:
    """Why 1688 would not take an order, in the reader's words: "not enough stock, below the minimum order"."""
    return ", ".join(str(REASON_WORDS.get(r, r)) for r in reasons or ())


REASON_WORDS = {
        "stock": _("not enough stock"),
        "moq": _("below the minimum order"),
        "mixed_batch": _("below the mixed-batch minimum"),
        "not_orderable": _("the offer can't be ordered"),
        "unknown_option": _("1688 no longer has this option"),
        "price": _("the price changed"),
        "no_option": _("no option chosen"),
        "other": _("refused by 1688"),
}  # fmt: skip


@item_reader
def verified_quotes_for_items(team_id: int, items) -> None:
    """Attach `.verified_quote` to each list item: its newest quoted option, or None. One query for all."""
    ids = [item.pk for item in items]
    lines = (
        QuoteLine.objects.filter(list_item_id__in=ids, is_current=True, quote__team_id=team_id)
        .select_related("quote")
        .order_by("-quote__quoted_at", "-pk")
    )
    found: dict[int, VerifiedQuote] = {}
    for line in lines:
        if line.list_item_id in found:
            continue
        quote = line.quote
        found[line.list_item_id] = VerifiedQuote(
            quote_id=quote.pk, unit_price=line.unit_price, amount=line.amount, quantity=line.quantity,
            spec_id=line.spec_id, quoted_at=quote.quoted_at, orderable=line.orderable and quote.orderable,
            reasons=tuple(line.reasons or quote.reasons or ()), message=line.message or quote.message,
            freight=quote.freight, group_total=quote.total, listed_unit_price=line.listed_unit_price,
        )  # fmt: skip
    for item in items:
        item.verified_quote = found.get(item.pk)


# --- samples ---
@dataclass(frozen=True)
class SampleMark:
    """What the list shows of an item's newest sample: its state, in words, and where it is."""

    sample_id: int
    state: str
    label: str
    url: str


@item_reader
def samples_for_items(team_id: int, items) -> None:
    """Attach `.sample` to each list item: a SampleMark of its newest sample, or None. One query for all."""
    from django.urls import reverse

    ids = [item.pk for item in items]
    found: dict[int, SampleMark] = {}
    for sample in Sample.objects.filter(list_item_id__in=ids, team_id=team_id).order_by("-created_at", "-pk"):
        if sample.list_item_id not in found:
            found[sample.list_item_id] = SampleMark(sample.pk, sample.state, str(sample.get_state_display()),
                                                    reverse("sample_detail", args=[sample.pk]))  # fmt: skip
    for item in items:
        item.sample = found.get(item.pk)


def item_samples(item) -> list[Sample]:
    """The item's samples, newest first (the item already came through its door)."""
    return list(Sample.objects.filter(list_item=item, team_id=item.product_list.team_id).order_by("-created_at", "-pk"))


def sample_quotes(sample: Sample) -> list[QuoteLine]:
    """The item's sample quotes (one piece of its option, 1688's sample price where it gives one), newest first."""
    return list(
        QuoteLine.objects.filter(
            list_item_id=sample.list_item_id, quote__run__sample=True, quote__team_id=sample.team_id
        )
        .select_related("quote")
        .order_by("-quote__quoted_at", "-pk")[:5]
    )


def sample_run(sample: Sample) -> QuoteRun | None:
    """The newest sample run of the sample's item (to poll while 1688 is asked)."""
    runs = QuoteRun.objects.filter(product_list_id=sample.list_item.product_list_id, sample=True,
                                   item_ids=[sample.list_item_id])  # fmt: skip
    return runs.order_by("-created_at", "-pk").first()


def get_photo_for_sample(sample: Sample, pk) -> SamplePhoto:
    """A photo of this sample (already opened through its door); 404 otherwise."""
    photo_id = parse_id(pk)
    photo = SamplePhoto.objects.filter(pk=photo_id, sample=sample).first() if photo_id else None
    if photo is None:
        raise Http404("No such photo")
    return photo


def team_sample_orders(sample: Sample) -> list[PurchaseOrder]:
    """The team's sample purchase orders (to link a sample to), newest first."""
    return list(PurchaseOrder.objects.filter(team_id=sample.team_id, kind=PurchaseOrder.Kind.SAMPLE)
                .exclude(state__in=[PurchaseOrder.State.CANCELLED, PurchaseOrder.State.DECLINED,
                                    PurchaseOrder.State.REFUSED])
                .order_by("-created_at", "-pk")[:50])  # fmt: skip


# --- receiving ---
def receiving_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    """The order's lines with `.received`, `.damaged`, `.shortage`, `.over` and `.deliveries` (its receipts)."""
    lines = list(PurchaseOrderLine.objects.filter(order=order).select_related("product", "sku").order_by("pk"))
    receipts: dict[int, list[Receipt]] = {}
    for receipt in (
        Receipt.objects.filter(line__order=order).select_related("received_by").order_by("received_at", "pk")
    ):
        receipts.setdefault(receipt.line_id, []).append(receipt)
    for line in lines:
        line.deliveries = receipts.get(line.pk, [])
        line.received = sum(r.received_quantity for r in line.deliveries)
        line.damaged = sum(r.damaged_quantity for r in line.deliveries)
        line.shortage = max(0, line.quantity - line.received)
        line.over = max(0, line.received - line.quantity)
    return lines


# --- purchase orders ---
def team_orders(team_id: int, state: str = "", limit: int = 200) -> list[PurchaseOrder]:
    """The team's orders, newest first (of one state when given), with their line counts."""
    orders = PurchaseOrder.objects.filter(team_id=team_id).select_related("product_list", "created_by")
    if state:
        orders = orders.filter(state=state)
    return list(orders.annotate(n_lines=Count("lines")).order_by("-created_at", "-pk")[:limit])


def order_page(order: PurchaseOrder) -> dict:
    """What an order's page shows besides the order: its lines, its timeline and its parcels' steps."""
    lines = list(PurchaseOrderLine.objects.filter(order=order).select_related("product", "sku").order_by("pk"))
    events = list(OrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "pk"))
    for event in events:
        event.kind_text = EVENT_WORDS.get(event.kind, event.kind)
    return {"lines": lines, "events": events, "tracking": order.tracking or []}


EVENT_WORDS = {
    "drafted": _("Drafted"),
    "submitted": _("Submitted"),
    "approved": _("Approved"),
    "declined": _("Declined"),
    "placed": _("Placed on 1688"),
    "refused": _("Refused by 1688"),
    "paid": _("Paid"),
    "shipped": _("Shipped"),
    "delivered": _("Delivered"),
    "completed": _("Completed"),
    "trace": _("Parcel"),
    "cancel_asked": _("Cancel asked"),
    "cancel_refused": _("Not cancelled"),
    "cancelled": _("Cancelled"),
    "received": _("Received"),
}
