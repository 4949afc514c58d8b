"""The sandbox's buying APIs, answering in the shapes of 1688's published pages (docs/1688-answers.md, "Buying").

Registered with the same `api` decorator as every other sandbox API, so the gateway signs, checks the
token, the grant, the frequency and the daily quota, and injects faults for them exactly as for the rest.
Each API words a business refusal the way its page does (`errorCode`/`errorMsg`, `code`/`message`,
`errorCode`/`errorMessage`, `success` as a boolean or a string).
"""

import json
import re
import secrets
from datetime import datetime
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.utils import timezone

from . import messages
from .apis import CROSSBORDER, _offer_or_error, _require
from .gateway import BEIJING, INT_MAX, Call, api, gateway_time, param_error, whole_number
from .models import SandboxAccount, SandboxOrder, SandboxOrderItem
from .trade import (
    FREIGHT_ZONES,
    MAX_ORDER_OPTIONS,
    TRADE_TYPES,
    ZONE_NAMES,
    Priced,
    TradeRefusal,
    advance,
    best_flow,
    freight_fen,
    logistics_status,
    offers_for,
    options,
    plain,
    price_order,
    province,
    read_address,
    read_cargos,
    template_id,
    trace_steps,
    zone,
)

TRADE = "com.alibaba.trade"
LOGISTICS = "com.alibaba.logistics"
MAX_LIST_PAGE_SIZE = 50
PAY_SALT = "sandbox-pay"
TRADE_MODEL = {
    "tradeType": "assureTrade",
    "name": "担保交易",
    "description": "买家下单5天内全款支付。自卖家发货起，买家需在10天内确认收货，确认收货后打款给卖家。",
    "opSupport": True,
}
STATUS_WORDS = {
    "waitbuyerpay": "等待买家付款",
    "waitsellersend": "等待卖家发货",
    "waitbuyerreceive": "等待买家收货",
    "confirm_goods": "已收货",
    "success": "交易成功",
    "cancel": "交易取消",
}
CARRIER = {"logisticsCompanyId": "8", "logisticsCompanyName": "圆通速递", "logisticsCompanyNo": "YTO"}


def _yuan(fen: int) -> float:
    """A fen amount as 1688's yuan numbers (BigDecimal/Double in JSON): 1234 → 12.34."""
    return float(Decimal(fen) / 100)


