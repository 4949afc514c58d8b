"""Catalog jobs: who may start catalog work with which credential, and the job lifecycle a worker runs.

A job is handed to a worker when its team has fewer than TEAM_JOBS_IN_FLIGHT jobs with workers, and
waits in line otherwise (so one team's backlog never fills the queue in front of another team's
search); each job that ends hands on the team's next. A worker claims it with a conditional UPDATE
(queued → running); it reports done/total, fails in plain words on refusals and goes back to
"queued" for a retry on transient errors. See docs/catalog.md.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Team, User
from sourcing.accounts.selectors import current_membership
from sourcing.alibaba import api, errors
from sourcing.catalog.models import CatalogJob, SearchQuery
from sourcing.connections.explain import explain_error
from sourcing.connections.models import AppCredential, ConnectionCheck, OAuthToken
from sourcing.connections.selectors import credential_in_use
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.checks import may_spend_quota
from sourcing.connections.services.gateway import feature_refusal, gateway_call
from sourcing.core.enqueue import enqueue

Kind, State = CatalogJob.Kind, CatalogJob.State
LOCAL_REFUSALS = ("local.QuotaExhausted", "local.UsageExhausted", "local.BudgetExhausted", "local.FeatureDisabled", "local.NotVerified", "local.NotConnected",
                  "local.NoCredential")  # fmt: skip


@dataclass
class Started:
    """What a start function did: the job to poll (None when nothing was queued) and words for the page."""

    job: CatalogJob | None = None
    search: SearchQuery | None = None
    notice: str = ""
    error: str = ""


@dataclass
class Checked(Started):
    """What a start function would do now, decided without writing: `due` when it would queue a job (a GET
    then offers the follow-up POST that starts it), else the live job or the words, as Started has them."""

    due: bool = False
    credential: AppCredential | None = None


class WaitingForCheck(errors.TransientError):
    default_message = "The credential's App Key check has not finished yet; the job waits for it."


# --- who may start what, with which credential ---
def team_of(user: User) -> Team | None:
    membership = current_membership(user)
    return membership.team if membership else None


def credential_for(user: User, *, api_ref: api.ApiRef = api.KEYWORD_SEARCH) -> tuple[AppCredential | None, str]:
    """The credential the user's catalog calls use, or None and plain words saying what to set up."""
    credential, _why = credential_in_use(user)
    if credential is None:
        return None, _(
            "Showing the portal's catalog only: no 1688 credential is set up. Add one on the Connections page, or "
            "ask a teammate to share theirs with the team, to get live results from 1688."
        )
    if not may_spend_quota(user, credential):
        return None, _(
            "Showing the portal's catalog only: viewers can't start 1688 searches (each one spends the team's "
            "daily quota). Ask a buyer or the team's owner."
        )
    if not credential.is_verified and not _check_pending(credential):
        return None, _(
            "Showing the portal's catalog only: the App Key and secret of “%(name)s” have not been confirmed by "
            "1688 yet. Open the credential and run “Check App Key and secret”."
        ) % {"name": credential.name}
    if api_ref.needs_token and credential.owner_id is not None and not _connected(credential):
        return None, _(
            "Showing the portal's catalog only: no 1688 account is connected to “%(name)s”. Connect it on the "
            "Connections page."
        ) % {"name": credential.name}
    refusal = feature_refusal(credential, api_ref.id)
    if refusal:
        return None, _("Showing the portal's catalog only. %(why)s") % {"why": refusal}
    return credential, ""


def permission_to_verify(user: User, *, api_refs: tuple[api.ApiRef, ...]) -> str:
    """Why these calls are refused, when all that stops them is an API permission the portal last saw refused (it
    may have been granted since), so a permission check ("Verify permissions") would clear it; "" otherwise."""
    credential, _why = credential_in_use(user)
    if credential is None or not credential.is_verified or not may_spend_quota(user, credential):
        return ""
    if credential.owner_id is not None and not _connected(credential):
        return ""
    return next((why for ref in api_refs if (why := feature_refusal(credential, ref.id))), "")


