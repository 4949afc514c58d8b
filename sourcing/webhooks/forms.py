"""The endpoint form: sizes, and the URL's words at once beside the other fields' (the service checks again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.webhooks.models import EventKind
from sourcing.webhooks.sending import url_refusal


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/hooks/1688",
                                                       "autocomplete": "off", "inputmode": "url"}))  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  help_text=_("What receives it, for your teammates."))  # fmt: skip
    kinds = forms.MultipleChoiceField(label=_("Events"), choices=EventKind.choices,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Choose at least one event.")})  # fmt: skip

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        refusal = url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url
