"""1688 app credentials, connected accounts (tokens), API permissions, usage and the call log."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.crypto import EncryptedSecret, hint

from .accounts import Team, User


class AppCredential(models.Model):
    """A 1688 app registered by a user: App Key and (encrypted) App Secret, limits and gateway."""

    class AccountType(models.TextChoices):
        PERSONAL = "personal", _("Personal (个人账户)")
        BUSINESS = "business", _("Business (企业账户)")

    class Gateway(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (local test data)")
        LIVE = "live", _("Live 1688 (gw.open.1688.com)")

    class Status(models.TextChoices):
        UNDER_REVIEW = "under_review", _("App under review at 1688 (审核中)")
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    # No owner: the site-wide default credential from ALIBABA_APP_KEY / ALIBABA_APP_SECRET.
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="credentials")
    shared_with_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="shared_credentials",
        help_text=_("Teammates may use this credential when they have none of their own."),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    app_key = models.CharField(_("App Key"), max_length=64)
    app_secret_encrypted = models.TextField(editable=False)
    account_type = models.CharField(max_length=10, choices=AccountType.choices, default=AccountType.BUSINESS)
    callback_url = models.URLField(_("callback URL"), max_length=500, blank=True)
    gateway = models.CharField(max_length=10, choices=Gateway.choices, default=Gateway.SANDBOX)
    daily_quota = models.PositiveIntegerField(_("daily call quota per API"), default=1000)
    qps = models.PositiveIntegerField(_("calls per second"), default=4)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    app_secret = EncryptedSecret("app_secret_encrypted")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "app_key"], name="one_credential_per_app_key_per_owner")
        ]

    def __str__(self):
        return f"{self.name} ({self.app_key})"

    @property
    def secret_hint(self) -> str:
        return hint(self.app_secret) if self.app_secret_encrypted else str(_("not set"))

    @property
    def base_url(self) -> str:
        return settings.ALIBABA_LIVE_API_URL if self.gateway == self.Gateway.LIVE else settings.ALIBABA_API_URL

    @property
    def authorize_base(self) -> str:
        if self.gateway == self.Gateway.LIVE:
            return settings.ALIBABA_LIVE_AUTHORIZE_URL
        return settings.ALIBABA_AUTHORIZE_URL


class OAuthToken(models.Model):
    """The 1688 account connected to a credential, with its encrypted tokens."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Expiring soon")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")

    credential = models.OneToOneField(AppCredential, on_delete=models.CASCADE, related_name="token")
    connected_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    resource_owner = models.CharField(_("1688 login id"), max_length=100)
    member_id = models.CharField(max_length=100, blank=True)
    ali_id = models.CharField(max_length=40, blank=True)
    access_token_encrypted = models.TextField(editable=False)
    refresh_token_encrypted = models.TextField(editable=False, blank=True)
    access_expires_at = models.DateTimeField(null=True)
    refresh_expires_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # A lease on the row while one worker refreshes or postpones: claimed by a conditional UPDATE,
    # so concurrent refreshes make one gateway call without holding a transaction over HTTP.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    access_token = EncryptedSecret("access_token_encrypted")
    refresh_token = EncryptedSecret("refresh_token_encrypted")

    class Meta:
        verbose_name = "1688 connection"

    def __str__(self):
        return f"{self.resource_owner} via {self.credential.app_key}"

    @property
    def effective_status(self) -> str:
        """The stored status, aged by the clock: active tokens turn expiring, then expired."""
        if self.status in (self.Status.REVOKED, self.Status.NEEDS_REAUTH):
            return self.status
        now = timezone.now()
        if self.access_expires_at and self.access_expires_at <= now:
            if not self.refresh_expires_at or self.refresh_expires_at <= now:
                return self.Status.EXPIRED
            return self.Status.EXPIRING
        if self.refresh_expires_at and self.refresh_expires_at - now < timedelta(days=30):
            return self.Status.EXPIRING
        return self.Status.ACTIVE

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label


class ApiPermission(models.Model):
    """One API's permission for a credential: what the 1688 console says, and what calls showed."""

    class Status(models.TextChoices):
        NOT_REQUESTED = "not_requested", _("Not requested")
        PENDING = "pending", _("Pending (待审核)")
        UNDER_REVIEW = "under_review", _("Under review (审核中)")
        APPROVED = "approved", _("Approved (已通过)")
        REJECTED = "rejected", _("Rejected (已拒绝)")

    class Observed(models.TextChoices):
        UNKNOWN = "unknown", _("Not seen yet")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")
        UNSUPPORTED = "unsupported", _("API not found")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="permissions")
    api = models.CharField(max_length=150, help_text="namespace:apiName-version")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_REQUESTED)
    observed = models.CharField(max_length=20, choices=Observed.choices, default=Observed.UNKNOWN)
    observed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    expected_daily_volume = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["api"]
        verbose_name = "API permission"
        constraints = [models.UniqueConstraint(fields=["credential", "api"], name="one_permission_per_api")]

    def __str__(self):
        return f"{self.api} · {self.get_status_display()}"

    @property
    def usable(self) -> bool:
        """False when the console or a real answer says the app may not call this API."""
        return self.observed not in (self.Observed.DENIED, self.Observed.UNSUPPORTED) and (
            self.status != self.Status.REJECTED or self.observed == self.Observed.GRANTED
        )


class ApiPermissionChange(models.Model):
    """The history of a permission: every status change and every change in what calls showed."""

    permission = models.ForeignKey(ApiPermission, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20)  # "status" or "observed"
    old = models.CharField(max_length=20)
    new = models.CharField(max_length=20)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]


class ApiUsage(models.Model):
    """Calls per credential, API and 1688 day (Asia/Shanghai)."""

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="usage")
    api = models.CharField(max_length=150)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "api"]
        verbose_name_plural = "API usage"
        constraints = [models.UniqueConstraint(fields=["credential", "api", "day"], name="one_usage_row_per_day")]

    def __str__(self):
        return f"{self.credential.app_key} {self.api} {self.day}: {self.calls}"


class ApiCallLog(models.Model):
    """One gateway call: when, which credential and API, the outcome; never a secret."""

    class Outcome(models.TextChoices):
        OK = "ok", _("OK")
        ERROR = "error", _("Error")
        THROTTLED = "throttled", _("Throttled")
        REFUSED = "refused", _("Refused locally")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="calls")
    api = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error_code = models.CharField(max_length=60, blank=True)
    message = models.CharField(max_length=300, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "API call log"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.api} {self.outcome}"


class SecretAudit(models.Model):
    """Who revealed or replaced a secret, and when."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Revealed")
        RESET = "reset", _("Replaced")
        REVEAL_DENIED = "reveal_denied", _("Reveal refused (wrong password)")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="audits")
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]


class ConnectionCheck(models.Model):
    """A "Test connection" run by a worker, with progress for the page to poll."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="checks")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    steps = models.JSONField(default=list)  # [{"name": ..., "ok": bool, "detail": ...}]
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class RateSlot(models.Model):
    """The next free call slot of a rate-limited key, for the limiter without Redis."""

    key = models.CharField(max_length=100, unique=True)
    next_at = models.FloatField(default=0)
