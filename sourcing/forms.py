import json
import re

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from sourcing.image_limits import too_many_pixels
from sourcing.models import ApiPermission, AppCredential, ListItem, Membership, Team, User
from sourcing.natural import natural_sorted


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), required=True)
    team_name = forms.CharField(
        label=_("Team name"),
        max_length=100,
        required=False,
        help_text=_("Optional: a new team you will own. Skip it if you were invited to a team."),
    )

    class Meta:
        model = User
        fields = ("username", "email")


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the team a name."))
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.BUYER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


APP_KEY_PATTERN = r"^[0-9A-Za-z_-]{3,64}$"


def callback_url_field() -> forms.URLField:
    return forms.URLField(
        label=_("Callback URL"), required=False, max_length=500, assume_scheme="https",
        help_text=_("The callback URL you registered for the app (回调地址)."),
    )  # fmt: skip


class CredentialForm(forms.ModelForm):
    """Add or edit a credential; the App Secret is write-only and asked for only when adding."""

    callback_url = callback_url_field()
    app_secret = forms.CharField(
        label=_("App Secret"), required=False, strip=True, max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("From the 1688 console: 应用管理 → your app → 基本信息 → 应用凭证 → App Secret (显示, then 复制)."),
    )  # fmt: skip

    class Meta:
        model = AppCredential
        fields = [
            "name",
            "app_key",
            "account_type",
            "gateway",
            "callback_url",
            "daily_quota",
            "qps",
            "shared_with_team",
        ]
        help_texts = {
            "app_key": _("The 8-digit number shown as App Key under 应用凭证."),
            "daily_quota": _("Calls per API per Beijing day that 1688 granted; the portal stops before it."),
            "qps": _("Calls per second allowed for the app; shared by all workers."),
        }

    daily_quota = forms.IntegerField(
        label=_("Daily call quota per API"), min_value=1, max_value=100_000_000, initial=1000,
        help_text=_("Calls per API per Beijing day that 1688 granted; the portal stops before it."),
        error_messages={"min_value": _("The quota must be at least 1 call a day."),
                        "max_value": _("That is more than any 1688 package grants: enter at most 100,000,000.")},
    )  # fmt: skip
    qps = forms.IntegerField(
        label=_("Calls per second"), min_value=0, max_value=10_000, initial=4,
        help_text=_("Calls per second allowed for the app, shared by all workers (0 = no limit)."),
        error_messages={"max_value": _("Enter at most 10,000 calls per second.")},
    )  # fmt: skip

    field_order = ["name", "app_key", "app_secret", "account_type", "gateway", "callback_url", "daily_quota", "qps"]

    def __init__(self, *args, user, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["shared_with_team"].queryset = Team.objects.filter(memberships__user=user)
        self.fields["shared_with_team"].label = _("Share with team")
        if creating:
            self.fields["app_secret"].required = True
            # The limits start at what the chosen gateway is known to allow; portal.js follows a change of gateway.
            gateway = self.initial.get("gateway") or AppCredential._meta.get_field("gateway").default
            quota, qps = AppCredential.default_limits(gateway)
            self.fields["daily_quota"].initial, self.fields["qps"].initial = quota, qps
            self.fields["gateway"].widget.attrs["data-limit-defaults"] = json.dumps(
                {g: AppCredential.default_limits(g) for g in AppCredential.Gateway.values}
            )
        else:
            del self.fields["app_secret"]
            self.fields["app_key"].disabled = True

    def clean_app_key(self):
        value = self.cleaned_data["app_key"].strip()
        if not re.match(APP_KEY_PATTERN, value):
            raise forms.ValidationError(_("An App Key is letters and digits only, like 12345678. Copy it again."))
        return value

    def clean_app_secret(self):
        value = self.cleaned_data.get("app_secret", "").strip().strip("\"'")
        if self.creating and any(c.isspace() for c in value):
            raise forms.ValidationError(_("An App Secret has no spaces: copy it again from the 1688 console."))
        if self.creating and len(value) < 6:
            raise forms.ValidationError(_("That is too short for an App Secret: paste the whole value (应用凭证 → "
                                          "App Secret → 显示, then 复制)."))  # fmt: skip
        return value

    def clean_daily_quota(self):
        value = self.cleaned_data["daily_quota"]
        if value < 1:
            raise forms.ValidationError(_("The quota must be at least 1 call a day."))
        return value


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your portal password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ResetSecretForm(forms.Form):
    new_secret = forms.CharField(
        label=_("New App Secret"), max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class PermissionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ApiPermission.Status.choices)
    reason = forms.CharField(required=False, max_length=300)


class ImageSearchForm(forms.Form):
    """A photo to search 1688 by, or the picture address of a product the portal shows."""

    image = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    image_url = forms.URLField(
        label=_("…or the picture address of a product in the portal"), required=False, max_length=500,
        assume_scheme="https",
    )  # fmt: skip

    def clean_image(self):
        from django.conf import settings

        upload = self.cleaned_data.get("image")
        if upload is None:
            return None
        limit = settings.CATALOG_IMAGE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("That file is %(size)s MB; pictures up to %(limit)s MB can be searched. Send a smaller photo.")
                % {"size": f"{upload.size / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:g}"}
            )
        if not upload.size:
            raise forms.ValidationError(_("That file is empty."))
        too_big = too_many_pixels(upload)
        if too_big:
            raise forms.ValidationError(too_big)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("image") and not cleaned.get("image_url"):
            raise forms.ValidationError(_("Choose a photo to upload, or paste a product picture's address."))
        return cleaned


