"""Nonsense sent to the sandbox's buying APIs gets a plain refusal in 1688's shape: never a 500, never an order."""

import pytest

from sandbox.models import SandboxOrder
from sourcing.alibaba import api, errors

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESS = {"fullName": "张三", "mobile": "15251667788", "provinceText": "浙江省", "cityText": "杭州市",
           "areaText": "滨江区", "address": "网商路699号"}  # fmt: skip
JUNK = ["", "null", "{}", "1e999", "[1]", '{"a": "\\u0000"}', "x\x00y", "9" * 40]
CARGO_JUNK = [
    [{"offerId": "1e999", "specId": "x", "quantity": 1}],
    [{"offerId": 600000000003, "specId": "", "quantity": "NaN"}],
    [{"offerId": 600000000003, "specId": "", "quantity": -3}],
    [{"offerId": 600000000003, "specId": "", "quantity": 1.5}],
    [{"offerId": 600000000003, "specId": "\x00", "quantity": 10**30}],
    [{"offerId": [1], "specId": {"a": 1}, "quantity": {"b": 2}}],
    ["x", 1, None],
]
ADDRESS_JUNK = [{**ADDRESS, "provinceText": "火星"}, {**ADDRESS, "districtCode": "99x"}, {**ADDRESS, "fullName": ""},
                {"addressId": 1}, {**ADDRESS, "fullName": "a\x00b" * 300}, {**ADDRESS, "provinceText": ["浙江"]}]  # fmt: skip


def refused_plainly(client, name, params, token):
    ref = next(r for r in api.BUYING_APIS if r.name == name)
    try:
        body = client.call(ref.namespace, ref.name, params, access_token=token, business_check=False)
    except errors.AlibabaError as error:
        # gw.ParamError, gw.ParamMissing, or "Invalid request characters" (a NUL byte): the gateway's plain 400
        plain = isinstance(error, errors.ParamInvalid | errors.ParamMissing | errors.UnknownGatewayError)
        if plain and error.http_status == 400:
            return
        pytest.fail(f"{name} {params!r}: {type(error).__name__} {error}")
    assert isinstance(body, dict) and "false" in str(body).lower(), (name, params, body)


def test_junk_everywhere(client_1688, tokens, catalog):
    token = tokens.access_token
    cargo = [{"offerId": 600000000003, "specId": "", "quantity": 1}]
    for junk in JUNK:
        refused_plainly(client_1688, "alibaba.createOrder.preview", {"addressParam": junk, "cargoParamList": junk},
                        token)  # fmt: skip
        refused_plainly(
            client_1688,
            "alibaba.trade.createCrossOrder",
            {"flow": junk, "addressParam": junk, "cargoParamList": junk, "outOrderId": junk},
            token,
        )
        refused_plainly(client_1688, "alibaba.trade.get.buyerView", {"webSite": "1688", "orderId": junk}, token)
        refused_plainly(client_1688, "alibaba.alipay.url.get", {"orderIdList": junk}, token)
        refused_plainly(client_1688, "alibaba.crossBorderPay.url.get", {"orderIdList": junk}, token)
        refused_plainly(client_1688, "alibaba.trade.cancel", {"webSite": "1688", "tradeID": junk,
                                                               "cancelReason": junk}, token)  # fmt: skip
        refused_plainly(client_1688, "alibaba.trade.getLogisticsInfos.buyerView", {"webSite": "1688", "orderId": junk},
                        token)  # fmt: skip
        refused_plainly(
            client_1688, "alibaba.trade.getLogisticsTraceInfo.buyerView", {"webSite": "1688", "orderId": junk}, token
        )
        refused_plainly(client_1688, "product.freight.estimate", {"productFreightQueryParamsNew": {
            "offerId": 600000000003, "toProvinceCode": junk, "toCityCode": junk, "toCountryCode": junk,
            "totalNum": junk, "logisticsSkuNumModels": junk}}, token)  # fmt: skip
        if "\x00" not in junk:  # a NUL byte is refused by the gateway itself (Invalid request characters)
            page = client_1688.call("com.alibaba.trade", "alibaba.trade.getBuyerOrderList", {
                "orderStatus": junk, "outOrderId": junk, "sellerLoginId": junk}, access_token=token)  # fmt: skip
            assert page["totalRecord"] == 0
    for cargos in CARGO_JUNK:
        refused_plainly(
            client_1688,
            "alibaba.trade.createCrossOrder",
            {"flow": "general", "addressParam": ADDRESS, "cargoParamList": cargos},
            token,
        )
    for address in ADDRESS_JUNK:
        refused_plainly(
            client_1688,
            "alibaba.trade.createCrossOrder",
            {"flow": "general", "addressParam": address, "cargoParamList": cargo},
            token,
        )
    for dates in ({"createStartTime": "2026-13-01"}, {"createEndTime": "20261399000000000+0800"}):
        with pytest.raises(errors.ParamInvalid):
            client_1688.call("com.alibaba.trade", "alibaba.trade.getBuyerOrderList", dates, access_token=token)
    assert SandboxOrder.objects.count() == 0


def test_control_characters_inside_json_are_dropped_before_storing(client_1688, tokens, catalog):
    from sandbox import trade
    from sandbox.catalog import is_sold_out
    from sandbox.models import SandboxOffer

    offer = next(o for o in SandboxOffer.objects.order_by("offer_id") if o.sku_axes and not is_sold_out(o))
    option = max(trade.options(offer), key=lambda o: o.stock)
    cargo = [{"offerId": offer.offer_id, "specId": option.spec_id, "quantity": offer.min_order_quantity}]
    # the client's JSON escapes a NUL as \u0000, so it reaches the sandbox inside the address (PostgreSQL refuses NUL)
    client_1688.call("com.alibaba.trade", "alibaba.trade.createCrossOrder", {
        "flow": "general", "addressParam": {**ADDRESS, "fullName": "张\x00三\x07"}, "cargoParamList": cargo,
        "outOrderId": "PO-nul"}, access_token=tokens.access_token)  # fmt: skip
    assert SandboxOrder.objects.get().address["full_name"] == "张三"
