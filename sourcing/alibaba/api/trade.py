"""Buying: order preview, freight estimate, cross-border orders, the buyer's orders, payment, cancel, logistics.

Amounts come back as Decimal yuan whatever 1688 sends (fen integers in the preview and the create answer,
yuan numbers in order details, yuan strings in the freight estimate). An answer without the fields a
reader needs raises `errors.MalformedResponse`; a refusal raises `errors.BusinessError` with 1688's code
(`500_004`, `ORDER_STATUS_ERROR`, …). The types: trade_shapes.py. Shapes and choices: docs/1688-answers.md,
"Buying".
"""

import re
from datetime import datetime
from decimal import Decimal

from .. import errors
from ..client import AlibabaClient
from ..timefmt import parse_gateway_time
from .refs import (
    CANCEL_ORDER,
    CREATE_ORDER,
    CROSS_BORDER_PAY_URL,
    FREIGHT_ESTIMATE,
    LOGISTICS_INFOS,
    LOGISTICS_TRACE,
    ORDER_DETAIL,
    ORDER_LIST,
    ORDER_PREVIEW,
    PAY_URL,
    ApiRef,
    call_api,
)
from .trade_shapes import (
    REASONS,
    CargoLine,
    CreatedOrder,
    FreightEstimate,
    Order,
    OrderItem,
    OrderPage,
    OrderPreview,
    PayLink,
    PreviewLine,
    Promotion,
    Shipment,
    ShipTo,
    Trace,
    TraceStep,
)
from .values import as_dict, as_list, decimal_or_none, int_or_none, is_true

_CODE = re.compile(r"\b500_0[0-9]{2}\b")


def _malformed(api: ApiRef, what: str) -> errors.MalformedResponse:
    return errors.MalformedResponse(f"The answer has no {what}.", api=api.id)


def _fen(value, api: ApiRef, what: str) -> Decimal:
    """A fen amount (1688's Long) as yuan."""
    number = int_or_none(value)
    if number is None or isinstance(value, float) and not value.is_integer():
        raise _malformed(api, what)
    return Decimal(number) / 100


def _yuan(value, api: ApiRef, what: str) -> Decimal:
    number = decimal_or_none(value)
    if number is None:
        raise _malformed(api, what)
    return number


def _time(value) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_gateway_time(str(value))
    except ValueError:
        return None


def _text(value) -> str:
    return "" if value is None else str(value)


def read_promotion(raw: dict, api: ApiRef) -> Promotion:
    return Promotion(
        promotion_id=_text(raw.get("promotionId")), text=_text(raw.get("text")), description=_text(raw.get("desc")),
        discount=_fen(raw.get("discountFee") or 0, api, "promotion discountFee"),
        selected=is_true(raw.get("selected")), free_postage=is_true(raw.get("freePostage")),
    )  # fmt: skip


def read_preview(body) -> OrderPreview:
    """One preview for the whole answer: amounts summed over 1688's split results, lines in their order."""
    api = ORDER_PREVIEW
    if not isinstance(body, dict):
        raise _malformed(api, "preview")
    results = [r for r in as_list(body.get("orderPreviewResuslt")) if isinstance(r, dict)]
    code, message = _text(body.get("errorCode")), _text(body.get("errorMsg") or body.get("message"))
    if not results:
        if body.get("success") is False or _text(body.get("success")).lower() == "false":
            raise errors.BusinessError(message, code=code, http_status=200, api=api.id)
        raise _malformed(api, "orderPreviewResuslt")
    lines, promotions, trade_types, flows = [], [], [], []
    totals = dict.fromkeys(("goods", "freight", "discount", "additional", "total"), Decimal(0))
    orderable = not (body.get("success") is False or _text(body.get("success")).lower() == "false")
    for result in results:
        totals["goods"] += _fen(result.get("sumPaymentNoCarriage"), api, "sumPaymentNoCarriage")
        totals["freight"] += _fen(result.get("sumCarriage"), api, "sumCarriage")
        totals["total"] += _fen(result.get("sumPayment"), api, "sumPayment")
        totals["discount"] += _fen(result.get("discountFee") or 0, api, "discountFee")
        totals["additional"] += _fen(result.get("additionalFee") or 0, api, "additionalFee")
        orderable = orderable and result.get("status") is not False
        flows.append(_text(result.get("flowFlag")))
        trade_types += [_text(t) for t in as_list(result.get("tradeModeNameList")) if t]
        promotions += [read_promotion(p, api) for p in as_list(result.get("shopPromotionList")) if isinstance(p, dict)]
        for cargo in as_list(result.get("cargoList")):
            if not isinstance(cargo, dict):
                continue
            text = _text(cargo.get("message"))
            result_code = _text(cargo.get("resultCode"))
            codes = list(dict.fromkeys(([result_code] if _CODE.fullmatch(result_code) else []) + _CODE.findall(text)))
            lines.append(PreviewLine(
                offer_id=_text(cargo.get("offerId")), spec_id=_text(cargo.get("specId")),
                sku_id=_text(cargo.get("skuId")),
                unit_price=_yuan(cargo.get("finalUnitPrice"), api, "finalUnitPrice"),
                amount=_yuan(cargo.get("amount"), api, "cargo amount"),
                promotions=[read_promotion(p, api) for p in as_list(cargo.get("cargoPromotionList"))
                            if isinstance(p, dict)],
                reasons=list(dict.fromkeys(REASONS.get(c, "other") for c in codes)), codes=codes,
                message=text if codes else "",
            ))  # fmt: skip
    orderable = orderable and all(line.orderable for line in lines)
    return OrderPreview(
        orderable=orderable, flow=",".join(f for f in dict.fromkeys(flows) if f), goods=totals["goods"],
        freight=totals["freight"], discount=totals["discount"], additional_fee=totals["additional"],
        total=totals["total"], lines=lines, shop_promotions=promotions, trade_types=list(dict.fromkeys(trade_types)),
        error_code=code if not orderable else "", message=message if not orderable else "",
    )  # fmt: skip