# --- team lists (docs/lists.md) ---
QUANTITY_MAX = 10_000_000
PRICE_MAX = 1_000_000


def quantity_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Target quantity"), required=False, min_value=1, max_value=QUANTITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 1}),
        error_messages={"invalid": _("Enter a whole number of pieces, like 500."),
                        "min_value": _("Enter at least 1 piece."),
                        "max_value": _("Enter at most 10,000,000 pieces.")},
        **kwargs,
    )  # fmt: skip


def price_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Target price (¥ per piece)"), required=False, min_value=0, max_value=PRICE_MAX, max_digits=12,
        decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": 0}),
        error_messages={"invalid": _("Enter an amount in yuan, like 12.50."),
                        "min_value": _("A price can't be below ¥0."),
                        "max_value": _("Enter at most ¥1,000,000."),
                        "max_decimal_places": _("Enter at most two decimals (fen), like 12.50."),
                        "max_digits": _("Enter at most ¥1,000,000."),
                        "max_whole_digits": _("Enter at most ¥1,000,000.")},
        **kwargs,
    )  # fmt: skip


def _one_line(value: str) -> str:
    return " ".join(str(value or "").split())


class ListForm(forms.Form):
    name = forms.CharField(label=_("List name"), max_length=120,
                           error_messages={"max_length": _("Keep the name to 120 characters.")})  # fmt: skip
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the list is for: a range, a season, a customer's order."),
        error_messages={"max_length": _("Keep the description to 2,000 characters.")},
    )  # fmt: skip

    def clean_name(self):
        name = _one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the list a name."))
        return name


class ItemForm(forms.Form):
    """An item's SKU, target quantity and price, and note; `version` is the item's version when the form opened."""

    sku = forms.TypedChoiceField(label=_("Option (SKU)"), required=False, coerce=int, empty_value=None)
    target_quantity = quantity_field()
    target_price = price_field()
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"max_length": _("Keep the note to 2,000 characters.")})  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        from sourcing.templatetags.catalog import yuan

        choices = [("", _("No option chosen"))]
        for sku in natural_sorted(product.skus.all()[:500], key=lambda sku: sku.label):
            label = sku.label or sku.sku_id
            if sku.price is not None:
                label += f" · {yuan(sku.price)}"
            if sku.stock is not None:
                label += " · " + (_("sold out") if sku.stock == 0 else _("%(n)s in stock") % {"n": f"{sku.stock:,}"})
            choices.append((sku.pk, label))
        self.fields["sku"].choices = choices

    def clean_note(self):
        return self.cleaned_data["note"].replace("\r\n", "\n").replace("\r", "\n")


