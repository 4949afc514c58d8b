"""The sandbox console's form: one app's name, callback, granted APIs and limits."""

from django import forms
from django.db import IntegrityError, transaction
from django.utils.html import format_html

from . import apis  # noqa: F401 - registers the API handlers, so the grant choices are complete
from .gateway import APIS
from .models import SandboxApp, new_app_secret

MAX_QPS = 10_000
MAX_DAILY_QUOTA = 1_000_000_000


def grantable_apis() -> list[str]:
    """Ids of the APIs an app needs a grant for (the others answer every app)."""
    return sorted(a.id for a in APIS.values() if a.acl)


def _api_label(api_id: str) -> str:
    """The API's name, and its namespace and version on a second line (ids are long for phones)."""
    namespace, rest = api_id.split(":", 1)
    name, version = rest.rsplit("-", 1)
    return format_html('<code>{}</code> <span class="muted">{} · v{}</span>', name, namespace, version)


class ConsoleAppForm(forms.ModelForm):
    """Create or edit a sandbox app; the console generates App Key and App Secret itself."""

    name = forms.CharField(
        label="App name (应用名称)", max_length=100, strip=True, help_text="Any name that helps you find it again."
    )
    redirect_uri = forms.URLField(
        label="Callback URL (回调地址)", max_length=500, assume_scheme="https",
        help_text="Where the consent page sends your browser back. The portal's callback is prefilled.",
    )  # fmt: skip
    grants = forms.MultipleChoiceField(
        label="Granted APIs (API权限)", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Untick an API to see how the portal handles 1688's “permission denied” answer.",
    )  # fmt: skip
    qps = forms.IntegerField(
        label="Calls per second (QPS)", min_value=0, max_value=MAX_QPS, initial=10,
        help_text=f"0 means no limit; at most {MAX_QPS:,}.",
    )  # fmt: skip
    daily_quota = forms.IntegerField(
        label="Calls per day (daily quota)", min_value=0, max_value=MAX_DAILY_QUOTA, initial=10_000,
        help_text="Counted per Beijing day for the whole app; 0 means no limit.",
    )  # fmt: skip

    class Meta:
        model = SandboxApp
        fields = ["name", "redirect_uri", "grants", "qps", "daily_quota", "answer_profile"]
        labels = {"answer_profile": "Answers (应答样式)"}
        help_texts = {
            "answer_profile": "Sparse answers leave out, null and stringify fields per offer, as live 1688 answers do; "
            "full answers send every field."
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        choices = grantable_apis()
        self.fields["grants"].choices = [(api_id, _api_label(api_id)) for api_id in choices]
        app = self.instance
        if app.pk is None or app.grant_all:
            self.initial["grants"] = choices
        else:
            self.initial["grants"] = [g for g in app.grants if g in choices]

    def save(self, commit=True):  # the console always saves: commit is ignored
        """Save the app; a new one gets a fresh App Key and App Secret (read it from `new_secret`)."""
        app = super().save(commit=False)
        choices = set(grantable_apis())
        chosen = set(self.cleaned_data["grants"])
        kept = {g for g in app.grants if g not in choices}  # grants given outside the console
        app.grants = sorted(chosen | kept)
        app.grant_all = chosen == choices
        self.new_secret = None
        if app.pk is None:
            app.owner = self.owner
            self.new_secret = new_app_secret()
            app.app_secret = self.new_secret
            for attempt in range(5):
                app.app_key = SandboxApp.unused_app_key()
                try:
                    with transaction.atomic():
                        app.save()
                    break
                except IntegrityError:  # another console picked the same key between check and insert
                    if attempt == 4:
                        raise
        else:
            app.save()
        return app
