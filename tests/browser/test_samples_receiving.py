"""Samples and receiving in a real browser: the item page's sample box loads, a sample is asked for, and the
sample page (with a photo and long notes), the receive page and the supplier page fit a 390 px phone and 1280 px."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from sourcing.orders.models import PurchaseOrder, PurchaseOrderLine, Sample
from sourcing.orders.services import receiving, samples
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import products  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_sample_and_receive_pages_fit_a_phone_and_a_desktop(page, live_server, alice, products):  # noqa: F811
    from sourcing.lists import services as list_services

    flask, glass, _mug = products
    kitchen = list_services.list_create(actor=alice, team=alice.current_team, name="Samples " + "长" * 60)
    item, _ = list_services.item_add(actor=alice, product_list=kitchen, product=flask, target_quantity=20)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice")
    # the item page loads its sample box; alice asks for a sample there
    page.goto(f"{live_server.url}/lists/items/{item.pk}/")
    page.wait_for_selector("text=Order a sample")
    page.fill("#sample-notes", "检查" + "很长的说明" * 80)
    page.click("text=Order a sample")
    page.wait_for_selector("h1:has-text('Sample')")
    sample = Sample.objects.get()
    samples.sample_mark_ordered(actor=alice, sample=sample, note="x" * 900)
    photo = io.BytesIO()
    Image.new("RGB", (2400, 1600), (10, 120, 200)).save(photo, format="JPEG")
    samples.sample_mark_received(actor=alice, sample=sample, notes="y" * 900, photos=[photo.getvalue()])
    order = PurchaseOrder.objects.create(team=alice.current_team, supplier=flask.supplier, out_order_id="b-po",
                                         supplier_name="永康" * 40, state=PurchaseOrder.State.SHIPPED)  # fmt: skip
    line = PurchaseOrderLine.objects.create(order=order, product=flask, sku_label="银色" * 30, quantity=100,
                                            unit_price=Decimal("12.50"), amount=Decimal("1250.00"))  # fmt: skip
    receiving.receipt_record(actor=alice, order=order, deliveries=[receiving.Delivery(line.pk, 120, 3, "z" * 900)])
    paths = (f"/samples/{sample.pk}/", f"/orders/{order.pk}/receive/", f"/suppliers/{flask.supplier_id}/",
             f"/lists/items/{item.pk}/", f"/lists/{kitchen.pk}/")  # fmt: skip
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page_width(page) <= size["width"], (size["width"], path)
    page.goto(f"{live_server.url}/orders/{order.pk}/receive/")
    assert page.locator("text=20 more than ordered").is_visible()
    page.goto(f"{live_server.url}/samples/{sample.pk}/")
    assert page.evaluate("document.querySelector('.sample-photos img').naturalWidth") == 2400
