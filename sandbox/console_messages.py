"""The console's "Messages" section of an app (1688's 消息订阅): callback URL and topics, a test message, the
accounts that authorised the app (each can be withdrawn), and the delivery log (docs/1688-messages.md)."""

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import messages
from .models import SandboxAccount, SandboxApp, SandboxMessage, SandboxRefreshToken, SandboxSubscription

TOPIC_LABELS = {
    messages.INVENTORY: "stock per option (followed offers)",
    messages.MODIFY: "offer added or changed: price, options (followed offers)",
    messages.EXPIRE: "offer delisted (followed offers)",
    messages.REPOST: "offer relisted (followed offers)",
    messages.DELETE: "offer deleted (followed offers)",
    messages.PRICE: "distribution price changed (followed offers)",
    messages.LOGISTICS: "parcel reached a step",
    messages.AUTH_CANCEL: "an account withdrew its authorisation",
    **{topic: f"order {status}" for topic, status in messages.ORDER_TOPICS.items()},
}
LOG_ROWS = 25


class SubscriptionForm(forms.Form):
    callback_url = forms.URLField(
        label="Message callback URL (消息接收地址)", max_length=500, required=False, assume_scheme="https",
        help_text="Messages are POSTed here as a form (message, _aop_signature). Empty: they wait in the "
        "message list (push.query.messageList).",
    )  # fmt: skip
    topics = forms.MultipleChoiceField(
        label="Topics (订阅的消息)", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(topic, topic) for topic in messages.TOPICS],
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t, f"{t} — {TOPIC_LABELS.get(t, '')}") for t in messages.TOPICS]


def _back(app: SandboxApp):
    return redirect(reverse("sandbox:console_app", args=[app.app_key]) + "#messages")


def _app(user, app_key: str) -> SandboxApp:
    return get_object_or_404(SandboxApp, app_key=app_key, owner=user)


def authorised_accounts(app: SandboxApp) -> list[SandboxAccount]:
    """The accounts with a live authorisation of the app (a refresh token not revoked and not expired)."""
    ids = SandboxRefreshToken.objects.filter(app=app, revoked_at=None, expires_at__gt=timezone.now()).values("account")
    return list(SandboxAccount.objects.filter(pk__in=ids).order_by("login_id"))


def context(app: SandboxApp, form: SubscriptionForm | None = None) -> dict:
    """What the app page shows in its Messages section."""
    subscription = SandboxSubscription.objects.filter(app=app).first()
    if form is None:
        initial = {"callback_url": subscription.callback_url, "topics": subscription.topics} if subscription else {}
        form = SubscriptionForm(initial=initial or {"topics": messages.TOPICS})
    log = list(SandboxMessage.objects.filter(app=app).order_by("-msg_id")[:LOG_ROWS])
    return {"subscription": subscription, "subscription_form": form, "message_log": log,
            "message_count": SandboxMessage.objects.filter(app=app).count(),
            "follow_count": app.follows.count(), "authorised": authorised_accounts(app)}  # fmt: skip


@never_cache
@login_required
@require_POST
def save(request, app_key: str):
    from .forms import ConsoleAppForm
    from .views import _app_page

    app = _app(request.user, app_key)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _app_page(request, app, ConsoleAppForm(owner=request.user, instance=app), status=400,
                         subscription_form=form)  # fmt: skip
    messages.subscribe(app, callback_url=form.cleaned_data["callback_url"], topics=form.cleaned_data["topics"])
    flash.success(request, "Message subscription saved: changes from now on are sent there.")
    return _back(app)


@never_cache
@login_required
@require_POST
def send_test(request, app_key: str):
    app = _app(request.user, app_key)
    subscription = SandboxSubscription.objects.filter(app=app).first()
    if subscription is None or not subscription.callback_url:
        flash.error(request, "Save a message callback URL first.")
    else:
        messages.emit_test(app)
        flash.success(request, "Test message sent: its outcome shows in the delivery log below (reload in a moment).")
    return _back(app)


@never_cache
@login_required
@require_POST
def withdraw(request, app_key: str, account_id: int):
    """The account withdraws the app's authorisation (on 1688 the member does it in their account settings)."""
    app = _app(request.user, app_key)
    # only an account that authorised this app: any other id (another owner's user) is 404, its login id unshown
    account = next((a for a in authorised_accounts(app) if a.pk == account_id), None)
    if account is None:
        raise Http404("No such authorisation")
    messages.revoke(app, account)
    flash.warning(request, f"{account.login_id} withdrew the authorisation: its tokens stopped working, and "
                           "AUTHORIZATION_CANCEL was sent.")  # fmt: skip
    return _back(app)
