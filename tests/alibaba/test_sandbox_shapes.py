"""The sandbox answers in live shapes: no field path that 1688's recorded answer lacks, and the
awkward live values (sales counts, ranges, relative images, capped paging) read correctly."""

import base64
import io
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from sandbox import apis as sandbox_apis
from sandbox import trade
from sandbox.catalog import is_sold_out, sales_count
from sandbox.models import SandboxOffer, SandboxOrder, SandboxSupplier
from sourcing.alibaba import api, errors, oauth
from tests.alibaba.recorded_answers import API_NAMES, allowed_paths, field_paths
from tests.conftest import code_from, consent

pytestmark = pytest.mark.django_db(transaction=True)
CB = "com.alibaba.fenxiao.crossborder"
ACCOUNT = "com.alibaba.account"
AGENT = "com.alibaba.agent"


@pytest.fixture
def supplier(catalog):
    """A supplier with SKU offers, one of them priced by quantity (quoteType 2) and one per SKU."""
    for candidate in SandboxSupplier.objects.order_by("pk"):
        offers = candidate.offers.exclude(sku_axes=[])
        if any(len(o.price_tiers) > 1 for o in offers) and any(len(o.price_tiers) == 1 for o in offers):
            return candidate
    raise AssertionError("the catalog has such a supplier")


@pytest.fixture
def supplier_token(live_server, sandbox_app, client_1688, supplier):
    """An access token of the supplier's own 1688 account (its login id on the consent page)."""
    code = code_from(consent(live_server, sandbox_app, login_id=supplier.login_id))
    return oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri).access_token


def sandbox_answers(name, client, token, supplier) -> list:
    """Answers of the sandbox for the API `name`, as sent over HTTP, in the variants it has."""
    offer = supplier.offers.exclude(sku_axes=[]).order_by("offer_id").first()
    word = offer.category.name

    def call(namespace, params, access_token=token):
        return client.call(namespace, name, params, access_token=access_token)

    def query(**extra):
        return {"offerQueryParam": {"beginPage": 1, "pageSize": 5, "country": "en", **extra}}

    if name == "product.search.keywordQuery":
        return [call(CB, query(keyword=word)), call(CB, query(keyword="没有这个词"))]
    if name == "product.search.imageQuery":
        picture = requests.get(_image_of(client, token, offer), timeout=10).content
        image_id = api.image_upload(client, token, base64.b64encode(picture).decode())
        return [call(CB, query(imageId=image_id))]
    if name == "product.image.upload":
        picture = requests.get(_image_of(client, token, offer), timeout=10).content
        return [call(CB, {"uploadImageParam": {"imageBase64": base64.b64encode(picture).decode()}})]
    if name == "product.search.queryProductDetail":
        offers = supplier.offers.order_by("offer_id")
        return [call(CB, {"offerDetailParam": {"offerId": o.offer_id, "country": "en"}}) for o in offers]
    if name == "product.search.querySellerOfferList":
        return [call(CB, query(sellerOpenId=supplier.open_uid))]
    if name == "alibaba.category.get":
        return [call("com.alibaba.product", {"categoryID": c}, None) for c in (0, offer.category.parent.parent_id,
                                                                                offer.category_id)]  # fmt: skip
    if name == "category.translation.getById":
        return [call(CB, {"categoryId": c, "language": "en"}) for c in (0, offer.category.parent_id)]
    if name == "alibaba.product.get":
        return [
            call("com.alibaba.product", {"productID": o.offer_id, "webSite": "1688"}) for o in supplier.offers.all()
        ]
    if name == "alibaba.account.basic":
        return [call(ACCOUNT, {})]
    if name == "alibaba.account.agent.crossBasic":
        return [call(ACCOUNT, {"loginId": supplier.login_id}), call(ACCOUNT, {"domain": supplier.domain})]
    if name == "account.wangwangUrl.get":
        return [call(ACCOUNT, {"toOpenUid": supplier.open_uid})]
    if name == "loginid.openuid.encrypt":
        return [call(ACCOUNT, {"loginId": supplier.login_id})]
    if name == "wangwangnick.openuid.decrypt":
        return [call(ACCOUNT, {"openUid": supplier.open_uid})]
    if name == "newtoncloud.task.create":
        return [call(AGENT, {"message": f"商品编号 {offer.offer_id}：起订量是多少？", "auto": True})]
    if name == "newtoncloud.batchInquiry.getResult":
        task = api.newton_task_create(client, token, f"商品编号 {offer.offer_id}：起订量是多少？单价？")
        return [call(AGENT, {"taskId": task.task_id}) for _poll in range(2)]  # still answering, then the answers
    if name in BUYING:
        return buying_answers(name, client, token, supplier)
    if name in MESSAGE_APIS:
        return message_answers(name, client, token, offer)
    raise AssertionError(f"no sandbox call written for {name}")


