"""Typed wrappers for the APIs the portal uses (spec §8, §10, §11).

Each wrapper returns plain dataclasses; the field mapping from 1688's JSON is written once,
in the `_read_*` functions below. They read what the live gateway sends, awkward parts
included (docs/1688-answers.md): numbers as strings, price ranges ("125-128"), `"data": null`
on an empty page, relative image paths, tracking parameters on offer links.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from sourcing.alibaba import errors
from sourcing.alibaba.client import LIVE_IMAGE_HOST, AlibabaClient
from sourcing.alibaba.timefmt import parse_gateway_time

IMAGE_HOST = LIVE_IMAGE_HOST
CROSSBORDER = "com.alibaba.fenxiao.crossborder"
# 1688 search answers count at most this many records; pages past them are never served.
MAX_SEARCH_RECORDS = 2000


# Every API the portal calls, as namespace:name-version, with whether it needs a user token.
@dataclass(frozen=True)
class ApiRef:
    namespace: str
    name: str
    version: int = 1
    needs_token: bool = True

    @property
    def id(self) -> str:
        return f"{self.namespace}:{self.name}-{self.version}"


CATEGORY_GET = ApiRef("com.alibaba.product", "alibaba.category.get", needs_token=False)
CATEGORY_TRANSLATION = ApiRef(CROSSBORDER, "category.translation.getById")
KEYWORD_SEARCH = ApiRef(CROSSBORDER, "product.search.keywordQuery")
IMAGE_UPLOAD = ApiRef(CROSSBORDER, "product.image.upload")
IMAGE_SEARCH = ApiRef(CROSSBORDER, "product.search.imageQuery")
PRODUCT_DETAIL = ApiRef(CROSSBORDER, "product.search.queryProductDetail")
PRODUCT_GET = ApiRef("com.alibaba.product", "alibaba.product.get")
SELLER_OFFERS = ApiRef(CROSSBORDER, "product.search.querySellerOfferList")
SUPPLIER_INFO = ApiRef("com.alibaba.account", "alibaba.account.agent.crossBasic")
OPENUID_ENCRYPT = ApiRef("com.alibaba.account", "loginid.openuid.encrypt")
WANGWANG_URL = ApiRef("com.alibaba.account", "account.wangwangUrl.get")
PORTAL_APIS = [
    CATEGORY_GET, CATEGORY_TRANSLATION, KEYWORD_SEARCH, IMAGE_UPLOAD, IMAGE_SEARCH, PRODUCT_DETAIL,
    PRODUCT_GET, SELLER_OFFERS, SUPPLIER_INFO, OPENUID_ENCRYPT, WANGWANG_URL,
]  # fmt: skip
# The connected account's own profile; every app may call it, so it is not listed for permissions.
ACCOUNT_BASIC = ApiRef("com.alibaba.account", "alibaba.account.basic")


# --- dataclasses ---
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


# --- field readers: the one place where 1688 names meet ours ---
def _decimal(value: Any) -> Decimal | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _first_decimal(*values: Any) -> Decimal | None:
    return next((d for d in map(_decimal, values) if d is not None), None)


def _int(value: Any) -> int | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip().split(".")[0])
    except ValueError:
        return None


def _bool(value: Any) -> bool:
    """1688 sends flags as booleans or as the strings "true"/"false"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def price_range(value: Any) -> tuple[Decimal | None, Decimal | None]:
    """A price as (low, high): "125-128" gives both ends, "12.5" or 12.5 gives it twice."""
    text = str(value if value is not None else "").strip()
    low_text, dash, high_text = text.partition("-")
    if dash and low_text:
        low, high = _decimal(low_text), _decimal(high_text)
        if low is None or high is None:
            return (low or high), (low or high)
        return min(low, high), max(low, high)
    price = _decimal(text)
    return price, price


def image_url(path: Any, host: str = IMAGE_HOST) -> str:
    """Absolute image URL; 1688 often gives paths relative to its image host."""
    text = str(path or "").strip()
    if not text or text.startswith(("http://", "https://")):
        return text
    if text.startswith("//"):
        return "https:" + text
    return host.rstrip("/") + "/" + text.lstrip("/")


