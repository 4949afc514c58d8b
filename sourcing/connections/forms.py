"""Forms of credentials, secrets and permission states."""

import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team
from sourcing.connections.models import ApiPermission, AppCredential

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
