from .accounts import Invitation, Membership, PasswordResetRequest, Team, User
from .alerts import Alert, AlertSettings, Notification
from .catalog import (
    CatalogJob,
    Category,
    ImageUpload,
    PriceHistory,
    Product,
    ProductView,
    SearchQuery,
    Sku,
    Supplier,
)
from .credentials import (
    ApiCallLog,
    ApiPermission,
    ApiPermissionChange,
    ApiUsage,
    AppCredential,
    BudgetUse,
    ConnectionCheck,
    OAuthToken,
    RateSlot,
    SecretAudit,
    UsageExhaustion,
)
from .inquiries import Inquiry
from .lists import ExchangeRate, ItemComment, ListActivity, ListItem, ProductList

__all__ = [
    "Alert", "AlertSettings", "BudgetUse", "Inquiry", "Notification",
    "ApiCallLog", "ApiPermission", "ApiPermissionChange", "ApiUsage", "AppCredential", "CatalogJob", "Category",
    "ConnectionCheck", "ExchangeRate", "ImageUpload", "Invitation", "ItemComment", "ListActivity", "ListItem",
    "Membership", "OAuthToken", "PasswordResetRequest", "PriceHistory", "Product",
    "ProductList", "ProductView", "RateSlot", "SearchQuery", "SecretAudit", "Sku", "Supplier", "Team", "User",
    "UsageExhaustion",
]  # fmt: skip
