"""Issue 21's acceptance in a real browser, on a phone and a desktop: bob (a buyer) quotes a list with 1688 and
reads the landed cost in compare, drafts an order above the team's approval limit and submits it; alice (the
owner) approves it and it is placed once; she pays on the sandbox's cashier, the seller ships, the parcel's trace
shows on the order, and bob receives the goods (one short, one damaged) until the order is received."""

from decimal import Decimal

import pytest

from sandbox import trade
from sandbox.models import SandboxOrder
from sourcing.connections.models import AppCredential
from sourcing.connections.services.credentials import credential_update
from sourcing.orders.models import BuyingPolicy, ItemPacking, PurchaseOrder, RateCard, Receipt
from tests.browser import log_in, page_width
from tests.orders.conftest import categories, kitchen, products, yiwu  # noqa: F401 - fixtures
from tests.orders.test_quotes import order_list, shop  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width: int) -> None:
    page.wait_for_load_state("networkidle")
    assert page_width(page) <= width, page.url


@pytest.mark.parametrize("width", [390, 1280])
def test_quote_landed_approve_pay_ship_receive(page, live_server, alice, bob, acme, order_list, settings, width):  # noqa: F811
    settings.ORDER_SYNC_FRESH_SECONDS = 0
    # given Acme's app shared with the team, its forwarder's air line, each item's packed weight, and a limit of
    # ¥1 above which an owner or admin approves
    credential_update(credential=AppCredential.objects.get(owner=alice), user=alice, shared_with_team=acme)
    RateCard.objects.create(team=acme, forwarder="顺达货代", mode="air", price_per_kg=Decimal("32.50"),
                            volumetric_divisor=6000, min_charge=Decimal("50"), per_parcel_fee=Decimal("15"),
                            is_default=True)  # fmt: skip
    for item in order_list.items.all():
        ItemPacking.objects.create(list_item=item, unit_weight_kg=Decimal("0.4"), unit_volume_cm3=Decimal("900"))
    BuyingPolicy.objects.create(team=acme, approval_above=Decimal("1"))
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "bob")
    # bob quotes the list with 1688 from the list page
    page.goto(f"{live_server.url}/lists/{order_list.pk}/")
    page.click("#quote-panel button:has-text('Quote with 1688')")
    page.wait_for_selector("#quote-panel:has-text('Quoted 2 supplier groups: 2 order previews asked of 1688.')")
    fits(page, width)
    # compare shows each item's landed unit cost, with its breakdown one click away
    page.goto(f"{live_server.url}/lists/{order_list.pk}/compare/")
    landed = page.locator(".landed-unit")
    assert landed.count() == 3 and all(text.startswith("¥") for text in landed.all_inner_texts())
    page.locator(".landed-breakdown summary").first.click()
    assert "International freight" in page.locator(".landed-breakdown").first.inner_text()
    fits(page, width)
    # bob drafts the first supplier's order from the quotes page and submits it: above the limit, it waits
    page.goto(f"{live_server.url}/lists/{order_list.pk}/quotes/")
    page.locator(".quote-group").first.locator("button:has-text('Draft an order')").click()
    page.wait_for_selector("h1:has-text('Order #')")
    page.fill("textarea[name=message]", "请用纸箱包装，谢谢")
    page.click("button:has-text('Save the draft')")
    page.wait_for_selector("text=Draft saved.")
    page.click("#order-status button:has-text('Submit for approval')")
    page.wait_for_selector("text=Submitted: the order waits for an owner's or admin's approval.")
    order = PurchaseOrder.objects.get()
    assert order.state == "submitted" and page.locator("button:has-text('Approve and place')").count() == 0
    fits(page, width)
    # alice, the owner, approves it: it is placed on 1688 once, and the page offers the payment link
    page.context.clear_cookies()
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.click("#order-status button:has-text('Approve and place')")
    page.wait_for_selector("#order-status a:has-text('Pay on 1688')")
    order.refresh_from_db()
    assert order.state == "placed" and order.approved_by == alice
    assert SandboxOrder.objects.filter(out_order_id=order.out_order_id).count() == 1
    # she pays on the sandbox's cashier page; the seller ships and the parcel moves; the order page follows
    page.goto(order.pay_url)
    page.click("button:has-text('Pay')")
    page.wait_for_selector("td[data-status=waitsellersend]")
    trade.rewind(int(order.alibaba_order_id), 3 * 3600)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.wait_for_selector("#order-status .trace li", timeout=15_000)
    assert "Shipped" in page.locator("#order-status h2").inner_text()
    fits(page, width)
    # bob receives the goods: one line a piece short and one damaged, then the missing piece in a second parcel
    page.context.clear_cookies()
    log_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/orders/{order.pk}/receive/")
    lines = list(order.lines.order_by("pk"))
    short = max(lines, key=lambda line: line.quantity)  # a piece short (and one damaged, when more than one came)
    for line in lines:
        received = line.quantity - 1 if line == short else line.quantity
        page.fill(f"input[name=received-{line.pk}]", str(received))
        page.fill(f"input[name=damaged-{line.pk}]", "1" if line == short and received else "0")
    page.fill(f"textarea[name=notes-{short.pk}]", "一件破损，少一件")
    page.click("button:has-text('Record this delivery')")
    page.wait_for_selector("text=short")
    assert PurchaseOrder.objects.get(pk=order.pk).state == "shipped"
    fits(page, width)
    page.fill(f"input[name=received-{short.pk}]", "1")
    page.click("button:has-text('Record this delivery')")
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == "received"
    assert sum(r.received_quantity for r in Receipt.objects.filter(line__order=order)) == sum(
        line.quantity for line in lines
    )
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    assert "Received" in page.locator("#order-status h2").inner_text()
    fits(page, width)
