"""The buying APIs over HTTP: preview, freight, orders, payment page, cancel, shipping and the trace.

Time is moved by settings and by the orders' stored timestamps, never by sleeping.
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest
import requests

from sandbox import trade
from sandbox.catalog import is_sold_out, quote_type
from sandbox.models import SandboxOffer, SandboxOrder, SandboxSupplier
from sourcing.alibaba import api, errors

pytestmark = pytest.mark.django_db(transaction=True)
HANGZHOU = api.ShipTo(full_name="张三", mobile="15251667788", province="浙江省", city="杭州市", district="滨江区",
                      street="网商路699号", post_code="310052", district_code="330108")  # fmt: skip
URUMQI = api.ShipTo(full_name="李四", mobile="13800138000", province="新疆维吾尔自治区", city="乌鲁木齐市",
                    district="天山区", street="解放南路1号", district_code="650102")  # fmt: skip


@pytest.fixture(autouse=True)
def _steady(settings, sandbox_app):
    """Prices and stock hold still during a test, answers are full, and orders may be cancelled at once."""
    settings.SANDBOX_DRIFT_SECONDS = 10**9
    settings.SANDBOX_CANCEL_MIN_AGE_SECONDS = 0
    sandbox_app.answer_profile = "full"
    sandbox_app.save(update_fields=["answer_profile"])


def at_home(supplier: SandboxSupplier) -> api.ShipTo:
    """An address in the supplier's own province."""
    short, full, code, _region = trade.province(supplier.province)
    return api.ShipTo(full_name="王五", mobile="13900000000", province=full, city=supplier.city, district="某区",
                      street="工业路8号", district_code=code[:2] + "0102")  # fmt: skip


def on_sale(supplier):
    return [o for o in supplier.offers.order_by("offer_id") if not is_sold_out(o)]


def best_option(offer) -> trade.Option:
    return max(trade.options(offer), key=lambda o: o.stock)


def line(offer, quantity, option=None) -> api.CargoLine:
    return api.CargoLine(str(offer.offer_id), (option or best_option(offer)).spec_id, quantity)


def mixed_batch_supplier():
    """A seller who sells mixed batches, with a cheap offer whose MOQ is above 1 and another offer beside it."""
    for supplier in SandboxSupplier.objects.order_by("pk"):
        mix = trade.mix_setting(supplier)
        offers = on_sale(supplier)
        below = [o for o in offers if o.min_order_quantity > 1 and o.base_price < 40 and not trade.supports_samples(o)]
        if not mix.allowed or not below:
            continue
        other = next((o for o in offers if o != below[0] and best_option(o).stock >= mix.number), None)
        if other is not None:
            return supplier, mix, below[0], other
    raise AssertionError("the catalog has such a seller")


def test_preview_of_a_mixed_batch_group(client_1688, tokens, catalog):
    supplier, mix, small, other = mixed_batch_supplier()
    # given one piece of an offer whose MOQ is higher, alone: neither the pieces nor the amount reach the mix
    alone = api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(small, 1)])
    assert not alone.orderable and alone.reasons == ["mixed_batch"]
    assert alone.lines[0].codes == ["500_006"] and "混批" in alone.lines[0].message
    assert alone.error_code == "500_006"
    # when another offer of the seller brings the order to the mixed batch's piece count
    group = api.order_preview(client_1688, tokens.access_token, HANGZHOU,
                              [line(small, 1), line(other, mix.number)])  # fmt: skip
    # then 1688 takes it, below the first offer's MOQ, and prices every option
    assert group.orderable and group.reasons == [] and group.error_code == ""
    assert [x.offer_id for x in group.lines] == [str(small.offer_id), str(other.offer_id)]
    for x, quantity in zip(group.lines, (1, mix.number), strict=True):
        assert x.amount == x.unit_price * quantity
    assert group.goods == sum(x.amount for x in group.lines) - group.discount
    assert group.total == group.goods + group.freight + group.additional_fee
    assert group.freight > 0 and group.flow in ("general", "boutiquepifa") and group.trade_types == ["assureTrade"]
    assert SandboxOrder.objects.count() == 0  # a preview creates nothing