def video_url(value: Any) -> str:
    """A video link as 1688 gives it (absolute or `//…`): an https/http URL, or "" for anything else."""
    text = str(value or "").strip() if isinstance(value, str) else ""
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
        return text if parts.scheme in ("http", "https") and parts.hostname and len(text) <= 500 else ""
    except ValueError:
        return ""


def offer_page_url(offer_id: Any) -> str:
    """The public offer page (spec §11): the link to show when no chat link can be had."""
    text = str(offer_id or "").strip()
    return f"https://detail.1688.com/offer/{text}.html" if text.isascii() and text.isdigit() else ""


detail_url = offer_page_url  # the older name


def absolute_http(value: Any) -> tuple[str, str, SplitResult] | None:
    """(the URL, its host, its parts) when `value` is an absolute http(s) URL; protocol-relative `//host/…`
    is taken as https. None for anything else."""
    text = str(value or "").strip()
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return text, host, parts


def clean_offer_url(url: Any) -> str:
    """A 1688 link without its tracking parameters (`?fromkv=…&kjSource=pc`), or "" when not a link."""
    found = absolute_http(url)
    if found is None:
        return ""
    text, host, parts = found
    if host == "1688.com" or host.endswith(".1688.com"):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return text


def offer_link(offer_id: Any, promotion_url: Any = "") -> str:
    """The offer's page: the cleaned promotion link when 1688 gave a real one, else the plain page."""
    return clean_offer_url(promotion_url) or offer_page_url(offer_id)


def ships_within_hours(guarantee: Any) -> int | None:
    """Hours from the shippingTimeGuarantee enum: shipIn24Hours → 24, shipIn48Hours → 48."""
    found = re.fullmatch(r"shipIn(\d{1,3})Hours", str(guarantee or "").strip())
    return int(found.group(1)) if found else None


def option_name(attribute_id: Any) -> str:
    """The label of a SKU option 1688 gave no name for."""
    text = str(attribute_id or "").strip()
    return f"Option {text}" if text else "Option"


# sellerDataInfo keys → ours (scores are strings "0.0"-"5.0"; repeatPurchasePercent is a fraction in
# detail answers ("0.4666") and a percent in search items ("11")).
SELLER_DATA_KEYS = {
    "compositeServiceScore": "service",
    "logisticsExperienceScore": "logistics",
    "disputeComplaintScore": "dispute",
    "offerExperienceScore": "offer",
    "consultingExperienceScore": "consulting",
    "afterSalesExperienceScore": "after_sales",
    "tradeMedalLevel": "trade_medal_level",
    "repeatPurchasePercent": "repurchase",
    "tpYear": "years",
}
# Identity codes seen in sellerIdentities / offerIdentities / tagInfoList, as buyers know them.
BADGE_WORDS = {
    "powerful_merchants": "实力商家",
    "super_factory": "超级工厂",
    "source_factory": "源头工厂",
    "tp_member": "诚信通",
    "诚信通会员": "诚信通",
    "yx": "严选",
    "isOnePsale": "一件代发",
    "isSelect": "精选货源",
}


def read_seller_data(raw: Any) -> dict[str, str]:
    """sellerDataInfo as {"service": "4.5", "repurchase": "46.66", "years": "3", ...}; repurchase in percent."""
    data = {}
    for key, ours in SELLER_DATA_KEYS.items():
        value = _dict(raw).get(key)
        if value in (None, "") or isinstance(value, dict | list):
            continue
        if ours == "repurchase":
            number = _decimal(str(value).strip().rstrip("%"))
            if number is None:
                continue
            percent = number * 100 if number <= 1 and "%" not in str(value) and "." in str(value) else number
            value = str(percent.quantize(Decimal("0.01")))
        data[ours] = str(value).strip()
    return data


# The seller identities a buyer weighs (docs/supplier-trust.md); the two factory ones make "verified factory".
SELLER_BADGES = ("超级工厂", "源头工厂", "实力商家", "诚信通")
FACTORY_BADGES = ("超级工厂", "源头工厂")


