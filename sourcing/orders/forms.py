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
    """A list's buying settings: ordering, the drift that alerts, and where the daily re-quote prices to."""

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("The team's default address"))] + [
            (str(a.pk), f"{a.label} · {a.one_line}") for a in addresses
        ]
        self.fields["address"] = forms.TypedChoiceField(
            label=_("Re-quote to"), choices=choices, coerce=int, empty_value=None, required=False,
            error_messages={"invalid_choice": _("Pick one of your team's addresses.")},
        )  # fmt: skip

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


# --- landed cost ---
def _amount(label, *, max_value, max_digits, decimal_places=2, required=True, min_value=Decimal(0), help_text=""):
    """A non-negative amount: NaN, ², 10,000 digits and negatives get one clear message, never a 500."""
    words = _("Give a number from %(low)s to %(high)s.") % {"low": min_value, "high": f"{max_value:,}"}
    return forms.DecimalField(
        label=label, required=required, min_value=min_value, max_value=max_value, max_digits=max_digits,
        decimal_places=decimal_places, help_text=help_text,
        error_messages={"min_value": words, "max_value": words, "invalid": words, "max_digits": words,
                        "max_whole_digits": words, "required": _("Fill this in."),
                        "max_decimal_places": _("Use at most %(n)d decimals.") % {"n": decimal_places}},
    )  # fmt: skip


def _whole(label, *, min_value, max_value, required=True, help_text=""):
    words = _("Give a whole number from %(low)s to %(high)s.") % {"low": min_value, "high": f"{max_value:,}"}
    return forms.IntegerField(
        label=label, required=required, min_value=min_value, max_value=max_value, help_text=help_text,
        error_messages={"min_value": words, "max_value": words, "invalid": words, "required": _("Fill this in.")},
    )  # fmt: skip


class RateCardForm(forms.Form):
    """One line of a forwarder's prices: per chargeable kg, with its minimum charge and parcel fee."""

    forwarder = _text(_("Forwarder"), 60, help_text=_("顺达货代, Flexport…"))
    mode = forms.ChoiceField(label=_("Line"), error_messages={"invalid_choice": _("Pick sea, air, rail or express."),
                                                              "required": _("Pick sea, air, rail or express.")})  # fmt: skip
    destination = _text(_("To"), 60, required=False, help_text=_("Hamburg, US West (LAX)…"))
    currency = forms.ChoiceField(label=_("Currency of the card"),
                                 error_messages={"invalid_choice": _("Pick one of the listed currencies.")})  # fmt: skip
    price_per_kg = _amount(_("Price per kg"), max_value=Decimal("99999999.99"), max_digits=10,
                           help_text=_("per chargeable kg: the greater of the weight and the volume ÷ divisor"))  # fmt: skip
    volumetric_divisor = _whole(_("Volumetric divisor (cm³ per kg)"), min_value=1, max_value=100_000,
                                help_text=_("6000 air and express, 5000 some express, 3000 rail, 1000 sea"))  # fmt: skip
    min_charge = _amount(_("Minimum charge"), max_value=Decimal("99999999.99"), max_digits=10, required=False,
                         help_text=_("for the whole shipment of a list"))  # fmt: skip
    per_parcel_fee = _amount(_("Fee per parcel"), max_value=Decimal("99999999.99"), max_digits=10, required=False,
                             help_text=_("one parcel per supplier"))  # fmt: skip
    transit_days_min = _whole(_("Transit days, from"), min_value=0, max_value=365, required=False)
    transit_days_max = _whole(_("Transit days, to"), min_value=0, max_value=365, required=False)
    notes = _text(_("Notes"), 300, required=False)
    is_default = forms.BooleanField(label=_("Use this card by default"), required=False)

    def __init__(self, *args, currencies=("CNY",), **kwargs):
        from sourcing.orders.models import RateCard

        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [("", "—")] + list(RateCard.Mode.choices)
        self.fields["currency"].choices = [(c, c) for c in currencies]
        self.fields["currency"].initial = "CNY"
        self.fields["volumetric_divisor"].initial = 6000

    def clean(self):
        data = super().clean()
        for name in ("forwarder", "destination", "notes"):
            if name in data:
                data[name] = one_line(data[name])
        if "forwarder" in data and not data["forwarder"] and "forwarder" not in self.errors:
            self.add_error("forwarder", _("Fill this in."))
        for name in ("min_charge", "per_parcel_fee"):
            if name in data and data[name] is None:
                data[name] = Decimal(0)
        low, high = data.get("transit_days_min"), data.get("transit_days_max")
        if low is not None and high is not None and low > high:
            self.add_error("transit_days_max", _("The longest transit can't be shorter than the shortest."))
        return data


class DutyRateForm(forms.Form):
    """Import duty and VAT, in per cent, for a list or a category."""

    duty_percent = _amount(_("Duty (%)"), max_value=Decimal(100), max_digits=5)
    vat_percent = _amount(_("VAT / import tax (%)"), max_value=Decimal(100), max_digits=5)
    note = _text(_("Note"), 200, required=False, help_text=_("The HS code, where the rate comes from."))

    def clean_note(self):
        return one_line(self.cleaned_data["note"])


class CategoryDutyForm(DutyRateForm):
    """A category's duty and VAT: the category is one the team's list items are in."""

    category = forms.TypedChoiceField(label=_("Category"), coerce=int, error_messages={
        "invalid_choice": _("Pick one of the categories of your lists' items."),
        "required": _("Pick one of the categories of your lists' items.")})  # fmt: skip

    field_order = ["category", "duty_percent", "vat_percent", "note"]

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c.pk, c.display_name) for c in categories]


class PackingForm(forms.Form):
    """One unit packed, when the buyer knows better than 1688: both empty goes back to 1688's weight."""

    unit_weight_kg = _amount(_("Weight per unit (kg)"), max_value=Decimal("9999999.999"), max_digits=10,
                             decimal_places=3, required=False, min_value=Decimal("0.001"))  # fmt: skip
    unit_volume_cm3 = _amount(_("Volume per unit (cm³)"), max_value=Decimal("99999999999.9"), max_digits=12,
                              decimal_places=1, required=False, min_value=Decimal("0.1"))  # fmt: skip


class CardPickForm(forms.Form):
    """The list's rate card (empty: the team's default)."""

    rate_card = forms.TypedChoiceField(label=_("Rate card"), coerce=int, required=False, empty_value=None,
                                       error_messages={"invalid_choice": _("Pick one of the team's rate cards.")})  # fmt: skip

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate_card"].choices = [("", _("The team's default"))] + [(c.pk, str(c)) for c in cards]


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
