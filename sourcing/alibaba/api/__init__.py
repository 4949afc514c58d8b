"""Typed wrappers for the APIs the portal uses (spec §8, §10, §11), one module per API family.

Each wrapper returns plain dataclasses; the field mapping from 1688's JSON is written once, in the
`read_*` functions. They read what the live gateway sends, awkward parts included (docs/1688-answers.md):
numbers as strings, price ranges ("125-128"), `"data": null` on an empty page, relative image paths,
tracking parameters on offer links.

Modules:
- refs: ApiRef, the API constants, PORTAL_APIS, the image host; call_api, result_object, server_time.
- shapes: the answer dataclasses (OfferSummary, SearchPage, Sku, ProductDetail, Category, SupplierInfo, ...).
- values: small field readers (decimal_or_none, int_or_none, links, badges, seller data, scores, flags).
- search: keyword search, image upload and image search, a seller's offers; read_offer, read_search_page.
- product: queryProductDetail and alibaba.product.get; read_detail, read_product_info.
- category: alibaba.category.get and category.translation.getById.
- account: crossBasic, account.basic, loginid.openuid.encrypt, WangWang chat links.
- messages: the pushed envelope and its signature, the replay calls (push.*), follow and unfollow.
- trade: buying: order preview, freight estimate, cross-border orders, the buyer's orders, payment links,
  cancel, logistics (its own dataclasses: ShipTo, CargoLine, OrderPreview, Order, Trace, ...).

This package re-exports them all, so `from sourcing.alibaba import api; api.keyword_search(...)` works.
"""

from .account import (
    account_basic,
    openuid_encrypt,
    read_account,
    supplier_info,
    wangwang_url,
    wangwang_url_for_open_id,
)
from .category import category_get, category_translation, read_category, read_translation
from .inquiry import (
    BatchInquiry,
    NewtonTask,
    SupplierAnswer,
    batch_inquiry_result,
    newton_task_create,
    read_batch_inquiry,
)
from .messages import (
    MESSAGE_APIS,
    PRODUCT_FOLLOW,
    PRODUCT_UNFOLLOW,
    PUSH_CONFIRM,
    PUSH_CURSOR,
    PUSH_QUERY,
    MessagePage,
    PushMessage,
    message_confirm,
    message_cursor,
    message_list,
    product_follow,
    product_unfollow,
    push_signature,
    push_signature_ok,
    read_push_message,
)
from .product import product_detail, product_get, read_detail, read_product_info, read_sku, read_tiers
from .refs import (
    ACCOUNT_BASIC,
    BATCH_INQUIRY_RESULT,
    BUYING_APIS,
    CANCEL_ORDER,
    CATEGORY_GET,
    CATEGORY_TRANSLATION,
    CREATE_ORDER,
    CROSS_BORDER_PAY_URL,
    CROSSBORDER,
    FREIGHT_ESTIMATE,
    IMAGE_HOST,
    IMAGE_SEARCH,
    IMAGE_UPLOAD,
    INQUIRY_APIS,
    KEYWORD_SEARCH,
    LOGISTICS_INFOS,
    LOGISTICS_TRACE,
    MAX_SEARCH_RECORDS,
    NEWTON_TASK_CREATE,
    OPENUID_ENCRYPT,
    ORDER_DETAIL,
    ORDER_LIST,
    ORDER_PREVIEW,
    PAY_URL,
    PORTAL_API_GROUPS,
    PORTAL_APIS,
    PRODUCT_DETAIL,
    PRODUCT_GET,
    RELATED_MAX_PAGE,
    RELATED_RECOMMEND,
    SELLER_OFFERS,
    SUPPLIER_INFO,
    WANGWANG_URL,
    ApiRef,
    call_api,
    result_object,
    server_time,
)
from .search import (
    image_search,
    image_upload,
    keyword_search,
    read_offer,
    read_search_page,
    related_offers,
    seller_offers,
)
from .shapes import (
    Category,
    CategoryRef,
    CategoryTranslation,
    OfferSummary,
    PriceTier,
    ProductAttribute,
    ProductDetail,
    SearchPage,
    Sku,
    SkuAttribute,
    SupplierInfo,
)
from .trade import (
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
    buyer_orders,
    cancel_order,
    create_order,
    find_order,
    freight_estimate,
    logistics_trace,
    order_detail,
    order_preview,
    pay_url,
    read_order,
    read_preview,
    shipments,
)
from .values import (
    BADGE_WORDS,
    FACTORY_BADGES,
    SELLER_BADGES,
    SELLER_DATA_KEYS,
    absolute_http,
    as_dict,
    as_list,
    badge_word,
    clean_offer_url,
    decimal_or_none,
    detail_url,
    first_decimal,
    image_url,
    int_or_none,
    is_true,
    offer_link,
    offer_page_url,
    option_name,
    price_range,
    read_badges,
    read_flag,
    read_listed_at,
    read_score,
    read_seller_badges,
    read_seller_data,
    ships_within_hours,
    video_url,
)

