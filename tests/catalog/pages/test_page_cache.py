"""Pages served from the `pages` cache (rendered cards and product-page fragments, which products a search shows,
the category menu, the bell) show a change on the very next view, and still work when Redis is away."""

import time

import pytest
from django.test import override_settings
from django.utils import timezone

from sourcing.alerts.models import Notification
from sourcing.catalog.models import Category, Product, ProductView, SearchQuery
from sourcing.catalog.search import SearchRequest
from sourcing.catalog.services.suppliers import supplier_upsert
from sourcing.catalog.services.upsert import product_mark_status
from sourcing.lists.services import item_add, item_remove, list_create
from tests.catalog.pages.conftest import LEAF, stock_product

# The suite's `pages` cache is Redis when REDIS_URL is set and a no-op without; these tests need a real one either way.
LOCAL_PAGES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_pages")]


@pytest.fixture
def local_pages():
    from django.core.cache import caches

    with override_settings(CACHES=LOCAL_PAGES):
        for cache in caches.all(initialized_only=False):
            cache.clear()
        yield


def search(client, q="保温杯") -> str:
    response = client.get("/products/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_a_changed_price_shows_on_the_next_search(client, alice, shelf):
    (cup,) = shelf(1)
    client.force_login(alice)
    assert "¥10.00–11.00" in search(client)  # the card's price range (its two SKUs)
    stock_product(cup.offer_id, price="8.80")  # a worker stores a new detail
    page = search(client)
    assert "¥8.80–9.80" in page and "¥10.00" not in page


def test_a_removed_product_leaves_the_next_search_and_a_new_one_joins_within_the_cache_time(client, alice, shelf):
    first, _second = shelf(2)
    client.force_login(alice)
    with override_settings(CATALOG_RESULTS_CACHE_SECONDS=1):
        assert search(client).count('<li class="pcard') == 2
        product_mark_status(product=first, status=Product.Status.NOT_FOUND)  # an UPDATE, no model signal
        page = search(client)  # the cached ranking still names it; its fresh row says it is gone
        assert page.count('<li class="pcard') == 1 and f"/products/{first.offer_id}/" not in page
        stock_product(700010, subject="保温杯 新款")  # saved by a worker: a new match for everyone
        time.sleep(1.1)  # no save retires cached rankings: the new match waits out CATALOG_RESULTS_CACHE_SECONDS
        page = search(client)
    assert page.count('<li class="pcard') == 2 and "/products/700010/" in page


def test_a_teams_own_fetch_shows_its_new_offers_at_once(client, alice, acme, shelf):
    shelf(1)
    client.force_login(alice)
    assert search(client).count('<li class="pcard') == 1
    stock_product(700010, subject="保温杯 新款")
    SearchQuery.objects.create(team=acme, key=SearchRequest.of("保温杯").key, query="保温杯", offer_ids=[700010],
                               last_searched_at=timezone.now())  # fmt: skip
    assert search(client).count('<li class="pcard') == 2  # the team's search is part of the page's identity


def test_a_suppliers_new_badge_shows_on_the_next_search(client, alice, shelf):
    (cup,) = shelf(1)
    client.force_login(alice)
    badge = 'badge-trust" lang="zh">源头工厂<'  # on the card (the filter form names it too)
    assert badge not in search(client)
    supplier_upsert(open_id=cup.supplier.open_id, values={"badges": ["源头工厂"]}, source="sandbox")  # only the seller
    assert badge in search(client)


def test_saving_to_a_list_marks_the_card_at_once(client, alice, bob, acme, shelf):
    (cup,) = shelf(1)
    client.force_login(bob)
    assert "★ Saved" not in search(client)
    spring = list_create(actor=alice, team=acme, name="Spring range")  # a teammate, elsewhere
    item, _created = item_add(actor=alice, product_list=spring, product=cup, target_quantity=100)
    page = search(client)
    assert "★ Saved" in page and "✓ Spring range" in page
    item_remove(actor=alice, item=item)
    assert "★ Saved" not in search(client)


def test_a_new_category_shows_in_the_search_menu(client, alice, shelf):
    shelf(1)
    client.force_login(alice)
    assert "砂锅" not in search(client)
    Category.objects.create(id=302, parent_id=3, name="砂锅", level=2)
    assert '<option value="302">　砂锅</option>' in search(client)


def test_the_bell_counts_a_new_notification_at_once(client, alice, acme, shelf):
    (cup,) = shelf(1)
    client.force_login(alice)
    assert 'class="bell-count"' not in client.get("/").content.decode()
    Notification.objects.create(user=alice, team=acme, product=cup, text="价格下降")
    assert '<span class="bell-count">1</span>' in client.get("/").content.decode()
    client.get("/notifications/")  # reading them marks them read
    assert 'class="bell-count"' not in client.get("/").content.decode()


def test_the_product_page_shows_new_stock_and_options_at_once(client, alice, cup):
    client.force_login(alice)
    url = f"/products/{cup.offer_id}/"
    assert "250" in client.get(url).content.decode()  # 500 pieces over two options
    stock_product(cup.offer_id, stock=80)
    page = client.get(url).content.decode()
    assert ">40<" in page and ">250<" not in page


@override_settings(CACHES={**LOCAL_PAGES, "pages": {"BACKEND": "portal.cache.PageCache",
                                                    "LOCATION": "redis://127.0.0.1:9/0"}})  # fmt: skip
def test_pages_work_with_the_cache_server_away(client, alice, shelf, caplog):
    (cup,) = shelf(1)
    client.force_login(alice)
    assert f"/products/{cup.offer_id}/" in search(client)
    assert client.get(f"/products/{cup.offer_id}/").status_code == 200
    assert client.get(f"/categories/{LEAF}/").status_code == 200
    assert "page cache unavailable" in caplog.text
    assert ProductView.objects.filter(user=alice, product=cup).exists()  # the view was still recorded
