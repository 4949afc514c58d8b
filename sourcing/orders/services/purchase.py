"""Purchase orders: drafted from a verified quote, approved, placed on 1688 exactly once, then followed.

A buyer drafts one order from one quote (one supplier group): its lines, quantities and prices are copied from
the quote on the server, and the order's `out_order_id` (1688's idempotency key) is fixed then. Submitting
places an order at or below the team's approval threshold at once; above it, the order waits for an owner or
admin. Placing is a worker's job (`placement_execute`), safe against double clicks, retries, a worker killed
between the call and the write, and answers that never came: the attempt is counted (committed) before each
`createCrossOrder`, and an order with an earlier attempt is first looked up by its `out_order_id` and adopted
when 1688 has it. After placing, workers keep the status, the payment link and the logistics trace current
(`order_sync`), and cancel an unpaid order when asked (`order_cancel_execute`). Placing itself:
`services/placement.py`. docs/buying.md, "Purchase orders".
"""

import hashlib
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sourcing.accounts.models import Membership, Team, User
from sourcing.alibaba import api, errors
from sourcing.connections.explain import explain_error
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import feature_refusal, gateway_call
from sourcing.core.enqueue import enqueue
from sourcing.orders.models import (
    BuyingPolicy,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Quote,
    QuoteLine,
    ShipAddress,
)
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from sourcing.orders.services.events import order_status_emit
from sourcing.orders.services.quotes import credential_for_team, ship_to

State = PurchaseOrder.State
CENT = Decimal("0.01")
# 1688's order statuses as the portal's states (docs/buying.md, "Purchase orders").
STATUS_STATES = {
    "waitbuyerpay": State.PLACED,
    "waitsellersend": State.PAID,
    "waitbuyerreceive": State.SHIPPED,
    "confirm_goods": State.SHIPPED,
    "success": State.SHIPPED,
    "cancel": State.CANCELLED,
}
FOLLOWED = (State.PLACED, State.PAID, State.SHIPPED)  # states whose 1688 status the portal keeps current
ORDER = PurchaseOrder.Kind.ORDER


# --- who may ---
def _membership(actor: User, team_id: int) -> Membership | None:
    return Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None


def _require_buyer(actor: User, team_id: int) -> Membership:
    membership = _membership(actor, team_id)
    if membership is None or not membership.can_edit:
        raise BuyingForbidden(_("Viewers can read the team's orders but not draft, change or cancel them. Ask a "
                                "buyer or the team's owner."))  # fmt: skip
    return membership


def policy_of(team_id: int) -> BuyingPolicy:
    """The team's buying rules (unsaved: every order needs approval, when none are kept)."""
    return BuyingPolicy.objects.filter(team_id=team_id).first() or BuyingPolicy(team_id=team_id)


def needs_approval(order: PurchaseOrder, policy: BuyingPolicy | None = None) -> bool:
    """Whether the order's total is above the team's threshold (no threshold: every order needs approval)."""
    policy = policy or policy_of(order.team_id)
    return policy.approval_above is None or order.total > policy.approval_above


def policy_set(*, actor: User, team: Team, approval_above: Decimal | None) -> BuyingPolicy:
    """Owners and admins set the amount above which a buyer's order waits for their approval."""
    membership = _membership(actor, team.pk)
    if membership is None or not membership.can_manage_members:
        raise BuyingForbidden(_("Only the team's owners and admins can change when orders need approval."))
    if approval_above is not None and approval_above < 0:
        raise BuyingError(_("Give an amount of zero or more, or leave it empty."))
    policy, _created = BuyingPolicy.objects.update_or_create(
        team=team, defaults={"approval_above": approval_above, "updated_by": actor, "updated_at": timezone.now()}
    )
    return policy


# --- drafting ---
def event_add(order: PurchaseOrder, kind: str, text: str = "", *, actor: User | None = None, key: str = "",
           at=None) -> bool:  # fmt: skip
    """Add a timeline step; a keyed one (read from 1688) is written once. True when written."""
    if key:
        try:
            with transaction.atomic():
                OrderEvent.objects.create(order=order, kind=kind, text=text[:500], actor=actor, key=key[:100],
                                          at=at or timezone.now())  # fmt: skip
        except IntegrityError:  # already written by an earlier read
            return False
        return True
    OrderEvent.objects.create(order=order, kind=kind, text=text[:500], actor=actor, at=at or timezone.now())
    return True


def _out_order_id(team_id: int) -> str:
    return f"po-{team_id}-{uuid.uuid4().hex}"