def badge_word(code: Any) -> str:
    """An identity as buyers know it: `super_factory`, `super_factory-超级工厂` and `超级工厂` all give 超级工厂."""
    text = str(code).strip() if isinstance(code, str | int) and not isinstance(code, bool) else ""
    if text in BADGE_WORDS:
        return BADGE_WORDS[text]
    head, dash, tail = text.partition("-")  # the field table's "code-word" form
    if dash and head in BADGE_WORDS:
        return BADGE_WORDS[head]
    return BADGE_WORDS.get(tail, tail) if dash and tail else text


def read_seller_badges(*lists: Any, tags: Any = None) -> list[str]:
    """Only the seller identities (超级工厂, 源头工厂, 实力商家, 诚信通) among identity lists and tags."""
    return [b for b in read_badges(*lists, tags=tags) if b in SELLER_BADGES]


def read_score(value: Any) -> Decimal | None:
    """A 0-5 rating ("5.0", 4.5) to one decimal, or None."""
    number = _decimal(value)
    return number.quantize(Decimal("0.1")) if number is not None and 0 <= number <= 5 else None


def read_flag(value: Any) -> bool | None:
    """A flag that may be absent: None when not said, else True/False (booleans or "true"/"false")."""
    if value is None or value == "":
        return None
    return _bool(value)


def read_badges(*lists: Any, tags: Any = None) -> list[str]:
    """Identity codes and true tag flags, in words, without repeats."""
    seen: list[str] = []
    codes = [badge_word(c) for values in lists for c in _list(values) if isinstance(c, str | int)]
    codes += [str(t.get("key")) for t in _list(tags) if isinstance(t, dict) and _bool(t.get("value"))]
    for code in codes:
        word = BADGE_WORDS.get(code, code)
        if word and word not in seen:
            seen.append(word)
    return seen


def read_listed_at(value: Any) -> datetime | None:
    """1688's createDate ("2024-04-20 08:00:00", Beijing time), or None."""
    try:
        return parse_gateway_time(str(value)) if value else None
    except ValueError:
        return None


def _read_offer(item: dict, image_host: str = IMAGE_HOST) -> OfferSummary:
    low, high = price_range(_dict(item.get("priceInfo")).get("price"))
    seller = _dict(item.get("sellerDataInfo"))
    shipping = _dict(item.get("productSimpleShippingInfo"))
    offer_id = str(item.get("offerId") or "")
    return OfferSummary(
        offer_id=offer_id,
        subject=str(item.get("subject") or ""),
        subject_en=str(item.get("subjectTrans") or ""),
        image_url=image_url(item.get("imageUrl"), image_host),
        price=low,
        min_order_quantity=_int(item.get("minOrderQuantity")),
        month_sold=_int(item.get("monthSold")),
        repurchase_rate=str(item.get("repurchaseRate") or ""),
        top_category_id=_int(item.get("topCategoryId")),
        second_category_id=_int(item.get("secondCategoryId")),
        third_category_id=_int(item.get("thirdCategoryId")),
        seller_years=_int(seller.get("tpYear")),
        company_name=str(item.get("companyName") or ""),
        detail_url=offer_link(offer_id, item.get("promotionURL")),
        price_min=low,
        price_max=high,
        seller_open_id=str(item.get("sellerOpenId") or ""),
        ships_within_hours=ships_within_hours(shipping.get("shippingTimeGuarantee")),
        seller_data=read_seller_data(seller),
        badges=read_badges(item.get("sellerIdentities"), item.get("offerIdentities")),
        company_address=str(item.get("companyAddress") or ""),
        listed_at=read_listed_at(item.get("createDate")),
        seller_badges=(
            read_seller_badges(item.get("sellerIdentities"), item.get("offerIdentities"))
            if isinstance(item.get("sellerIdentities"), list)
            else None
        ),  # fmt: skip
        trade_score=read_score(item.get("tradeScore")),
        consign_price=_decimal(_dict(item.get("priceInfo")).get("consignPrice")),
        one_piece=read_flag(item.get("isOnePsale")),
    )


def _page_of(body: Any, api: str) -> dict:
    """The page object at result.result of the cross-border search APIs ({} when 1688 sends null)."""
    try:
        page = body["result"]["result"]
    except (KeyError, TypeError):
        raise errors.MalformedResponse("The answer has no result page.", api=api) from None
    if page is None:
        return {}
    if not isinstance(page, dict) or not isinstance(page.get("data") or [], list):
        raise errors.MalformedResponse("The result page is not a list of offers.", api=api)
    return page


