"""The dataclasses the wrappers answer with: offers, search pages, details, SKUs, categories, suppliers."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from .refs import MAX_SEARCH_RECORDS


@dataclass(frozen=True)
class CategoryRef:
    id: int
    name: str
    is_leaf: bool


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    level: int | None  # 1688 leaves it out (or sends 0): None then
    is_leaf: bool
    parent_ids: list[int]
    children: list[CategoryRef]


@dataclass(frozen=True)
class CategoryTranslation:
    id: int
    chinese_name: str
    translated_name: str
    language: str
    is_leaf: bool
    level: int | None
    parent_id: int | None
    children: list["CategoryTranslation"] = field(default_factory=list)


@dataclass(frozen=True)
class PriceTier:
    min_quantity: int
    price: Decimal


@dataclass(frozen=True)
class OfferSummary:
    offer_id: str
    subject: str
    subject_en: str
    image_url: str
    price: Decimal | None  # the low end when 1688 gives a range
    min_order_quantity: int | None
    month_sold: int | None
    repurchase_rate: str
    top_category_id: int | None
    second_category_id: int | None
    third_category_id: int | None
    seller_years: int | None
    company_name: str  # only image search items carry it
    detail_url: str  # the offer page, tracking parameters removed
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    seller_open_id: str = ""  # no search answer documents it; read when present
    ships_within_hours: int | None = None
    seller_data: dict[str, str] = field(default_factory=dict)  # sellerDataInfo, see read_seller_data
    badges: list[str] = field(default_factory=list)  # sellerIdentities and offerIdentities, in words
    company_address: str = ""  # image search items: "浙江省杭州市"
    listed_at: datetime | None = None  # createDate (Beijing time)
    # Seller identities in words (超级工厂, 实力商家, 源头工厂, 诚信通); None when the item has no sellerIdentities.
    seller_badges: list[str] | None = None
    trade_score: Decimal | None = None  # tradeScore, the offer's rating 0-5
    consign_price: Decimal | None = None  # priceInfo.consignPrice, the dropship price
    one_piece: bool | None = None  # isOnePsale: ships single pieces; None when not said


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    page_size: int
    total_pages: int  # as 1688 says: floor(total / size) + 1, one past the last item when it divides
    items: list[OfferSummary]

    @property
    def reachable(self) -> int:
        """How many records 1688 will page through (it counts and serves at most 2,000)."""
        return min(self.total, MAX_SEARCH_RECORDS)

    @property
    def last_page(self) -> int:
        """The last page that holds an item (at least 1)."""
        if self.page_size <= 0:
            return max(1, self.page)
        return max(1, -(-self.reachable // self.page_size))

    @property
    def has_next(self) -> bool:
        """Whether a next page can hold an item: never past the last item, never after a short page."""
        if not self.items or len(self.items) < self.page_size:
            return False
        return self.page < self.last_page


@dataclass(frozen=True)
class SkuAttribute:
    name: str  # never empty: "Option <id>" when 1688 does not name the attribute
    value: str
    name_en: str
    value_en: str
    image_url: str
    attribute_id: str = ""


@dataclass(frozen=True)
class Sku:
    sku_id: str
    spec_id: str
    price: Decimal | None  # None when the offer is priced by quantity only (quoteType 2)
    stock: int | None
    attributes: list[SkuAttribute]
    consign_price: Decimal | None = None  # the option's dropship price


@dataclass(frozen=True)
class ProductAttribute:
    name: str
    value: str
    name_en: str
    value_en: str
    attribute_id: str = ""


@dataclass(frozen=True)
class ProductDetail:
    offer_id: str
    category_id: int | None
    category_name: str
    subject: str
    subject_en: str
    description: str
    images: list[str]
    attributes: list[ProductAttribute]
    skus: list[Sku]
    price_tiers: list[PriceTier]
    unit: str
    unit_en: str
    min_order_quantity: int | None
    stock: int | None
    seller_open_id: str
    seller_login_id: str  # only alibaba.product.get gives it
    company_name: str
    ship_from: str
    weight_kg: Decimal | None
    out_of_stock: bool  # from the offer's and the SKUs' amountOnSale
    status: str
    detail_url: str
    sales_count: int | None = None  # queryProductDetail's `soldOut` is the sales count, not a flag
    quote_type: int | None = None  # 0 by quantity, 1 by SKU, 2 SKUs priced by quantity
    shipping_guarantee: str = ""  # shipIn24Hours, shipIn48Hours, ...
    ships_within_hours: int | None = None
    seller_data: dict[str, str] = field(default_factory=dict)  # sellerDataInfo, see read_seller_data
    badges: list[str] = field(default_factory=list)  # offerIdentities and true tagInfoList flags, in words
    listed_at: datetime | None = None  # createDate (Beijing time)
    top_category_id: int | None = None
    second_category_id: int | None = None
    third_category_id: int | None = None
    video_url: str = ""  # mainVideo (queryProductDetail) / mainVedio (alibaba.product.get, sic)
    detail_video_url: str = ""  # detailVideo / detailVedio
    seller_badges: list[str] = field(default_factory=list)  # seller identities the detail names (only adds)
    trade_score: Decimal | None = None
    consign_price: Decimal | None = None  # the lowest option's dropship price, else productSaleInfo's
    one_piece: bool | None = None  # tagInfoList isOnePsale (or a top-level isOnePsale)

    @property
    def sold_out(self) -> bool:
        """Old name of out_of_stock."""
        return self.out_of_stock


@dataclass(frozen=True)
class SupplierInfo:
    """A 1688 member as alibaba.account.agent.crossBasic or alibaba.account.basic describe it."""

    login_id: str
    company_name: str
    supplier_name: str
    shop_url: str
    category_name: str
    cross_border_member: bool
    member_id: str = ""  # "b2b-..."; account.basic only
    user_id: str = ""
    open_uid: str = ""
    seller_name: str = ""
    years: int | None = None  # 诚信通 years (tpYear)
    domains: list[str] = field(default_factory=list)

    @property
    def shop_domain(self) -> str:
        """The shop's host (e.g. trgm66666.1688.com), what crossBasic takes as `domain`."""
        try:
            return urlsplit(self.shop_url).hostname or ""
        except ValueError:
            return ""
