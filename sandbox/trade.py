"""The sandbox's buying rules: addresses, freight, promotions, mixed batches, order prices and order time.

Everything here is deterministic for a given catalog and clock, so a test (or the portal's quote) can
predict it: freight from a province table and the goods' weight, promotions and mixed-batch settings
from hashes of the offer and the seller, and an order's shipping and logistics trace from its
timestamps and the SANDBOX_* delays (docs/1688-answers.md, "Buying").
"""

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import messages
from .catalog import drift, quote_type, tier_prices
from .models import SandboxOffer, SandboxOrder, SandboxSupplier

MAX_ORDER_OPTIONS = 50  # createCrossOrder: "at most 50 SKUs, all from the same supplier"
MAX_QUANTITY = 10_000_000
FLOWS = ("general", "fenxiao", "saleproxy", "paired", "repurchase", "boutiquefenxiao", "boutiquepifa")
TRADE_TYPES = ("assureTrade",)
BOUTIQUE_FACTOR = Decimal("0.97")  # 精选货源 wholesale price (boutiquepifa) against the open market's


class TradeRefusal(Exception):
    """A business refusal with 1688's code (500_003, ORDER_STATUS_ERROR, ...); each API words it in its shape."""

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}")


# --- Mainland China: (short name, full name, GB/T 2260 code, region) ---
PROVINCES = [
    ("北京", "北京市", "110000", "north"), ("天津", "天津市", "120000", "north"), ("河北", "河北省", "130000", "north"),
    ("山西", "山西省", "140000", "north"), ("内蒙古", "内蒙古自治区", "150000", "north"),
    ("辽宁", "辽宁省", "210000", "northeast"), ("吉林", "吉林省", "220000", "northeast"),
    ("黑龙江", "黑龙江省", "230000", "northeast"), ("上海", "上海市", "310000", "east"), ("江苏", "江苏省", "320000", "east"),
    ("浙江", "浙江省", "330000", "east"), ("安徽", "安徽省", "340000", "east"), ("福建", "福建省", "350000", "east"),
    ("江西", "江西省", "360000", "east"), ("山东", "山东省", "370000", "east"), ("河南", "河南省", "410000", "central"),
    ("湖北", "湖北省", "420000", "central"), ("湖南", "湖南省", "430000", "central"), ("广东", "广东省", "440000", "south"),
    ("广西", "广西壮族自治区", "450000", "south"), ("海南", "海南省", "460000", "south"), ("重庆", "重庆市", "500000", "southwest"),
    ("四川", "四川省", "510000", "southwest"), ("贵州", "贵州省", "520000", "southwest"), ("云南", "云南省", "530000", "southwest"),
    ("西藏", "西藏自治区", "540000", "remote"), ("陕西", "陕西省", "610000", "northwest"), ("甘肃", "甘肃省", "620000", "northwest"),
    ("青海", "青海省", "630000", "northwest"), ("宁夏", "宁夏回族自治区", "640000", "northwest"),
    ("新疆", "新疆维吾尔自治区", "650000", "remote"),
]  # fmt: skip
BY_CODE = {code[:2]: (short, full, code, region) for short, full, code, region in PROVINCES}
BY_NAME = {name: (short, full, code, region) for short, full, code, region in PROVINCES for name in (short, full)}

# Freight in fen: (first kilogram, each further kilogram) by how far the goods travel.
FREIGHT_ZONES = {
    "same_province": (400, 100),
    "same_region": (600, 200),
    "national": (1000, 500),
    "remote": (2000, 1500),  # to 新疆 and 西藏
}
ZONE_NAMES = {"same_province": "省内", "same_region": "区域内", "national": "全国", "remote": "偏远地区"}


def province(value: str) -> tuple[str, str, str, str] | None:
    """(short, full, code, region) of a province given by name (浙江, 浙江省) or by any code in it (330108)."""
    text = str(value or "").strip()
    if re.fullmatch(r"[0-9]{6}", text):
        return BY_CODE.get(text[:2])
    return BY_NAME.get(text)


def zone(from_province: str, to_province: str) -> str:
    source, target = province(from_province), province(to_province)
    if source and target and source[0] == target[0]:
        return "same_province"
    if target and target[3] == "remote":
        return "remote"
    if source and target and source[3] == target[3]:
        return "same_region"
    return "national"


