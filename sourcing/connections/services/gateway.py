"""The one door to 1688: every gateway call goes through `gateway_call` (or `client_for`).

Before each HTTP call: the API's permission is checked (a feature whose API is not granted
spends no quota), one call is taken from the budget of whoever the call is for when the app isn't
theirs (budgets.py), one unit of the day's quota is taken atomically, and then the per-app rate
limiter is waited for (a slot too far off gives both back). After it: usage, the call log and what
the answer showed about the permission are recorded. A 401 refreshes the token once and retries once.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.alibaba import AlibabaClient, errors
from sourcing.alibaba.api import PORTAL_APIS
from sourcing.alibaba.client import CallOutcome
from sourcing.connections.models import ApiCallLog, ApiPermission, ApiPermissionChange, AppCredential, OAuthToken
from sourcing.connections.services.budgets import budget_give_back, budget_take, current_payer
from sourcing.connections.services.ratelimit import rate_acquire
from sourcing.connections.services.usage import (
    QuotaExhausted,
    UsageExhausted,
    usage_count,
    usage_give_back,
    usage_mark_exhausted,
    usage_take,
)

T = TypeVar("T")
UNMETERED_NAMESPACES = ("system.oauth2",)
SYSTEM_NAMESPACES = ("system", "system.oauth2")  # clock and tokens: allowed before a credential is verified


class FeatureDisabled(errors.AlibabaError):
    """Refused locally: the API is not granted to this app, so nothing was sent."""


class NotConnected(errors.AlibabaError):
    default_message = "No 1688 account is connected to this credential: connect it on the Connections page."


class NoCredential(errors.AlibabaError):
    default_message = "No 1688 credential is set up: add one on the Connections page."


class NotVerified(errors.AlibabaError):
    default_message = (
        "This credential's App Key and App Secret have not been confirmed by 1688 yet, so the portal makes no "
        "calls with it. Open the credential and run “Check App Key and secret”."
    )


# The APIs whose verdicts are recorded: every API the portal calls has a permission row per credential.
PORTAL_API_IDS = frozenset(ref.id for ref in PORTAL_APIS)
# Gateway answers that say the app has no calls left (gw.NoUsageLeftError, daily-limit gw.Qos* codes).
QUOTA_ANSWERS = frozenset({errors.DailyQuotaExceeded.__name__, errors.NoUsageLeft.__name__})

# What an answer proves about the app's permission for the API (spec §9).
OBSERVED_BY_ERROR = {
    "": ApiPermission.Observed.GRANTED,
    "ParamMissing": ApiPermission.Observed.GRANTED,
    "ParamInvalid": ApiPermission.Observed.GRANTED,  # values are checked after the grant (spec §6.4)
    "BusinessError": ApiPermission.Observed.GRANTED,
    "AclDeclined": ApiPermission.Observed.DENIED,
    "ApiUnsupported": ApiPermission.Observed.UNSUPPORTED,
}
Status = ApiPermission.Status


def permission_observe(*, permission: ApiPermission, observed: str) -> ApiPermission:
    """Record what a real answer showed about a permission; write only when it changes.

    A proven grant makes the console state "approved"; a proven refusal of an "approved" API sets it back
    to "not requested". What can't be observed (pending, under review, rejected with a reason) stays.
    """
    if permission.observed == observed:
        return permission
    now = timezone.now()
    with transaction.atomic():
        ApiPermissionChange.objects.create(permission=permission, field="observed", old=permission.observed,
                                           new=observed)  # fmt: skip
        permission.observed, permission.observed_at = observed, now
        fields = ["observed", "observed_at"]
        status = permission.status
        if observed == ApiPermission.Observed.GRANTED and status != Status.APPROVED:
            status, why = Status.APPROVED, "1688 answered a call: granted"
        elif observed == ApiPermission.Observed.DENIED and status == Status.APPROVED:
            status, why = Status.NOT_REQUESTED, "1688 refused a call (API permission denied)"
        if status != permission.status:
            ApiPermissionChange.objects.create(permission=permission, field="status", old=permission.status,
                                               new=status, reason=f"observed: {why}")  # fmt: skip
            permission.status, permission.decided_at = status, now
            fields += ["status", "decided_at"]
        permission.save(update_fields=fields)
    return permission


def feature_refusal(credential: AppCredential, api: str, permission: ApiPermission | None = None) -> str:
    """Why this API may not be called with the credential, or "" when it may."""
    if permission is None:
        permission = ApiPermission.objects.filter(credential=credential, api=api).first()
    if permission is None or permission.usable:
        return ""
    if permission.observed == ApiPermission.Observed.UNSUPPORTED:
        return _("1688 says the API %(api)s does not exist for this app.") % {"api": api}
    if permission.observed == ApiPermission.Observed.DENIED:
        return _(
            "1688 refused %(api)s for App Key %(key)s (API permission denied). Apply for it in the 1688 console "
            "(API权限 tab); approval takes 1-3 business days. Then run “Verify permissions”."
        ) % {"api": api, "key": credential.app_key}
    return _("Your request for %(api)s was rejected by 1688%(reason)s.") % {
        "api": api,
        "reason": f": {permission.reason}" if permission.reason else "",
    }


class CallRecorder:
    """The client hooks that meter, limit and record every call of one credential."""

    def __init__(self, credential: AppCredential, *, probe: bool = False):
        self.credential = credential
        self.probe = probe
        self._permissions: dict[str, ApiPermission] | None = None

    def permission(self, api: str) -> ApiPermission | None:
        # One query per client for all its permission rows, not one per call.
        if self._permissions is None:
            self._permissions = {p.api: p for p in ApiPermission.objects.filter(credential=self.credential)}
        return self._permissions.get(api)

    def _refuse(self, api: str, error: errors.AlibabaError) -> None:
        ApiCallLog.objects.create(credential=self.credential, api=api, outcome=ApiCallLog.Outcome.REFUSED,
                                  error_code=error.code, message=error.message[:300], probe=self.probe)  # fmt: skip
        raise error

    def before(self, api: str) -> None:
        if api.split(":")[0] in UNMETERED_NAMESPACES:
            return
        business = api.split(":")[0] not in SYSTEM_NAMESPACES
        if business and not self.credential.is_verified:
            # The object may predate the check that verified it: ask the row before refusing.
            self.credential.refresh_from_db(fields=["verified_at", "verify_error"])
        if business and not self.credential.is_verified:
            self._refuse(api, NotVerified(code="local.NotVerified", api=api))
        if business and not self.probe:
            refusal = feature_refusal(self.credential, api, self.permission(api) or ApiPermission())
            if refusal:
                self._refuse(api, FeatureDisabled(refusal, code="local.FeatureDisabled", api=api))
        # The budget of whoever the call is for (on an app that isn't theirs), then the app's own quota, then the
        # rate slot: a refused call takes no slot from the app's other users, and the database work is done before
        # the slot, so the call leaves on it (one worker process then calls on every slot).
        charged = budget_take(credential=self.credential, api=api, payer=current_payer())
        try:
            usage_take(credential=self.credential, api=api)
        except (QuotaExhausted, UsageExhausted):
            budget_give_back(credential=self.credential, keys=charged)
            raise
        try:
            # Paced a little under the limit: spaced exactly 1/qps apart, qps + 1 calls can fall in one of 1688's
            # one-second windows and the last one is refused (measured in bench/catalog.py sync).
            rate_acquire(
                key=f"app:{self.credential.app_identity}", qps=self.credential.qps * settings.ALIBABA_RATE_HEADROOM
            )
        except Exception:  # the slot is too far off, the limiter is away, a time limit: nothing was sent
            usage_give_back(credential=self.credential, api=api)
            budget_give_back(credential=self.credential, keys=charged)
            raise

    def after(self, outcome: CallOutcome) -> None:
        throttled = outcome.error_type == "FrequencyLimited"
        ApiCallLog.objects.create(
            credential=self.credential,
            api=outcome.api,
            outcome=ApiCallLog.Outcome.OK if outcome.ok else (
                ApiCallLog.Outcome.THROTTLED if throttled else ApiCallLog.Outcome.ERROR),
            error_code=outcome.error_code[:60],
            message=outcome.message[:300],
            latency_ms=outcome.latency_ms,
            probe=self.probe,
        )  # fmt: skip
        if outcome.api.split(":")[0] in UNMETERED_NAMESPACES:
            return
        if outcome.ok and not self.credential.is_verified:
            credential_mark_verified(credential=self.credential)
        if not outcome.ok:
            usage_count(credential=self.credential, api=outcome.api, outcome="throttled" if throttled else "error")
        if outcome.error_type in QUOTA_ANSWERS:  # no worker calls again with this app until the 1688 day turns
            usage_mark_exhausted(credential=self.credential, api=outcome.api, code=outcome.error_code,
                                 message=outcome.message)  # fmt: skip
        observed = OBSERVED_BY_ERROR.get(outcome.error_type)
        permission = self.permission(outcome.api) if outcome.api in PORTAL_API_IDS else None
        if observed and permission is not None:
            permission_observe(permission=permission, observed=observed)


def credential_mark_verified(*, credential: AppCredential) -> None:
    """A signed call with this key and secret succeeded: the credential may make business calls."""
    now = timezone.now()
    AppCredential.objects.filter(pk=credential.pk, secret_fingerprint=credential.secret_fingerprint).update(
        verified_at=now, verify_error=""
    )
    credential.verified_at, credential.verify_error = now, ""


def client_for(credential: AppCredential, *, probe: bool = False) -> AlibabaClient:
    """A client for the credential whose every call is metered, rate-limited and recorded."""
    recorder = CallRecorder(credential, probe=probe)
    return AlibabaClient(
        credential.app_key,
        credential.app_secret,
        base_url=credential.base_url,
        connect_timeout=settings.ALIBABA_CONNECT_TIMEOUT,
        read_timeout=settings.ALIBABA_READ_TIMEOUT,
        before_call=recorder.before,
        on_call=recorder.after,
    )


def gateway_call(
    *, credential: AppCredential, fn: Callable[[AlibabaClient, str | None], T], needs_token: bool = True,
    probe: bool = False,
) -> T:  # fmt: skip
    """Run `fn(client, access_token)`; on a 401, refresh the token once and try once more."""
    from sourcing.connections.services.tokens import token_refresh

    token = OAuthToken.objects.filter(credential=credential).first()
    usable = token is not None and token.status not in (OAuthToken.Status.REVOKED, OAuthToken.Status.NEEDS_REAUTH)
    if needs_token and not usable and credential.owner_id is not None:
        raise NotConnected()
    access = token.access_token if usable else None
    client = client_for(credential, probe=probe)
    try:
        return fn(client, access)
    except errors.TokenInvalid:
        if not usable:
            raise
        token = token_refresh(token_id=token.pk, stale_access=access)
        if token.status == OAuthToken.Status.NEEDS_REAUTH:
            raise NotConnected(_("The 1688 connection expired and could not be renewed: connect the account again."))
        return fn(client, token.access_token)
