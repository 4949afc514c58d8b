"""API tokens: a team's keys for its other systems (docs/api.md). Only a digest of each token is kept."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User

SCOPES = ("read", "write", "order")


class ApiToken(models.Model):
    """A token of a team: `pt_<key_id>_<secret>`. `key_id` finds the row (not a secret); `digest` is the SHA-256
    of the whole token, compared in constant time. The API acts as `created_by` within `team` only."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)  # a subset of SCOPES, in that order
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def prefix(self) -> str:
        """What pages show of the token: enough to recognise it, nothing that opens anything."""
        return f"pt_{self.key_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
