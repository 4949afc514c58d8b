"""Admin of buying (read here; written through the portal's services, which check roles and place orders once)."""

from django.contrib import admin

from sourcing.accounts.admin import FitsAPhone, TeamScoped
from sourcing.orders.models import (
    BuyingPolicy,
    DutyRate,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Quote,
    QuoteLine,
    QuoteRun,
    RateCard,
    Receipt,
    Sample,
    ShipAddress,
)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, never edited here."""

    extra = 0
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ["product", "sku_label", "quantity", "listed_unit_price", "unit_price", "amount", "orderable", "reasons"]
    readonly_fields = fields


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ["product", "sku_label", "quantity", "unit_price", "amount"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "kind", "text", "actor"]
    readonly_fields = fields


@admin.register(ShipAddress)
class ShipAddressAdmin(FitsAPhone, TeamScoped):
    list_display = ["label", "team", "province", "city", "district", "is_default", "updated_at"]
    list_filter = [("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label", "city", "district"]


@admin.register(QuoteRun)
class QuoteRunAdmin(FitsAPhone, TeamScoped):
    list_display = ["created_at", "product_list", "team", "trigger", "state", "groups_done", "groups_total", "calls",
                    "reused"]  # fmt: skip
    list_filter = ["state", "trigger"]
    list_select_related = ["product_list", "team"]
    date_hierarchy = "created_at"


@admin.register(Quote)
class QuoteAdmin(FitsAPhone, TeamScoped):
    list_display = ["quoted_at", "product_list", "supplier_name", "orderable", "goods", "freight", "total", "flow"]
    list_filter = ["orderable", "flow"]
    list_select_related = ["product_list"]
    search_fields = ["supplier_name"]
    date_hierarchy = "quoted_at"
    inlines = [QuoteLineInline]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(FitsAPhone, TeamScoped):
    list_display = ["pk", "created_at", "team", "supplier_name", "kind", "state", "total", "alibaba_order_id",
                    "place_attempts"]  # fmt: skip
    list_filter = ["state", "kind"]
    list_select_related = ["team"]
    # The idempotency key and 1688's order number: what support looks an order up by.
    search_fields = ["out_order_id", "alibaba_order_id", "supplier_name"]
    date_hierarchy = "created_at"
    inlines = [PurchaseOrderLineInline, OrderEventInline]


@admin.register(Sample)
class SampleAdmin(FitsAPhone, TeamScoped):
    list_display = ["created_at", "list_item", "team", "state", "quantity", "sample_price", "requested_by"]
    list_filter = ["state"]
    list_select_related = ["list_item__product", "team"]
    date_hierarchy = "created_at"


@admin.register(Receipt)
class ReceiptAdmin(FitsAPhone, TeamScoped):
    team_path = "line__order__team"
    list_display = ["received_at", "line", "supplier", "received_quantity", "damaged_quantity", "received_by"]
    list_select_related = ["line", "supplier"]
    date_hierarchy = "received_at"


@admin.register(RateCard)
class RateCardAdmin(FitsAPhone, TeamScoped):
    list_display = ["forwarder", "mode", "destination", "team", "currency", "price_per_kg", "volumetric_divisor",
                    "min_charge", "per_parcel_fee", "is_default"]  # fmt: skip
    list_filter = ["mode", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["forwarder", "destination"]


@admin.register(DutyRate)
class DutyRateAdmin(FitsAPhone, TeamScoped):
    list_display = ["team", "product_list", "category", "duty_percent", "vat_percent", "note", "updated_at"]
    list_select_related = ["team", "product_list", "category"]


@admin.register(BuyingPolicy)
class BuyingPolicyAdmin(FitsAPhone, TeamScoped):
    list_display = ["team", "approval_above", "updated_by", "updated_at"]
