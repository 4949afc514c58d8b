"""Background refresh of stale products: beat picks the wanted ones, each is fetched once per cycle.

* **Wanted** products refresh sooner. What "wanted" means is pluggable: each source registered with
  `want_source` returns ProductView-like rows (product_id, user_id, team_id). Today that is "viewed in
  the last CATALOG_WANTED_DAYS days"; team lists (next issue) register their own source.
* **Once per cycle.** Beat claims a product with one conditional UPDATE of `refresh_queued_at`
  (null or older than the claim's life): however many users and teams want it, one task is queued.
  The worker takes a lease on the row (another conditional UPDATE) and skips a product refreshed
  since it was queued, so a second delivery or a racing worker makes no call.
* **Whose quota.** Among the credentials of the users and teams that want the product (own
  credentials of the users who viewed it, credentials shared with their teams, the site default),
  the one with the most of its background share left pays; background calls never take a
  credential past ALIBABA_BACKGROUND_QUOTA_SHARE of its daily quota (enforced by the gateway's own
  atomic quota UPDATE, given the capped limit), so interactive searches keep the rest. On an app
  that is not the wanting team's own, the call is charged to that team's daily budget (and, on the
  site default, to the person who put the product on a list or viewed it): budgets.py.
"""

import copy
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import Membership
from sourcing.alibaba import api, errors
from sourcing.catalog.keys import source_of
from sourcing.catalog.models import CatalogJob, Product, ProductView
from sourcing.catalog.services.jobs import job_finish
from sourcing.catalog.services.offers import offer_not_found, product_detail_get
from sourcing.catalog.services.upsert import product_upsert_detail
from sourcing.connections.models import ApiPermission, ApiUsage, AppCredential, OAuthToken
from sourcing.connections.selectors import site_default_credential
from sourcing.connections.services.budgets import Payer, budget_left, paying
from sourcing.core.beijing import beijing_today
from sourcing.core.enqueue import enqueue

WantSource = Callable[[datetime], QuerySet]
WANT_SOURCES: list[WantSource] = []


def want_source(fn: WantSource) -> WantSource:
    """Register a source of wanted products: fn(now) → rows with product_id, user_id, team_id (either may be None)."""
    WANT_SOURCES.append(fn)
    return fn


@want_source
def recently_viewed(now: datetime) -> QuerySet:
    since = now - timedelta(days=settings.CATALOG_WANTED_DAYS)
    return ProductView.objects.filter(viewed_at__gte=since).values(
        "product_id", "user_id", team_id=Value(None, output_field=IntegerField())
    )


# Products refreshed at a slower pace (messages tell their changes): registered by the domains above the catalog.
PaceSource = Callable[[datetime], tuple[QuerySet, int]]
PACE_SOURCES: list[PaceSource] = []


def slower_pace(fn: PaceSource) -> PaceSource:
    """Register fn(now) → (product ids, hours): those products are due only when their detail is older than that."""
    PACE_SOURCES.append(fn)
    return fn


def wanted_product_ids(now: datetime) -> Q:
    """A condition on Product: wanted by at least one source."""
    condition = Q(pk__in=[])
    for source in WANT_SOURCES:
        condition |= Q(pk__in=source(now).values("product_id"))
    return condition


