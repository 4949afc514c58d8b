"""Supplier scorecards in a real browser: the team's suppliers page and a supplier's page, with every figure and
its observations, fit a 390 px phone and a 1280 px desktop; sorting from the table's header works."""

import pytest

from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures
from tests.orders.test_scorecards import history  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scorecard_pages_fit_a_phone_and_a_desktop(page, live_server, alice, history):  # noqa: F811
    flask = history[0]
    flask.supplier.company_name = "义乌示例日用品厂" + "很长的公司名称" * 12
    flask.supplier.save(update_fields=["company_name"])
    log_in(page, live_server, "alice")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/buying/suppliers/", "/buying/suppliers/?sort=-on_time&min_reply=10",
                     f"/suppliers/{flask.supplier.pk}/"):  # fmt: skip
            page.goto(f"{live_server.url}{path}")
            assert page_width(page) <= width, (width, path)
    page.goto(f"{live_server.url}/buying/suppliers/")
    page.click("th a:has-text('Reply rate')")
    page.wait_for_url("**sort=reply_rate")
    assert page.locator("tbody tr").first.inner_text().count("80.0 %") == 1
