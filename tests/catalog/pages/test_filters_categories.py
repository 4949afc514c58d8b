"""Honest filters and counts, and category pages that ask 1688 (docs/filters-and-categories.md).

Offers whose province or minimum order is not known yet are never dropped silently: the page counts them,
says why, links to them, and asks a worker for their details. What the page says it lists is what it shows.
"""

import re
from decimal import Decimal

import pytest

from sourcing.alibaba.api import OfferSummary
from sourcing.catalog.models import CatalogJob, Product, SearchQuery
from sourcing.catalog.services.upsert import products_upsert_summaries
from tests.catalog.pages.conftest import LEAF, MIDDLE, page_html, page_text, stock_product

pytestmark = pytest.mark.django_db(transaction=True)


def summary(offer_id, *, subject="便携保温杯 大容量", moq=2) -> OfferSummary:
    """A keyword-search item as 1688 sends it: no seller, so no province until the detail is fetched."""
    return OfferSummary(
        offer_id=str(offer_id), subject=subject, subject_en="vacuum cup", image_url=f"https://img.example/{offer_id}.png",
        price=Decimal("9.90"), min_order_quantity=moq, month_sold=50, repurchase_rate="", top_category_id=None,
        second_category_id=None, third_category_id=None, seller_years=None, company_name="",
        detail_url=f"https://detail.1688.com/offer/{offer_id}.html",
    )  # fmt: skip


def cards(response) -> list[str]:
    return re.findall(r'class="pcard-link" href="/products/(\d+)/"', page_html(response))


@pytest.fixture
def mixed(categories):
    """3 cups from 浙江, 2 from 广东 (details known), 4 whose supplier (so province) is not known yet."""
    for i in range(3):
        stock_product(700001 + i, place="浙江省 金华市")
    for i in range(2):
        stock_product(710001 + i, place="广东省 深圳市", seller="BBBseller0000000000000002", company="深圳杯业")
    products_upsert_summaries(offers=[summary(720001 + i) for i in range(4)], source="sandbox")
    assert Product.objects.filter(province="").count() == 4


@pytest.fixture
def fill_queue(monkeypatch):
    """Record the detail fetches a page queues for offers a filter hid."""
    from sourcing import tasks

    calls = []
    monkeypatch.setattr(tasks.catalog_unknown_details, "delay_on_commit", lambda *a, **k: calls.append(a))
    return calls


def test_province_filter_counts_the_offers_it_hides_and_one_click_shows_them(client, alice, mixed):
    client.force_login(alice)
    # when alice filters 杯 by 浙江
    response = client.get("/products/", {"q": "杯", "province": "浙江"})
    text = page_text(response)
    # then she sees the 3 from 浙江, and the page says so and why 4 more are not shown
    assert len(cards(response)) == 3
    assert "3 match your filters; 4 hidden." in text
    assert "4 offers hidden: their supplier's province is not known yet. Show them" in text
    link = re.search(r'<a href="([^"]+)">Show them</a>', page_html(response)).group(1)
    assert "unknown=province" in link and "province=%E6%B5%99%E6%B1%9F" in link
    # when she clicks it: the 3 and the 4 of unknown province, 7 in all, said and shown; the 广东 ones stay out
    shown = client.get(link)
    assert len(cards(shown)) == 7 and not {"710001", "710002"} & set(cards(shown))
    text = page_text(shown)
    assert "7 match your filters." in text and "hidden" not in text
    assert "Offers whose province is not known yet are shown too. Hide them" in text
    # and without a credential nothing was queued for the worker
    assert not CatalogJob.objects.exists()


def test_unfiltered_counts_match_the_cards(client, alice, mixed):
    client.force_login(alice)
    response = client.get("/products/", {"q": "杯"})
    assert len(cards(response)) == 9 and "9 listed here." in page_text(response)


def test_moq_filter_hides_offers_of_unknown_minimum_order_and_says_so(client, alice, categories):
    stock_product(700001, moq=10)
    stock_product(700002, moq=500)
    products_upsert_summaries(offers=[summary(720001, moq=None)], source="sandbox")
    client.force_login(alice)
    response = client.get("/products/", {"q": "杯", "max_moq": "50"})
    assert cards(response) == ["700001"]
    assert "1 offer hidden: their minimum order is not known yet. Show them" in page_text(response)
    shown = client.get("/products/", {"q": "杯", "max_moq": "50", "unknown": "max_moq"})
    assert set(cards(shown)) == {"700001", "720001"} and "2 match your filters." in page_text(shown)


def test_a_garbage_unknown_parameter_is_ignored(client, alice, mixed):
    client.force_login(alice)
    response = client.get("/products/", {"q": "杯", "province": "浙江", "unknown": "<script>,price,,x" * 5})
    assert response.status_code == 200 and len(cards(response)) == 3


