"""Daily quota (atomic), usage counters and the call log. The 1688 day is the Asia/Shanghai day."""

import logging
import math
from datetime import date, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.alibaba import errors
from sourcing.connections.models import ApiCallLog, ApiUsage, AppCredential, UsageExhaustion
from sourcing.core.beijing import beijing_today, hours_minutes_until, next_beijing_midnight

logger = logging.getLogger(__name__)


class QuotaExhausted(errors.DailyQuotaExceeded):
    """Refused locally: today's quota is used up, so the call was never sent."""

    def __init__(self, credential: AppCredential, api: str):
        hours, minutes = hours_minutes_until(next_beijing_midnight())
        super().__init__(
            _(
                "Today's quota of %(quota)s calls to %(api)s is used up, so the call was not sent. "
                "It resets at midnight Beijing time (in %(h)sh %(m)smin); to get more, ask 1688 for a higher "
                "quota and enter it on the credential."
            )
            % {"quota": credential.daily_quota, "api": api, "h": hours, "m": minutes},
            code="local.QuotaExhausted",
            api=api,
        )


class UsageExhausted(errors.DailyQuotaExceeded):
    """Refused locally: 1688 said today that the app has no calls left, so the call was not sent."""

    def __init__(self, exhaustion: UsageExhaustion, api: str):
        hours, minutes = hours_minutes_until(exhaustion.resets_at)
        super().__init__(
            _(
                "1688 said this app has no calls left (%(code)s), so the portal did not send this call to %(api)s. "
                "It tries again after midnight Beijing time (in %(h)sh %(m)smin); to go on sooner, renew or buy "
                "the API package on open.1688.com."
            )
            % {"code": exhaustion.code, "api": api, "h": hours, "m": minutes},
            code="local.UsageExhausted",
            api=api,
        )


def usage_exhaustion(credential: AppCredential, *, day: date | None = None) -> UsageExhaustion | None:
    """Today's record that 1688 said the credential's app has no calls left, or None."""
    return UsageExhaustion.objects.filter(app=credential.app_identity, day=day or beijing_today()).first()


def usage_mark_exhausted(*, credential: AppCredential, api: str, code: str, message: str = "") -> None:
    """Record that 1688 answered "no calls left" for the app: its calls are refused locally until the day turns.

    One INSERT … ON CONFLICT DO NOTHING on (app, day): workers that get the answer at once write one row,
    nobody reads before writing, and the row of the next Beijing day never exists in advance.
    """
    UsageExhaustion.objects.bulk_create(
        [UsageExhaustion(app=credential.app_identity, day=beijing_today(), credential=credential, api=api[:150],
                         code=code[:60], message=message[:300])],
        ignore_conflicts=True,
    )  # fmt: skip
    logger.warning("1688 credential %s: %s; calls stop until midnight Beijing time", credential.app_key, code)


def usage_rearm(*, app: str) -> int:
    """Let an app's calls resume before the day turns (its package was renewed); returns the rows removed."""
    deleted, _rows = UsageExhaustion.objects.filter(app=app, day=beijing_today()).delete()
    return deleted


def usage_take(*, credential: AppCredential, api: str) -> int:
    """Take one call from today's quota of this API for the credential's app, or raise QuotaExhausted.

    The row is keyed by the app as proven by its secret, so credentials that hold the same app share
    one budget and a credential with a wrong secret can't spend the real app's. Returns calls so far.
    """
    day = beijing_today()
    exhausted = usage_exhaustion(credential, day=day)
    if exhausted is not None:  # 1688 said so today: no HTTP call until its day turns
        ApiCallLog.objects.create(
            credential=credential, api=api, outcome=ApiCallLog.Outcome.REFUSED, error_code="local.UsageExhausted",
            message="1688 said the app has no calls left today",
        )  # fmt: skip
        raise UsageExhausted(exhausted, api)
    rows = ApiUsage.objects.filter(app=credential.app_identity, api=api, day=day)
    # The UPDATE decides (two workers may race to the last unit); the row is created only on the day's first call.
    taken = rows.filter(calls__lt=credential.daily_quota).update(calls=F("calls") + 1)
    if not taken:
        ApiUsage.objects.get_or_create(app=credential.app_identity, api=api, day=day,
                                       defaults={"credential": credential})  # fmt: skip
        taken = rows.filter(calls__lt=credential.daily_quota).update(calls=F("calls") + 1)
    if not taken:
        ApiCallLog.objects.create(
            credential=credential, api=api, outcome=ApiCallLog.Outcome.REFUSED, error_code="local.QuotaExhausted",
            message="daily quota used up",
        )  # fmt: skip
        raise QuotaExhausted(credential, api)
    calls = rows.values_list("calls", flat=True).first() or 0
    warning_at = math.ceil(credential.daily_quota * settings.ALIBABA_QUOTA_WARNING)
    if calls == warning_at:  # exactly one call crosses the line each day
        logger.warning("1688 credential %s reached %s of its %s quota for %s", credential.app_key, calls,
                       credential.daily_quota, api)  # fmt: skip
    return calls


def usage_give_back(*, credential: AppCredential, api: str) -> None:
    """Return a unit taken for a call that was never sent."""
    ApiUsage.objects.filter(app=credential.app_identity, api=api, day=beijing_today(), calls__gt=0).update(
        calls=F("calls") - 1
    )


def usage_count(*, credential: AppCredential, api: str, outcome: str) -> None:
    """Count an error or a throttled answer in today's row."""
    column = {"error": "errors", "throttled": "throttled"}.get(outcome)
    if column:
        ApiUsage.objects.filter(app=credential.app_identity, api=api, day=beijing_today()).update(
            **{column: F(column) + 1}
        )


def usage_today(credential: AppCredential) -> dict[str, ApiUsage]:
    """Today's usage rows of the credential's app, by API."""
    return {u.api: u for u in ApiUsage.objects.filter(app=credential.app_identity, day=beijing_today())}


def calllog_purge() -> int:
    """Delete call-log rows older than CALL_LOG_RETENTION_DAYS."""
    cutoff = timezone.now() - timedelta(days=settings.CALL_LOG_RETENTION_DAYS)
    deleted, _rows = ApiCallLog.objects.filter(at__lt=cutoff).delete()
    return deleted
