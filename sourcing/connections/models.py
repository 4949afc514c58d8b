"""1688 app credentials, connected accounts (tokens), API permissions, usage and the call log."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.core.beijing import BEIJING, next_beijing_midnight
from sourcing.core.crypto import EncryptedSecret, hint


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
    # App Key + a digest of the secret: the app "as proven by its secret". Quota and rate limits are
    # keyed by it, so a credential with someone else's App Key and a wrong secret can't touch their budget.
    secret_fingerprint = models.CharField(max_length=16, editable=False, blank=True)
    # Set by a worker once a signed call with this key and secret succeeded; unverified credentials
    # make no business calls.
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verify_error = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    app_secret = EncryptedSecret("app_secret_encrypted")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "app_key"], name="one_credential_per_app_key_per_owner"),
            # At most one owner-less row: the site default credential.
            models.UniqueConstraint(
                Coalesce("owner", models.Value(0)), condition=Q(owner__isnull=True), name="one_site_default_credential"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.app_key})"

    def save(self, *args, **kwargs):
        # Only a worker's signed call marks a credential verified: a full save of an object loaded before that
        # call must not write its stale "unverified" back (nor a stale "verified" after a new secret).
        if not self._state.adding and kwargs.get("update_fields") is None and not getattr(self, "_secret_set", False):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ("verified_at", "verify_error")
            ]  # fmt: skip
        super().save(*args, **kwargs)
        self._secret_set = False

    def set_secret(self, secret: str) -> None:
        """Store a new App Secret (encrypted) with its fingerprint; the credential needs verifying again."""
        self.app_secret = secret
        self.secret_fingerprint = fingerprint(self.app_key, secret)
        self.verified_at = None
        self._secret_set = True

    @property
    def app_identity(self) -> str:
        """The app as proven by its secret: what quota and rate limits are keyed by."""
        return f"{self.app_key}:{self.secret_fingerprint}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @classmethod
    def default_limits(cls, gateway: str) -> tuple[int, int]:
        """(daily quota per API, calls per second) a new credential starts with on `gateway` (settings)."""
        if gateway == cls.Gateway.LIVE:
            return settings.ALIBABA_LIVE_DAILY_QUOTA, settings.ALIBABA_LIVE_QPS
        return settings.ALIBABA_SANDBOX_DAILY_QUOTA, settings.ALIBABA_SANDBOX_QPS

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


def fingerprint(app_key: str, secret: str) -> str:
    """A short digest of App Key and App Secret: equal for the same app, never the secret itself."""
    return hashlib.sha256(f"1688-app\0{app_key}\0{secret}".encode()).hexdigest()[:16]


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
    lease_holder = models.CharField(max_length=32, blank=True, editable=False)
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
    """Calls per app (as proven by its secret), API and 1688 day (Asia/Shanghai)."""

    # Several credentials may hold the same app (key and secret): they share one budget, as at 1688.
    app = models.CharField(max_length=90, help_text="App Key and secret fingerprint")
    credential = models.ForeignKey(
        AppCredential, null=True, on_delete=models.SET_NULL, related_name="usage", help_text="first user of the row"
    )
    api = models.CharField(max_length=150)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "api"]
        verbose_name_plural = "API usage"
        constraints = [models.UniqueConstraint(fields=["app", "api", "day"], name="one_usage_row_per_app_day")]

    def __str__(self):
        return f"{self.app.split(':')[0]} {self.api} {self.day}: {self.calls}"


class BudgetUse(models.Model):
    """Calls a team or a person spent today of an app that is not their own (the site default, or a credential a
    teammate shared), against the daily budget each gets (TEAM_DAILY_BUDGET, or the team's own figure)."""

    # "team:12" or "user:7": one counter per payer, app (as proven by its secret) and 1688 day.
    payer = models.CharField(max_length=30)
    app = models.CharField(max_length=90, help_text="App Key and secret fingerprint")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "payer"]
        constraints = [models.UniqueConstraint(fields=["payer", "app", "day"], name="one_budget_row_per_payer_app_day")]

    def __str__(self):
        return f"{self.payer} {self.app.split(':')[0]} {self.day}: {self.calls}"


class UsageExhaustion(models.Model):
    """1688 said an app has no calls left (gw.NoUsageLeftError, a daily-limit gw.Qos* code) on a 1688 day.

    While a row for today exists the gateway door refuses the app's calls locally (no HTTP call); the next
    1688 day (Asia/Shanghai) has no row, so calls resume by themselves. One row per app and day: the first
    answer writes it (INSERT … ON CONFLICT DO NOTHING), later ones find it.
    """

    app = models.CharField(max_length=90, help_text="App Key and secret fingerprint")
    day = models.DateField(help_text="the 1688 day (Asia/Shanghai) the app is out of calls")
    credential = models.ForeignKey(AppCredential, null=True, on_delete=models.SET_NULL, related_name="exhaustions")
    api = models.CharField(max_length=150, blank=True, help_text="the call 1688 refused")
    code = models.CharField(max_length=60)
    message = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "usage exhaustions"
        constraints = [models.UniqueConstraint(fields=["app", "day"], name="one_exhaustion_per_app_day")]

    def __str__(self):
        return f"{self.app.split(':')[0]} {self.day}: {self.code}"

    @property
    def resets_at(self):
        """Midnight Beijing time after the day: when 1688's day turns and calls resume."""
        return next_beijing_midnight(datetime(self.day.year, self.day.month, self.day.day, 12, tzinfo=BEIJING))


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
    probe = models.BooleanField(default=False, help_text="made by the portal to test a permission or a connection")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "API call log"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.api} {self.outcome}"


class SecretAudit(models.Model):
    """Who created, changed, revealed, replaced, handed over or deleted a credential, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        REVEAL = "reveal", _("Revealed")
        RESET = "reset", _("Secret replaced")
        REVEAL_DENIED = "reveal_denied", _("Reveal refused (wrong password)")
        OWNER = "owner", _("Owner changed")
        DELETE = "delete", _("Deleted")

    # Kept after the credential is deleted: the App Key says which one it was.
    credential = models.ForeignKey(AppCredential, null=True, on_delete=models.SET_NULL, related_name="audits")
    app_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "credential audit"


class ConnectionCheck(models.Model):
    """Gateway work a person asked for, run by a worker, with progress for the page to poll."""

    class Kind(models.TextChoices):
        TEST = "test", _("Connection test")
        VERIFY = "verify", _("Permission check")
        CREDENTIAL = "credential", _("App Key and secret check")
        SECRET = "secret", _("New secret check")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    credential = models.ForeignKey(AppCredential, on_delete=models.CASCADE, related_name="checks")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEST)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    steps = models.JSONField(default=list)  # [{"name": ..., "ok": bool, "detail": ...}]
    summary = models.CharField(max_length=500, blank=True)
    # A new App Secret waiting for its check (kind "secret"), encrypted; cleared when the check ends.
    candidate_secret_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    candidate_secret = EncryptedSecret("candidate_secret_encrypted")

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
