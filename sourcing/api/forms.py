"""The form that makes an API token on the team's API tokens page."""

from django import forms
from django.utils.translation import gettext_lazy as _

SCOPE_CHOICES = [
    ("read", _("read: products, suppliers, search, lists, quotes, orders, alerts")),
    ("write", _("write: lists and items, alerts, asking 1688 for searches and quotes")),
    ("order", _("order: draft and submit purchase orders (the team's approval rules apply)")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("The system that will use it, like “ERP sync”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=SCOPE_CHOICES, initial=["read"],
                                       widget=forms.CheckboxSelectMultiple)  # fmt: skip
