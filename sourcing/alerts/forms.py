"""Forms of alerts and of how notifications are delivered."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.catalog.forms import price_field


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
