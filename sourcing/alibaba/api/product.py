"""One offer in full: queryProductDetail and alibaba.product.get, and the readers of their answers."""

from .. import errors
from ..client import AlibabaClient
from .refs import IMAGE_HOST, PRODUCT_DETAIL, PRODUCT_GET, call_api, result_object
from .shapes import PriceTier, ProductAttribute, ProductDetail, Sku, SkuAttribute
from .values import (
    as_dict,
    as_list,
    decimal_or_none,
    first_decimal,
    image_url,
    int_or_none,
    offer_link,
    offer_page_url,
    option_name,
    read_badges,
    read_flag,
    read_listed_at,
    read_score,
    read_seller_badges,
    read_seller_data,
    ships_within_hours,
    video_url,
)


def read_tiers(rows) -> list[PriceTier]:
    """Quantity price tiers, lowest start quantity first; rows without a price are skipped."""
    tiers = [
        PriceTier(min_quantity=int_or_none(t.get("startQuantity")) or 1, price=decimal_or_none(t.get("price")))
        for t in as_list(rows)
        if isinstance(t, dict) and decimal_or_none(t.get("price")) is not None
    ]
    return sorted(tiers, key=lambda t: t.min_quantity)


def _out_of_stock(stock: int | None, skus: list[Sku]) -> bool:
    """Nothing on sale: the offer says 0, or every SKU says 0. Unknown stock is not "out"."""
    if stock is not None and stock <= 0:
        return True
    known = [s.stock for s in skus if s.stock is not None]
    return bool(skus) and len(known) == len(skus) and all(n <= 0 for n in known)


def read_sku(raw: dict, image_host: str = IMAGE_HOST) -> Sku:
    """A SKU of queryProductDetail."""
    attributes = []
    for a in as_list(raw.get("skuAttributes")):
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
        price=first_decimal(raw.get("price"), as_dict(raw.get("fenxiaoPriceInfo")).get("offerPrice")),
        stock=int_or_none(raw.get("amountOnSale")),
        attributes=attributes,
        consign_price=decimal_or_none(raw.get("consignPrice")),
    )


def read_detail(raw: dict, image_host: str = IMAGE_HOST) -> ProductDetail:
    """The ProductDetailModel of queryProductDetail."""
    sale = as_dict(raw.get("productSaleInfo"))
    unit = as_dict(sale.get("unitInfo"))
    shipping = as_dict(raw.get("productShippingInfo"))
    offer_id = str(raw.get("offerId") or "")
    skus = [read_sku(s, image_host) for s in as_list(raw.get("productSkuInfos")) if isinstance(s, dict)]
    stock = int_or_none(sale.get("amountOnSale"))
    guarantee = str(shipping.get("shippingTimeGuarantee") or "")
    return ProductDetail(
        offer_id=offer_id,
        category_id=int_or_none(raw.get("categoryId")),
        category_name=str(raw.get("categoryName") or ""),
        subject=str(raw.get("subject") or ""),
        subject_en=str(raw.get("subjectTrans") or ""),
        description=str(raw.get("description") or ""),
        images=[image_url(i, image_host) for i in as_list(as_dict(raw.get("productImage")).get("images")) if i],
        attributes=[
            ProductAttribute(
                name=str(a.get("attributeName") or ""),
                value=str(a.get("value") or ""),
                name_en=str(a.get("attributeNameTrans") or ""),
                value_en=str(a.get("valueTrans") or ""),
                attribute_id=str(a.get("attributeId") or ""),
            )
            for a in as_list(raw.get("productAttribute"))
            if isinstance(a, dict)
        ],
        skus=skus,
        price_tiers=read_tiers(sale.get("priceRangeList")),
        unit=str(unit.get("unit") or ""),
        unit_en=str(unit.get("transUnit") or ""),
        min_order_quantity=int_or_none(raw.get("minOrderQuantity")),
        stock=stock,
        seller_open_id=str(raw.get("sellerOpenId") or ""),
        seller_login_id="",
        company_name=str(raw.get("companyName") or ""),
        ship_from=str(shipping.get("sendGoodsAddressText") or ""),
        weight_kg=decimal_or_none(shipping.get("weight")),
        out_of_stock=_out_of_stock(stock, skus),
        status=str(raw.get("status") or ""),
        detail_url=offer_link(offer_id, raw.get("promotionUrl") or raw.get("promotionURL")),
        sales_count=int_or_none(raw.get("soldOut")),
        quote_type=int_or_none(sale.get("quoteType")),
        shipping_guarantee=guarantee,
        ships_within_hours=ships_within_hours(guarantee),
        seller_data=read_seller_data(raw.get("sellerDataInfo")),
        badges=read_badges(raw.get("offerIdentities"), raw.get("sellerIdentities"), tags=raw.get("tagInfoList")),
        listed_at=read_listed_at(raw.get("createDate")),
        top_category_id=int_or_none(raw.get("topCategoryId")),
        second_category_id=int_or_none(raw.get("secondCategoryId")),
        third_category_id=int_or_none(raw.get("thirdCategoryId")),
        video_url=video_url(raw.get("mainVideo")),
        detail_video_url=video_url(raw.get("detailVideo")),
        seller_badges=read_seller_badges(raw.get("sellerIdentities"), raw.get("offerIdentities")),
        trade_score=read_score(raw.get("tradeScore")),
        consign_price=min((s.consign_price for s in skus if s.consign_price is not None), default=None)
        or decimal_or_none(sale.get("consignPrice")),
        one_piece=_one_piece(raw),
    )


