"""Forms of lists, items, comments, statuses and the display currency."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.catalog.forms import one_line, price_field, quantity_field
from sourcing.core.natural import natural_sorted
from sourcing.lists.models import ListItem


class ListForm(forms.Form):
    name = forms.CharField(label=_("List name"), max_length=120,
                           error_messages={"max_length": _("Keep the name to 120 characters.")})  # fmt: skip
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the list is for: a range, a season, a customer's order."),
        error_messages={"max_length": _("Keep the description to 2,000 characters.")},
    )  # fmt: skip

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
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
        from sourcing.catalog.templatetags.catalog import yuan

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
        return one_line(self.cleaned_data["new_list_name"])

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
