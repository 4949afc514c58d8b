"""Admin of webhooks: read-only, limited to the staff user's own teams; endpoints are managed on the team's pages
(whose services check the roles and keep the secret write-only). No secret is shown here."""

from django.contrib import admin

from sourcing.accounts.admin import FitsAPhone, TeamScoped
from sourcing.webhooks.models import Delivery, Endpoint


class TeamScopedReadOnly(TeamScoped):
    def has_delete_permission(self, request, obj=None):
        return False  # an endpoint is deleted on the team's page; a delivery is its endpoint's history


@admin.register(Endpoint)
class EndpointAdmin(FitsAPhone, TeamScopedReadOnly):
    list_display = ["url", "team", "active", "failing_since", "created_by", "created_at"]
    list_filter = ["active", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["url", "description"]
    exclude = ["secret_encrypted", "previous_secret_encrypted"]
    readonly_fields = ["team", "url", "description", "kinds", "active", "disabled_reason", "failing_since",
                       "previous_secret_until", "created_by", "created_at"]  # fmt: skip


@admin.register(Delivery)
class DeliveryAdmin(FitsAPhone, TeamScopedReadOnly):
    team_path = "endpoint__team"
    list_display = ["created_at", "event_kind", "endpoint", "status", "attempts", "response_code", "duration_ms",
                    "next_attempt_at", "error"]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["endpoint", "event"]
    date_hierarchy = "created_at"
    readonly_fields = ["endpoint", "event", "event_kind", "event_data", "replay_of", "status", "attempts",
                       "next_attempt_at", "last_attempt_at", "response_code", "response_excerpt", "duration_ms",
                       "error", "created_at"]  # fmt: skip
    exclude = ["lease_until"]

    @admin.display(description="event")
    def event_kind(self, obj):
        return obj.event.kind

    @admin.display(description="payload data")
    def event_data(self, obj):
        return obj.event.data
