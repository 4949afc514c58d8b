"""Placing an approved purchase order on 1688 exactly once (docs/buying.md, "Placing exactly once").

Safe against double clicks, retries, a worker killed between the call and the write, and answers that never came:
a worker claims the order with a lease; the attempt is counted (committed) before each `createCrossOrder`; an
order with an earlier attempt is first looked up by its `out_order_id` (once that attempt can no longer land) and
adopted when 1688 has it; 1688's answer is written in one transaction. Beat's sweep takes up placements whose
lease ran out.
"""

import hashlib
import os
import signal
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.alibaba import api, errors
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import gateway_call
from sourcing.core.enqueue import enqueue
from sourcing.orders.models import PurchaseOrder
from sourcing.orders.services import samples
from sourcing.orders.services.events import order_status_emit
from sourcing.orders.services.purchase import error_words, event_add

State = PurchaseOrder.State


class PlacementWait(Exception):
    """The placement can't go on yet (a lease held, or an earlier attempt's answer may still come): retry later."""

    def __init__(self, seconds: float):
        self.seconds = max(0.5, seconds)
        super().__init__(f"retry in {self.seconds:.1f} s")


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
        order_status_emit(order_id=order.pk, old=State.PLACING, new=State.PLACED)
        text = (_("Placed on 1688 as order %(id)s (found by its reference after an answer was lost).") if adopted
                else _("Placed on 1688 as order %(id)s.")) % {"id": order_id}  # fmt: skip
        if total is not None:
            text += " " + _("1688 charges ¥%(total)s.") % {"total": f"{total:,.2f}"}
        event_add(order, "placed", text, key="placed")
        actor = order.approved_by or order.submitted_by or order.created_by
        if order.kind == PurchaseOrder.Kind.SAMPLE and actor is not None:  # its items' requested samples go with it
            samples.samples_ordered_with(actor=actor, order=order)
        enqueue("order_sync", order.pk)  # the payment link and the first status read
    return True


def _refused(order: PurchaseOrder, error: errors.AlibabaError) -> None:
    words = error_words(order, error)
    now = timezone.now()
    with transaction.atomic():
        if PurchaseOrder.objects.filter(pk=order.pk, state=State.PLACING, alibaba_order_id="").update(
            state=State.REFUSED, placing_until=None, updated_at=now, error_code=(error.code or type(error).__name__)[:60],
            error_message=words[:500],
        ):  # fmt: skip
            event_add(order, "refused", words, key="refused")
            order_status_emit(order_id=order.pk, old=State.PLACING, new=State.REFUSED)


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
        _release(order, error_message=error_words(order, refused.error)[:500])
        raise PlacementWait(settings.PLACEMENT_SWEEP_EVERY) from refused
    except errors.BusinessError as error:  # 1688 refused the order: none was made
        _refused(order, error)
        return "refused"
    except (errors.TransientError, PlacementWait):
        _release(order)
        raise
    except errors.AlibabaError as error:
        if doubtful:  # a refusal before any call (quota, connection) proves nothing about the earlier attempt
            _release(order, error_message=error_words(order, error)[:500])
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
