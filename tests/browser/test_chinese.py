"""The interface in 中文 in a real browser: alice picks 简体中文 in the language menu, walks the journey's pages
(lists → list → compare → product → contact) and reads them in Chinese; at 390 px nothing scrolls sideways."""

import re

import pytest
from django.utils import translation

from sourcing.lists import services as list_services
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} CST \(北京\)")


def zh(text: str) -> str:
    """The catalog's Chinese for an English string."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def walk(page, live_server, product_list, glass):
    """Lists → the list → compare → the glass's product page → contact its supplier; checks each in Chinese."""
    if not page.is_visible(f"nav >> text={zh('Lists')}"):
        page.click("label.nav-toggle-label")  # a phone folds the navigation behind ☰
    page.click(f"nav >> text={zh('Lists')}")
    page.wait_for_selector("h1:has-text('采购清单')")
    seen = [page_width(page)]
    page.click(f"text={product_list.name}")
    page.wait_for_selector(f"text={zh('Total at target quantities')}")
    assert "Total at target quantities" not in page.inner_text("main")
    seen.append(page_width(page))
    page.click(f"#compare-form button:has-text('{zh('Compare')}')")
    page.wait_for_selector(f"th:has-text('{zh('Repurchase rate')}')")
    assert "Repurchase rate" not in page.inner_text("main")
    seen.append(page_width(page))
    page.goto(f"{live_server.url}/products/{glass.offer_id}/")
    page.wait_for_selector(f"text={zh('Save to a team list')}")
    assert "Price at quantity" not in page.inner_text("main") and CHINESE_DATE.search(page.inner_text("main"))
    seen.append(page_width(page))
    page.click(f"a[href='/inquiries/new/?offer={glass.offer_id}']")
    page.wait_for_selector(f"h1:has-text('{zh('Contact the supplier')}')")
    assert not page.is_visible("h1 .term")  # 1688's term beside the label would say it twice in Chinese
    assert zh("Option (SKU)") in page.inner_text("main") and "Option (SKU)" not in page.inner_text("main")
    seen.append(page_width(page))
    return seen


def test_alice_switches_to_chinese_and_walks_the_journey(page, live_server, alice, bob, kitchen, products):  # noqa: F811
    flask, glass, mug = products
    list_services.comment_add(actor=bob, item=kitchen.items.get(product=glass), text="样品已到，杯盖很紧。")
    log_in(page, live_server, "alice")
    assert page.get_attribute("html", "lang") == "en"
    page.select_option("#lang-select", "zh-hans")  # the menu submits itself
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("nav").inner_text().count(zh("Search")) and "Log out" not in page.inner_text("nav")
    walk(page, live_server, kitchen, glass)
    # the choice is remembered: a new visit of the lists page is still in Chinese
    page.goto(f"{live_server.url}/lists/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    # and the menu switches back
    page.select_option("#lang-select", "en")
    page.wait_for_selector("html[lang=en]")
    assert "Your team's shortlists" in page.inner_text("main")


def test_chinese_pages_fit_a_phone(page, live_server, alice, kitchen, products):  # noqa: F811
    flask, glass, mug = products
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice")
    page.select_option("#lang-select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    widths = walk(page, live_server, kitchen, glass)
    assert max(widths) <= PHONE["width"], widths
