"""Receiving: what arrived of each option of a purchase order, in one delivery or several, kept for the supplier.

A buyer (or above) records per line the pieces received, how many of them are damaged, and a note; each
delivery is its own `Receipt`. The shortage is what was ordered less what has arrived so far; more than ordered
is kept (and flagged on the page), never refused. When every line has arrived in full, the order becomes
"received" by one conditional UPDATE, so two people finishing the last line at once write one event.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import User
from sourcing.orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine, Receipt
from sourcing.orders.services.addresses import BuyingError
from sourcing.orders.services.events import order_status_emit
from sourcing.orders.services.samples import clean_note, require_buyer, samples_arrived

State = PurchaseOrder.State
RECEIVABLE = (State.PLACED, State.PAID, State.SHIPPED, State.RECEIVED)
QUANTITY_MAX = 10_000_000


@dataclass(frozen=True)
class Delivery:
    """One line's part of a delivery, as the person typed it (checked by `receipt_record`)."""

    line_id: int
    received: object
    damaged: object = 0
    notes: str = ""


def _count(value, what: str) -> int:
    """A whole number of pieces from 0 up, in plain digits (not 1e3, ², NaN), or BuyingError naming the field."""
    text = "" if value is None else str(value).strip()
    if text == "":
        return 0
    if not re.fullmatch(r"[0-9]{1,12}", text) or int(text) > QUANTITY_MAX:
        raise BuyingError(_("%(what)s: give a whole number of pieces from 0 to %(max)s.")
                          % {"what": what, "max": f"{QUANTITY_MAX:,}"})  # fmt: skip
    return int(text)


def received_so_far(order: PurchaseOrder) -> dict[int, tuple[int, int]]:
    """Per line id: (pieces received, pieces damaged) over every delivery so far."""
    rows = (
        Receipt.objects.filter(line__order=order)
        .values("line_id")
        .annotate(received=Sum("received_quantity"), damaged=Sum("damaged_quantity"))
    )
    return {r["line_id"]: (r["received"] or 0, r["damaged"] or 0) for r in rows}


def receipt_record(*, actor: User, order: PurchaseOrder, deliveries: list[Delivery]) -> list[Receipt]:
    """Record one delivery of the order (buyers and up); lines with nothing received and no note are skipped.

    Every line is checked before anything is written; the order becomes "received" when all lines are in full."""
    require_buyer(actor, order.team_id)
    if order.state not in RECEIVABLE:
        raise BuyingError(_("Goods are received for orders placed on 1688 (this one is %(state)s).")
                          % {"state": order.get_state_display().lower()})  # fmt: skip
    lines = {line.pk: line for line in PurchaseOrderLine.objects.filter(order=order)}
    rows = []
    for delivery in deliveries:
        line = lines.get(delivery.line_id)
        if line is None:
            raise BuyingError(_("That line is not part of this order: reload the page."))
        label = line.sku_label or str(line.product_id)
        received = _count(delivery.received, _("Received (%(line)s)") % {"line": label})
        damaged = _count(delivery.damaged, _("Damaged (%(line)s)") % {"line": label})
        notes = clean_note(delivery.notes)
        if damaged > received:
            raise BuyingError(_("%(line)s: damaged pieces are counted among the received ones (%(d)s damaged of "
                                "%(r)s received).") % {"line": label, "d": damaged, "r": received})  # fmt: skip
        if received or notes:
            rows.append(Receipt(line=line, supplier_id=order.supplier_id, received_quantity=received,
                                damaged_quantity=damaged, notes=notes, received_by=actor))  # fmt: skip
    if not rows:
        raise BuyingError(_("Nothing to record: give the pieces received (or a note) for at least one line."))
    now = timezone.now()
    with transaction.atomic():
        # Deliveries of one order queue behind its row: two people finishing the last lines at once each see the
        # other's receipts when they add up, so the order can't stay "shipped" with everything in.
        locked = PurchaseOrder.objects.select_for_update().filter(pk=order.pk).values_list("state", flat=True).first()
        if locked not in RECEIVABLE:
            raise BuyingError(_("This order changed meanwhile (it is no longer receivable): reload the page."))
        for row in rows:
            row.received_at = now
        Receipt.objects.bulk_create(rows)
        finished = _finish_if_complete(order, actor, now)
    if finished:
        samples_arrived(actor=actor, order=order)
    return rows


def _finish_if_complete(order: PurchaseOrder, actor: User, now) -> bool:
    """Every line received in full: the order becomes received, once (a conditional UPDATE decides)."""
    so_far = received_so_far(order)
    lines = PurchaseOrderLine.objects.filter(order=order)
    if not lines or any(so_far.get(line.pk, (0, 0))[0] < line.quantity for line in lines):
        return False
    before = order.state
    moved = (
        PurchaseOrder.objects.filter(pk=order.pk, state__in=[State.PLACED, State.PAID, State.SHIPPED])
        .update(state=State.RECEIVED, updated_at=now)
    )  # fmt: skip
    if not moved:  # already received (an earlier delivery, or a teammate's at the same moment)
        return False
    order.state = State.RECEIVED
    order_status_emit(order_id=order.pk, old=before, new=State.RECEIVED)
    OrderEvent.objects.create(order=order, at=now, kind="received", actor=actor,
                              text=_("Every line has arrived in full."))  # fmt: skip
    return True