def _connected(credential: AppCredential) -> bool:
    return (
        OAuthToken.objects.filter(credential=credential)
        .exclude(status__in=[OAuthToken.Status.REVOKED, OAuthToken.Status.NEEDS_REAUTH])
        .exists()
    )


def _check_pending(credential: AppCredential) -> bool:
    """A key-and-secret check is queued or running: jobs may wait for it (the demo queues both at once)."""
    return ConnectionCheck.objects.filter(
        credential=credential, state__in=[ConnectionCheck.State.QUEUED, ConnectionCheck.State.RUNNING]
    ).exists()


# --- jobs ---
def _job_create(*, kind: str, target: str, user: User | None, team: Team | None, credential, total: int = 0,
                params: dict | None = None) -> CatalogJob:  # fmt: skip
    return CatalogJob.objects.create(kind=kind, target=str(target)[:100], team=team, requested_by=user,
                                     credential=credential, total=total, params=params or {})  # fmt: skip


# The task that runs each kind of job (tasks import services: named here, handed work by name).
JOB_TASKS = {Kind.SEARCH: "catalog_search_fetch", Kind.IMAGE_SEARCH: "catalog_image_search",
             Kind.PRODUCT: "catalog_product_fetch", Kind.SUPPLIER: "catalog_supplier_offers",
             Kind.CATEGORIES: "catalog_categories_fetch", Kind.DETAILS: "catalog_unknown_details",
             Kind.SAME_ITEM: "catalog_same_item"}  # fmt: skip


def _send(job: CatalogJob) -> None:
    enqueue(JOB_TASKS[job.kind], job.pk)


def job_dispatch(job: CatalogJob) -> None:
    """Hand a new job to a worker, or let it wait behind its team's jobs in flight (the page says so)."""
    if job.team_id is None:  # the category tree: an admin's or the site's, not a team's
        CatalogJob.objects.filter(pk=job.pk).update(dispatched_at=timezone.now())
        _send(job)
        return
    jobs_dispatch_waiting(team_id=job.team_id)
    job.refresh_from_db(fields=["dispatched_at"])


def jobs_dispatch_waiting(*, team_id: int) -> int:
    """Hand the team's waiting jobs to workers, oldest first, while it has fewer than TEAM_JOBS_IN_FLIGHT in flight."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    recent = CatalogJob.objects.filter(team_id=team_id, created_at__gte=stale)
    with transaction.atomic():
        # One dispatcher per team at a time (two pages and a finishing worker may all try): lock the team's row.
        if Team.objects.select_for_update(no_key=True).filter(pk=team_id).first() is None:
            return 0
        in_flight = recent.filter(state__in=[State.QUEUED, State.RUNNING], dispatched_at__isnull=False).count()
        room = settings.TEAM_JOBS_IN_FLIGHT - in_flight
        if room <= 0:
            return 0
        waiting = list(
            recent.filter(state=State.QUEUED, dispatched_at__isnull=True).order_by("created_at", "pk")[:room]
        )
        CatalogJob.objects.filter(pk__in=[job.pk for job in waiting]).update(dispatched_at=now)
        for job in waiting:
            _send(job)  # on commit
    return len(waiting)


def jobs_dispatch_all() -> int:
    """Beat: hand on the jobs of every team that has some waiting (after a worker died holding its earlier ones)."""
    stale = timezone.now() - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    team_ids = set(CatalogJob.objects.filter(state=State.QUEUED, dispatched_at__isnull=True, team__isnull=False,
                                             created_at__gte=stale).values_list("team_id", flat=True))  # fmt: skip
    return sum(jobs_dispatch_waiting(team_id=team_id) for team_id in sorted(team_ids))


def _live(job: CatalogJob | None) -> bool:
    """Queued or running, and recent enough that a worker will still finish it."""
    stale = timezone.now() - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    return job is not None and job.is_running and job.created_at >= stale


def _running_job(*, kind: str, target: str, team: Team | None) -> CatalogJob | None:
    stale = timezone.now() - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    return (
        CatalogJob.objects.filter(
            kind=kind,
            target=str(target)[:100],
            team=team,
            state__in=[State.QUEUED, State.RUNNING],
            created_at__gte=stale,
        )  # fmt: skip
        .order_by("-pk")
        .first()
    )


def job_claim(*, job_id: int) -> CatalogJob | None:
    """Take a queued job for this worker (conditional UPDATE); None when it is finished or another worker has it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    claimed = (
        CatalogJob.objects.filter(pk=job_id)
        .filter(Q(state=State.QUEUED) | Q(state=State.RUNNING, started_at__lt=stale))
        .update(state=State.RUNNING, started_at=now)
    )
    if not claimed:
        return None
    return CatalogJob.objects.select_related("credential", "team", "requested_by").get(pk=job_id)


