"""The readers on sparse answers: strings for numbers, nulls anywhere, fields missing; unknown is None, never 0."""

from decimal import Decimal

import pytest

from sandbox.models import SandboxOffer
from sourcing.alibaba import api


@pytest.fixture
def sparse_answers(settings, sandbox_app):
    settings.SANDBOX_ANSWER_PROFILE = "sparse"
    return sandbox_app


def test_sparse_search_items_read_right_or_unknown(sparse_answers, client_1688, tokens, catalog):
    # when every offer with 杯 in its title is read from the sparse sandbox
    truth = {o.offer_id: o for o in SandboxOffer.objects.filter(subject__contains="杯")}
    page = api.keyword_search(client_1688, tokens.access_token, "杯", page_size=50)
    assert {int(i.offer_id) for i in page.items} == set(truth)
    # then each value is either 1688's right value or unknown (None), never a made-up 0
    for item in page.items:
        offer = truth[int(item.offer_id)]
        assert item.min_order_quantity in (None, offer.min_order_quantity)
        assert item.third_category_id in (None, offer.category_id)
        assert item.month_sold == offer.month_sold  # sometimes a string on the wire
        assert item.price is not None and item.price > 0
        assert item.detail_url.startswith(f"https://detail.1688.com/offer/{offer.offer_id}")
    # and the answers are sparse for some offers, not all
    assert 0 < sum(i.min_order_quantity is None for i in page.items) < len(page.items)


def test_sparse_details_read_right_or_unknown(sparse_answers, client_1688, tokens, catalog):
    offers = list(SandboxOffer.objects.select_related("category", "supplier").order_by("offer_id")[:24])
    details = [api.product_detail(client_1688, tokens.access_token, str(o.offer_id)) for o in offers]
    for offer, detail in zip(offers, details, strict=True):
        assert detail.category_id == offer.category_id  # sometimes a string on the wire
        assert detail.category_name in ("", offer.category.name)
        assert detail.company_name in ("", offer.supplier.company_name)
        assert detail.unit in ("", offer.unit)
        assert detail.min_order_quantity == offer.min_order_quantity
        assert detail.price_tiers and all(t.price > 0 and t.min_quantity >= 1 for t in detail.price_tiers)
        assert detail.stock is not None
    assert any(d.category_name == "" for d in details) and any(d.category_name for d in details)
    assert any(d.unit == "" for d in details) and any(d.sales_count is None for d in details)


def test_nulls_and_strings_anywhere_never_break_a_reader():
    # given answers whose every field is null, and one whose numbers are all strings
    nulls = {key: None for key in ("offerId", "subject", "subjectTrans", "imageUrl", "priceInfo", "minOrderQuantity",
                                   "monthSold", "repurchaseRate", "topCategoryId", "sellerDataInfo", "createDate",
                                   "productSimpleShippingInfo", "promotionURL", "sellerIdentities")}  # fmt: skip
    item = api.read_offer(nulls)
    assert (item.price, item.min_order_quantity, item.month_sold, item.top_category_id) == (None, None, None, None)
    detail = api.read_detail(
        {
            "offerId": "1",
            "categoryId": " 10030101 ",
            "productAttribute": None,
            "productShippingInfo": None,
            "companyName": None,
            "soldOut": None,
            "productSkuInfos": [{"skuId": None, "price": None, "amountOnSale": "12", "skuAttributes": None}],
            "productSaleInfo": {
                "amountOnSale": "1200",
                "quoteType": "1",
                "unitInfo": None,
                "priceRangeList": [{"startQuantity": "2", "price": "13.50"}, {"startQuantity": None, "price": None}],
            },
            "minOrderQuantity": "2",
        }  # fmt: skip
    )
    assert detail.category_id == 10030101 and detail.stock == 1200 and detail.quote_type == 1
    assert detail.price_tiers == [api.PriceTier(2, Decimal("13.50"))]
    assert detail.skus[0].stock == 12 and detail.skus[0].price is None
    assert (detail.unit, detail.company_name, detail.sales_count, detail.attributes) == ("", "", None, [])
