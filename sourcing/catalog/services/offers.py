"""Offers and suppliers: an offer's detail (one the portal lacks, or a refresh under the floor shared by all users and the per-user rate), what was viewed, a supplier's offer list."""

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.cache import page_cache
from sourcing.accounts.models import User
from sourcing.alibaba import api, errors
from sourcing.catalog.keys import offer_number, source_of
from sourcing.catalog.models import CatalogJob, Product, ProductView, Supplier
from sourcing.catalog.services.jobs import (
    Checked,
    Started,
    _call,
    _job_create,
    _run,
    _running_job,
    credential_for,
    job_dispatch,
    job_finish,
    job_give_up,
    job_progress,
    team_of,
)
from sourcing.catalog.services.upsert import product_mark_status, product_upsert_detail, products_upsert_summaries
from sourcing.connections.models import AppCredential
from sourcing.connections.services.ratelimit import RateLimiterUnreachable, allowance_take

Kind = CatalogJob.Kind


def offer_not_found(error: errors.AlibabaError) -> bool:
    """Whether 1688's answer says the offer does not exist (deleted or never was), in its words or code."""
    text = f"{error.code} {error.message}".lower()
    return isinstance(error, errors.BusinessError) and ("404" in text or "不存在" in text or "not found" in text)


def refresh_floor_until(product: Product | None) -> datetime | None:
    """Until when a forced refresh of this offer is refused: CATALOG_REFETCH_SECONDS after its last fetch or
    refresh request, whoever asked (the floor is shared by every user and team); None when it may be refreshed."""
    if product is None:
        return None
    stamps = [t for t in (product.detail_fetched_at, product.refresh_requested_at) if t]
    until = max(stamps) + timedelta(seconds=settings.CATALOG_REFETCH_SECONDS) if stamps else None
    return until if until is not None and until > timezone.now() else None


def refresh_floor_words() -> str:
    """The floor as the Refresh button says it: "at most once every 5 minutes"."""
    minutes = max(1, math.ceil(settings.CATALOG_REFETCH_SECONDS / 60))
    return ngettext("at most once a minute", "at most once every %(n)s minutes", minutes) % {"n": minutes}


def _clock(moment: datetime) -> str:
    """18:05 CST (Beijing): the time in the reader's zone, as pages write it."""
    from sourcing.connections.templatetags.portal import stamp

    return stamp(moment, "H:i")


def _floor_refusal(until: datetime) -> str:
    return _(
        "Each offer is refreshed from 1688 %(floor)s, whoever asks: this one can be refreshed again at %(time)s."
    ) % {"time": _clock(until), "floor": refresh_floor_words()}


def _floor_claim(product: Product) -> bool:
    """Claim the offer's refresh for everyone (one conditional UPDATE: six clicks at once make one call)."""
    now = timezone.now()
    floor = now - timedelta(seconds=settings.CATALOG_REFETCH_SECONDS)
    return bool(
        Product.objects.filter(pk=product.pk)
        .filter(Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lte=floor))
        .filter(Q(detail_fetched_at__isnull=True) | Q(detail_fetched_at__lte=floor))
        .update(refresh_requested_at=now)
    )


def forced_work_take(user: User) -> str:
    """Count one forced refresh against the user's FORCED_REFRESH_PER_HOUR; "" when allowed, else plain words."""
    limit = settings.FORCED_REFRESH_PER_HOUR
    try:
        wait = allowance_take(key=f"forced:user:{user.pk}", limit=limit, period=3600)
    except RateLimiterUnreachable:
        return _("The portal could not count your refreshes just now; try again in a minute.")
    if not wait:
        return ""
    return ngettext(
        "You can refresh at most %(n)s offer an hour; you can refresh again at %(time)s.",
        "You can refresh at most %(n)s offers an hour; you can refresh again at %(time)s.",
        limit,
    ) % {"n": limit, "time": _clock(timezone.now() + timedelta(seconds=math.ceil(wait)))}


def _product_due(*, user: User, offer_id, force: bool, product) -> tuple[Checked, int | None, Product | None]:
    """Whether an offer's detail needs 1688 now (the one decision for the page and for the start), with the
    offer number and row it read."""
    number = offer_number(offer_id)
    if number is None:
        return Checked(error=_("“%(v)s” is not a 1688 offer id: it is the number in an offer link, "
                               "detail.1688.com/offer/<number>.html.") % {"v": str(offer_id)[:40]}), None, None  # fmt: skip
    if product is False or (product is not None and product.offer_id != number):
        product = Product.objects.filter(offer_id=number).first()
    fresh_after = timezone.now() - timedelta(minutes=settings.CATALOG_DETAIL_FRESH_MINUTES)
    if product and not force and product.detail_fetched_at and product.detail_fetched_at >= fresh_after:
        return Checked(), number, product
    team = team_of(user)
    running = _running_job(kind=Kind.PRODUCT, target=str(number), team=team)
    if running:
        return Checked(job=running), number, product
    if product is None and not force:
        # 1688 said "no such offer" a short while ago: say it again rather than spend another call.
        missed = CatalogJob.objects.filter(kind=Kind.PRODUCT, target=str(number), team=team, error_code="not_found",
                                           finished_at__gte=fresh_after).order_by("-pk").first()  # fmt: skip
        if missed is not None:
            return Checked(job=missed), number, product
    until = refresh_floor_until(product)
    if until is not None:  # fetched or asked for lately, by anyone: a click says when again, a page view nothing
        return Checked(notice=_floor_refusal(until) if force else ""), number, product
    credential, notice = credential_for(user, api_ref=api.PRODUCT_DETAIL)
    if credential is None:
        return Checked(notice=notice), number, product
    return Checked(due=True, credential=credential), number, product


