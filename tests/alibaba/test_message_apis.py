"""The client's message wrappers against the sandbox over real HTTP: follow and unfollow, the message list (query,
confirm) and the cursor list, their filters and bad input; and reading a pushed envelope and its signature."""

import json
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from sandbox import messages
from sandbox.models import SandboxMessage, SandboxOffer, SandboxSubscription
from sourcing.alibaba import api, errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listed(sandbox_app, settings):
    """The app subscribed to every topic without a callback URL: every message waits in the list."""
    settings.SANDBOX_DRIFT_SECONDS = 10**9
    return SandboxSubscription.objects.create(app=sandbox_app, callback_url="", topics=messages.TOPICS)


def move(offer, percent="5"):
    call_command("sandbox_move_price", "--offer", str(offer.offer_id), "--percent", percent)


def test_follow_gates_product_messages_and_unfollow_stops_them(client_1688, tokens, catalog, listed):
    first, second = SandboxOffer.objects.order_by("offer_id")[:2]
    api.product_follow(client_1688, tokens.access_token, first.offer_id)
    api.product_follow(client_1688, tokens.access_token, first.offer_id)  # again: still one follow
    move(first)
    move(second)  # not followed: nothing
    page = api.message_list(client_1688)
    assert page.total == 2 and {m.type for m in page.messages} == {messages.MODIFY, messages.PRICE}
    assert all(m.user_info == tokens.member_id and m.app_key == "1000000" for m in page.messages)
    assert page.messages[0].data["productIds"] == str(first.offer_id)
    api.product_unfollow(client_1688, tokens.access_token, first.offer_id)
    move(first, "-5")
    assert api.message_list(client_1688).total == 2
    with pytest.raises(errors.BusinessError) as unknown:
        api.product_follow(client_1688, tokens.access_token, 1)
    assert unknown.value.code == "404"
    with pytest.raises(errors.TokenInvalid):  # following is the account's: it needs its token
        api.product_follow(client_1688, "not-a-token", first.offer_id)


def test_query_does_not_confirm_confirm_does_and_cursor_confirms_as_it_reads(client_1688, tokens, catalog, listed):
    offers = list(SandboxOffer.objects.order_by("offer_id")[:15])
    for offer in offers:
        api.product_follow(client_1688, tokens.access_token, offer.offer_id)
        move(offer)  # two messages each: 30
    page = api.message_list(client_1688, page_size=20)
    assert page.total == 30 and len(page.messages) == 20
    ids = [m.msg_id for m in page.messages]
    first = ids[0]
    assert ids == list(range(first, first + 20))  # oldest first, numbered per app in creation order
    assert first > 10**15  # starting past anything an earlier subscription of the app used (epoch ms × 1000)
    assert api.message_list(client_1688, page_size=20).messages == page.messages  # reading confirmed nothing
    second = api.message_list(client_1688, page=2, page_size=20)
    assert [m.msg_id for m in second.messages] == list(range(first + 20, first + 30))
    assert api.message_confirm(client_1688, ids)
    assert api.message_list(client_1688).total == 10
    # the cursor reads the oldest and confirms them: a second read gets the rest, then nothing
    cursor = api.message_cursor(client_1688, quantity=5)  # below 20: the sandbox reads 20
    assert [m.msg_id for m in cursor] == list(range(first + 20, first + 30))
    assert api.message_cursor(client_1688) == [] and api.message_list(client_1688).total == 0
    assert set(SandboxMessage.objects.values_list("state", flat=True)) == {"confirmed"}


