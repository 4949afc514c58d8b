"""Filling what pages need and the portal lacks (docs/filters-and-categories.md).

* **Offers a filter can't judge.** A filter on a field 1688 may not have given yet (province, minimum
  order …) never drops those offers silently: the page counts them, and queues their details here, a
  batch per page view. The products are claimed like the background refresh claims them (one
  conditional UPDATE of `refresh_queued_at`), so however many pages and teams ask, each offer is fetched
  once per claim period; the calls use the user's credential capped at its background share of the
  day's quota (ALIBABA_BACKGROUND_QUOTA_SHARE), leaving the rest to searches a person waits for.
* **A category with few offers** is searched on 1688 as the search page searches a keyword: the
  category's Chinese name as keyword plus its `categoryId`, through `search_fetch_start` (same team
  search record, same freshness throttle, same job and progress bar).

Start functions never call the gateway; workers do.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import User
from sourcing.alibaba import api, errors
from sourcing.catalog.models import CatalogJob, Category, Product, SearchQuery
from sourcing.catalog.services.fetch import search_fetch_check, search_fetch_start
from sourcing.catalog.services.jobs import (
    Checked,
    Started,
    _job_create,
    _live,
    _run,
    _running_job,
    credential_for,
    job_dispatch,
    job_finish,
    job_progress,
    team_of,
)
from sourcing.catalog.services.offers import offer_not_found, product_detail_fetch
from sourcing.catalog.services.refresh import _release, _used_today, background_cap, capped, refresh_claim

Kind = CatalogJob.Kind


def unknown_details_fetch_check(*, user: User, product_ids: list[int], target: str) -> Checked:
    """What unknown_details_fetch_start would do, read only (whether the offers are still unclaimed is only
    known by claiming them, so `due` may end in nothing queued)."""
    team = team_of(user)
    if not product_ids or team is None:
        return Checked()
    running = _running_job(kind=Kind.DETAILS, target=target, team=team)
    if running:
        return Checked(job=running)
    credential, notice = credential_for(user, api_ref=api.PRODUCT_DETAIL)
    if credential is None:
        return Checked(notice=notice)
    if _used_today([credential], api.PRODUCT_DETAIL.id).get(credential.app_identity, 0) >= background_cap(credential):
        return Checked(notice=_("Today's background share of the quota is spent, so the details of the hidden "
                                "offers are fetched after the 1688 day turns."))  # fmt: skip
    return Checked(due=True, credential=credential)


def unknown_details_fetch_start(*, user: User, product_ids: list[int], target: str) -> Started:
    """Queue the details of offers a filter hid because a field is unknown; one live job per team and page."""
    checked = unknown_details_fetch_check(user=user, product_ids=product_ids, target=target)
    if not checked.due:
        return checked
    claimed = refresh_claim(product_ids=product_ids)  # a product another page or the refresh holds is skipped
    if not claimed:
        return Started()

    job = _job_create(kind=Kind.DETAILS, target=target, user=user, team=team_of(user), credential=checked.credential,
                      total=len(claimed), params={"product_ids": claimed})  # fmt: skip
    job_dispatch(job)
    return Started(job=job)


def unknown_details_run(*, job_id: int) -> CatalogJob | None:
    """Worker: fetch each claimed offer's detail (skipping those fetched since), then release its claim.

    A refusal (the background share spent, permission) fails the job; the offers not reached keep their
    claim until it lapses, so no page asks for them again meanwhile."""

    def body(job: CatalogJob) -> CatalogJob:
        ids = [int(pk) for pk in job.params.get("product_ids", [])]
        credential = capped(job.credential) if job.credential else None
        fetched = 0
        for index in range(job.done, len(ids)):  # a retry resumes after the offers already done
            product = Product.objects.filter(pk=ids[index]).only("offer_id", "status", "detail_fetched_at").first()
            if (
                product is not None
                and product.status != Product.Status.NOT_FOUND
                and not (product.detail_fetched_at and product.detail_fetched_at >= job.created_at)
            ):
                try:
                    product_detail_fetch(job=job, offer_id=product.offer_id, credential=credential)
                    fetched += 1
                except errors.BusinessError as error:
                    if not offer_not_found(error):
                        raise
            _release(ids[index])
            job_progress(job, done=index + 1)
        message = ngettext("Fetched the details of %(n)s offer from 1688.",
                           "Fetched the details of %(n)s offers from 1688.", fetched) % {"n": fetched}  # fmt: skip
        return job_finish(job, ok=True, message=message)

    return _run(job_id, body)


def _category_due(*, category: Category, search: SearchQuery | None) -> Checked | None:
    """The answer for a category that needs no search decision (no name, or the team's search fetched lately or
    still running); None when the keyword search decides."""
    name = category.name or category.name_en
    if not name:
        return Checked(notice=_("1688 is searched by the category's name, which is not known yet."))
    if search is not None:
        fresh_after = timezone.now() - timedelta(minutes=settings.CATALOG_SEARCH_FRESH_MINUTES)
        if _live(search.job):
            return Checked(search=search, job=search.job)
        if search.fetched_at and search.fetched_at >= fresh_after:
            return Checked(search=search)
    return None


def _category_search(category: Category) -> tuple[str, dict]:
    return category.name or category.name_en, {"category": str(category.pk)}


def category_fetch_check(*, user: User, category: Category, search: SearchQuery | None = None) -> Checked:
    """What category_fetch_start would do, read only (the category page's GET shows it)."""
    known = _category_due(category=category, search=search)
    if known is not None:
        return known
    query, filters = _category_search(category)
    return search_fetch_check(user=user, query=query, filters=filters)


def category_fetch_start(*, user: User, category: Category, search: SearchQuery | None = None) -> Started:
    """Ask 1688 for a category's offers as a keyword search: its Chinese name as keyword plus its categoryId.

    `search`: the team's record of that search when the page has read it; fetched lately or still running,
    nothing is written or queued (a category page is opened more often than a search is typed)."""
    known = _category_due(category=category, search=search)
    if known is not None:
        return known
    query, filters = _category_search(category)
    return search_fetch_start(user=user, query=query, filters=filters)


__all__ = [
    "category_fetch_check",
    "category_fetch_start",
    "unknown_details_fetch_check",
    "unknown_details_fetch_start",
    "unknown_details_run",
]