def product_fetch_check(*, user: User, offer_id, force: bool = False, product: "Product | None | bool" = False) -> Checked:  # fmt: skip
    """What product_fetch_start would do, read only: a product page's GET shows it, its follow-up POST does it."""
    return _product_due(user=user, offer_id=offer_id, force=force, product=product)[0]


def product_fetch_start(*, user: User, offer_id, force: bool = False, product: "Product | None | bool" = False) -> Started:  # fmt: skip
    """Queue the detail of an offer (one we lack, or a refresh on request); one job per team and offer.

    A known offer's fetch claims its refresh floor (one fetch per CATALOG_REFETCH_SECONDS, shared by all users and
    teams); a forced one also counts against the user's FORCED_REFRESH_PER_HOUR. `product`: the offer's row when the caller has just read it (None: we lack it)."""
    checked, number, product = _product_due(user=user, offer_id=offer_id, force=force, product=product)
    if not checked.due:
        return checked
    refused = forced_work_take(user) if force else ""
    if refused:
        return Started(notice=refused)
    if product is not None and not _floor_claim(product):  # another click or page won the claim meanwhile
        product.refresh_from_db(fields=["detail_fetched_at", "refresh_requested_at"])
        return Started(notice=_floor_refusal(refresh_floor_until(product) or timezone.now()) if force else "")
    job = _job_create(kind=Kind.PRODUCT, target=str(number), user=user, team=team_of(user),
                      credential=checked.credential, total=1, params={"force": bool(force)})  # fmt: skip
    job_dispatch(job)
    return Started(job=job)


@dataclass
class Fetched:
    """What product_fetch_now got: the offer's row, or why not ("not_found", "refused", "busy") in plain words."""

    product: Product | None = None
    error_code: str = ""
    message: str = ""


def product_fetch_now(*, user: User, offer_id: int, wait_seconds: float = 20.0) -> Fetched:
    """In a worker: the offer's row, with its detail fetched from 1688 first when the portal lacks it (one PRODUCT
    job, run here rather than queued, under the same rules as the product page's fetch: the user's credential,
    role and quota). A transient 1688 error fails the job in words and propagates, so the caller's task retries."""
    checked, number, product = _product_due(user=user, offer_id=offer_id, force=False, product=False)
    if checked.error:
        return Fetched(error_code="refused", message=checked.error)
    job = checked.job
    if checked.due:
        job = _job_create(kind=Kind.PRODUCT, target=str(number), user=user, team=team_of(user),
                          credential=checked.credential, total=1, params={"force": False})  # fmt: skip
        try:
            job = product_fetch_run(job_id=job.pk) or job
        except errors.TransientError as error:
            job_give_up(job_id=job.pk, error=error)
            raise
    elif job is not None and job.is_running:  # another page is fetching it: wait for that job a little
        deadline = time.monotonic() + wait_seconds
        while job.is_running and time.monotonic() < deadline:
            time.sleep(0.5)
            job.refresh_from_db(fields=["state", "message", "error_code"])
        if job.is_running:
            raise errors.TransientError(_("This offer is being fetched from 1688 for another page."))
    product = Product.objects.filter(offer_id=number).first()
    if job is not None and job.state == CatalogJob.State.FAILED:
        code = "not_found" if job.error_code == "not_found" else "refused"
        return Fetched(product=None, error_code=code, message=job.message)
    if product is None:
        return Fetched(error_code="refused", message=checked.notice or _("The portal could not fetch this offer."))
    if product.status == Product.Status.NOT_FOUND:
        return Fetched(error_code="not_found",
                       message=_("1688 has no offer %(id)s (it may have been removed).") % {"id": number})  # fmt: skip
    return Fetched(product=product)


def product_detail_get(*, job: CatalogJob, offer_id: int, credential: AppCredential | None = None) -> api.ProductDetail:
    """Ask 1688 for one offer's detail (marking the offer not found when 1688 says so); nothing else is written."""
    credential = credential or job.credential
    try:
        return _call(job, lambda client, token: api.product_detail(client, token, str(offer_id)),
                     credential=credential)  # fmt: skip
    except errors.BusinessError as error:
        if not offer_not_found(error):
            raise
        product = Product.objects.filter(offer_id=offer_id).first()
        if product is not None:
            product_mark_status(product=product, status=Product.Status.NOT_FOUND)
            Product.objects.filter(pk=product.pk).update(detail_fetched_at=timezone.now(), refresh_error="")
        raise


