"""Contacting a supplier in a real browser: bob opens an offer, writes an inquiry in English for 300 pieces,
copies the message, marks it sent, and the inquiry shows in the supplier's history for the whole team."""

import pytest

from sourcing.inquiries.models import Inquiry
from tests.browser import log_in
from tests.catalog.pages.conftest import stock_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bob_contacts_the_supplier_and_the_inquiry_shows_in_its_history(page, live_server, alice, bob):
    product = stock_product(700001, subject="不锈钢保温杯 大容量", price="12.50")
    log_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/products/700001/")
    page.click("text=Contact supplier")
    # the message starts in Chinese with the offer; switching to English and 300 pieces rewrites it (htmx)
    assert "您好" in page.input_value("#id_message") and "700001" in page.input_value("#id_message")
    page.fill("#id_quantity", "300")
    page.check("input[name=language][value=en]")
    page.wait_for_function(
        "() => document.querySelector('#id_message').value.includes('Quantity: 300')"
    )  # a function: a bare expression is eval'd, which the CSP refuses
    assert "detail.1688.com/offer/700001.html" in page.input_value("#id_message")
    page.click("text=Save and get the chat link")
    page.wait_for_selector("#inq-message")
    assert "Quantity: 300" in page.inner_text("#inq-message")
    # no 1688 credential: the offer page, said in plain words
    assert page.get_attribute("#chat-link", "href") == "https://detail.1688.com/offer/700001.html"
    assert page.is_visible("text=chat button (旺旺)")
    page.click("text=Copy message")
    page.wait_for_selector("text=Copied ✓")
    page.click("text=I sent it")
    page.wait_for_selector(".inq-status.inq-sent")
    inquiry = Inquiry.objects.get()
    assert inquiry.status == "sent" and inquiry.quantity == 300 and inquiry.language == "en"
    # the supplier's page shows it in the team's history
    page.goto(f"{live_server.url}/suppliers/{product.supplier_id}/")
    history = page.inner_text("#inquiries")
    assert "Sent" in history and "不锈钢保温杯" in history and "bob" in history
    page.click(f"#inquiries a[href='/inquiries/{inquiry.pk}/']")
    page.wait_for_selector("#inq-message")