def test_filters_by_type_member_and_time_and_bad_input_is_refused_not_a_500(client_1688, tokens, catalog, listed):
    offer = SandboxOffer.objects.order_by("offer_id").first()
    api.product_follow(client_1688, tokens.access_token, offer.offer_id)
    move(offer)
    assert [m.type for m in api.message_list(client_1688, message_type=messages.PRICE).messages] == [messages.PRICE]
    assert api.message_list(client_1688, user_info="b2b-nobody").total == 0
    assert api.message_list(client_1688, user_info=tokens.member_id).total == 2
    now = timezone.now()
    assert api.message_list(client_1688, start=now + timedelta(minutes=1)).total == 0
    assert api.message_list(client_1688, start=now - timedelta(minutes=5), end=now + timedelta(minutes=1)).total == 2
    assert api.message_list(client_1688, page=10**6).messages == []
    bad = [("push.query.messageList", {"page": "²"}), ("push.query.messageList", {"pageSize": "NaN"}),
           ("push.query.messageList", {"createStartTime": "yesterday"}), ("push.message.confirm", {"msgIdList": "[1e999]"}),
           ("push.message.confirm", {"msgIdList": "x" * 10_000}), ("push.cursor.messageList", {"quantity": 10**30})]  # fmt: skip
    for name, params in bad:
        with pytest.raises(errors.ParamInvalid):
            client_1688.call("cn.alibaba.open", name, params)
    assert api.message_list(client_1688, message_type="x" * 10_000).total == 0
    assert api.message_list(client_1688).total == 2  # nothing confirmed by the bad calls


def test_another_apps_messages_are_not_listed_or_confirmed(client_1688, tokens, catalog, listed, live_server):
    from sandbox.models import SandboxApp
    from sourcing.alibaba import AlibabaClient

    other = SandboxApp(app_key="3000000", grant_all=True)
    other.app_secret = "other-secret"
    other.save()
    SandboxSubscription.objects.create(app=other, topics=messages.TOPICS)
    offer = SandboxOffer.objects.order_by("offer_id").first()
    api.product_follow(client_1688, tokens.access_token, offer.offer_id)
    move(offer)
    theirs = AlibabaClient("3000000", "other-secret", base_url=client_1688.base_url)
    assert api.message_list(theirs).total == 0
    ours = [m.msg_id for m in api.message_list(client_1688).messages]
    assert api.message_confirm(theirs, ours)  # their confirm names our msgIds: ours stay
    assert api.message_list(client_1688).total == 2


def test_a_pushed_envelope_reads_and_its_signature_checks():
    text = json.dumps({"msgId": 7, "gmtBorn": 1765098000123, "userInfo": "b2b-1", "type": messages.INVENTORY,
                       "topicGroup": "PRODUCT", "topicName": "PRODUCT_INVENTORY_CHANGE", "appKey": "1000000",
                       "data": {"OfferInventoryChangeList": [{"offerId": 1, "quantity": -10}]}},
                      ensure_ascii=False)  # fmt: skip
    signature = api.push_signature(text, "test123")
    assert len(signature) == 40 and signature == signature.upper()
    assert api.push_signature_ok(text, signature, "test123")
    assert not api.push_signature_ok(text, signature.lower(), "test123")  # nothing weaker than the exact signature
    assert not api.push_signature_ok(text, signature, "")
    assert not api.push_signature_ok(text, signature, "another-secret")
    assert not api.push_signature_ok(text + " ", signature, "test123") and not api.push_signature_ok(text, "", "x")
    message = api.read_push_message(text)
    assert (message.msg_id, message.type, message.user_info) == (7, messages.INVENTORY, "b2b-1")
    assert message.born_at.year == 2025 and message.data["OfferInventoryChangeList"][0]["quantity"] == -10
    for bad in ("not json", "[]", '{"type": "X"}', '{"msgId": "x", "type": "X"}'):
        with pytest.raises(errors.MalformedResponse):
            api.read_push_message(bad)
    assert api.read_push_message({"msgId": "8", "topicGroup": "ORDER", "topicName": "BUYER_VIEW_ORDER_PAY"}).type == (
        "ORDER_BUYER_VIEW_ORDER_PAY"
    )


def test_the_sandbox_push_and_the_client_agree_on_the_signature(sandbox_app):
    from sandbox.delivery import push_signature

    text = '{"msgId":1,"data":{"text":"测试"}}'
    assert push_signature(text, "test123") == api.push_signature(text, "test123")
    assert requests is not None