def chargeable_kg(grams: int) -> int:
    """Whole kilograms, rounded up, at least one (express templates charge by the started kilogram)."""
    return max(1, math.ceil(grams / 1000))


def freight_fen(from_province: str, to_province: str, grams: int) -> int:
    first, further = FREIGHT_ZONES[zone(from_province, to_province)]
    return first + further * (chargeable_kg(grams) - 1)


def template_id(supplier: SandboxSupplier) -> int:
    return 20000000 + _hash(f"template:{supplier.login_id}") % 10000000


# --- Seller and offer rules ---
def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


@dataclass(frozen=True)
class MixSetting:
    """A seller's mixed batch (混批): offers below their MOQ may be bought together when the order reaches
    `number` pieces or `amount` yuan of this seller's goods (queryProductDetail's sellerMixSetting)."""

    allowed: bool
    amount: int  # yuan
    number: int


def mix_setting(supplier: SandboxSupplier) -> MixSetting:
    h = _hash(f"mix:{supplier.login_id}")
    return MixSetting(allowed=h % 3 != 0, amount=(100, 200, 300)[h % 5 % 3], number=(3, 5, 10, 20)[h % 7 % 4])


ITEM_PROMOTION_RATE = Decimal("0.95")
SHOP_COUPON = (30000, 2000)  # 满300减20, in fen


def has_item_promotion(offer: SandboxOffer) -> bool:
    """About one offer in four is on a time-limited 5 % discount (限时95折)."""
    return offer.offer_id % 4 == 1


def has_shop_coupon(supplier: SandboxSupplier) -> bool:
    """About one seller in three gives 20 yuan off an order of 300 yuan or more (满300减20)."""
    return _hash(f"coupon:{supplier.login_id}") % 3 == 0


SAMPLE_FACTOR = Decimal("1.2")  # a sample costs a fifth more than the option's price for one piece


def supports_samples(offer: SandboxOffer) -> bool:
    """About one offer in three sells single samples (拿样): an order of one piece of one of its options is a sample."""
    return _hash(f"sample:{offer.offer_id}") % 3 == 0


def is_sample_order(cargos: list[tuple[SandboxOffer, "Option", int]]) -> bool:
    """One piece of one option of an offer that sells samples: MOQ and mixed batch are waived, the sample price paid."""
    return len(cargos) == 1 and cargos[0][2] == 1 and supports_samples(cargos[0][0])


def sample_price(offer: SandboxOffer, option: "Option", now: datetime | None = None) -> Decimal:
    """The option's price for one piece × 1.2, in cents (the sandbox's choice, docs/1688-answers.md "Samples")."""
    return (unit_price(offer, option, 1, now) * SAMPLE_FACTOR).quantize(Decimal("0.01"), ROUND_HALF_UP)


def is_boutique(offer: SandboxOffer) -> bool:
    """精选货源 (isJxhy in search answers): these offers also sell at the boutiquepifa flow's price."""
    return offer.offer_id % 5 == 0


# --- The options of an offer, as the detail answer lists them ---
@dataclass
class Option:
    index: int
    spec_id: str
    sku_id: int | None
    names: list[tuple[str, str]]  # (attribute name, value)
    price: Decimal
    stock: int


def options(offer: SandboxOffer, now: datetime | None = None) -> list[Option]:
    """The offer's options with price and stock right now, exactly as queryProductDetail lists them;
    an offer without options has one, with spec id ""."""
    from .apis import _skus, _spec_id  # the detail answer's own options (apis imports this module's users)

    price, stock = drift(offer, settings.SANDBOX_DRIFT_SECONDS, now)
    if not offer.sku_axes:
        return [Option(0, "", None, [], price, stock)]
    return [
        Option(index, _spec_id(offer, index), offer.offer_id * 100 + index,
               [(offer.sku_axes[a][0], value[0]) for a, value in enumerate(combo)], sku_price, sku_stock)
        for index, combo, sku_price, sku_stock in _skus(offer, price, stock)
    ]  # fmt: skip


