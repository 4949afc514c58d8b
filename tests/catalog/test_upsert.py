"""Upserts: idempotent by offer id, unchanged content skipped by hash, price history only on change,
delisted and vanished offers keep their last good data."""

import dataclasses
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcing.catalog.models import Category, PriceHistory, Product, Sku, Supplier
from sourcing.catalog.services.upsert import product_mark_status, product_upsert_detail, products_upsert_summaries
from tests.catalog.conftest import detail, offer

pytestmark = pytest.mark.django_db


def test_summary_upsert_is_idempotent_and_skips_unchanged_content():
    # given
    first = products_upsert_summaries(offers=[offer(), offer("700002", subject="手机壳")], source="sandbox")
    stamp = Product.objects.get(offer_id=700001).summary_fetched_at
    # when the same page arrives again
    with CaptureQueriesContext(connection) as queries:
        again = products_upsert_summaries(offers=[offer(), offer("700002", subject="手机壳")], source="sandbox")
    # then no row is added or rewritten: one read, the category check and one stamp UPDATE
    assert [p.pk for p in again] == [p.pk for p in first]
    assert Product.objects.count() == 2
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len([w for w in writes if "sourcing_product" in w]) == 1
    assert "summary_fetched_at" in writes[-1]
    assert Product.objects.get(offer_id=700001).summary_fetched_at > stamp
    assert PriceHistory.objects.count() == 2  # one first price each, none for the repeat


def test_category_chain_is_created_for_search_items():
    products_upsert_summaries(offers=[offer()], source="sandbox")
    leaf = Category.objects.get(pk=30101)
    assert leaf.parent_id == 301 and leaf.parent.parent_id == 3
    assert Product.objects.get().category_id == 30101


def test_detail_upsert_writes_skus_supplier_and_skips_unchanged():
    # given
    product, changed = product_upsert_detail(detail=detail(), source="sandbox")
    assert changed
    assert product.skus.count() == 2
    assert product.price_min == Decimal("12.50") and product.price_max == Decimal("13.50")
    assert product.price_tiers == [{"min_quantity": 2, "price": "14.50"}, {"min_quantity": 100, "price": "12.50"}]
    supplier = Supplier.objects.get()
    assert (supplier.open_id, supplier.province, supplier.city) == ("BBBseller0000000000000001", "浙江省", "金华市")
    assert supplier.service_score == Decimal("4.5") and supplier.repurchase_rate == Decimal("46.66")
    assert supplier.badges == ["实力商家"]
    assert product.province == "浙江省"
    # when the same detail is fetched again
    _product, changed = product_upsert_detail(detail=detail(), source="sandbox")
    # then nothing but the stamp changes
    assert not changed
    assert Sku.objects.count() == 2 and Product.objects.count() == 1 and PriceHistory.objects.count() == 1


def test_a_sku_the_seller_removed_goes_and_the_others_stay():
    product, _changed = product_upsert_detail(detail=detail(), source="sandbox")
    kept = product.skus.get(sku_id="70000101")
    white = detail(stock=400)
    product_upsert_detail(detail=dataclasses.replace(white, skus=white.skus[:1]), source="sandbox")
    assert list(product.skus.values_list("pk", "sku_id", "stock")) == [(kept.pk, "70000101", 200)]


def test_a_category_known_by_id_alone_gets_its_name_and_then_its_place():
    # a detail names its category without the chain above it
    product_upsert_detail(detail=detail(), source="sandbox")
    category = Category.objects.get(pk=30101)
    assert (category.name, category.level, category.parent_id) == ("保温杯", None, None)
    # a search item then brings the chain
    products_upsert_summaries(offers=[offer("700002")], source="sandbox")
    category.refresh_from_db()
    assert (category.name, category.level, category.parent_id) == ("保温杯", 3, 301)
    # and the next detail neither renames it nor moves it
    product_upsert_detail(detail=detail(category_name="别的名字", subject="不锈钢保温杯 新款"), source="sandbox")
    category.refresh_from_db()
    assert (category.name, category.level, category.parent_id) == ("保温杯", 3, 301)


def test_price_history_row_only_when_price_or_stock_changes():
    product_upsert_detail(detail=detail(price="12.50", stock=500), source="sandbox")
    product_upsert_detail(detail=detail(price="12.50", stock=500, subject="不锈钢保温杯 新款"), source="sandbox")
    assert PriceHistory.objects.count() == 1  # the title changed, the price did not
    product_upsert_detail(detail=detail(price="11.00", stock=500), source="sandbox")
    product_upsert_detail(detail=detail(price="11.00", stock=420), source="sandbox")
    rows = list(PriceHistory.objects.order_by("at", "pk").values_list("price_min", "stock"))
    assert rows == [(Decimal("12.50"), 500), (Decimal("11.00"), 500), (Decimal("11.00"), 420)]
    # a search summary with the same price range ("11.00-12.00") adds nothing
    products_upsert_summaries(offers=[offer(price="11.00", price_max=Decimal("12.00"))], source="sandbox")
    assert PriceHistory.objects.count() == 3


def test_a_summary_does_not_erase_the_detail():
    product_upsert_detail(detail=detail(), source="sandbox")
    products_upsert_summaries(offers=[offer(company_name="", subject_en="")], source="sandbox")
    product = Product.objects.get()
    assert product.skus.count() == 2 and product.stock == 500
    assert product.title_en == "stainless steel vacuum cup"  # an empty value never erases a known one
    assert product.company_name == "义乌示例日用品厂"


def test_delisted_offer_keeps_its_last_good_data():
    product_upsert_detail(detail=detail(), source="sandbox")
    product, changed = product_upsert_detail(detail=detail(status="expired", subject="", price="99"), source="sandbox")
    assert changed
    product.refresh_from_db()
    assert product.status == Product.Status.DELISTED
    assert product.title == "不锈钢保温杯 大容量" and product.price_min == Decimal("12.50")
    assert product.skus.count() == 2
    # back on sale: active again
    product, _changed = product_upsert_detail(detail=detail(), source="sandbox")
    assert product.status == Product.Status.ACTIVE


def test_not_found_marks_status_only():
    product, _changed = product_upsert_detail(detail=detail(), source="sandbox")
    assert product_mark_status(product=product, status=Product.Status.NOT_FOUND)
    assert not product_mark_status(product=product, status=Product.Status.NOT_FOUND)
    product.refresh_from_db()
    assert product.status == Product.Status.NOT_FOUND and product.title and product.skus.count() == 2


def test_malformed_offer_ids_and_absurd_numbers_are_dropped():
    products = products_upsert_summaries(
        offers=[offer("abc"), offer("-5"), offer("9" * 25), offer("700009", price="1e999"), offer("700010")],
        source="sandbox",
    )
    assert [p.offer_id for p in products] == [700009, 700010]
    assert Product.objects.get(offer_id=700009).price_min is None  # an unreadable price is unknown, not an error
