"""Admin of team lists (read here; written through the portal's services) and the exchange rates."""

from django import forms
from django.contrib import admin

from sourcing.accounts.admin import FitsAPhone, SafeDateFilters, SuperuserWrites, TeamScoped
from sourcing.lists.models import ExchangeRate, ItemComment, ListActivity, ListItem, ProductList


# --- team lists (read here; written through the portal's services) and the exchange rates ---
class ListItemInline(admin.TabularInline):
    model = ListItem
    extra = 0
    fields = ["product", "sku_label", "status", "target_quantity", "target_price", "added_by", "updated_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProductList)
class ProductListAdmin(FitsAPhone, TeamScoped):
    list_display = ["name", "team", "created_by", "updated_at", "archived_at"]
    list_filter = [("team", admin.RelatedOnlyFieldListFilter)]  # only the teams this user's lists belong to
    search_fields = ["name"]
    date_hierarchy = "updated_at"
    inlines = [ListItemInline]


@admin.register(ListItem)
class ListItemAdmin(TeamScoped):
    team_path = "product_list__team"
    list_display = ["product", "product_list", "status", "target_quantity", "target_price", "added_by", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["product", "product_list"]
    date_hierarchy = "updated_at"


@admin.register(ItemComment)
class ItemCommentAdmin(TeamScoped):
    team_path = "item__product_list__team"
    list_display = ["item", "author", "created_at", "text"]
    date_hierarchy = "created_at"


@admin.register(ListActivity)
class ListActivityAdmin(TeamScoped):
    team_path = "product_list__team"
    list_display = ["at", "product_list", "actor", "verb", "detail"]
    list_filter = ["verb"]
    date_hierarchy = "at"


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "date"]
        help_texts = {
            "currency": "ISO 4217 code, such as USD, EUR, GBP.",
            "rate": "How many units of that currency ¥1 buys (¥1 = 0.1380 USD → 0.1380).",
            "date": "The rate applies from this day until a newer one.",
        }

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise forms.ValidationError("Enter a three-letter currency code, such as USD.")
        if code == "CNY":
            raise forms.ValidationError("Prices are in CNY already: add rates for other currencies.")
        return code

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is None or not rate.is_finite() or rate <= 0:
            raise forms.ValidationError("A rate is a positive number, such as 0.1380.")
        return rate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SuperuserWrites, SafeDateFilters, admin.ModelAdmin):
    """A dated table kept by hand: the newest rate on or before a day applies (no outside service)."""

    form = ExchangeRateForm
    list_display = ["currency", "date", "rate", "yuan_per_unit", "updated_by", "created_at"]
    list_filter = ["currency"]
    date_hierarchy = "date"
    ordering = ["currency", "-date"]

    @admin.display(description="¥ per unit")
    def yuan_per_unit(self, obj):
        return f"¥{(1 / obj.rate):.4f}" if obj.rate else "—"

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
