from .accounts import Invitation, Membership, Team, User
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
    ConnectionCheck,
    OAuthToken,
    RateSlot,
    SecretAudit,
)

__all__ = [
    "ApiCallLog", "ApiPermission", "ApiPermissionChange", "ApiUsage", "AppCredential", "CatalogJob", "Category",
    "ConnectionCheck", "ImageUpload", "Invitation", "Membership", "OAuthToken", "PriceHistory", "Product",
    "ProductView", "RateSlot", "SearchQuery", "SecretAudit", "Sku", "Supplier", "Team", "User",
]  # fmt: skip