def read_order(raw: dict, api: ApiRef = ORDER_DETAIL) -> Order:
    """TradeInfo: baseInfo, productItems and nativeLogistics, as the detail and the list send it."""
    base = raw.get("baseInfo")
    if not isinstance(base, dict) or not (base.get("idOfStr") or base.get("id")):
        raise _malformed(api, "baseInfo with an order id")
    items = []
    for item in as_list(raw.get("productItems")):
        if not isinstance(item, dict):
            continue
        quantity = decimal_or_none(item.get("quantity"))
        if quantity is None:
            raise _malformed(api, "productItems quantity")
        images = [_text(u) for u in as_list(item.get("productImgUrl")) if u]
        items.append(OrderItem(
            offer_id=_text(item.get("productID")), spec_id=_text(item.get("specId")), sku_id=_text(item.get("skuID")),
            name=_text(item.get("name")), quantity=quantity, unit=_text(item.get("unit")),
            price=decimal_or_none(item.get("price")), amount=decimal_or_none(item.get("itemAmount")),
            status=_text(item.get("status")),
            options=[(_text(s.get("name")), _text(s.get("value"))) for s in as_list(item.get("skuInfos"))
                     if isinstance(s, dict)],
            image_url=images[-1] if images else "",
            sub_item_id=_text(item.get("subItemIDString") or item.get("subItemID")),
        ))  # fmt: skip
    logistics = as_dict(raw.get("nativeLogistics"))
    bills = [_text(x.get("logisticsBillNo")) for x in as_list(logistics.get("logisticsItems"))
             if isinstance(x, dict) and x.get("logisticsBillNo")]  # fmt: skip
    seller = as_dict(base.get("sellerContact"))
    discount = int_or_none(base.get("discount")) or 0
    return Order(
        order_id=_text(base.get("idOfStr") or base.get("id")), status=_text(base.get("status")),
        out_order_id=_text(base.get("outOrderId")), seller_login_id=_text(base.get("sellerLoginId")),
        seller_member_id=_text(base.get("sellerID")), seller_company=_text(seller.get("companyName")),
        buyer_login_id=_text(base.get("buyerLoginId")), total=decimal_or_none(base.get("totalAmount")),
        goods=decimal_or_none(base.get("sumProductPayment")), freight=decimal_or_none(base.get("shippingFee")),
        discount=abs(Decimal(discount)) / 100, created_at=_time(base.get("createTime")),
        paid_at=_time(base.get("payTime")), shipped_at=_time(base.get("allDeliveredTime")),
        received_at=_time(base.get("receivingTime")), completed_at=_time(base.get("completeTime")),
        close_reason=_text(base.get("closeReason")), receiver_area=_text(as_dict(base.get("receiverInfo")).get("toArea")),
        items=items, logistics_bill_nos=bills,
    )  # fmt: skip