BUYING = {ref.name: ref.namespace for ref in api.BUYING_APIS}
MESSAGE_APIS = {ref.name: ref.namespace for ref in api.MESSAGE_APIS}


def message_answers(name, client, token, offer) -> list:
    """The message and follow APIs: a followed offer's price moved, its messages listed, confirmed, read."""
    from django.core.management import call_command

    from sandbox.messages import TOPICS
    from sandbox.models import SandboxApp, SandboxSubscription

    SandboxSubscription.objects.create(app=SandboxApp.objects.get(app_key=client.app_key), topics=TOPICS)

    def call(params):
        return client.call(MESSAGE_APIS[name], name, params, access_token=token, business_check=False)

    followed = client.call("com.alibaba.product", "alibaba.product.follow", {"productId": offer.offer_id},
                           access_token=token)  # fmt: skip
    call_command("sandbox_move_price", "--offer", str(offer.offer_id), "--percent", "3", stdout=io.StringIO())
    answers = {
        "alibaba.product.follow": lambda: [followed, call({"productId": 1})],
        "alibaba.product.unfollow.crossborder": lambda: [call({"productId": offer.offer_id})],
        "push.query.messageList": lambda: [call({}), call({"page": 9})],
        "push.cursor.messageList": lambda: [call({}), call({})],
        "push.message.confirm": lambda: [call({"msgIdList": [1]})],
    }
    return answers[name]()


ADDRESS = {"fullName": "张三", "mobile": "15251667788", "provinceText": "浙江省", "cityText": "杭州市",
           "areaText": "滨江区", "address": "网商路699号", "postCode": "310052", "districtCode": "330108"}  # fmt: skip


def buying_answers(name, client, token, supplier) -> list:
    """The buying APIs' answers: success in each state an order passes through, and a refusal."""
    offer = next(o for o in supplier.offers.exclude(sku_axes=[]).order_by("offer_id") if not is_sold_out(o))
    option = max(trade.options(offer), key=lambda o: o.stock)
    cargo = {"offerId": offer.offer_id, "specId": option.spec_id, "quantity": offer.min_order_quantity}
    unknown = [{"offerId": 1, "specId": "x", "quantity": 1}]

    def call(api_name, params):
        return client.call(BUYING[api_name], api_name, params, access_token=token, business_check=False)

    def order(out_order_id):
        answer = call(
            "alibaba.trade.createCrossOrder",
            {"flow": "general", "addressParam": ADDRESS, "cargoParamList": [cargo], "outOrderId": out_order_id},
        )
        return answer, int(answer["result"]["orderId"])  # fmt: skip

    created, shipped = order("shape-shipped")
    _, cancelled = order("shape-cancelled")
    _, unpaid = order("shape-unpaid")
    SandboxOrder.objects.update(created_at=timezone.now() - timedelta(minutes=1))  # 1688: not within 10 s
    cancelling = call("alibaba.trade.cancel", {"webSite": "1688", "tradeID": cancelled, "cancelReason": "other"})
    requests.post(call("alibaba.alipay.url.get", {"orderIdList": [shipped]})["payUrl"], timeout=10)
    SandboxOrder.objects.filter(order_id=shipped).update(paid_at=timezone.now() - timedelta(days=30))
    by_order = {"webSite": "1688", "orderId": shipped}
    nothing = {"webSite": "1688", "orderId": 1}
    answers = {
        "alibaba.createOrder.preview": lambda: [
            call(name, {"addressParam": ADDRESS, "cargoParamList": lambda: [cargo]}),
            call(name, {"addressParam": ADDRESS, "cargoParamList": lambda: [{**cargo, "quantity": option.stock + 1}]}),
            call(name, {"addressParam": ADDRESS, "cargoParamList": unknown}),
        ],
        "alibaba.trade.createCrossOrder": lambda: [
            created, call(name, {"flow": "general", "addressParam": ADDRESS, "cargoParamList": unknown}),
        ],
        "alibaba.trade.get.buyerView": lambda: [call(name, by_order), call(name, {**by_order, "orderId": cancelled}),
                                        call(name, nothing)],
        "alibaba.trade.getBuyerOrderList": lambda: [call(name, {})],
        "alibaba.alipay.url.get": lambda: [call(name, {"orderIdList": lambda: [unpaid, cancelled]}),
                                   call(name, {"orderIdList": lambda: [cancelled]})],
        "alibaba.crossBorderPay.url.get": lambda: [call(name, {"orderIdList": lambda: [unpaid, shipped]}),
                                           call(name, {"orderIdList": lambda: [shipped]})],
        "alibaba.trade.cancel": lambda: [cancelling, call(name, {"webSite": "1688", "tradeID": shipped,
                                                         "cancelReason": "other"})],
        "alibaba.trade.getLogisticsInfos.buyerView": lambda: [call(name, by_order), call(name, {**by_order, "orderId": unpaid})],
        "alibaba.trade.getLogisticsTraceInfo.buyerView": lambda: [call(name, by_order),
                                                          call(name, {**by_order, "orderId": unpaid})],
        "product.freight.estimate": lambda: [
            call(name, {"productFreightQueryParamsNew": {"offerId": offer.offer_id, "toProvinceCode": "330000",
                                                         "toCityCode": "330100", "toCountryCode": "330108",
                                                         "totalNum": 2}}),
            call(name, {"productFreightQueryParamsNew": {"offerId": offer.offer_id, "toProvinceCode": "990000",
                                                         "toCityCode": "990100", "toCountryCode": "990108",
                                                         "totalNum": 2}}),
        ],
    }  # fmt: skip
    return answers[name]()


