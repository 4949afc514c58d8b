"""Typed wrappers for the APIs the portal uses (spec §8, §10, §11).

Each wrapper returns plain dataclasses; the field mapping from 1688's JSON is written once,
in the `_read_*` functions below.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import errors
from .client import AlibabaClient

IMAGE_HOST = "https://cbu01.alicdn.com/"
CROSSBORDER = "com.alibaba.fenxiao.crossborder"


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
    level: int | None
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
    price: Decimal | None
    min_order_quantity: int | None
    month_sold: int | None
    repurchase_rate: str
    top_category_id: int | None
    second_category_id: int | None
    third_category_id: int | None
    seller_years: int | None
    company_name: str
    detail_url: str


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    page_size: int
    total_pages: int
    items: list[OfferSummary]


@dataclass(frozen=True)
class SkuAttribute:
    name: str
    value: str
    name_en: str
    value_en: str
    image_url: str


@dataclass(frozen=True)
class Sku:
    sku_id: str
    spec_id: str
    price: Decimal | None
    stock: int | None
    attributes: list[SkuAttribute]


@dataclass(frozen=True)
class ProductAttribute:
    name: str
    value: str
    name_en: str
    value_en: str


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
    seller_login_id: str
    company_name: str
    ship_from: str
    weight_kg: Decimal | None
    sold_out: bool
    status: str
    detail_url: str


@dataclass(frozen=True)
class SupplierInfo:
    login_id: str
    company_name: str
    supplier_name: str
    shop_url: str
    category_name: str
    cross_border_member: bool


# --- field readers: the one place where 1688 names meet ours ---
def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).split(".")[0]) if value not in (None, "") else None
    except ValueError:
        return None


def image_url(path: Any) -> str:
    """Absolute image URL; 1688 often gives paths relative to its image host."""
    text = str(path or "")
    if not text or text.startswith(("http://", "https://")):
        return text
    if text.startswith("//"):
        return "https:" + text
    return IMAGE_HOST + text.lstrip("/")


def detail_url(offer_id: str) -> str:
    return f"https://detail.1688.com/offer/{offer_id}.html"


def _read_offer(item: dict) -> OfferSummary:
    price_info = item.get("priceInfo") or {}
    seller = item.get("sellerDataInfo") or {}
    offer_id = str(item.get("offerId", ""))
    return OfferSummary(
        offer_id=offer_id,
        subject=str(item.get("subject") or ""),
        subject_en=str(item.get("subjectTrans") or ""),
        image_url=image_url(item.get("imageUrl")),
        price=_decimal(price_info.get("price") if isinstance(price_info, dict) else None),
        min_order_quantity=_int(item.get("minOrderQuantity")),
        month_sold=_int(item.get("monthSold")),
        repurchase_rate=str(item.get("repurchaseRate") or ""),
        top_category_id=_int(item.get("topCategoryId")),
        second_category_id=_int(item.get("secondCategoryId")),
        third_category_id=_int(item.get("thirdCategoryId")),
        seller_years=_int(seller.get("tpYear")) if isinstance(seller, dict) else None,
        company_name=str(item.get("companyName") or ""),
        detail_url=str(item.get("promotionURL") or detail_url(offer_id)),
    )


def _page_of(body: Any, api: str) -> dict:
    """The page object at result.result of the cross-border search APIs."""
    try:
        page = body["result"]["result"]
    except (KeyError, TypeError):
        raise errors.MalformedResponse("The answer has no result page.", api=api) from None
    if not isinstance(page, dict) or not isinstance(page.get("data", []), list):
        raise errors.MalformedResponse("The result page is not a list of offers.", api=api)
    return page


def _read_search_page(body: Any, api: str) -> SearchPage:
    page = _page_of(body, api)
    items = [_read_offer(item) for item in page.get("data") or [] if isinstance(item, dict)]
    return SearchPage(
        total=_int(page.get("totalRecords")) or 0,
        page=_int(page.get("currentPage")) or 1,
        page_size=_int(page.get("pageSize")) or len(items),
        total_pages=_int(page.get("totalPage")) or 0,
        items=items,
    )


def _read_tiers(rows) -> list[PriceTier]:
    """Quantity price tiers, lowest start quantity first; rows without a price are skipped."""
    tiers = [
        PriceTier(min_quantity=_int(t.get("startQuantity")) or 1, price=_decimal(t.get("price")))
        for t in rows or []
        if isinstance(t, dict) and _decimal(t.get("price")) is not None
    ]
    return sorted(tiers, key=lambda t: t.min_quantity)


def _read_sku(raw: dict) -> Sku:
    return Sku(
        sku_id=str(raw.get("skuId") or ""),
        spec_id=str(raw.get("specId") or ""),
        price=_decimal(raw.get("price") or (raw.get("fenxiaoPriceInfo") or {}).get("offerPrice")),
        stock=_int(raw.get("amountOnSale")),
        attributes=[
            SkuAttribute(
                name=str(a.get("attributeName") or ""),
                value=str(a.get("value") or ""),
                name_en=str(a.get("attributeNameTrans") or ""),
                value_en=str(a.get("valueTrans") or ""),
                image_url=image_url(a.get("skuImageUrl")),
            )
            for a in raw.get("skuAttributes") or []
        ],
    )


def _read_detail(raw: dict) -> ProductDetail:
    sale = raw.get("productSaleInfo") or {}
    unit = sale.get("unitInfo") or {}
    shipping = raw.get("productShippingInfo") or {}
    offer_id = str(raw.get("offerId") or "")
    return ProductDetail(
        offer_id=offer_id,
        category_id=_int(raw.get("categoryId")),
        category_name=str(raw.get("categoryName") or ""),
        subject=str(raw.get("subject") or ""),
        subject_en=str(raw.get("subjectTrans") or ""),
        description=str(raw.get("description") or ""),
        images=[image_url(i) for i in (raw.get("productImage") or {}).get("images") or []],
        attributes=[
            ProductAttribute(
                name=str(a.get("attributeName") or ""),
                value=str(a.get("value") or ""),
                name_en=str(a.get("attributeNameTrans") or ""),
                value_en=str(a.get("valueTrans") or ""),
            )
            for a in raw.get("productAttribute") or []
        ],
        skus=[_read_sku(s) for s in raw.get("productSkuInfos") or []],
        price_tiers=_read_tiers(sale.get("priceRangeList")),
        unit=str(unit.get("unit") or ""),
        unit_en=str(unit.get("transUnit") or ""),
        min_order_quantity=_int(raw.get("minOrderQuantity")),
        stock=_int(sale.get("amountOnSale")),
        seller_open_id=str(raw.get("sellerOpenId") or ""),
        seller_login_id="",
        company_name=str(raw.get("companyName") or ""),
        ship_from=str(shipping.get("sendGoodsAddressText") or ""),
        weight_kg=_decimal(shipping.get("weight")),
        sold_out=bool(raw.get("soldOut")),
        status=str(raw.get("status") or ""),
        detail_url=str(raw.get("promotionUrl") or detail_url(offer_id)),
    )


def _read_product_info(raw: dict) -> ProductDetail:
    """The classic ProductInfo model of alibaba.product.get, mapped onto ProductDetail."""
    sale = raw.get("saleInfo") or {}
    shipping = raw.get("shippingInfo") or {}
    offer_id = str(raw.get("productID") or "")
    skus = [
        Sku(
            sku_id=str(s.get("skuId") or ""),
            spec_id=str(s.get("specId") or ""),
            price=_decimal(s.get("price")),
            stock=_int(s.get("amountOnSale")),
            attributes=[
                SkuAttribute(
                    name=str(a.get("attributeDisplayName") or a.get("attributeName") or ""),
                    value=str(a.get("attributeValue") or ""),
                    name_en="",
                    value_en="",
                    image_url=image_url(a.get("skuImageUrl")),
                )
                for a in s.get("attributes") or []
            ],
        )
        for s in raw.get("skuInfos") or []
    ]
    return ProductDetail(
        offer_id=offer_id,
        category_id=_int(raw.get("categoryID")),
        category_name=str(raw.get("categoryName") or ""),
        subject=str(raw.get("subject") or ""),
        subject_en="",
        description=str(raw.get("description") or ""),
        images=[image_url(i) for i in (raw.get("image") or {}).get("images") or []],
        attributes=[
            ProductAttribute(
                name=str(a.get("attributeName") or ""), value=str(a.get("value") or ""), name_en="", value_en=""
            )
            for a in raw.get("attributes") or []
        ],
        skus=skus,
        price_tiers=_read_tiers(sale.get("priceRanges")),
        unit=str(sale.get("unit") or ""),
        unit_en="",
        min_order_quantity=_int(sale.get("minOrderQuantity")),
        stock=_int(sale.get("amountOnSale")),
        seller_open_id="",
        seller_login_id=str(raw.get("sellerLoginId") or raw.get("supplierLoginId") or ""),
        company_name="",
        ship_from=str(shipping.get("sendGoodsAddressText") or ""),
        weight_kg=_decimal(shipping.get("unitWeight")),
        sold_out=False,
        status=str(raw.get("status") or ""),
        detail_url=detail_url(offer_id),
    )


def _read_translation(raw: dict) -> CategoryTranslation:
    return CategoryTranslation(
        id=_int(raw.get("categoryId")) or 0,
        chinese_name=str(raw.get("chineseName") or ""),
        translated_name=str(raw.get("translatedName") or ""),
        language=str(raw.get("language") or ""),
        is_leaf=bool(raw.get("leaf")),
        level=_int(raw.get("level")),
        parent_id=_int(raw.get("parentCateId")),
        children=[_read_translation(c) for c in raw.get("children") or [] if isinstance(c, dict)],
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


def category_get(client: AlibabaClient, category_id: int = 0, access_token: str | None = None) -> list[Category]:
    """A category and its direct children; 0 gives the roots (alibaba.category.get)."""
    body = _call(client, CATEGORY_GET, {"categoryID": category_id}, access_token)
    infos = body.get("categoryInfo") if isinstance(body, dict) else None
    if not isinstance(infos, list):
        raise errors.MalformedResponse("The answer has no categoryInfo list.", api=CATEGORY_GET.id)
    return [
        Category(
            id=_int(info.get("categoryID")) or 0,
            name=str(info.get("name") or ""),
            level=_int(info.get("level")),
            is_leaf=bool(info.get("isLeaf")),
            parent_ids=[_int(p) for p in info.get("parentIDs") or [] if _int(p) is not None],
            children=[
                CategoryRef(id=_int(c.get("id")) or 0, name=str(c.get("name") or ""), is_leaf=bool(c.get("isLeaf")))
                for c in info.get("childCategorys") or []
            ],
        )
        for info in infos
    ]


def category_translation(
    client: AlibabaClient, access_token: str, category_id: int = 0, language: str = "en"
) -> CategoryTranslation:
    """A category with its translated name and children (category.translation.getById)."""
    body = _call(client, CATEGORY_TRANSLATION, {"categoryId": category_id, "language": language}, access_token)
    return _read_translation(_result_object(body, CATEGORY_TRANSLATION.id))


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
    return _read_search_page(body, KEYWORD_SEARCH.id)


def image_upload(client: AlibabaClient, access_token: str, image_base64: str) -> str:
    """Upload a picture for image search; returns its imageId (product.image.upload)."""
    body = _call(client, IMAGE_UPLOAD, {"uploadImageParam": {"imageBase64": image_base64}}, access_token)
    image_id = _result_object(body, IMAGE_UPLOAD.id)
    if not image_id:
        raise errors.MalformedResponse("The upload answer has no imageId.", api=IMAGE_UPLOAD.id)
    return str(image_id)


def image_search(
    client: AlibabaClient, access_token: str, image_id: str, *, page: int = 1, page_size: int = 20, country: str = "en"
) -> SearchPage:
    """Offers that look like an uploaded picture, most similar first (product.search.imageQuery)."""
    query = {"imageId": image_id, "beginPage": page, "pageSize": page_size, "country": country}
    body = _call(client, IMAGE_SEARCH, {"offerQueryParam": query}, access_token)
    return _read_search_page(body, IMAGE_SEARCH.id)


def product_detail(client: AlibabaClient, access_token: str, offer_id: str, country: str = "en") -> ProductDetail:
    """One offer in full, with translations (product.search.queryProductDetail)."""
    body = _call(client, PRODUCT_DETAIL, {"offerDetailParam": {"offerId": offer_id, "country": country}}, access_token)
    raw = _result_object(body, PRODUCT_DETAIL.id)
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The detail answer is not an object.", api=PRODUCT_DETAIL.id)
    return _read_detail(raw)


def product_get(client: AlibabaClient, access_token: str, offer_id: str) -> ProductDetail:
    """One offer from the classic product API (alibaba.product.get)."""
    body = _call(client, PRODUCT_GET, {"productID": offer_id, "webSite": "1688"}, access_token)
    raw = body.get("productInfo") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no productInfo.", api=PRODUCT_GET.id)
    return _read_product_info(raw)


def seller_offers(
    client: AlibabaClient, access_token: str, seller_open_id: str, *, page: int = 1, page_size: int = 20,
    country: str = "en", keyword: str | None = None,
) -> SearchPage:  # fmt: skip
    """A supplier's own offers (product.search.querySellerOfferList)."""
    query = {"sellerOpenId": seller_open_id, "beginPage": page, "pageSize": page_size, "country": country}
    if keyword:
        query["keyword"] = keyword
    body = _call(client, SELLER_OFFERS, {"offerQueryParam": query}, access_token)
    return _read_search_page(body, SELLER_OFFERS.id)