def test_preview_prices_at_the_quantity_with_promotions(client_1688, tokens, catalog):
    def fits(offer):
        options = trade.options(offer)
        return (quote_type(offer) == 2 and not is_sold_out(offer) and trade.has_item_promotion(offer)
                and offer.price_tiers[1][0] <= sum(o.stock for o in options))  # fmt: skip

    offer = next(o for o in SandboxOffer.objects.order_by("offer_id") if fits(o))
    detail = api.product_detail(client_1688, tokens.access_token, str(offer.offer_id))
    first, second = detail.price_tiers[0], detail.price_tiers[1]
    option = detail.skus[0]
    at_moq = api.order_preview(client_1688, tokens.access_token, HANGZHOU,
                               [api.CargoLine(str(offer.offer_id), option.spec_id, first.min_quantity)])  # fmt: skip
    # spread the second tier's quantity over the options, as far as each one's stock goes
    cargos, wanted = [], second.min_quantity
    for sku in sorted(detail.skus, key=lambda s: s.spec_id != option.spec_id):
        take = min(wanted, sku.stock)
        if take:
            cargos.append(api.CargoLine(str(offer.offer_id), sku.spec_id, take))
            wanted -= take
    deeper = api.order_preview(client_1688, tokens.access_token, HANGZHOU, cargos)

    def final(price):  # the tier's share off the option's own price, then the 5 % promotion
        return (price * Decimal("0.95")).quantize(Decimal("0.01"), ROUND_HALF_UP)

    assert at_moq.line(offer.offer_id, option.spec_id).unit_price == final(option.price)
    in_tier = (option.price * second.price / first.price).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert deeper.line(offer.offer_id, option.spec_id).unit_price == final(in_tier)
    assert deeper.line(offer.offer_id, option.spec_id).unit_price < at_moq.lines[0].unit_price
    promotion = at_moq.lines[0].promotions[0]
    assert promotion.text == "限时95折" and promotion.selected
    assert promotion.discount == (option.price - final(option.price)) * first.min_quantity


def test_not_orderable_for_stock_and_moq(client_1688, tokens, catalog):
    sold_out = next(o for o in SandboxOffer.objects.order_by("offer_id") if is_sold_out(o))
    empty = api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(sold_out, 1)])
    assert not empty.orderable and "stock" in empty.reasons and empty.lines[0].codes[0] == "500_004"
    strict = next(s for s in SandboxSupplier.objects.order_by("pk")
                  if not trade.mix_setting(s).allowed and any(o.min_order_quantity > 1 for o in on_sale(s)))  # fmt: skip
    offer = next(o for o in on_sale(strict) if o.min_order_quantity > 1 and not trade.supports_samples(o))
    below = api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(offer, offer.min_order_quantity - 1)])
    assert below.reasons == ["moq"] and below.lines[0].codes == ["500_005"]
    at = api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(offer, offer.min_order_quantity)])
    assert at.orderable


def test_one_piece_of_an_offer_that_sells_samples_is_a_sample_at_the_sample_price(client_1688, tokens, catalog):
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if trade.supports_samples(o) and not is_sold_out(o) and o.min_order_quantity > 1)  # fmt: skip
    option = best_option(offer)
    # given one piece of one option, below the offer's minimum order
    sample = api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(offer, 1, option)])
    # then 1688 takes it as a sample: MOQ waived, the sample price, no item promotion, the flow unchanged
    assert sample.orderable and sample.sample and sample.lines[0].sample
    expected = (trade.unit_price(offer, option, 1) * Decimal("1.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert sample.lines[0].unit_price == expected == sample.lines[0].amount
    assert [p.text for p in sample.lines[0].promotions] == ["样品价"]
    assert sample.flow == "general" and sample.total == sample.goods + sample.freight
    # two pieces, or one piece of an offer that sells no samples, are ordinary orders
    two = api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(offer, 2, option)])
    assert not two.sample and not two.lines[0].sample
    plain = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if not trade.supports_samples(o) and not is_sold_out(o))  # fmt: skip
    assert not api.order_preview(client_1688, tokens.access_token, HANGZHOU, [line(plain, 1)]).sample