class ItemBaseForm(ItemForm):
    """The values the editor saw when the form opened (hidden), so a save merges with changes made meanwhile."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="base", **kwargs)
        for field in self.fields.values():
            field.widget = forms.HiddenInput()
        del self.fields["version"]


class AddToListForm(forms.Form):
    """One click on a result card or product page: the offer, and a list or the name of a new one."""

    offer_id = forms.CharField(max_length=19)
    list = forms.CharField(required=False, max_length=19)
    new_list_name = forms.CharField(label=_("New list"), required=False, max_length=120,
                                    error_messages={"max_length": _("Keep the name to 120 characters.")})  # fmt: skip
    qty = quantity_field()
    sku = forms.CharField(required=False, max_length=19)

    def clean_new_list_name(self):
        return _one_line(self.cleaned_data["new_list_name"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("new_list_name") and not (cleaned.get("list") or "").isdigit():
            raise forms.ValidationError(_("Choose a list, or name a new one."))
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Write to the team…")}),
                           error_messages={"required": _("Write something first."),
                                           "max_length": _("Keep a comment to 2,000 characters.")})  # fmt: skip


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ListItem.Status.choices)


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Show prices also in"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = choices


# --- inquiries and alerts (docs/inquiries-alerts.md) ---
class InquiryForm(forms.Form):
    """Contact a supplier: option, quantity, target price, language and the message to paste into the chat."""

    sku = forms.TypedChoiceField(label=_("Option (SKU)"), required=False, coerce=int, empty_value=None)
    quantity = quantity_field()
    target_price = price_field()
    language = forms.ChoiceField(label=_("Message language"), choices=[("zh", "中文"), ("en", "English")],
                                 initial="zh", widget=forms.RadioSelect)  # fmt: skip
    message = forms.CharField(
        label=_("Message to the supplier"), max_length=4000, widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write a message to the supplier first."),
                        "max_length": _("Keep the message to 4,000 characters.")},
    )  # fmt: skip

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        from sourcing.templatetags.catalog import yuan

        self.fields["quantity"].label = _("Quantity")
        choices = [("", _("No option chosen"))]
        for sku in natural_sorted(product.skus.all()[:500], key=lambda sku: sku.label):
            label = sku.label or sku.sku_id
            if sku.price is not None:
                label += f" · {yuan(sku.price)}"
            if sku.stock == 0:
                label += " · " + _("sold out")
            choices.append((sku.pk, label))
        self.fields["sku"].choices = choices

    def clean_message(self):
        return self.cleaned_data["message"].replace("\r\n", "\n").strip()


class InquiryReplyForm(forms.Form):
    quoted_price = price_field()
    quoted_quantity = quantity_field()
    quoted_moq = quantity_field()
    quoted_lead_days = forms.IntegerField(
        label=_("Lead time (days)"), required=False, min_value=0, max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 0}),
        error_messages={"invalid": _("Enter a whole number of days, like 15."),
                        "min_value": _("Enter 0 days or more."), "max_value": _("Enter at most 365 days.")},
    )  # fmt: skip
    replied_at = forms.DateTimeField(
        label=_("They answered at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"], help_text=_("Leave empty for now."),
        error_messages={"invalid": _("Enter a date and time like 2025-05-01 14:30.")},
    )  # fmt: skip
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"max_length": _("Keep the notes to 4,000 characters.")})  # fmt: skip

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # per unit of the offer (个, 箱 …): lists and compare set the quote beside the offer's own unit price
        self.fields["quoted_price"].label = (
            _("Quoted price (¥ per %(unit)s)") % {"unit": unit} if unit else _("Quoted price (¥ per unit of the offer)")
        )
        self.fields["quoted_quantity"].label = _("For a quantity of")
        self.fields["quoted_quantity"].help_text = _("The quantity the price is for; the inquiry's quantity if empty.")
        self.fields["quoted_moq"].label = _("Quoted minimum order")


class InquiryNotesForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"max_length": _("Keep the notes to 4,000 characters.")})  # fmt: skip


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tell me when"), choices=[
        ("price_below", _("the price drops below")), ("price_above", _("the price rises above")),
        ("back_in_stock", _("it is back in stock")), ("out_of_stock", _("it sells out")),
        ("delisted", _("it is taken off 1688")),
    ])  # fmt: skip
    threshold = price_field()
    notify_team = forms.BooleanField(label=_("Tell the whole team"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].label = _("Price (¥ per piece)")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in ("price_below", "price_above") and cleaned.get("threshold") is None \
                and "threshold" not in self.errors:  # fmt: skip
            self.add_error("threshold", _("A price alert needs a price in yuan, like 12.50."))
        return cleaned


class AlertSettingsForm(forms.Form):
    delivery = forms.ChoiceField(label=_("E-mail me about alerts"), widget=forms.RadioSelect, choices=[
        ("immediate", _("Right away")), ("daily", _("In a daily digest")), ("off", _("Never (the bell only)")),
    ])  # fmt: skip
