"""The catalog in a real browser with a real worker: alice searches 保温杯, the worker fetches it from the
sandbox and the page swaps the results in; she opens an offer, prices a quantity, visits the supplier,
fetches its other offers and searches by the offer's photo. And the same search fits a phone."""

import re

import pytest

from sourcing.catalog.models import CatalogJob, Product, SearchQuery
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_worker(monkeypatch, live_server, portal_sandbox, request):
    """The real worker, started with the live server's address so it reaches the sandbox gateway over HTTP."""
    monkeypatch.setenv("SITE_URL", live_server.url)
    monkeypatch.setenv("ALIBABA_API_URL", f"{live_server.url}/sandbox/openapi")
    return request.getfixturevalue("celery_worker_process")


def test_search_product_price_supplier_and_photo_search(page, live_server, connected, catalog, live_worker):
    log_in(page, live_server)
    # alice searches 保温杯 from the home page: the portal has nothing yet, a worker asks 1688
    page.fill("input[name=q]", "保温杯")
    page.click("form.searchbar button[type=submit]")
    page.wait_for_selector("#job")
    assert page.is_visible("text=Sandbox")  # the page says where live data comes from
    # the worker lands: results are swapped in without a reload, the progress says what was fetched
    page.wait_for_selector("#search-results .pcard", timeout=40000)
    page.wait_for_selector("#job.job-done", timeout=40000)
    fetched = SearchQuery.objects.get(query="保温杯").offer_ids
    assert fetched and page.locator("#search-results .pcard").count() == min(24, len(fetched))
    first_card = page.locator("#search-results .pcard").first
    assert "保温杯" in first_card.inner_text() and "¥" in first_card.inner_text()
    # she opens the first offer: only its search summary is known, so the worker fetches the details
    first_card.locator("a").click()
    page.wait_for_selector("table.tiers", timeout=40000)
    offer_id = int(re.search(r"/products/(\d+)/", page.url).group(1))
    product = Product.objects.get(offer_id=offer_id)
    assert product.detail_fetched_at is not None
    assert page.is_visible("text=Options and stock") and page.locator("svg.price-chart").count() == 1
    # price at quantity: the htmx quote follows what she types, with the tier that applies
    page.fill("#qty", "500")
    page.wait_for_selector("#quote-result .quote-line:has-text('500 ')")
    quote = page.inner_text("#quote-result .quote-line")
    unit = product.price_tiers[-1]["price"] if 500 >= product.price_tiers[-1]["min_quantity"] else None
    assert quote.startswith("500 ") and "¥" in quote
    if unit is not None:
        assert f"¥{float(unit):,.2f}" in quote
    # the supplier page, and more of its offers fetched from 1688 by the worker
    page.click("text=Supplier page and all offers")
    page.wait_for_selector("h1")
    assert product.supplier.company_name in page.inner_text("h1")
    before = page.locator(".pcard").count()
    page.click("button:has-text('Fetch more offers from 1688')")
    page.wait_for_selector("#job.job-done", timeout=40000)
    assert page.locator(".pcard").count() > before
    # back on the offer, a photo search with its picture finds look-alikes
    page.goto(f"{live_server.url}/products/{offer_id}/")
    page.click("button:has-text('Find similar offers')")
    page.wait_for_selector("#search-results .pcard", timeout=40000)
    assert CatalogJob.objects.filter(kind=CatalogJob.Kind.IMAGE_SEARCH, state=CatalogJob.State.DONE).exists()
    assert page.locator("#search-results .pcard").count() >= 1


def test_the_search_fits_a_phone(page, live_server, connected, catalog, live_worker):
    page.set_viewport_size(PHONE)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/products/?q=保温杯")
    page.wait_for_selector("#search-results .pcard", timeout=40000)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    # the filters fold away behind a button on a phone, and open on a tap
    assert not page.is_visible("form.filters")
    page.click("label.filters-label")
    assert page.is_visible("form.filters select[name=province]")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    # the offer page fits too, once the worker has its details
    page.locator("#search-results .pcard a").first.click()
    page.wait_for_selector("table.tiers", timeout=40000)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
