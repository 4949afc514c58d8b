"""/products/<offer_id>/ shows the whole offer: every main and option picture in the gallery, the seller's
description with its detail images (cleaned, lazy), the video link, and says so when the description is not
known yet; from a real sandbox detail fetch, and from rows a worker or a hand wrote."""

import re

import pytest
import requests
from django.test import override_settings

from sandbox.models import SandboxOffer
from sourcing.alibaba.api import Sku, SkuAttribute
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services import offers as catalog_services_offers
from sourcing.catalog.services.upsert import product_upsert_detail
from tests.catalog.pages.conftest import detail, page_html, page_text, stock_product

HOSTILE = (
    '<p>春季新款</p><script>alert("xss")</script><img src="//cbu01.alicdn.com/img/ibank/O1CN01a.jpg" '
    'onerror="alert(1)"><iframe src="https://evil.example/"></iframe>'
    '<div style="background:url(https://evil.example/t.png)">背景</div><a href="javascript:alert(2)">点我</a>'
)


def description_part(html: str) -> str:
    return html[html.index('id="description"') : html.index("</section>", html.index('id="description"'))]


def gallery_part(html: str) -> str:
    return html[html.index("data-gallery>") : html.index("</section>", html.index("data-gallery>"))]


@pytest.mark.django_db(transaction=True)
def test_a_sandbox_offer_shows_its_gallery_description_and_video(client, connected, alice, catalog, live_server):
    # given a sandbox offer with options of several colours and a video, fetched by a worker over HTTP
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if o.offer_id % 3 == 0 and o.sku_axes and len(o.sku_axes[0][2]) >= 2)  # fmt: skip
    started = catalog_services_offers.product_fetch_start(user=alice, offer_id=str(offer.offer_id))
    assert CatalogJob.objects.get(pk=started.job.pk).state == CatalogJob.State.DONE
    # when alice opens its page
    response = client.get(f"/products/{offer.offer_id}/")
    assert response.status_code == 200
    html, text = page_html(response), page_text(response)
    images = f"{live_server.url}/sandbox/img/ibank/"
    # then the gallery holds the main pictures, then one picture per colour, each named by its option
    gallery = gallery_part(html)
    thumbs = re.findall(r'<a href="([^"]+)" data-gallery-thumb', gallery)
    main = [f"{images}{offer.image_family}_{v}.png" for v in offer.image_variants]
    colours = offer.sku_axes[0][2]
    options = [f"{images}opt/{offer.image_family}_{i}.png" for i in range(len(colours))]
    assert thumbs == main + options
    assert f'id="gallery-main" src="{main[0]}"' in gallery
    assert "Option pictures" in text and f"Picture 1 of {len(thumbs)}" in text
    for (zh, en), url in zip(colours, options, strict=True):
        assert re.search(
            rf'href="{re.escape(url)}"[^>]*data-caption="Picture \d+ of {len(thumbs)} · {zh} {en}"', gallery
        )
        assert f'<span class="thumb-label" lang="zh" aria-hidden="true">{zh}</span>' in gallery
    # and the description with every detail image, lazy, with no style left from the seller's editor
    description = description_part(html)
    parts = 3 + offer.offer_id % 4
    detail_images = re.findall(r'<img src="([^"]+)"', description)
    assert detail_images == [f"{images}desc/{offer.image_family}_{n}.png" for n in range(parts)]
    assert description.count('loading="lazy"') == parts and "style=" not in description
    assert offer.subject in description and "厂家直供" in description
    assert f"with {parts} detail images" in text
    # the pictures are there to load
    for url in (detail_images[0], options[-1]):
        assert requests.get(url, timeout=10).headers["Content-Type"] == "image/png"
    # and the video link opens apart from the page
    video = f"{live_server.url}/sandbox/video/{offer.image_family}.gif"
    assert f'<a href="{video}" target="_blank" rel="noopener noreferrer nofollow">' in gallery
    assert "Watch the offer's video" in text
    assert requests.get(video, timeout=10).headers["Content-Type"] == "image/gif"


