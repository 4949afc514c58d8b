"""The sandbox's message service: which messages a change makes, for which apps (docs/1688-messages.md).

A change of sandbox data calls one of the `emit_*` functions inside its transaction; they store one
SandboxMessage per subscribed app, and sandbox/delivery.py POSTs them once the transaction commits.
Product messages go only to apps that follow the offer (alibaba.product.follow); order and logistics
messages to the apps the buyer authorised; an authorisation withdrawn to the app concerned.
"""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import (
    SandboxAccessToken,
    SandboxAccount,
    SandboxApp,
    SandboxFollow,
    SandboxMessage,
    SandboxOffer,
    SandboxOrder,
    SandboxRefreshToken,
    SandboxSubscription,
)

BEIJING_OFFSET = timedelta(hours=8)

# Every topic the sandbox emits: type → (topicGroup, topicName). type = topicGroup + "_" + topicName.
INVENTORY = "PRODUCT_PRODUCT_INVENTORY_CHANGE"
MODIFY = "PRODUCT_RELATION_VIEW_PRODUCT_NEW_OR_MODIFY"
EXPIRE = "PRODUCT_RELATION_VIEW_PRODUCT_EXPIRE"
DELETE = "PRODUCT_RELATION_VIEW_PRODUCT_DELETE"
REPOST = "PRODUCT_RELATION_VIEW_PRODUCT_REPOST"
PRICE = "FENXIAO_PRICE_CHANGE"
LOGISTICS = "LOGISTICS_BUYER_VIEW_TRACE"
AUTH_CANCEL = "AUTHORIZATION_CANCEL"  # topic group and payload UNCONFIRMED (docs/1688-messages.md)
TEST = "SANDBOX_TEST_MESSAGE"  # the console's test message; not a 1688 topic

ORDER_TOPICS = {  # type → the order status it announces (the sandbox's status strings)
    "ORDER_BUYER_VIEW_BUYER_MAKE": "waitbuyerpay",
    "ORDER_BUYER_VIEW_ORDER_PAY": "waitsellersend",
    "ORDER_BUYER_VIEW_ANNOUNCE_SENDGOODS": "waitbuyerreceive",
    "ORDER_BUYER_VIEW_ORDER_COMFIRM_RECEIVEGOODS": "confirm_goods",  # [sic]: 1688's spelling
    "ORDER_BUYER_VIEW_ORDER_SUCCESS": "success",
    "ORDER_BUYER_VIEW_ORDER_BUYER_CLOSE": "cancel",
}
TOPIC_BY_STATUS = {status: topic for topic, status in ORDER_TOPICS.items()}
PRODUCT_TOPICS = [INVENTORY, MODIFY, EXPIRE, DELETE, REPOST, PRICE]
TOPICS = [*PRODUCT_TOPICS, *ORDER_TOPICS, LOGISTICS, AUTH_CANCEL]
GROUPS = {INVENTORY: ("PRODUCT", "PRODUCT_INVENTORY_CHANGE"), PRICE: ("FENXIAO", "PRICE_CHANGE"),
          AUTH_CANCEL: ("AUTHORIZATION", "CANCEL"), TEST: ("SANDBOX", "TEST_MESSAGE"),
          LOGISTICS: ("LOGISTICS", "BUYER_VIEW_TRACE")}  # fmt: skip
# Milestones of LOGISTICS_BUYER_VIEW_TRACE, each with the trace step (sandbox/trade.py TRACE) that reaches it.
LOGISTICS_STEPS = [("CONSIGN", 0), ("ACCEPT", 0), ("TRANSPORT", 2), ("DELIVERING", 6), ("SIGN", 7)]


def topic_parts(message_type: str) -> tuple[str, str]:
    if message_type in GROUPS:
        return GROUPS[message_type]
    group, _sep, name = message_type.partition("_")
    return group, name


