"""The product page's gallery and description in Chromium, at phone and desktop widths: thumbnails show their
picture, the arrow keys move between them, the frame opens a large view that Esc closes, the detail images load
as the reader scrolls, and nothing scrolls sideways at 390 px."""

import pytest

from sandbox.models import SandboxOffer
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services import offers as catalog_services_offers
from tests.browser import log_in, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offer(connected, alice, catalog):
    """A sandbox offer with several colours and a video, fetched by a worker over HTTP."""
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if o.offer_id % 3 == 0 and o.sku_axes and len(o.sku_axes[0][2]) >= 3)  # fmt: skip
    started = catalog_services_offers.product_fetch_start(user=alice, offer_id=str(offer.offer_id))
    assert CatalogJob.objects.get(pk=started.job.pk).state == CatalogJob.State.DONE
    return offer


@pytest.mark.parametrize("width", [390, 1280])
def test_gallery_by_keyboard_and_description_at_phone_and_desktop_width(page, live_server, offer, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/products/{offer.offer_id}/")
    thumbs = page.locator("[data-gallery-thumb]")
    total = thumbs.count()
    assert total == len(offer.image_variants) + len(offer.sku_axes[0][2])
    assert page_width(page) <= width
    frame = page.locator("#gallery-main").bounding_box()
    assert frame["width"] > 200 and frame["x"] + frame["width"] <= width
    page.screenshot(path=str(tmp_path / f"product-top-{width}.png"))

    # a thumbnail, then the arrow keys: the frame and its caption follow, the focus moves along
    thumbs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#gallery-main", "src") == thumbs.nth(1).get_attribute("href")
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "true"
    page.keyboard.press("End")
    last = thumbs.nth(total - 1)
    zh, en = offer.sku_axes[0][2][-1]
    assert page.get_attribute("#gallery-main", "src") == last.get_attribute("href")
    assert page.inner_text("[data-gallery-caption]") == f"Picture {total} of {total} · {zh} {en}"
    page.keyboard.press("ArrowRight")  # past the last: back to the first
    assert page.get_attribute("#gallery-main", "src") == thumbs.nth(0).get_attribute("href")

    # the frame opens the large view; the arrow keys step through it; Esc closes it
    page.focus("[data-gallery-open]")
    page.keyboard.press("Enter")
    dialog = page.locator("[data-gallery-dialog]")
    assert dialog.is_visible()
    large = page.locator("[data-gallery-large]")
    assert large.get_attribute("src") == thumbs.nth(0).get_attribute("href")
    box = large.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.keyboard.press("ArrowLeft")
    assert large.get_attribute("src") == last.get_attribute("href")
    page.screenshot(path=str(tmp_path / f"large-view-{width}.png"))
    page.keyboard.press("Escape")
    assert not dialog.is_visible()

    # the detail images wait below the fold, then load when the reader gets there
    pictures = page.locator(".offer-description img")
    assert pictures.count() == 3 + offer.offer_id % 4
    assert all(pictures.nth(i).get_attribute("loading") == "lazy" for i in range(pictures.count()))
    pictures.last.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 750", arg=pictures.last.element_handle())
    assert pictures.last.bounding_box()["width"] <= width
    page.wait_for_function("() => [...document.querySelectorAll('.offer-description img')].every(i => i.complete)")
    page.screenshot(path=str(tmp_path / f"product-{width}.png"), full_page=True)
    print(f"screenshots: {tmp_path}")