def job_progress(job: CatalogJob, *, done: int, total: int | None = None, message: str = "") -> None:
    job.done = done
    if total is not None:
        job.total = total
    if message:
        job.message = message[:500]
    CatalogJob.objects.filter(pk=job.pk).update(done=job.done, total=job.total, message=job.message)


def job_finish(job: CatalogJob, *, ok: bool, message: str, error_code: str = "") -> CatalogJob:
    job.state = State.DONE if ok else State.FAILED
    job.message, job.error_code, job.finished_at = message[:500], error_code[:60], timezone.now()
    if ok:
        job.done = max(job.done, job.total)
    CatalogJob.objects.filter(pk=job.pk).update(state=job.state, message=job.message, error_code=job.error_code,
                                                finished_at=job.finished_at, done=job.done)  # fmt: skip
    return job


def job_requeue(*, job_id: int, error: errors.AlibabaError) -> None:
    """A transient failure: the task will retry, so the job waits in the queue again and says why."""
    CatalogJob.objects.filter(pk=job_id, state=State.RUNNING).update(
        state=State.QUEUED,
        message=_("1688 did not answer properly (%(code)s); trying again shortly.")
        % {"code": error.code or type(error).__name__},
    )


def job_give_up(*, job_id: int, error: errors.AlibabaError) -> None:
    """The task ran out of retries: the job fails in plain words; what was fetched so far stays."""
    job = CatalogJob.objects.filter(pk=job_id).first()
    if job and job.is_running:
        job_finish(job, ok=False, message=_("1688 did not answer properly (%(code)s). Try again in a few minutes.")
                   % {"code": error.code or type(error).__name__}, error_code=error.code or type(error).__name__)  # fmt: skip
        if job.team_id:
            jobs_dispatch_waiting(team_id=job.team_id)


def _refused(job: CatalogJob, error: errors.AlibabaError) -> CatalogJob:
    """A refusal (quota, permission, not verified, not connected, a business error): no retry, plain words."""
    if error.code in LOCAL_REFUSALS and error.message:
        message = error.message
    else:
        message = explain_error(error, app_key=job.credential.app_key if job.credential else "").sentence
    return job_finish(job, ok=False, message=message, error_code=error.code or type(error).__name__)


def _call(job: CatalogJob, fn, *, needs_token: bool = True, credential: AppCredential | None = None):
    credential = credential or job.credential
    if credential is None:
        raise errors.AlibabaError(_("No 1688 credential is set up."), code="local.NoCredential")
    if not credential.is_verified:
        credential.refresh_from_db(fields=["verified_at", "verify_error"])
        if not credential.is_verified and _check_pending(credential):
            raise WaitingForCheck(code="local.WaitingForCheck")
    return gateway_call(credential=credential, fn=fn, needs_token=needs_token)


def _run(job_id: int, body) -> CatalogJob | None:
    """Claim the job and run `body(job)`; refusals fail it in plain words, transient errors propagate for a retry."""
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    try:
        with paying(Payer(team_id=job.team_id, user_id=job.requested_by_id)):
            job = body(job)
    except errors.TransientError:
        raise  # the job stays in flight: its task retries it
    except errors.AlibabaError as error:
        job = _refused(job, error)
    if job.team_id:
        jobs_dispatch_waiting(team_id=job.team_id)  # this one has ended: the team's next waiting job goes
    return job
