"""Buying in a real browser: alice adds her forwarder's warehouse on the team page, quotes a list with 1688 from
the list page (the box updates itself), and sees 1688's prices beside the listed ones; every page fits a 390 px
phone and a 1280 px desktop."""

import pytest

from sandbox.models import SandboxSupplier
from sourcing.lists import services as list_services
from sourcing.orders.models import QuoteLine, QuoteRun, ShipAddress
from tests.browser import log_in, page_width
from tests.orders.test_quotes import add, fetched, on_sale, shop  # noqa: F401 - shop is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def autumn(shop, alice, acme):  # noqa: F811
    """Acme's "Autumn order": two offers of one seller and one of another."""
    pair = next(s for s in SandboxSupplier.objects.order_by("pk") if len(on_sale(s)) >= 2)
    single = next(s for s in SandboxSupplier.objects.order_by("pk") if s != pair and on_sale(s))
    product_list = list_services.list_create(actor=alice, team=acme, name="Autumn order")
    for offer in [*on_sale(pair)[:2], on_sale(single)[0]]:
        add(alice, product_list, fetched(alice, offer))
    return product_list


def test_address_then_quote_then_the_quoted_prices(page, live_server, acme, autumn):
    log_in(page, live_server, "alice")
    # the team page leads to the addresses; alice adds the warehouse
    page.goto(f"{live_server.url}/teams/{acme.pk}/")
    page.click("a:has-text('Ship-to addresses →')")
    page.fill("input[name=label]", "义乌仓 (顺达货代)")
    page.fill("input[name=contact_name]", "张三")
    page.fill("input[name=phone]", "13800138000")
    page.select_option("select[name=province]", "浙江省")
    page.fill("input[name=city]", "金华市")
    page.fill("input[name=district]", "义乌市")
    page.fill("input[name=street]", "稠州北路1号3楼")
    page.fill("input[name=post_code]", "322000")
    page.click("button:has-text('Save the address')")
    page.wait_for_selector(".address:has-text('稠州北路1号3楼')")
    assert ShipAddress.objects.get(team=acme).is_default
    # the list page's box quotes the list with 1688 and says how it went, without leaving the page
    page.goto(f"{live_server.url}/lists/{autumn.pk}/")
    page.click("#quote-panel button:has-text('Quote with 1688')")
    page.wait_for_selector("#quote-panel:has-text('Quoted 2 supplier groups: 2 order previews asked of 1688.')")
    assert QuoteRun.objects.get().calls == 2
    # only the ticked item (its seller's only one), again the same day: today's quote of that group serves, no call
    page.goto(f"{live_server.url}/lists/{autumn.pk}/")
    first, last = autumn.items.order_by("position").first(), autumn.items.order_by("position").last()
    page.check(f"#item-{last.pk} input[name=item]")
    page.click("#quote-panel button:has-text('Quote with 1688')")
    page.wait_for_selector("#quote-panel:has-text('Quoted 1 supplier group: 0 order previews asked of 1688')")
    assert QuoteRun.objects.latest("pk").item_ids == [last.pk]
    # 1688's price beside the listed one, on the list and on the quotes page
    page.goto(f"{live_server.url}/lists/{autumn.pk}/")
    line = QuoteLine.objects.get(list_item=first, is_current=True)
    row = page.locator(f"#item-{first.pk} .verified-quote")
    assert row.inner_text().startswith(f"1688 quote ¥{line.unit_price:,} × {line.quantity:,}")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in (f"/teams/{acme.pk}/addresses/", f"/lists/{autumn.pk}/", f"/lists/{autumn.pk}/quotes/",
                     f"/lists/{autumn.pk}/compare/"):  # fmt: skip
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page_width(page) <= width, (width, path)
    page.goto(f"{live_server.url}/lists/{autumn.pk}/quotes/")
    assert page.locator(".quote-group").count() == 2
    assert "1688 would take this order." in page.locator(".quote-group").first.inner_text()