def order_draft(
    *, actor: User, quote: Quote, line_ids=None, message: str = "", kind: str | None = None
) -> PurchaseOrder:
    """Draft the order of one verified quote (or of these lines of it): lines and amounts copied from the quote.

    A draft of the same quote and kind that is still a draft is returned instead of a second one (a double click).
    The kind, when not given, follows the quote: a sample quote (one piece, asked from a sample's page) drafts a
    sample order."""
    _require_buyer(actor, quote.team_id)
    if kind is None:
        kind = PurchaseOrder.Kind.SAMPLE if quote.run_id and quote.run.sample else ORDER
    if kind not in PurchaseOrder.Kind.values:
        raise BuyingError(_("Unknown kind of order."))
    if not quote.orderable:
        raise BuyingError(_("1688 would not take this quote's order as it stands: change the list and quote it "
                            "again."))  # fmt: skip
    if quote.address_id is None:
        raise BuyingError(_("The quote's ship-to address was deleted: quote the list again to an address."))
    lines = list(QuoteLine.objects.filter(quote=quote).select_related("product", "sku").order_by("pk"))
    if line_ids:
        wanted = {int(i) for i in line_ids}
        lines = [x for x in lines if x.pk in wanted]
    if not lines:
        raise BuyingError(_("Pick at least one option of the quote to order."))
    if any(not x.orderable or x.unit_price is None or x.quantity <= 0 for x in lines):
        raise BuyingError(_("1688 would not take one of these options: leave it out or quote the list again."))
    credential, why = credential_for_team(actor, quote.team_id)
    if credential is None:
        raise BuyingError(why)
    refusal = feature_refusal(credential, api.CREATE_ORDER.id)
    if refusal:
        raise BuyingError(refusal)
    amounts = [(x, (x.unit_price * x.quantity).quantize(CENT)) for x in lines]
    whole = len(lines) == QuoteLine.objects.filter(quote=quote).count()
    if whole and quote.goods is not None and quote.total is not None:
        goods, discount = quote.goods, quote.discount or Decimal(0)
        freight, total = quote.freight or Decimal(0), quote.total
    else:  # part of the group: the goods are the lines' own; 1688 prices the freight again when it is placed
        goods, discount = sum((a for _x, a in amounts), Decimal(0)), Decimal(0)
        freight = quote.freight or Decimal(0)
        total = goods + freight
    with transaction.atomic():
        # Two clicks on "Draft order": the quote's row orders them, the second finds the first's draft.
        Quote.objects.select_for_update().filter(pk=quote.pk).first()
        earlier = PurchaseOrder.objects.filter(quote=quote, kind=kind, state=State.DRAFT, created_by=actor).first()
        if earlier is not None and not line_ids:
            return earlier
        order = PurchaseOrder.objects.create(
            team_id=quote.team_id, product_list_id=quote.product_list_id, quote=quote, kind=kind,
            supplier_id=quote.supplier_id, supplier_name=quote.supplier_name[:200], address_id=quote.address_id,
            address_text=quote.address_text[:400], ship_to=ship_to(quote.address).as_param(),
            message=_clean_message(message), flow=quote.flow or "general", goods=goods, freight=freight,
            discount=discount, total=total, out_order_id=_out_order_id(quote.team_id), credential=credential,
            created_by=actor,
        )  # fmt: skip
        PurchaseOrderLine.objects.bulk_create([
            PurchaseOrderLine(order=order, quote_line=x, list_item_id=x.list_item_id, product=x.product, sku=x.sku,
                              sku_label=x.sku_label[:200], spec_id=x.spec_id, quantity=x.quantity,
                              unit_price=x.unit_price, amount=amount)
            for x, amount in amounts
        ])  # fmt: skip
        event_add(order, "drafted", _("Drafted from the quote of %(when)s.") % {
            "when": timezone.localtime(quote.quoted_at).strftime("%Y-%m-%d %H:%M")}, actor=actor)  # fmt: skip
    return order


def _clean_message(message: str) -> str:
    text = "".join(c for c in str(message or "") if c >= " " or c == "\n").strip()
    if len(text) > 500:
        raise BuyingError(_("Keep the message to the seller to 500 characters."))
    return text


def order_update(*, actor: User, order: PurchaseOrder, message: str, address: ShipAddress | None = None) -> None:
    """Change a draft's message to the seller and where it goes (one of the team's addresses)."""
    _require_buyer(actor, order.team_id)
    message = _clean_message(message)
    if address is not None and address.team_id != order.team_id:
        raise BuyingError(_("Pick one of the team's addresses."))
    values = {"message": message, "updated_at": timezone.now()}
    if address is not None:
        values.update(address_id=address.pk, address_text=address.one_line[:400],
                      ship_to=ship_to(address).as_param())  # fmt: skip
    if not PurchaseOrder.objects.filter(pk=order.pk, state=State.DRAFT).update(**values):
        raise BuyingError(_("Only a draft can be changed: this order has been submitted."))