def supplier_info(
    client: AlibabaClient, access_token: str, *, login_id: str | None = None, domain: str | None = None
) -> SupplierInfo:
    """A supplier's company and shop (alibaba.account.agent.crossBasic)."""
    params = {"loginId": login_id} if login_id else {"domain": domain}
    body = _call(client, SUPPLIER_INFO, params, access_token)
    raw = body.get("result") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no result.", api=SUPPLIER_INFO.id)
    return SupplierInfo(
        login_id=str(raw.get("loginId") or ""),
        company_name=str(raw.get("companyName") or ""),
        supplier_name=str(raw.get("supplierName") or ""),
        shop_url=str(raw.get("shopUrl") or ""),
        category_name=str(raw.get("categoryName") or ""),
        cross_border_member=bool(raw.get("kuaJingBao")),
    )


def wangwang_url(client: AlibabaClient, access_token: str, login_id: str) -> str:
    """A WangWang chat link to a supplier: loginid.openuid.encrypt, then account.wangwangUrl.get."""
    body = _call(client, OPENUID_ENCRYPT, {"loginId": login_id}, access_token)
    open_uid = body.get("openUid") if isinstance(body, dict) else None
    if not open_uid and isinstance(body, dict) and isinstance(body.get("result"), dict):
        open_uid = body["result"].get("openUid") or body["result"].get("result")
    if not open_uid:
        raise errors.MalformedResponse("The answer has no openUid.", api=OPENUID_ENCRYPT.id)
    body = _call(client, WANGWANG_URL, {"toOpenUid": open_uid}, access_token)
    url = _result_object(body, WANGWANG_URL.id)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise errors.MalformedResponse("The answer has no chat URL.", api=WANGWANG_URL.id)
    return url
