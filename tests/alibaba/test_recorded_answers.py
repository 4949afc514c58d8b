"""The readers turn 1688's documented answers (tests/alibaba/recorded/) into the right values.

Each answer goes through the real client (error mapping included) over a stand-in HTTP session,
as if gw.open.1688.com had sent it.
"""

import copy
from decimal import Decimal

import pytest

from sourcing.alibaba import AlibabaClient, api, errors
from tests.alibaba.recorded_answers import API_NAMES, answer, source


class Response:
    def __init__(self, body, status=200):
        self.body, self.status_code = body, status

    def json(self):
        return self.body


class RecordedGateway:
    """A requests.Session stand-in answering each API with a given body (the recorded one by default)."""

    def __init__(self, **bodies):
        self.bodies = bodies
        self.headers = {}
        self.sent = []

    def post(self, url, data, timeout):
        name = url.split("/")[-2]  # .../param2/1/<namespace>/<name>/<appKey>
        self.sent.append((name, data))
        return Response(self.bodies[name] if name in self.bodies else answer(name))


def live_client(**bodies) -> tuple[AlibabaClient, RecordedGateway]:
    gateway = RecordedGateway(**bodies)
    return AlibabaClient("1000000", "test123", session=gateway), gateway


def test_every_recorded_answer_names_its_source():
    assert len(API_NAMES) >= 12
    for name in API_NAMES:
        assert "open.1688.com" in source(name) or "1688" in source(name), name


def test_keyword_search_item_without_company_and_with_a_price_range():
    client, _ = live_client()
    page = api.keyword_search(client, "tok", "保温杯", page_size=1)
    (item,) = page.items
    assert item.offer_id == "620201390233"
    assert (item.price_min, item.price_max, item.price) == (Decimal("125"), Decimal("128"), Decimal("125"))
    assert item.company_name == ""  # keywordQuery items carry no company name
    assert item.seller_open_id == ""  # nor any seller id
    assert item.seller_years == 6
    assert item.min_order_quantity == 2 and item.month_sold == 1213
    assert item.ships_within_hours == 24
    assert item.detail_url == "https://detail.1688.com/offer/620201390233.html"  # tracking parameters gone
    assert item.image_url.startswith("https://cbu01.alicdn.com/img/ibank/")


def test_paging_stops_at_the_last_item_not_at_total_page():
    client, _ = live_client()
    page = api.keyword_search(client, "tok", "保温杯", page_size=1)
    assert (page.total, page.total_pages) == (2000, 2001)  # as 1688 says it
    assert page.last_page == 2000 and page.has_next
    body = answer("product.search.keywordQuery")
    body["result"]["result"]["currentPage"] = 2000
    client, _ = live_client(**{"product.search.keywordQuery": body})
    last = api.keyword_search(client, "tok", "保温杯", page=2000, page_size=1)
    assert last.items and not last.has_next  # 2001 is past the last item


def test_totals_above_2000_page_only_through_2000():
    body = answer("product.search.keywordQuery")
    body["result"]["result"].update(totalRecords=5000, totalPage=101, pageSize=50, currentPage=40)
    body["result"]["result"]["data"] *= 50
    client, _ = live_client(**{"product.search.keywordQuery": body})
    page = api.keyword_search(client, "tok", "杯", page=40, page_size=50)
    assert page.last_page == 40 and not page.has_next


@pytest.mark.parametrize("data", [None, []])
def test_an_empty_page_or_null_data_is_the_end(data):
    body = answer("product.search.keywordQuery")
    body["result"]["result"].update(totalRecords=2000, currentPage=3, data=data)
    client, _ = live_client(**{"product.search.keywordQuery": body})
    page = api.keyword_search(client, "tok", "杯", page=3, page_size=1)
    assert page.items == [] and not page.has_next


def test_image_search_item_has_company_and_success_as_a_string():
    client, _ = live_client()
    page = api.image_search(client, "tok", "1700000000000a1b2c3d4", page_size=1)
    (item,) = page.items
    assert item.company_name == "浙江省示例商贸公司"
    assert item.price == Decimal("23.5")
    assert item.detail_url == "https://detail.1688.com/offer/710891050473.html"
    assert item.ships_within_hours == 48