def test_unknown_offers_and_options_and_two_suppliers_are_refused(client_1688, tokens, catalog):
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id") if o.sku_axes and not is_sold_out(o))
    with pytest.raises(errors.BusinessError) as unknown:
        api.order_preview(client_1688, tokens.access_token, HANGZHOU, [api.CargoLine("1", "x", 1)])
    assert unknown.value.code == "500_001"
    with pytest.raises(errors.BusinessError) as spec:
        api.order_preview(client_1688, tokens.access_token, HANGZHOU, [api.CargoLine(str(offer.offer_id), "nope", 1)])
    assert spec.value.code == "500_003"
    stranger = SandboxOffer.objects.exclude(supplier=offer.supplier).order_by("offer_id").first()
    with pytest.raises(errors.BusinessError) as two:
        api.create_order(client_1688, tokens.access_token, HANGZHOU, [line(offer, 5), line(stranger, 5)],
                         out_order_id="two-sellers")  # fmt: skip
    assert two.value.code == "500_002" and "同一卖家" in two.value.message
    with pytest.raises(errors.BusinessError) as too_many:
        api.create_order(client_1688, tokens.access_token, HANGZHOU,
                         [api.CargoLine(str(offer.offer_id), f"spec-{n}", 1) for n in range(51)],
                         out_order_id="fifty-one")  # fmt: skip
    assert "at most 50" in too_many.value.message
    assert SandboxOrder.objects.count() == 0


