"""Forms of inquiries to suppliers: the request, a reply logged, notes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.catalog.forms import price_field, quantity_field
from sourcing.core.natural import natural_sorted
from sourcing.inquiries.models import SupplierRequest


def days_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 0}),
        error_messages={"invalid": _("Enter a whole number of days, like 15."),
                        "min_value": _("Enter 0 days or more."), "max_value": _("Enter at most 365 days.")},
    )  # fmt: skip


def short_text(label, *, max_length: int = 500, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
                           error_messages={"max_length": _("Keep it to %(n)s characters.") % {"n": max_length}})  # fmt: skip


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
        from sourcing.catalog.templatetags.catalog import yuan

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
    quoted_lead_days = days_field(_("Lead time (days)"))
    sample_price = price_field()
    sample_days = days_field(_("Sample time (days)"))
    packing = short_text(_("Packing"))
    customisable = forms.TypedChoiceField(
        label=_("Customisation"), required=False, empty_value=None, coerce=lambda v: v == "yes",
        choices=[("", _("Not answered yet")), ("yes", _("Yes")), ("no", _("No"))],
        error_messages={"invalid_choice": _("Pick yes, no or not answered yet.")},
    )  # fmt: skip
    customisation = short_text(_("Customisation details"))
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
        self.fields["sample_price"].label = _("Sample price (¥)")


class InquiryNotesForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"max_length": _("Keep the notes to 4,000 characters.")})  # fmt: skip


class SupplierRequestForm(forms.Form):
    """One request to several suppliers: what to buy, how many, at what price, and what to ask each of them."""

    quantity = quantity_field()
    target_price = price_field()
    options = forms.CharField(label=_("Options and requirements"), required=False, max_length=500,
                              widget=forms.TextInput(attrs={"maxlength": 500}),
                              help_text=_("Colour, size, material, logo … in a few words."),
                              error_messages={"max_length": _("Keep it to %(n)s characters.") % {"n": 500}})  # fmt: skip
    questions = forms.MultipleChoiceField(
        label=_("Ask each supplier"), choices=SupplierRequest.Question.choices, widget=forms.CheckboxSelectMultiple,
        initial=SupplierRequest.Question.values,
        error_messages={"required": _("Pick at least one question to ask."),
                        "invalid_choice": _("Pick questions from the list.")},
    )  # fmt: skip
    language = forms.ChoiceField(label=_("Message language"), choices=[("zh", "中文"), ("en", "English")],
                                 initial="zh", required=False, widget=forms.RadioSelect,
                                 error_messages={"invalid_choice": _("Pick Chinese or English.")})  # fmt: skip
    note = short_text(_("Note for your team"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].label = _("Quantity")
        self.fields["quantity"].required = True
        self.fields["quantity"].error_messages["required"] = _("Enter the quantity you want to buy.")