def send_time(moment: datetime | None = None) -> str:
    """msgSendTime: Beijing wall time, "2018-05-30 20:29:37"."""
    return ((moment or timezone.now()).astimezone(UTC) + BEIJING_OFFSET).strftime("%Y-%m-%d %H:%M:%S")


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _reserve_ids(app_id: int, count: int) -> int:
    """The first of `count` new msgIds of the app; the row lock orders the app's messages until commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sandbox_sandboxsubscription SET next_msg_id = next_msg_id + %s WHERE app_id = %s "
            "RETURNING next_msg_id",
            [count, app_id],
        )
        row = cursor.fetchone()
    return row[0] - count


def store(items: list[tuple[SandboxApp, str, str, dict]], now: datetime | None = None) -> list[SandboxMessage]:
    """Store messages (app, type, userInfo, data) and deliver them after commit. Apps without a subscription, or
    not subscribed to the type (the test message excepted), get nothing."""
    from . import delivery

    now = now or timezone.now()
    if not items:
        return []
    # Read fresh: an app object held for long (a command, a test) may carry an old subscription.
    subscriptions = {s.app_id: s for s in SandboxSubscription.objects.filter(app__in={app.pk for app, *_ in items})}
    wanted = []
    for app, message_type, user_info, data in items:
        subscription = subscriptions.get(app.pk)
        if subscription is None or (message_type != TEST and message_type not in subscription.topics):
            continue
        wanted.append((app, subscription, message_type, user_info, data))
    if not wanted:
        return []
    rows = []
    with transaction.atomic():
        by_app: dict[int, list] = {}
        for entry in wanted:
            by_app.setdefault(entry[0].pk, []).append(entry)
        for app_id in sorted(by_app):  # one lock order for every writer
            entries = by_app[app_id]
            first = _reserve_ids(app_id, len(entries))
            for offset, (app, subscription, message_type, user_info, data) in enumerate(entries):
                group, name = topic_parts(message_type)
                envelope = {"msgId": first + offset, "gmtBorn": _millis(now), "userInfo": user_info,
                            "type": message_type, "topicGroup": group, "topicName": name, "appKey": app.app_key,
                            "data": data}  # fmt: skip
                callback = subscription.callback_url
                rows.append(SandboxMessage(
                    app=app, msg_id=first + offset, type=message_type, user_info=user_info, envelope=envelope,
                    born_at=now, state="pending" if callback else "failed", next_attempt_at=now if callback else None,
                    last_outcome="" if callback else "no callback URL: kept for the message list",
                ))  # fmt: skip
        rows = SandboxMessage.objects.bulk_create(rows)
        pending = [row.pk for row in rows if row.state == "pending"]
        if pending:
            transaction.on_commit(lambda: delivery.deliver_soon(pending))
    return rows


def subscribe(app: SandboxApp, *, callback_url: str | None = None, topics: list[str] | None = None):
    """Set the app's message subscription: where messages are POSTed and which types (None keeps what is set)."""
    subscription, _created = SandboxSubscription.objects.get_or_create(app=app)
    if callback_url is not None:
        subscription.callback_url = callback_url.strip()[:500]
    if topics is not None:
        subscription.topics = [t for t in TOPICS if t in set(topics)]
    subscription.save()
    return subscription


# --- Products ---
def stock_levels(offer: SandboxOffer, now: datetime | None = None) -> tuple[Decimal, dict[str, int]]:
    """The offer's drifting price, and its stock per option {skuId as text, or "" without options: stock}."""
    from .catalog import drift
    from .trade import options

    price = drift(offer, settings.SANDBOX_DRIFT_SECONDS, now)[0]
    return price, {str(o.sku_id or ""): o.stock for o in options(offer, now)}


def inventory_data(offer_id: int, before: dict[str, int], after: dict[str, int], now: datetime) -> dict | None:
    """PRODUCT_PRODUCT_INVENTORY_CHANGE's payload for the options whose stock moved (None when none did)."""
    total = sum(after.values())
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, 0), after.get(key, 0)
        if old == new:
            continue
        change = {"offerId": offer_id, "offerOnSale": total, "quantity": new - old, "bizTime": _millis(now)}
        if key:
            change.update(skuId=int(key), skuOnSale=new)
        changes.append(change)
    return {"OfferInventoryChangeList": changes} if changes else None


def relation_data(message_type: str, offer_id: int, member_id: str, now: datetime) -> dict:
    return {"productIds": str(offer_id), "memberId": member_id, "status": message_type.removeprefix("PRODUCT_"),
            "msgSendTime": send_time(now)}  # fmt: skip


def price_data(offer_id: int, member_id: str, now: datetime) -> dict:
    return {"productId": str(offer_id), "memberId": member_id, "msgSendTime": send_time(now)}


