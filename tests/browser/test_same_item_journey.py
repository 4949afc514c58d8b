"""Issue 22's same-item journey in a real browser: alice opens the flask on her list, sees the same item from
another supplier listed and landed at her quantity (her team's default rate card), finds it on the list's row as a
cheaper identical offer delivered, follows it to the list item and swaps it; at 390 and 1280 px."""

import pytest

from sourcing.alibaba.api import PriceTier
from sourcing.catalog.services.same_items import cluster_file
from sourcing.lists import services
from sourcing.orders.models import RateCard
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories, stock_product  # noqa: F401 - categories is a fixture
from tests.lists.conftest import D, products  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_product_same_item_elsewhere_then_swap_the_list_item(page, live_server, alice, products, width):  # noqa: F811
    flask = products[0]
    product_list = services.list_create(actor=alice, team=alice.current_team, name="Spring kitchen range")
    services.item_add(actor=alice, product_list=product_list, product=flask, target_quantity=500, note="主推款")
    item = product_list.items.get()
    other = stock_product(800009, subject="厂家直销 保温杯 500ml 现货", price="11.20", moq=10, quote_type=0, stock=9000,
                          seller="BBBseller0000000000000009", company="永康杯业有限公司", place="浙江省 金华市",
                          tiers=[PriceTier(10, D("11.80")), PriceTier(100, D("11.20"))])  # fmt: skip
    cluster_file(product=flask, same=[(other, type("V", (), {"score": 0.93, "method": "pictures"})())])
    RateCard.objects.create(team=alice.current_team, forwarder="Shenzhen Air", mode="air", price_per_kg=D("30"),
                            per_parcel_fee=D("50"), is_default=True)  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/products/{flask.offer_id}/")
    card = page.locator("#same-item")
    assert "The same item from 1 other supplier" in card.inner_text()
    assert "永康杯业有限公司" in card.inner_text() and "Service score" in card.inner_text()
    # at her quantity (500, the list's target): listed ¥11.20, landed (500 × 11.20 + 200 kg × ¥30 + ¥50) / 500
    assert "listed ¥11.20" in card.inner_text() and "landed ¥23.30" in card.inner_text()
    assert "This offer lands at ¥24.60" in card.inner_text()
    assert page_width(page) <= width
    page.goto(f"{live_server.url}/lists/{product_list.pk}/")
    row = page.locator(".cheaper-identical")
    assert "cheaper identical offer: ¥23.30 from 永康杯业有限公司" in row.inner_text()
    assert page_width(page) <= width
    row.locator("a").click()
    page.wait_for_url(f"{live_server.url}/lists/items/{item.pk}/#same-item-cheaper")
    note = page.locator("#same-item-cheaper")
    assert "lands ¥1.30 cheaper per piece at 500" in note.inner_text()
    assert page_width(page) <= width
    note.locator("button:has-text('Swap to this offer')").click()
    page.wait_for_selector("text=Swapped to offer 800009")
    item.refresh_from_db()
    assert item.product == other and item.target_quantity == 500 and item.note == "主推款"