def test_image_search_refusal_with_success_false_as_a_string():
    body = {"result": {"success": "false", "code": "404", "message": "imageId 不存在"}}
    client, _ = live_client(**{"product.search.imageQuery": body})
    with pytest.raises(errors.BusinessError, match="imageId"):
        api.image_search(client, "tok", "x")


def test_image_upload_gives_the_image_id():
    client, _ = live_client()
    assert api.image_upload(client, "tok", "aGVsbG8=") == "1700000000000a1b2c3d4"


def test_product_detail_reads_sales_stock_seller_and_live_value_forms():
    client, _ = live_client()
    detail = api.product_detail(client, "tok", "34513534353434")
    assert detail.sales_count == 12342  # soldOut is the sales count ...
    assert detail.out_of_stock is False and detail.sold_out is False  # ... not a sold-out flag
    assert detail.stock == 99999
    assert detail.seller_open_id == "BBBexampleOpenId012345678"
    assert detail.seller_login_id == ""  # no crossborder answer gives it
    assert detail.company_name == "杭州示例电子商务有限公司"
    assert detail.weight_kg == Decimal("200.0")
    assert detail.attributes[0].attribute_id == "2176"
    assert (detail.attributes[0].name, detail.attributes[0].value_en) == ("品牌", "Other")
    assert [t.min_quantity for t in detail.price_tiers] == [2, 10]
    assert detail.unit == "盒" and detail.unit_en == "Box"
    assert (detail.shipping_guarantee, detail.ships_within_hours) == ("shipIn24Hours", 24)
    assert detail.quote_type == 1
    assert detail.images == [
        "https://cbu01.alicdn.com/img/ibank/O1CN01example-1.jpg",
        "https://cbu01.alicdn.com/img/ibank/O1CN01example-2.jpg",
    ]
    sku = detail.skus[0]
    assert (sku.price, sku.stock, sku.attributes[0].name, sku.attributes[0].value) == (
        Decimal("18.5"),
        123,
        "颜色",
        "白色",
    )
    assert detail.detail_url == "https://detail.1688.com/offer/34513534353434.html"


@pytest.mark.parametrize(
    ("offer_stock", "sku_stocks", "expected"),
    [(0, [5, 5], True), (99999, [0, 0], True), (99999, [0, 3], False), (None, [], False), (None, [None, 0], False)],
)
def test_out_of_stock_comes_from_amount_on_sale(offer_stock, sku_stocks, expected):
    body = answer("product.search.queryProductDetail")
    raw = body["result"]["result"]
    raw["productSaleInfo"]["amountOnSale"] = offer_stock
    raw["productSkuInfos"] = [dict(copy.deepcopy(raw["productSkuInfos"][0]), amountOnSale=n) for n in sku_stocks]
    client, _ = live_client(**{"product.search.queryProductDetail": body})
    assert api.product_detail(client, "tok", "1").out_of_stock is expected


def test_product_detail_falls_back_to_the_offer_page_when_the_link_is_not_a_link():
    body = answer("product.search.queryProductDetail")
    body["result"]["result"]["promotionUrl"] = "直接跳转1688商品详情链接"
    client, _ = live_client(**{"product.search.queryProductDetail": body})
    assert api.product_detail(client, "tok", "1").detail_url == "https://detail.1688.com/offer/34513534353434.html"


def test_seller_offers_items_follow_the_smaller_model():
    client, _ = live_client()
    page = api.seller_offers(client, "tok", "BBBexampleOpenId012345678", page=2, page_size=1)
    (item,) = page.items
    assert (item.offer_id, item.price, item.subject_en) == ("2", Decimal("10"), "Handmade biscuit gift box")
    assert (item.min_order_quantity, item.top_category_id, item.company_name, item.seller_years) == (
        None,
        None,
        "",
        None,
    )
    assert item.detail_url == "https://detail.1688.com/offer/2.html"
    assert page.last_page == 2 and not page.has_next


def test_category_get_with_succes_as_a_string_and_no_level():
    client, _ = live_client()
    (women,) = api.category_get(client, 10166)
    assert (women.id, women.name, women.level, women.is_leaf, women.parent_ids) == (10166, "女装", None, False, [0])
    assert [(c.id, c.name, c.is_leaf) for c in women.children] == [(1031910, "连衣裙", True)]