__all__ = [
    # batch inquiry (the Newton agent)
    # messages (the pushed envelope, replay calls, follows)
    "MESSAGE_APIS", "PRODUCT_FOLLOW", "PRODUCT_UNFOLLOW", "PUSH_CONFIRM", "PUSH_CURSOR", "PUSH_QUERY", "MessagePage",
    "PushMessage", "message_confirm", "message_cursor", "message_list", "product_follow", "product_unfollow",
    "push_signature", "push_signature_ok", "read_push_message",
    "BATCH_INQUIRY_RESULT", "INQUIRY_APIS", "NEWTON_TASK_CREATE", "BatchInquiry", "NewtonTask", "SupplierAnswer",
    "batch_inquiry_result", "newton_task_create", "read_batch_inquiry",
    # refs
    "ACCOUNT_BASIC", "CATEGORY_GET", "CATEGORY_TRANSLATION", "CROSSBORDER", "IMAGE_HOST", "IMAGE_SEARCH",
    "IMAGE_UPLOAD", "KEYWORD_SEARCH", "MAX_SEARCH_RECORDS", "OPENUID_ENCRYPT", "PORTAL_API_GROUPS", "PORTAL_APIS", "PRODUCT_DETAIL",
    "PRODUCT_GET", "SELLER_OFFERS", "SUPPLIER_INFO", "WANGWANG_URL", "ApiRef", "call_api", "result_object",
    "server_time",
    # shapes
    "Category", "CategoryRef", "CategoryTranslation", "OfferSummary", "PriceTier", "ProductAttribute",
    "ProductDetail", "SearchPage", "Sku", "SkuAttribute", "SupplierInfo",
    # values
    "BADGE_WORDS", "FACTORY_BADGES", "SELLER_BADGES", "SELLER_DATA_KEYS", "absolute_http", "as_dict", "as_list",
    "badge_word", "clean_offer_url", "decimal_or_none", "detail_url", "first_decimal", "image_url", "int_or_none",
    "is_true", "offer_link", "offer_page_url", "option_name", "price_range", "read_badges", "read_flag",
    "read_listed_at", "read_score", "read_seller_badges", "read_seller_data", "ships_within_hours", "video_url",
    # search
    "image_search", "image_upload", "keyword_search", "read_offer", "read_search_page", "seller_offers",
    "RELATED_MAX_PAGE", "RELATED_RECOMMEND", "related_offers",
    # product
    "product_detail", "product_get", "read_detail", "read_product_info", "read_sku", "read_tiers",
    # category
    "category_get", "category_translation", "read_category", "read_translation",
    "BUYING_APIS", "CANCEL_ORDER", "CREATE_ORDER", "CROSS_BORDER_PAY_URL", "FREIGHT_ESTIMATE", "LOGISTICS_INFOS",
    "LOGISTICS_TRACE", "ORDER_DETAIL", "ORDER_LIST", "ORDER_PREVIEW", "PAY_URL",
    # trade
    "CargoLine", "CreatedOrder", "FreightEstimate", "Order", "OrderItem", "OrderPage", "OrderPreview", "PayLink",
    "PreviewLine", "Promotion", "Shipment", "ShipTo", "Trace", "TraceStep", "buyer_orders", "cancel_order",
    "create_order", "find_order", "freight_estimate", "logistics_trace", "order_detail", "order_preview", "pay_url",
    "read_order", "read_preview", "shipments",
    # account
    "account_basic", "openuid_encrypt", "read_account", "supplier_info", "wangwang_url", "wangwang_url_for_open_id",
]  # fmt: skip
