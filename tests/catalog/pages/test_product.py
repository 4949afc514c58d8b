"""/products/<offer_id>/: tiers and the price at a quantity, SKUs with stock, the supplier, the price chart,
freshness and refresh, offers we don't have yet, offers 1688 doesn't know, delisted offers."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.utils import timezone

from sourcing.alibaba.api import Sku, SkuAttribute
from sourcing.catalog.models import CatalogJob, PriceHistory, Product, ProductView
from tests.catalog.pages.conftest import page_html, page_text, stock_product

pytestmark = pytest.mark.django_db


def test_the_offer_page_shows_tiers_skus_attributes_supplier_and_the_1688_link(client, alice, cup):
    client.force_login(alice)
    response = client.get("/products/700001/")
    page = page_text(response)
    assert response.status_code == 200
    for shown in ("不锈钢保温杯 大容量", "stainless steel vacuum cup", "¥10.00 – ¥11.00", "Minimum order 2 个",
                  "2–99 个", "≥ 100 个", "¥12.00", "白色", "White", "黑色", "材质", "304不锈钢", "Material",
                  "Open on 1688", "Sandbox data", "保温杯"):  # fmt: skip
        assert shown in page, shown
    # the supplier card with trust signals links to the supplier page
    assert f'href="/suppliers/{cup.supplier_id}/"' in page_html(response)
    assert 'href="https://detail.1688.com/offer/700001.html"' in page_html(response)
    assert "义乌示例日用品厂" in page and "4.5" in page and "46.7 %" in page and "实力商家" in page
    # the gallery: main picture and thumbnails
    page = page_html(response)
    assert 'id="gallery-main" src="https://img.example/700001.png"' in page and "700001-2.png" in page


@pytest.mark.parametrize(
    ("qty", "expected"),
    [
        ("", "2 个 × ¥12.00 = ¥24.00"),  # the minimum order by default, at the first tier
        ("150", "150 个 × ¥10.00 = ¥1,500.00"),  # the ≥ 100 tier
        ("99", "99 个 × ¥12.00 = ¥1,188.00"),
    ],
)
def test_price_at_quantity_applies_the_tiers(client, alice, cup, qty, expected):
    client.force_login(alice)
    assert expected in page_text(client.get("/products/700001/", {"qty": qty} if qty else {}))


def test_price_at_quantity_below_the_moq_prices_the_moq_and_says_so(client, alice, cup):
    client.force_login(alice)
    page = page_text(client.get("/products/700001/?qty=1"))
    assert "The minimum order is 2; priced at 2." in page and "2 个 × ¥12.00 = ¥24.00" in page


@pytest.mark.parametrize("qty", ["abc", "-5", "0", "NaN", "1e9", "²", "99999999999999999999999", "1.5"])
def test_price_at_quantity_with_nonsense_explains_and_prices_the_moq(client, alice, cup, qty):
    client.force_login(alice)
    response = client.get("/products/700001/", {"qty": qty})
    assert response.status_code == 200
    assert "Enter a whole number of pieces" in page_text(response) and "2 个 × ¥12.00" in page_text(response)


def test_price_at_quantity_over_htmx_answers_the_quote_only(client, alice, cup):
    client.force_login(alice)
    response = client.get("/products/700001/?qty=100", headers={"HX-Request": "true"})
    page = page_html(response)
    assert page.lstrip().startswith('<div id="quote-result"') and "<html" not in page
    assert "100 个 × ¥10.00 = ¥1,000.00" in page_text(response)
    assert re.search(r'<tr class="on" aria-current="true"><td>≥ 100 个</td>', page)  # the tier that applies
    assert not ProductView.objects.exists()  # typing a quantity is not another view


def test_sold_out_skus_are_greyed_out(client, alice, shelf):
    client.force_login(alice)
    skus = [Sku(sku_id=f"70000{i}", spec_id=str(i), price=Decimal("9.90"), stock=stock,
                attributes=[SkuAttribute(name="颜色", value=colour, name_en="Color", value_en=en, image_url="")])
            for i, (colour, en, stock) in enumerate([("红色", "Red", 0), ("蓝色", "Blue", 40)])]  # fmt: skip
    stock_product(700001, skus=skus)
    page = page_html(client.get("/products/700001/"))
    assert re.search(r'<tr class="soldout">\s*<td[^>]*>.*红色', page)
    assert "sold out" in page and "40" in page


def test_two_option_skus_read_as_a_matrix(client, alice, categories):
    client.force_login(alice)
    skus = []
    for i, (colour, en) in enumerate([("白色", "White"), ("黑色", "Black")]):
        for j, size in enumerate(["S", "M", "L"]):
            skus.append(Sku(sku_id=f"7{i}{j}", spec_id=f"{i}{j}", price=Decimal("5") + j, stock=0 if (i, j) == (1, 2)
                            else 10 * (j + 1), attributes=[
                SkuAttribute(name="颜色", value=colour, name_en="Color", value_en=en, image_url=""),
                SkuAttribute(name="尺码", value=size, name_en="Size", value_en=size, image_url="")]))  # fmt: skip
    stock_product(700001, skus=skus)
    page = page_html(client.get("/products/700001/"))
    assert 'class="sku-matrix"' in page
    assert page.count('class="soldout"') == 1 and "30 in stock" in page and "¥7.00" in page


def test_price_history_is_an_svg_chart_with_yuan_and_dates(client, alice, cup):
    client.force_login(alice)
    now = timezone.now()
    PriceHistory.objects.filter(product=cup).update(at=now - timedelta(days=20))
    PriceHistory.objects.create(product=cup, at=now - timedelta(days=10), price_min=Decimal("9.50"),
                                price_max=Decimal("11.00"), stock=300)  # fmt: skip
    page = page_html(client.get("/products/700001/"))
    svg = re.search(r"<svg class=\"price-chart\".*?</svg>", page, re.S).group(0)
    assert svg.count("<circle") == 2 and 'class="line"' in svg and 'class="line high"' in svg
    assert "¥9.50" in svg and "¥11.00" in svg  # ¥ axis from the lowest to the highest price
    start = timezone.localtime(now - timedelta(days=20)).strftime("%m-%d")
    assert f">{start}</text>" in svg and ">now</text>" in svg  # date axis
    assert "stock 300" in svg  # each point says what it was


def test_price_history_with_one_point_or_none(client, alice, cup):
    client.force_login(alice)
    page = page_html(client.get("/products/700001/"))
    svg = re.search(r"<svg class=\"price-chart\".*?</svg>", page, re.S).group(0)
    assert svg.count("<circle") == 1  # a flat line from the one price to now
    PriceHistory.objects.all().delete()
    # History is only ever added with a change to the offer, which the cached part of the page is keyed on;
    # deleting it behind the portal's back needs that part dropped by hand.
    caches["pages"].clear()
    assert "No price history yet" in page_text(client.get("/products/700001/"))


def test_freshness_and_the_refresh_button(client, alice, credential, cup, queued):
    client.force_login(alice)
    Product.objects.filter(pk=cup.pk).update(detail_fetched_at=timezone.now() - timedelta(hours=3))
    # a three-hour-old detail is fresh enough: the page doesn't queue anything by itself
    page = page_text(client.get("/products/700001/"))
    assert "Details checked on 1688 3 h ago" in page and "CST (Beijing)" in page and queued == []
    response = client.post("/products/700001/refresh/")
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.PRODUCT)
    assert response.status_code == 302 and response["Location"] == f"/products/700001/?job={job.pk}"
    assert queued == [("catalog_product_fetch", (job.pk,))]
    waiting = page_html(client.get(response["Location"]))
    assert "Waiting for a worker" in waiting and f'hx-get="/products/700001/?job={job.pk}"' in waiting
    assert "不锈钢保温杯" in waiting  # the last data shows meanwhile
    # the poll answers with its progress while the worker runs, then sends the browser to the fresh page
    assert 'id="job"' in page_html(client.get(response["Location"], headers={"HX-Request": "true"}))
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, message="Fetched from 1688.")
    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == response["Location"]
    assert "Fetched from 1688." in page_text(client.get(response["Location"]))


def test_an_offer_we_dont_have_is_fetched_by_the_pages_follow_up_while_it_waits(client, alice, credential, categories,
                                                                                 queued):  # fmt: skip
    client.force_login(alice)
    # opened from the portal: the page queues nothing itself, it sends its own POST once loaded
    response = client.get("/products/612345678901/", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200 and queued == [] and not CatalogJob.objects.exists()
    assert "Fetching offer 612345678901 from 1688" in page_text(response)
    assert 'hx-post="/products/612345678901/fetch/" hx-trigger="load"' in page_html(response)
    # the follow-up queues the fetch and answers with the poller
    answer = client.post("/products/612345678901/fetch/", headers={"HX-Request": "true"})
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.PRODUCT, target="612345678901")
    assert queued == [("catalog_product_fetch", (job.pk,))]
    assert f'hx-get="/products/612345678901/?job={job.pk}"' in page_html(answer)
    # the worker stores it: the poll sends the browser to the product
    stock_product(612345678901, subject="新款保温杯")
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE)
    poll = client.get(f"/products/612345678901/?job={job.pk}", headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == f"/products/612345678901/?job={job.pk}"
    assert "新款保温杯" in page_text(client.get(poll["HX-Redirect"]))


def test_an_offer_1688_doesnt_know_gets_a_not_found_on_1688_page(client, alice, credential, queued):
    client.force_login(alice)
    client.post("/products/612345678902/fetch/")
    job = CatalogJob.objects.get()
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.FAILED, error_code="not_found",
                                                message="1688 has no offer 612345678902.")  # fmt: skip
    response = client.get(f"/products/612345678902/?job={job.pk}")
    assert response.status_code == 404
    assert "Not found on 1688" in page_text(response) and "1688 has no offer 612345678902" in page_text(response)
    assert len(queued) == 1  # the answer page doesn't start the fetch again
    # a later visit within CATALOG_DETAIL_FRESH_MINUTES answers from that job instead of asking 1688 again
    CatalogJob.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    again = client.get("/products/612345678902/", headers={"Sec-Fetch-Site": "same-origin"})
    assert again.status_code == 404 and "Not found on 1688" in page_text(again) and "hx-post" not in page_html(again)
    client.post("/products/612345678902/fetch/")
    assert len(queued) == 1


def test_an_offer_we_dont_have_without_a_credential_is_a_404_that_says_what_to_set_up(client, alice):
    client.force_login(alice)
    response = client.get("/products/612345678903/")
    assert response.status_code == 404
    assert "not in the portal" in page_text(response) and "no 1688 credential is set up" in page_text(response)


def test_a_delisted_offer_keeps_its_last_data_marked_delisted(client, alice, cup):
    client.force_login(alice)
    Product.objects.filter(pk=cup.pk).update(status=Product.Status.DELISTED, status_changed_at=timezone.now())
    response = client.get("/products/700001/")
    assert response.status_code == 200
    assert "Delisted on 1688" in page_text(response) and "last data the portal fetched" in page_text(response)
    assert "¥10.00 – ¥11.00" in page_text(response) and "白色" in page_text(response)


@pytest.mark.parametrize(
    "path",
    ["/products/abc/", "/products/-1/", "/products/99999999999999999999/", "/products/9223372036854775808/",
     "/products/²/", "/products/0/", "/products/%20/", "/products/1.5/", "/products/abc/refresh/"],
)  # fmt: skip
def test_malformed_offer_ids_are_a_404_page(client, alice, path):
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 404


def test_a_malformed_offer_id_says_what_an_offer_id_is(client, alice):
    client.force_login(alice)
    assert "is not a 1688 offer id" in page_text(client.get("/products/abc/"))


def test_viewing_an_offer_records_recently_viewed(client, alice, cup):
    client.force_login(alice)
    client.get("/products/700001/")
    assert ProductView.objects.filter(user=alice, product=cup).exists()


def test_the_quote_says_what_ordering_more_would_save(client, alice, cup):
    client.force_login(alice)
    page = page_text(client.get("/products/700001/?qty=60"))
    assert "From 100 个: ¥10.00 each (¥2.00 less per 个)." in page
    assert "≥ 100 个 ¥10.00 −16%" in page  # the tier table shows each tier's saving
    assert "From 100 个" not in page_text(client.get("/products/700001/?qty=100"))  # already at the best tier