def product_messages(follow: SandboxFollow, types: list[str], stock: tuple[dict, dict] | None, now: datetime):
    """The messages of one follow: relation-view and price topics by type, and the stock change if any."""
    member = follow.account.member_id
    items = []
    for message_type in types:
        data = price_data(follow.offer_id, member, now) if message_type == PRICE else None
        items.append((follow.app, message_type, member, data or relation_data(message_type, follow.offer_id,
                                                                               member, now)))  # fmt: skip
    if stock is not None:
        data = inventory_data(follow.offer_id, stock[0], stock[1], now)
        if data:
            items.append((follow.app, INVENTORY, member, data))
    return items


def _follows(offer_id: int):
    return SandboxFollow.objects.filter(offer_id=offer_id).select_related("app__subscription", "account")


def emit_product(offer: SandboxOffer, types: list[str], *, before: dict | None = None) -> list[SandboxMessage]:
    """An offer changed (price, options, listing): tell the apps that follow it, and remember what they were told
    so the drift tick doesn't tell them again."""
    now = timezone.now()
    price, after = stock_levels(offer, now)
    items = []
    for follow in _follows(offer.offer_id):
        items += product_messages(follow, types, (before, after) if before is not None else None, now)
    SandboxFollow.objects.filter(offer_id=offer.offer_id).update(seen_price=price, seen_stock=after)
    return store(items, now)


def emit_deleted(offer_id: int) -> list[SandboxMessage]:
    now = timezone.now()
    return store([item for f in _follows(offer_id) for item in product_messages(f, [DELETE], None, now)], now)


def follow(app: SandboxApp, account: SandboxAccount, offer: SandboxOffer) -> SandboxFollow:
    """Follow an offer (idempotent); its current period is the baseline, so the follow itself says nothing."""
    now = timezone.now()
    price, levels = stock_levels(offer, now)
    bucket = int(now.timestamp()) // max(1, settings.SANDBOX_DRIFT_SECONDS)
    row, _created = SandboxFollow.objects.get_or_create(
        app=app, account=account, offer_id=offer.offer_id,
        defaults={"seen_bucket": bucket, "seen_price": price, "seen_stock": levels},
    )  # fmt: skip
    return row


def tick(now: datetime | None = None) -> int:
    """Announce the drift: for every followed offer whose drift period changed since it was last announced, the new
    price (relation view + fenxiao price) and the stock per option that moved. Each period once per follow: the
    follow row is claimed with a conditional UPDATE. Returns the number of messages stored."""
    now = now or timezone.now()
    bucket = int(now.timestamp()) // max(1, settings.SANDBOX_DRIFT_SECONDS)
    stale = list(SandboxFollow.objects.filter(seen_bucket__lt=bucket, app__subscription__isnull=False)
                 .select_related("app__subscription", "account")[:2000])  # fmt: skip
    offers = SandboxOffer.objects.filter(listed=True).in_bulk({f.offer_id for f in stale}, field_name="offer_id")
    states = {offer_id: stock_levels(offer, now) for offer_id, offer in offers.items()}
    items = []
    for row in stale:
        price, levels = states.get(row.offer_id, (None, None))
        claimed = SandboxFollow.objects.filter(pk=row.pk, seen_bucket=row.seen_bucket).update(
            seen_bucket=bucket, **({"seen_price": price, "seen_stock": levels} if price is not None else {})
        )
        if not claimed or price is None:
            continue
        types = [MODIFY, PRICE] if row.seen_price is not None and price != row.seen_price else []
        items += product_messages(row, types, (row.seen_stock, levels), now)
    advance_open_orders(now)
    return len(store(items, now))


def advance_open_orders(now: datetime) -> None:
    """Bring paid, open orders up to `now`, so shipping, the parcel's steps and completion are announced when they
    happen rather than when somebody next reads the order."""
    from .trade import advance

    open_orders = SandboxOrder.objects.filter(paid_at__isnull=False, completed_at=None, cancelled_at=None)
    for order in open_orders.select_related("account", "app").order_by("pk")[:2000]:
        advance(order, now)


