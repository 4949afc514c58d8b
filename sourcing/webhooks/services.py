"""Webhooks out: every write to a team's endpoints, the events the portal emits, and their delivery.

Higher domains call `event_emit` where something happens (an alert fires, a quote drifts, an order moves, a reply
is logged): one event row and one delivery per active endpoint that subscribed to the kind, in the caller's
transaction, each delivery's task queued on commit. A worker claims a due delivery with one conditional UPDATE
(its lease), sends it signed (signing.py) and records the answer; a failure is tried again after
WEBHOOK_RETRY_SECONDS (with jitter), and after the last one the delivery has failed. Owners and admins manage
endpoints (`WebhookForbidden` → 403); docs/webhooks.md.
"""

import json
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from sourcing.accounts.models import Membership, Team, User
from sourcing.core.enqueue import enqueue
from sourcing.webhooks import sending, signing
from sourcing.webhooks.models import TEST_KIND, Delivery, Endpoint, Event, EventKind

Status = Delivery.Status


class WebhookError(Exception):
    """A refused webhook change; the message is shown as it is."""


class WebhookForbidden(WebhookError):
    """The actor's role may not do it (the views answer 403)."""


def _require_manager(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None or not membership.can_manage_members:
        raise WebhookForbidden(_("Only the team's owners and admins can manage its webhooks."))
    return membership


def portal_url(path: str) -> str:
    """The portal's address of a page, for an event's data."""
    return settings.SITE_URL.rstrip("/") + path


# --- endpoints ---
def _clean(url: str, description: str, kinds) -> tuple[str, str, list[str]]:
    url = str(url or "").strip()
    if not url:
        raise WebhookError(_("Enter the URL that should receive the events."))
    if len(url) > 500:
        raise WebhookError(_("Keep the URL to 500 characters."))
    refusal = sending.url_refusal(url)
    if refusal:
        raise WebhookError(refusal)
    description = " ".join(str(description or "").split())
    if len(description) > 200:
        raise WebhookError(_("Keep the description to 200 characters."))
    wanted = {str(k) for k in kinds or []}
    kinds = [k for k in EventKind.values if k in wanted]
    if not kinds:
        raise WebhookError(_("Choose at least one event."))
    return url, description, kinds


def endpoint_create(*, actor: User, team: Team, url: str, kinds, description: str = "") -> tuple[Endpoint, str]:
    """Add an endpoint; returns it and its signing secret, which is shown this once."""
    _require_manager(actor, team.pk)
    url, description, kinds = _clean(url, description, kinds)
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # two adds at once can't both take the last place
        if Endpoint.objects.filter(team=team).count() >= settings.WEBHOOK_ENDPOINTS_MAX:
            raise WebhookError(_("A team can have at most %(max)s webhook endpoints.") %
                               {"max": settings.WEBHOOK_ENDPOINTS_MAX})  # fmt: skip
        secret = signing.new_secret()
        endpoint = Endpoint(team=team, url=url, description=description, kinds=kinds, created_by=actor)
        endpoint.secret = secret
        endpoint.save()
    return endpoint, secret


def endpoint_update(*, actor: User, endpoint: Endpoint, url: str, kinds, description: str = "") -> Endpoint:
    _require_manager(actor, endpoint.team_id)
    endpoint.url, endpoint.description, endpoint.kinds = _clean(url, description, kinds)
    endpoint.save(update_fields=["url", "description", "kinds"])
    return endpoint


def endpoint_roll_secret(*, actor: User, endpoint: Endpoint) -> str:
    """A new signing secret, shown this once; the old one signs beside it for WEBHOOK_ROLL_GRACE_HOURS."""
    _require_manager(actor, endpoint.team_id)
    secret = signing.new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + timedelta(hours=settings.WEBHOOK_ROLL_GRACE_HOURS)
    endpoint.secret = secret
    endpoint.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_until"])
    return secret


def endpoint_set_active(*, actor: User, endpoint: Endpoint, active: bool) -> Endpoint:
    _require_manager(actor, endpoint.team_id)
    endpoint.active = bool(active)
    endpoint.disabled_reason = "" if active else _("Disabled by %(user)s.") % {"user": actor.username}
    endpoint.failing_since = None
    endpoint.save(update_fields=["active", "disabled_reason", "failing_since"])
    return endpoint


def endpoint_delete(*, actor: User, endpoint: Endpoint) -> None:
    _require_manager(actor, endpoint.team_id)
    endpoint.delete()


def endpoint_test(*, actor: User, endpoint: Endpoint) -> Delivery:
    """Send this endpoint (only) a `webhook.test` event."""
    _require_manager(actor, endpoint.team_id)
    if not endpoint.active:
        raise WebhookError(_("Enable the endpoint first."))
    data = {"endpoint": endpoint.pk, "sent_by": actor.username,
            "url": portal_url(reverse("webhook_endpoint", args=[endpoint.team_id, endpoint.pk]))}  # fmt: skip
    with transaction.atomic():
        event = Event.objects.create(team_id=endpoint.team_id, kind=TEST_KIND, data=data)
        return _deliver(endpoint, event)


def delivery_replay(*, actor: User, delivery: Delivery) -> Delivery:
    """Send the delivery's event again to its endpoint, as a new chain of attempts (the same webhook-id)."""
    _require_manager(actor, delivery.endpoint.team_id)
    if not delivery.endpoint.active:
        raise WebhookError(_("Enable the endpoint first."))
    with transaction.atomic():
        return _deliver(delivery.endpoint, delivery.event, replay_of=delivery)


# --- events ---
def event_emit(*, team_id: int, kind: str, data: dict) -> Event | None:
    """Record that `kind` happened in the team and deliver it to each active endpoint that subscribed to it.

    Call it inside the service where the thing happens, once: it writes in the caller's transaction and the
    deliveries' tasks are queued when that commits. Nothing is written when no endpoint listens."""
    endpoints = [
        e for e in Endpoint.objects.filter(team_id=team_id, active=True).only("pk", "kinds") if kind in e.kinds
    ]
    if not endpoints:
        return None
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # decimals and dates as JSON has them
    with transaction.atomic():
        event = Event.objects.create(team_id=team_id, kind=kind, data=data)
        for endpoint in endpoints:
            _deliver(endpoint, event)
    return event


def _deliver(endpoint: Endpoint, event: Event, replay_of: Delivery | None = None) -> Delivery:
    delivery = Delivery.objects.create(endpoint=endpoint, event=event, replay_of=replay_of)
    enqueue("webhook_deliver", delivery.pk)
    return delivery


def payload(event: Event) -> bytes:
    body = {"id": event.message_id, "type": event.kind, "created": event.created_at.isoformat(),
            "team": event.team_id, "data": event.data}  # fmt: skip
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- delivering ---
def max_attempts() -> int:
    return 1 + len(settings.WEBHOOK_RETRY_SECONDS)


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: the schedule's step, give or take a fifth (jitter)."""
    steps = settings.WEBHOOK_RETRY_SECONDS
    return steps[min(attempts, len(steps)) - 1] * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def delivery_attempt(*, delivery_id: int) -> float | None:
    """Worker: claim a due delivery, send it once and record the answer. Returns the seconds until the next attempt
    when one was scheduled, else None (delivered, given up, or not this worker's to send)."""
    now = timezone.now()
    lease = now + timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 30)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    if not Delivery.objects.filter(free, pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now,
                                   attempts__lt=max_attempts()).update(
        lease_until=lease, attempts=F("attempts") + 1, last_attempt_at=now
    ):  # fmt: skip
        return None
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.active:
        Delivery.objects.filter(pk=delivery.pk, lease_until=lease).update(
            status=Status.FAILED, attempts=F("attempts") - 1, lease_until=None, next_attempt_at=None,
            error=gettext_noop("Not sent: the endpoint is disabled."))  # fmt: skip
        return None
    body = payload(event)
    signers = [endpoint.secret]
    if endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        signers.append(endpoint.previous_secret)
    outcome = sending.post(endpoint.url, body, signing.headers(signers, event.message_id, int(time.time()), body))
    values = {"response_code": outcome.code, "response_excerpt": outcome.excerpt[:500],
              "duration_ms": outcome.duration_ms, "error": outcome.error[:300], "lease_until": None}  # fmt: skip
    retry_in = None
    if outcome.ok:
        values.update(status=Status.SUCCEEDED, next_attempt_at=None)
    elif delivery.attempts >= max_attempts():
        values.update(status=Status.FAILED, next_attempt_at=None)
    else:
        retry_in = retry_delay(delivery.attempts)
        values["next_attempt_at"] = timezone.now() + timedelta(seconds=retry_in)
    with transaction.atomic():
        if not Delivery.objects.filter(pk=delivery.pk, lease_until=lease).update(**values):
            return None  # the lease ran out and another worker took the delivery over
        if outcome.ok:
            Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)
        else:
            Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    return retry_in


