"""Links in, in a real browser: the list page's "Add by links" and "Import a file", an import's results with long
links, and a search by several links fit a phone (390 px) and a desktop (1280 px) without scrolling sideways;
a multi-line paste into the search box keeps its links apart."""

from urllib.parse import urlencode

import pytest

from sourcing.lists import services as services
from sourcing.lists.models import ListImport, ListImportRow
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import products  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
LONG = "https://www.sugargoo.com/#/home/productDetail?productLink=" + "https%253A%252F%252Fdetail.1688.com" * 8


def test_links_in_pages_fit_a_phone_and_a_desktop(page, live_server, alice, products):  # noqa: F811
    flask, glass, mug = products
    basket = services.list_create(actor=alice, team=alice.current_team, name="进货单 " + "长" * 40)
    item, _ = services.item_add(actor=alice, product_list=basket, product=flask)
    done = ListImport.objects.create(product_list=basket, kind=ListImport.Kind.CSV, filename="清单" * 30 + ".csv",
                                     created_by=alice, state=ListImport.State.DONE, total=3, done=3)  # fmt: skip
    ListImportRow.objects.create(list_import=done, number=1, reference=LONG, result=ListImportRow.Result.NOT_OFFER,
                                 detail="not a 1688 offer: this link carries no 1688 offer id.")  # fmt: skip
    ListImportRow.objects.create(list_import=done, number=2, reference=str(flask.offer_id), quantity="500",
                                 option="白色 / " + "大" * 50, result=ListImportRow.Result.ADDED, item=item)  # fmt: skip
    ListImportRow.objects.create(list_import=done, number=3, reference="x" * 300, result=ListImportRow.Result.NOT_OFFER)
    paste = "\n".join([f"https://detail.1688.com/offer/{p.offer_id}.html?spm=" + "a" * 80 for p in products] + [LONG])
    paths = [f"/lists/{basket.pk}/", f"/lists/{basket.pk}/imports/{done.pk}/", "/products/?" + urlencode({"q": paste})]
    log_in(page, live_server, "alice")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert page_width(page) <= size["width"], (size, path)
    page.goto(f"{live_server.url}{paths[2]}")
    assert page.locator("table.links-results tbody tr").count() == 4
    assert page.locator(".pcard").count() == 3


def test_a_multi_line_paste_into_the_search_box_keeps_the_links_apart(page, live_server, alice, products):  # noqa: F811
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/products/")
    page.focus("#q")
    lines = "\n".join(f"https://detail.1688.com/offer/{p.offer_id}.html" for p in products)
    page.evaluate(
        """(text) => { const data = new DataTransfer(); data.setData('text', text);
             document.querySelector('#q').dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                                                      cancelable: true})); }""",
        lines,
    )
    assert page.input_value("#q") == lines.replace("\n", " ")
    page.press("#q", "Enter")
    page.wait_for_selector("table.links-results")
    assert page.locator(".pcard").count() == 3
