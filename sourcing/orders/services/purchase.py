"""Purchase orders: drafted from a verified quote, approved, placed on 1688 exactly once, then followed.

A buyer drafts one order from one quote (one supplier group): its lines, quantities and prices are copied from
the quote on the server, and the order's `out_order_id` (1688's idempotency key) is fixed then. Submitting
places an order at or below the team's approval threshold at once; above it, the order waits for an owner or
admin. Placing is a worker's job (`placement_execute`), safe against double clicks, retries, a worker killed
between the call and the write, and answers that never came: the attempt is counted (committed) before each
`createCrossOrder`, and an order with an earlier attempt is first looked up by its `out_order_id` and adopted
when 1688 has it. After placing, workers keep the status, the payment link and the logistics trace current
(`order_sync`), and cancel an unpaid order when asked (`order_cancel_execute`). docs/buying.md, "Purchase orders".
"""

import hashlib
import os
import signal
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
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
from sourcing.orders.services import samples
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
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


class PlacementWait(Exception):
    """The placement can't go on yet (a lease held, or an earlier attempt's answer may still come): retry later."""

    def __init__(self, seconds: float):
        self.seconds = max(0.5, seconds)
        super().__init__(f"retry in {self.seconds:.1f} s")


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
def _event(order: PurchaseOrder, kind: str, text: str = "", *, actor: User | None = None, key: str = "",
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
        _event(order, "drafted", _("Drafted from the quote of %(when)s.") % {
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
def order_submit(*, actor: User, order: PurchaseOrder) -> PurchaseOrder:
    """Send a draft on: placed at once when the team's rules allow it (or an owner or admin submits it), else it
    waits for an owner's or admin's approval."""
    membership = _require_buyer(actor, order.team_id)
    now = timezone.now()
    if not order.lines.exists():
        raise BuyingError(_("The order has no lines."))
    approve = membership.can_manage_members or not needs_approval(order)
    with transaction.atomic():
        target = State.PLACING if approve else State.SUBMITTED
        values = {"state": target, "submitted_by": actor, "updated_at": now}
        if approve:
            values.update(approved_by=actor, approved_at=now, placing_until=None)
        moved = PurchaseOrder.objects.filter(pk=order.pk, state=State.DRAFT).update(**values)
        if not moved:  # a second click: the first one moved it
            order.refresh_from_db()
            return order
        _event(order, "submitted", actor=actor)
        if approve:
            words = (_("Approved by the submitter (an owner or admin).") if membership.can_manage_members
                     else _("Within the team's approval limit: placed without approval."))  # fmt: skip
            _event(order, "approved", words, actor=actor)
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
        _event(order, "approved", actor=actor)
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
            _event(order, "declined", reason, actor=actor)
    return bool(moved)


def order_cancel(*, actor: User, order: PurchaseOrder) -> str:
    """Cancel an order: a draft or a submitted one at once ("cancelled"); one placed and unpaid through 1688 by a
    worker ("queued"). A paid order, or one being placed, can't be cancelled here (BuyingError)."""
    _require_buyer(actor, order.team_id)
    now = timezone.now()
    with transaction.atomic():
        if PurchaseOrder.objects.filter(pk=order.pk, state__in=[State.DRAFT, State.SUBMITTED]).update(
            state=State.CANCELLED, updated_at=now
        ):  # fmt: skip
            _event(order, "cancelled", actor=actor)
            return "cancelled"
        current = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if current.state == State.PLACED:
            _event(order, "cancel_asked", actor=actor)
            enqueue("order_cancel", order.pk, actor.pk)
            return "queued"
    if current.state == State.PLACING:
        raise BuyingError(_("The order is being placed on 1688 right now: cancel it once it is placed and unpaid."))
    if current.state in (State.PAID, State.SHIPPED, State.RECEIVED):
        raise BuyingError(_("The order is paid: 1688 cancels only unpaid orders. Ask the seller for a refund on "
                            "1688."))  # fmt: skip
    raise BuyingError(_("This order can no longer be cancelled."))


# --- placing, exactly once ---
def _kill_point(order: PurchaseOrder, step: str) -> None:
    """Test-only: SIGKILL this worker at `step` of this order's first attempt (PLACEMENT_KILL_AT), so the
    reliability suite and the bench can stop a worker at an exact point of placement. Unset: nothing."""
    steps = [s for s in os.environ.get("PLACEMENT_KILL_AT", "").split(",") if s]
    if not steps or step not in steps or order.place_attempts != 1:
        return
    one_in = max(1, int(os.environ.get("PLACEMENT_KILL_ONE_IN", "1") or 1))
    digest = int(hashlib.sha256(order.out_order_id.encode()).hexdigest()[:8], 16)
    if digest % one_in or steps[(digest // one_in) % len(steps)] != step:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def placement_claim(*, order_id: int) -> PurchaseOrder | None:
    """Take the placement for this worker: a lease by conditional UPDATE (state placing, no live lease).

    None when the order is not being placed any more; PlacementWait when another worker holds the lease."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.PLACEMENT_LEASE_SECONDS)
    claimed = (
        PurchaseOrder.objects.filter(pk=order_id, state=State.PLACING)
        .filter(Q(placing_until__isnull=True) | Q(placing_until__lt=now))
        .update(placing_until=lease)
    )
    if claimed:
        return PurchaseOrder.objects.select_related("credential", "team").get(pk=order_id)
    held = PurchaseOrder.objects.filter(pk=order_id, state=State.PLACING).values_list("placing_until", flat=True)
    if held and held[0]:
        raise PlacementWait((held[0] - now).total_seconds() + 0.5)
    return None


class _LookupRefused(Exception):
    """1688 refused the lookup of an order by its outOrderId (a refusal of the list, not of the order)."""

    def __init__(self, error: errors.BusinessError):
        self.error = error
        super().__init__(str(error))


def _release(order: PurchaseOrder, **values) -> None:
    """Give the lease back (only while it is still this order's placement) so a retry can claim it."""
    PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACING).update(placing_until=None, **values)


def _cargos(order: PurchaseOrder) -> list[api.CargoLine]:
    return [api.CargoLine(str(x.product.offer_id), x.spec_id, x.quantity)
            for x in order.lines.select_related("product").order_by("pk")]  # fmt: skip


def _address(order: PurchaseOrder) -> api.ShipTo:
    """The address as drafted (ship_to holds the addressParam the order sends)."""
    p = order.ship_to or {}
    return api.ShipTo(full_name=p.get("fullName", ""), mobile=p.get("mobile", ""), phone=p.get("phone", ""),
                      province=p.get("provinceText", ""), city=p.get("cityText", ""), district=p.get("areaText", ""),
                      street=p.get("address", ""), post_code=p.get("postCode", ""), town=p.get("townText", ""),
                      district_code=p.get("districtCode", ""))  # fmt: skip


def _placed(order: PurchaseOrder, *, order_id: str, total: Decimal | None, adopted: bool) -> bool:
    """Write 1688's answer: order id, what it charged, state placed, the timeline step, in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        wrote = PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACING, alibaba_order_id="").update(
            state=State.PLACED, alibaba_order_id=order_id[:40], placed_total=total, alibaba_status="waitbuyerpay",
            placed_at=now, placing_until=None, updated_at=now, error_code="", error_message="",
        )  # fmt: skip
        if not wrote:
            return False
        text = (_("Placed on 1688 as order %(id)s (found by its reference after an answer was lost).") if adopted
                else _("Placed on 1688 as order %(id)s.")) % {"id": order_id}  # fmt: skip
        if total is not None:
            text += " " + _("1688 charges ¥%(total)s.") % {"total": f"{total:,.2f}"}
        _event(order, "placed", text, key="placed")
        actor = order.approved_by or order.submitted_by or order.created_by
        if order.kind == PurchaseOrder.Kind.SAMPLE and actor is not None:  # its items' requested samples go with it
            samples.samples_ordered_with(actor=actor, order=order)
        enqueue("order_sync", order.pk)  # the payment link and the first status read
    return True


def _refused(order: PurchaseOrder, error: errors.AlibabaError) -> None:
    words = _plain(order, error)
    now = timezone.now()
    with transaction.atomic():
        if PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACING, alibaba_order_id="").update(
            state=State.REFUSED, placing_until=None, updated_at=now, error_code=(error.code or type(error).__name__)[:60],
            error_message=words[:500],
        ):  # fmt: skip
            _event(order, "refused", words, key="refused")


def _plain(order: PurchaseOrder, error: errors.AlibabaError) -> str:
    if error.code and error.code.startswith("local.") and error.message:
        return error.message
    return explain_error(error, app_key=order.credential.app_key if order.credential else "").sentence


def placement_execute(*, order_id: int) -> str:
    """Worker: place the order on 1688 exactly once. Returns what happened ("placed", "adopted", "refused",
    "done"); raises PlacementWait or a TransientError for the task to retry later."""
    order = placement_claim(order_id=order_id)
    if order is None:
        return "done"
    if order.alibaba_order_id:  # written by an earlier run whose state write was lost: nothing to call
        _placed(order, order_id=order.alibaba_order_id, total=order.placed_total, adopted=True)
        return "done"
    credential = order.credential
    if credential is None:
        _refused(order, errors.AlibabaError(_("The order's 1688 credential was deleted."), code="local.NoCredential"))
        return "refused"
    doubtful = order.place_attempts > 0
    try:
        with paying(Payer(team_id=order.team_id, user_id=order.created_by_id)):
            if doubtful:
                # An earlier attempt may have reached 1688 (its answer lost, its worker killed). Its request may
                # still be on its way: look only once it can no longer land, then adopt what 1688 has.
                due = order.updated_at + timedelta(seconds=settings.PLACEMENT_DOUBT_SECONDS)
                if timezone.now() < due:
                    _release(order)
                    raise PlacementWait((due - timezone.now()).total_seconds())
                try:
                    found = gateway_call(credential=credential,
                                         fn=lambda c, t: api.find_order(c, t, order.out_order_id))  # fmt: skip
                except errors.BusinessError as error:  # a refused lookup proves nothing: never "refused" on it
                    raise _LookupRefused(error) from error
                if found is not None:
                    _placed(order, order_id=found.order_id, total=found.total, adopted=True)
                    return "adopted"
            # The attempt is counted (and committed) before the call: a run that dies after it knows to look first.
            now = timezone.now()
            PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACING).update(
                place_attempts=F("place_attempts") + 1, updated_at=now
            )
            order.place_attempts += 1
            order.updated_at = now
            _kill_point(order, "before_call")
            created = gateway_call(credential=credential, fn=lambda c, t: api.create_order(
                c, t, _address(order), _cargos(order), out_order_id=order.out_order_id, flow=order.flow or "general",
                message=order.message))  # fmt: skip
            _kill_point(order, "after_call")
    except _LookupRefused as refused:
        _release(order, error_message=_plain(order, refused.error)[:500])
        raise PlacementWait(settings.PLACEMENT_SWEEP_EVERY) from refused
    except errors.BusinessError as error:  # 1688 refused the order: none was made
        _refused(order, error)
        return "refused"
    except (errors.TransientError, PlacementWait):
        _release(order)
        raise
    except errors.AlibabaError as error:
        if doubtful:  # a refusal before any call (quota, connection) proves nothing about the earlier attempt
            _release(order, error_message=_plain(order, error)[:500])
            raise PlacementWait(settings.PLACEMENT_SWEEP_EVERY) from error
        _refused(order, error)
        return "refused"
    _placed(order, order_id=created.order_id or created.order_ids[0], total=created.total, adopted=False)
    _kill_point(order, "after_write")
    return "placed"


def placement_give_up(*, order_id: int, error: Exception) -> None:
    """The task ran out of retries: the order stays placing (an attempt may have reached 1688) with the reason;
    the sweep takes it up again."""
    PurchaseOrder.objects.filter(pk=order_id, state=State.PLACING).update(
        placing_until=None, error_message=(_("1688 did not answer properly (%(code)s); trying again shortly.")
                                           % {"code": getattr(error, "code", "") or type(error).__name__})[:500],
    )  # fmt: skip


def placements_sweep() -> int:
    """Beat: queue again every placement whose worker's lease ran out (a worker killed, a task lost)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PLACEMENT_LEASE_SECONDS)
    due = PurchaseOrder.objects.filter(state=State.PLACING).filter(
        Q(placing_until__lt=now) | Q(placing_until__isnull=True, updated_at__lt=stale)
    )  # fmt: skip
    queued = 0
    for order_id in due.values_list("pk", flat=True)[:500]:
        enqueue("order_place", order_id)
        queued += 1
    return queued


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
        # Each step 1688 reports is written once, whenever (and however often) it is read.
        if detail.paid_at or detail.status in ("waitsellersend", "waitbuyerreceive", "confirm_goods", "success"):
            _event(order, "paid", str(STATUS_WORDS["paid"]), key="status:paid", at=detail.paid_at)
        if detail.shipped_at or detail.status in ("waitbuyerreceive", "confirm_goods", "success"):
            _event(order, "shipped", str(STATUS_WORDS["shipped"]), key="status:shipped", at=detail.shipped_at)
        if detail.received_at or detail.status in ("confirm_goods", "success"):
            _event(order, "delivered", str(STATUS_WORDS["delivered"]), key="status:delivered", at=detail.received_at)
        if detail.status == "success":
            _event(order, "completed", str(STATUS_WORDS["completed"]), key="status:completed", at=detail.completed_at)
        if detail.status == "cancel":
            text = str(STATUS_WORDS["cancelled"]) + (f" ({detail.close_reason})" if detail.close_reason else "")
            _event(order, "cancelled", text, key="status:cancel", at=detail.completed_at)


def _trace(order: PurchaseOrder, traces: list[api.Trace]) -> None:
    """Keep the parcels' steps on the order, and each step once on its timeline."""
    tracking = [{"number": t.bill_no, "logistics_id": t.logistics_id,
                 "steps": [{"at": s.at.isoformat() if s.at else "", "text": s.remark} for s in t.steps]}
                for t in traces]  # fmt: skip
    PurchaseOrder.objects.filter(pk=order.pk).update(tracking=tracking)
    for trace in traces:
        for step in trace.steps:
            digest = hashlib.sha256(f"{step.at.isoformat() if step.at else ''}|{step.remark}".encode()).hexdigest()
            _event(order, "trace", step.remark, key=f"trace:{trace.logistics_id}:{digest[:40]}", at=step.at)


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
        _event(order, "cancel_refused", _("1688 did not cancel the order: %(why)s") % {
            "why": _plain(order, error)}, actor=actor)  # fmt: skip
        order_sync(order_id=order.pk)  # it was paid meanwhile: show so
        return "refused"
    now = timezone.now()
    with transaction.atomic():
        if PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACED).update(
            state=State.CANCELLED, alibaba_status="cancel", updated_at=now, pay_url=""
        ):  # fmt: skip
            _event(order, "cancelled", str(STATUS_WORDS["cancelled"]), actor=actor, key="status:cancel")
    return "cancelled"