# --- submitting and approving ---
def order_submit(*, actor: User, order: PurchaseOrder, approve_own: bool = True) -> PurchaseOrder:
    """Send a draft on: placed at once when the team's rules allow it (or an owner or admin submits it), else it
    waits for an owner's or admin's approval. `approve_own=False` (the API: a token is not a person approving)
    applies the team's threshold whoever submits."""
    membership = _require_buyer(actor, order.team_id)
    now = timezone.now()
    if not order.lines.exists():
        raise BuyingError(_("The order has no lines."))
    approve = (membership.can_manage_members and approve_own) or not needs_approval(order)
    with transaction.atomic():
        target = State.PLACING if approve else State.SUBMITTED
        values = {"state": target, "submitted_by": actor, "updated_at": now}
        if approve:
            values.update(approved_by=actor, approved_at=now, placing_until=None)
        moved = PurchaseOrder.objects.filter(pk=order.pk, state=State.DRAFT).update(**values)
        if not moved:  # a second click: the first one moved it
            order.refresh_from_db()
            return order
        event_add(order, "submitted", actor=actor)
        order_status_emit(order_id=order.pk, old=State.DRAFT, new=target)
        if approve:
            words = (_("Approved by the submitter (an owner or admin).") if membership.can_manage_members and approve_own
                     else _("Within the team's approval limit: placed without approval."))  # fmt: skip
            event_add(order, "approved", words, actor=actor)
            enqueue("order_place", order.pk)
    order.refresh_from_db()
    return order


def order_approve(*, actor: User, order: PurchaseOrder) -> bool:
    """An owner or admin approves a submitted order: it is placed once, however many times this is clicked.

    True when this call approved it; False when it was approved (or decided) already."""
    membership = _membership(actor, order.team_id)
    if membership is None or not membership.can_manage_members:
        policy = policy_of(order.team_id)
        if policy.approval_above is None:
            raise BuyingForbidden(_("Only the team's owners and admins can approve orders."))
        raise BuyingForbidden(_("Only the team's owners and admins can approve orders above ¥%(limit)s.")
                              % {"limit": f"{policy.approval_above:,.2f}"})  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        # Two approvers (or a double click) at once: only the UPDATE that finds it still submitted places it.
        moved = PurchaseOrder.objects.filter(pk=order.pk, state=State.SUBMITTED).update(
            state=State.PLACING, approved_by=actor, approved_at=now, updated_at=now, placing_until=None
        )
        if not moved:
            return False
        event_add(order, "approved", actor=actor)
        order_status_emit(order_id=order.pk, old=State.SUBMITTED, new=State.PLACING)
        enqueue("order_place", order.pk)
    return True


def order_decline(*, actor: User, order: PurchaseOrder, reason: str = "") -> bool:
    """An owner or admin declines a submitted order (with a reason for the buyer)."""
    membership = _membership(actor, order.team_id)
    if membership is None or not membership.can_manage_members:
        raise BuyingForbidden(_("Only the team's owners and admins can decline orders."))
    reason = _clean_message(reason)
    with transaction.atomic():
        moved = PurchaseOrder.objects.filter(pk=order.pk, state=State.SUBMITTED).update(
            state=State.DECLINED, approved_by=actor, updated_at=timezone.now()
        )
        if moved:
            event_add(order, "declined", reason, actor=actor)
            order_status_emit(order_id=order.pk, old=State.SUBMITTED, new=State.DECLINED)
    return bool(moved)


def order_cancel(*, actor: User, order: PurchaseOrder) -> str:
    """Cancel an order: a draft or a submitted one at once ("cancelled"); one placed and unpaid through 1688 by a
    worker ("queued"). A paid order, or one being placed, can't be cancelled here (BuyingError)."""
    _require_buyer(actor, order.team_id)
    now = timezone.now()
    with transaction.atomic():
        before = PurchaseOrder.objects.select_for_update().filter(pk=order.pk).values_list("state", flat=True).first()
        if PurchaseOrder.objects.filter(pk=order.pk, state__in=[State.DRAFT, State.SUBMITTED]).update(
            state=State.CANCELLED, updated_at=now
        ):  # fmt: skip
            event_add(order, "cancelled", actor=actor)
            order_status_emit(order_id=order.pk, old=before, new=State.CANCELLED)
            return "cancelled"
        current = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if current.state == State.PLACED:
            event_add(order, "cancel_asked", actor=actor)
            enqueue("order_cancel", order.pk, actor.pk)
            return "queued"
    if current.state == State.PLACING:
        raise BuyingError(_("The order is being placed on 1688 right now: cancel it once it is placed and unpaid."))
    if current.state in (State.PAID, State.SHIPPED, State.RECEIVED):
        raise BuyingError(_("The order is paid: 1688 cancels only unpaid orders. Ask the seller for a refund on "
                            "1688."))  # fmt: skip
    raise BuyingError(_("This order can no longer be cancelled."))