@pytest.mark.django_db
def test_a_missing_description_says_it_is_not_known_yet(client, alice, cup, categories):
    client.force_login(alice)
    # a detail answer without a description (missing or null)
    text = page_text(client.get("/products/700001/"))
    assert "Description" in text and "The description is not known yet" in text
    assert "has not received one from 1688" in text and "Watch the offer's video" not in text
    assert 'class="offer-description"' not in page_html(client.get("/products/700001/"))
    # an offer only seen in a search: the description comes with the details
    Product.objects.filter(pk=cup.pk).update(detail_fetched_at=None, summary_fetched_at=cup.detail_fetched_at)
    assert "it comes with the full details from 1688" in page_text(client.get("/products/700001/"))


@pytest.mark.django_db
def test_the_page_cleans_the_stored_description_again(client, alice, cup):
    # given a description written to the row without the service (an admin, a script, an old release)
    Product.objects.filter(pk=cup.pk).update(description_html=HOSTILE, video_url="javascript:alert(3)")
    client.force_login(alice)
    html = page_html(client.get("/products/700001/"))
    description = description_part(html)
    # then the page shows the text and the picture, and nothing that runs or tracks
    assert "春季新款" in description and "背景" in description and "点我" in description
    assert '<img src="https://cbu01.alicdn.com/img/ibank/O1CN01a.jpg"' in description
    assert 'loading="lazy"' in description
    for gone in ("<script", "onerror", "<iframe", "evil.example", "url(", "javascript:"):
        assert gone not in description, gone
    assert "javascript:" not in html and "Watch the offer's video" not in page_text(client.get("/products/700001/"))


@pytest.mark.django_db
def test_option_pictures_join_the_gallery_once_each(client, alice, categories):
    colours = [("红色", "Red"), ("蓝色", "Blue")]
    skus = [
        Sku(sku_id=f"7000010{i}{j}", spec_id=f"{i}{j}", price=None, stock=5,
            attributes=[SkuAttribute(name="颜色", value=zh, name_en="Color", value_en=en,
                                     image_url=f"https://img.example/opt-{i}.png"),
                        SkuAttribute(name="尺码", value=size, name_en="Size", value_en=size, image_url="")])
        for i, (zh, en) in enumerate(colours) for j, size in enumerate(["S", "M"])
    ]  # fmt: skip
    stock_product(700001, skus=skus)
    client.force_login(alice)
    gallery = gallery_part(page_html(client.get("/products/700001/")))
    thumbs = re.findall(r'<a href="([^"]+)" data-gallery-thumb', gallery)
    assert thumbs == ["https://img.example/700001.png", "https://img.example/700001-2.png",
                      "https://img.example/opt-0.png", "https://img.example/opt-1.png"]  # fmt: skip
    assert 'data-caption="Picture 3 of 4 · 红色 Red"' in gallery and 'alt="Picture 4: 蓝色"' in gallery
    assert gallery.count('aria-current="true"') == 1 and 'loading="lazy"' in gallery


@pytest.mark.django_db
def test_a_new_description_shows_on_the_next_view_of_a_cached_page(client, alice, categories):
    pages = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages-offer"},
    }
    with override_settings(CACHES=pages):
        stock_product(700001, description="<p>第一版描述</p>")
        client.force_login(alice)
        assert "第一版描述" in page_text(client.get("/products/700001/"))
        stock_product(700001, description='<p>第二版描述</p><img src="https://img.example/d.png">')
        text = page_text(client.get("/products/700001/"))
        assert "第二版描述" in text and "第一版描述" not in text and "with 1 detail image." in text


@pytest.mark.django_db
def test_the_upsert_stores_the_cleaned_description_and_keeps_it_when_an_answer_lacks_it(categories):
    # given an offer fetched with a description and a video
    product = stock_product(700001, description=HOSTILE, video_url="https://v.example/m.mp4")
    assert "<script" not in product.description_html and "春季新款" in product.description_html
    assert 'src="https://cbu01.alicdn.com/img/ibank/O1CN01a.jpg"' in product.description_html
    assert product.video_url == "https://v.example/m.mp4"
    # when a sparse answer comes without them (missing or null: both read as "")
    again, changed = product_upsert_detail(detail=detail(700001, description="", price="13.50"), source="sandbox")
    # then the description and video already known stay, while the price moves
    again.refresh_from_db()
    assert changed and str(again.price_min) == "13.50"
    assert again.description_html == product.description_html and again.video_url == "https://v.example/m.mp4"
    # and a new description replaces the old one
    newer, _ = product_upsert_detail(detail=detail(700001, description="<p>新的描述</p>"), source="sandbox")
    assert newer.description_html == "<p>新的描述</p>"
