"""Contacting a supplier: the form and its message templates, the record and its status flow, response
times, team privacy (carol gets 404), roles (viewers read, buyers write) and hostile input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sourcing.inquiries import services as services
from sourcing.inquiries.models import Inquiry
from tests.inquiries.conftest import contact

pytestmark = pytest.mark.django_db


def test_the_form_is_prefilled_in_chinese_and_switches_to_english(client, bob, products):
    flask, _glass, mug = products
    client.force_login(bob)
    # given the product page, when bob follows "Contact supplier"
    page = client.get(f"/products/{flask.offer_id}/").content.decode()
    assert f"/inquiries/new/?offer={flask.offer_id}" in page and "Contact supplier" in page
    form = client.get(f"/inquiries/new/?offer={flask.offer_id}&qty=500").content.decode()
    # then the message is in Chinese by default and names the offer, its link and the quantity
    assert "您好" in form and str(flask.offer_id) in form and "采购数量：500个" in form
    assert f"https://detail.1688.com/offer/{flask.offer_id}.html" in form
    # the chosen option and the English template (rewritten without JavaScript, or by htmx)
    black = mug.skus.get(sku_id="80000302")
    english = client.get("/inquiries/message/", {"offer": mug.offer_id, "sku": black.pk, "quantity": "100",
                                                 "language": "en"}).content.decode()  # fmt: skip
    assert "Hello" in english and "Option: 黑色" in english and "Quantity: 100" in english
    rewritten = client.post("/inquiries/new/", {"offer": mug.offer_id, "sku": black.pk, "quantity": "100",
                                                "language": "en", "message": "x", "rewrite": "1"})  # fmt: skip
    assert rewritten.status_code == 200 and "Quantity: 100" in rewritten.content.decode()
    assert not Inquiry.objects.exists()


def test_an_inquiry_is_recorded_and_links_the_offer_page_without_a_credential(client, bob, products):
    flask = products[0]
    client.force_login(bob)
    response = contact(client, flask)
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inquiries/{inquiry.pk}/"
    assert (inquiry.team, inquiry.created_by, inquiry.product, inquiry.supplier) == (
        bob.current_team,
        bob,
        flask,
        flask.supplier,
    )
    assert inquiry.status == "draft" and inquiry.quantity == 500 and str(inquiry.target_price) == "11.50"
    page = client.get(response["Location"]).content.decode()
    # no credential: the offer page (1688's own chat button), said in plain words, and the message to copy
    assert f'href="https://detail.1688.com/offer/{flask.offer_id}.html"' in page
    assert "Open the offer on 1688" in page and "chat button (旺旺)" in page
    assert "Copy message" in page and "请问500个的价格" in page


def test_status_flow_response_time_and_supplier_history(client, alice, bob, products):
    flask, glass, _mug = products
    client.force_login(bob)
    contact(client, flask)
    inquiry = Inquiry.objects.get()
    # a reply can't be logged on a draft: the response time counts from "sent"
    early = client.post(f"/inquiries/{inquiry.pk}/reply/", {"quoted_price": "11.00"})
    assert early.status_code == 400 and "Mark the inquiry as sent first" in early.content.decode()
    assert client.post(f"/inquiries/{inquiry.pk}/sent/").status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "sent" and inquiry.sent_at is not None
    sent_at = timezone.now() - timedelta(hours=5)
    Inquiry.objects.filter(pk=inquiry.pk).update(sent_at=sent_at)
    # the supplier answered 3 hours after the message went out
    answered = timezone.localtime(sent_at + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    reply = client.post(f"/inquiries/{inquiry.pk}/reply/", {"quoted_price": "11.20", "quoted_moq": "300",
                                                          "quoted_lead_days": "15", "replied_at": answered,
                                                          "notes": "样品免费"})  # fmt: skip
    assert reply.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "replied" and inquiry.reply_logged_at is not None
    assert str(inquiry.quoted_price) == "11.20" and inquiry.quoted_moq == 300 and inquiry.quoted_lead_days == 15
    assert timedelta(hours=2, minutes=59) <= inquiry.response_time <= timedelta(hours=3)
    page = client.get(f"/inquiries/{inquiry.pk}/").content.decode()
    assert "answered in 2 h 59 min" in page or "answered in 3 h 0 min" in page
    # a second inquiry to the same supplier answered in 1 hour: the supplier page shows the average (2 h)
    contact(client, flask, message="第二次询价")
    second = Inquiry.objects.exclude(pk=inquiry.pk).get()
    services.inquiry_mark_sent(actor=bob, inquiry=second, at=timezone.now() - timedelta(hours=2))
    services.inquiry_log_reply(actor=bob, inquiry=second, replied_at=timezone.now() - timedelta(hours=1))
    client.force_login(alice)  # shared in the team
    supplier_page = client.get(f"/suppliers/{flask.supplier_id}/").content.decode()
    assert "Response time: <strong>1 h 59 min</strong>" in supplier_page or \
        "Response time: <strong>2 h 0 min</strong>" in supplier_page  # fmt: skip
    assert supplier_page.count(f'href="/inquiries/{inquiry.pk}/"') == 1
    assert "2 replies logged" in supplier_page
    # the product page lists the team's inquiries about this offer; another offer's page doesn't
    assert f'href="/inquiries/{second.pk}/"' in client.get(f"/products/{flask.offer_id}/").content.decode()
    assert f'href="/inquiries/{second.pk}/"' not in client.get(f"/products/{glass.offer_id}/").content.decode()
    # close it; a closed inquiry can't be marked sent again
    assert client.post(f"/inquiries/{inquiry.pk}/close/").status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "closed" and inquiry.closed_at is not None
    again = client.post(f"/inquiries/{inquiry.pk}/sent/")
    assert again.status_code == 400 and "is “Closed” now" in again.content.decode()


def test_the_team_list_filters_by_status(client, bob, products):
    flask, glass, _mug = products
    client.force_login(bob)
    contact(client, flask, message="保温杯询价")
    contact(client, glass, message="玻璃杯询价")
    services.inquiry_mark_sent(actor=bob, inquiry=Inquiry.objects.get(product=glass))
    everything = client.get("/inquiries/").content.decode()
    assert "不锈钢保温杯" in everything and "玻璃水杯" in everything
    sent = client.get("/inquiries/?status=sent").content.decode()
    assert "玻璃水杯" in sent and "不锈钢保温杯" not in sent
    drafts = client.get("/inquiries/?status=draft").content.decode()
    assert "不锈钢保温杯" in drafts and "玻璃水杯" not in drafts
    assert client.get("/inquiries/?status=%00%3Cscript%3E").status_code == 200  # unknown status: all


def test_carol_gets_404_for_every_acme_inquiry_url(client, bob, carol, products):
    flask = products[0]
    client.force_login(bob)
    contact(client, flask)
    pk = Inquiry.objects.get().pk
    client.force_login(carol)
    for url in (f"/inquiries/{pk}/", f"/inquiries/{pk}/link/"):
        assert client.get(url).status_code == 404, url
    for url in ("sent", "reply", "close", "notes"):
        assert client.post(f"/inquiries/{pk}/{url}/", {"notes": "x"}).status_code == 404, url
    # and Acme's inquiries appear nowhere in Globex's pages
    for url in ("/inquiries/", f"/products/{flask.offer_id}/", f"/suppliers/{flask.supplier_id}/"):
        assert f"/inquiries/{pk}/" not in client.get(url).content.decode(), url
    Inquiry.objects.filter(pk=pk).update(status="sent")
    assert Inquiry.objects.get(pk=pk).status == "sent"  # carol's posts changed nothing before this line
    assert client.get("/inquiries/99999999999999999999/").status_code == 404


def test_viewers_read_buyers_write(client, bob, dave, products):
    flask = products[0]
    client.force_login(bob)
    contact(client, flask)
    inquiry = Inquiry.objects.get()
    client.force_login(dave)
    page = client.get(f"/inquiries/{inquiry.pk}/")
    assert page.status_code == 200 and "请问500个的价格" in page.content.decode()
    assert "I sent it" not in page.content.decode()
    refused = client.post(f"/inquiries/{inquiry.pk}/sent/")
    assert refused.status_code == 403 and "Viewers can read the team" in refused.content.decode()
    assert contact(client, flask).status_code == 403
    assert client.post(f"/inquiries/{inquiry.pk}/notes/", {"notes": "hi"}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == "draft" and inquiry.notes == "" and Inquiry.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"message": "询" * 10_000}, "Keep the message to 4,000 characters."),
        ({"message": "   "}, "Write a message to the supplier first."),
        ({"quantity": "²"}, "Enter a whole number of pieces"),
        ({"quantity": "NaN"}, "Enter a whole number of pieces"),
        ({"quantity": "-5"}, "Enter at least 1 piece."),
        ({"quantity": "99999999999999999999999"}, "Enter at most 10,000,000 pieces."),
        ({"target_price": "NaN"}, "Enter an amount in yuan"),
        ({"target_price": "-1"}, "be below ¥0."),
        ({"target_price": "1e20"}, "Enter at most ¥1,000,000."),
        ({"target_price": "²"}, "Enter an amount in yuan"),
        ({"sku": "²"}, "Select a valid choice"),
        ({"language": "klingon"}, "Select a valid choice"),
    ],
)
def test_hostile_input_gets_form_errors_never_500(client, bob, products, fields, words):
    client.force_login(bob)
    response = contact(client, products[0], **fields)
    assert response.status_code == 400 and words in response.content.decode()
    assert not Inquiry.objects.exists()


def test_hostile_reply_and_offer_ids(client, bob, products):
    client.force_login(bob)
    contact(client, products[0])
    inquiry = Inquiry.objects.get()
    services.inquiry_mark_sent(actor=bob, inquiry=inquiry)
    for fields, words in [
        ({"quoted_price": "NaN"}, "Enter an amount in yuan"),
        ({"quoted_moq": "-3"}, "Enter at least 1 piece."),
        ({"quoted_lead_days": "1e9"}, "Enter a whole number of days"),
        ({"replied_at": "yesterday"}, "Enter a date and time"),
        ({"notes": "x" * 10_000}, "Keep the notes to 4,000 characters."),
    ]:
        response = client.post(f"/inquiries/{inquiry.pk}/reply/", fields)
        assert response.status_code == 400 and words in response.content.decode(), fields
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/inquiries/{inquiry.pk}/reply/", {"replied_at": future})
    assert response.status_code == 400 and "be in the future" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == "sent"
    for offer in ("²", "NaN", "-1", "99999999999999999999999", ""):
        assert client.get("/inquiries/new/", {"offer": offer}).status_code == 404
        assert client.post("/inquiries/new/", {"offer": offer, "message": "x"}).status_code == 404
