"""Ranking at any size (issue 20): pages walk the sort index a window at a time, then the rest; counts past the
cap are estimated from the best sellers. A tiny SEARCH_WINDOW makes a 60-product catalog cross every boundary the
million-product one does. CI runs this module on PostgreSQL and on SQLite."""

from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import override_settings

from sourcing.alibaba.api import ProductAttribute
from sourcing.catalog.models import Product
from sourcing.catalog.selectors import products as selector
from sourcing.catalog.selectors.products import search_products
from sourcing.catalog.services.upsert import product_upsert_detail, products_upsert_summaries
from tests.catalog.conftest import detail, offer
from tests.catalog.pages.test_page_cache import LOCAL_PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    """60 offers: every third has 杯 in its title, every fifth only in its attributes; sales and prices vary, some tie,
    some offers have no price or no sales."""
    offers = []
    for i in range(1, 61):
        title = f"{'保温杯' if i % 3 == 0 else '收纳盒'} 款{i}"
        offers.append(offer(str(i), subject=title, subject_en=f"item {i}", month_sold=None if i % 11 == 0 else i % 7 * 10,
                            price=f"{(i * 37) % 50 + 1}.00"))  # fmt: skip
    products_upsert_summaries(offers=offers, source="sandbox")
    Product.objects.filter(offer_id__in=[13, 26, 39, 52]).update(price_min=None, price_max=None)  # no price known
    for i in range(5, 61, 5):
        if i % 3:
            product_upsert_detail(detail=detail(str(i), subject=f"收纳盒 款{i}", attributes=[
                ProductAttribute(name="配件", value="杯垫", name_en="Extra", value_en="coaster")]), source="sandbox")  # fmt: skip
    return {p.offer_id: p for p in Product.objects.all()}


def expected(catalog, sort: str, query: str = "") -> list[int]:
    """The order the page promises, computed here the plain way."""
    rows = list(catalog.values())
    if query:
        rows = [p for p in rows if "杯" in p.title or "杯" in str(p.attributes)]
    sales = lambda p: p.month_sold or 0  # noqa: E731
    if sort == "price":
        rows.sort(key=lambda p: (p.price_min if p.price_min is not None else Decimal("1e10"), p.pk))
    elif sort == "price_desc":
        rows.sort(key=lambda p: (p.price_min if p.price_min is not None else Decimal(-1), p.pk), reverse=True)
    elif sort == "newest":
        rows.sort(key=lambda p: (p.listed_at or p.created_at, p.pk), reverse=True)
    elif sort == "relevance" and query:
        rows.sort(key=lambda p: ("杯" in p.title, sales(p), p.pk), reverse=True)
    else:
        rows.sort(key=lambda p: (sales(p), p.pk), reverse=True)
    return [p.offer_id for p in rows]


def every_page(query: str, sort: str, limit: int) -> list[int]:
    seen, after = [], None
    while True:
        page = search_products(query, {"sort": sort}, after=after, limit=limit)
        assert not page.restarted
        seen += [p.offer_id for p in page.products]
        if not page.next_cursor:
            return seen
        after = page.next_cursor


@pytest.mark.parametrize("window", [3, 7, 5000])
@pytest.mark.parametrize("sort", ["relevance", "sales", "price", "price_desc", "newest"])
@pytest.mark.parametrize("query", ["", "杯"])
def test_every_page_in_order_whatever_the_window(catalog, settings, window, sort, query):
    settings.SEARCH_WINDOW, settings.CATALOG_RESULTS_CACHE_SECONDS = window, 0
    assert every_page(query, sort, limit=4) == expected(catalog, sort, query)


def test_title_hits_come_first_even_when_attribute_hits_sell_more(catalog, settings):
    settings.SEARCH_WINDOW, settings.CATALOG_RESULTS_CACHE_SECONDS = 3, 0
    found = every_page("杯", "relevance", limit=5)
    in_title = [i for i in found if "杯" in catalog[i].title]
    assert found[: len(in_title)] == in_title and len(found) == 20 + 8  # 20 titles, 8 more in attributes only


def test_a_price_range_keeps_offers_without_a_price_out_either_way(catalog, settings):
    settings.CATALOG_RESULTS_CACHE_SECONDS = 0
    for sort in ("price", "price_desc", "sales"):
        page = search_products("", {"price_max": "20", "sort": sort}, limit=100)
        prices = [p.price_min for p in page.products]
        assert prices and all(p is not None and p <= 20 for p in prices)
        page = search_products("", {"price_min": "40", "sort": sort}, limit=100)
        assert all(p.price_min is not None and p.price_min >= 40 for p in page.products)


def test_counts_are_exact_below_the_cap_and_estimated_past_it(catalog, settings, monkeypatch):
    settings.CATALOG_RESULTS_CACHE_SECONDS = 0
    settings.SEARCH_WINDOW = 20
    assert search_products("杯", count=True).matched == 28  # 28 of 60: too few in the window to estimate past 10
    monkeypatch.setattr(selector, "COUNT_CAP", 15)
    assert search_products("杯", count=True).matched == 15  # "more than 15": read from the 20 best sellers alone
    assert search_products("款1", count=True).matched == 1  # rare: counted exactly by the text index


