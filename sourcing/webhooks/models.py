"""Webhooks out (docs/webhooks.md): a team's endpoints, the events the portal emits, and one delivery (an attempt
chain) per event and endpoint.

An endpoint's signing secret is encrypted at rest and write-only: it is shown once, when the endpoint is made and
when it is rolled. A delivery is claimed by one conditional UPDATE (`lease_until`) before each attempt, so two
workers never send the same attempt.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.core.crypto import EncryptedSecret


class EventKind(models.TextChoices):
    ALERT_FIRED = "alert.fired", _("An alert fired")
    QUOTE_DRIFTED = "quote.drifted", _("A verified quote's price moved")
    ORDER_STATUS = "order.status_changed", _("A purchase order's status changed")
    REPLY_LOGGED = "reply.logged", _("A supplier's reply was logged")


TEST_KIND = "webhook.test"  # "send a test event": delivered to one endpoint, never subscribed to


class Endpoint(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(_("URL"), max_length=500)  # checked by the service (scheme, address), not by Django
    description = models.CharField(_("description"), max_length=200, blank=True)
    kinds = models.JSONField(_("events"), default=list)  # EventKind values
    secret_encrypted = models.TextField(editable=False)
    secret = EncryptedSecret("secret_encrypted")
    # After "roll secret" the old one still signs (beside the new one) until this time, so receivers can switch.
    previous_secret_encrypted = models.TextField(editable=False, blank=True)
    previous_secret = EncryptedSecret("previous_secret_encrypted")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)  # first failed attempt since the last success
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.url

    def __repr__(self):
        return f"<Endpoint {self.pk} {self.url}>"  # never the secret

    def kind_labels(self) -> list[str]:
        labels = dict(EventKind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]


class Event(models.Model):
    """Something that happened in a team, as sent to its endpoints: the same id on every attempt and replay."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook event"

    def __str__(self):
        return f"{self.kind} {self.message_id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.uid.hex}"


class Delivery(models.Model):
    """One event to one endpoint: attempts until a 2xx answer or the last retry (docs/webhooks.md, "Retries")."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)  # held by the worker sending it
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)  # in plain words
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event.kind} → {self.endpoint_id} ({self.status})"