def error_words(order: PurchaseOrder, error: errors.AlibabaError) -> str:
    """1688's refusal of an order in plain words."""
    if error.code and error.code.startswith("local.") and error.message:
        return error.message
    return explain_error(error, app_key=order.credential.app_key if order.credential else "").sentence


# --- after placing ---
def order_sync(*, order_id: int) -> PurchaseOrder | None:
    """Worker: read the order's 1688 status (and, when shipped, the trace); keep the payment link."""
    order = PurchaseOrder.objects.select_related("credential").filter(pk=order_id).first()
    if order is None or not order.alibaba_order_id or order.state not in FOLLOWED or order.credential is None:
        return order
    credential = order.credential
    with paying(Payer(team_id=order.team_id, user_id=order.created_by_id)):
        detail = gateway_call(credential=credential, fn=lambda c, t: api.order_detail(c, t, order.alibaba_order_id))
        _status(order, detail)
        order.refresh_from_db()
        if order.state == State.PLACED and not order.pay_url:
            try:
                link = gateway_call(credential=credential,
                                    fn=lambda c, t: api.pay_url(c, t, [order.alibaba_order_id]))  # fmt: skip
            except errors.BusinessError:
                link = None  # paid or cancelled meanwhile: the next read says which
            if link is not None:
                PurchaseOrder.objects.filter(pk=order.pk).update(pay_url=link.url[:1000])
        if order.state == State.SHIPPED or detail.logistics_bill_nos:
            try:
                traces = gateway_call(credential=credential,
                                      fn=lambda c, t: api.logistics_trace(c, t, order.alibaba_order_id))  # fmt: skip
            except errors.BusinessError:
                traces = []  # not shipped yet
            if traces:
                _trace(order, traces)
    PurchaseOrder.objects.filter(pk=order.pk).update(synced_at=timezone.now())
    order.refresh_from_db()
    return order


STATUS_WORDS = {
    "paid": gettext_lazy("Paid on 1688."),
    "shipped": gettext_lazy("The seller shipped the goods."),
    "delivered": gettext_lazy("The parcel was signed for."),
    "completed": gettext_lazy("1688 completed the order."),
    "cancelled": gettext_lazy("Cancelled on 1688."),
}


def _status(order: PurchaseOrder, detail: api.Order) -> None:
    """Move the order to the state 1688's status means (never back), with a timeline step per change."""
    target = STATUS_STATES.get(detail.status)
    rank = {State.PLACED: 0, State.PAID: 1, State.SHIPPED: 2, State.CANCELLED: 3}
    values = {"alibaba_status": detail.status[:40]}
    if detail.total is not None:
        values["placed_total"] = detail.total
    with transaction.atomic():
        current = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if target is not None and current.state in FOLLOWED and rank[target] > rank[current.state]:
            values["state"], values["updated_at"] = target, timezone.now()
        PurchaseOrder.objects.filter(pk=order.pk).update(**values)
        if "state" in values:
            order_status_emit(order_id=order.pk, old=current.state, new=values["state"])
        # Each step 1688 reports is written once, whenever (and however often) it is read.
        if detail.paid_at or detail.status in ("waitsellersend", "waitbuyerreceive", "confirm_goods", "success"):
            event_add(order, "paid", str(STATUS_WORDS["paid"]), key="status:paid", at=detail.paid_at)
        if detail.shipped_at or detail.status in ("waitbuyerreceive", "confirm_goods", "success"):
            event_add(order, "shipped", str(STATUS_WORDS["shipped"]), key="status:shipped", at=detail.shipped_at)
        if detail.received_at or detail.status in ("confirm_goods", "success"):
            event_add(order, "delivered", str(STATUS_WORDS["delivered"]), key="status:delivered", at=detail.received_at)
        if detail.status == "success":
            event_add(
                order, "completed", str(STATUS_WORDS["completed"]), key="status:completed", at=detail.completed_at
            )
        if detail.status == "cancel":
            text = str(STATUS_WORDS["cancelled"]) + (f" ({detail.close_reason})" if detail.close_reason else "")
            event_add(order, "cancelled", text, key="status:cancel", at=detail.completed_at)


