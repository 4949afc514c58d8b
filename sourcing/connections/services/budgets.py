"""Daily budgets on apps a team doesn't own, so no team or stranger can drain what others share.

A call made with the site default app is charged to the team it was made for and to the person who asked
for it (each has TEAM_DAILY_BUDGET calls a 1688 day; a team may have its own figure), so signing up, or
making twenty teams, buys no more than one budget. A call made with a credential a teammate shared is
charged to that team, unless its owner makes it. Calls on one's own app are charged to nobody.

Who a call is made for is set around the work with `paying(...)` (a job's team and requester, a check's
requester, the wanting team a refresh serves); the gateway door charges it before each call with one
conditional UPDATE per payer, like the daily quota, and gives back what it took when the call is refused.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from sourcing.accounts.models import Team
from sourcing.alibaba import errors
from sourcing.connections.models import ApiCallLog, AppCredential, BudgetUse
from sourcing.core.beijing import beijing_today, hours_minutes_until, next_beijing_midnight


@dataclass(frozen=True)
class Payer:
    """Who a call is made for: the team and the person charged when the app is not theirs."""

    team_id: int | None = None
    user_id: int | None = None


_payer: contextvars.ContextVar[Payer | None] = contextvars.ContextVar("payer", default=None)


@contextmanager
def paying(payer: Payer | None):
    """Charge the gateway calls made inside the block to `payer`."""
    token = _payer.set(payer)
    try:
        yield
    finally:
        _payer.reset(token)


def current_payer() -> Payer | None:
    return _payer.get()


def budget_keys(credential: AppCredential, payer: Payer | None) -> list[str]:
    """The budgets a call with `credential` made for `payer` is charged to ([] on one's own app)."""
    if payer is None:
        return []
    if credential.owner_id is None:  # the site default: the team and the person
        return [f"team:{payer.team_id}"] * bool(payer.team_id) + [f"user:{payer.user_id}"] * bool(payer.user_id)
    shared = payer.team_id is not None and credential.shared_with_team_id == payer.team_id
    return [f"team:{payer.team_id}"] if shared and credential.owner_id != payer.user_id else []


def budget_limit(key: str) -> int | None:
    """Calls a day for a budget key; None: no budget (TEAM_DAILY_BUDGET=0 and no team figure)."""
    kind, _sep, pk = key.partition(":")
    if kind == "team":
        own = Team.objects.filter(pk=pk).values_list("daily_budget", flat=True).first()
        if own is not None:
            return own
    return settings.TEAM_DAILY_BUDGET or None


class BudgetExhausted(errors.AlibabaError):
    """Refused locally: the team's or the person's budget on an app they don't own is spent for today."""

    def __init__(self, *, key: str, limit: int, credential: AppCredential, api: str):
        hours, minutes = hours_minutes_until(next_beijing_midnight())
        values = {"n": limit, "name": credential.name, "h": hours, "m": minutes}
        if key.startswith("user:"):
            message = _(
                "You have used your %(n)s calls for today on the site-wide 1688 app (each person's budget, whichever "
                "team they search for), so the call was not sent. It resets at midnight Beijing time (in %(h)sh "
                "%(m)smin); to go on now, add your own 1688 app on the Connections page."
            )
        elif credential.owner_id is None:
            message = _(
                "Your team has used its %(n)s calls for today on the site-wide 1688 app, which every team shares, so "
                "the call was not sent. It resets at midnight Beijing time (in %(h)sh %(m)smin); to go on now, add "
                "your own 1688 app on the Connections page, or ask the site's admins for a bigger team budget."
            )
        else:
            message = _(
                "Your team has used its %(n)s calls for today on “%(name)s”, shared with it by a teammate, so the "
                "call was not sent. It resets at midnight Beijing time (in %(h)sh %(m)smin); to go on now, add your "
                "own 1688 app on the Connections page."
            )
        super().__init__(message % values, code="local.BudgetExhausted", api=api)


def budget_take(*, credential: AppCredential, api: str, payer: Payer | None) -> list[str]:
    """Take one call from each budget the call is charged to, or raise BudgetExhausted (taking none)."""
    day, app, taken = beijing_today(), credential.app_identity, []
    for key in budget_keys(credential, payer):
        limit = budget_limit(key)
        if limit is None:
            continue
        rows = BudgetUse.objects.filter(payer=key, app=app, day=day)
        # The UPDATE decides (two workers may race to the last call); the row is created on the day's first call.
        ok = rows.filter(calls__lt=limit).update(calls=F("calls") + 1)
        if not ok:
            BudgetUse.objects.bulk_create([BudgetUse(payer=key, app=app, day=day)], ignore_conflicts=True)
            ok = rows.filter(calls__lt=limit).update(calls=F("calls") + 1)
        if not ok:
            budget_give_back(credential=credential, keys=taken)
            ApiCallLog.objects.create(credential=credential, api=api, outcome=ApiCallLog.Outcome.REFUSED,
                                      error_code="local.BudgetExhausted", message=f"daily budget of {key} used up")  # fmt: skip
            raise BudgetExhausted(key=key, limit=limit, credential=credential, api=api)
        taken.append(key)
    return taken


def budget_give_back(*, credential: AppCredential, keys: list[str]) -> None:
    """Return the calls taken for a call that was never sent."""
    if keys:
        BudgetUse.objects.filter(payer__in=keys, app=credential.app_identity, day=beijing_today(), calls__gt=0).update(
            calls=F("calls") - 1
        )


def _budgets_today(credential: AppCredential, payer: Payer) -> list[tuple[str, int, int]]:
    """(key, limit, calls so far today) of each budget a call for `payer` would be charged to."""
    limits = {key: limit for key in budget_keys(credential, payer) if (limit := budget_limit(key)) is not None}
    used = dict(
        BudgetUse.objects.filter(payer__in=list(limits), app=credential.app_identity, day=beijing_today()).values_list(
            "payer", "calls"
        )
    )
    return [(key, limit, used.get(key, 0)) for key, limit in limits.items()]


def budget_left(credential: AppCredential, payer: Payer) -> int | None:
    """Calls left today on the tightest budget the payer would be charged (None: no budget applies)."""
    budgets = _budgets_today(credential, payer)
    return min((limit - calls for _key, limit, calls in budgets), default=None)


def budgets_for_page(credential: AppCredential, *, team_id: int | None, user_id: int) -> list[dict]:
    """The budgets the user's calls with `credential` are charged to, with today's use, for the API status page."""
    rows = []
    for key, limit, calls in _budgets_today(credential, Payer(team_id=team_id, user_id=user_id)):
        label = _("Your team") if key.startswith("team:") else _("You (across all your teams)")
        rows.append({"label": label, "calls": calls, "limit": limit, "left": max(0, limit - calls),
                     "percent": min(100, round(100 * calls / limit)) if limit else 100})  # fmt: skip
    return rows
