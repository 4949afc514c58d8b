"""Each of the four events comes from its real service path, once, to a real receiver: an alert firing (the
catalog's upsert → the alerts' evaluation), a supplier's reply logged on the inquiry page, and, over HTTP to the
sandbox, a verified quote drifting and a purchase order moving from draft to paid."""

import json
from decimal import Decimal

import pytest
from django.conf import settings

from sandbox.models import SandboxOffer
from sourcing.inquiries.models import Inquiry
from sourcing.orders.models import PurchaseOrder, Quote
from tests.alerts.conftest import answer  # noqa: F401 - fixture
from tests.alerts.test_alerts import FLASK, flask_answer
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.inquiries.conftest import contact
from tests.lists.conftest import products  # noqa: F401 - fixture
from tests.orders.conftest import yiwu  # noqa: F401 - fixture
from tests.orders.test_purchase import draft, pay, quoted, status  # noqa: F401 - fixtures and helpers
from tests.orders.test_quotes import order_list, quote, shop  # noqa: F401 - fixtures and helpers
from tests.webhooks.test_delivery import documented_verify

pytestmark = pytest.mark.django_db(transaction=True)


def bodies(receiver, kind):
    return [json.loads(r.body) for r in receiver.requests if json.loads(r.body)["type"] == kind]


def test_an_alert_firing_is_sent_once(client, alice, acme, products, answer, receiver, endpoint_and_secret):  # noqa: F811
    client.force_login(alice)
    assert client.post("/alerts/", {"offer": FLASK, "kind": "price_below", "threshold": "11.00"}).status_code == 302
    flask_answer(answer, price="10.00")  # fires
    flask_answer(answer, price="9.50")  # still below: nothing new
    sent = bodies(receiver, "alert.fired")
    assert len(sent) == 1
    data = sent[0]["data"]
    assert sent[0]["team"] == acme.pk
    assert (data["condition"], data["threshold"], data["product"]["offer_id"]) == ("price_below", "11.00", FLASK)
    assert data["url"] == f"{settings.SITE_URL}/products/{FLASK}/"
    assert documented_verify()(endpoint_and_secret[1], receiver.requests[0].headers, receiver.requests[0].body)


def test_a_logged_reply_is_sent(client, bob, acme, products, receiver, endpoint):  # noqa: F811
    flask = products[0]
    client.force_login(bob)
    contact(client, flask)
    inquiry = Inquiry.objects.get()
    assert client.post(f"/inquiries/{inquiry.pk}/sent/").status_code == 302
    reply = client.post(f"/inquiries/{inquiry.pk}/reply/", {"quoted_price": "11.20", "quoted_moq": "300",
                                                          "quoted_lead_days": "15"})  # fmt: skip
    assert reply.status_code == 302
    (sent,) = bodies(receiver, "reply.logged")
    data = sent["data"]
    assert (data["inquiry"], data["quoted_price"], data["quoted_moq"], data["quoted_lead_days"]) == (
        inquiry.pk, "11.20", 300, 15)  # fmt: skip
    assert (data["logged_by"], data["corrected"], data["product"]) == ("bob", False, {"offer_id": flask.offer_id})
    assert data["url"].endswith(f"/inquiries/{inquiry.pk}/")


def test_a_drifted_quote_and_an_order_moving_to_paid_are_sent(client, alice, bob, acme, order_list, quoted,  # noqa: F811
                                                              receiver, endpoint):  # fmt: skip
    client.force_login(alice)
    assert client.post(f"/lists/{order_list.pk}/quotes/settings/", {"drift_percent": "5"}).status_code == 302
    # the seller raises an offer's price by a fifth, and alice asks 1688 again
    item = order_list.items.order_by("position").first()
    offer = SandboxOffer.objects.get(offer_id=item.product.offer_id)
    SandboxOffer.objects.filter(pk=offer.pk).update(base_price=offer.base_price * Decimal("1.2"))
    quote(client, order_list, again="1")
    (drift,) = bodies(receiver, "quote.drifted")
    data = drift["data"]
    assert (data["list"], data["item"], data["product"]["offer_id"]) == (order_list.pk, item.pk, item.product.offer_id)
    assert Decimal(data["percent"]) >= 5 and Decimal(data["new_unit_price"]) > Decimal(data["old_unit_price"])
    assert data["url"].endswith(f"/lists/{order_list.pk}/quotes/")
    # alice (an owner) drafts and submits an order of a quote: approved, placed on 1688; then paid on its cashier
    q = Quote.objects.filter(product_list=order_list, orderable=True).order_by("-pk").first()
    assert draft(client, order_list, q).status_code == 302
    order = PurchaseOrder.objects.get()
    assert client.post(f"/orders/{order.pk}/submit/").status_code == 302
    order.refresh_from_db()
    pay(order)
    status(client, order)
    assert order.state == "paid"
    moves = [(b["data"]["from"], b["data"]["to"]) for b in bodies(receiver, "order.status_changed")]
    assert moves == [("draft", "placing"), ("placing", "placed"), ("placed", "paid")]
    last = bodies(receiver, "order.status_changed")[-1]["data"]
    assert (last["order"], last["alibaba_order_id"], last["url"][-len(f"/orders/{order.pk}/"):]) == (
        order.pk, order.alibaba_order_id, f"/orders/{order.pk}/")  # fmt: skip
    status(client, order)  # read again: no second "paid"
    assert len(bodies(receiver, "order.status_changed")) == 3