def product_detail_fetch(*, job: CatalogJob, offer_id: int, credential: AppCredential | None = None) -> Product | None:
    """Fetch and store one offer's detail (marking it delisted or not found when 1688 says so)."""
    credential = credential or job.credential
    detail = product_detail_get(job=job, offer_id=offer_id, credential=credential)
    product, _changed = product_upsert_detail(detail=detail, source=source_of(credential))
    return product


def product_fetch_run(*, job_id: int) -> CatalogJob | None:
    """Worker: fetch an offer's detail unless someone fetched it since the job was queued."""

    def body(job: CatalogJob) -> CatalogJob:
        number = int(job.target)
        product = Product.objects.filter(offer_id=number).first()
        recent = timezone.now() - timedelta(seconds=settings.CATALOG_REFETCH_SECONDS)
        if (
            product
            and product.detail_fetched_at
            and (
                product.detail_fetched_at >= job.created_at
                or (not job.params.get("force") and product.detail_fetched_at >= recent)
            )
        ):  # deduplicated in the worker: another job or the refresh got it meanwhile
            return job_finish(job, ok=True, message=_("Up to date."))
        try:
            product_detail_fetch(job=job, offer_id=number)
        except errors.BusinessError as error:
            if offer_not_found(error):
                return job_finish(job, ok=False, error_code="not_found",
                                  message=_("1688 has no offer %(id)s (it may have been removed).") % {"id": number})  # fmt: skip
            raise
        return job_finish(job, ok=True, message=_("Fetched from 1688."))

    return _run(job_id, body)


def product_view_record(*, user: User, product: Product) -> None:
    """Remember the view (recently viewed, sooner refresh); at most one write a minute per user and product."""
    if not user.is_authenticated:
        return
    if not page_cache.add(f"viewed:{user.pk}:{product.pk}", 1, 60):
        return  # recorded in the last minute: no query at all
    now = timezone.now()
    recent = now - timedelta(minutes=1)
    # One statement (PostgreSQL and SQLite), where an UPDATE, a SELECT and a savepointed INSERT took five.
    table, field = ProductView._meta.db_table, ProductView._meta.get_field("viewed_at")
    stamp, before = (field.get_db_prep_value(t, connection) for t in (now, recent))
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (user_id, product_id, viewed_at) VALUES (%s, %s, %s) '  # noqa: S608 - table name
            f"ON CONFLICT (user_id, product_id) DO UPDATE SET viewed_at = excluded.viewed_at "
            f'WHERE "{table}".viewed_at < %s',
            [user.pk, product.pk, stamp, before],
        )
    Product.objects.filter(pk=product.pk).filter(Q(last_viewed_at__isnull=True) | Q(last_viewed_at__lt=recent)).update(
        last_viewed_at=now
    )


def supplier_offers_fetch_start(*, user: User, supplier: Supplier) -> Started:
    """Queue the next page of the seller's offer list ("fetch more")."""
    if supplier.offers_pages_fetched and not supplier.offers_has_more:
        return Started(notice=_("The portal has every offer 1688 lists for this supplier."))
    team = team_of(user)
    running = _running_job(kind=Kind.SUPPLIER, target=supplier.open_id, team=team)
    if running:
        return Started(job=running)
    credential, notice = credential_for(user, api_ref=api.SELLER_OFFERS)
    if credential is None:
        return Started(notice=notice)

    job = _job_create(kind=Kind.SUPPLIER, target=supplier.open_id, user=user, team=team, credential=credential,
                      total=1, params={"supplier_id": supplier.pk})  # fmt: skip
    job_dispatch(job)
    return Started(job=job)


def supplier_offers_run(*, job_id: int) -> CatalogJob | None:
    """Worker: fetch the next page of a seller's offers and link them to the supplier."""

    def body(job: CatalogJob) -> CatalogJob:
        supplier = Supplier.objects.filter(pk=job.params.get("supplier_id")).first()
        if supplier is None:
            return job_finish(job, ok=False, message=_("The supplier was deleted."), error_code="gone")
        number = supplier.offers_pages_fetched + 1
        page = _call(job, lambda client, token: api.seller_offers(
            client, token, supplier.open_id, page=number, page_size=settings.CATALOG_SEARCH_PAGE_SIZE))  # fmt: skip
        products = products_upsert_summaries(offers=page.items, source=source_of(job.credential), supplier=supplier)
        Supplier.objects.filter(pk=supplier.pk).update(
            offers_pages_fetched=number, offers_total=page.reachable, offers_has_more=page.has_next,
            offers_fetched_at=timezone.now(),
        )  # fmt: skip
        job_progress(job, done=1)
        return job_finish(
            job,
            ok=True,
            message=ngettext("%(n)s offer from 1688.", "%(n)s offers from 1688.", len(products)) % {"n": len(products)},
        )

    return _run(job_id, body)
