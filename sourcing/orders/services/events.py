"""What buying tells the team's webhooks (docs/webhooks.md): an order's state moved, a verified quote drifted.
Each is called once, where the move is written (inside its conditional UPDATE's transaction)."""

from django.urls import reverse

from sourcing.orders.models import PurchaseOrder, QuoteRun
from sourcing.webhooks.services import event_emit, portal_url


def order_status_emit(*, order_id: int, old: str, new: str) -> None:
    """Tell the team's webhooks that the order moved from `old` to `new` (nothing when it did not move)."""
    if old == new:
        return
    order = PurchaseOrder.objects.filter(pk=order_id).first()
    if order is None:
        return
    event_emit(team_id=order.team_id, kind="order.status_changed", data={
        "order": order.pk, "kind": order.kind, "from": old, "to": new, "alibaba_order_id": order.alibaba_order_id,
        "alibaba_status": order.alibaba_status, "supplier": {"id": order.supplier_id, "name": order.supplier_name},
        "total": order.placed_total if order.placed_total is not None else order.total, "list": order.product_list_id,
        "url": portal_url(reverse("order_detail", args=[order.pk])),
    })  # fmt: skip


def quote_drift_emit(*, run: QuoteRun, drift: dict) -> None:
    """A quoted unit price moved past the list's threshold (or 1688 would no longer take the order)."""
    item = drift["item"]
    event_emit(team_id=run.team_id, kind="quote.drifted", data={
        "list": run.product_list_id, "list_name": run.product_list.name, "item": item.pk, "quote_run": run.pk,
        "product": {"offer_id": item.product.offer_id, "title": item.product.display_title[:200]},
        "old_unit_price": drift["old"], "new_unit_price": drift["new"], "percent": drift["percent"],
        "orderable": drift["percent"] is not None, "url": portal_url(reverse("list_quotes", args=[run.product_list_id])),
    })  # fmt: skip
