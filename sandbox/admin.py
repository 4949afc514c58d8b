from django import forms
from django.contrib import admin
from django.db.models import Q

from . import messages as sandbox_messages
from .models import (
    SandboxAccount,
    SandboxApp,
    SandboxCategory,
    SandboxOffer,
    SandboxOrder,
    SandboxOrderItem,
    SandboxSupplier,
)


class SandboxAppForm(forms.ModelForm):
    new_secret = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text="Leave empty to keep the secret."
    )

    class Meta:
        model = SandboxApp
        fields = [
            "app_key", "owner", "name", "redirect_uri", "grant_all", "grants", "qps", "daily_quota", "fault_timeout",
            "timeout_delay", "fault_5xx", "fault_malformed", "fault_truncated", "fault_frequency", "fault_no_usage", "latency_ms", "answer_profile",
        ]  # fmt: skip

    def save(self, commit=True):
        if self.cleaned_data.get("new_secret"):
            self.instance.app_secret = self.cleaned_data["new_secret"]
        return super().save(commit)


@admin.register(SandboxApp)
class SandboxAppAdmin(admin.ModelAdmin):
    form = SandboxAppForm
    raw_id_fields = ["owner"]
    list_display = [
        "app_key",
        "owner",
        "name",
        "redirect_uri",
        "grant_all",
        "qps",
        "daily_quota",
        "fault_timeout",
        "fault_5xx",
    ]
    fieldsets = [
        (None, {"fields": ["app_key", "owner", "name", "new_secret", "redirect_uri"]}),
        ("Permissions and limits", {"fields": ["grant_all", "grants", "qps", "daily_quota", "answer_profile"]}),
        ("Fault injection", {"fields": ["fault_timeout", "timeout_delay", "fault_5xx", "fault_malformed",
                                        "fault_truncated", "fault_frequency", "fault_no_usage", "latency_ms"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        # Like the console: staff who are not superusers see (and change) only the apps they own.
        apps = super().get_queryset(request)
        return apps if request.user.is_superuser else apps.filter(owner=request.user)

    def get_readonly_fields(self, request, obj=None):
        # Nor do they give an app to someone else, or make one in someone else's name.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else [*readonly, "owner"]

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    """1688 members who authorised an app. Staff who are not superusers see only those who authorised one of
    their own apps (another team's login ids are theirs), and change none: an account serves every app."""

    list_display = ["login_id", "member_id", "ali_id"]

    def get_queryset(self, request):
        accounts = super().get_queryset(request)
        if request.user.is_superuser:
            return accounts
        mine = (
            Q(sandboxauthcode__app__owner=request.user)
            | Q(sandboxrefreshtoken__app__owner=request.user)
            | Q(sandboxaccesstoken__app__owner=request.user)
        )
        return accounts.filter(pk__in=accounts.filter(mine).values("pk"))

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(SandboxSupplier)
class SandboxSupplierAdmin(admin.ModelAdmin):
    list_display = ["login_id", "company_name", "province", "city", "years"]
    search_fields = ["login_id", "company_name"]


@admin.register(SandboxOffer)
class SandboxOfferAdmin(admin.ModelAdmin):
    """A seller's edits: a price, the options or `listed` changed here are announced to the offer's followers
    (sandbox/signals.py), and so is a deletion."""

    list_display = ["offer_id", "subject", "base_price", "unit", "min_order_quantity", "listed"]
    list_filter = ["listed"]
    search_fields = ["subject", "subject_en"]
    raw_id_fields = ["supplier", "category"]

    def delete_model(self, request, obj):
        sandbox_messages.emit_deleted(obj.offer_id)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for offer_id in queryset.values_list("offer_id", flat=True):
            sandbox_messages.emit_deleted(offer_id)
        super().delete_queryset(request, queryset)


@admin.register(SandboxCategory)
class SandboxCategoryAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "name_en", "level"]


class SandboxOrderItemInline(admin.TabularInline):
    model = SandboxOrderItem
    extra = 0
    can_delete = False
    fields = ["offer_id", "spec_id", "name", "quantity", "unit", "price_fen", "unit_price_fen", "amount_fen"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SandboxOrder)
class SandboxOrderAdmin(admin.ModelAdmin):
    """Orders buyers placed through the sandbox: to look at, not to edit (the APIs and the cashier move them)."""

    list_display = ["order_id", "status", "account", "out_order_id", "total_fen", "created_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["=order_id", "out_order_id", "account__login_id"]
    inlines = [SandboxOrderItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
