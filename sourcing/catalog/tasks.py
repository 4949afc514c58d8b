"""Tasks of the catalog: every one takes a job (or product) id; refusals fail the job, transient errors retry."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.catalog.services import categories as catalog_categories
from sourcing.catalog.services import fetch as catalog
from sourcing.catalog.services import fill as catalog_fill
from sourcing.catalog.services import jobs
from sourcing.catalog.services import offers as catalog_offers
from sourcing.catalog.services import refresh as catalog_refresh
from sourcing.catalog.services import same_items as catalog_same_items
from sourcing.connections.services.ratelimit import RateLimitWait
from sourcing.core.retry import backoff, slot_due

CATALOG_RETRIES = 5


def _catalog_job(task, run, job_id: int) -> None:
    """Run a catalog job; on a transient error re-queue it and retry with backoff, then give up in plain words."""
    try:
        run(job_id=job_id)
    except RateLimitWait as error:
        # the app's next slot is seconds away: back to the queue, due then; the worker takes other work meanwhile
        jobs.job_requeue(job_id=job_id, error=error)
        raise task.retry(exc=error, countdown=slot_due(error), max_retries=task.request.retries + 1) from None
    except TransientError as error:
        if task.request.retries >= task.max_retries:
            jobs.job_give_up(job_id=job_id, error=error)
            return
        jobs.job_requeue(job_id=job_id, error=error)
        raise task.retry(exc=error, countdown=backoff(task.request.retries)) from None


@shared_task(name="sourcing.tasks.catalog_search_fetch", bind=True, max_retries=CATALOG_RETRIES)
def catalog_search_fetch(self, job_id: int) -> None:
    _catalog_job(self, catalog.search_fetch_run, job_id)


@shared_task(name="sourcing.tasks.catalog_image_search", bind=True, max_retries=CATALOG_RETRIES)
def catalog_image_search(self, job_id: int) -> None:
    _catalog_job(self, catalog.image_search_run, job_id)


@shared_task(name="sourcing.tasks.catalog_product_fetch", bind=True, max_retries=CATALOG_RETRIES)
def catalog_product_fetch(self, job_id: int) -> None:
    _catalog_job(self, catalog_offers.product_fetch_run, job_id)


@shared_task(name="sourcing.tasks.catalog_supplier_offers", bind=True, max_retries=CATALOG_RETRIES)
def catalog_supplier_offers(self, job_id: int) -> None:
    _catalog_job(self, catalog_offers.supplier_offers_run, job_id)


@shared_task(name="sourcing.tasks.catalog_categories_fetch", bind=True, max_retries=CATALOG_RETRIES)
def catalog_categories_fetch(self, job_id: int) -> None:
    _catalog_job(self, catalog_categories.categories_fetch_run, job_id)


@shared_task(name="sourcing.tasks.catalog_unknown_details", bind=True, max_retries=CATALOG_RETRIES)
def catalog_unknown_details(self, job_id: int) -> None:
    _catalog_job(self, catalog_fill.unknown_details_run, job_id)


@shared_task(name="sourcing.tasks.catalog_same_item", bind=True, max_retries=CATALOG_RETRIES)
def catalog_same_item(self, job_id: int) -> None:
    _catalog_job(self, catalog_same_items.same_item_run, job_id)


@shared_task(name="sourcing.tasks.catalog_product_refresh", bind=True, max_retries=CATALOG_RETRIES)
def catalog_product_refresh(self, product_id: int, job_id: int | None = None) -> str:
    try:
        outcome = catalog_refresh.product_refresh_run(product_id=product_id, job_id=job_id)
    except RateLimitWait as error:
        raise self.retry(exc=error, countdown=slot_due(error), max_retries=self.request.retries + 1) from None
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            catalog_refresh.product_refresh_give_up(product_id=product_id, job_id=job_id, error=error)
            return "gave_up"
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from None
    if outcome == "leased" and self.request.retries < self.max_retries:
        # When the lease ends the other run has either finished (this one then skips) or died with its
        # worker (this one then does the work): a killed worker's task still happens, and only once.
        raise self.retry(countdown=catalog_refresh.lease_seconds_left(product_id) + 1)
    return outcome


@shared_task(name="sourcing.tasks.catalog_jobs_dispatch")
def catalog_jobs_dispatch() -> int:
    """Beat: hand on waiting jobs of teams whose jobs in flight died with a worker."""
    return jobs.jobs_dispatch_all()


@shared_task(name="sourcing.tasks.catalog_refresh_due")
def catalog_refresh_due() -> int:
    """Beat: queue one refresh per stale wanted product (claimed once per cycle)."""
    job = catalog_refresh.refresh_due()
    return job.total if job else 0