def _read_search_page(
    body: Any, api: str, *, page: int = 1, page_size: int = 20, image_host: str = IMAGE_HOST
) -> SearchPage:
    raw = _page_of(body, api)
    items = [_read_offer(item, image_host) for item in raw.get("data") or [] if isinstance(item, dict)]
    return SearchPage(
        total=max(0, _int(raw.get("totalRecords")) or 0),
        page=_int(raw.get("currentPage")) or page,
        page_size=_int(raw.get("pageSize")) or page_size,
        total_pages=_int(raw.get("totalPage")) or 0,
        items=items,
    )


def _read_tiers(rows) -> list[PriceTier]:
    """Quantity price tiers, lowest start quantity first; rows without a price are skipped."""
    tiers = [
        PriceTier(min_quantity=_int(t.get("startQuantity")) or 1, price=_decimal(t.get("price")))
        for t in _list(rows)
        if isinstance(t, dict) and _decimal(t.get("price")) is not None
    ]
    return sorted(tiers, key=lambda t: t.min_quantity)


def _out_of_stock(stock: int | None, skus: list[Sku]) -> bool:
    """Nothing on sale: the offer says 0, or every SKU says 0. Unknown stock is not "out"."""
    if stock is not None and stock <= 0:
        return True
    known = [s.stock for s in skus if s.stock is not None]
    return bool(skus) and len(known) == len(skus) and all(n <= 0 for n in known)


def _read_sku(raw: dict, image_host: str = IMAGE_HOST) -> Sku:
    """A SKU of queryProductDetail."""
    attributes = []
    for a in _list(raw.get("skuAttributes")):
        if not isinstance(a, dict):
            continue
        attribute_id = str(a.get("attributeId") or "")
        attributes.append(
            SkuAttribute(
                name=str(a.get("attributeName") or "") or option_name(attribute_id),
                value=str(a.get("value") or ""),
                name_en=str(a.get("attributeNameTrans") or ""),
                value_en=str(a.get("valueTrans") or ""),
                image_url=image_url(a.get("skuImageUrl"), image_host),
                attribute_id=attribute_id,
            )
        )
    return Sku(
        sku_id=str(raw.get("skuId") or ""),
        spec_id=str(raw.get("specId") or ""),
        price=_first_decimal(raw.get("price"), _dict(raw.get("fenxiaoPriceInfo")).get("offerPrice")),
        stock=_int(raw.get("amountOnSale")),
        attributes=attributes,
        consign_price=_decimal(raw.get("consignPrice")),
    )


