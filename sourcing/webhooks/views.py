"""A team's webhooks: every member reads the endpoints and their delivery log; owners and admins add, change, test,
roll the secret of, disable and delete endpoints, and replay deliveries.

The team comes through `get_membership_for_user`, each endpoint and delivery through their selectors (404 outside
the team); the services' role checks answer 403 with words; bad input re-renders the form with a 400. A signing
secret is shown once, in the answer to the POST that made it (never stored in a message or the session).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sourcing.accounts.selectors import get_membership_for_user
from sourcing.accounts.views.site import refusal
from sourcing.webhooks import selectors, services
from sourcing.webhooks.forms import EndpointForm
from sourcing.webhooks.models import Delivery
from sourcing.webhooks.services import WebhookError, WebhookForbidden


def _refused(request, error: WebhookError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, WebhookForbidden) else 400, back=back)


def _forbidden(request, back: str):
    return _refused(
        request, WebhookForbidden(_("Only the team's owners and admins can manage its webhooks.")), back=back
    )


def _due_soon(deliveries) -> bool:
    """Whether the log should refresh itself: a delivery is being sent or tried again within the minute."""
    soon = timezone.now() + timedelta(seconds=60)
    return any(d.status == Delivery.Status.PENDING and (d.next_attempt_at is None or d.next_attempt_at <= soon)
               for d in deliveries)  # fmt: skip


def _endpoint_page(request, endpoint, *, form=None, secret: str = "", status: int = 200):
    membership = endpoint.membership
    if form is None:
        form = EndpointForm(initial={"url": endpoint.url, "description": endpoint.description, "kinds": endpoint.kinds})
    deliveries = selectors.endpoint_deliveries(endpoint)
    context = {"team": endpoint.team, "membership": membership, "endpoint": endpoint, "form": form, "secret": secret,
               "deliveries": deliveries, "max_attempts": services.max_attempts(), "now": timezone.now(),
               "in_a_minute": timezone.now() + timedelta(minutes=1), "pending": _due_soon(deliveries)}  # fmt: skip
    if request.method == "GET" and request.GET.get("part") == "deliveries":
        return render(request, "sourcing/webhooks/_deliveries.html", context)
    return render(request, "sourcing/webhooks/endpoint.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_endpoints(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    back = reverse("webhook_endpoints", args=[membership.team_id])
    form = EndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not membership.can_manage_members:
            return _forbidden(request, back)
        if form.is_valid():
            try:
                endpoint, secret = services.endpoint_create(actor=request.user, team=membership.team,
                                                            **form.cleaned_data)  # fmt: skip
            except WebhookForbidden as error:
                return _refused(request, error, back=back)
            except WebhookError as error:
                form.add_error(None, str(error))
            else:
                endpoint.membership = membership
                messages.success(request, _("Endpoint added. Copy its signing secret now: it is shown only once."))
                return _endpoint_page(request, endpoint, secret=secret)
        status = 400
    context = {"team": membership.team, "membership": membership, "form": form,
               "endpoints": selectors.team_endpoints(membership.team_id)}  # fmt: skip
    return render(request, "sourcing/webhooks/endpoints.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_endpoint(request, team_id, endpoint_id):
    endpoint = selectors.get_endpoint_for_user(request.user, team_id, endpoint_id)
    if request.method == "GET":
        return _endpoint_page(request, endpoint)
    back = reverse("webhook_endpoint", args=[endpoint.team_id, endpoint.pk])
    if not endpoint.membership.can_manage_members:
        return _forbidden(request, back)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            services.endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        except WebhookForbidden as error:
            return _refused(request, error, back=back)
        except WebhookError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect(back)
    return _endpoint_page(request, endpoint, form=form, status=400)


def _action(request, team_id, endpoint_id, act):
    endpoint = selectors.get_endpoint_for_user(request.user, team_id, endpoint_id)
    back = reverse("webhook_endpoint", args=[endpoint.team_id, endpoint.pk])
    try:
        answer = act(endpoint)
    except WebhookError as error:
        return _refused(request, error, back=back)
    return answer or redirect(back)


@never_cache
@login_required
@require_POST
def webhook_roll(request, team_id, endpoint_id):
    def act(endpoint):
        secret = services.endpoint_roll_secret(actor=request.user, endpoint=endpoint)
        messages.success(request, _("New signing secret made. The old one keeps signing beside it for %(hours)s "
                                    "hours, so your receiver can switch.") % {"hours": settings.WEBHOOK_ROLL_GRACE_HOURS})  # fmt: skip
        return _endpoint_page(request, endpoint, secret=secret)

    return _action(request, team_id, endpoint_id, act)


@login_required
@require_POST
def webhook_test(request, team_id, endpoint_id):
    def act(endpoint):
        services.endpoint_test(actor=request.user, endpoint=endpoint)
        messages.success(request, _("Test event queued: its delivery shows below."))

    return _action(request, team_id, endpoint_id, act)


@login_required
@require_POST
def webhook_active(request, team_id, endpoint_id):
    def act(endpoint):
        active = request.POST.get("active") == "1"
        services.endpoint_set_active(actor=request.user, endpoint=endpoint, active=active)
        messages.success(request, _("Endpoint enabled.") if active else _("Endpoint disabled: nothing is sent to it."))

    return _action(request, team_id, endpoint_id, act)


@login_required
@require_POST
def webhook_delete(request, team_id, endpoint_id):
    def act(endpoint):
        services.endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("Endpoint %(url)s deleted.") % {"url": endpoint.url})
        return redirect("webhook_endpoints", team_id=endpoint.team_id)

    return _action(request, team_id, endpoint_id, act)


@login_required
@require_POST
def webhook_replay(request, team_id, endpoint_id, delivery_id):
    def act(endpoint):
        delivery = selectors.get_delivery_for_user(request.user, endpoint, delivery_id)
        services.delivery_replay(actor=request.user, delivery=delivery)
        messages.success(request, _("Replay queued: a new delivery of the same event shows below."))

    return _action(request, team_id, endpoint_id, act)
