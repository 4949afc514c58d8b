"""Catalog forms in a browser, without a worker: the photo form warns about a large file before uploading it,
and the price calculator works without JavaScript."""

import pytest

from tests.browser import log_in
from tests.catalog.pages.conftest import stock_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_photo_form_warns_about_a_large_file_before_uploading(page, live_server, alice, settings):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/products/image/")
    assert not page.is_visible("[data-size-warning]")
    big = {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * 3_100_000}
    page.set_input_files("input[name=image]", files=[big])
    assert page.is_visible("text=That photo is over 3 MB")
    # the browser holds the form back: nothing is uploaded
    page.click("form.image-form button[type=submit]")
    assert page.url.endswith("/products/image/")
    assert page.evaluate("document.querySelector('input[name=image]').validity.valid") is False
    small = {"name": "small.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * 1000}
    page.set_input_files("input[name=image]", files=[small])
    assert not page.is_visible("[data-size-warning]")


def test_price_at_quantity_works_without_javascript(browser, live_server, alice):
    stock_product(700001)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/products/700001/")
    page.fill("#qty", "150")
    page.click("#quote button[type=submit]")
    assert "qty=150" in page.url
    assert "150 个 × ¥12.50 = ¥1,875.00" in page.inner_text("#quote-result")  # the ≥ 100 tier
    context.close()
