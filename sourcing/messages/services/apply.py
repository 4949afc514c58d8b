"""The worker: each stored message applied once, never an older state over a newer one.

A message is claimed with a conditional UPDATE (state "new", lease free), so a second delivery of its task or a racing
worker does nothing. Each thing a message moves has the time of the state it holds (`StateTime`: the message's
bizTime or gmtBorn, ties broken by msgId); a message born before it changes nothing, and neither does one born before
the offer's last fetched answer (less FETCH_MARGIN: the answer may have been read a little before it was stored).
Delivery order is not guaranteed by 1688, so this is what keeps each offer, option and order at its newest state.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.alerts.services import team_notify
from sourcing.alibaba import errors
from sourcing.catalog.keys import source_of
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services.offers import offer_not_found, product_detail_get
from sourcing.catalog.services.refresh import capped
from sourcing.catalog.services.stock import product_stock_set
from sourcing.catalog.services.upsert import product_mark_status, product_upsert_detail
from sourcing.connections.models import AppCredential, OAuthToken
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.tokens import token_disconnect
from sourcing.core.converters import parse_id
from sourcing.core.enqueue import enqueue
from sourcing.messages import topics
from sourcing.messages.models import Follow, InboundMessage, StateTime
from sourcing.orders.models import PurchaseOrder
from sourcing.orders.services.purchase import STATUS_STATES, order_status_apply

State = InboundMessage.State
FETCH_MARGIN = timedelta(seconds=30)
LEASE = timedelta(minutes=5)


class Outcome(str):
    """What applying a message did, in words for the admin; `.state` says applied or ignored."""

    state = State.APPLIED


def _ignored(text: str) -> Outcome:
    outcome = Outcome(text)
    outcome.state = State.IGNORED
    return outcome


def state_newer(*, key: str, at: datetime, msg_id: int) -> bool:
    """Inside a transaction: whether (at, msg_id) is not older than the state `key` holds; if so it becomes it.

    The row is locked until the caller's transaction ends, so two workers on one offer apply in turn. The same message
    again (a task retried after a transient error) passes: it is not older than itself."""
    row, created = StateTime.objects.select_for_update().get_or_create(key=key[:120],
                                                                        defaults={"at": at, "msg_id": msg_id})  # fmt: skip
    if created:
        return True
    if (at, msg_id) < (row.at, row.msg_id):
        return False
    StateTime.objects.filter(pk=row.pk).update(at=at, msg_id=msg_id)
    return True


def _fetched_floor(product: Product) -> datetime | None:
    """What the offer's last fetched answer already shows: changes born before the fetch a message made started
    (`fetched:<offer>`, exact), or before the last stored answer less FETCH_MARGIN (a poll's start isn't kept)."""
    started = StateTime.objects.filter(key=f"fetched:{product.offer_id}").values_list("at", flat=True).first()
    stored = product.detail_fetched_at - FETCH_MARGIN if product.detail_fetched_at else None
    return max((t for t in (started, stored) if t is not None), default=None)


def _products(offer_ids) -> dict[int, Product]:
    return Product.objects.in_bulk(list(offer_ids), field_name="offer_id")


def _followed(message: InboundMessage, offer_ids) -> dict[int, Product]:
    """The offers of `offer_ids` this message's credential follows. A product message sets the shared catalog's
    stock or listing without a call, and its signature proves only that the sender knows the credential's App
    Secret, which the credential's owner typed in: so it counts only for offers the portal asked that credential
    to follow (1688 sends product messages for those alone), never for any offer a member of any team names."""
    following = Follow.objects.filter(credential_id=message.credential_id, state=Follow.State.FOLLOWING)
    return {
        p.offer_id: p
        for p in Product.objects.filter(offer_id__in=list(offer_ids), pk__in=following.values("product_id"))
    }


# --- products ---
def _inventory(message: InboundMessage, data: dict) -> Outcome:
    rows = data.get("OfferInventoryChangeList")
    by_offer: dict[int, list[dict]] = defaultdict(list)
    for row in rows[:1000] if isinstance(rows, list) else []:
        offer = parse_id(row.get("offerId")) if isinstance(row, dict) else None
        if offer:
            by_offer[offer].append(row)
    products = _followed(message, by_offer)
    changed = older = 0
    for offer, items in by_offer.items():
        product = products.get(offer)
        if product is None:
            continue
        floor = _fetched_floor(product)
        stock, skus = None, {}
        with transaction.atomic():
            for row in sorted(items, key=lambda r: topics.when(r.get("bizTime"), message.born_at)):
                at = topics.when(row.get("bizTime"), message.born_at)
                if floor is not None and at <= floor:
                    older += 1
                    continue
                offer_level, sku, sku_level = (topics.level(row.get("offerOnSale")), parse_id(row.get("skuId")),
                                               topics.level(row.get("skuOnSale")))  # fmt: skip
                if offer_level is not None:
                    if state_newer(key=f"stock:{offer}", at=at, msg_id=message.msg_id):
                        stock = offer_level
                    else:
                        older += 1
                if sku and sku_level is not None:
                    if state_newer(key=f"stock:{offer}:{sku}", at=at, msg_id=message.msg_id):
                        skus[str(sku)] = sku_level
                    else:
                        older += 1
            if stock is not None or skus:
                changed += product_stock_set(product_id=product.pk, stock=stock, sku_stocks=skus)
    if not products:
        return _ignored("no offer this credential follows")
    if changed:
        return Outcome(f"stock of {changed} offer(s) changed" + (f", {older} older level(s) skipped" if older else ""))
    return _ignored(f"nothing newer ({older} older level(s))" if older else "stock unchanged")


def _listing(message: InboundMessage, data: dict) -> Outcome:
    status = Product.Status.ACTIVE if message.topic == topics.REPOST else Product.Status.DELISTED
    products = _followed(message, topics.offer_ids(data)).values()
    moved = older = 0
    for product in products:
        floor = _fetched_floor(product)
        with transaction.atomic():
            if (floor is not None and message.born_at <= floor) or not state_newer(
                key=f"listing:{product.offer_id}", at=message.born_at, msg_id=message.msg_id
            ):
                older += 1
                continue
            moved += product_mark_status(product=product, status=status)
    if moved:
        return Outcome(f"{moved} offer(s) now {status}")
    return _ignored(f"{older} older" if older else "no offer this credential follows changed")


def _credential(message: InboundMessage) -> AppCredential:
    return AppCredential.objects.get(pk=message.credential_id)


def _unclaim(key: str, previous: StateTime | None, message: InboundMessage) -> None:
    mine = StateTime.objects.filter(key=key, msg_id=message.msg_id)
    if previous is None:
        mine.delete()
    else:
        mine.update(at=previous.at, msg_id=previous.msg_id)


def _modify(message: InboundMessage, data: dict) -> Outcome:
    """An offer was edited (price, options, anything): fetch that offer, one call, with the credential told. The
    price message sent with the same edit finds the fetch started after it was born, and makes no second call."""
    fetched = older = 0
    for product in _products(topics.offer_ids(data)).values():
        floor = _fetched_floor(product)
        if floor is not None and message.born_at < floor:
            older += 1  # fetched since the edit: the answer has it
            continue
        credential = _credential(message)
        key, started = f"fetched:{product.offer_id}", timezone.now()
        with transaction.atomic():
            if not state_newer(key=f"listing:{product.offer_id}", at=message.born_at, msg_id=message.msg_id):
                older += 1  # delisted or relisted since the edit: that state stands
                continue
            # the fetch's start is claimed under the listing row's lock: a message of the same edit handled at the
            # same time by another worker finds it and makes no second call
            claim = StateTime.objects.filter(key=key).first()
            if claim is not None and message.born_at < claim.at:
                older += 1
                continue
            StateTime.objects.update_or_create(key=key, defaults={"at": started, "msg_id": message.msg_id})
        job = CatalogJob(kind=CatalogJob.Kind.REFRESH, credential=credential)
        try:
            with paying(Payer(user_id=credential.owner_id)):
                detail = product_detail_get(job=job, offer_id=product.offer_id, credential=capped(credential))
        except errors.BusinessError as error:
            if offer_not_found(error):
                continue  # the fetch service marked it not found (its alerts fire)
            _unclaim(key, claim, message)
            raise
        except Exception:
            _unclaim(key, claim, message)  # no answer: the retry (or the next message) fetches
            raise
        product_upsert_detail(detail=detail, source=source_of(credential))
        fetched += 1
    if fetched:
        return Outcome(f"{fetched} offer(s) fetched")
    return _ignored(f"{older} fetched since" if older else "no offer the portal keeps")


# --- orders ---
def _orders(message: InboundMessage, order_ids: list[int], status: str) -> Outcome:
    orders = list(PurchaseOrder.objects.filter(credential_id=message.credential_id,
                                               alibaba_order_id__in=[str(n) for n in order_ids]))  # fmt: skip
    moved = synced = older = 0
    for order in orders:
        with transaction.atomic():
            newer = state_newer(key=f"order:{order.alibaba_order_id}", at=message.born_at, msg_id=message.msg_id)
        if not newer:
            older += 1
            continue
        if status and order_status_apply(order_id=order.pk, status=status):
            moved += 1
        if message.topic == topics.LOGISTICS or not status or status not in STATUS_STATES:
            # a status the portal doesn't know, or a parcel's step (its words are in the trace): read the order
            enqueue("order_sync_background", order.pk)
            synced += 1
    if moved or synced:
        return Outcome(f"{moved} order(s) moved, {synced} read from 1688")
    return _ignored(f"{older} older" if older else "no order of this credential")


def _order(message: InboundMessage, data: dict) -> Outcome:
    order_id = parse_id(data.get("orderId"))
    status = data.get("currentStatus")
    return _orders(message, [order_id] if order_id else [], status.strip()[:40] if isinstance(status, str) else "")


def _logistics(message: InboundMessage, data: dict) -> Outcome:
    model = data.get("OrderLogisticsTracingModel")
    model = model if isinstance(model, dict) else {}
    items = model.get("orderLogsItems")
    ids = [parse_id(i.get("orderId")) for i in (items[:100] if isinstance(items, list) else [])
           if isinstance(i, dict)]  # fmt: skip
    step = model.get("statusChanged")
    status = topics.LOGISTICS_STATUS.get(step.strip().upper(), "") if isinstance(step, str) else ""
    return _orders(message, list(dict.fromkeys(n for n in ids if n)), status)


# --- the authorisation ---
def _auth_cancel(message: InboundMessage, data: dict) -> Outcome:
    """The 1688 account withdrew the app's authorisation: disconnect the credential now and tell its owner."""
    credential = AppCredential.objects.select_related("owner").get(pk=message.credential_id)
    token = OAuthToken.objects.filter(credential=credential).first()
    if token is None:
        return _ignored("not connected")
    member = str(data.get("memberId") or message.user_info or "")[:100]
    if token.member_id and member and member != token.member_id:
        return _ignored("another 1688 account")
    renewed = max(t for t in (token.created_at, token.last_refreshed_at) if t is not None)
    if renewed > message.born_at + timedelta(seconds=1):
        return _ignored("connected again (or renewed) since: the authorisation is alive")
    account = token.resource_owner
    token_disconnect(credential=credential)
    owner = credential.owner
    team_id = (owner.current_team_id or owner.memberships.values_list("team_id", flat=True).first()) if owner else None
    if owner is not None and team_id:
        team_notify(
            team_id=team_id, user_ids=[owner.pk], path=f"/connections/{credential.pk}/",
            text=lambda: _("The 1688 account %(account)s withdrew its authorisation of your app %(name)s: the portal "
                           "disconnected it. Connect it again to search and refresh with it.")
            % {"account": account, "name": credential.name},
        )  # fmt: skip
    return Outcome("disconnected")


