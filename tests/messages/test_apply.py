"""The worker: each message once, never an older state over a newer one; stock without a gateway call; listing
messages fire the delisted alert (bell); an authorisation withdrawn disconnects the credential and tells its owner."""

import pytest
from django.utils import timezone

from sourcing.alerts import services as alerts
from sourcing.alerts.models import Notification
from sourcing.catalog.models import PriceHistory, Product, Sku
from sourcing.connections.models import ApiCallLog, OAuthToken
from sourcing.messages.models import InboundMessage
from sourcing.messages.services.apply import message_apply
from tests.messages.conftest import envelope, inventory, now_ms

pytestmark = pytest.mark.django_db
FLASK = 800001
INVENTORY = "PRODUCT_PRODUCT_INVENTORY_CHANGE"


def test_stock_per_option_is_applied_without_a_call_and_fires_the_alert(deliver, cred, alice, products, followed):
    flask = products[0]
    white = Sku.objects.get(product=flask, sku_id="80000101")
    alerts.alert_create(actor=alice, team=alice.current_team, product=flask, sku=white, kind="out_of_stock")
    response = deliver(cred, envelope(INVENTORY, inventory(FLASK, offer_on_sale=2500, sku_id=80000101, sku_on_sale=0)))
    assert response.status_code == 200
    white.refresh_from_db()
    flask.refresh_from_db()
    assert (white.stock, flask.stock) == (0, 2500)
    assert Sku.objects.get(product=flask, sku_id="80000102").stock == 2500  # the other option is untouched
    assert not ApiCallLog.objects.exists()  # the levels are in the message: 1688 was not asked
    note = Notification.objects.get(user=alice)
    assert "out of stock" in note.text and "白色" in note.text
    assert PriceHistory.objects.filter(product=flask, stock=2500).exists()
    assert flask.content_hash == ""  # the next fetched answer is written in full


def test_an_older_message_after_a_newer_one_changes_nothing(deliver, cred, products, followed):
    now = now_ms()
    newer = envelope(INVENTORY, inventory(FLASK, offer_on_sale=40, sku_id=80000101, sku_on_sale=10, at=now))
    older = envelope(INVENTORY, inventory(FLASK, offer_on_sale=120, sku_id=80000101, sku_on_sale=60, at=now - 5000),
                     msg_id=newer["msgId"] - 1, born=now - 5000)  # fmt: skip
    deliver(cred, newer)
    deliver(cred, older)  # delivered late (a retry overlapped the newer one)
    flask = Product.objects.get(offer_id=FLASK)
    assert flask.stock == 40 and flask.skus.get(sku_id="80000101").stock == 10
    assert InboundMessage.objects.get(msg_id=older["msgId"]).state == "ignored"
    # a listing message born before a fetched answer changes nothing either
    Product.objects.filter(pk=flask.pk).update(detail_fetched_at=timezone.now())
    stale = envelope("PRODUCT_RELATION_VIEW_PRODUCT_EXPIRE", {"productIds": str(FLASK)}, born=now - 120_000)
    deliver(cred, stale)
    assert Product.objects.get(offer_id=FLASK).status == "active"


def test_two_options_told_apart_and_each_at_its_newest(deliver, cred, products, followed):
    now = now_ms()
    deliver(cred, envelope(INVENTORY, inventory(FLASK, offer_on_sale=90, sku_id=80000102, sku_on_sale=30, at=now)))
    # an older message for the other option still applies to it (each option holds its own time)
    deliver(cred, envelope(INVENTORY, inventory(FLASK, offer_on_sale=95, sku_id=80000101, sku_on_sale=60,
                                                at=now - 1000), born=now - 1000))  # fmt: skip
    flask = Product.objects.get(offer_id=FLASK)
    assert flask.skus.get(sku_id="80000101").stock == 60 and flask.skus.get(sku_id="80000102").stock == 30
    assert flask.stock == 90  # the offer's own level: the newer one stays


def test_delist_fires_the_delisted_alert_and_repost_relists(deliver, cred, alice, products, followed):
    flask = products[0]
    alerts.alert_create(actor=alice, team=alice.current_team, product=flask, kind="delisted")
    now = now_ms()
    deliver(cred, envelope("PRODUCT_RELATION_VIEW_PRODUCT_EXPIRE", {"productIds": f"{FLASK},999999"}, born=now))
    assert Product.objects.get(offer_id=FLASK).status == "delisted"
    assert "taken off 1688" in Notification.objects.get(user=alice).text
    deliver(cred, envelope("PRODUCT_RELATION_VIEW_PRODUCT_REPOST", {"productIds": str(FLASK)}, born=now + 1000))
    assert Product.objects.get(offer_id=FLASK).status == "active"
    # the same delisting delivered again, or an older one, changes nothing
    deliver(cred, envelope("PRODUCT_RELATION_VIEW_PRODUCT_DELETE", {"productIds": str(FLASK)}, born=now + 500))
    assert Product.objects.get(offer_id=FLASK).status == "active" and Notification.objects.count() == 1
    assert not ApiCallLog.objects.exists()


def test_a_message_is_applied_once_however_often_its_task_runs(deliver, cred, products, followed):
    deliver(cred, envelope(INVENTORY, inventory(FLASK, offer_on_sale=33)))
    stored = InboundMessage.objects.get()
    Product.objects.filter(offer_id=FLASK).update(stock=1)
    assert message_apply(message_id=stored.pk) == "skipped"
    assert Product.objects.get(offer_id=FLASK).stock == 1


def test_an_unknown_topic_is_kept_and_ignored(deliver, cred):
    assert deliver(cred, envelope("SOMETHING_NEW", {"x": 1})).status_code == 200
    assert InboundMessage.objects.get().state == "ignored"


def test_authorisation_withdrawn_disconnects_and_tells_the_owner(deliver, cred, alice):
    token = OAuthToken(credential=cred, resource_owner="acme采购01", member_id="b2b-2207")
    token.access_token = "access-1"
    token.save()
    # another 1688 account's withdrawal changes nothing
    deliver(cred, envelope("AUTHORIZATION_CANCEL", {"memberId": "b2b-other", "appKey": "30051688"}))
    assert OAuthToken.objects.filter(credential=cred).exists()
    deliver(cred, envelope("AUTHORIZATION_CANCEL", {"memberId": "b2b-2207", "appKey": "30051688"}))
    assert not OAuthToken.objects.filter(credential=cred).exists()
    note = Notification.objects.get(user=alice)
    assert "withdrew its authorisation" in note.text and note.path == f"/connections/{cred.pk}/"
