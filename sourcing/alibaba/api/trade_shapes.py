"""What the buying APIs take and give, as the portal's types (the calls and readers: trade.py)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

MAX_ORDER_OPTIONS = 50  # createCrossOrder takes at most 50 options, all of one supplier
# The preview's refusal codes, as reasons a buyer can act on.
REASONS = {
    "500_001": "not_orderable",
    "500_003": "unknown_option",
    "500_004": "stock",
    "500_005": "moq",
    "500_009": "moq",
    "500_006": "mixed_batch",
    "500_008": "price",
}


# --- What the portal sends ---
@dataclass(frozen=True)
class ShipTo:
    """A ship-to address in 1688's text form (alibaba.trade.fast.address)."""

    full_name: str
    mobile: str
    province: str  # 浙江省
    city: str  # 杭州市
    district: str  # 滨江区
    street: str  # 网商路699号
    phone: str = ""
    post_code: str = ""
    town: str = ""
    district_code: str = ""  # 6 digits (330108), when known

    def as_param(self) -> dict:
        param = {
            "fullName": self.full_name, "mobile": self.mobile, "phone": self.phone, "postCode": self.post_code,
            "provinceText": self.province, "cityText": self.city, "areaText": self.district,
            "townText": self.town, "address": self.street,
        }  # fmt: skip
        if self.district_code:
            param["districtCode"] = self.district_code
        return param


@dataclass(frozen=True)
class CargoLine:
    """One option and its quantity (alibaba.trade.fast.cargo); spec_id "" for an offer without options."""

    offer_id: str
    spec_id: str
    quantity: int

    def as_param(self) -> dict:
        return {"offerId": int(self.offer_id), "specId": self.spec_id, "quantity": self.quantity}


# --- What comes back ---
@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    text: str
    description: str
    discount: Decimal  # yuan taken off
    selected: bool
    free_postage: bool


@dataclass
class PreviewLine:
    offer_id: str
    spec_id: str
    sku_id: str
    unit_price: Decimal  # final, promotions applied
    amount: Decimal
    promotions: list[Promotion] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # stock, moq, mixed_batch, ...
    codes: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def orderable(self) -> bool:
        return not self.codes

    @property
    def sample(self) -> bool:
        """Priced as a single sample (拿样): the sandbox names it with a cargo promotion (docs/1688-answers.md)."""
        return any(is_sample_promotion(p) for p in self.promotions)


@dataclass
class OrderPreview:
    """alibaba.createOrder.preview for one supplier's options: whether 1688 takes the order, and at what price."""

    orderable: bool
    flow: str
    goods: Decimal  # sumPaymentNoCarriage: the goods after promotions, without freight
    freight: Decimal  # sumCarriage
    discount: Decimal  # the shop promotion (discountFee)
    additional_fee: Decimal
    total: Decimal  # sumPayment
    lines: list[PreviewLine]
    shop_promotions: list[Promotion]
    trade_types: list[str]
    error_code: str = ""
    message: str = ""

    @property
    def reasons(self) -> list[str]:
        """Why 1688 would not take the order, once each (stock, moq, mixed_batch, …), in the lines' order."""
        found = [r for line in self.lines for r in line.reasons]
        if self.error_code in REASONS and not found:
            found.append(REASONS[self.error_code])
        return list(dict.fromkeys(found))

    @property
    def sample(self) -> bool:
        """Every option is priced as a sample: 1688 would take this as a sample order at the sample price."""
        return bool(self.lines) and all(line.sample for line in self.lines)

    def line(self, offer_id: str, spec_id: str) -> PreviewLine | None:
        return next((x for x in self.lines if x.offer_id == str(offer_id) and x.spec_id == spec_id), None)


@dataclass(frozen=True)
class FreightEstimate:
    offer_id: str
    freight: Decimal
    free_postage: bool
    first_fee: Decimal | None
    next_fee: Decimal | None
    first_unit: str
    next_unit: str
    charge_type: str  # 0 weight, 1 pieces, 2 volume
    unit_weight_kg: Decimal | None
    template_id: str
    template_name: str


@dataclass(frozen=True)
class CreatedOrder:
    order_id: str  # "" when 1688 split the order (see order_ids)
    total: Decimal | None  # totalSuccessAmount
    freight: Decimal | None  # postFee
    order_ids: list[str] = field(default_factory=list)


@dataclass
class OrderItem:
    offer_id: str
    spec_id: str
    sku_id: str
    name: str
    quantity: Decimal
    unit: str
    price: Decimal | None  # the unit price before the item's promotion
    amount: Decimal | None  # what is paid for the line
    status: str
    options: list[tuple[str, str]]
    image_url: str
    sub_item_id: str


@dataclass
class Order:
    """An order as the buyer sees it (alibaba.trade.get.buyerView, alibaba.trade.getBuyerOrderList)."""

    order_id: str
    status: str  # waitbuyerpay, waitsellersend, waitbuyerreceive, confirm_goods, success, cancel, ...
    out_order_id: str
    seller_login_id: str
    seller_member_id: str
    seller_company: str
    buyer_login_id: str
    total: Decimal | None
    goods: Decimal | None  # sumProductPayment
    freight: Decimal | None  # shippingFee
    discount: Decimal  # yuan taken off the order (1688 sends it in fen, negative)
    created_at: datetime | None
    paid_at: datetime | None
    shipped_at: datetime | None
    received_at: datetime | None
    completed_at: datetime | None
    close_reason: str
    receiver_area: str
    items: list[OrderItem]
    logistics_bill_nos: list[str]

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None or self.status in ("waitsellersend", "waitbuyerreceive", "confirm_goods",
                                                           "success")  # fmt: skip


@dataclass(frozen=True)
class OrderPage:
    total: int
    orders: list[Order]


@dataclass(frozen=True)
class PayLink:
    url: str
    unpayable_order_ids: list[str]


@dataclass(frozen=True)
class Shipment:
    logistics_id: str
    bill_no: str
    status: str  # WAITACCEPT, ACCEPT, TRANSPORT, SIGN, ...
    company_name: str
    company_no: str
    goods: list[tuple[str, str, str]]  # (name, quantity, unit)


@dataclass(frozen=True)
class TraceStep:
    at: datetime | None
    remark: str


@dataclass(frozen=True)
class Trace:
    logistics_id: str
    bill_no: str
    steps: list[TraceStep]


# --- Readers ---


def is_sample_promotion(promotion: Promotion) -> bool:
    """The cargo promotion that says "sample price" (样品价 / 拿样); UNCONFIRMED how live 1688 words it."""
    return promotion.promotion_id.lower().startswith("sample") or any(
        word in promotion.text for word in ("样品价", "拿样")
    )
