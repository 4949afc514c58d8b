"""Thin Celery tasks: take ids, call one service; retry only on transient errors."""

import random

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.services import (  # noqa: F401 - lists registers its want_source
    catalog,
    catalog_fill,
    catalog_jobs,
    catalog_refresh,
    checks,
    lists,
    password_reset,
    permissions,
    teams,
    tokens,
    usage,
)
from sourcing.services.ratelimit import RateLimitWait

RETRY = {"autoretry_for": (TransientError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def invitation_send(invitation_id: int) -> bool:
    return teams.invitation_send(invitation_id=invitation_id)


@shared_task
def invitations_purge_expired() -> int:
    return teams.invitations_purge_expired()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def password_reset_send(request_id: int) -> int:
    """Mail the reset links of one "Forgot your password?" request (its row's id: never the link or token)."""
    return password_reset.password_reset_send(request_id=request_id)


@shared_task
def password_reset_purge() -> int:
    return password_reset.password_reset_purge()


@shared_task(**RETRY)
def token_refresh(token_id: int) -> None:
    tokens.token_refresh(token_id=token_id)


@shared_task(**RETRY)
def token_postpone(token_id: int) -> None:
    tokens.token_postpone(token_id=token_id)


@shared_task
def tokens_maintain() -> int:
    """Beat: refresh access tokens before they expire; postpone refresh tokens in their last 30 days."""
    refresh_ids, postpone_ids = tokens.tokens_due()
    for token_id in refresh_ids:
        token_refresh.delay(token_id)
    for token_id in postpone_ids:
        token_postpone.delay(token_id)
    return len(refresh_ids) + len(postpone_ids)


@shared_task(**RETRY)
def permissions_verify(credential_id: int) -> dict:
    return permissions.permissions_verify(credential_id=credential_id)


@shared_task(bind=True, max_retries=4)
def check_run(self, check_id: int) -> None:
    """A check a person is watching: transient failures retry a few times, then the page says so."""
    try:
        checks.check_run(check_id=check_id)
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            checks.check_give_up(check_id=check_id, error=error)
            return
        raise self.retry(exc=error, countdown=2**self.request.retries)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def token_reauth_notify(token_id: int) -> bool:
    return tokens.token_reauth_notify(token_id=token_id)


@shared_task
def calllog_purge() -> int:
    return usage.calllog_purge()


# --- catalog: every task takes a job (or product) id; refusals fail the job, transient errors retry ---
CATALOG_RETRIES = 5


def _catalog_job(task, run, job_id: int) -> None:
    """Run a catalog job; on a transient error re-queue it and retry with backoff, then give up in plain words."""
    try:
        run(job_id=job_id)
    except RateLimitWait as error:
        # the app's next slot is seconds away: back to the queue, due then; the worker takes other work meanwhile
        catalog.job_requeue(job_id=job_id, error=error)
        raise task.retry(exc=error, countdown=_slot_due(error), max_retries=task.request.retries + 1) from None
    except TransientError as error:
        if task.request.retries >= task.max_retries:
            catalog.job_give_up(job_id=job_id, error=error)
            return
        catalog.job_requeue(job_id=job_id, error=error)
        raise task.retry(exc=error, countdown=_backoff(task.request.retries)) from None


def _slot_due(error: RateLimitWait) -> float:
    """When a task refused a rate slot runs again: at the slot, spread over half a second so a backlog of one
    app's tasks does not all wake at once (a rate wait never counts against the task's retries)."""
    return error.retry_after + random.uniform(0.0, 0.5)  # noqa: S311 - spreading, not security


def _backoff(retries: int) -> float:
    return min(60.0, 2.0**retries) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_search_fetch(self, job_id: int) -> None:
    _catalog_job(self, catalog.search_fetch_run, job_id)


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_image_search(self, job_id: int) -> None:
    _catalog_job(self, catalog.image_search_run, job_id)


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_product_fetch(self, job_id: int) -> None:
    _catalog_job(self, catalog.product_fetch_run, job_id)


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_supplier_offers(self, job_id: int) -> None:
    _catalog_job(self, catalog.supplier_offers_run, job_id)


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_categories_fetch(self, job_id: int) -> None:
    _catalog_job(self, catalog.categories_fetch_run, job_id)


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_unknown_details(self, job_id: int) -> None:
    _catalog_job(self, catalog_fill.unknown_details_run, job_id)


@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def catalog_product_refresh(self, product_id: int, job_id: int | None = None) -> str:
    try:
        outcome = catalog_refresh.product_refresh_run(product_id=product_id, job_id=job_id)
    except RateLimitWait as error:
        raise self.retry(exc=error, countdown=_slot_due(error), max_retries=self.request.retries + 1) from None
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            catalog_refresh.product_refresh_give_up(product_id=product_id, job_id=job_id, error=error)
            return "gave_up"
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from None
    if outcome == "leased" and self.request.retries < self.max_retries:
        # When the lease ends the other run has either finished (this one then skips) or died with its
        # worker (this one then does the work): a killed worker's task still happens, and only once.
        raise self.retry(countdown=catalog_refresh.lease_seconds_left(product_id) + 1)
    return outcome


@shared_task
def catalog_jobs_dispatch() -> int:
    """Beat: hand on waiting jobs of teams whose jobs in flight died with a worker."""
    return catalog_jobs.jobs_dispatch_all()


@shared_task
def catalog_refresh_due() -> int:
    """Beat: queue one refresh per stale wanted product (claimed once per cycle)."""
    job = catalog_refresh.refresh_due()
    return job.total if job else 0


# --- team lists ---
@shared_task(bind=True, max_retries=90)
def demo_lists_fill(self) -> bool:
    """The demo's lists hold offers the warm searches bring in: wait for them (10 s apart, 15 minutes at most)."""
    from sourcing.management.commands.demo_data import demo_lists_fill as fill

    if not fill():
        raise self.retry(countdown=10)
    return True


@shared_task(bind=True, max_retries=120)
def demo_market_moves(self) -> bool:
    """The demo's price moves and fired alerts: wait for the listed offers' details (10 s apart, 20 minutes at most)."""
    from sourcing.management.commands.demo_data import demo_market_moves as moves

    if not moves():
        raise self.retry(countdown=10)
    return True


# --- inquiries and alerts (docs/inquiries-alerts.md) ---
@shared_task(bind=True, max_retries=CATALOG_RETRIES)
def inquiry_link_fetch(self, inquiry_id: int) -> None:
    """Ask 1688 for an inquiry's WangWang chat link; after the retries, link the offer page."""
    from sourcing.services import inquiries

    try:
        inquiries.inquiry_link_run(inquiry_id=inquiry_id)
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            inquiries.inquiry_link_give_up(inquiry_id=inquiry_id)
            return
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from None


@shared_task
def alerts_evaluate(product_ids: list[int]) -> int:
    from sourcing.services import alerts

    return alerts.alerts_evaluate(product_ids=product_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notification_email(notification_id: int) -> bool:
    from sourcing.services import alerts

    return alerts.notification_email_send(notification_id=notification_id)


@shared_task
def alerts_digest_due() -> int:
    """Beat: queue today's digest of each user who asked for one (each claimed once per day)."""
    from sourcing.services import alerts

    user_ids = alerts.digests_due()
    for user_id in user_ids:
        alerts_digest_send.delay(user_id)
    return len(user_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=3)
def alerts_digest_send(user_id: int) -> int:
    from sourcing.services import alerts

    return alerts.digest_send(user_id=user_id)