def refresh_candidates(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Wanted products whose detail is missing or older than CATALOG_REFRESH_WANTED_HOURS (a slower pace's hours for
    the products it names), oldest first."""
    now = now or timezone.now()
    stale = now - timedelta(hours=settings.CATALOG_REFRESH_WANTED_HOURS)
    claim_expired = now - timedelta(seconds=settings.CATALOG_REFRESH_CLAIM_SECONDS)
    never = Q(detail_fetched_at__isnull=True)
    old = never | Q(detail_fetched_at__lt=stale)
    for source in PACE_SOURCES:
        slower, hours = source(now)
        old &= ~Q(pk__in=slower) | never | Q(detail_fetched_at__lt=now - timedelta(hours=hours))
    due = (
        Product.objects.filter(wanted_product_ids(now))
        .exclude(status=Product.Status.NOT_FOUND)
        .filter(old)
        .filter(Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=claim_expired))
        .order_by("detail_fetched_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(due[: limit or settings.CATALOG_REFRESH_BATCH])


def refresh_claim(*, product_ids: list[int], now: datetime | None = None) -> list[int]:
    """Claim products for this cycle (conditional UPDATE); returns those this call claimed."""
    now = now or timezone.now()
    claim_expired = now - timedelta(seconds=settings.CATALOG_REFRESH_CLAIM_SECONDS)
    Product.objects.filter(pk__in=product_ids).filter(
        Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=claim_expired)
    ).update(refresh_queued_at=now, refresh_lease_until=None)
    # The timestamp marks this cycle's claim: a concurrent beat claims with another one.
    return list(Product.objects.filter(pk__in=product_ids, refresh_queued_at=now).values_list("pk", flat=True))


def refresh_due(*, now: datetime | None = None) -> CatalogJob | None:
    """Beat: claim the due products and queue one refresh task each; the job counts them done/total."""
    now = now or timezone.now()
    claimed = refresh_claim(product_ids=refresh_candidates(now=now), now=now)
    if not claimed:
        return None
    job = CatalogJob.objects.create(kind=CatalogJob.Kind.REFRESH, target=f"{now:%Y-%m-%d %H:%M}", total=len(claimed),
                                    state=CatalogJob.State.RUNNING, started_at=now)  # fmt: skip
    for product_id in claimed:
        enqueue("catalog_product_refresh", product_id, job.pk)
    return job


# --- whose quota pays ---
def background_cap(credential: AppCredential) -> int:
    """Calls per API and day that background work may take from this credential."""
    return math.floor(credential.daily_quota * settings.ALIBABA_BACKGROUND_QUOTA_SHARE)


def _used_today(credentials: list[AppCredential], api_id: str) -> dict[str, int]:
    rows = ApiUsage.objects.filter(app__in=[c.app_identity for c in credentials], api=api_id, day=beijing_today())
    return dict(rows.values_list("app", "calls"))


def _wants(product_id: int, now: datetime) -> set[tuple[int | None, int | None]]:
    """(user_id, team_id) of every want of the product (one query for all the sources)."""
    rows = [
        source(now).filter(product_id=product_id).order_by().values_list("user_id", "team_id")
        for source in WANT_SOURCES
    ]
    return set(rows[0].union(*rows[1:], all=True))


def credentials_wanting(product_id: int, *, now: datetime | None = None, wants=None) -> list[AppCredential]:
    """Usable credentials of the users and teams that want the product, plus the site default (`wants`: the
    product's wants when the caller has read them)."""
    if wants is None:
        wants = _wants(product_id, now or timezone.now())
    user_ids = {user_id for user_id, _team in wants if user_id}
    team_ids = {team_id for _user, team_id in wants if team_id}
    # One query (a refresh task runs this for every product): the teams of the wanting users, the owner's
    # membership of the team an app is shared with, a live token and the detail API's permission are subqueries.
    their_teams = Membership.objects.filter(user_id__in=user_ids).exclude(role=Membership.Role.VIEWER).values("team_id")
    owner_in_team = Membership.objects.filter(user_id=OuterRef("owner_id"), team_id=OuterRef("shared_with_team_id"))
    connected = OAuthToken.objects.filter(credential=OuterRef("pk")).exclude(
        status__in=[OAuthToken.Status.REVOKED, OAuthToken.Status.NEEDS_REAUTH]
    )
    refused = ApiPermission.objects.filter(credential=OuterRef("pk"), api=api.PRODUCT_DETAIL.id).filter(
        Q(observed__in=[ApiPermission.Observed.DENIED, ApiPermission.Observed.UNSUPPORTED])
        | Q(status=ApiPermission.Status.REJECTED) & ~Q(observed=ApiPermission.Observed.GRANTED)
    )
    shared = (Q(shared_with_team_id__in=team_ids) | Q(shared_with_team_id__in=their_teams)) & Exists(owner_in_team)
    wanting = (Q(owner_id__in=user_ids) | shared) & Exists(connected)
    default = site_default_credential()  # no query when the settings name none
    if default is not None:
        wanting |= Q(pk=default.pk)
    return list(
        AppCredential.objects.filter(wanting, status=AppCredential.Status.ACTIVE, verified_at__isnull=False)
        .exclude(Exists(refused))
        .order_by("pk")
    )


def _payer_for(credential: AppCredential, wants: set[tuple[int | None, int | None]]) -> tuple[Payer, int | None]:
    """Who a refresh with `credential` is made for, and that payer's budget left (None: no budget applies)."""
    if credential.owner_id is not None:
        if any(user_id == credential.owner_id for user_id, _team in wants):
            return Payer(user_id=credential.owner_id), None  # the owner's own app
        payer = Payer(team_id=credential.shared_with_team_id)
        return payer, budget_left(credential, payer)
    best = (Payer(), 0)
    for user_id, team_id in sorted(wants, key=lambda w: (w[0] or 0, w[1] or 0)):  # the site default
        payer = Payer(team_id=team_id, user_id=user_id)
        left = budget_left(credential, payer)
        if left is None or left > best[1]:
            best = (payer, left)
        if left is None:
            break
    return best


def background_credential(product_id: int, *, now: datetime | None = None) -> tuple[AppCredential | None, Payer | None]:
    """The wanting credential with the most background quota left and who pays for the call; (None, None) when every
    share, or the budget of every wanting team on the apps they don't own, is spent."""
    wants = _wants(product_id, now or timezone.now())  # read once: the candidates and their payers both need them
    candidates = credentials_wanting(product_id, wants=wants)
    used = _used_today(candidates, api.PRODUCT_DETAIL.id)
    best, best_payer, best_left = None, None, 0
    for credential in sorted(candidates, key=lambda c: c.pk):
        left = background_cap(credential) - used.get(credential.app_identity, 0)
        payer, budget = _payer_for(credential, wants)
        left = left if budget is None else min(left, budget)
        if left > best_left:
            best, best_payer, best_left = credential, payer, left
    return best, best_payer


def capped(credential: AppCredential) -> AppCredential:
    """The credential as background work sees it: its daily quota cut to the background share.

    The gateway's quota UPDATE (`calls < daily_quota`) then refuses the call past the share
    atomically, however many workers race for the last unit.
    """
    view = copy.copy(credential)
    view.daily_quota = background_cap(credential)
    return view


# --- the worker ---
def _release(product_id: int, *, error: str = "", keep_claim: bool = False) -> None:
    values = {"refresh_lease_until": None}
    if not keep_claim:
        values["refresh_queued_at"] = None
    if error:
        values["refresh_error"] = error[:300]
    Product.objects.filter(pk=product_id).update(**values)


def _count_done(job_id: int | None) -> None:
    if not job_id:
        return
    CatalogJob.objects.filter(pk=job_id).update(done=F("done") + 1)
    job = CatalogJob.objects.filter(pk=job_id, state=CatalogJob.State.RUNNING, done__gte=F("total")).first()
    if job:
        job_finish(
            job,
            ok=True,
            message=ngettext("%(n)s product refreshed.", "%(n)s products refreshed.", job.total) % {"n": job.total},
        )


def _done(product_id: int, job_id: int | None, *, error: str = "") -> None:
    """The product's turn in this cycle is over: release it and count it in the job, in one commit."""
    with transaction.atomic():
        _release(product_id, error=error)
        _count_done(job_id)


def product_refresh_run(*, product_id: int, job_id: int | None = None) -> str:
    """Worker: refresh one claimed product once; returns what happened ("fetched", "skipped", "leased", ...).

    "leased": another run holds the product, either a duplicate delivery racing this one or a run on a
    worker that died mid-task (its message came back to the queue); the task looks again when the lease ends.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    # Take the row: only a queued product whose lease is free (a second delivery or racing worker gets 0 rows).
    taken = (
        Product.objects.filter(pk=product_id, refresh_queued_at__isnull=False)
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .update(refresh_lease_until=lease)
    )
    if not taken:
        held = Product.objects.filter(pk=product_id, refresh_queued_at__isnull=False, refresh_lease_until__gte=now)
        return "leased" if held.exists() else "skipped"
    offer_id, fetched_at, queued_at = Product.objects.values_list(
        "offer_id", "detail_fetched_at", "refresh_queued_at"
    ).get(pk=product_id)
    if fetched_at and fetched_at >= queued_at:
        _done(product_id, job_id)  # fetched since it was queued (a page asked for it): nothing to do this cycle
        return "fresh"
    credential, payer = background_credential(product_id, now=now)
    if credential is None:
        _done(product_id, job_id, error=_("No wanting team's credential has background quota left today."))
        return "no_quota"
    job = CatalogJob(kind=CatalogJob.Kind.REFRESH, credential=credential)
    try:
        with paying(payer):
            detail = product_detail_get(job=job, offer_id=offer_id, credential=capped(credential))
    except errors.TransientError:
        _release(product_id, keep_claim=True)  # the retry takes the lease again
        raise
    except errors.AlibabaError as error:
        gone = offer_not_found(error)
        _done(product_id, job_id, error="" if gone else f"{error.code or type(error).__name__}: {error.message}")
        return "not_found" if gone else "refused"
    with transaction.atomic():  # the answer's writes, the release and the count: one commit, not three
        product_upsert_detail(detail=detail, source=source_of(credential))
        _release(product_id)
        _count_done(job_id)
    return "fetched"


def lease_seconds_left(product_id: int) -> float:
    """How long another run still holds the product's refresh lease (0 when nobody does)."""
    until = Product.objects.filter(pk=product_id).values_list("refresh_lease_until", flat=True).first()
    return max(0.0, (until - timezone.now()).total_seconds()) if until else 0.0


def product_refresh_give_up(*, product_id: int, job_id: int | None, error: errors.AlibabaError) -> None:
    """Out of retries: the product keeps its last good data and waits for the next cycle."""
    _done(product_id, job_id, error=f"{error.code or type(error).__name__}: {error.message}")