def deliveries_due() -> int:
    """Beat: queue every pending delivery whose attempt is due and not held by a worker (the task claims it). One
    whose last attempt never finished (its worker died) has failed."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    Delivery.objects.filter(free, status=Status.PENDING, attempts__gte=max_attempts()).update(
        status=Status.FAILED, next_attempt_at=None, lease_until=None,
        error=gettext_noop("The last attempt did not finish (its worker stopped)."))  # fmt: skip
    due = Delivery.objects.filter(free, status=Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    ids = list(due.values_list("pk", flat=True)[:500])
    for delivery_id in ids:
        enqueue("webhook_deliver", delivery_id)
    return len(ids)


def endpoints_disable_failing() -> int:
    """Beat: disable each endpoint whose every attempt failed for WEBHOOK_DISABLE_AFTER_DAYS, and tell its team's
    owners and admins by e-mail (each endpoint once: the UPDATE that disables it sends the mail)."""
    days = settings.WEBHOOK_DISABLE_AFTER_DAYS
    if days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    disabled = 0
    for endpoint in Endpoint.objects.filter(active=True, failing_since__lt=cutoff).select_related("team"):
        reason = _("Disabled: every attempt failed for %(days)s days.") % {"days": days}
        if not Endpoint.objects.filter(pk=endpoint.pk, active=True).update(active=False, disabled_reason=reason):
            continue
        disabled += 1
        managers = User.objects.filter(memberships__team_id=endpoint.team_id, is_active=True,
                                       memberships__role__in=[Membership.Role.OWNER, Membership.Role.ADMIN])  # fmt: skip
        link = portal_url(reverse("webhook_endpoint", args=[endpoint.team_id, endpoint.pk]))
        for user in managers.exclude(email=""):
            with override(user.reading_language):
                send_mail(
                    subject=_("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url[:100]},
                    message=_(
                        "Every delivery to %(url)s (team %(team)s) failed for %(days)s days, so the portal "
                        "stopped sending to it. Fix the receiver, then enable it again:\n%(link)s\n"
                    )
                    % {"url": endpoint.url, "team": endpoint.team.name, "days": days, "link": link},
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[user.email],
                )
    return disabled
