from .accounts import Invitation, Membership, Team, User
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
    "ApiCallLog", "ApiPermission", "ApiPermissionChange", "ApiUsage", "AppCredential", "ConnectionCheck",
    "Invitation", "Membership", "OAuthToken", "RateSlot", "SecretAudit", "Team", "User",
]  # fmt: skip
