"""Supplier trust on the pages: years on 1688, badges, scores and the offer's rating, dropship price and
single-piece flag on result cards, the product page and the supplier page; the years/factory filters say how
many offers they hid for an unknown value and include them in one click."""

import re
from decimal import Decimal

import pytest

from sourcing.alibaba.api import OfferSummary
from sourcing.catalog.services.upsert import products_upsert_summaries
from tests.catalog.pages.conftest import LEAF, MIDDLE, TOP, page_html, page_text, stock_product

pytestmark = pytest.mark.django_db


def found(offer_id, *, years=6, badges=("超级工厂", "诚信通"), seller_data=None, **extra) -> OfferSummary:
    """A search item as keywordQuery gives it: the seller's trust, no seller id."""
    values = {
        "offer_id": str(offer_id), "subject": "不锈钢保温杯 大容量", "subject_en": "stainless steel vacuum cup",
        "image_url": f"https://img.example/{offer_id}.png", "price": Decimal("12.50"), "min_order_quantity": 2,
        "month_sold": 100, "repurchase_rate": "", "top_category_id": TOP, "second_category_id": MIDDLE,
        "third_category_id": LEAF, "seller_years": years, "company_name": "", "price_min": Decimal("12.50"),
        "price_max": Decimal("12.50"), "detail_url": f"https://detail.1688.com/offer/{offer_id}.html",
        "seller_badges": list(badges) if badges is not None else None, "trade_score": Decimal("4.8"),
        "consign_price": Decimal("13.10"), "one_piece": True,
        "seller_data": {"service": "4.6", "logistics": "4.1", "after_sales": "3.8", "repurchase": "23"}
        if seller_data is None else seller_data,
    }  # fmt: skip
    values.update(extra)
    return OfferSummary(**values)


def cards(response) -> list[str]:
    return re.findall(r'class="pcard-link" href="/products/(\d+)/"', page_html(response))


def test_a_card_shows_years_badges_rating_and_single_pieces_from_a_search_item(client, alice, categories):
    # given an offer known only from a search (no supplier yet)
    products_upsert_summaries(offers=[found(700001)], source="sandbox")
    client.force_login(alice)
    # when alice searches
    page = page_text(client.get("/products/?q=保温杯"))
    # then its card shows the seller's years and badges and the offer's rating
    for shown in ("超级工厂", "诚信通", "6 yrs", "★ 4.8", "1 pc OK"):
        assert shown in page, shown


def test_the_product_page_shows_the_search_trust_before_the_supplier_is_known(client, alice, categories):
    products_upsert_summaries(offers=[found(700001)], source="sandbox")
    client.force_login(alice)
    page = page_text(client.get("/products/700001/"))
    for shown in ("On 1688 6 years 6年", "Verified factory", "4.6 / 5", "23 %", "物流体验 Logistics 4.1",
                  "售后体验 After-sales 3.8", "超级工厂", "From a 1688 search result", "Offer rating ★ 4.8 / 5",
                  "Dropship price ¥13.10 代发价", "Ships one piece 一件代发"):  # fmt: skip
        assert shown in page, shown


def test_product_and_supplier_pages_show_the_merged_trust_after_the_detail(client, alice, categories):
    # given the search item, then the detail that names the supplier (no tpYear in a detail)
    products_upsert_summaries(offers=[found(700001)], source="sandbox")
    product = stock_product(700001)
    client.force_login(alice)
    # then both pages show the years from the search and every badge
    for url in ("/products/700001/", f"/suppliers/{product.supplier_id}/"):
        page = page_text(client.get(url))
        for shown in ("6 years", "超级工厂", "实力商家", "诚信通", "Verified factory", "4.5 / 5", "物流体验 Logistics 4.0",
                      "售后体验 After-sales 3.8"):  # fmt: skip
            assert shown in page, (url, shown)
        assert "From a 1688 search result" not in page


def test_unknown_trust_says_not_known_yet_never_zero(client, alice, categories):
    products_upsert_summaries(offers=[found(700001, years=None, badges=None, seller_data={})], source="sandbox")
    stock_product(700002, seller_data={}, badges=[])
    client.force_login(alice)
    page = page_text(client.get("/products/700002/"))
    assert "On 1688 not known yet" in page and "Factory not known yet" in page
    assert "Service score not known yet" in page and "Repurchase rate not known yet" in page
    assert "0 yrs" not in page_text(client.get("/products/?q=保温杯"))


def test_the_years_filter_counts_hidden_offers_and_includes_them_in_one_click(client, alice, categories):
    products_upsert_summaries(offers=[found(700001, years=8), found(700002, years=2),
                                      found(700003, years=None), found(700004, years=None)], source="sandbox")  # fmt: skip
    client.force_login(alice)
    response = client.get("/products/", {"q": "保温杯", "min_years": "5"})
    assert cards(response) == ["700001"]
    assert "2 offers hidden: their supplier's years on 1688 are not known yet." in page_text(response)
    include = re.search(r'<a href="([^"]*unknown=min_years[^"]*)">Show them</a>', page_html(response)).group(1)
    assert "min_years=5" in include.replace("&amp;", "&")
    included = client.get(include.replace("&amp;", "&"))
    assert sorted(cards(included)) == ["700001", "700003", "700004"]
    assert "Hide them" in page_text(included)


def test_the_factory_filter_and_its_form(client, alice, categories):
    products_upsert_summaries(offers=[found(700001), found(700002, badges=["诚信通"])], source="sandbox")
    client.force_login(alice)
    response = client.get("/products/", {"q": "保温杯", "factory": "1"})
    assert cards(response) == ["700001"]
    html = page_html(response)
    assert 'name="factory" value="1" checked' in html and 'name="min_years"' in html
    assert "hidden" not in page_text(response)  # nothing hidden: 700002 is known not to be a factory


@pytest.mark.parametrize("years", ["abc", "-1", "9999", "1e3", "五"])
def test_a_nonsense_years_value_is_ignored_and_said(client, alice, categories, years):
    products_upsert_summaries(offers=[found(700001)], source="sandbox")
    client.force_login(alice)
    response = client.get("/products/", {"q": "保温杯", "min_years": years})
    assert response.status_code == 200 and cards(response) == ["700001"]
    assert "Ignored the years on 1688" in page_text(response)