def test_category_get_failure_with_succes_false_as_a_string():
    body = {"categoryInfo": [], "succes": "false", "errorMsg": "类目不存在", "errorCode": "500_1"}
    client, _ = live_client(**{"alibaba.category.get": body})
    with pytest.raises(errors.BusinessError, match="类目不存在"):
        api.category_get(client, 1)


@pytest.mark.parametrize("wrapped", [True, False])
def test_category_translation_in_both_documented_nestings(wrapped):
    body = answer("category.translation.getById")
    if not wrapped:  # the published example's own form: the category directly under `result`
        body = body["result"]
    client, _ = live_client(**{"category.translation.getById": body})
    node = api.category_translation(client, "tok", 1031910, "ja")
    assert (node.id, node.chinese_name, node.translated_name, node.level, node.is_leaf) == (
        1031910, "连衣裙", "ワンピース", 2, False,
    )  # fmt: skip
    assert node.parent_id == 10166
    assert [(c.id, c.is_leaf) for c in node.children] == [(1031911, True)]


def test_product_get_names_sku_options_from_the_attribute_list_or_by_id():
    client, _ = live_client()
    product = api.product_get(client, "tok", "557235167116")
    (sku,) = product.skus
    assert [(a.attribute_id, a.name, a.value) for a in sku.attributes] == [
        ("3216", "Option 3216", "烧焦卡其"),  # the product's attribute list does not name 3216 or 450
        ("450", "Option 450", "38"),
    ]
    assert sku.attributes[0].image_url == "https://cbu01.alicdn.com/img/ibank/2017/216/154/3972451612_420783022.jpg"
    assert sku.price is None and product.quote_type == 2  # priced by quantity only
    assert [(t.min_quantity, t.price) for t in product.price_tiers] == [(3, 258), (5, 171), (10, 161)]
    assert product.images == ["https://cbu01.alicdn.com/img/ibank/2017/992/417/3971714299_420783022.jpg"]
    assert (product.seller_login_id, product.unit, product.stock) == ("alitestforisv01", "双", 628)


def test_product_get_names_an_option_the_attribute_list_gives_and_tolerates_missing_fields():
    body = answer("alibaba.product.get")
    info = body["productInfo"]
    info["attributes"].append({"attributeID": 3216, "attributeName": "颜色", "value": "烧焦卡其", "isCustom": False})
    del info["saleInfo"]["unit"], info["shippingInfo"]["sendGoodsAddressText"], info["sellerLoginId"]
    client, _ = live_client(**{"alibaba.product.get": body})
    product = api.product_get(client, "tok", "557235167116")
    assert [a.name for a in product.skus[0].attributes] == ["颜色", "Option 450"]
    assert (product.unit, product.ship_from, product.seller_login_id) == ("", "", "alitestforisv01")


@pytest.mark.parametrize(
    "body",
    [
        {"errMsg": "只能查询自己所有的产品"},
        {"success": False, "errorCode": "500", "errMsg": "只能查询自己所有的产品"},
    ],
)
def test_product_get_refusal_is_a_typed_error_in_plain_words(body):
    client, _ = live_client(**{"alibaba.product.get": body})
    with pytest.raises(errors.NotOwnProduct) as caught:
        api.product_get(client, "tok", "1")
    assert "only for products of the connected 1688 account" in str(caught.value)
    assert "只能查询自己所有的产品" in str(caught.value)
    assert isinstance(caught.value, errors.BusinessError) and not caught.value.retryable


def test_account_basic_gives_the_connected_accounts_ids_and_shop():
    client, _ = live_client()
    me = api.account_basic(client, "tok")
    assert (me.login_id, me.member_id, me.user_id) == ("alitestforisv01", "b2b-1623492085", "1623492085")
    assert me.open_uid == "BBBexampleOpenUid01234567"
    assert (me.shop_url, me.shop_domain, me.domains) == (
        "https://alitestforisv01.1688.com", "alitestforisv01.1688.com", ["alitestforisv01.1688.com"],
    )  # fmt: skip
    assert (me.company_name, me.years) == ("AOP对外测试账号01", 0)