# --- The calls ---
# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.createOrder.preview-1
def order_preview(
    client: AlibabaClient, access_token: str, address: ShipTo, cargos: list[CargoLine], *, flow: str = ""
) -> OrderPreview:
    """What 1688 would charge for one supplier's options delivered to `address`; creates nothing.

    An order 1688 would refuse (stock, MOQ, mixed batch) comes back with `orderable` False and the
    reasons per line; unknown offers or options, or several suppliers, raise BusinessError.
    """
    params = {"addressParam": address.as_param(), "cargoParamList": [c.as_param() for c in cargos]}
    if flow:
        params["flow"] = flow
    return read_preview(call_api(client, ORDER_PREVIEW, params, access_token, business_check=False))


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.freight.estimate-1
def freight_estimate(
    client: AlibabaClient, access_token: str, offer_id: str, *, province_code: str, city_code: str,
    district_code: str, quantities: dict[str, int] | None = None, total: int | None = None,
) -> FreightEstimate:  # fmt: skip
    """Domestic freight for an offer's option quantities ({skuId: n}) or a total quantity, to a district."""
    if not quantities and not total:
        raise ValueError("freight_estimate needs option quantities or a total quantity")
    query = {
        "offerId": int(offer_id), "toProvinceCode": province_code, "toCityCode": city_code,
        "toCountryCode": district_code, "totalNum": total or sum((quantities or {}).values()),
    }  # fmt: skip
    if quantities:
        query["logisticsSkuNumModels"] = [{"skuId": str(k), "number": int(v)} for k, v in quantities.items()]
    body = call_api(client, FREIGHT_ESTIMATE, {"productFreightQueryParamsNew": query}, access_token)
    raw = as_dict(as_dict(body).get("result")).get("result")
    if not isinstance(raw, dict):
        raise _malformed(FREIGHT_ESTIMATE, "result")
    return FreightEstimate(
        offer_id=_text(raw.get("offerId")), freight=_yuan(raw.get("freight"), FREIGHT_ESTIMATE, "freight"),
        free_postage=is_true(raw.get("freePostage")), first_fee=decimal_or_none(raw.get("firstFee")),
        next_fee=decimal_or_none(raw.get("nextFee")), first_unit=_text(raw.get("firstUnit")),
        next_unit=_text(raw.get("nextUnit")), charge_type=_text(raw.get("chargeType")),
        unit_weight_kg=decimal_or_none(raw.get("singleProductWeight")), template_id=_text(raw.get("templateId")),
        template_name=_text(raw.get("templateName")),
    )  # fmt: skip


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.trade.createCrossOrder-1
def create_order(
    client: AlibabaClient, access_token: str, address: ShipTo, cargos: list[CargoLine], *, out_order_id: str,
    flow: str = "general", message: str = "", trade_type: str = "",
) -> CreatedOrder:  # fmt: skip
    """Place one order with one supplier (at most 50 options). The same `out_order_id` never makes a second
    order: 1688 answers with the first one, and `find_order` looks it up when an answer was lost."""
    params = {
        "flow": flow, "addressParam": address.as_param(), "cargoParamList": [c.as_param() for c in cargos],
        "outOrderId": out_order_id, "message": message or None, "tradeType": trade_type or None,
    }  # fmt: skip
    body = call_api(client, CREATE_ORDER, params, access_token)
    result = as_dict(as_dict(body).get("result"))
    order_id = _text(result.get("orderId"))
    split = [_text(o.get("orderId")) for o in as_list(result.get("orderList")) if isinstance(o, dict)]
    if not order_id and not split:
        raise _malformed(CREATE_ORDER, "orderId")
    total, freight = result.get("totalSuccessAmount"), result.get("postFee")
    return CreatedOrder(
        order_id=order_id, order_ids=split or [order_id],
        total=None if total is None else _fen(total, CREATE_ORDER, "totalSuccessAmount"),
        freight=None if freight is None else _fen(freight, CREATE_ORDER, "postFee"),
    )  # fmt: skip


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.trade.get.buyerView-1
def order_detail(client: AlibabaClient, access_token: str, order_id: str) -> Order:
    body = call_api(client, ORDER_DETAIL, {"webSite": "1688", "orderId": int(order_id)}, access_token)
    raw = as_dict(body).get("result")
    if not isinstance(raw, dict):
        raise _malformed(ORDER_DETAIL, "result")
    return read_order(raw, ORDER_DETAIL)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.trade.getBuyerOrderList-1