def _image_of(client, token, offer) -> str:
    return api.product_detail(client, token, str(offer.offer_id)).images[0]


@pytest.mark.parametrize("name", API_NAMES)
def test_sandbox_sends_no_field_the_live_answer_lacks(name, client_1688, supplier_token, supplier):
    answers = sandbox_answers(name, client_1688, supplier_token, supplier)
    sent = set().union(*(field_paths(a) for a in answers))
    assert sent, "the sandbox answered"
    assert sorted(sent - allowed_paths(name)) == []


def test_the_comparison_catches_a_field_the_live_answer_lacks(client_1688, tokens, catalog):
    # given a keywordQuery answer with a company name in its items, as the sandbox once sent
    answer = client_1688.call(CB, "product.search.keywordQuery", {"offerQueryParam": {
        "keyword": SandboxOffer.objects.first().category.name, "beginPage": 1, "pageSize": 2, "country": "en"}},
        access_token=tokens.access_token)  # fmt: skip
    answer["result"]["result"]["data"][0]["companyName"] = "某公司"
    # then the path comparison names it
    assert field_paths(answer) - allowed_paths("product.search.keywordQuery") == {"result.result.data[].companyName"}


def test_detail_sales_count_stock_and_seller_identity(client_1688, tokens, catalog):
    offers = list(SandboxOffer.objects.order_by("offer_id"))
    sold_out = next(o for o in offers if is_sold_out(o))
    in_stock = next(o for o in offers if not is_sold_out(o) and o.sku_axes)
    raw = client_1688.call(CB, "product.search.queryProductDetail", {"offerDetailParam": {
        "offerId": in_stock.offer_id, "country": "en"}}, access_token=tokens.access_token)["result"]["result"]  # fmt: skip
    assert raw["soldOut"] == str(sales_count(in_stock)) and raw["soldOut"].isdigit()
    assert "tpYear" not in raw["sellerDataInfo"]
    assert isinstance(raw["productShippingInfo"]["weight"], float)
    assert raw["productShippingInfo"]["shippingTimeGuarantee"] in ("shipIn24Hours", "shipIn48Hours")
    assert all(isinstance(a["attributeId"], str) for a in raw["productAttribute"])
    assert "kjSource=pc" in raw["promotionUrl"] and "fromkv=" in raw["promotionUrl"]
    detail = api.product_detail(client_1688, tokens.access_token, str(in_stock.offer_id))
    assert detail.sales_count == sales_count(in_stock)
    assert not detail.out_of_stock and detail.stock > 0
    assert detail.seller_open_id == in_stock.supplier.open_uid
    assert detail.detail_url == f"https://detail.1688.com/offer/{in_stock.offer_id}.html"
    empty = api.product_detail(client_1688, tokens.access_token, str(sold_out.offer_id))
    assert empty.out_of_stock and empty.stock == 0 and empty.sales_count > 0


def test_search_items_name_no_company_and_carry_price_ranges(client_1688, tokens, catalog):
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id") if len(o.sku_axes) and o.sku_axes[0][2][1:])
    page = api.keyword_search(client_1688, tokens.access_token, offer.subject, page_size=50)
    item = next(i for i in page.items if i.offer_id == str(offer.offer_id))
    assert item.company_name == "" and item.seller_open_id == ""
    assert item.price_min < item.price_max and item.price == item.price_min
    assert item.detail_url == f"https://detail.1688.com/offer/{offer.offer_id}.html"
    assert item.ships_within_hours in (24, 48)


