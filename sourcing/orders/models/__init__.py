"""Buying's models, by part: addresses and quotes, landed cost, purchase orders with receiving and samples."""

from sourcing.orders.models.landed import DutyRate, FreightEstimate, ItemPacking, RateCard
from sourcing.orders.models.purchase import (
    BuyingPolicy,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    Sample,
    SamplePhoto,
)
from sourcing.orders.models.quotes import Quote, QuoteLine, QuoteRun, QuoteWatch, ShipAddress

__all__ = [
    "BuyingPolicy",
    "DutyRate",
    "FreightEstimate",
    "ItemPacking",
    "OrderEvent",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Quote",
    "QuoteLine",
    "QuoteRun",
    "QuoteWatch",
    "RateCard",
    "Receipt",
    "Sample",
    "SamplePhoto",
    "ShipAddress",
]