def buyer_orders(
    client: AlibabaClient, access_token: str, *, status: str = "", out_order_id: str = "",
    order_ids: list[str] | None = None, page: int = 1, page_size: int = 20,
) -> OrderPage:  # fmt: skip
    """The connected buyer's orders, newest first, filtered by status, outOrderId or order ids."""
    params = {"page": page, "pageSize": page_size, "orderStatus": status or None, "outOrderId": out_order_id or None,
              "orderIds": [int(i) for i in order_ids] if order_ids else None}  # fmt: skip
    body = call_api(client, ORDER_LIST, params, access_token)
    if not isinstance(body, dict) or not isinstance(body.get("result", []), list | type(None)):
        raise _malformed(ORDER_LIST, "result list")
    orders = [read_order(o, ORDER_LIST) for o in as_list(body.get("result")) if isinstance(o, dict)]
    return OrderPage(total=int_or_none(body.get("totalRecord")) or 0, orders=orders)


def find_order(client: AlibabaClient, access_token: str, out_order_id: str) -> Order | None:
    """The order placed with `out_order_id`, or None: how a placement whose answer was lost finds out."""
    if not out_order_id:
        raise ValueError("find_order needs an outOrderId")
    page = buyer_orders(client, access_token, out_order_id=out_order_id, page_size=5)
    return next((o for o in page.orders if o.out_order_id == out_order_id), None)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.alipay.url.get-1
# and https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.crossBorderPay.url.get-1
def pay_url(client: AlibabaClient, access_token: str, order_ids: list[str], *, cross_border: bool = False) -> PayLink:
    """The cashier link for unpaid orders (Alipay, or 跨境宝 with `cross_border`)."""
    ref = CROSS_BORDER_PAY_URL if cross_border else PAY_URL
    body = call_api(client, ref, {"orderIdList": [int(i) for i in order_ids]}, access_token)
    url = _text(as_dict(body).get("payUrl"))
    if not url.startswith(("http://", "https://")):
        raise _malformed(ref, "payUrl")
    failed = as_list(as_dict(body).get("payFailureOrderList") or as_dict(body).get("cantPayOrderList"))
    return PayLink(url=url, unpayable_order_ids=[_text(i) for i in failed])


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.trade:alibaba.trade.cancel-1
def cancel_order(
    client: AlibabaClient, access_token: str, order_id: str, *, reason: str = "buyerCancel", remark: str = ""
) -> None:
    """Cancel an unpaid order; a paid one raises BusinessError with code ORDER_STATUS_ERROR."""
    params = {"webSite": "1688", "tradeID": int(order_id), "cancelReason": reason, "remark": remark or None}
    body = call_api(client, CANCEL_ORDER, params, access_token)
    if not is_true(as_dict(body).get("success")):
        raise _malformed(CANCEL_ORDER, "success")


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.logistics:alibaba.trade.getLogisticsInfos.buyerView-1
def shipments(client: AlibabaClient, access_token: str, order_id: str) -> list[Shipment]:
    """The order's parcels; before shipping 1688 answers 500_2 (BusinessError)."""
    body = call_api(client, LOGISTICS_INFOS, {"webSite": "1688", "orderId": int(order_id)}, access_token)
    rows = as_dict(body).get("result")
    if not isinstance(rows, list):
        raise _malformed(LOGISTICS_INFOS, "result list")
    return [
        Shipment(
            logistics_id=_text(r.get("logisticsId")), bill_no=_text(r.get("logisticsBillNo")),
            status=_text(r.get("status")), company_name=_text(r.get("logisticsCompanyName")),
            company_no=_text(r.get("logisticsCompanyNo")),
            goods=[(_text(g.get("goodName")), _text(g.get("quantity")), _text(g.get("unit")))
                   for g in as_list(r.get("sendGoods")) if isinstance(g, dict)],
        )
        for r in rows
        if isinstance(r, dict)
    ]  # fmt: skip


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.logistics:alibaba.trade.getLogisticsTraceInfo.buyerView-1
def logistics_trace(client: AlibabaClient, access_token: str, order_id: str) -> list[Trace]:
    """The parcels' tracking steps, oldest first; before shipping 1688 answers 404 (BusinessError)."""
    body = call_api(client, LOGISTICS_TRACE, {"webSite": "1688", "orderId": int(order_id)}, access_token)
    rows = as_dict(body).get("logisticsTrace")
    if not isinstance(rows, list):
        raise _malformed(LOGISTICS_TRACE, "logisticsTrace")
    traces = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        steps = [TraceStep(at=_time(s.get("acceptTime")), remark=_text(s.get("remark")))
                 for s in as_list(row.get("logisticsSteps")) if isinstance(s, dict)]  # fmt: skip
        steps.sort(key=lambda s: (s.at is None, s.at or datetime.min))
        traces.append(Trace(logistics_id=_text(row.get("logisticsId")), bill_no=_text(row.get("logisticsBillNo")),
                            steps=steps))  # fmt: skip
    return traces