def test_hidden_offers_get_their_details_queued_once_without_spending_quota_on_the_page(
    client, alice, credential, mixed, fill_queue
):
    client.force_login(alice)
    # given alice's search of 杯 was fetched from 1688 (its job queued first; the details wait for it)
    client.post("/products/fetch/?q=杯&province=浙江")
    assert fill_queue == [] and CatalogJob.objects.get().kind == CatalogJob.Kind.SEARCH
    from django.utils import timezone

    CatalogJob.objects.update(state=CatalogJob.State.DONE)
    SearchQuery.objects.update(fetched_at=timezone.now())
    # when she opens it again: the page offers the fetch of the 4 offers lacking a detail as its follow-up
    response = client.get("/products/", {"q": "杯", "province": "浙江"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert fill_queue == [] and not CatalogJob.objects.filter(kind=CatalogJob.Kind.DETAILS).exists()
    assert """hx-trigger="load" hx-swap="outerHTML" hx-vals='{"step": "details"}'""" in page_html(response)
    # and the follow-up queues one job for them (no call made)
    client.post("/products/fetch/?q=杯&province=浙江", {"step": "details"}, headers={"HX-Request": "true"})
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.DETAILS)
    assert fill_queue == [(job.pk,)] and job.total == 4 and job.credential == credential
    assert sorted(job.params["product_ids"]) == sorted(Product.objects.filter(province="").values_list("pk", flat=True))
    response = client.get("/products/", {"q": "杯", "province": "浙江"}, headers={"Sec-Fetch-Site": "same-origin"})
    html = page_html(response)
    assert "fetching their details from 1688…" in page_text(response) and f"job={job.pk}" in html
    assert 'hx-trigger="load"' not in html
    # and another follow-up while it runs, or from a teammate's other page, queues nothing more (offers claimed)
    client.post("/products/fetch/?q=杯&province=浙江", {"step": "details"})
    client.post("/products/fetch/?q=杯&province=浙江&sort=price", {"step": "details"})
    assert CatalogJob.objects.filter(kind=CatalogJob.Kind.DETAILS).count() == 1 and len(fill_queue) == 1


def test_a_category_with_few_offers_asks_1688_by_its_follow_up(client, alice, credential, cup, queued):
    client.force_login(alice)
    # when alice opens the leaf category, which has one offer in the portal
    response = client.get(f"/categories/{LEAF}/", headers={"Sec-Fetch-Site": "same-origin"})
    # then the page lists it and carries its follow-up, which queues a keyword search (the category's Chinese
    # name plus its id) that the page polls
    assert queued == [] and not SearchQuery.objects.exists()
    assert len(cards(response)) == 1 and "1 listed here." in page_text(response)
    assert f'hx-post="/categories/{LEAF}/fetch/" hx-trigger="load"' in page_html(response)
    answer = page_html(client.post(f"/categories/{LEAF}/fetch/", headers={"HX-Request": "true"}))
    search = SearchQuery.objects.get()
    assert search.query == "保温杯" and search.filters == {"category": str(LEAF)}
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.SEARCH)
    assert queued == [("catalog_search_fetch", (job.pk,))]
    assert "Waiting for a worker" in answer and f'hx-get="/categories/{LEAF}/?job={job.pk}"' in answer
    # and opening it again while that fetch is running or fresh asks nothing
    assert 'hx-trigger="load"' not in page_html(client.get(f"/categories/{LEAF}/", headers={"Sec-Fetch-Site": "none"}))
    CatalogJob.objects.update(state=CatalogJob.State.DONE)
    from django.utils import timezone

    SearchQuery.objects.update(fetched_at=timezone.now(), total=0)
    assert 'hx-trigger="load"' not in page_html(client.get(f"/categories/{LEAF}/", headers={"Sec-Fetch-Site": "none"}))
    client.post(f"/categories/{LEAF}/fetch/")
    assert len(queued) == 1


def test_a_category_page_lists_what_the_category_fetch_found_even_without_category_ids(
    client, alice, credential, categories, queued
):
    client.force_login(alice)
    client.post(f"/categories/{MIDDLE}/fetch/")
    # the worker stores 2 offers whose answer named no category (live answers often don't)
    products_upsert_summaries(offers=[summary(720001), summary(720002)], source="sandbox")
    from django.utils import timezone

    SearchQuery.objects.update(offer_ids=[720001, 720002], total=2, fetched_at=timezone.now())
    job = CatalogJob.objects.get()
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, message="2 offers from 1688.")
    # the poll answers with the results; the page lists them and says how many
    poll = client.get(f"/categories/{MIDDLE}/", {"job": job.pk}, headers={"HX-Request": "true"})
    assert set(cards(poll)) == {"720001", "720002"}
    text = page_text(client.get(f"/categories/{MIDDLE}/"))
    assert "1688 found 2 offers; your team fetched 2 (just now); 2 listed here." in text


def test_a_category_page_without_a_credential_says_what_the_search_page_says(client, alice, categories, queued):
    client.force_login(alice)
    search_page = page_text(client.get("/products/", {"q": "保温杯"}))
    category_page = page_text(client.get(f"/categories/{LEAF}/"))
    plain = "Showing the portal's catalog only: no 1688 credential is set up."
    assert plain in search_page and plain in category_page
    assert "No products of this category in the portal yet." in category_page and queued == []


def test_no_detail_fetch_is_queued_once_the_background_share_of_the_quota_is_spent(
    client, alice, credential, mixed, fill_queue
):
    from django.utils import timezone

    from sourcing.alibaba import api
    from sourcing.catalog.services.refresh import background_cap
    from sourcing.connections.models import ApiUsage
    from sourcing.core.beijing import beijing_today

    client.force_login(alice)
    client.post("/products/fetch/?q=杯")
    CatalogJob.objects.update(state=CatalogJob.State.DONE)
    SearchQuery.objects.update(fetched_at=timezone.now())
    ApiUsage.objects.create(app=credential.app_identity, api=api.PRODUCT_DETAIL.id, day=beijing_today(),
                            calls=background_cap(credential))  # fmt: skip
    text = page_text(client.get("/products/", {"q": "杯", "province": "浙江"}))
    assert "4 offers hidden" in text and "Today's background share of the quota is spent" in text
    client.post("/products/fetch/?q=杯&province=浙江", {"step": "details"})
    assert fill_queue == [] and not CatalogJob.objects.filter(kind=CatalogJob.Kind.DETAILS).exists()