def _read_detail(raw: dict, image_host: str = IMAGE_HOST) -> ProductDetail:
    """The ProductDetailModel of queryProductDetail."""
    sale = _dict(raw.get("productSaleInfo"))
    unit = _dict(sale.get("unitInfo"))
    shipping = _dict(raw.get("productShippingInfo"))
    offer_id = str(raw.get("offerId") or "")
    skus = [_read_sku(s, image_host) for s in _list(raw.get("productSkuInfos")) if isinstance(s, dict)]
    stock = _int(sale.get("amountOnSale"))
    guarantee = str(shipping.get("shippingTimeGuarantee") or "")
    return ProductDetail(
        offer_id=offer_id,
        category_id=_int(raw.get("categoryId")),
        category_name=str(raw.get("categoryName") or ""),
        subject=str(raw.get("subject") or ""),
        subject_en=str(raw.get("subjectTrans") or ""),
        description=str(raw.get("description") or ""),
        images=[image_url(i, image_host) for i in _list(_dict(raw.get("productImage")).get("images")) if i],
        attributes=[
            ProductAttribute(
                name=str(a.get("attributeName") or ""),
                value=str(a.get("value") or ""),
                name_en=str(a.get("attributeNameTrans") or ""),
                value_en=str(a.get("valueTrans") or ""),
                attribute_id=str(a.get("attributeId") or ""),
            )
            for a in _list(raw.get("productAttribute"))
            if isinstance(a, dict)
        ],
        skus=skus,
        price_tiers=_read_tiers(sale.get("priceRangeList")),
        unit=str(unit.get("unit") or ""),
        unit_en=str(unit.get("transUnit") or ""),
        min_order_quantity=_int(raw.get("minOrderQuantity")),
        stock=stock,
        seller_open_id=str(raw.get("sellerOpenId") or ""),
        seller_login_id="",
        company_name=str(raw.get("companyName") or ""),
        ship_from=str(shipping.get("sendGoodsAddressText") or ""),
        weight_kg=_decimal(shipping.get("weight")),
        out_of_stock=_out_of_stock(stock, skus),
        status=str(raw.get("status") or ""),
        detail_url=offer_link(offer_id, raw.get("promotionUrl") or raw.get("promotionURL")),
        sales_count=_int(raw.get("soldOut")),
        quote_type=_int(sale.get("quoteType")),
        shipping_guarantee=guarantee,
        ships_within_hours=ships_within_hours(guarantee),
        seller_data=read_seller_data(raw.get("sellerDataInfo")),
        badges=read_badges(raw.get("offerIdentities"), raw.get("sellerIdentities"), tags=raw.get("tagInfoList")),
        listed_at=read_listed_at(raw.get("createDate")),
        top_category_id=_int(raw.get("topCategoryId")),
        second_category_id=_int(raw.get("secondCategoryId")),
        third_category_id=_int(raw.get("thirdCategoryId")),
        video_url=video_url(raw.get("mainVideo")),
        detail_video_url=video_url(raw.get("detailVideo")),
        seller_badges=read_seller_badges(raw.get("sellerIdentities"), raw.get("offerIdentities")),
        trade_score=read_score(raw.get("tradeScore")),
        consign_price=min((s.consign_price for s in skus if s.consign_price is not None), default=None)
        or _decimal(sale.get("consignPrice")),
        one_piece=_one_piece(raw),
    )


def _one_piece(raw: dict) -> bool | None:
    """Whether a detail says the offer ships single pieces: tagInfoList's isOnePsale, else a top-level flag."""
    for tag in _list(raw.get("tagInfoList")):
        if isinstance(tag, dict) and tag.get("key") == "isOnePsale":
            return read_flag(tag.get("value"))
    return read_flag(raw.get("isOnePsale"))


def _read_product_info(raw: dict, image_host: str = IMAGE_HOST) -> ProductDetail:
    """The classic ProductInfo model of alibaba.product.get, mapped onto ProductDetail.

    SKU attributes carry only attributeID and attributeValue: the option's name comes from the
    product's own attribute list when it has that id, else it reads "Option <id>".
    """
    sale = _dict(raw.get("saleInfo"))
    shipping = _dict(raw.get("shippingInfo"))
    offer_id = str(raw.get("productID") or "")
    attributes = [a for a in _list(raw.get("attributes")) if isinstance(a, dict)]
    names = {str(a.get("attributeID")): str(a.get("attributeName")) for a in attributes if a.get("attributeName")}
    skus = []
    for s in _list(raw.get("skuInfos")):
        if not isinstance(s, dict):
            continue
        options = []
        for a in _list(s.get("attributes")):
            if not isinstance(a, dict):
                continue
            attribute_id = str(a.get("attributeID") or "")
            name = a.get("attributeDisplayName") or a.get("attributeName") or names.get(attribute_id)
            options.append(
                SkuAttribute(
                    name=str(name or "") or option_name(attribute_id),
                    value=str(a.get("attributeValue") or ""),
                    name_en="",
                    value_en="",
                    image_url=image_url(a.get("skuImageUrl"), image_host),
                    attribute_id=attribute_id,
                )
            )
        skus.append(
            Sku(
                sku_id=str(s.get("skuId") or ""),
                spec_id=str(s.get("specId") or ""),
                price=_decimal(s.get("price")),
                stock=_int(s.get("amountOnSale")),
                attributes=options,
            )
        )
    stock = _int(sale.get("amountOnSale"))
    return ProductDetail(
        offer_id=offer_id,
        category_id=_int(raw.get("categoryID")),
        category_name=str(raw.get("categoryName") or ""),
        subject=str(raw.get("subject") or ""),
        subject_en="",
        description=str(raw.get("description") or ""),
        images=[image_url(i, image_host) for i in _list(_dict(raw.get("image")).get("images")) if i],
        attributes=[
            ProductAttribute(
                name=str(a.get("attributeName") or ""),
                value=str(a.get("value") or ""),
                name_en="",
                value_en="",
                attribute_id=str(a.get("attributeID") or ""),
            )
            for a in attributes
        ],
        skus=skus,
        price_tiers=_read_tiers(sale.get("priceRanges")),
        unit=str(sale.get("unit") or ""),
        unit_en="",
        min_order_quantity=_int(sale.get("minOrderQuantity")),
        stock=stock,
        seller_open_id="",
        seller_login_id=str(raw.get("sellerLoginId") or raw.get("supplierLoginId") or ""),
        company_name="",
        ship_from=str(shipping.get("sendGoodsAddressText") or ""),
        weight_kg=_decimal(shipping.get("unitWeight")),
        out_of_stock=_out_of_stock(stock, skus),
        status=str(raw.get("status") or ""),
        detail_url=offer_page_url(offer_id),
        sales_count=_int(raw.get("bookedCount")),
        quote_type=_int(sale.get("quoteType")),
        video_url=video_url(raw.get("mainVedio") or raw.get("mainVideo")),  # "Vedio" (sic) in this model
        detail_video_url=video_url(raw.get("detailVedio") or raw.get("detailVideo")),
    )