def test_supplier_info_by_shop_domain():
    client, gateway = live_client()
    info = api.supplier_info(client, "tok", domain="trgm66666.1688.com")
    assert gateway.sent[0][1]["domain"] == "trgm66666.1688.com"
    assert (info.login_id, info.company_name, info.shop_domain) == (
        "alitestforisv01",
        "AOP对外测试账号01",
        "trgm66666.1688.com",
    )
    assert info.cross_border_member is True and info.member_id == ""


def test_chat_link_by_open_id_and_by_login_id():
    client, gateway = live_client()
    url = api.wangwang_url_for_open_id(client, "tok", "BBBexampleOpenUid01234567")
    assert url.startswith("https://air.1688.com/")
    assert gateway.sent[-1][1]["toOpenUid"] == "BBBexampleOpenUid01234567"
    assert api.wangwang_url(client, "tok", "alitestforisv01") == url
    assert [name for name, _ in gateway.sent[-2:]] == ["loginid.openuid.encrypt", "account.wangwangUrl.get"]
    assert gateway.sent[-1][1]["toOpenUid"] == "BBBexampleOpenUid01234567"  # the encrypted id, as 1688 gave it


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://detail.1688.com/offer/1.html?fromkv=refer:ABC&kjSource=pc", "https://detail.1688.com/offer/1.html"),
        ("//detail.1688.com/offer/2.html?spm=a.b#top", "https://detail.1688.com/offer/2.html"),
        ("https://example.com/x?y=1", "https://example.com/x?y=1"),
        ("商品详情页链接", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_clean_offer_url(url, clean):
    assert api.clean_offer_url(url) == clean


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("125-128", "125", "128"), ("128-125", "125", "128"), ("12.50", "12.50", "12.50"), (9.9, "9.9", "9.9"),
     ("abc", None, None), (None, None, None), ("NaN", None, None)],
)  # fmt: skip
def test_price_range(value, low, high):
    expected = (Decimal(low) if low else None, Decimal(high) if high else None)
    assert api.price_range(value) == expected


def test_offer_page_url_is_the_fallback_contact_link():
    assert api.offer_page_url(710891050473) == "https://detail.1688.com/offer/710891050473.html"
    assert api.offer_page_url("../x") == ""


# --- Buying: the published examples read into yuan amounts ---
HANGZHOU = api.ShipTo(full_name="张三", mobile="15251667788", province="浙江省", city="杭州市", district="滨江区",
                      street="网商路699号")  # fmt: skip


def test_order_preview_example_reads_fen_as_yuan():
    client, gateway = live_client()
    preview = api.order_preview(client, "tok", HANGZHOU, [api.CargoLine("548818919805", "eb81c61d", 2)])
    assert (preview.total, preview.freight, preview.goods) == (Decimal("44"), Decimal("8"), Decimal("36"))
    assert preview.orderable and preview.flow == "general" and preview.trade_types == ["nzassure"]
    (line,) = preview.lines
    assert (line.unit_price, line.amount, line.sku_id, line.reasons) == (
        Decimal("18"),
        Decimal("36"),
        "3332085412530",
        [],
    )
    sent = gateway.sent[-1][1]
    assert '"provinceText":"浙江省"' in sent["addressParam"] and '"quantity":2' in sent["cargoParamList"]


def test_order_preview_refusals_name_their_reasons():
    refused = copy.deepcopy(answer("alibaba.createOrder.preview"))
    cargo = refused["orderPreviewResuslt"][0]["cargoList"][0]
    cargo.update(resultCode="500_004", message="500_004: 库存不足; 500_005: 起批量")
    refused.update(success=False, errorCode="500_004", errorMsg="库存不足")
    client, _ = live_client(**{"alibaba.createOrder.preview": refused})
    preview = api.order_preview(client, "tok", HANGZHOU, [api.CargoLine("548818919805", "eb81c61d", 2)])
    assert not preview.orderable and preview.reasons == ["stock", "moq"] and preview.error_code == "500_004"
    client, _ = live_client(**{"alibaba.createOrder.preview": {"success": False, "errorCode": "500_002",
                                                                 "errorMsg": "不属于同一卖家"}})  # fmt: skip
    with pytest.raises(errors.BusinessError, match="不属于同一卖家"):
        api.order_preview(client, "tok", HANGZHOU, [api.CargoLine("1", "x", 1)])
    client, _ = live_client(**{"alibaba.createOrder.preview": {"success": True}})
    with pytest.raises(errors.MalformedResponse):
        api.order_preview(client, "tok", HANGZHOU, [api.CargoLine("1", "x", 1)])