def unit_price(offer: SandboxOffer, option: Option, offer_quantity: int, now: datetime | None = None) -> Decimal:
    """The option's unit price when `offer_quantity` pieces of the offer are bought (docs/1688-answers.md).

    quoteType 0: the tier that holds the quantity; 1: the option's own price; 2: the option's price
    with the tier's share taken off. Tiers count the offer's quantity across its options.
    """
    base, _stock = drift(offer, settings.SANDBOX_DRIFT_SECONDS, now)
    tiers = tier_prices(offer, base)
    tier = next((p for q, p in reversed(tiers) if offer_quantity >= q), tiers[0][1])
    kind = quote_type(offer)
    if kind == 0:
        return tier
    if kind == 1:
        return option.price
    return (option.price * tier / tiers[0][1]).quantize(Decimal("0.01"), ROUND_HALF_UP)


def fen(yuan: Decimal) -> int:
    return int((yuan * 100).quantize(Decimal("1"), ROUND_HALF_UP))


# --- Pricing an order ---
@dataclass
class Line:
    offer: SandboxOffer
    option: Option
    quantity: int
    price_fen: int = 0  # at the quantity, before the item promotion
    unit_price_fen: int = 0  # final
    promotion_fen: int = 0  # taken off this line by the item promotion
    sample: bool = False  # priced as a single sample (拿样): no promotion, MOQ and mixed batch waived
    problems: list[tuple[str, str]] = field(default_factory=list)  # (1688 code, message)

    @property
    def amount_fen(self) -> int:
        return self.unit_price_fen * self.quantity


@dataclass
class Address:
    province: str  # short name, e.g. 浙江
    province_text: str
    province_code: str
    city: str
    district: str
    town: str
    street: str
    full_name: str
    mobile: str
    phone: str
    post_code: str
    district_code: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Priced:
    """An order as 1688 would take it: lines, promotions, freight and totals, in fen."""

    supplier: SandboxSupplier
    lines: list[Line]
    address: Address
    flow: str
    shop_discount_fen: int = 0
    freight_fen: int = 0

    @property
    def items_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def goods_fen(self) -> int:
        """sumPaymentNoCarriage: the items after every promotion, without freight."""
        return self.items_fen - self.shop_discount_fen

    @property
    def total_fen(self) -> int:
        return self.goods_fen + self.freight_fen

    @property
    def problems(self) -> list[tuple[str, str]]:
        return [p for line in self.lines for p in line.problems]

    @property
    def sample(self) -> bool:
        return bool(self.lines) and all(line.sample for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.quantity * line.offer.weight_grams for line in self.lines)


def plain(value, limit: int = 200) -> str:
    """Text as the sandbox stores it: no NUL or other control characters (PostgreSQL refuses NUL), cut to size."""
    text = "" if value is None else str(value)
    return "".join(c for c in text if c >= " " or c in "\t\n").strip()[:limit]


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    return plain(value) if value not in (None, "") else ""


def read_address(raw) -> Address:
    """addressParam (alibaba.trade.fast.address) in its text form, or with a districtCode."""
    if not isinstance(raw, dict):
        raise TradeRefusal("400", "addressParam must be a JSON object")
    district_code = _text(raw, "districtCode")
    if raw.get("addressId") not in (None, "") and not (district_code or _text(raw, "provinceText")):
        raise TradeRefusal("400", "AddressId invalid:AddressId invalid (the sandbox keeps no saved addresses)")
    if district_code and not re.fullmatch(r"[0-9]{6}", district_code):
        raise TradeRefusal("400", "addressParam.districtCode must be a 6-digit area code")
    found = province(district_code or _text(raw, "provinceText"))
    if found is None:
        raise TradeRefusal("400", "收货地址省份无法识别 (addressParam: not a mainland China province)")
    if district_code and _text(raw, "provinceText") and province(_text(raw, "provinceText")) != found:
        raise TradeRefusal("400", "addressParam: districtCode is not in provinceText")
    for name in ("fullName", "address"):
        if not _text(raw, name):
            raise TradeRefusal("400", f"addressParam.{name} is required")
    if not (_text(raw, "mobile") or _text(raw, "phone")):
        raise TradeRefusal("400", "addressParam.mobile or addressParam.phone is required")
    if not district_code and not (_text(raw, "cityText") and _text(raw, "areaText")):
        raise TradeRefusal("400", "addressParam needs cityText and areaText, or a districtCode")
    short, full, code, _region = found
    return Address(
        province=short, province_text=_text(raw, "provinceText") or full, province_code=code,
        city=_text(raw, "cityText"), district=_text(raw, "areaText"), town=_text(raw, "townText"),
        street=_text(raw, "address"), full_name=_text(raw, "fullName"), mobile=_text(raw, "mobile"),
        phone=_text(raw, "phone"), post_code=_text(raw, "postCode"), district_code=district_code,
    )  # fmt: skip