def _handler(topic: str):
    if topic == topics.INVENTORY:
        return _inventory
    if topic in topics.LISTING:
        return _listing
    if topic in (topics.MODIFY, topics.PRICE):
        return _modify
    if topic.startswith(topics.ORDER_PREFIX):
        return _order
    if topic == topics.LOGISTICS:
        return _logistics
    if topic in settings.MESSAGES_AUTH_CANCEL_TOPICS:
        return _auth_cancel
    return None


# --- the task's body ---
def _claim(message_id: int) -> InboundMessage | None:
    now = timezone.now()
    taken = (
        InboundMessage.objects.filter(pk=message_id, state=State.NEW)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    return InboundMessage.objects.filter(pk=message_id).first() if taken else None


def _finish(message: InboundMessage, state: str, outcome: str) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(state=state, outcome=str(outcome)[:300],
                                                        applied_at=timezone.now(), lease_until=None)  # fmt: skip


def message_apply(*, message_id: int) -> str:
    """Worker: apply one stored message once; returns its state ("skipped" when another run has it or had it)."""
    message = _claim(message_id)
    if message is None:
        return "skipped"
    handler = _handler(message.topic)
    if handler is None:
        _finish(message, State.IGNORED, "a topic the portal does not act on")
        return State.IGNORED
    data = message.envelope.get("data") if isinstance(message.envelope, dict) else None
    try:
        outcome = handler(message, data if isinstance(data, dict) else {})
    except errors.TransientError:
        InboundMessage.objects.filter(pk=message.pk).update(lease_until=None)  # the retry claims it again
        raise
    except errors.AlibabaError as error:
        _finish(message, State.FAILED, f"{error.code or type(error).__name__}: {error.message}")
        return State.FAILED
    _finish(message, outcome.state, outcome)
    return outcome.state


def message_give_up(*, message_id: int, error: Exception) -> None:
    """Out of retries: the message stays failed (the fallback poll reads the offer in time)."""
    InboundMessage.objects.filter(pk=message_id, state=State.NEW).update(
        state=State.FAILED, outcome=str(error)[:300], lease_until=None, applied_at=timezone.now()
    )
