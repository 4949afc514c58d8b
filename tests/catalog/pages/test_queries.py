"""A constant number of queries per page, whatever the number of results, SKUs, price changes or suppliers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sourcing.alibaba.api import Sku, SkuAttribute
from sourcing.catalog.models import Category, PriceHistory, Product, ProductView, SearchQuery, Supplier
from sourcing.catalog.services.offers import product_view_record
from tests.catalog.pages.conftest import stock_product

pytestmark = pytest.mark.django_db

SIZES = [5, 50]


def queries(client, path, **headers) -> int:
    """The queries of a page view with nothing in the page cache (what it saves is measured in bench/)."""
    from django.core.cache import caches

    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return len(captured)


@pytest.fixture
def many(client, alice, credential, shelf):
    """n products (each with its own supplier), viewed by alice, found by an Acme search; alice signed in."""

    def make(n):
        products = [stock_product(700001 + i, price=f"{10 + i}.00", seller=f"BBBseller{i:016d}", company=f"示例工厂{i}",
                                  moq=2) for i in range(n)]  # fmt: skip
        for product in products:
            product_view_record(user=alice, product=product)
        for i in range(n):
            Category.objects.create(id=40000 + i, parent_id=301, name=f"子类{i}", level=3)
        client.force_login(alice)
        # the category page's 1688 fetch ran lately (a page with fewer offers than a page queues one)
        from sourcing.catalog.services.fetch import search_fetch_start

        search = search_fetch_start(user=alice, query="家居园艺", filters={"category": "3"}).search
        SearchQuery.objects.filter(pk=search.pk).update(fetched_at=timezone.now())
        return products

    return make


# Every page: +1 for the bell's unread count (issue 10); the supplier page +1 and the product page +2 for the
# team's inquiries and alerts boxes. All constant, whatever the number of results.
PAGES = {
    "home": ("/", 15),
    "search": ("/products/?q=保温杯", 25),  # with queuing the 1688 fetch
    "search, filtered and sorted": ("/products/?q=保温杯&price_min=1&price_max=999&max_moq=100&sort=price", 25),
    "browse": ("/products/", 15),  # +2: where the index walk's window ends, then the ids before the cards
    "category tree": ("/categories/", 11),
    "category": ("/categories/3/", 16),  # +1: the team's 1688 fetch of the category; +3: tree ids, window, ids
    "suppliers": ("/suppliers/", 9),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_catalog_pages_take_a_constant_number_of_queries(many, client, django_assert_max_num_queries, name, n):
    path, cap = PAGES[name]
    many(n)
    with django_assert_max_num_queries(cap):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_the_count_is_the_same_for_5_and_50_results(many, client, name):
    path, _cap = PAGES[name]
    many(5)
    few = queries(client, path)
    Product.objects.all().delete()
    ProductView.objects.all().delete()
    Supplier.objects.all().delete()
    SearchQuery.objects.all().delete()
    Category.objects.filter(level=3).exclude(pk=30101).delete()
    many(50)
    # A relevance page reads its tiers (title hits, other matches, 1688-only offers) one after another and stops
    # once the page is full: fewer results can take up to two more reads, never more.
    assert queries(client, path) <= few <= queries(client, path) + 2


@pytest.mark.parametrize("n", SIZES)
def test_supplier_page_is_constant(client, alice, credential, shelf, django_assert_max_num_queries, n):
    shelf(n)
    client.force_login(alice)
    supplier = Supplier.objects.get()
    # 12 + the team's scorecard of the supplier: replies, prices (2), stock, orders, receipts (and their lines)
    with django_assert_max_num_queries(19):
        assert client.get(f"/suppliers/{supplier.pk}/").status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_product_page_is_constant_whatever_its_skus_and_price_changes(client, alice, credential, categories,
                                                                      django_assert_max_num_queries, n):  # fmt: skip
    skus = [Sku(sku_id=str(i), spec_id=str(i), price=Decimal("9.90"), stock=i,
                attributes=[SkuAttribute(name="颜色", value=f"色{i}", name_en="Color", value_en=f"C{i}", image_url="")])
            for i in range(n)]  # fmt: skip
    product = stock_product(700001, skus=skus)
    start = timezone.now() - timedelta(days=n)
    PriceHistory.objects.bulk_create(
        PriceHistory(
            product=product, at=start + timedelta(days=i), price_min=Decimal(10 + i), price_max=Decimal(12 + i)
        )
        for i in range(n)
    )
    client.force_login(alice)
    with django_assert_max_num_queries(16):  # the first view records it (one upsert, one product update)
        client.get("/products/700001/")
    # the same-item membership comes with the product; one plain query finds no inquiry or alert to read
    with django_assert_max_num_queries(14):
        page = client.get("/products/700001/")
    assert page.content.decode().count('class="dot"') == PriceHistory.objects.count()  # every change is a point


def test_a_search_reads_the_team_search_once(client, alice, credential):
    """The fetch check, the ranking and the status line share one read of the team's search (issue 20)."""
    client.force_login(alice)
    for _ in range(2):  # a search the team never ran, then one it ran
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/products/?q=保温杯").status_code == 200
        reads = [
            q["sql"] for q in captured if q["sql"].startswith("SELECT") and 'FROM "sourcing_searchquery"' in q["sql"]
        ]
        assert len(reads) == 1
        client.post("/products/fetch/", {"q": "保温杯"})