def _quantity(value) -> int:
    if isinstance(value, bool):
        raise TradeRefusal("400", "cargoParamList: quantity must be a positive whole number")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise TradeRefusal("400", "cargoParamList: quantity must be a positive whole number") from None
    if not number.is_finite() or number != number.to_integral_value() or not 0 < number <= MAX_QUANTITY:
        raise TradeRefusal("400", "cargoParamList: quantity must be a positive whole number")
    return int(number)


def read_cargos(raw, offers_by_id) -> list[tuple[SandboxOffer, Option, int]]:
    """cargoParamList resolved to (offer, option, quantity); unknown offers and specs are refused as 1688 does."""
    if not isinstance(raw, list) or not raw:
        raise TradeRefusal("400", "cargoParamList must be a non-empty JSON array")
    resolved, seen = [], set()
    for cargo in raw:
        if not isinstance(cargo, dict):
            raise TradeRefusal("400", "cargoParamList items must be JSON objects")
        offer_id = cargo.get("offerId")
        offer = offers_by_id.get(str(offer_id).strip())
        if offer is None:
            raise TradeRefusal("500_001", f"商品[{str(offer_id)[:30]}]不支持在线交易，无法下单 (no such offer)")
        spec = str(cargo.get("specId") or "").strip()
        choices = options(offer)
        if not spec and choices[0].spec_id:
            raise TradeRefusal("500_002", f"商品[{offer.offer_id}]不属于同一卖家，或未指定specId (specId is required)")
        option = next((o for o in choices if o.spec_id == spec), None)
        if option is None:
            raise TradeRefusal(
                "500_003", f"商品[{offer.offer_id}]不属于同一卖家，或规格[{spec[:40]}]不属于商品[{offer.offer_id}]"
            )
        if (offer.offer_id, spec) in seen:
            raise TradeRefusal("400", f"cargoParamList names the option {offer.offer_id} {spec} twice")
        seen.add((offer.offer_id, spec))
        resolved.append((offer, option, _quantity(cargo.get("quantity"))))
    if len({offer.supplier_id for offer, _o, _q in resolved}) > 1:
        first = resolved[0][0]
        other = next(offer for offer, _o, _q in resolved if offer.supplier_id != first.supplier_id)
        raise TradeRefusal("500_002", f"商品[{other.offer_id}]不属于同一卖家 (one supplier per order)")
    return resolved


def offers_for(raw) -> dict[str, SandboxOffer]:
    """The offers a cargo list names, by their id as text."""
    ids = []
    for cargo in raw if isinstance(raw, list) else []:
        value = cargo.get("offerId") if isinstance(cargo, dict) else None
        text = str(value).strip()
        if re.fullmatch(r"[0-9]{1,18}", text):
            ids.append(int(text))
    found = SandboxOffer.objects.select_related("supplier").filter(offer_id__in=ids, listed=True)
    return {str(o.offer_id): o for o in found}