def order_status_apply(*, order_id: int, status: str) -> bool:
    """A 1688 message told the order's status (no gateway call): move the order as a read of it would; False when the
    status is not one the portal knows (then read the order: `order_sync`)."""
    order = PurchaseOrder.objects.filter(pk=order_id).first()
    if order is None or status not in STATUS_STATES:
        return False
    blank = dict.fromkeys(("out_order_id", "seller_login_id", "seller_member_id", "seller_company",
                           "buyer_login_id", "close_reason", "receiver_area"), "")  # fmt: skip
    times = dict.fromkeys(("total", "goods", "freight", "created_at", "paid_at", "shipped_at", "received_at",
                           "completed_at"))  # fmt: skip
    _status(order, api.Order(order_id=order.alibaba_order_id, status=status, discount=Decimal(0), items=[],
                             logistics_bill_nos=[], **blank, **times))  # fmt: skip
    return True


def _trace(order: PurchaseOrder, traces: list[api.Trace]) -> None:
    """Keep the parcels' steps on the order, and each step once on its timeline."""
    tracking = [{"number": t.bill_no, "logistics_id": t.logistics_id,
                 "steps": [{"at": s.at.isoformat() if s.at else "", "text": s.remark} for s in t.steps]}
                for t in traces]  # fmt: skip
    PurchaseOrder.objects.filter(pk=order.pk).update(tracking=tracking)
    for trace in traces:
        for step in trace.steps:
            digest = hashlib.sha256(f"{step.at.isoformat() if step.at else ''}|{step.remark}".encode()).hexdigest()
            event_add(order, "trace", step.remark, key=f"trace:{trace.logistics_id}:{digest[:40]}", at=step.at)


def orders_sync_due() -> int:
    """Beat: queue a status read of every placed, paid or shipped order not read for ORDER_SYNC_EVERY seconds."""
    stale = timezone.now() - timedelta(seconds=settings.ORDER_SYNC_EVERY)
    due = (PurchaseOrder.objects.filter(state__in=FOLLOWED).exclude(alibaba_order_id="")
           .filter(Q(synced_at__isnull=True) | Q(synced_at__lt=stale)))  # fmt: skip
    queued = 0
    for order_id in due.values_list("pk", flat=True)[:1000]:
        enqueue("order_sync_background", order_id)
        queued += 1
    return queued


def order_sync_start(*, order: PurchaseOrder) -> bool:
    """A person opened the order: queue a status read unless one was made in the last ORDER_SYNC_FRESH_SECONDS."""
    if order.state not in FOLLOWED or not order.alibaba_order_id:
        return False
    now = timezone.now()
    fresh = now - timedelta(seconds=settings.ORDER_SYNC_FRESH_SECONDS)
    # One read per window however many tabs poll: the UPDATE that moves synced_at queues it.
    claimed = (
        PurchaseOrder.objects.filter(pk=order.pk)
        .filter(Q(synced_at__isnull=True) | Q(synced_at__lt=fresh))
        .update(synced_at=now)
    )
    if claimed:
        enqueue("order_sync", order.pk)
    return bool(claimed)


def order_cancel_execute(*, order_id: int, actor_id: int | None = None) -> str:
    """Worker: cancel an unpaid order on 1688; a paid one stays and the timeline says why."""
    order = PurchaseOrder.objects.select_related("credential").filter(pk=order_id).first()
    if order is None or order.state != State.PLACED or order.credential is None:
        return "skipped"
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with paying(Payer(team_id=order.team_id, user_id=actor_id or order.created_by_id)):
            gateway_call(credential=order.credential,
                         fn=lambda c, t: api.cancel_order(c, t, order.alibaba_order_id))  # fmt: skip
    except errors.BusinessError as error:
        event_add(order, "cancel_refused", _("1688 did not cancel the order: %(why)s") % {
            "why": error_words(order, error)}, actor=actor)  # fmt: skip
        order_sync(order_id=order.pk)  # it was paid meanwhile: show so
        return "refused"
    now = timezone.now()
    with transaction.atomic():
        if PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACED).update(
            state=State.CANCELLED, alibaba_status="cancel", updated_at=now, pay_url=""
        ):  # fmt: skip
            event_add(order, "cancelled", str(STATUS_WORDS["cancelled"]), actor=actor, key="status:cancel")
            order_status_emit(order_id=order.pk, old=State.PLACED, new=State.CANCELLED)
    return "cancelled"
