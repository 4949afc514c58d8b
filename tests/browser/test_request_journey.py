"""Issue 22 item 3 in a real browser, on a phone and a desktop: bob ticks three items of a list and sends one
request to their three suppliers, logs two suppliers' answers, and the answers table and compare show them
(with what the third has not answered yet), without the page scrolling sideways."""

import pytest

from sourcing.inquiries.models import SupplierRequest
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width: int) -> None:
    page.wait_for_load_state("networkidle")
    assert page_width(page) <= width, page.url


def log_reply(page, live_server, inquiry, **fields) -> None:
    page.goto(f"{live_server.url}/inquiries/{inquiry.pk}/")
    page.click("text=I sent it")
    page.wait_for_selector(".inq-status.inq-sent")
    for name, value in fields.items():
        if name == "customisable":
            page.select_option(f"[name={name}]", value)
        else:
            page.fill(f"[name={name}]", value)
    page.click("button:has-text('Log the reply')")
    page.wait_for_selector("#answers")


@pytest.mark.parametrize("width", [390, 1280])
def test_one_request_to_three_suppliers_two_answer(page, live_server, bob, kitchen, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "bob")
    # bob ticks the three items on the list and asks their suppliers
    page.goto(f"{live_server.url}/lists/{kitchen.pk}/")
    fits(page, width)
    for box in page.locator(".litem-pick input").all():
        box.check()
    page.click("#ask-suppliers")
    page.wait_for_selector("h1:has-text('Ask several suppliers')")
    assert page.locator(".request-items input:checked").count() == 3
    fits(page, width)
    page.fill("#id_quantity", "500")
    page.fill("#id_target_price", "10.50")
    page.fill("#id_options", "黑色，印LOGO")
    page.click("button:has-text('Send the request')")
    page.wait_for_selector("#answers")
    request = SupplierRequest.objects.get()
    flask, glass, mug = request.inquiries.order_by("pk")
    assert "0 of 3 suppliers answered." in page.inner_text("#request-count")
    fits(page, width)
    # two suppliers answer; bob logs their answers as fields
    log_reply(page, live_server, flask, quoted_price="10.80", quoted_moq="300", quoted_lead_days="15",
              sample_price="50", sample_days="7", packing="每箱50个", customisable="yes")  # fmt: skip
    log_reply(page, live_server, glass, quoted_price="9.20", quoted_lead_days="20")
    table = page.inner_text("#answers")
    assert "2 of 3 suppliers answered." in page.inner_text("#request-count")
    assert "¥10.80" in table and "¥9.20" in table and "每箱50个" in table and "not answered yet" in table
    fits(page, width)
    # compare shows the answers beside each offer
    page.goto(f"{live_server.url}/lists/{kitchen.pk}/compare/")
    answers = page.inner_text("tr.answers-row")
    assert "MOQ 300" in answers and "lead time 20 days" in answers and "none logged" in answers
    fits(page, width)
    assert mug.replied_at is None
