from django import forms
from django.contrib import admin

from .models import SandboxAccount, SandboxApp, SandboxCategory, SandboxOffer, SandboxSupplier


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


@admin.register(SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    list_display = ["login_id", "member_id", "ali_id"]


@admin.register(SandboxSupplier)
class SandboxSupplierAdmin(admin.ModelAdmin):
    list_display = ["login_id", "company_name", "province", "city", "years"]
    search_fields = ["login_id", "company_name"]


@admin.register(SandboxOffer)
class SandboxOfferAdmin(admin.ModelAdmin):
    list_display = ["offer_id", "subject", "base_price", "unit", "min_order_quantity"]
    search_fields = ["subject", "subject_en"]
    raw_id_fields = ["supplier", "category"]


@admin.register(SandboxCategory)
class SandboxCategoryAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "name_en", "level"]
