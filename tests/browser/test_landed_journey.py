"""Landed cost in a real browser, at a 390 px phone and a 1280 px desktop: alice adds her forwarder's rate card on
the team page, estimates the list's domestic freight with 1688 (the progress updates itself), gives an item's
packing and opens its breakdown; compare shows the landed unit cost. Nothing scrolls sideways."""

import pytest

from sandbox.models import SandboxSupplier
from sourcing.lists import services as list_services
from sourcing.orders.models import FreightEstimate, RateCard
from sourcing.orders.services import addresses as address_services
from tests.browser import log_in, page_width
from tests.orders.conftest import YIWU
from tests.orders.test_quotes import add, fetched, on_sale, shop  # noqa: F401 - shop is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def spring(shop, alice, acme):  # noqa: F811
    """Acme's "Spring order" (two offers of one seller, one of another) and its warehouse in 义乌."""
    address_services.address_create(actor=alice, team=acme, **YIWU)
    pair = next(s for s in SandboxSupplier.objects.order_by("pk") if len(on_sale(s)) >= 2)
    single = next(s for s in SandboxSupplier.objects.order_by("pk") if s != pair and on_sale(s))
    product_list = list_services.list_create(actor=alice, team=acme, name="Spring order")
    for offer in [*on_sale(pair)[:2], on_sale(single)[0]]:
        add(alice, product_list, fetched(alice, offer))
    return product_list


@pytest.mark.parametrize("width", [390, 1280])
def test_rate_card_estimate_packing_and_breakdown(page, live_server, acme, spring, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/teams/{acme.pk}/")
    page.click("a:has-text('Rate cards →')")
    page.fill("input[name=forwarder]", "顺达货代")
    page.select_option("select[name=mode]", "air")
    page.fill("input[name=destination]", "Hamburg")
    page.fill("input[name=price_per_kg]", "32.5")
    page.fill("input[name=min_charge]", "300")
    page.fill("input[name=per_parcel_fee]", "15")
    page.click("button:has-text('Save the rate card')")
    page.wait_for_selector("text=Rate card “顺达货代 · Air” saved.")
    assert RateCard.objects.get().is_default and page_width(page) <= width
    page.goto(f"{live_server.url}/lists/{spring.pk}/landed/")
    assert page_width(page) <= width
    page.click("button:has-text('Estimate domestic freight')")
    page.wait_for_selector("text=Freight estimated for 3 of 3 items.")
    assert FreightEstimate.objects.filter(freight__isnull=False).count() == 3
    first = spring.items.order_by("position").first()
    row = page.locator(f"#item-{first.pk}")
    row.locator("input[name=unit_weight_kg]").fill("0.8")
    row.locator("input[name=unit_volume_cm3]").fill("6000")
    row.locator("button:has-text('Save')").click()
    page.wait_for_selector("text=Packing saved.")
    row = page.locator(f"#item-{first.pk}")
    assert row.locator(".landed-unit").is_visible()
    row.locator("summary:has-text('Breakdown')").click()
    assert row.locator('.breakdown dd:has-text("1688\'s estimate")').is_visible()
    assert row.locator("text=by weight only").count() == 0  # its volume is known now
    assert page_width(page) <= width
    page.goto(f"{live_server.url}/lists/{spring.pk}/compare/")
    assert page.locator("th:has-text('Landed unit cost')").is_visible() and page_width(page) <= width
    for path in (f"/teams/{acme.pk}/duty-rates/", f"/teams/{acme.pk}/rate-cards/"):
        page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= width, path