def test_freight_by_province_and_the_estimate_agrees(client_1688, tokens, catalog):
    supplier, _mix, _small, offer = mixed_batch_supplier()
    option = best_option(offer)
    cargo = [api.CargoLine(str(offer.offer_id), option.spec_id, 3)]
    home = api.order_preview(client_1688, tokens.access_token, at_home(supplier), cargo)
    remote = api.order_preview(client_1688, tokens.access_token, URUMQI, cargo)
    assert Decimal(0) < home.freight < remote.freight
    assert home.goods == remote.goods  # only the freight depends on the address
    estimate = api.freight_estimate(client_1688, tokens.access_token, str(offer.offer_id), province_code="650000",
                                    city_code="650100", district_code="650102",
                                    quantities={str(option.sku_id): 3} if option.sku_id else None,
                                    total=None if option.sku_id else 3)  # fmt: skip
    assert estimate.freight == remote.freight and not estimate.free_postage
    assert estimate.unit_weight_kg == Decimal(offer.weight_grams) / 1000
    kilos = -(-3 * offer.weight_grams // 1000)
    assert estimate.freight == estimate.first_fee + estimate.next_fee * (max(1, kilos) - 1)
    with pytest.raises(errors.BusinessError, match="inside the area above"):
        api.freight_estimate(client_1688, tokens.access_token, str(offer.offer_id), province_code="650000",
                             city_code="330100", district_code="330108", total=3)  # fmt: skip


def orderable_group():
    supplier, mix, small, other = mixed_batch_supplier()
    return supplier, [line(small, 1), line(other, mix.number)]


def test_create_is_once_per_out_order_id_and_shows_in_list_and_detail(client_1688, tokens, catalog):
    _supplier, cargos = orderable_group()
    preview = api.order_preview(client_1688, tokens.access_token, HANGZHOU, cargos)
    first = api.create_order(
        client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-1", message="尽快发货"
    )
    again = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-1")
    assert first.order_id == again.order_id and SandboxOrder.objects.count() == 1
    assert (first.total, first.freight) == (preview.total, preview.freight)
    other = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-2")
    assert other.order_id != first.order_id

    found = api.find_order(client_1688, tokens.access_token, "PO-1")
    assert found.order_id == first.order_id and found.status == "waitbuyerpay"
    assert api.find_order(client_1688, tokens.access_token, "PO-never") is None
    page = api.buyer_orders(client_1688, tokens.access_token)
    assert page.total == 2 and [o.order_id for o in page.orders] == [other.order_id, first.order_id]
    assert api.buyer_orders(client_1688, tokens.access_token, status="waitsellersend").total == 0

    detail = api.order_detail(client_1688, tokens.access_token, first.order_id)
    assert detail.out_order_id == "PO-1" and detail.buyer_login_id == "采购测试账号"
    assert (detail.total, detail.goods, detail.freight) == (preview.total, preview.goods, preview.freight)
    assert [(i.offer_id, i.spec_id, i.quantity) for i in detail.items] == [
        (c.offer_id, c.spec_id, c.quantity) for c in cargos
    ]
    assert [i.amount for i in detail.items] == [x.amount for x in preview.lines]
    assert detail.paid_at is None and not detail.is_paid and detail.receiver_area.startswith("浙江省 杭州市")


def pay(link: api.PayLink) -> requests.Response:
    page = requests.get(link.url, timeout=10)
    assert page.status_code == 200 and "确认付款 (Pay)" in page.text
    return requests.post(link.url, timeout=10)


def test_pay_page_marks_paid_and_cancel_only_while_unpaid(client_1688, tokens, catalog, settings):
    _supplier, cargos = orderable_group()
    to_pay = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-pay")
    to_cancel = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-cancel")
    link = api.pay_url(client_1688, tokens.access_token, [to_pay.order_id])
    assert link.unpayable_order_ids == []
    paid = pay(link)
    assert paid.status_code == 200 and "支付成功" in paid.text
    detail = api.order_detail(client_1688, tokens.access_token, to_pay.order_id)
    assert detail.status == "waitsellersend" and detail.is_paid and detail.paid_at is not None
    assert requests.get(link.url.replace("sign=", "sign=x"), timeout=10).status_code == 400  # a forged link

    with pytest.raises(errors.BusinessError) as refused:
        api.cancel_order(client_1688, tokens.access_token, to_pay.order_id)
    assert refused.value.code == "ORDER_STATUS_ERROR"
    api.cancel_order(client_1688, tokens.access_token, to_cancel.order_id, reason="buyerCancel")
    cancelled = api.order_detail(client_1688, tokens.access_token, to_cancel.order_id)
    assert cancelled.status == "cancel" and cancelled.close_reason == "buyerCancel"
    with pytest.raises(errors.BusinessError) as no_link:  # a cancelled order cannot be paid
        api.pay_url(client_1688, tokens.access_token, [to_cancel.order_id])
    assert no_link.value.code == "400_4"

    settings.SANDBOX_CANCEL_MIN_AGE_SECONDS = 10  # 1688: not within 10 seconds of creation
    fresh = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-fresh")
    with pytest.raises(errors.BusinessError) as too_fast:
        api.cancel_order(client_1688, tokens.access_token, fresh.order_id)
    assert too_fast.value.code == "CLOSE_ORDER_TOO_FAST"


def test_the_seller_ships_after_the_delay_and_the_trace_moves(client_1688, tokens, catalog, settings):
    settings.SANDBOX_SHIP_DELAY_SECONDS, settings.SANDBOX_TRACE_STEP_SECONDS = 3600, 600
    _supplier, cargos = orderable_group()
    order = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-ship")
    pay(api.pay_url(client_1688, tokens.access_token, [order.order_id], cross_border=True))
    with pytest.raises(errors.BusinessError) as not_yet:
        api.shipments(client_1688, tokens.access_token, order.order_id)
    assert not_yet.value.code == "500_2"
    with pytest.raises(errors.BusinessError):
        api.logistics_trace(client_1688, tokens.access_token, order.order_id)

    trade.rewind(int(order.order_id), 3600 + 60)  # the delay has passed: the seller shipped a minute ago
    shipped = api.order_detail(client_1688, tokens.access_token, order.order_id)
    assert shipped.status == "waitbuyerreceive" and shipped.shipped_at is not None and shipped.logistics_bill_nos
    (parcel,) = api.shipments(client_1688, tokens.access_token, order.order_id)
    assert parcel.status == "ACCEPT" and parcel.bill_no == shipped.logistics_bill_nos[0]
    (trace,) = api.logistics_trace(client_1688, tokens.access_token, order.order_id)
    assert len(trace.steps) == 1 and "揽件" in trace.steps[0].remark

    trade.rewind(int(order.order_id), 3 * 600)  # three steps later
    (trace,) = api.logistics_trace(client_1688, tokens.access_token, order.order_id)
    assert len(trace.steps) == 4 and trace.steps[-1].at > trace.steps[0].at
    assert api.shipments(client_1688, tokens.access_token, order.order_id)[0].status == "TRANSPORT"

    trade.rewind(int(order.order_id), 10 * 600)  # past the last step: signed for
    (trace,) = api.logistics_trace(client_1688, tokens.access_token, order.order_id)
    assert len(trace.steps) == len(trade.TRACE) and "签收" in trace.steps[-1].remark
    assert api.order_detail(client_1688, tokens.access_token, order.order_id).status == "confirm_goods"
    assert api.buyer_orders(client_1688, tokens.access_token, status="confirm_goods").total == 1
    trade.rewind(int(order.order_id), settings.SANDBOX_AUTO_CONFIRM_SECONDS)  # 1688 confirms receipt by itself
    done = api.order_detail(client_1688, tokens.access_token, order.order_id)
    assert done.status == "success" and done.completed_at > done.received_at > done.shipped_at > done.paid_at


def test_another_buyer_sees_none_of_the_orders(client_1688, tokens, catalog, live_server, sandbox_app):
    from sourcing.alibaba import oauth
    from tests.conftest import code_from, consent

    _supplier, cargos = orderable_group()
    order = api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-mine")
    code = code_from(consent(live_server, sandbox_app, login_id="另一个买家"))
    other = oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri).access_token
    assert api.buyer_orders(client_1688, other).total == 0
    assert api.find_order(client_1688, other, "PO-mine") is None
    with pytest.raises(errors.BusinessError) as detail:
        api.order_detail(client_1688, other, order.order_id)
    assert detail.value.code == "order.nopermission.buyer"
    with pytest.raises(errors.BusinessError) as cancel:
        api.cancel_order(client_1688, other, order.order_id)
    assert cancel.value.code == "400_3"


