"""The topics the portal acts on (docs/1688-messages.md) and how their payloads are read. Plain Python."""

from datetime import datetime

from sourcing.core.converters import parse_id
from sourcing.messages.wire import BadMessage, epoch_ms

INVENTORY = "PRODUCT_PRODUCT_INVENTORY_CHANGE"
PRODUCT_PREFIX = "PRODUCT_RELATION_VIEW_PRODUCT_"
MODIFY = PRODUCT_PREFIX + "NEW_OR_MODIFY"
EXPIRE = PRODUCT_PREFIX + "EXPIRE"
DELETE = PRODUCT_PREFIX + "DELETE"
REPOST = PRODUCT_PREFIX + "REPOST"
LISTING = (EXPIRE, DELETE, REPOST)
PRICE = "FENXIAO_PRICE_CHANGE"  # {"productId"}: sent with NEW_OR_MODIFY, no price in it either
ORDER_PREFIX = "ORDER_BUYER_VIEW_"
LOGISTICS = "LOGISTICS_BUYER_VIEW_TRACE"
# A parcel's step as the order's 1688 status (the status a read of the order would show then).
LOGISTICS_STATUS = {"CONSIGN": "waitbuyerreceive", "ACCEPT": "waitbuyerreceive", "TRANSPORT": "waitbuyerreceive",
                    "DELIVERING": "waitbuyerreceive", "SIGN": "waitbuyerreceive"}  # fmt: skip
# The topics to subscribe to in the 1688 console (README, "1688 messages").
SUBSCRIBE = (INVENTORY, MODIFY, EXPIRE, DELETE, REPOST, PRICE, "ORDER_BUYER_VIEW_BUYER_MAKE", "ORDER_BUYER_VIEW_ORDER_PAY",
             "ORDER_BUYER_VIEW_ANNOUNCE_SENDGOODS", "ORDER_BUYER_VIEW_PART_PART_SENDGOODS",
             "ORDER_BUYER_VIEW_ORDER_COMFIRM_RECEIVEGOODS", "ORDER_BUYER_VIEW_ORDER_SUCCESS",
             "ORDER_BUYER_VIEW_ORDER_BUYER_CLOSE", "ORDER_BUYER_VIEW_ORDER_SELLER_CLOSE", LOGISTICS,
             "AUTHORIZATION_CANCEL")  # fmt: skip


def level(value) -> int | None:
    """A stock level (offerOnSale, skuOnSale): a whole number from 0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 10:
        value = int(value.strip())
    return value if isinstance(value, int) and 0 <= value <= 2_147_483_647 else None


def when(value, fallback: datetime) -> datetime:
    """bizTime (epoch ms) or the message's birth when it is missing or unreadable."""
    try:
        return epoch_ms(value, "bizTime")
    except BadMessage:
        return fallback


def offer_ids(data: dict) -> list[int]:
    """productIds "1,2" (or a list) of a relation-view product message; productId of a price message."""
    raw = data.get("productIds") if "productIds" in data else data.get("productId")
    parts = raw if isinstance(raw, list) else str(raw or "").split(",")
    found = [parse_id(p) for p in parts[:200]]
    return list(dict.fromkeys(n for n in found if n))