def price_order(cargos: list[tuple[SandboxOffer, Option, int]], address: Address, flow: str) -> Priced:
    """Price an order and note what 1688 would refuse: stock (500_004), MOQ (500_005), mixed batch (500_006)."""
    supplier = cargos[0][0].supplier
    by_offer: dict[int, int] = {}
    for offer, _option, quantity in cargos:
        by_offer[offer.offer_id] = by_offer.get(offer.offer_id, 0) + quantity
    boutique = flow == "boutiquepifa"
    sample = is_sample_order(cargos)
    lines = []
    for offer, option, quantity in cargos:
        line = Line(offer, option, quantity, sample=sample)
        if sample:  # the sample price replaces the tiers, the flow's price and the item promotion
            line.price_fen = line.unit_price_fen = fen(sample_price(offer, option))
        else:
            price = unit_price(offer, option, by_offer[offer.offer_id])
            if boutique:
                price = (price * BOUTIQUE_FACTOR).quantize(Decimal("0.01"), ROUND_HALF_UP)
            line.price_fen = fen(price)
            final = (
                (price * ITEM_PROMOTION_RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)
                if has_item_promotion(offer)
                else price
            )
            line.unit_price_fen = fen(final)
            line.promotion_fen = (line.price_fen - line.unit_price_fen) * quantity
        if quantity > option.stock:
            label = f"{offer.offer_id}_{option.spec_id}" if option.spec_id else str(offer.offer_id)
            line.problems.append(("500_004", f"商品[{label}]库存不足，请核实库存后再下单 (stock {option.stock})"))
        lines.append(line)
    priced = Priced(supplier, lines, address, flow)
    mix = mix_setting(supplier)
    mixed_ok = mix.allowed and (sum(by_offer.values()) >= mix.number or priced.items_fen >= mix.amount * 100)
    for line in lines:
        offer = line.offer
        if line.sample or by_offer[offer.offer_id] >= offer.min_order_quantity or mixed_ok:
            continue
        if mix.allowed:
            line.problems.append(("500_006", f"商品[{offer.offer_id}]的购买数量或金额不满足混批限制 "
                                  f"(below the MOQ of {offer.min_order_quantity}; the seller's mixed batch needs "
                                  f"{mix.number} pieces or {mix.amount} yuan)"))  # fmt: skip
        else:
            line.problems.append(("500_005", f"商品[{offer.offer_id}]的购买数量不满足起批量限制 "
                                  f"(minimum order {offer.min_order_quantity})"))  # fmt: skip
    coupon_from, coupon_off = SHOP_COUPON
    if has_shop_coupon(supplier) and priced.items_fen >= coupon_from:
        priced.shop_discount_fen = coupon_off
    priced.freight_fen = freight_fen(supplier.province, address.province, priced.weight_grams)
    return priced


def best_flow(cargos: list[tuple[SandboxOffer, Option, int]], flow: str) -> str:
    """The flow to price: as asked, or (empty) the cheapest 1688 offers: boutiquepifa when every offer is 精选货源."""
    if flow and flow not in FLOWS:
        raise TradeRefusal("400", f"flow {flow[:30]} is not one of {', '.join(FLOWS)}")
    if flow == "saleproxy":
        raise TradeRefusal("500_007", "与供应商的代销关系不存在，不能走saleproxy流程下单")
    if flow in ("boutiquepifa", "boutiquefenxiao"):
        outside = next((o for o, _p, _q in cargos if not is_boutique(o)), None)
        if outside is not None:
            raise TradeRefusal("500_001", f"商品[{outside.offer_id}]不是精选货源商品，不能走{flow}流程下单")
        return "boutiquepifa"
    if flow:
        return "general"
    boutique = all(is_boutique(o) for o, _p, _q in cargos) and sum(q for _o, _p, q in cargos) > 2
    return "boutiquepifa" if boutique else "general"


# --- An order over time ---
def ship_time(order: SandboxOrder) -> datetime | None:
    if order.paid_at is None:
        return None
    return order.paid_at + timedelta(seconds=settings.SANDBOX_SHIP_DELAY_SECONDS)


def advance(order: SandboxOrder, now: datetime | None = None) -> SandboxOrder:
    """Bring an order's status up to `now`: the seller ships after the delay, the parcel arrives after the trace's
    last step (confirm_goods), and the order completes after the auto-confirm time (success). Saved when moved."""
    now = now or timezone.now()
    if order.cancelled_at or order.paid_at is None or order.completed_at:
        return order
    before, changed = order.status, []
    if order.shipped_at is None and now >= ship_time(order):
        order.shipped_at = ship_time(order)
        order.logistics_bill_no = f"YT{7000000000000 + order.order_id % 10**12}"
        order.status = "waitbuyerreceive"
        changed += ["shipped_at", "logistics_bill_no", "status"]
    if order.shipped_at and order.received_at is None:
        arrived = order.shipped_at + timedelta(seconds=settings.SANDBOX_TRACE_STEP_SECONDS * (len(TRACE) - 1))
        if now >= arrived:
            order.received_at, order.status = arrived, "confirm_goods"
            changed += ["received_at", "status"]
    if order.received_at and order.completed_at is None:
        completed = order.received_at + timedelta(seconds=settings.SANDBOX_AUTO_CONFIRM_SECONDS)
        if now >= completed:
            order.completed_at, order.status = completed, "success"
            changed += ["completed_at", "status"]
    if changed:
        order.modified_at = max(
            getattr(order, f) for f in ("shipped_at", "received_at", "completed_at") if getattr(order, f)
        )
        # Conditional on the status it was read with: of two readers moving it at once, one saves and announces.
        with transaction.atomic():
            fields = {name: getattr(order, name) for name in {*changed, "modified_at"}}
            if SandboxOrder.objects.filter(pk=order.pk, status=before).update(**fields):
                announce_moves(order, before)
    if order.shipped_at:
        messages.emit_logistics(order, now)
    return order


