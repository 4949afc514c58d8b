"""Admin of API tokens: read only and team-scoped like the other team rows (made and revoked on the team's API
tokens page, whose services check the roles). The digest is never shown."""

from django.contrib import admin

from sourcing.accounts.admin import FitsAPhone, TeamScoped
from sourcing.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(FitsAPhone, TeamScoped):
    list_display = ["name", "team", "key_id", "scopes", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "key_id"]
    fields = ["name", "team", "key_id", "scopes", "created_by", "created_at", "last_used_at", "revoked_at",
              "revoked_by"]  # fmt: skip
    readonly_fields = fields