@override_settings(CATALOG_RESULTS_CACHE_SECONDS=0, SEARCH_WINDOW=3)
def test_a_cursor_from_before_a_sale_still_pages_on(catalog):
    first = search_products("", {"sort": "sales"}, limit=4)
    Product.objects.filter(offer_id=first.products[0].offer_id).update(month_sold=999)  # it moves to the top
    second = search_products("", {"sort": "sales"}, after=first.next_cursor, limit=4)
    assert not second.restarted and len(second.products) == 4
    assert not {p.offer_id for p in second.products} & {p.offer_id for p in first.products}


@pytest.mark.parametrize("cap", [5, 1000])  # 28 matches: past a cap of 5 (walked), under 1,000 (from the text index)
@pytest.mark.parametrize("sort", ["relevance", "sales", "price", "price_desc", "newest"])
def test_a_counted_first_page_ranks_the_same_whether_its_words_are_rare_or_common(catalog, settings, monkeypatch, cap,
                                                                                 sort):  # fmt: skip
    settings.SEARCH_WINDOW, settings.CATALOG_RESULTS_CACHE_SECONDS = 3, 0
    monkeypatch.setattr(selector, "COUNT_CAP", cap)
    page = search_products("杯", {"sort": sort}, limit=6, count=True)
    assert page.matched == min(cap, 28)
    assert [p.offer_id for p in page.products] == expected(catalog, sort, "杯")[:6]
    second = search_products("杯", {"sort": sort}, after=page.next_cursor, limit=6)
    assert [p.offer_id for p in second.products] == expected(catalog, sort, "杯")[6:12]


def test_a_price_filter_counts_on_the_plain_price_and_walks_the_sort_column(catalog, settings):
    settings.SEARCH_WINDOW, settings.CATALOG_RESULTS_CACHE_SECONDS = 3, 0
    for sort in ("price", "price_desc", "sales"):
        page = search_products("杯", {"sort": sort, "price_min": "10", "price_max": "30"}, limit=100, count=True)
        wanted = [i for i in expected(catalog, sort, "杯") if catalog[i].price_min is not None
                  and 10 <= catalog[i].price_min <= 30]  # fmt: skip
        assert [p.offer_id for p in page.products] == wanted and page.matched == len(wanted)


def test_a_count_is_kept_with_its_ranking_unless_the_page_hides_offers_of_unknown_value(catalog, settings):
    settings.CATALOG_RESULTS_CACHE_SECONDS = 60
    settings.CACHES = LOCAL_PAGES  # a page cache in this process (without Redis the tests keep none)
    assert search_products("杯", count=True).matched == 28
    Product.objects.filter(offer_id__in=[3, 6]).update(status=Product.Status.NOT_FOUND)  # gone from 1688
    seen_again = search_products("杯", count=True)
    assert seen_again.matched == 28  # kept beside the ranking for the cache time
    assert {3, 6}.isdisjoint(p.offer_id for p in seen_again.products)  # cards are read fresh: gone ones drop out
    assert search_products("杯", {"sort": "price"}, count=True).matched == 26  # another page counts afresh
    unknown = {"province": "浙江", "unknown": ""}  # hides the offers whose province is not known yet
    assert search_products("杯", unknown, count=True).hidden
    Product.objects.update(status=Product.Status.NOT_FOUND)  # every offer gone from 1688
    assert not search_products("杯", unknown, count=True).hidden  # such a page counts afresh on every view


@pytest.mark.parametrize("sort", ["relevance", "sales", "price", "price_desc", "newest"])
def test_a_sparse_word_pages_in_order_from_the_window_range_and_the_text_index(catalog, settings, monkeypatch, sort):
    # 28 matches, past a cap of 5, and none can show in a 7-row sample of best sellers: "sparse", not common
    settings.SEARCH_WINDOW, settings.CATALOG_RESULTS_CACHE_SECONDS = 7, 60
    settings.CACHES = LOCAL_PAGES  # the first page's count is kept, and the later pages read it
    caches["pages"].clear()  # an earlier test's pages, kept in this process
    monkeypatch.setattr(selector, "COUNT_CAP", 5)
    walked, walk = [], selector._walk
    monkeypatch.setattr(selector, "_walk", lambda *args: walked.append(args[-1]) or walk(*args))
    page = search_products("杯", {"sort": sort}, limit=4, count=True)
    seen = [p.offer_id for p in page.products]
    while page.next_cursor:
        page = search_products("杯", {"sort": sort}, after=page.next_cursor, limit=4)
        seen += [p.offer_id for p in page.products]
    assert seen == expected(catalog, sort, "杯")
    assert set(walked) == {"sparse"}
