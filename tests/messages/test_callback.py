"""The callback: signature good, forged or missing; a duplicate is kept once; hostile input never 500s; the
message's work happens in the worker (inline here), never in the request."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcing.catalog.models import Product
from sourcing.connections.models import ApiCallLog, AppCredential
from sourcing.messages.models import InboundMessage, MessageFeed
from tests.messages.conftest import envelope, form, inventory, now_ms

pytestmark = pytest.mark.django_db
FLASK = 800001


def test_a_signed_message_is_stored_once_and_applied(deliver, cred, products, followed):
    message = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=120))
    response = deliver(cred, message)
    assert response.status_code == 200 and response.content == b"success"
    stored = InboundMessage.objects.get()
    assert (stored.msg_id, stored.topic, stored.state, stored.via) == (message["msgId"], message["type"], "applied",
                                                                       "push")  # fmt: skip
    assert Product.objects.get(offer_id=FLASK).stock == 120
    feed = MessageFeed.objects.get(credential=cred)
    assert feed.received == 1 and feed.first_message_at is not None and feed.last_pushed_at is not None
    # the same message again (1688 retries after a lost answer): 200, nothing new, nothing applied twice
    Product.objects.filter(offer_id=FLASK).update(stock=7)
    assert deliver(cred, message).status_code == 200
    assert InboundMessage.objects.count() == 1 and Product.objects.get(offer_id=FLASK).stock == 7
    assert MessageFeed.objects.get(credential=cred).received == 1


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_a_forged_message_is_refused_and_nothing_is_stored(deliver, cred, products, followed, secret):
    message = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=1))
    response = deliver(cred, message, secret=secret or "x")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists() and Product.objects.get(offer_id=FLASK).stock == 5000


def test_a_message_changed_after_signing_is_refused(deliver, cred, products, followed):
    signed = form(envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=1)))
    tampered = dict(signed, message=signed["message"].replace('"offerOnSale": 1', '"offerOnSale": 0'))
    assert deliver(cred, None, data=tampered).status_code == 403
    lower = dict(signed, _aop_signature=signed["_aop_signature"].lower())  # nothing weaker than the exact signature
    assert deliver(cred, None, data=lower).status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"message": "{}"}, {"_aop_signature": "A" * 40}, {"message": "x", "_aop_signature": ""}],
)
def test_a_message_without_its_signature_is_refused(deliver, cred, data):
    assert deliver(cred, None, data=data).status_code == 401
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"msgId": 1}', '{"msgId": "²", "gmtBorn": 1, "type": "X"}',
     '{"msgId": 99999999999999999999, "gmtBorn": 1765098000123, "type": "X"}',
     '{"msgId": NaN, "gmtBorn": 1765098000123, "type": "X"}', '{"msgId": 1, "gmtBorn": 1e300, "type": "X"}',
     '{"msgId": 1, "gmtBorn": 1765098000123, "type": "X", "data": "[1]"}', "[" * 5000 + "]" * 5000],
)  # fmt: skip
def test_a_signed_but_unreadable_message_is_a_400(deliver, cred, text):
    assert deliver(cred, text).status_code == 400
    assert not InboundMessage.objects.exists()


def test_hostile_sizes_and_fields(deliver, cred, products, followed):
    big = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", {"OfferInventoryChangeList": [], "pad": "字" * 30000})
    assert deliver(cred, big).status_code == 413
    odd = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", {"OfferInventoryChangeList": [
        {"offerId": FLASK, "offerOnSale": -5, "skuId": "²", "skuOnSale": 10**30, "bizTime": "NaN"},
        {"offerId": 10**40, "offerOnSale": 3}, "x", None]})  # fmt: skip
    assert deliver(cred, odd).status_code == 200
    assert InboundMessage.objects.get().state == "ignored" and Product.objects.get(offer_id=FLASK).stock == 5000


def test_an_old_message_changes_nothing(deliver, cred, products, followed):
    old = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=1),
                   born=now_ms() - 73 * 3600 * 1000)  # fmt: skip
    assert deliver(cred, old).status_code == 200
    assert not InboundMessage.objects.exists() and Product.objects.get(offer_id=FLASK).stock == 5000


def test_get_is_405_and_an_unknown_credential_404(client, cred):
    assert client.get(f"/hooks/1688/{cred.pk}/").status_code == 405
    message = form(envelope("X", {}))
    assert client.post(f"/hooks/1688/{cred.pk + 1000}/", message).status_code == 404
    assert client.post("/hooks/1688/99999999999999999999/", message).status_code == 404
    assert client.post("/hooks/1688/0/", message).status_code == 404


def test_the_callback_makes_no_gateway_call_and_few_queries(client, cred, products, followed):
    message = form(envelope("PRODUCT_RELATION_VIEW_PRODUCT_NEW_OR_MODIFY", {"productIds": str(FLASK)}))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/hooks/1688/{cred.pk}/", message)  # the worker's task waits for the commit
    assert response.status_code == 200
    assert not ApiCallLog.objects.exists()
    assert len(queries) <= 10, [q["sql"][:80] for q in queries]  # the first message also makes the feed
    assert InboundMessage.objects.get().state == "new"
    assert json.loads(message["message"])["msgId"] == InboundMessage.objects.get().msg_id


def test_a_message_signed_for_another_credential_is_refused(deliver, cred, carol, products, followed):
    from sourcing.connections.services.credentials import credential_create

    globex = credential_create(owner=carol, app_key="40051688", app_secret="globex-secret-77", name="Globex",
                               check=False)  # fmt: skip
    message = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=3))
    assert deliver(globex, message).status_code == 403  # signed with Acme's secret, posted to Globex's URL
    assert deliver(cred, message, secret="globex-secret-77").status_code == 403  # and the other way round
    assert not InboundMessage.objects.exists() and Product.objects.get(offer_id=FLASK).stock == 5000


def test_old_finished_messages_are_purged_and_a_late_copy_stays_refused(deliver, cred, products, followed):
    from sourcing.messages.services.inbox import message_store, messages_purge
    from sourcing.messages.wire import envelope_of

    young = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=77))
    old = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=66),
                   born=now_ms() - 97 * 3600 * 1000)  # fmt: skip
    deliver(cred, young)
    message_store(credential_id=cred.pk, envelope=envelope_of(old), via="catchup")  # kept long ago
    InboundMessage.objects.filter(msg_id=old["msgId"]).update(state="applied")
    assert messages_purge() == 1 and InboundMessage.objects.get().msg_id == young["msgId"]
    # a copy of the purged one arriving now is too old: refused before the table is asked, nothing changes
    assert deliver(cred, old).status_code == 200
    assert InboundMessage.objects.count() == 1 and Product.objects.get(offer_id=FLASK).stock == 77


def test_a_secret_no_key_opens_refuses_the_message_without_a_500(deliver, cred, products):
    # given a credential whose App Secret was encrypted with a key since rotated away
    AppCredential.objects.filter(pk=cred.pk).update(app_secret_encrypted="gAAAAAB-not-a-token-any-key-opens")
    # when 1688 (or anyone) posts a message for it
    response = deliver(cred, envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=1)))
    # then nothing can be proven: refused as forged, nothing stored
    assert response.status_code == 403 and not InboundMessage.objects.exists()