def announce_moves(order: SandboxOrder, before: str) -> None:
    """The order messages of each status passed from `before` to the current one (shipped, received, completed)."""
    path = ["waitsellersend", "waitbuyerreceive", "confirm_goods", "success"]
    if before not in path or order.status not in path:
        return
    reached = {"waitbuyerreceive": order.shipped_at, "confirm_goods": order.received_at, "success": order.completed_at}
    for status in path[path.index(before) + 1 : path.index(order.status) + 1]:
        messages.emit_order(order, messages.TOPIC_BY_STATUS[status], reached[status])


# The steps of a domestic express parcel, worded as 1688's trace example words them.
TRACE = [
    "在{from_province}{from_city}公司进行揽件扫描",
    "在{from_province}{from_city}公司进行下级地点扫描，即将发往：{to_province}{to_city}分拨中心",
    "在分拨中心{from_province}{from_city}分拨中心进行称重扫描",
    "从{from_province}{from_city}分拨中心发出，本次转运目的地：{to_province}{to_city}分拨中心",
    "在分拨中心{to_province}{to_city}分拨中心进行卸车扫描",
    "到达目的地网点{to_province}{to_city}{to_district}公司，快件将很快进行派送",
    "在{to_province}{to_city}{to_district}公司进行派件扫描；派送业务员：李师傅；联系电话：95554",
    "快件已被 {receiver} 签收",
]


def trace_steps(order: SandboxOrder, now: datetime | None = None) -> list[tuple[datetime, str]]:
    """The steps the parcel has passed by `now`: one at shipping, then one every SANDBOX_TRACE_STEP_SECONDS."""
    if order.shipped_at is None:
        return []
    now = now or timezone.now()
    step = max(1, settings.SANDBOX_TRACE_STEP_SECONDS)
    passed = min(len(TRACE), int((now - order.shipped_at).total_seconds() // step) + 1)
    address, seller = order.address, order.seller
    words = {
        "from_province": seller.get("province", ""), "from_city": seller.get("city", ""),
        "to_province": address.get("province", ""), "to_city": address.get("city", ""),
        "to_district": address.get("district", ""), "receiver": address.get("full_name", ""),
    }  # fmt: skip
    return [(order.shipped_at + timedelta(seconds=step * n), TRACE[n].format(**words)) for n in range(passed)]


def logistics_status(order: SandboxOrder, now: datetime | None = None) -> str:
    """getLogisticsInfos' status: ACCEPT when picked up, TRANSPORT on the way, SIGN when signed for."""
    passed = len(trace_steps(order, now))
    if passed >= len(TRACE):
        return "SIGN"
    return "ACCEPT" if passed <= 1 else "TRANSPORT"


ORDER_TIMES = ("created_at", "modified_at", "paid_at", "shipped_at", "received_at", "completed_at", "cancelled_at")


def rewind(order_id: int, seconds: float) -> None:
    """Move an order's whole history `seconds` into the past, as if that much time had gone by (tests, demos).

    The next read brings its status up to date: shipping, the trace's steps, delivery, completion.
    """
    order = SandboxOrder.objects.get(order_id=order_id)
    shift = timedelta(seconds=seconds)
    for name in ORDER_TIMES:
        if getattr(order, name):
            setattr(order, name, getattr(order, name) - shift)
    order.save(update_fields=list(ORDER_TIMES))