def _money_text(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def _json(call: Call, name: str):
    try:
        return json.loads(call.params[name])
    except (KeyError, ValueError):
        raise TradeRefusal("400", f"{name} is not valid JSON") from None


# --- alibaba.createOrder.preview ---
def _cargo(line) -> dict:
    code, message = line.problems[0] if line.problems else ("200", None)
    cargo = {
        "amount": _yuan(line.amount_fen),
        "finalUnitPrice": _yuan(line.unit_price_fen),
        "offerId": line.offer.offer_id,
        "resultCode": code,
        "message": "; ".join(f"{c}: {m}" for c, m in line.problems) if line.problems else message,
        "cargoPromotionList": [],
    }
    if line.option.spec_id:
        cargo["specId"], cargo["skuId"] = line.option.spec_id, line.option.sku_id
    if line.sample:  # the sandbox's way of saying "sample price" (docs/1688-answers.md "Samples", UNCONFIRMED)
        cargo["cargoPromotionList"].append({
            "promotionId": f"sample-{line.offer.offer_id}", "selected": True, "text": "样品价",
            "desc": "拿样：单件样品价，免起批量 (one piece at the sample price; no minimum order)", "freePostage": False,
            "discountFee": 0,
        })  # fmt: skip
    if line.promotion_fen:
        cargo["cargoPromotionList"].append({
            "promotionId": f"itemDiscount-{line.offer.offer_id}", "selected": True, "text": "限时95折",
            "desc": "限时折扣：单价95折 (time-limited 5 % off)", "freePostage": False, "discountFee": line.promotion_fen,
        })  # fmt: skip
    return cargo


def _preview_result(priced: Priced) -> dict:
    problems = priced.problems
    shop_promotions = []
    if priced.shop_discount_fen:
        shop_promotions.append({
            "promotionId": f"shopCoupon-{priced.supplier.member_id}", "selected": True, "text": "满300减20",
            "desc": "店铺满300元减20元 (20 yuan off 300)", "freePostage": False, "discountFee": priced.shop_discount_fen,
        })  # fmt: skip
    return {
        "status": not problems,
        "resultCode": problems[0][0] if problems else "200",
        "message": problems[0][1] if problems else "success",
        "taoSampleSinglePromotion": not any(line.promotion_fen for line in priced.lines),
        "sumPayment": priced.total_fen,
        "sumCarriage": priced.freight_fen,
        "sumPaymentNoCarriage": priced.goods_fen,
        "discountFee": priced.shop_discount_fen,
        "additionalFee": 0,
        "flowFlag": priced.flow,
        "tradeModeNameList": list(TRADE_TYPES),
        "cargoList": [_cargo(line) for line in priced.lines],
        "shopPromotionList": shop_promotions,
        "tradeModelList": [TRADE_MODEL],
    }


def _priced(call: Call, *, max_options: int | None = None) -> Priced:
    address = read_address(_json(call, "addressParam"))
    raw = _json(call, "cargoParamList")
    if max_options and isinstance(raw, list) and len(raw) > max_options:
        raise TradeRefusal("400", f"一个订单最多{max_options}个SKU (at most {max_options} options per order; "
                                  f"this one has {len(raw)}): split the order")  # fmt: skip
    cargos = read_cargos(raw, offers_for(raw))
    flow = best_flow(cargos, str(call.params.get("flow") or "").strip())
    return price_order(cargos, address, flow)


@api(TRADE, "alibaba.createOrder.preview", required=("addressParam", "cargoParamList"))
def order_preview(call: Call):
    """Prices, promotions, freight and the best flow for one supplier's options; creates nothing.

    Options 1688 would not take (stock, MOQ, mixed batch) are named per cargo (resultCode, message), and the
    answer then says success false with the first one's code, as the page's error table words it.
    """
    try:
        priced = _priced(call)
    except TradeRefusal as refusal:
        return {"success": False, "errorCode": refusal.code, "errorMsg": refusal.message}
    answer = {"orderPreviewResuslt": [_preview_result(priced)], "success": True}
    if priced.problems:
        code, message = priced.problems[0]
        answer.update(success=False, errorCode=code, errorMsg=message)
    return answer


# --- alibaba.trade.createCrossOrder ---
def _new_id() -> int:
    """An 18-digit number, like 1688's order and sub-order ids."""
    return 10**17 + secrets.randbelow(9 * 10**17)


def _store(call: Call, priced: Priced, out_order_id: str) -> SandboxOrder:
    """Make the order; with SANDBOX_DEDUPE_OUT_ORDER_ID on, a number the buyer used already gives that order back."""
    from django.conf import settings

    supplier, address = priced.supplier, priced.address
    with transaction.atomic():
        if out_order_id and settings.SANDBOX_DEDUPE_OUT_ORDER_ID:
            # Two calls with one number at once: the account's row orders them, the second finds the first's order.
            SandboxAccount.objects.select_for_update().filter(pk=call.account.pk).first()
            earlier = _by_out_order_id(call, out_order_id)
            if earlier is not None:
                return earlier
        order = SandboxOrder.objects.create(
            order_id=_new_id(), account=call.account, app=call.app, out_order_id=out_order_id, flow=priced.flow,
            message=plain(call.params.get("message"), 500), address=address.as_dict(),
            seller={"login_id": supplier.login_id, "member_id": supplier.member_id, "open_uid": supplier.open_uid,
                    "company": supplier.company_name, "province": supplier.province, "city": supplier.city},
            goods_fen=priced.goods_fen, discount_fen=priced.shop_discount_fen, freight_fen=priced.freight_fen,
            total_fen=priced.total_fen,
        )  # fmt: skip
        SandboxOrderItem.objects.bulk_create([
            SandboxOrderItem(
                order=order, sub_item_id=_new_id(), offer_id=line.offer.offer_id, spec_id=line.option.spec_id,
                sku_id=line.option.sku_id, name=line.offer.subject, options=[list(n) for n in line.option.names],
                unit=line.offer.unit, image=f"ibank/{line.offer.image_family}_{line.offer.image_variants[0]}.png",
                quantity=line.quantity, price_fen=line.price_fen, unit_price_fen=line.unit_price_fen,
                amount_fen=line.amount_fen, weight_grams=line.offer.weight_grams,
            )
            for line in priced.lines
        ])  # fmt: skip
        messages.emit_order(order)
    return order


def _created(order: SandboxOrder) -> dict:
    return {
        "result": {"success": True, "orderId": str(order.order_id), "totalSuccessAmount": order.total_fen,
                   "postFee": order.freight_fen},
        "success": True,
    }  # fmt: skip


@api(TRADE, "alibaba.trade.createCrossOrder", required=("flow", "addressParam", "cargoParamList"))
def create_cross_order(call: Call):
    """One order with one supplier's options (at most 50), priced as the preview prices them.

    The same outOrderId from the same buyer gives back the order it made, never a second one (unless
    SANDBOX_DEDUPE_OUT_ORDER_ID is off: then each call makes an order, the pessimistic reading of live 1688).
    """
    from django.conf import settings

    out_order_id = str(call.params.get("outOrderId") or "").strip()
    try:
        if len(out_order_id) > 64 or plain(out_order_id, 64) != out_order_id:
            raise TradeRefusal("400", "outOrderId must be at most 64 characters, with no control characters")
        earlier = _by_out_order_id(call, out_order_id) if settings.SANDBOX_DEDUPE_OUT_ORDER_ID else None
        if earlier is not None:
            return _created(earlier)
        trade_type = str(call.params.get("tradeType") or "").strip()
        if trade_type and trade_type not in TRADE_TYPES:
            raise TradeRefusal("400", f"not support tradeType:【{trade_type[:30]}】")
        priced = _priced(call, max_options=MAX_ORDER_OPTIONS)
        if priced.problems:
            raise TradeRefusal(*priced.problems[0])
    except TradeRefusal as refusal:
        return {"success": False, "code": refusal.code, "message": refusal.message}
    return _created(_store(call, priced, out_order_id))


def _by_out_order_id(call: Call, out_order_id: str) -> SandboxOrder | None:
    if not out_order_id:
        return None
    return SandboxOrder.objects.filter(account=call.account, out_order_id=out_order_id).order_by("pk").first()


# --- Orders as the buyer sees them ---
def _time(moment: datetime | None) -> str | None:
    return gateway_time(moment) if moment else None


def _logistics_status_code(order: SandboxOrder) -> int:
    """productItems[].logisticsStatus: 1 not shipped, 2 shipped, 3 received."""
    if order.received_at:
        return 3
    return 2 if order.shipped_at else 1


def _logistics_id(order: SandboxOrder) -> str:
    return f"BX{order.order_id % 10**15:015d}"


def _trade_info(call: Call, order: SandboxOrder, *, detail: bool) -> dict:
    address, seller = order.address, order.seller
    items = sorted(order.items.all(), key=lambda i: i.pk)  # prefetched by the list
    image_base = call.image_base
    base = {
        "id": order.order_id,
        "idOfStr": str(order.order_id),
        "businessType": "cb",
        "status": order.status,
        "createTime": _time(order.created_at),
        "modifyTime": _time(order.modified_at),
        "payTime": _time(order.paid_at),
        "allDeliveredTime": _time(order.shipped_at),
        "receivingTime": _time(order.received_at),
        "completeTime": _time(order.completed_at or order.cancelled_at),
        "totalAmount": _yuan(order.total_fen),
        "sumProductPayment": _yuan(order.goods_fen),
        "shippingFee": _yuan(order.freight_fen),
        "discount": -order.discount_fen,
        "refund": 0,
        "refundPayment": 0,
        "tradeType": "50060",
        "tradeTypeCode": "assureTrade",
        "buyerID": order.account.member_id,
        "buyerLoginId": order.account.login_id,
        "sellerID": seller.get("member_id", ""),
        "sellerLoginId": seller.get("login_id", ""),
        "buyerContact": {"name": address.get("full_name", ""), "imInPlatform": order.account.login_id},
        "sellerContact": {"name": seller.get("login_id", ""), "imInPlatform": seller.get("login_id", ""),
                          "companyName": seller.get("company", "")},
        "receiverInfo": {
            "toFullName": address.get("full_name", ""), "toDivisionCode": address.get("district_code", ""),
            "toMobile": address.get("mobile", ""), "toPhone": address.get("phone", ""),
            "toPost": address.get("post_code", ""),
            "toArea": " ".join(p for p in (address.get("province_text"), address.get("city"), address.get("district"),
                                           address.get("town")) if p),
        },
        "buyerFeedback": order.message,
        "outOrderId": order.out_order_id,
        "stepPayAll": False,
    }  # fmt: skip
    if order.close_reason:
        base["closeReason"] = order.close_reason
        base["closeOperateType"] = "CLOSE_TRADE_BY_BUYER"
    logistics = {
        "address": "".join(address.get(k, "") for k in ("province_text", "city", "district", "town", "street")),
        "area": address.get("district", ""),
        "areaCode": address.get("district_code", ""),
        "city": address.get("city", ""),
        "contactPerson": address.get("full_name", ""),
        "mobile": address.get("mobile", ""),
        "telephone": address.get("phone", ""),
        "province": address.get("province_text", ""),
        "zip": address.get("post_code", ""),
        "town": address.get("town", ""),
    }
    if detail and order.shipped_at:
        logistics["logisticsItems"] = [{
            "deliveredTime": _time(order.shipped_at), "logisticsCode": _logistics_id(order), "type": "0",
            "id": order.order_id % 10**15, "status": "alreadysend", "gmtCreate": _time(order.shipped_at),
            "gmtModified": _time(order.modified_at), "logisticsBillNo": order.logistics_bill_no,
            "subItemIds": ",".join(str(i.sub_item_id) for i in items),
        }]  # fmt: skip
    product_items = [
        {
            "itemAmount": _yuan(item.amount_fen),
            "name": item.name,
            "price": _yuan(item.price_fen),
            "productID": item.offer_id,
            "productImgUrl": [f"{image_base}{item.image}"],
            "productSnapshotUrl": f"https://trade.1688.com/order/offer_snapshot.htm?order_entry_id={item.sub_item_id}",
            "quantity": item.quantity,
            "refund": 0,
            "status": order.status,
            "statusStr": STATUS_WORDS.get(order.status, ""),
            "subItemID": item.sub_item_id,
            "subItemIDString": str(item.sub_item_id),
            "type": "common",
            "unit": item.unit,
            "skuInfos": [{"name": name, "value": value} for name, value in item.options],
            "entryDiscount": item.amount_fen - item.price_fen * item.quantity,
            "quantityFactor": 1,
            "logisticsStatus": _logistics_status_code(order),
            "gmtCreate": _time(order.created_at),
            "gmtModified": _time(order.modified_at),
            **({"skuID": item.sku_id, "specId": item.spec_id} if item.spec_id else {}),
        }
        for item in items
    ]
    paid = order.paid_at is not None
    terms = {"payStatus": "2" if paid else ("8" if order.cancelled_at else "1"), "payWay": "1",
             "phasAmount": _yuan(order.total_fen), "phase": order.order_id % 10**16}  # fmt: skip
    if paid:
        terms["payTime"] = _time(order.paid_at)
    return {
        "baseInfo": base,
        "nativeLogistics": logistics,
        "productItems": product_items,
        "tradeTerms": [terms],
        "orderRateInfo": {"buyerRateStatus": 5, "sellerRateStatus": 5},
        **({"extAttributes": []} if detail else {}),
    }


def _own_order(call: Call, value, *, name: str = "orderId", not_yours: str = "order.nopermission.buyer"):
    order_id = whole_number(name, value, minimum=1)
    order = SandboxOrder.objects.select_related("account").filter(order_id=order_id).first()
    if order is None:
        raise TradeRefusal("ORDER_NOT_EXIST", f"订单[{order_id}]不存在 (no such order)")
    if order.account_id != call.account.pk:
        raise TradeRefusal(not_yours, "您没有权限获取该订单的信息(买家) (not an order of the authorised buyer)")
    return advance(order)


@api(TRADE, "alibaba.trade.get.buyerView", required=("webSite", "orderId"))
def order_detail(call: Call):
    try:
        order = _own_order(call, call.params["orderId"])
    except TradeRefusal as refusal:
        return {"success": "false", "errorCode": refusal.code, "errorMessage": refusal.message}
    return {"result": _trade_info(call, order, detail=True), "success": "true"}


_GATEWAY_DATE = re.compile(r"([0-9]{14})([0-9]{3})?([+-][0-9]{4})?")


def _gateway_date(name: str, value: str) -> datetime:
    """A date parameter in the gateway form yyyyMMddHHmmssSSS+zzzz (Beijing when no zone is given)."""
    match = _GATEWAY_DATE.fullmatch(str(value).strip())
    if not match:
        raise param_error(name, value)
    try:
        moment = datetime.strptime(match[1] + (match[3] or "+0800"), "%Y%m%d%H%M%S%z")
    except ValueError:
        raise param_error(name, value) from None
    return moment


def _id_list(call: Call, name: str) -> list[int]:
    try:
        raw = json.loads(call.params[name])
    except ValueError:
        raise TradeRefusal("400", f"{name} must be a JSON array of order ids") from None
    if not isinstance(raw, list):
        raise TradeRefusal("400", f"{name} must be a JSON array of order ids")
    return [whole_number(name, value, minimum=1) for value in raw]


@api(TRADE, "alibaba.trade.getBuyerOrderList")
def buyer_order_list(call: Call):
    """The authorised buyer's orders, newest first; outOrderId finds the order an app placed with it."""
    params = call.params
    for order in SandboxOrder.objects.filter(account=call.account, cancelled_at__isnull=True,
                                             completed_at__isnull=True).exclude(paid_at=None):  # fmt: skip
        advance(order)
    orders = SandboxOrder.objects.select_related("account").filter(account=call.account)
    if params.get("orderStatus"):
        orders = orders.filter(status=plain(params["orderStatus"], 20))
    if params.get("outOrderId"):
        orders = orders.filter(out_order_id=plain(params["outOrderId"], 64))
    if params.get("orderIds"):
        try:
            orders = orders.filter(order_id__in=_id_list(call, "orderIds"))
        except TradeRefusal as refusal:
            return {"result": [], "totalRecord": 0, "errorCode": refusal.code, "errorMessage": refusal.message}
    if params.get("sellerLoginId"):
        orders = orders.filter(seller__login_id=plain(params["sellerLoginId"], 100))
    for name, lookup in (("createStartTime", "created_at__gte"), ("createEndTime", "created_at__lte"),
                         ("modifyStartTime", "modified_at__gte"), ("modifyEndTime", "modified_at__lte")):  # fmt: skip
        if params.get(name):
            orders = orders.filter(**{lookup: _gateway_date(name, params[name])})
    page = max(1, whole_number("page", params.get("page") or 1, maximum=INT_MAX))
    size = min(MAX_LIST_PAGE_SIZE, max(1, whole_number("pageSize", params.get("pageSize") or 20, maximum=INT_MAX)))
    total = orders.count()
    window = orders.order_by("-created_at", "-order_id").prefetch_related("items")[(page - 1) * size : page * size]
    return {"result": [_trade_info(call, o, detail=False) for o in window], "totalRecord": total}


# --- Paying and cancelling ---
def pay_signature(ids_text: str) -> str:
    """What makes a sandbox cashier link payable: a signature of its order ids (no 1688 login in the sandbox)."""
    return signing.Signer(salt=PAY_SALT).signature(ids_text)


def _pay_link(call: Call, name: str, limit: int) -> tuple[str, list[int]]:
    """(cashier URL, ids that cannot be paid) for the buyer's unpaid orders among `orderIdList`."""
    ids = _id_list(call, name)
    if not ids or len(ids) > limit:
        raise TradeRefusal("400", f"{name} must hold 1 to {limit} order ids")
    payable = set(
        SandboxOrder.objects.filter(account=call.account, order_id__in=ids, status="waitbuyerpay").values_list(
            "order_id", flat=True
        )
    )
    failed = [i for i in ids if i not in payable]
    if not payable:
        raise TradeRefusal("400_4", "没有可以支付的订单 (no order in the list can be paid: unpaid orders only)")
    ids_text = ";".join(str(i) for i in ids if i in payable)
    base = call.image_base.removesuffix("img/")
    return f"{base}pay/?orderId={ids_text}&sign={pay_signature(ids_text)}", failed


@api(TRADE, "alibaba.alipay.url.get", required=("orderIdList",))
def alipay_url(call: Call):
    """The cashier link for up to 100 unpaid orders (the sandbox's payment page)."""
    try:
        url, failed = _pay_link(call, "orderIdList", 100)
    except TradeRefusal as refusal:
        return {"success": False, "errorCode": refusal.code, "erroMsg": refusal.message}
    answer = {"payUrl": url, "success": True}
    if failed:
        answer["payFailureOrderList"] = failed
    return answer


@api(TRADE, "alibaba.crossBorderPay.url.get", required=("orderIdList",))
def cross_border_pay_url(call: Call):
    """The same cashier link for up to 30 orders, paid with 跨境宝 (success as a string, as the page types it)."""
    try:
        url, failed = _pay_link(call, "orderIdList", 30)
    except TradeRefusal as refusal:
        return {"success": "false", "errorCode": refusal.code, "errorMsg": refusal.message}
    return {"payUrl": url, "cantPayOrderList": failed, "success": "true"}


CANCEL_REASONS = ("buyerCancel", "sellerGoodsLack", "other")


@api(TRADE, "alibaba.trade.cancel", required=("webSite", "tradeID", "cancelReason"))
def cancel_order(call: Call):
    """Cancel an unpaid order of the buyer's; a paid one answers ORDER_STATUS_ERROR."""
    from django.conf import settings

    try:
        reason = call.params["cancelReason"].strip()
        if reason not in CANCEL_REASONS:
            raise TradeRefusal("400", f"cancelReason must be one of {', '.join(CANCEL_REASONS)}")
        order = _own_order(call, call.params["tradeID"], name="tradeID", not_yours="400_3")
        if order.status != "waitbuyerpay":
            raise TradeRefusal(
                "ORDER_STATUS_ERROR", f"订单状态错误：只能取消待付款的订单 (the order is {order.status})"
            )
        now = timezone.now()
        if (now - order.created_at).total_seconds() < settings.SANDBOX_CANCEL_MIN_AGE_SECONDS:
            raise TradeRefusal("CLOSE_ORDER_TOO_FAST", "订单创建后10秒内不能关闭 (too soon after the order was made)")
        closed = SandboxOrder.objects.filter(pk=order.pk, status="waitbuyerpay", paid_at=None).update(
            status="cancel", cancelled_at=now, modified_at=now, close_reason=reason
        )
        if not closed:  # paid in the meantime
            raise TradeRefusal("ORDER_STATUS_ERROR", "订单状态错误：只能取消待付款的订单 (the order was paid)")
        order.status = "cancel"
        messages.emit_order(order)
    except TradeRefusal as refusal:
        return {"success": False, "errorCode": refusal.code, "errorMessage": refusal.message}
    return {"success": True}


# --- Logistics ---
@api(LOGISTICS, "alibaba.trade.getLogisticsInfos.buyerView", required=("orderId", "webSite"))
def logistics_infos(call: Call):
    try:
        order = _own_order(call, call.params["orderId"])
        if order.shipped_at is None:
            raise TradeRefusal("500_2", "该订单还未发货，没有物流详情，请稍后再试 (not shipped yet)")
    except TradeRefusal as refusal:
        return {"success": False, "errorCode": refusal.code, "errorMessage": refusal.message}
    address, seller = order.address, order.seller
    items = list(order.items.order_by("pk"))
    sender_province = province(seller.get("province", ""))
    shipment = {
        "logisticsId": _logistics_id(order),
        "logisticsBillNo": order.logistics_bill_no,
        "orderEntryIds": ",".join(str(i.sub_item_id) for i in items),
        "status": logistics_status(order),
        **CARRIER,
        "remarks": "",
        "sendGoods": [{"goodName": i.name, "quantity": i.quantity, "unit": i.unit} for i in items],
        "receiver": {
            "receiverName": address.get("full_name", ""), "receiverPhone": address.get("phone", ""),
            "receiverMobile": address.get("mobile", ""), "encrypt": "CN",
            "receiverProvinceCode": address.get("province_code", ""),
            "receiverCountyCode": address.get("district_code", ""), "receiverAddress": address.get("street", ""),
            "receiverProvince": address.get("province_text", ""), "receiverCity": address.get("city", ""),
            "receiverCounty": address.get("district", ""),
        },
        "sender": {
            "senderName": seller.get("login_id", ""), "senderPhone": "", "senderMobile": "", "encrypt": "CN",
            "senderProvinceCode": sender_province[2] if sender_province else "",
            "senderAddress": seller.get("company", ""), "senderProvince": seller.get("province", ""),
            "senderCity": seller.get("city", ""),
        },
    }  # fmt: skip
    return {"result": [shipment], "success": True}


@api(LOGISTICS, "alibaba.trade.getLogisticsTraceInfo.buyerView", required=("orderId", "webSite"))
def logistics_trace(call: Call):
    """The parcel's steps so far: they appear one by one as time passes after shipping (sandbox/trade.py)."""
    try:
        order = _own_order(call, call.params["orderId"])
        wanted = str(call.params.get("logisticsId") or "").strip()
        if order.shipped_at is None or (wanted and wanted != _logistics_id(order)):
            raise TradeRefusal("404", "找不到对应的物流跟踪信息 (no logistics trace for this order yet)")
    except TradeRefusal as refusal:
        return {"success": False, "errorCode": refusal.code, "errorMessage": refusal.message}
    steps = [
        {"acceptTime": moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"), "remark": remark}
        for moment, remark in trace_steps(order)
    ]
    return {
        "logisticsTrace": [{"logisticsId": _logistics_id(order), "logisticsBillNo": order.logistics_bill_no,
                            "orderId": order.order_id, "logisticsSteps": steps}],
        "success": True,
    }  # fmt: skip


# --- product.freight.estimate ---
def _area_code(name: str, value, prefix: str) -> str:
    text = str(value or "").strip()
    if not re.fullmatch(r"[0-9]{6}", text) or not text.startswith(prefix):
        raise TradeRefusal("400", f"{name} must be a 6-digit area code inside the area above it (got {text[:12]!r})")
    return text


def _freight_ok(result: dict) -> dict:
    return {"result": {"success": True, "code": "S0000", "message": "成功", "result": result}}


def _freight_refused(code: str, message: str) -> dict:
    return {"result": {"success": False, "code": code, "message": message, "result": None}}


@api(CROSSBORDER, "product.freight.estimate", required=("productFreightQueryParamsNew",))
def freight_estimate(call: Call):
    """Domestic freight for an offer's option quantities to a district, by the seller's template (weight-based)."""
    query = call.json_param("productFreightQueryParamsNew")
    _require(query, "offerId", "toProvinceCode", "toCityCode", "toCountryCode", "totalNum")
    offer = _offer_or_error("offerId", query["offerId"])
    try:
        found = province(str(query["toProvinceCode"]).strip())
        if found is None or str(query["toProvinceCode"]).strip() != found[2]:
            raise TradeRefusal("400", "toProvinceCode must be a mainland China province code such as 330000")
        city = _area_code("toCityCode", query["toCityCode"], found[2][:2])
        _area_code("toCountryCode", query["toCountryCode"], city[:4])
        total = whole_number("totalNum", query["totalNum"], minimum=1, maximum=10_000_000)
        models = query.get("logisticsSkuNumModels") or []
        if not isinstance(models, list):
            raise TradeRefusal("400", "logisticsSkuNumModels must be a JSON array")
        skus = {str(o.sku_id) for o in options(offer) if o.sku_id}
        counted = 0
        for model in models:
            if not isinstance(model, dict) or str(model.get("skuId", "")).strip() not in skus:
                raise TradeRefusal(
                    "400", f"logisticsSkuNumModels: skuId {str(model)[:40]} is not an option of the offer"
                )
            counted += whole_number("number", model.get("number"), minimum=1, maximum=10_000_000)
        if models and counted != total:
            raise TradeRefusal("400", f"totalNum {total} is not the sum of logisticsSkuNumModels ({counted})")
    except TradeRefusal as refusal:
        return _freight_refused(refusal.code, refusal.message)
    supplier = offer.supplier
    kind = zone(supplier.province, found[0])
    first, further = FREIGHT_ZONES[kind]
    return _freight_ok({
        "offerId": offer.offer_id,
        "freight": _money_text(freight_fen(supplier.province, found[0], total * offer.weight_grams)),
        "templateId": template_id(supplier),
        "singleProductWeight": offer.weight_grams / 1000,
        "templateType": 2,
        "templateName": f"{supplier.province}发货运费模板",
        "subTemplateType": 0,
        "subTemplateName": f"快递（{ZONE_NAMES[kind]}）",
        "firstFee": _money_text(first),
        "firstUnit": "1",
        "nextFee": _money_text(further),
        "nextUnit": "1",
        "discount": "1",
        "chargeType": "0",
        "freePostage": False,
        "sizeValueType": 1,
    })  # fmt: skip