def test_created_order_and_its_detail_and_the_list():
    client, _ = live_client()
    created = api.create_order(client, "tok", HANGZHOU, [api.CargoLine("1", "x", 1)], out_order_id="PO-1")
    assert (created.order_id, created.total) == ("87407346014789305", Decimal("1568"))
    order = api.order_detail(client, "tok", "58218860983545941")
    assert (order.order_id, order.status, order.total, order.freight) == (
        "58218860983545941", "waitbuyerreceive", Decimal("6.15"), Decimal("6"))  # fmt: skip
    assert order.paid_at.utcoffset().total_seconds() == -7 * 3600 and order.logistics_bill_nos == ["不需要物流"]
    assert order.items[0].options == [("颜色", "白色"), ("容量", "1.1L-2L")] and order.items[0].quantity == 1
    page = api.buyer_orders(client, "tok")
    assert page.total == 537 and page.orders[0].status == "cancel" and page.orders[0].discount == Decimal("39.89")
    client, _ = live_client(**{"alibaba.trade.get.buyerView": {"result": {"productItems": []}, "success": "true"}})
    with pytest.raises(errors.MalformedResponse):
        api.order_detail(client, "tok", "1")


def test_pay_links_cancel_logistics_and_freight_examples():
    client, _ = live_client()
    assert api.pay_url(client, "tok", ["1", "2"]).url.startswith("https://trade.1688.com/order/cashier.htm")
    cross = api.pay_url(client, "tok", ["1"], cross_border=True)
    assert cross.unpayable_order_ids == ["12123123", "12312222222"]
    api.cancel_order(client, "tok", "1")
    (parcel,) = api.shipments(client, "tok", "1")
    assert (parcel.status, parcel.goods) == ("SIGN", [("【茂茂回归】12.9公开-sku区间价-淘货源", "2", "个")])
    (trace,) = api.logistics_trace(client, "tok", "1")
    assert [s.remark[-2:] for s in trace.steps] == ["扫描", "签收"] and trace.steps[0].at < trace.steps[1].at
    estimate = api.freight_estimate(client, "tok", "111111111", province_code="330000", city_code="330100",
                                    district_code="330108", total=3)  # fmt: skip
    assert (estimate.freight, estimate.first_fee, estimate.unit_weight_kg) == (
        Decimal("12.3"), Decimal("2.9"), Decimal("0.15"))  # fmt: skip
    client, _ = live_client(**{"alibaba.trade.cancel": {"success": False, "errorCode": "ORDER_STATUS_ERROR",
                                                          "errorMessage": "订单状态错误"}})  # fmt: skip
    with pytest.raises(errors.BusinessError) as refused:
        api.cancel_order(client, "tok", "1")
    assert refused.value.code == "ORDER_STATUS_ERROR"
    client, _ = live_client(**{"alibaba.alipay.url.get": {"success": False, "erroMsg": "Batch pay : not surport"}})
    with pytest.raises(errors.BusinessError, match="not surport"):
        api.pay_url(client, "tok", ["1"])


def test_the_batch_inquiry_result_as_published_is_not_json_and_the_reader_says_so():
    # the published example's data string is truncated: the reader refuses it rather than guessing
    with pytest.raises(errors.MalformedResponse):
        api.read_batch_inquiry(answer("newtoncloud.batchInquiry.getResult"))
    assert api.read_batch_inquiry({"success": True, "inquiryStatus": "running"}).done is False
    assert answer("newtoncloud.task.create")["taskId"]


def test_the_related_offers_answer_reads_as_offers():
    from sourcing.alibaba.api.search import RELATED_RECOMMEND

    items = answer("product.related.recommend")["result"]["result"]
    offers = [api.read_offer(item) for item in items]
    assert [(o.offer_id, o.price, o.month_sold) for o in offers] == [("688766724221", Decimal("178.0"), 98374)]
    assert RELATED_RECOMMEND.id in source("product.related.recommend")