def test_permission_quota_and_faults_as_for_every_api(client_1688, tokens, catalog, sandbox_app):
    _supplier, cargos = orderable_group()
    sandbox_app.grant_all, sandbox_app.grants = False, ["com.alibaba.trade:alibaba.trade.get.buyerView-1"]
    sandbox_app.save(update_fields=["grant_all", "grants"])
    with pytest.raises(errors.AclDeclined) as denied:
        api.order_preview(client_1688, tokens.access_token, HANGZHOU, cargos)
    assert (denied.value.code, denied.value.http_status) == ("gw.APIACLDecline", 400)
    raw = requests.post(f"{client_1688.base_url}/param2/1/com.alibaba.trade/alibaba.trade.createCrossOrder/"
                        f"{client_1688.app_key}", data={}, timeout=10)  # fmt: skip
    assert raw.status_code == 400 and raw.json()["error_code"] == "gw.SignatureMissing"

    sandbox_app.grant_all, sandbox_app.daily_quota = True, 1
    sandbox_app.save(update_fields=["grant_all", "daily_quota"])
    api.order_preview(client_1688, tokens.access_token, HANGZHOU, cargos)
    with pytest.raises(errors.DailyQuotaExceeded) as spent:
        api.order_preview(client_1688, tokens.access_token, HANGZHOU, cargos)
    assert (spent.value.code, spent.value.http_status) == ("gw.QosAppDailyLimit", 400)

    sandbox_app.daily_quota, sandbox_app.fault_no_usage = 0, 1
    sandbox_app.save(update_fields=["daily_quota", "fault_no_usage"])
    with pytest.raises(errors.NoUsageLeft):
        api.create_order(client_1688, tokens.access_token, HANGZHOU, cargos, out_order_id="PO-quota")
    assert SandboxOrder.objects.count() == 0
    with pytest.raises(errors.TokenInvalid):
        api.buyer_orders(client_1688, "not-a-token")
