"""Offer search: keyword search, image upload and image search, a seller's offers, and their readers."""

from decimal import Decimal
from typing import Any

from .. import errors
from ..client import AlibabaClient
from .refs import (
    IMAGE_HOST,
    IMAGE_SEARCH,
    IMAGE_UPLOAD,
    KEYWORD_SEARCH,
    RELATED_MAX_PAGE,
    RELATED_RECOMMEND,
    SELLER_OFFERS,
    call_api,
    result_object,
)
from .shapes import OfferSummary, SearchPage
from .values import (
    as_dict,
    decimal_or_none,
    image_url,
    int_or_none,
    offer_link,
    price_range,
    read_badges,
    read_flag,
    read_listed_at,
    read_score,
    read_seller_badges,
    read_seller_data,
    ships_within_hours,
)


def read_offer(item: dict, image_host: str = IMAGE_HOST) -> OfferSummary:
    """One search item (keywordQuery, imageQuery, querySellerOfferList)."""
    low, high = price_range(as_dict(item.get("priceInfo")).get("price"))
    seller = as_dict(item.get("sellerDataInfo"))
    shipping = as_dict(item.get("productSimpleShippingInfo"))
    offer_id = str(item.get("offerId") or "")
    return OfferSummary(
        offer_id=offer_id,
        subject=str(item.get("subject") or ""),
        subject_en=str(item.get("subjectTrans") or ""),
        image_url=image_url(item.get("imageUrl"), image_host),
        price=low,
        min_order_quantity=int_or_none(item.get("minOrderQuantity")),
        month_sold=int_or_none(item.get("monthSold")),
        repurchase_rate=str(item.get("repurchaseRate") or ""),
        top_category_id=int_or_none(item.get("topCategoryId")),
        second_category_id=int_or_none(item.get("secondCategoryId")),
        third_category_id=int_or_none(item.get("thirdCategoryId")),
        seller_years=int_or_none(seller.get("tpYear")),
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
        consign_price=decimal_or_none(as_dict(item.get("priceInfo")).get("consignPrice")),
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


def read_search_page(
    body: Any, api: str, *, page: int = 1, page_size: int = 20, image_host: str = IMAGE_HOST
) -> SearchPage:
    """A search answer's page; `page` and `page_size` stand in for what 1688 leaves out."""
    raw = _page_of(body, api)
    items = [read_offer(item, image_host) for item in raw.get("data") or [] if isinstance(item, dict)]
    return SearchPage(
        total=max(0, int_or_none(raw.get("totalRecords")) or 0),
        page=int_or_none(raw.get("currentPage")) or page,
        page_size=int_or_none(raw.get("pageSize")) or page_size,
        total_pages=int_or_none(raw.get("totalPage")) or 0,
        items=items,
    )


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
    body = call_api(client, KEYWORD_SEARCH, {"offerQueryParam": query}, access_token)
    return read_search_page(body, KEYWORD_SEARCH.id, page=page, page_size=page_size, image_host=client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.image.upload-1
def image_upload(client: AlibabaClient, access_token: str, image_base64: str) -> str:
    """Upload a picture for image search; returns its imageId (product.image.upload)."""
    body = call_api(client, IMAGE_UPLOAD, {"uploadImageParam": {"imageBase64": image_base64}}, access_token)
    image_id = result_object(body, IMAGE_UPLOAD.id)
    if not image_id or isinstance(image_id, dict | list):
        raise errors.MalformedResponse("The upload answer has no imageId.", api=IMAGE_UPLOAD.id)
    return str(image_id)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.search.imageQuery-1
def image_search(
    client: AlibabaClient, access_token: str, image_id: str, *, page: int = 1, page_size: int = 20, country: str = "en"
) -> SearchPage:
    """Offers that look like an uploaded picture, most similar first (product.search.imageQuery)."""
    query = {"imageId": image_id, "beginPage": page, "pageSize": page_size, "country": country}
    body = call_api(client, IMAGE_SEARCH, {"offerQueryParam": query}, access_token)
    return read_search_page(body, IMAGE_SEARCH.id, page=page, page_size=page_size, image_host=client.image_host)


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
    body = call_api(client, SELLER_OFFERS, {"offerQueryParam": query}, access_token)
    return read_search_page(body, SELLER_OFFERS.id, page=page, page_size=page_size, image_host=client.image_host)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:product.related.recommend-1
# UNCONFIRMED live (docs/1688-protocol.md, "Related offers"): the published page gives the request and the item
# model only; whether `result.result` is ever a page object, and how `success` is typed, are not shown. Read here:
# a list of items (or null / a page's `data` list), `success` as a boolean or a string.
def related_offers(
    client: AlibabaClient, access_token: str, offer_id: str | int, *, page: int = 1, page_size: int = RELATED_MAX_PAGE,
    language: str = "en",
) -> list[OfferSummary]:  # fmt: skip
    """Offers 1688 relates to an offer (product.related.recommend): related, not necessarily the same item."""
    query = {"offerId": int(offer_id), "pageNo": page, "pageSize": min(max(1, page_size), RELATED_MAX_PAGE),
             "language": language}  # fmt: skip
    body = call_api(client, RELATED_RECOMMEND, {"relatedQueryParams": query}, access_token)
    found = result_object(body, RELATED_RECOMMEND.id)
    if isinstance(found, dict):
        found = found.get("data")
    if found is None:
        return []
    if not isinstance(found, list):
        raise errors.MalformedResponse("The related offers are not a list.", api=RELATED_RECOMMEND.id)
    items = [read_offer(item, client.image_host) for item in found if isinstance(item, dict)]
    return [item for item in items if item.offer_id.isdigit()]