# --- Orders and parcels ---
def authorised_apps(account: SandboxAccount, also: SandboxApp | None = None) -> list[SandboxApp]:
    """The apps the account authorised (a live refresh or access token), and `also`."""
    now = timezone.now()
    ids = set(SandboxRefreshToken.objects.filter(account=account, revoked_at=None, expires_at__gt=now)
              .values_list("app_id", flat=True))  # fmt: skip
    ids |= set(SandboxAccessToken.objects.filter(account=account, expires_at__gt=now).values_list("app_id", flat=True))
    if also is not None:
        ids.add(also.pk)
    return list(SandboxApp.objects.filter(pk__in=ids).select_related("subscription").order_by("pk"))


def order_data(order: SandboxOrder, now: datetime) -> dict:
    return {"orderId": order.order_id, "currentStatus": order.status, "msgSendTime": send_time(now),
            "buyerMemberId": order.account.member_id, "sellerMemberId": order.seller.get("member_id", "")}  # fmt: skip


def emit_order(order: SandboxOrder, message_type: str | None = None, at: datetime | None = None):
    """The order moved to its current status (or the one `message_type` announces, reached `at`): tell the apps
    the buyer authorised."""
    message_type = message_type or TOPIC_BY_STATUS.get(order.status)
    if message_type is None:
        return []
    now = timezone.now()
    data = order_data(order, at or now)
    data["currentStatus"] = ORDER_TOPICS[message_type]
    apps = authorised_apps(order.account, order.app)
    return store([(app, message_type, order.account.member_id, data) for app in apps], now)


def logistics_due(order: SandboxOrder, now: datetime) -> list[tuple[str, datetime]]:
    """The parcel's milestones reached by `now` and not announced yet, in order, with the time each was reached."""
    if order.shipped_at is None:
        return []
    step = max(1, settings.SANDBOX_TRACE_STEP_SECONDS)
    names = [name for name, _s in LOGISTICS_STEPS]
    told = names.index(order.logistics_told) + 1 if order.logistics_told in names else 0
    due = []
    for name, at_step in LOGISTICS_STEPS[told:]:
        reached = order.shipped_at + timedelta(seconds=step * at_step)
        if reached > now:
            break
        due.append((name, reached))
    return due


def emit_logistics(order: SandboxOrder, now: datetime | None = None) -> list[SandboxMessage]:
    """Announce the parcel's milestones reached since the last one announced (each once: a conditional UPDATE)."""
    from .trade_apis import CARRIER, _logistics_id

    now = now or timezone.now()
    due = logistics_due(order, now)
    if not due or not SandboxOrder.objects.filter(pk=order.pk, logistics_told=order.logistics_told).update(
        logistics_told=due[-1][0]
    ):
        return []
    order.logistics_told = due[-1][0]
    entries = [{"orderId": order.order_id, "orderEntryId": item.sub_item_id} for item in order.items.order_by("pk")]
    apps = authorised_apps(order.account, order.app)
    items = []
    for name, reached in due:
        data = {"OrderLogisticsTracingModel": {
            "logisticsId": _logistics_id(order), "cpCode": CARRIER["logisticsCompanyNo"],
            "mailNo": order.logistics_bill_no, "statusChanged": name, "changeTime": send_time(reached),
            "orderLogsItems": entries}}  # fmt: skip
        items += [(app, LOGISTICS, order.account.member_id, data) for app in apps]
    return store(items, now)


# --- Authorisation and the console ---
def revoke(app: SandboxApp, account: SandboxAccount) -> list[SandboxMessage]:
    """The account withdraws the app's authorisation: its tokens die and the app is told."""
    with transaction.atomic():
        SandboxAccessToken.objects.filter(app=app, account=account).delete()
        SandboxRefreshToken.objects.filter(app=app, account=account, revoked_at=None).update(revoked_at=timezone.now())
        now = timezone.now()
        data = {"memberId": account.member_id, "appKey": app.app_key, "msgSendTime": send_time(now)}
        return store([(app, AUTH_CANCEL, account.member_id, data)], now)


def emit_test(app: SandboxApp) -> list[SandboxMessage]:
    now = timezone.now()
    data = {"text": "这是一条测试消息 (a test message from the sandbox console)", "msgSendTime": send_time(now)}
    return store([(app, TEST, "", data)], now)


def wire_text(envelope: dict) -> str:
    """The envelope as the `message` form field carries it: compact JSON, UTF-8, Chinese as is."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