def _read_translation(raw: dict) -> CategoryTranslation:
    return CategoryTranslation(
        id=_int(raw.get("categoryId")) or 0,
        chinese_name=str(raw.get("chineseName") or ""),
        translated_name=str(raw.get("translatedName") or ""),
        language=str(raw.get("language") or ""),
        is_leaf=_bool(raw.get("leaf")),
        level=_int(raw.get("level")),
        parent_id=_int(raw.get("parentCateId")),
        children=[_read_translation(c) for c in _list(raw.get("children")) if isinstance(c, dict)],
    )


def _read_category(info: dict) -> Category:
    return Category(
        id=_int(info.get("categoryID")) or 0,
        name=str(info.get("name") or ""),
        level=_int(info.get("level")) or None,
        is_leaf=_bool(info.get("isLeaf")),
        parent_ids=[p for p in (_int(p) for p in _list(info.get("parentIDs"))) if p is not None],
        children=[
            CategoryRef(id=_int(c.get("id")) or 0, name=str(c.get("name") or ""), is_leaf=_bool(c.get("isLeaf")))
            for c in _list(info.get("childCategorys"))
            if isinstance(c, dict)
        ],
    )


def _read_account(raw: dict) -> SupplierInfo:
    """simpleAccountInfo, as crossBasic (a few fields) and account.basic (many) send it."""
    return SupplierInfo(
        login_id=str(raw.get("loginId") or ""),
        company_name=str(raw.get("companyName") or ""),
        supplier_name=str(raw.get("supplierName") or ""),
        shop_url=str(raw.get("shopUrl") or ""),
        category_name=str(raw.get("categoryName") or ""),
        cross_border_member=_bool(raw.get("kuaJingBao")) or _bool(raw.get("crossBorder")),
        member_id=str(raw.get("memberId") or ""),
        user_id=str(raw.get("userId") or ""),
        open_uid=str(raw.get("openUid") or ""),
        seller_name=str(raw.get("sellerName") or ""),
        years=_int(raw.get("tpYear")),
        domains=[str(d) for d in _list(raw.get("domainInPlatforms")) if d],
    )


def _result_object(body: Any, api: str) -> Any:
    try:
        return body["result"]["result"]
    except (KeyError, TypeError):
        raise errors.MalformedResponse("The answer has no result.", api=api) from None


# --- wrappers ---
def _call(client: AlibabaClient, ref: ApiRef, params: dict, access_token: str | None) -> Any:
    return client.call(
        ref.namespace, ref.name, params, access_token=access_token if ref.needs_token else None, version=ref.version
    )


