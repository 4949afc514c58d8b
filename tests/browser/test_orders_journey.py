"""Purchase orders in a real browser: alice drafts an order from a verified quote, places it, pays on the sandbox's
cashier, and watches the order page update itself (paid, shipped, the parcel's steps); the pages fit a 390 px phone
and a 1280 px desktop."""

import pytest

from sandbox import trade
from sourcing.orders.models import PurchaseOrder, Quote
from sourcing.orders.services import quotes as quote_services
from tests.browser import log_in, page_width
from tests.orders.conftest import categories, kitchen, products, yiwu  # noqa: F401 - fixtures
from tests.orders.test_quotes import order_list, shop  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_draft_place_pay_and_follow_an_order(page, live_server, alice, acme, order_list, settings):  # noqa: F811
    settings.ORDER_SYNC_FRESH_SECONDS = 0
    quote_services.quote_start(actor=alice, product_list=order_list)
    assert Quote.objects.filter(orderable=True).count() == 2
    log_in(page, live_server, "alice")
    # from the list's quotes page, a draft of the first quote
    page.goto(f"{live_server.url}/lists/{order_list.pk}/quotes/")
    page.locator(".quote-group").first.locator("button:has-text('Draft an order')").click()
    page.wait_for_selector("h1:has-text('Order #')")
    page.fill("textarea[name=message]", "请尽快发货")
    page.click("button:has-text('Save the draft')")
    page.wait_for_selector("text=Draft saved.")
    # alice, the owner, places it: the page shows 1688's order and the payment link
    page.click("#order-status button:has-text('Place the order')")
    page.wait_for_selector("#order-status a:has-text('Pay on 1688')")
    order = PurchaseOrder.objects.get()
    assert order.state == "placed" and order.message == "请尽快发货"
    assert order.alibaba_order_id in page.locator("#order-status").inner_text()
    # she pays on the cashier page; back on the order, it says paid by itself
    page.goto(order.pay_url)
    page.click("button:has-text('Pay')")
    page.wait_for_selector("td[data-status=waitsellersend]")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.wait_for_selector("#order-status h2:has-text('Paid')")
    # the seller ships and the parcel moves: the box shows it without a reload
    trade.rewind(int(order.alibaba_order_id), 3 * 3600)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.wait_for_selector("#order-status .trace li", timeout=15_000)
    assert "Shipped" in page.locator("#order-status h2").inner_text()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in (
            "/orders/",
            f"/orders/{order.pk}/",
            f"/teams/{acme.pk}/buying/",
            f"/lists/{order_list.pk}/quotes/",
        ):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page_width(page) <= width, (width, path)
