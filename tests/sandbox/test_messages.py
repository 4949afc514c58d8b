"""The sandbox's message service over real HTTP: a change reaches the app's callback URL, signed, fast; failures are
retried with backoff and given up; product messages only for followed offers; orders, parcels and a withdrawn
authorisation are announced. The callback is a tiny HTTP server on 127.0.0.1 (tests/sandbox/callback.py)."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from sandbox import delivery, messages, trade
from sandbox.models import SandboxAccount, SandboxApp, SandboxFollow, SandboxMessage, SandboxOffer, SandboxSubscription
from sourcing.alibaba import api, errors
from tests.alibaba.test_buying import HANGZHOU, orderable_group, pay
from tests.sandbox.callback import Callback

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def callback():
    server = Callback()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SANDBOX_DRIFT_SECONDS = 10**9  # prices hold still unless a test moves time
    settings.SANDBOX_MESSAGE_RETRY_SECONDS = [0.3, 0.6]
    settings.SANDBOX_MESSAGE_TIMEOUT_SECONDS = 0.5
    settings.SANDBOX_CANCEL_MIN_AGE_SECONDS = 0
    yield
    join_senders()


def join_senders(timeout: float = 5.0) -> None:
    """Wait for the delivery threads still sending, so none holds a database connection past the test."""
    for thread in threading.enumerate():
        if thread.name.startswith("sandbox-messages"):
            thread.join(timeout)


def subscribe(app: SandboxApp, url: str = "", topics=None) -> SandboxSubscription:
    return SandboxSubscription.objects.update_or_create(
        app=app, defaults={"callback_url": url, "topics": list(messages.TOPICS if topics is None else topics)}
    )[0]


def envelope(received: dict) -> dict:
    return json.loads(received["form"]["message"])


def independent_signature(message: str, secret: str) -> str:
    """docs/1688-messages.md written again: HMAC-SHA1(appSecret, "message" + the field), upper-case hex."""
    return hmac.new(secret.encode(), ("message" + message).encode(), hashlib.sha1).hexdigest().upper()


def wait_state(message: SandboxMessage, state: str, timeout: float = 5.0) -> SandboxMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.state == state:
            return message
        time.sleep(0.02)
    raise AssertionError(f"message {message.msg_id} is {message.state}, not {state}")


def test_a_price_move_reaches_the_followers_callback_signed_within_a_second(
    sandbox_app, client_1688, tokens, catalog, callback
):
    subscribe(sandbox_app, callback.url)
    offer = SandboxOffer.objects.order_by("offer_id").first()
    api.product_follow(client_1688, tokens.access_token, offer.offer_id)
    started = time.monotonic()
    call_command("sandbox_move_price", "--offer", str(offer.offer_id), "--percent", "-6")
    received = callback.wait_for(2, timeout=2)
    assert received[1]["at"] - started < 1.0
    assert all(r["content_type"].startswith("application/x-www-form-urlencoded") for r in received)
    for r in received:
        assert set(r["form"]) == {"message", "_aop_signature"}
        assert r["form"]["_aop_signature"] == independent_signature(r["form"]["message"], "test123")
    modify, price = (envelope(r) for r in sorted(received, key=lambda r: envelope(r)["msgId"]))
    assert modify["type"] == "PRODUCT_RELATION_VIEW_PRODUCT_NEW_OR_MODIFY" and modify["topicGroup"] == "PRODUCT"
    assert modify["topicName"] == "RELATION_VIEW_PRODUCT_NEW_OR_MODIFY" and modify["appKey"] == "1000000"
    assert modify["userInfo"] == tokens.member_id and modify["data"]["productIds"] == str(offer.offer_id)
    assert modify["data"]["status"] == "RELATION_VIEW_PRODUCT_NEW_OR_MODIFY"
    assert price["type"] == "FENXIAO_PRICE_CHANGE" and price["data"]["productId"] == str(offer.offer_id)
    assert price["msgId"] == modify["msgId"] + 1 and abs(price["gmtBorn"] / 1000 - time.time()) < 5
    join_senders()
    assert set(SandboxMessage.objects.values_list("state", flat=True)) == {"delivered"}
    # delivered with a 200 counts as confirmed: nothing left to replay
    assert api.message_list(client_1688).total == 0


def test_a_failing_callback_is_retried_with_backoff_then_given_up(sandbox_app, callback):
    subscribe(sandbox_app, callback.url)
    callback.status = 500
    (message,) = messages.emit_test(sandbox_app)
    callback.wait_for(1)
    for _ in range(60):  # the beat's pump, faster
        delivery.deliver_due()
        time.sleep(0.05)
    times = [r["at"] for r in callback.wait_for(3)]
    assert len(callback.received) == 3  # the first attempt and one per retry delay, then no more
    assert times[1] - times[0] >= 0.3 and times[2] - times[1] >= 0.6
    message = wait_state(message, "failed")
    assert message.attempts == 3 and message.last_outcome == "gave up after 3 attempts: HTTP 500"
    assert len({envelope(r)["msgId"] for r in callback.received}) == 1  # the same message each time


def test_a_callback_back_up_gets_the_retry_and_the_message_is_confirmed(sandbox_app, callback):
    subscribe(sandbox_app, callback.url)
    callback.status = 503
    (message,) = messages.emit_test(sandbox_app)
    callback.wait_for(1)
    callback.status = 200
    time.sleep(0.35)
    assert delivery.deliver_due() == 1
    message = wait_state(message, "delivered")
    assert message.attempts == 2 and message.last_outcome == "HTTP 200"


def wait_attempts(message: SandboxMessage, attempts: int, timeout: float = 5.0) -> SandboxMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.attempts >= attempts:
            return message
        time.sleep(0.02)
    raise AssertionError(f"message {message.msg_id} had {message.attempts} attempts, not {attempts}")


def test_refused_and_slow_callbacks_are_failures(sandbox_app, callback):
    subscribe(sandbox_app, "http://127.0.0.1:9/nothing-listens-here")
    (refused,) = messages.emit_test(sandbox_app)
    refused = wait_attempts(refused, 1)
    assert refused.state == "pending" and refused.last_outcome == "connection refused or dropped"
    subscribe(sandbox_app, callback.url)
    callback.delay = 1.0
    (slow,) = messages.emit_test(sandbox_app)
    slow = wait_attempts(slow, 1)
    assert slow.state == "pending" and slow.last_outcome == "no answer within 0.5 s"


def test_the_change_never_waits_for_the_callback(sandbox_app, client_1688, tokens, catalog, callback, settings):
    settings.SANDBOX_MESSAGE_TIMEOUT_SECONDS = 5
    subscribe(sandbox_app, callback.url)
    callback.delay = 2.0  # a slow callback, under the timeout
    _supplier, cargos = orderable_group()
    started = time.monotonic()
    created = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-fast")
    assert time.monotonic() - started < 1.5  # answered while the callback still sits on ORDER_BUYER_VIEW_BUYER_MAKE
    assert envelope(callback.wait_for(1)[0])["data"]["orderId"] == int(created.order_id)


def test_product_messages_go_only_to_apps_following_the_offer_and_subscribed(sandbox_app, catalog, live_server):
    other = SandboxApp(app_key="2000000", grant_all=True)
    other.app_secret = "other-secret"
    other.save()
    subscribe(sandbox_app)
    subscribe(other, topics=[messages.INVENTORY])  # follows, but not subscribed to relation-view changes
    buyer = SandboxAccount.objects.create(login_id="buyer-a", member_id="b2b-1", ali_id="1")
    followed, not_followed = SandboxOffer.objects.order_by("offer_id")[:2]
    messages.follow(sandbox_app, buyer, followed)
    messages.follow(other, buyer, followed)
    for offer in (followed, not_followed):
        offer.listed = False
        offer.save()
    assert list(SandboxMessage.objects.values_list("app__app_key", "type", "user_info")) == [
        ("1000000", "PRODUCT_RELATION_VIEW_PRODUCT_EXPIRE", "b2b-1")
    ]
    followed.listed = True
    followed.save()
    assert SandboxMessage.objects.order_by("pk").last().type == "PRODUCT_RELATION_VIEW_PRODUCT_REPOST"
    # an option added: a relation-view change, and the stock per option that moved to the followers of stock
    followed.sku_axes = [[*followed.sku_axes[0][:2], [*followed.sku_axes[0][2], ["新色", "New colour"]]],
                         *followed.sku_axes[1:]]  # fmt: skip
    followed.save()
    stock = SandboxMessage.objects.filter(type=messages.INVENTORY)
    assert {m.app.app_key for m in stock} == {"1000000", "2000000"}
    changes = stock.first().envelope["data"]["OfferInventoryChangeList"]
    assert changes and all(c["offerId"] == followed.offer_id and "skuOnSale" in c for c in changes)
    assert sum(1 for c in changes if c["quantity"] == c["skuOnSale"]) >= 1  # the new options: all of it is new


def test_the_drift_tick_announces_each_period_once_per_followed_offer(sandbox_app, catalog, settings, live_server):
    settings.SANDBOX_DRIFT_SECONDS = 60
    subscribe(sandbox_app)
    buyer = SandboxAccount.objects.create(login_id="buyer-t", member_id="b2b-2", ali_id="2")
    offers = list(SandboxOffer.objects.order_by("offer_id")[:3])
    for offer in offers[:2]:
        messages.follow(sandbox_app, buyer, offer)
    now = timezone.now()
    assert messages.tick(now) == 0  # the period of the follow itself: nothing new
    later = now + timedelta(seconds=60)
    first = messages.tick(later)
    again = messages.tick(later + timedelta(seconds=1))
    assert first >= 2 and again == 0
    announced = {m.envelope["data"].get("productId") or m.envelope["data"].get("productIds")
                 for m in SandboxMessage.objects.exclude(type=messages.INVENTORY)}  # fmt: skip
    assert announced == {str(offers[0].offer_id), str(offers[1].offer_id)}
    price_now = messages.stock_levels(offers[0], later)[0]
    assert SandboxFollow.objects.get(offer_id=offers[0].offer_id).seen_price == price_now


def order_types(member_id: str) -> list[str]:
    return list(SandboxMessage.objects.filter(user_info=member_id).order_by("msg_id").values_list("type", flat=True))


def test_orders_and_parcels_are_announced_as_they_move(sandbox_app, client_1688, tokens, catalog, settings):
    subscribe(sandbox_app)
    _supplier, cargos = orderable_group()
    order = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-m")
    link = api.pay_url(client_1688, tokens.access_token, [order.order_id])
    pay(link)
    requests.post(link.url, timeout=10)  # a second click pays (and tells) once
    assert order_types(tokens.member_id) == ["ORDER_BUYER_VIEW_BUYER_MAKE", "ORDER_BUYER_VIEW_ORDER_PAY"]
    row = trade.SandboxOrder.objects.get(order_id=int(order.order_id))
    trade.rewind(row.order_id, settings.SANDBOX_SHIP_DELAY_SECONDS + 2 * settings.SANDBOX_TRACE_STEP_SECONDS + 1)
    messages.tick()
    types = order_types(tokens.member_id)
    assert types[2:] == ["ORDER_BUYER_VIEW_ANNOUNCE_SENDGOODS", *[messages.LOGISTICS] * 3]
    traces = [m.envelope["data"]["OrderLogisticsTracingModel"]
              for m in SandboxMessage.objects.filter(type=messages.LOGISTICS).order_by("msg_id")]  # fmt: skip
    assert [t["statusChanged"] for t in traces] == ["CONSIGN", "ACCEPT", "TRANSPORT"]
    assert traces[0]["mailNo"].startswith("YT") and traces[0]["orderLogsItems"][0]["orderId"] == row.order_id
    trade.rewind(row.order_id, 30 * 86400)
    api.order_detail(client_1688, tokens.access_token, order.order_id)  # a read moves it too, announced once
    messages.tick()
    assert order_types(tokens.member_id)[6:] == [
        "ORDER_BUYER_VIEW_ORDER_COMFIRM_RECEIVEGOODS", "ORDER_BUYER_VIEW_ORDER_SUCCESS", messages.LOGISTICS,
        messages.LOGISTICS,
    ]  # fmt: skip
    statuses = [m.envelope["data"]["currentStatus"] for m in SandboxMessage.objects.filter(type__startswith="ORDER_")
                .order_by("msg_id")]  # fmt: skip
    assert statuses == ["waitbuyerpay", "waitsellersend", "waitbuyerreceive", "confirm_goods", "success"]

    cancelled = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-c")
    api.cancel_order(client_1688, tokens.access_token, cancelled.order_id)
    last = SandboxMessage.objects.order_by("msg_id").last()
    assert last.type == "ORDER_BUYER_VIEW_ORDER_BUYER_CLOSE" and last.envelope["data"]["orderId"] == int(
        cancelled.order_id
    )


def test_a_withdrawn_authorisation_kills_the_tokens_and_is_announced(sandbox_app, client_1688, tokens, callback):
    subscribe(sandbox_app, callback.url)
    account = SandboxAccount.objects.get(member_id=tokens.member_id)
    messages.revoke(sandbox_app, account)
    got = envelope(callback.wait_for(1)[0])
    assert got["type"] == "AUTHORIZATION_CANCEL" and got["userInfo"] == tokens.member_id
    assert got["data"]["memberId"] == tokens.member_id and got["data"]["appKey"] == "1000000"
    with pytest.raises(errors.TokenInvalid):
        api.account_basic(client_1688, tokens.access_token)
    refreshed = requests.post(f"{client_1688.base_url}/param2/1/system.oauth2/getToken/1000000", timeout=10, data={
        "grant_type": "refresh_token", "client_id": "1000000", "client_secret": "test123",
        "refresh_token": tokens.refresh_token})  # fmt: skip
    assert refreshed.json()["error"] == "invalid_grant"


def test_concurrent_ticks_and_senders_announce_and_send_once(sandbox_app, catalog, settings, callback):
    from tests.conftest import run_in_threads

    settings.SANDBOX_DRIFT_SECONDS = 60
    subscribe(sandbox_app)
    buyer = SandboxAccount.objects.create(login_id="buyer-c", member_id="b2b-3", ali_id="3")
    for offer in SandboxOffer.objects.order_by("offer_id")[:4]:
        messages.follow(sandbox_app, buyer, offer)
    later = timezone.now() + timedelta(seconds=60)
    assert run_in_threads(lambda: messages.tick(later), 4) == []
    per_offer = {}
    for m in SandboxMessage.objects.filter(type=messages.PRICE):
        per_offer[m.envelope["data"]["productId"]] = per_offer.get(m.envelope["data"]["productId"], 0) + 1
    assert per_offer and set(per_offer.values()) == {1}  # one price message per followed offer, not four
    # four senders (threads, the pump) after one due message: one POST
    subscribe(sandbox_app, callback.url)
    SandboxMessage.objects.all().delete()
    settings.SANDBOX_MESSAGE_INLINE = True
    callback.status = 500
    (message,) = messages.emit_test(sandbox_app)
    SandboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    callback.status = 200
    assert run_in_threads(lambda: delivery.deliver([message.pk]), 4) == []
    assert len(callback.received) == 2 and wait_state(message, "delivered").attempts == 2


def test_a_callback_that_is_down_costs_a_round_one_or_two_attempts_not_one_per_message(sandbox_app, callback, settings):
    settings.SANDBOX_MESSAGE_INLINE = True
    settings.SANDBOX_MESSAGE_RETRY_SECONDS = [10, 10]
    subscribe(sandbox_app)  # no callback yet: the messages wait
    stored = [messages.emit_test(sandbox_app)[0] for _ in range(5)]
    subscribe(sandbox_app, callback.url)
    callback.delay = 1.0  # longer than the 0.5 s timeout
    SandboxMessage.objects.update(state="pending", next_attempt_at=timezone.now())
    started = time.monotonic()
    assert delivery.deliver_due() == 5
    assert time.monotonic() - started < 1.8 and len(callback.received) == 2  # two timeouts in a row: it is down
    rows = list(SandboxMessage.objects.filter(pk__in=[m.pk for m in stored]).order_by("msg_id"))
    assert all(m.attempts == 1 and m.state == "pending" and m.next_attempt_at > timezone.now() for m in rows)
    assert [m.last_outcome for m in rows[1:3]] == ["no answer within 0.5 s",
                                                   "not sent: no answer within 0.5 s just before"]  # fmt: skip
    # a refused connection: down at once
    subscribe(sandbox_app, "http://127.0.0.1:9/nothing-listens-here")
    SandboxMessage.objects.update(next_attempt_at=timezone.now())
    assert delivery.deliver_due() == 5
    rows = list(SandboxMessage.objects.filter(pk__in=[m.pk for m in stored]).order_by("msg_id"))
    assert rows[0].last_outcome == "connection refused or dropped" and all(m.attempts == 2 for m in rows)
    assert {m.last_outcome for m in rows[1:]} == {"not sent: connection refused or dropped just before"}


def test_a_big_batch_goes_out_over_several_threads_every_message_once(sandbox_app, callback):
    subscribe(sandbox_app, callback.url)
    started = time.monotonic()
    stored = messages.store([(sandbox_app, messages.TEST, "", {"n": n}) for n in range(120)])
    received = callback.wait_for(120, timeout=20)
    assert sorted(envelope(r)["msgId"] for r in received) == [m.msg_id for m in stored]
    join_senders()
    assert SandboxMessage.objects.filter(state="delivered").count() == 120
    assert time.monotonic() - started < 20