def _one_piece(raw: dict) -> bool | None:
    """Whether a detail says the offer ships single pieces: tagInfoList's isOnePsale, else a top-level flag."""
    for tag in as_list(raw.get("tagInfoList")):
        if isinstance(tag, dict) and tag.get("key") == "isOnePsale":
            return read_flag(tag.get("value"))
    return read_flag(raw.get("isOnePsale"))


def read_product_info(raw: dict, image_host: str = IMAGE_HOST) -> ProductDetail:
    """The classic ProductInfo model of alibaba.product.get, mapped onto ProductDetail.

    SKU attributes carry only attributeID and attributeValue: the option's name comes from the
    product's own attribute list when it has that id, else it reads "Option <id>".
    """
    sale = as_dict(raw.get("saleInfo"))
    shipping = as_dict(raw.get("shippingInfo"))
    offer_id = str(raw.get("productID") or "")
    attributes = [a for a in as_list(raw.get("attributes")) if isinstance(a, dict)]
    names = {str(a.get("attributeID")): str(a.get("attributeName")) for a in attributes if a.get("attributeName")}
    skus = []
    for s in as_list(raw.get("skuInfos")):
        if not isinstance(s, dict):
            continue
        options = []
        for a in as_list(s.get("attributes")):
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
                price=decimal_or_none(s.get("price")),
                stock=int_or_none(s.get("amountOnSale")),
                attributes=options,
            )
        )
    stock = int_or_none(sale.get("amountOnSale"))
    return ProductDetail(
        offer_id=offer_id,
        category_id=int_or_none(raw.get("categoryID")),
        category_name=str(raw.get("categoryName") or ""),
        subject=str(raw.get("subject") or ""),
        subject_en="",
        description=str(raw.get("description") or ""),
        images=[image_url(i, image_host) for i in as_list(as_dict(raw.get("image")).get("images")) if i],
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
        price_tiers=read_tiers(sale.get("priceRanges")),
        unit=str(sale.get("unit") or ""),
        unit_en="",
        min_order_quantity=int_or_none(sale.get("minOrderQuantity")),
        stock=stock,
        seller_open_id="",
        seller_login_id=str(raw.get("sellerLoginId") or raw.get("supplierLoginId") or ""),
        company_name="",
        ship_from=str(shipping.get("sendGoodsAddressText") or ""),
        weight_kg=decimal_or_none(shipping.get("unitWeight")),
        out_of_stock=_out_of_stock(stock, skus),
        status=str(raw.get("status") or ""),
        detail_url=offer_page_url(offer_id),
        sales_count=int_or_none(raw.get("bookedCount")),
        quote_type=int_or_none(sale.get("quoteType")),
        video_url=video_url(raw.get("mainVedio") or raw.get("mainVideo")),  # "Vedio" (sic) in this model
        detail_video_url=video_url(raw.get("detailVedio") or raw.get("detailVideo")),
    )


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.search.queryProductDetail-1
def product_detail(client: AlibabaClient, access_token: str, offer_id: str, country: str = "en") -> ProductDetail:
    """One offer in full, with translations (product.search.queryProductDetail)."""
    body = call_api(
        client, PRODUCT_DETAIL, {"offerDetailParam": {"offerId": offer_id, "country": country}}, access_token
    )
    raw = result_object(body, PRODUCT_DETAIL.id)
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The detail answer is not an object.", api=PRODUCT_DETAIL.id)
    return read_detail(raw, client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.product:alibaba.product.get-1
def product_get(client: AlibabaClient, access_token: str, offer_id: str) -> ProductDetail:
    """One of the connected account's own offers from the classic product API (alibaba.product.get).

    1688 answers it only for the account's own products; any refusal raises NotOwnProduct.
    """
    try:
        body = call_api(client, PRODUCT_GET, {"productID": offer_id, "webSite": "1688"}, access_token)
    except errors.BusinessError as refused:
        raise _not_own(refused.message, refused.code) from refused
    raw = body.get("productInfo") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        if isinstance(body, dict) and body.get("errMsg"):
            raise _not_own(str(body["errMsg"]), str(body.get("errorCode") or ""))
        raise errors.MalformedResponse("The answer has no productInfo.", api=PRODUCT_GET.id)
    return read_product_info(raw, client.image_host)


def _not_own(said: str, code: str) -> errors.NotOwnProduct:
    message = errors.NotOwnProduct.default_message + (f" 1688 said: {said}" if said else "")
    return errors.NotOwnProduct(message, code=code, http_status=200, api=PRODUCT_GET.id)