def test_seller_page_and_chat_link_from_the_open_id(client_1688, tokens, catalog):
    offer = SandboxOffer.objects.order_by("offer_id").first()
    detail = api.product_detail(client_1688, tokens.access_token, str(offer.offer_id))
    page = api.seller_offers(client_1688, tokens.access_token, detail.seller_open_id, page_size=50)
    assert {i.offer_id for i in page.items} == {
        str(o) for o in offer.supplier.offers.values_list("offer_id", flat=True)
    }
    assert all(i.min_order_quantity is None and i.company_name == "" for i in page.items)
    url = api.wangwang_url_for_open_id(client_1688, tokens.access_token, detail.seller_open_id)
    assert url.startswith("https://air.1688.com/") and "cnalichn" in url
    assert api.wangwang_url(client_1688, tokens.access_token, offer.supplier.login_id) == url


def test_an_open_id_is_not_a_login_id(client_1688, tokens, catalog):
    supplier = SandboxSupplier.objects.first()
    with pytest.raises(errors.BusinessError, match="no such member"):
        api.supplier_info(client_1688, tokens.access_token, login_id=supplier.open_uid)
    by_domain = api.supplier_info(client_1688, tokens.access_token, domain=supplier.domain)
    assert (by_domain.login_id, by_domain.shop_domain) == (supplier.login_id, supplier.domain)
    assert supplier.open_uid.startswith("BBB") and len(supplier.open_uid) == 25


def test_product_get_answers_only_the_accounts_own_products(client_1688, supplier, supplier_token, tokens, live_server):
    own = supplier.offers.exclude(sku_axes=[]).order_by("offer_id")
    by_quantity = next(o for o in own if len(o.price_tiers) > 1)
    per_sku = next(o for o in own if len(o.price_tiers) == 1)
    product = api.product_get(client_1688, supplier_token, str(by_quantity.offer_id))
    assert product.seller_login_id == supplier.login_id
    assert product.quote_type == 2 and all(s.price is None for s in product.skus)
    assert all(a.name for s in product.skus for a in s.attributes)  # never an empty option name
    assert product.skus[0].attributes[0].name == by_quantity.sku_axes[0][0]  # named by the attribute list
    if len(by_quantity.sku_axes) > 1:
        assert product.skus[0].attributes[1].name == "Option 3217"  # not named there
    assert product.images[0].startswith(f"{live_server.url}/sandbox/img/ibank/")
    assert requests.get(product.images[0], timeout=10).headers["Content-Type"] == "image/png"
    assert all(s.price is not None for s in api.product_get(client_1688, supplier_token, str(per_sku.offer_id)).skus)
    other = SandboxOffer.objects.exclude(supplier=supplier).first()
    with pytest.raises(errors.NotOwnProduct, match="只能查询自己所有的产品"):
        api.product_get(client_1688, supplier_token, str(other.offer_id))
    with pytest.raises(errors.NotOwnProduct, match="only for products of the connected 1688 account"):
        api.product_get(client_1688, tokens.access_token, str(by_quantity.offer_id))  # a buyer's account


def test_account_basic_of_a_supplier_account(client_1688, supplier, supplier_token):
    me = api.account_basic(client_1688, supplier_token)
    assert (me.login_id, me.company_name, me.open_uid) == (supplier.login_id, supplier.company_name, supplier.open_uid)
    assert me.shop_domain == supplier.domain and me.member_id.startswith("b2b-") and me.years == supplier.years


def test_paging_like_1688(client_1688, tokens, catalog, monkeypatch):
    assert sandbox_apis.MAX_RECORDS == api.MAX_SEARCH_RECORDS == 2000
    # the cap on totalRecords made small, to see it with a small catalog
    monkeypatch.setattr(sandbox_apis, "MAX_RECORDS", 12)
    assert SandboxOffer.objects.filter(subject__icontains="款").count() > 12
    first = api.keyword_search(client_1688, tokens.access_token, "款", page_size=4)
    assert (first.total, first.total_pages) == (12, 12 // 4 + 1)  # floor(total / size) + 1, as 1688 counts
    assert first.has_next and first.last_page == 3
    last = api.keyword_search(client_1688, tokens.access_token, "款", page=3, page_size=4)
    assert len(last.items) == 4 and not last.has_next  # page 4 of "totalPage" would hold nothing
    past = client_1688.call(CB, "product.search.keywordQuery", {"offerQueryParam": {
        "keyword": "款", "beginPage": 4, "pageSize": 4, "country": "en"}}, access_token=tokens.access_token)  # fmt: skip
    assert past["result"]["result"]["data"] is None  # an empty page says null
    assert past["result"]["result"]["totalRecords"] == 12
    assert api.keyword_search(client_1688, tokens.access_token, "款", page=4, page_size=4).items == []