def server_time(client: AlibabaClient) -> datetime:
    """The gateway's clock (system/currentTime)."""
    return client.server_time()


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.product:alibaba.category.get-1
def category_get(client: AlibabaClient, category_id: int = 0, access_token: str | None = None) -> list[Category]:
    """A category and its direct children; 0 gives the roots (alibaba.category.get)."""
    body = _call(client, CATEGORY_GET, {"categoryID": category_id}, access_token)
    infos = body.get("categoryInfo") if isinstance(body, dict) else None
    if not isinstance(infos, list):
        raise errors.MalformedResponse("The answer has no categoryInfo list.", api=CATEGORY_GET.id)
    return [_read_category(info) for info in infos if isinstance(info, dict)]


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:category.translation.getById-1
def category_translation(
    client: AlibabaClient, access_token: str, category_id: int = 0, language: str = "en"
) -> CategoryTranslation:
    """A category with its translated name and children (category.translation.getById)."""
    body = _call(client, CATEGORY_TRANSLATION, {"categoryId": category_id, "language": language}, access_token)
    outer = _dict(body.get("result") if isinstance(body, dict) else None)
    # The field table nests the category at result.result; the published example has it at result.
    raw = outer if "categoryId" in outer else outer.get("result")
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no category.", api=CATEGORY_TRANSLATION.id)
    return _read_translation(raw)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.search.keywordQuery-1
