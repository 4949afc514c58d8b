"""Every model of the portal, for Django to load: each lives in its domain's package (one Django app, "sourcing",
so table names and migrations stay where they were). Code imports models from their domain, never from here."""

from sourcing.accounts.models import Invitation, Membership, PasswordResetRequest, Team, User
from sourcing.alerts.models import Alert, AlertSettings, Notification
from sourcing.api.models import ApiToken
from sourcing.catalog.models import (
    CatalogJob,
    Category,
    ImageUpload,
    PriceHistory,
    Product,
    ProductView,
    SameItemCluster,
    SameItemMember,
    SearchQuery,
    Sku,
    Supplier,
)
from sourcing.connections.models import (
    ApiCallLog,
    ApiPermission,
    ApiPermissionChange,
    ApiUsage,
    AppCredential,
    BudgetUse,
    ConnectionCheck,
    OAuthToken,
    SecretAudit,
    UsageExhaustion,
)
from sourcing.core.models import RateSlot
from sourcing.inquiries.models import Inquiry, SupplierRequest
from sourcing.lists.models import (
    ExchangeRate,
    ItemComment,
    ListActivity,
    ListImport,
    ListImportRow,
    ListItem,
    ProductList,
)
from sourcing.messages.models import Follow, InboundMessage, MessageFeed, StateTime
from sourcing.orders.models import (
    BuyingPolicy,
    DutyRate,
    FreightEstimate,
    ItemPacking,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Quote,
    QuoteLine,
    QuoteRun,
    QuoteWatch,
    RateCard,
    Receipt,
    Sample,
    SamplePhoto,
    ShipAddress,
)
from sourcing.webhooks.models import Delivery, Endpoint, Event

__all__ = [
    "Alert", "AlertSettings", "ApiToken", "BudgetUse", "Inquiry", "SupplierRequest", "Notification",
    "ApiCallLog", "ApiPermission", "ApiPermissionChange", "ApiUsage", "AppCredential", "CatalogJob", "Category",
    "ConnectionCheck", "ExchangeRate", "ImageUpload", "Invitation", "ItemComment", "ListActivity", "ListItem",
    "Membership", "OAuthToken", "PasswordResetRequest", "PriceHistory", "Product", "SameItemCluster", "SameItemMember",
    "ProductList", "ProductView", "Quote", "QuoteLine", "QuoteRun", "QuoteWatch", "RateSlot", "ShipAddress", "SearchQuery", "SecretAudit", "Sku", "Supplier", "Team", "User",
    "UsageExhaustion",
    # buying (issue 21)
    "BuyingPolicy", "DutyRate", "FreightEstimate", "ItemPacking", "OrderEvent", "PurchaseOrder", "PurchaseOrderLine",
    "RateCard", "Receipt", "Sample", "SamplePhoto",
    "ListImport", "ListImportRow",  # links in (issue 22)
    "Delivery", "Endpoint", "Event",  # webhooks out (issue 23)
    "Follow", "InboundMessage", "MessageFeed", "StateTime",  # 1688 messages in (issue 23)
]  # fmt: skip
