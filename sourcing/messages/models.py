"""What 1688 told the portal: each message kept once per credential, the time of the state each offer, option and
order holds (so an older message never overwrites newer state), each credential's feed and its follows."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.catalog.models import Product
from sourcing.connections.models import AppCredential


class MessageFeed(models.Model):
    """A credential's message feed: set up once a signed message arrived; healthy while the catch-up works."""

    credential = models.OneToOneField(AppCredential, on_delete=models.CASCADE, related_name="message_feed")
    first_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)  # the last one stored (callback or catch-up)
    last_pushed_at = models.DateTimeField(null=True, blank=True)  # the last one the callback received
    last_born_at = models.DateTimeField(null=True, blank=True)  # the newest gmtBorn stored: where catch-up starts
    received = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)  # bad signatures
    catchup_at = models.DateTimeField(null=True, blank=True)  # the last catch-up run
    catchup_ok_at = models.DateTimeField(null=True, blank=True)  # the last one that read the whole list
    catchup_error = models.CharField(max_length=300, blank=True)
    catchup_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"messages of credential {self.credential_id}"


class InboundMessage(models.Model):
    """One 1688 message as it arrived (its envelope), stored once per (credential, msgId), applied once."""

    class State(models.TextChoices):
        NEW = "new", _("Waiting")
        APPLIED = "applied", _("Applied")
        IGNORED = "ignored", _("Nothing to do")
        FAILED = "failed", _("Failed")

    class Via(models.TextChoices):
        PUSH = "push", _("Callback")
        CATCHUP = "catchup", _("Message list")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="+")
    msg_id = models.BigIntegerField()
    topic = models.CharField(max_length=100)
    user_info = models.CharField(max_length=100, blank=True)
    born_at = models.DateTimeField()  # gmtBorn
    envelope = models.JSONField()
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.PUSH)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    outcome = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)  # push.confirm told 1688 (catch-up only)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)  # a worker applying it

    class Meta:
        ordering = ["born_at", "msg_id"]
        constraints = [models.UniqueConstraint(fields=["credential", "msg_id"], name="one_message_per_msgid")]
        indexes = [
            models.Index(fields=["state", "born_at"], name="message_state_born"),
            models.Index(fields=["credential", "confirmed_at"], name="message_unconfirmed"),
        ]

    def __str__(self):
        return f"{self.topic} #{self.msg_id}"


class StateTime(models.Model):
    """The time of the state a thing holds ("stock:<offer>", "stock:<offer>:<sku>", "listing:<offer>",
    "order:<1688 order id>"): a message born before it changes nothing."""

    key = models.CharField(max_length=120, unique=True)
    at = models.DateTimeField()
    msg_id = models.BigIntegerField(default=0)  # breaks a tie between two messages born in the same millisecond

    def __str__(self):
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Follow(models.Model):
    """An offer followed on 1688 by a credential (its stock messages come to that credential's app)."""

    class State(models.TextChoices):
        FOLLOWING = "following", _("Following")
        UNFOLLOWED = "unfollowed", _("Not following")
        FAILED = "failed", _("Refused")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.FOLLOWING)
    changed_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "product"], name="one_follow_per_offer")]
        indexes = [models.Index(fields=["product", "state"], name="follow_product_state")]

    def __str__(self):
        return f"{self.credential_id} follows {self.product_id} ({self.state})"