def keyword_search(
    client: AlibabaClient,
    access_token: str,
    keyword: str,
    *,
    page: int = 1,
    page_size: int = 20,
    country: str = "en",
    category_id: int | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    sort: dict | None = None,
) -> SearchPage:
    """Search offers by keyword, Chinese or English (product.search.keywordQuery)."""
    query = {"keyword": keyword, "beginPage": page, "pageSize": page_size, "country": country}
    if category_id:
        query["categoryId"] = category_id
    if price_min is not None:
        query["priceStart"] = str(price_min)
    if price_max is not None:
        query["priceEnd"] = str(price_max)
    if sort:
        query["sort"] = sort
    body = _call(client, KEYWORD_SEARCH, {"offerQueryParam": query}, access_token)
    return _read_search_page(body, KEYWORD_SEARCH.id, page=page, page_size=page_size, image_host=client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.image.upload-1
def image_upload(client: AlibabaClient, access_token: str, image_base64: str) -> str:
    """Upload a picture for image search; returns its imageId (product.image.upload)."""
    body = _call(client, IMAGE_UPLOAD, {"uploadImageParam": {"imageBase64": image_base64}}, access_token)
    image_id = _result_object(body, IMAGE_UPLOAD.id)
    if not image_id or isinstance(image_id, dict | list):
        raise errors.MalformedResponse("The upload answer has no imageId.", api=IMAGE_UPLOAD.id)
    return str(image_id)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.search.imageQuery-1
def image_search(
    client: AlibabaClient, access_token: str, image_id: str, *, page: int = 1, page_size: int = 20, country: str = "en"
) -> SearchPage:
    """Offers that look like an uploaded picture, most similar first (product.search.imageQuery)."""
    query = {"imageId": image_id, "beginPage": page, "pageSize": page_size, "country": country}
    body = _call(client, IMAGE_SEARCH, {"offerQueryParam": query}, access_token)
    return _read_search_page(body, IMAGE_SEARCH.id, page=page, page_size=page_size, image_host=client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.search.queryProductDetail-1
def product_detail(client: AlibabaClient, access_token: str, offer_id: str, country: str = "en") -> ProductDetail:
    """One offer in full, with translations (product.search.queryProductDetail)."""
    body = _call(client, PRODUCT_DETAIL, {"offerDetailParam": {"offerId": offer_id, "country": country}}, access_token)
    raw = _result_object(body, PRODUCT_DETAIL.id)
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The detail answer is not an object.", api=PRODUCT_DETAIL.id)
    return _read_detail(raw, client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.product:alibaba.product.get-1
def product_get(client: AlibabaClient, access_token: str, offer_id: str) -> ProductDetail:
    """One of the connected account's own offers from the classic product API (alibaba.product.get).

    1688 answers it only for the account's own products; any refusal raises NotOwnProduct.
    """
    try:
        body = _call(client, PRODUCT_GET, {"productID": offer_id, "webSite": "1688"}, access_token)
    except errors.BusinessError as refused:
        raise _not_own(refused.message, refused.code) from refused
    raw = body.get("productInfo") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        if isinstance(body, dict) and body.get("errMsg"):
            raise _not_own(str(body["errMsg"]), str(body.get("errorCode") or ""))
        raise errors.MalformedResponse("The answer has no productInfo.", api=PRODUCT_GET.id)
    return _read_product_info(raw, client.image_host)


def _not_own(said: str, code: str) -> errors.NotOwnProduct:
    message = errors.NotOwnProduct.default_message + (f" 1688 said: {said}" if said else "")
    return errors.NotOwnProduct(message, code=code, http_status=200, api=PRODUCT_GET.id)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.search.querySellerOfferList-1
def seller_offers(
    client: AlibabaClient, access_token: str, seller_open_id: str, *, page: int = 1, page_size: int = 20,
    country: str = "en", keyword: str | None = None,
) -> SearchPage:  # fmt: skip
    """A supplier's own offers by the seller's open id (product.search.querySellerOfferList).

    Its items are smaller than search items: no MOQ, category ids, seller data or company name.
    """
    query = {"sellerOpenId": seller_open_id, "beginPage": page, "pageSize": page_size, "country": country}
    if keyword:
        query["keyword"] = keyword
    body = _call(client, SELLER_OFFERS, {"offerQueryParam": query}, access_token)
    return _read_search_page(body, SELLER_OFFERS.id, page=page, page_size=page_size, image_host=client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:alibaba.account.agent.crossBasic-1
def supplier_info(
    client: AlibabaClient, access_token: str, *, login_id: str | None = None, domain: str | None = None
) -> SupplierInfo:
    """A supplier's company and shop by login id or shop domain (alibaba.account.agent.crossBasic).

    No crossborder answer gives a seller's login id; the shop domain comes from a shop URL.
    """
    if not login_id and not domain:
        raise ValueError("supplier_info needs a login id or a shop domain")
    params = {"loginId": login_id} if login_id else {"domain": domain}
    body = _call(client, SUPPLIER_INFO, params, access_token)
    raw = body.get("result") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no result.", api=SUPPLIER_INFO.id)
    return _read_account(raw)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:alibaba.account.basic-1
def account_basic(client: AlibabaClient, access_token: str) -> SupplierInfo:
    """The connected 1688 account itself: login id, member id, open uid, shop (alibaba.account.basic)."""
    body = _call(client, ACCOUNT_BASIC, {}, access_token)
    raw = body.get("result") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no result.", api=ACCOUNT_BASIC.id)
    return _read_account(raw)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:loginid.openuid.encrypt-1
def openuid_encrypt(client: AlibabaClient, access_token: str, login_id: str) -> str:
    """The open uid of a login id (loginid.openuid.encrypt; risk-controlled: on a user's click only)."""
    body = _call(client, OPENUID_ENCRYPT, {"loginId": login_id}, access_token)
    open_uid = body.get("openUid") if isinstance(body, dict) else None
    if not open_uid and isinstance(body, dict) and isinstance(body.get("result"), dict):
        open_uid = body["result"].get("openUid") or body["result"].get("result")
    if not open_uid or not isinstance(open_uid, str):
        raise errors.MalformedResponse("The answer has no openUid.", api=OPENUID_ENCRYPT.id)
    return open_uid


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:account.wangwangUrl.get-1
def wangwang_url_for_open_id(client: AlibabaClient, access_token: str, open_id: str) -> str:
    """A WangWang chat link to the member with this open id, e.g. a detail's sellerOpenId."""
    body = _call(client, WANGWANG_URL, {"toOpenUid": open_id}, access_token)
    url = _result_object(body, WANGWANG_URL.id)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise errors.MalformedResponse("The answer has no chat URL.", api=WANGWANG_URL.id)
    return url


def wangwang_url(client: AlibabaClient, access_token: str, login_id: str) -> str:
    """A WangWang chat link to a supplier known by login id: loginid.openuid.encrypt, then wangwangUrl.get."""
    return wangwang_url_for_open_id(client, access_token, openuid_encrypt(client, access_token, login_id))
