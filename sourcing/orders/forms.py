"""Forms of ship-to addresses, quoting a list and a list's buying settings."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.catalog.forms import one_line
from sourcing.orders.regions import PROVINCES

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
POST_CODE = re.compile(r"[0-9]{6}")


def _text(label, max_length, *, required=True, help_text=""):
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text,
        error_messages={"max_length": _("Keep this to %(limit_value)d characters."), "required": _("Fill this in.")},
    )  # fmt: skip


class AddressForm(forms.Form):
    """A ship-to address in China, in the words 1688's order form uses."""

    label = _text(_("Name"), 60, help_text=_("For your team: 义乌仓 (forwarder), Guangzhou warehouse…"))
    contact_name = _text(_("Contact name"), 40, help_text=_("Who signs for the goods: 张三"))
    phone = _text(
        _("Phone"), 20, help_text=_("A mobile (13800138000) or a landline with its area code (0579-85123456).")
    )
    province = forms.ChoiceField(label=_("Province"), choices=[("", "—")] + [(p, p) for p, _code in PROVINCES],
                                 error_messages={"required": _("Pick the province."),
                                                 "invalid_choice": _("Pick one of the listed provinces.")})  # fmt: skip
    city = _text(_("City"), 40, help_text="金华市")
    district = _text(_("District"), 40, help_text="义乌市 / 滨江区")
    street = _text(_("Street address"), 200, help_text=_("Street, number, building and unit: 稠州北路1号3楼"))
    post_code = _text(_("Post code"), 6, required=False, help_text=_("Six digits, if you know it."))
    is_default = forms.BooleanField(label=_("Use this address by default"), required=False)

    def clean(self):
        data = super().clean()
        for name in ("label", "contact_name", "city", "district", "street"):
            if name in data:
                data[name] = one_line(data[name])
                if not data[name] and name not in self.errors:
                    self.add_error(name, _("Fill this in."))
        return data

    def clean_phone(self):
        phone = "".join(self.cleaned_data["phone"].split()).replace("+86", "", 1)
        if MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone):
            return phone
        raise forms.ValidationError(_("Give a mainland mobile number (11 digits, 13800138000) or a landline with its "
                                      "area code (0579-85123456)."))  # fmt: skip

    def clean_post_code(self):
        code = "".join(self.cleaned_data["post_code"].split())
        if code and not POST_CODE.fullmatch(code):
            raise forms.ValidationError(_("A post code is six digits (322000)."))
        return code


class QuoteForm(forms.Form):
    """Quote the list (or the ticked items) to one of the team's addresses."""

    address = forms.TypedChoiceField(label=_("Deliver to"), coerce=int, required=False, empty_value=None)
    again = forms.BooleanField(required=False)  # ask 1688 again even where today's quote is unchanged

    def __init__(self, *args, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [(a.pk, f"{a.label} · {a.one_line}") for a in addresses]
        self.fields["address"].error_messages["invalid_choice"] = _("Pick one of the team's addresses.")


class WatchForm(forms.Form):
    """A list's buying settings."""

    ordering = forms.BooleanField(label=_("Ordering: re-quote this list every day"), required=False)
    drift_percent = forms.DecimalField(
        label=_("Alert when a quoted price moves by (%)"), min_value=Decimal("0.1"), max_value=Decimal(100),
        max_digits=5, decimal_places=2,
        error_messages={"min_value": _("Give a percentage from 0.1 to 100."),
                        "max_value": _("Give a percentage from 0.1 to 100."),
                        "invalid": _("Give a percentage from 0.1 to 100."),
                        "max_digits": _("Give a percentage from 0.1 to 100."),
                        "max_decimal_places": _("Use at most two decimals."),
                        "required": _("Give a percentage from 0.1 to 100.")},
    )  # fmt: skip


class OrderEditForm(forms.Form):
    """A draft's message to the seller and where it goes; amounts are never a form's."""

    message = forms.CharField(label=_("Message to the seller"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"max_length": _("Keep this to %(limit_value)d characters.")})  # fmt: skip
    address = forms.TypedChoiceField(label=_("Deliver to"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [(a.pk, f"{a.label} · {a.one_line}") for a in addresses]
        self.fields["address"].error_messages["invalid_choice"] = _("Pick one of the team's addresses.")


class PolicyForm(forms.Form):
    """The team's approval threshold."""

    approval_above = forms.DecimalField(
        label=_("Orders above this amount (¥) need an owner's or admin's approval"), required=False, min_value=0,
        max_value=Decimal("999999999999"), max_digits=14, decimal_places=2,
        help_text=_("Leave it empty to approve every order; 0 does the same."),
        error_messages={"min_value": _("Give an amount of zero or more, or leave it empty."),
                        "max_value": _("Give an amount below ¥1,000,000,000,000."),
                        "max_digits": _("Give an amount below ¥1,000,000,000,000."),
                        "invalid": _("Give an amount in yuan, like 5000 or 5000.50."),
                        "max_decimal_places": _("Use at most two decimals.")},
    )  # fmt: skip
