"""Supplier trust end to end (docs/supplier-trust.md): years, badges, scores and the offer's rating, dropship
price and single-piece flag read from live-shaped answers, kept on the product until a detail names the
supplier, merged into the supplier then, never erased by a sparser answer, and filtered on honestly."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.models import SandboxOffer
from sourcing.alibaba import api
from sourcing.catalog.models import CatalogJob, Product, Supplier
from sourcing.catalog.selectors.products import search_products
from sourcing.catalog.selectors.trust import trust_for
from sourcing.catalog.services import fetch as catalog
from sourcing.catalog.services import offers as catalog_offers
from sourcing.catalog.services.upsert import product_upsert_detail, products_upsert_summaries
from tests.alibaba.recorded_answers import RECORDED, answer
from tests.alibaba.test_recorded_answers import live_client
from tests.catalog.conftest import detail, offer

RELAYED = RECORDED / "published" / "product.search.keywordQuery.relayed.json"


def relayed() -> dict:
    return {k: v for k, v in json.loads(Path(RELAYED).read_text(encoding="utf-8")).items() if k != "_source"}


# --- readers ---
def test_search_item_trust_from_the_documented_answer():
    client, _ = live_client()
    (item,) = api.keyword_search(client, "tok", "保温杯", page_size=1).items
    assert item.seller_years == 6 and item.seller_badges == ["实力商家"]
    assert item.seller_data["logistics"] == "4.0" and item.seller_data["after_sales"] == "4.0"
    assert item.seller_data["service"] == "4.5" and item.seller_data["repurchase"] == "11.00"
    assert (item.trade_score, item.consign_price, item.one_piece) == (Decimal("5.0"), Decimal("135"), True)


def test_a_relayed_live_answer_with_nulls_and_no_seller_data():
    client, _ = live_client(**{"product.search.keywordQuery": relayed()})
    items = {i.offer_id: i for i in api.keyword_search(client, "tok", "轮胎", page_size=20).items}
    assert len(items) == 4
    tyre = items["757430218592"]
    assert tyre.seller_badges == ["实力商家", "诚信通"] and tyre.seller_years is None  # no sellerDataInfo
    assert tyre.trade_score is None and tyre.min_order_quantity is None
    assert tyre.consign_price == Decimal("27.80") and tyre.one_piece is True
    assert items["595616270337"].consign_price == Decimal("140.0")  # "140.0", not a float
    assert items["769649076522"].seller_badges == ["诚信通"]


def test_image_search_item_trust():
    client, _ = live_client()
    (item,) = api.image_search(client, "tok", "img-1").items
    assert item.seller_years == 3 and item.seller_badges == ["诚信通"]
    assert (item.trade_score, item.consign_price, item.one_piece) == (Decimal("5.0"), Decimal("26"), True)


def test_detail_trust_from_the_documented_answer():
    client, _ = live_client()
    found = api.product_detail(client, "tok", "34513534353434")
    assert found.seller_badges == ["实力商家"]  # a seller identity as a word in offerIdentities
    assert "years" not in found.seller_data  # no tpYear in a detail's sellerDataInfo
    assert found.seller_data["consulting"] == "5.0" and found.seller_data["repurchase"] == "46.66"
    assert found.trade_score == Decimal("5.0")
    assert found.consign_price == Decimal("19")  # the lowest option's, not productSaleInfo's placeholder "1"
    assert found.one_piece is True  # tagInfoList isOnePsale


def test_strings_nulls_and_odd_values_in_a_search_item():
    body = copy.deepcopy(answer("product.search.keywordQuery"))
    item = body["result"]["result"]["data"][0]
    item.update({"tradeScore": None, "isOnePsale": "false", "sellerIdentities": ["super_factory-超级工厂", 7, None],
                 "offerIdentities": None, "priceInfo": {"price": "12", "consignPrice": None}})  # fmt: skip
    item["sellerDataInfo"] = {"tpYear": "7", "compositeServiceScore": None, "logisticsExperienceScore": "abc"}
    client, _ = live_client(**{"product.search.keywordQuery": body})
    (read,) = api.keyword_search(client, "tok", "杯", page_size=1).items
    assert read.seller_years == 7 and read.seller_badges == ["超级工厂"]
    assert read.trade_score is None and read.consign_price is None and read.one_piece is False
    assert "service" not in read.seller_data


@pytest.mark.parametrize(
    ("code", "word"),
    [("super_factory", "超级工厂"), ("super_factory-超级工厂", "超级工厂"), ("tp_member-诚信通会员", "诚信通"),
     ("诚信通会员", "诚信通"), ("源头工厂", "源头工厂"), ("powerful_merchants", "实力商家"), (True, ""), (None, "")],
)  # fmt: skip
def test_identity_codes_in_words(code, word):
    assert api.badge_word(code) == word


@pytest.mark.parametrize(("value", "score"), [("4.8", Decimal("4.8")), (5, Decimal("5.0")), ("7", None), ("", None),
                                          (None, None), ("NaN", None), ("-1", None)])  # fmt: skip
def test_ratings_are_0_to_5_or_unknown(value, score):
    assert api.read_score(value) == score


# --- upserts ---
def searched(**extra):
    values = {"seller_years": 6, "seller_badges": ["超级工厂", "诚信通"], "trade_score": Decimal("4.8"),
              "consign_price": Decimal("13.10"), "one_piece": True,
              "seller_data": {"service": "4.6", "logistics": "4.1", "dispute": "3.9", "repurchase": "11.00"}}  # fmt: skip
    values.update(extra)
    return offer(**values)


@pytest.mark.django_db
def test_a_search_item_keeps_the_trust_until_a_detail_names_the_supplier():
    # given a search item: the seller's trust but no seller id
    (product,) = products_upsert_summaries(offers=[searched()], source="sandbox")
    product.refresh_from_db()
    assert Supplier.objects.count() == 0
    assert product.seller["years"] == 6 and product.seller["badges"] == ["超级工厂", "诚信通"]
    assert (product.seller_years, product.seller_factory) == (6, True)
    trust = trust_for(product)
    assert (trust.years, trust.badges, trust.is_factory, trust.from_supplier) == (
        6,
        ("超级工厂", "诚信通"),
        True,
        False,
    )
    assert trust.service_score == Decimal("4.6") and trust.repurchase_rate == Decimal("11.00")
    assert [(s.key, s.value) for s in trust.sub_scores] == [("logistics", Decimal("4.1")), ("dispute", Decimal("3.9"))]
    assert (trust.trade_score, trust.consign_price, trust.one_piece) == (Decimal("4.8"), Decimal("13.10"), True)
    # when the detail names the supplier (its sellerDataInfo has no tpYear, its identities only 实力商家)
    product, _ = product_upsert_detail(detail=detail(), source="sandbox")
    # then the supplier row holds the merged trust: the years from the search, every identity, both scores
    supplier = Supplier.objects.get()
    assert supplier.years == 6
    assert supplier.badges == ["超级工厂", "诚信通", "实力商家"] and supplier.is_factory
    assert supplier.scores["logistics"] == "4.0" and supplier.scores["dispute"] == "3.9"  # the detail's wins
    assert supplier.service_score == Decimal("4.5")  # the detail's composite score
    trust = trust_for(Product.objects.select_related("supplier").get())
    assert trust.from_supplier and trust.years == 6 and trust.badges == ("超级工厂", "实力商家", "诚信通")
    assert trust.trade_score == Decimal("4.8")  # the detail had none: kept


@pytest.mark.django_db
def test_a_sparser_answer_never_erases_trust():
    products_upsert_summaries(offers=[searched()], source="sandbox")
    product_upsert_detail(detail=detail(), source="sandbox")
    # when a later search item and a later detail say nothing about the seller
    bare = offer(seller_years=None, repurchase_rate="", price="11.50")
    products_upsert_summaries(offers=[bare], source="sandbox")
    product_upsert_detail(detail=detail(price="11.50", seller_data={}, badges=[]), source="sandbox")
    # then nothing known is lost
    supplier = Supplier.objects.get()
    assert supplier.years == 6 and supplier.badges == ["超级工厂", "诚信通", "实力商家"]
    assert supplier.scores["dispute"] == "3.9" and supplier.service_score == Decimal("4.5")
    product = Product.objects.select_related("supplier").get()
    assert product.seller["years"] == 6 and product.seller_years == 6 and product.seller_factory is True
    assert (product.trade_score, product.consign_price, product.one_piece) == (Decimal("4.8"), Decimal("13.10"), True)


@pytest.mark.django_db
def test_a_fresh_search_item_updates_a_known_supplier_and_its_offers():
    products_upsert_summaries(offers=[searched(), searched(offer_id="700002")], source="sandbox")
    product_upsert_detail(detail=detail(), source="sandbox")
    product_upsert_detail(detail=detail(offer_id="700002"), source="sandbox")
    # when a new search shows the seller a year older and no longer a super factory
    products_upsert_summaries(offers=[searched(seller_years=7, seller_badges=["诚信通"])], source="sandbox")
    supplier = Supplier.objects.get()
    assert supplier.years == 7 and supplier.badges == ["诚信通"] and supplier.is_factory is False
    assert set(Product.objects.values_list("seller_years", "seller_factory")) == {(7, False)}


@pytest.mark.django_db
def test_bad_trust_values_are_dropped_not_stored():
    (product,) = products_upsert_summaries(
        offers=[searched(seller_years=400, trade_score=Decimal("9"), consign_price=Decimal("-3"),
                         seller_data={"service": "abc", "repurchase": "250"}, repurchase_rate="")], source="sandbox")  # fmt: skip
    product.refresh_from_db()
    assert product.seller_years is None and product.trade_score is None and product.consign_price is None
    assert "service" not in product.seller and "repurchase" not in product.seller


# --- filters ---
@pytest.mark.django_db
def test_years_and_factory_filters_count_the_offers_they_hide_for_unknown_values():
    products_upsert_summaries(offers=[
        searched(offer_id="700001", seller_years=8),  # a factory of 8 years
        searched(offer_id="700002", seller_years=2, seller_badges=["诚信通"]),  # 2 years, no factory
        searched(offer_id="700003", seller_years=None, seller_badges=["诚信通"], seller_data={}),  # years unknown
        searched(offer_id="700004", seller_years=None, seller_badges=None, seller_data={}),  # nothing known
    ], source="sandbox")  # fmt: skip

    def found(**filters):
        page = search_products("保温杯", filters, count=True)
        return sorted(p.offer_id for p in page.products), {h.name: h.count for h in page.hidden}

    assert found() == ([700001, 700002, 700003, 700004], {})
    assert found(min_years="5") == ([700001], {"min_years": 2})
    assert found(min_years="5", unknown="min_years") == ([700001, 700003, 700004], {})
    assert found(factory="1") == ([700001], {"factory": 1})  # 700003 is known not to be a factory
    assert found(factory="on", min_years="1", unknown="min_years,factory") == ([700001, 700004], {})
    page = search_products("保温杯", {"min_years": "abc"})
    assert len(page.products) == 4 and "years on 1688" in page.problems[0]


# --- the sandbox over HTTP ---
@pytest.mark.django_db(transaction=True)
def test_the_sandbox_gives_years_and_badges_that_reach_the_supplier(shop, alice):
    # when alice searches, then opens one offer
    started = catalog.search_fetch_start(user=alice, query="保温杯")
    assert CatalogJob.objects.get(pk=started.job.pk).state == CatalogJob.State.DONE
    product = Product.objects.exclude(seller={}).order_by("offer_id").first()
    source = SandboxOffer.objects.get(offer_id=product.offer_id).supplier
    assert product.seller_years == source.years and "诚信通" in product.seller["badges"]
    assert product.trade_score is not None and product.consign_price is not None and product.one_piece is not None
    catalog_offers.product_fetch_start(user=alice, offer_id=str(product.offer_id))
    # then its supplier has the years (which no detail carries), the badges and the sub-scores
    supplier = Product.objects.get(pk=product.pk).supplier
    assert supplier.years == source.years and "诚信通" in supplier.badges
    assert {"logistics", "dispute", "offer", "consulting", "after_sales"} <= set(supplier.scores)
