"""Reads for the pages: team privacy of searches and jobs, constant query counts, price at quantity."""

from decimal import Decimal

import pytest
from django.http import Http404

from sourcing.catalog.models import CatalogJob, Product, SearchQuery
from sourcing.catalog.selectors.pages import (
    category_for_page,
    category_tree,
    get_catalog_job_for_user,
    get_search_for_user,
    price_history_points,
    product_for_page,
    recently_viewed,
    search_for,
    search_history_for,
    supplier_for_page,
)
from sourcing.catalog.selectors.products import price_at_quantity, search_products, supplier_products
from sourcing.catalog.services import fetch as catalog
from sourcing.catalog.services import offers as catalog_offers
from sourcing.catalog.services.upsert import product_upsert_detail, products_upsert_summaries
from tests.catalog.conftest import detail, offer


@pytest.mark.django_db(transaction=True)
def test_search_history_is_private_to_the_team(shop, alice, bob, carol, acme):
    # given alice's credential shared with Acme; alice and bob search
    shop.shared_with_team = acme
    shop.save()
    mine = catalog.search_fetch_start(user=alice, query="保温杯")
    bobs = catalog.search_fetch_start(user=bob, query="手机壳")
    assert bobs.job.credential_id == shop.pk  # bob searched through alice's shared credential
    assert CatalogJob.objects.get(pk=bobs.job.pk).state == CatalogJob.State.DONE
    # then Acme sees both searches, carol none of them
    assert {s.query for s in search_history_for(bob)} == {"保温杯", "手机壳"}
    assert search_history_for(carol) == []
    with pytest.raises(Http404):
        get_search_for_user(carol, mine.search.pk)
    with pytest.raises(Http404):
        get_catalog_job_for_user(carol, mine.job.pk)
    assert get_search_for_user(bob, mine.search.pk) == mine.search
    assert get_catalog_job_for_user(bob, mine.job.pk) == mine.job
    assert search_for(carol, "保温杯") is None and search_for(bob, "保温杯") == mine.search
    # the products themselves are public
    assert {p.offer_id for p in search_products("保温杯", user=carol).products} == set(
        SearchQuery.objects.get(pk=mine.search.pk).offer_ids
    )
    # carol's own search of the same words is a separate row of Globex, never merged with Acme's
    catalog.search_fetch_start(user=carol, query="保温杯")
    assert SearchQuery.objects.filter(query="保温杯").count() == 2
    assert [s.team_id for s in search_history_for(carol)] == [carol.current_team_id]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["abc", "-1", "", "1" * 40, "1/2", None, "٣"])
def test_malformed_ids_read_as_missing(bad, alice):
    assert product_for_page(bad) is None and supplier_for_page(bad) is None and category_for_page(bad) is None
    with pytest.raises(Http404):
        get_search_for_user(alice, bad)
    with pytest.raises(Http404):
        get_catalog_job_for_user(alice, bad)


@pytest.mark.django_db
def test_product_page_reads_take_a_constant_number_of_queries(django_assert_max_num_queries):
    for skus in (2, 40):
        offer_id = str(800000 + skus)
        product, _ = product_upsert_detail(detail=detail(offer_id), source="sandbox")
        product_upsert_detail(detail=detail(offer_id, price="11"), source="sandbox")
        with django_assert_max_num_queries(3):
            page = product_for_page(offer_id)
            _ = [s.label for s in page.skus.all()], page.category.parent, page.supplier.company_name
            points = price_history_points(page)
        assert [p.price_min for p in points] == [Decimal("12.50"), Decimal("11.00")]


@pytest.mark.django_db
def test_category_supplier_and_recent_reads_are_constant(alice, django_assert_max_num_queries):
    product, _ = product_upsert_detail(detail=detail(), source="sandbox")
    products_upsert_summaries(offers=[offer(str(900000 + i), subject=f"杯子 {i}") for i in range(30)], source="sandbox")
    for p in Product.objects.all()[:20]:
        catalog_offers.product_view_record(user=alice, product=p)
    with django_assert_max_num_queries(3):
        tree = category_tree()
        _ = [(c.display_name, [(s.display_name, [g.pk for g in s.children.all()]) for s in c.children.all()])
             for c in tree]  # fmt: skip
    assert [c.pk for c in tree] == [3] and tree[0].children.all()[0].pk == 301
    # result pages rank ids, then read what a result card shows (CARD_PRODUCT_FIELDS), the supplier's included
    # the category tree's ids, where the sales index's walk window ends, the page's ids, their cards
    with django_assert_max_num_queries(4):
        page = search_products("", {"category": "3"}, limit=50)
        _ = [(p.display_title, p.price_min, p.fetched_at, p.supplier and p.supplier.badges) for p in page.products]
    assert len(page.products) == 31
    with django_assert_max_num_queries(3):  # the walk window's end, the ranking (ids by the sort index), the cards
        page = supplier_products(product.supplier)
        _ = [(p.display_title, p.supplier.company_name) for p in page.products]
    assert [p.offer_id for p in page.products] == [product.offer_id]
    with django_assert_max_num_queries(1):
        recent = recently_viewed(alice, limit=8)
        _ = [(p.category, p.supplier) for p in recent]
    assert len(recent) == 8


@pytest.mark.django_db
def test_price_at_quantity_applies_tiers_and_the_minimum_order():
    product, _ = product_upsert_detail(
        detail=detail(price="10", quote_type=0), source="sandbox"
    )  # tiers: 2+ ¥12, 100+ ¥10
    quote = price_at_quantity(product, "150")
    assert (quote.unit_price, quote.total, quote.tier_min_quantity, quote.below_moq) == (
        Decimal("10"), Decimal("1500.00"), 100, False)  # fmt: skip
    quote = price_at_quantity(product, 99)
    assert (quote.unit_price, quote.total) == (Decimal("12"), Decimal("1188.00"))
    quote = price_at_quantity(product, 1)
    assert (
        quote.below_moq and quote.quantity == 2 and quote.total == Decimal("24.00") and "minimum order" in quote.message
    )
    for bad in ("abc", "-3", "1e9", "", None, "99999999999"):
        quote = price_at_quantity(product, bad)
        assert quote.quantity == 2 and quote.message
