"""Users, teams, memberships with roles, and invitations."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.core.crypto import EncryptedSecret


class User(AbstractUser):
    """A portal user; `current_team` is the team their pages show."""

    email = models.EmailField(_("email address"), blank=True)
    current_team = models.ForeignKey("Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The language the user last chose or logged in with: workers write notifications and e-mails in it.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    def __str__(self):
        return self.username

    @property
    def reading_language(self) -> str:
        """The language to write to this user in when no request says (workers' notifications and mail)."""
        return self.language or settings.LANGUAGE_CODE


class Team(models.Model):
    """A group of buyers who share lists, credentials and suppliers."""

    name = models.CharField(_("name"), max_length=100)
    # Prices show in yuan and, beside them, in this currency (ISO 4217) at the admins' newest dated rate.
    display_currency = models.CharField(_("display currency"), max_length=3, default="CNY")
    # Calls a day on an app the team doesn't own (the site default, a shared credential); empty: TEAM_DAILY_BUDGET.
    daily_budget = models.PositiveIntegerField(
        _("daily budget on shared apps"), null=True, blank=True,
        help_text=_("Calls a day this team may make with the site-wide app or a credential shared with it. "
                    "Empty: the server's TEAM_DAILY_BUDGET."),
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's place in a team, with a role."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        BUYER = "buyer", _("Buyer")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.BUYER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")]
        ordering = ["team__name", "user__username"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def can_manage_members(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)

    @property
    def can_edit(self) -> bool:
        """Buyers and up may change team data; viewers only read."""
        return self.role != self.Role.VIEWER


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


_new_invitation_token = new_invitation_token  # named by migration 0001


def token_digest(token: str) -> str:
    """What is stored of an invitation token: its SHA-256, so the table holds no usable link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Invitation(models.Model):
    """An invitation to join a team, accepted through a shareable link."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.BUYER)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The link's token, encrypted, only until the worker has e-mailed it; afterwards only the digest is left.
    token_for_mail_encrypted = models.TextField(blank=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    token_for_mail = EncryptedSecret("token_for_mail_encrypted")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.team}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class PasswordResetRequest(models.Model):
    """An e-mail address someone typed into "Forgot your password?", until a worker has mailed its accounts.

    Every request makes one row and one task, whether the address has an account or not, so the answer and its
    timing say nothing about who has an account. The task takes this row's id (never a link or token), builds
    the link itself and deletes the row.
    """

    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"reset request {self.pk}"
