"""Search over Chinese and English titles (design.md §5). CI runs this module on PostgreSQL and on SQLite."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcing.alibaba.api import ProductAttribute
from sourcing.catalog.selectors.products import search_products
from sourcing.catalog.services.upsert import product_upsert_detail, products_upsert_summaries
from tests.catalog.conftest import detail, offer

pytestmark = pytest.mark.django_db

TITLES = [
    # offer id, Chinese title, English title, month sold
    (1, "不锈钢保温杯 大容量 男女学生", "stainless steel vacuum cup", 50),
    (2, "玻璃杯子 家用 耐热", "heat-resistant glass cups", 40),
    (3, "手机壳 适用苹果15 硅胶防摔", "silicone phone case", 30),
    (4, "手机支架 桌面懒人支架", "desktop phone stand", 20),
    (5, "智能手表 运动机芯 防水", "smart watch", 900),  # 手 and 机 but never 手机
    (6, "铝合金笔记本电脑支架 散热", "aluminium laptop stand", 10),
    (7, "桌面收纳盒 多层", "desktop storage box", 5),
]


@pytest.fixture
def products():
    offers = [offer(str(i), subject=zh, subject_en=en, month_sold=sold) for i, zh, en, sold in TITLES]
    products_upsert_summaries(offers=offers, source="sandbox")
    # A stand that only mentions phones in its attributes, and sells more than the phone stand (4).
    product_upsert_detail(
        detail=detail("8", subject="折叠桌面支架 平板通用", subject_en="folding tablet holder",
                      attributes=[ProductAttribute(name="适用", value="手机 平板", name_en="For", value_en="phone")]),
        source="sandbox",
    )  # fmt: skip
    products_upsert_summaries(offers=[offer("8", subject="折叠桌面支架 平板通用", subject_en="folding tablet holder",
                                            month_sold=5000)], source="sandbox")  # fmt: skip


def ids(page):
    return [p.offer_id for p in page.products]


def test_one_chinese_character_finds_every_title_with_it(products):
    assert set(ids(search_products("杯"))) == {1, 2}


def test_two_chinese_characters_match_as_a_word_not_as_scattered_characters(products):
    found = ids(search_products("手机"))
    assert set(found) == {3, 4, 8}
    assert 5 not in found  # 智能手表 运动机芯 has 手 and 机, not 手机


def test_title_hits_rank_above_attribute_hits(products):
    found = ids(search_products("手机"))
    assert found.index(8) == 2  # sells the most but only its attributes say 手机
    assert ids(search_products("手机支架")) == [4]


def test_longer_chinese_queries_need_every_pair(products):
    assert ids(search_products("保温杯")) == [1]
    assert ids(search_products("笔记本电脑支架")) == [6]
    assert ids(search_products("保温手机")) == []


def test_english_queries_match_english_titles(products):
    assert ids(search_products("laptop stand")) == [6]
    assert ids(search_products("Phone")) == [3, 4, 8]  # case-insensitive; 8 only by its attributes
    assert set(ids(search_products("cups"))) == {1, 2}  # plural and singular
    assert ids(search_products("ＬＡＰＴＯＰ")) == [6]  # full-width letters


def test_mixed_chinese_and_english(products):
    assert ids(search_products("手机 case")) == [3]


def test_keyset_pages_cover_everything_once(products):
    seen, cursor, pages = [], None, 0
    while True:
        page = search_products("", {"sort": "sales"}, after=cursor, limit=3)
        seen += ids(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 8 and len(set(seen)) == 8
    assert seen[:2] == [8, 5]  # best sellers first


@pytest.mark.parametrize("sort", ["relevance", "price", "price_desc", "sales", "newest"])
def test_every_sort_pages_without_repeats(products, sort):
    seen, cursor = [], None
    for _ in range(10):
        page = search_products("", {"sort": sort}, after=cursor, limit=2)
        seen += ids(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == list(range(1, 9))


def test_bad_cursors_restart_and_a_page_past_the_end_is_empty(products):
    assert ids(search_products("杯", after="not-a-cursor")) == ids(search_products("杯"))
    assert ids(search_products("杯", after="W10=")) == ids(search_products("杯"))
    last = search_products("", {"sort": "price"}, limit=8)
    assert last.next_cursor is None
    first = search_products("", {"sort": "price"}, limit=7)
    beyond = search_products("", {"sort": "price"}, after=first.next_cursor, limit=7)
    assert len(beyond.products) == 1 and beyond.next_cursor is None


@pytest.mark.parametrize("forged", ["NaN", "Infinity", "-Infinity", "1e999", 1e308])
def test_a_forged_price_cursor_restarts_instead_of_failing(products, forged):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps(["price", [forged, 1]]).encode()).decode()
    assert ids(search_products("", {"sort": "price"}, after=cursor)) == ids(search_products("", {"sort": "price"}))


def test_no_count_and_a_constant_number_of_queries(products):
    for limit in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            search_products("支架", {"sort": "price"}, limit=limit)
        assert len(queries) == 3  # where the price index's walk window ends, the page's ids, then their cards
        assert not any("COUNT(" in query["sql"].upper() for query in queries)


@pytest.mark.parametrize(
    "raw",
    [
        {"price_min": "NaN"}, {"price_min": "-5"}, {"price_max": "²"}, {"price_max": "1e20"}, {"price_min": "abc"},
        {"price_max": "99999999999999999999"}, {"max_moq": "-1"}, {"max_moq": "2.5"}, {"category": "x"},
        {"category": "-3"}, {"sort": "bogus"}, {"price_min": "Infinity"},
    ],
)  # fmt: skip
def test_absurd_filters_are_dropped_with_plain_words(products, raw):
    page = search_products("杯", raw)
    assert set(ids(page)) == {1, 2}
    assert page.problems and all(isinstance(p, str) for p in page.problems)


def test_good_filters_apply(products):
    Decimal_ = Decimal
    page = search_products("", {"price_min": "10", "price_max": "13", "max_moq": "5"})
    assert page.problems == [] and len(page.products) == 8
    assert page.filters.price_min == Decimal_("10.00")
    assert ids(search_products("", {"category": "301"})) != []  # a parent category includes its leaves
    assert ids(search_products("", {"category": "999"})) == []
    swapped = search_products("", {"price_min": "20", "price_max": "1"})
    assert swapped.filters.price_min == Decimal_("1.00") and swapped.problems
    assert ids(search_products("", {"province": "浙江"})) == [8]  # only the detail named the seller's province


def test_empty_huge_and_symbol_only_queries(products):
    assert len(search_products("").products) == 8
    assert len(search_products("   ").products) == 8
    page = search_products("杯" * 5000)
    assert page.products == [] and len(page.query) <= 100
    symbols = search_products("!!! ???")
    assert symbols.problems and len(symbols.products) == 8
    assert search_products("a" * 100000).products == []


def test_each_database_searches_its_own_way(products):
    with CaptureQueriesContext(connection) as queries:
        search_products("手机")
    sql = " ".join(query["sql"] for query in queries)
    if connection.vendor == "postgresql":  # the tsvector under its GIN index, whatever the server's locale
        # the operator where the GIN index should find rows, its function where each row of a window is tested
        assert ("@@" in sql or "ts_match_vq(" in sql) and "::tsquery" in sql and "instr(" not in sql
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN SELECT id FROM sourcing_product WHERE search_vector @@ %s::tsquery", ["'手机'"])
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "product_search_vector_gin" in plan
    else:
        assert "instr(" in sql and "@@" not in sql
