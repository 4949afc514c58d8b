"""Catalog work: what pages start (searches, product and supplier fetches, image search, the category
tree) and what workers run. A start function never calls the gateway: it checks the input and the
user's credential, records what the team asked for, and queues one job (on commit) that a page can
poll. The run functions are called by thin tasks with a job id; every gateway call goes through
`gateway_call`. Docs: docs/catalog.md.
"""

import base64
import hashlib
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.cache import page_cache
from sourcing.accounts.models import Team, User
from sourcing.alibaba import api, errors
from sourcing.catalog.keys import offer_number, search_key, source_of
from sourcing.catalog.models import CatalogJob, ImageUpload, Product, ProductView, SearchQuery, Supplier
from sourcing.catalog.search import SearchFilters, clean_filters, clean_query, query_lexemes
from sourcing.catalog.services.jobs import (
    Started,
    _call,
    _connected,
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
from sourcing.catalog.services.upsert import (
    categories_upsert,
    category_names_en_set,
    product_mark_status,
    product_upsert_detail,
    products_upsert_summaries,
)
from sourcing.connections.models import AppCredential
from sourcing.connections.services.gateway import feature_refusal
from sourcing.connections.services.ratelimit import RateLimiterUnreachable, allowance_take
from sourcing.core.image_limits import too_many_pixels

Kind, State = CatalogJob.Kind, CatalogJob.State
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass
class Checked(Started):
    """What a start function would do now, decided without writing: `due` when it would queue a job (a GET
    then offers the follow-up POST that starts it), else the live job or the words, as Started has them."""

    due: bool = False
    credential: AppCredential | None = None


# --- keyword search ---
def _search_record(*, user: User, team: Team, kind: str, key: str, query: str = "", filters: dict | None = None,
                   image: ImageUpload | None = None) -> SearchQuery:  # fmt: skip
    now = timezone.now()
    if connection.vendor == "postgresql":
        # The usual case, a search the team ran before, in one round trip: count it and read it back.
        bumped = list(SearchQuery.objects.raw(
            f'UPDATE "{SearchQuery._meta.db_table}" SET "times_searched" = "times_searched" + 1, '  # noqa: S608
            '"last_searched_at" = %s WHERE "team_id" = %s AND "key" = %s RETURNING *', [now, team.pk, key]))  # fmt: skip
        if bumped:
            return bumped[0]
    search, created = SearchQuery.objects.get_or_create(
        team=team, key=key,
        defaults={"kind": kind, "query": query, "filters": filters or {}, "image": image, "requested_by": user,
                  "last_searched_at": now},
    )  # fmt: skip
    if not created:
        SearchQuery.objects.filter(pk=search.pk).update(times_searched=F("times_searched") + 1, last_searched_at=now)
        search.times_searched, search.last_searched_at = search.times_searched + 1, now  # no second read
    return search


def _queue_search(*, search: SearchQuery, user: User, credential: AppCredential, kind: str, params: dict,
                  fresh_after) -> CatalogJob | None:  # fmt: skip
    """Claim the search row for one new job (conditional UPDATE: two clicks at once queue one job)."""

    job = _job_create(kind=kind, target=search.key, user=user, team=search.team, credential=credential,
                      total=params.get("pages", 1), params=params)  # fmt: skip
    stale = timezone.now() - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    free = Q(job__isnull=True) | ~Q(job__state__in=[State.QUEUED, State.RUNNING]) | Q(job__created_at__lt=stale)
    if fresh_after is not None:
        free &= Q(fetched_at__isnull=True) | Q(fetched_at__lt=fresh_after)
    if not SearchQuery.objects.filter(pk=search.pk).filter(free).update(job=job):
        job.delete()
        search.refresh_from_db()
        return search.job if _live(search.job) else None
    search.job = job
    job_dispatch(job)
    return job


def _keyword_search(user: User, query: str, filters) -> tuple[tuple | None, Checked]:
    """((team, text, remote filters, key), _) of a keyword search, or (None, why there is nothing to fetch)."""
    text = clean_query(query)
    if not query_lexemes(text):
        return None, Checked()
    team = team_of(user)
    if team is None:
        return None, Checked(
            notice=_("Join or create a team to search 1688; the portal's catalog is searched meanwhile.")
        )
    cleaned, _problems = clean_filters(filters)
    remote = cleaned.remote()
    return (team, text, remote, search_key(kind="keyword", query=text, remote=remote)), Checked()


def _search_due(*, user: User, search: SearchQuery | None) -> Checked:
    """Whether a keyword search needs 1688 now: not fetched lately, no job on it, a credential that may call."""
    if search is not None and search.fetched_at and search.fetched_at >= _search_fresh_after():
        return Checked(search=search)
    if search is not None and _live(search.job):
        return Checked(search=search, job=search.job)
    credential, notice = credential_for(user, api_ref=api.KEYWORD_SEARCH)
    if credential is None:
        return Checked(search=search, notice=notice)
    return Checked(search=search, due=True, credential=credential)


def _search_fresh_after():
    return timezone.now() - timedelta(minutes=settings.CATALOG_SEARCH_FRESH_MINUTES)


def search_fetch_check(*, user: User, query: str, filters: "Mapping | SearchFilters | None" = None) -> Checked:
    """What search_fetch_start would do, read only: the search page's GET shows it, its follow-up POST does it."""
    found, why = _keyword_search(user, query, filters)
    if found is None:
        return why
    team, _text, _remote, key = found
    search = SearchQuery.objects.select_related("job").filter(team=team, key=key).first()
    return _search_due(user=user, search=search)


def search_fetch_start(*, user: User, query: str, filters: "Mapping | SearchFilters | None" = None) -> Started:
    """Record the team's search and queue a 1688 fetch unless the team fetched it recently."""
    found, why = _keyword_search(user, query, filters)
    if found is None:
        return why
    team, text, remote, key = found
    search = _search_record(user=user, team=team, kind=SearchQuery.Kind.KEYWORD, key=key, query=text, filters=remote)
    checked = _search_due(user=user, search=search)
    if not checked.due:
        return checked
    job = _queue_search(search=search, user=user, credential=checked.credential, kind=Kind.SEARCH,
                        params={"pages": settings.CATALOG_SEARCH_PAGES, "first_page": 1},
                        fresh_after=_search_fresh_after())  # fmt: skip
    return Started(search=search, job=job)


def search_fetch_more(*, user: User, search_id: int) -> Started:
    """Queue the next page of a team search from 1688."""
    from sourcing.catalog.selectors.products import get_search_for_user

    search = get_search_for_user(user, search_id)
    if not search.has_more:
        return Started(search=search, notice=_("1688 has no more results for this search."))
    if _live(search.job):
        return Started(search=search, job=search.job)
    ref = api.IMAGE_SEARCH if search.kind == SearchQuery.Kind.IMAGE else api.KEYWORD_SEARCH
    credential, notice = credential_for(user, api_ref=ref)
    if credential is None:
        return Started(search=search, notice=notice)
    kind = Kind.IMAGE_SEARCH if search.kind == SearchQuery.Kind.IMAGE else Kind.SEARCH
    job = _queue_search(search=search, user=user, credential=credential, kind=kind,
                        params={"pages": 1, "first_page": search.pages_fetched + 1}, fresh_after=None)  # fmt: skip
    return Started(search=search, job=job)


def _search_pages(job: CatalogJob, search: SearchQuery, fetch_page) -> CatalogJob:
    """Fetch pages first_page … first_page+pages-1 (resuming after the pages a failed try already stored)."""
    first, pages = int(job.params.get("first_page", 1)), int(job.params.get("pages", 1))
    source = source_of(job.credential)
    ids = list(search.offer_ids) if first > 1 or job.done else []
    page = None
    for index in range(job.done, pages):
        number = first + index
        page = _call(job, lambda client, token, n=number: fetch_page(client, token, n))
        products = products_upsert_summaries(offers=page.items, source=source)
        ids += [p.offer_id for p in products if p.offer_id not in ids]
        SearchQuery.objects.filter(pk=search.pk).update(
            offer_ids=ids, total=page.reachable, pages_fetched=number, has_more=page.has_next,
            credential=job.credential, fetched_at=timezone.now(),
        )  # fmt: skip
        job_progress(job, done=index + 1)
        if not page.has_next:
            break
    found = len(ids)
    message = (
        (ngettext("%(n)s offer from 1688.", "%(n)s offers from 1688.", found) % {"n": found})
        if found
        else _("1688 found no offers for this search.")
    )
    return job_finish(job, ok=True, message=message)


def search_fetch_run(*, job_id: int) -> CatalogJob | None:
    """Worker: fetch the pages of a keyword search and upsert the offers found."""

    def body(job: CatalogJob) -> CatalogJob:
        search = SearchQuery.objects.filter(team=job.team, key=job.target).first()
        if search is None:
            return job_finish(job, ok=False, message=_("The search was deleted."), error_code="gone")
        remote = search.filters or {}

        def fetch(client, token, number):
            return api.keyword_search(
                client, token, search.query, page=number, page_size=settings.CATALOG_SEARCH_PAGE_SIZE,
                category_id=int(remote["category"]) if remote.get("category") else None,
                price_min=remote.get("price_min"), price_max=remote.get("price_max"),
            )  # fmt: skip

        return _search_pages(job, search, fetch)

    return _run(job_id, body)


# --- image search ---
def _image_problem(data: bytes) -> tuple[str, dict]:
    """Plain words when the bytes are not a picture we can send, else "" and its facts."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        return _("Choose a picture to search with."), {}
    if len(data) > settings.CATALOG_IMAGE_MAX_BYTES:
        return _("The picture is too large (%(mb).1f MB); the limit is %(max)s MB.") % {
            "mb": len(data) / 1e6, "max": settings.CATALOG_IMAGE_MAX_BYTES // 1_000_000}, {}  # fmt: skip
    too_big = too_many_pixels(data)
    if too_big:
        return too_big, {}
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind, width, height = image.format, image.width, image.height
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return _("That file is not a picture the portal can read: upload a JPEG, PNG, WebP or GIF."), {}
    if kind not in IMAGE_TYPES:
        return _("Upload a JPEG, PNG, WebP or GIF picture (this one is %(kind)s).") % {"kind": kind}, {}
    return "", {"content_type": IMAGE_TYPES[kind], "width": width, "height": height}


def image_search_start(*, user: User, data: bytes = b"", content_type: str = "", image_url: str = "") -> Started:
    """Store the picture (or note a product picture's URL) and queue an image search with it."""
    team = team_of(user)
    if team is None:
        return Started(error=_("Join or create a team to search by picture."))
    image_url = (image_url or "").strip()
    if data or not image_url:
        problem, facts = _image_problem(data)
        if problem:
            return Started(error=problem)
        upload = ImageUpload.objects.create(team=team, uploaded_by=user, data=data,
                                            sha256=hashlib.sha256(data).hexdigest(), **facts)  # fmt: skip
    else:
        if len(image_url) > 500 or not Product.objects.filter(Q(image_url=image_url)).exists():
            return Started(error=_("Paste the picture address of a product shown in the portal, or upload a picture."))
        upload = ImageUpload.objects.create(team=team, uploaded_by=user, source_url=image_url,
                                            sha256=hashlib.sha256(image_url.encode()).hexdigest())  # fmt: skip
    key = search_key(kind="image", image_sha=upload.sha256)
    search = _search_record(user=user, team=team, kind=SearchQuery.Kind.IMAGE, key=key, image=upload)
    if search.image_id != upload.pk:
        SearchQuery.objects.filter(pk=search.pk).update(image=upload)
        search.image = upload
    fresh_after = timezone.now() - timedelta(minutes=settings.CATALOG_SEARCH_FRESH_MINUTES)
    if search.fetched_at and search.fetched_at >= fresh_after:
        return Started(search=search)
    credential, notice = credential_for(user, api_ref=api.IMAGE_SEARCH)
    if credential is None:
        return Started(search=search, notice=notice)
    refusal = feature_refusal(credential, api.IMAGE_UPLOAD.id)
    if refusal:
        return Started(search=search, notice=_("Image search is not available. %(why)s") % {"why": refusal})
    job = _queue_search(search=search, user=user, credential=credential, kind=Kind.IMAGE_SEARCH,
                        params={"pages": 1, "first_page": 1}, fresh_after=fresh_after)  # fmt: skip
    return Started(search=search, job=job)


def _image_bytes(upload: ImageUpload) -> bytes:
    if upload.data:
        return bytes(upload.data)
    answer = requests.get(upload.source_url, timeout=(settings.ALIBABA_CONNECT_TIMEOUT, settings.ALIBABA_READ_TIMEOUT),
                          stream=True)  # fmt: skip
    answer.raise_for_status()
    data = answer.raw.read(settings.CATALOG_IMAGE_MAX_BYTES + 1, decode_content=True)
    if len(data) > settings.CATALOG_IMAGE_MAX_BYTES:
        raise ValueError("picture too large")
    return data


def image_search_run(*, job_id: int) -> CatalogJob | None:
    """Worker: upload the stored picture to 1688 and fetch the offers that look like it."""

    def body(job: CatalogJob) -> CatalogJob:
        search = SearchQuery.objects.select_related("image").filter(team=job.team, key=job.target).first()
        if search is None or search.image is None:
            return job_finish(job, ok=False, message=_("The picture was deleted."), error_code="gone")
        image_id = job.params.get("image_id")
        if not image_id:
            try:
                data = _image_bytes(search.image)
            except (requests.RequestException, ValueError) as error:
                return job_finish(job, ok=False, message=_("The picture could not be loaded (%(e)s).") % {
                    "e": type(error).__name__}, error_code="image")  # fmt: skip
            encoded = base64.b64encode(data).decode()
            image_id = _call(job, lambda client, token: api.image_upload(client, token, encoded))
            job.params["image_id"] = image_id  # a retry reuses the upload instead of paying for another
            CatalogJob.objects.filter(pk=job.pk).update(params=job.params)

        def fetch(client, token, number):
            return api.image_search(client, token, image_id, page=number, page_size=settings.CATALOG_SEARCH_PAGE_SIZE)

        return _search_pages(job, search, fetch)

    return _run(job_id, body)


# --- product detail ---
def _not_found(error: errors.AlibabaError) -> bool:
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


def product_detail_fetch(*, job: CatalogJob, offer_id: int, credential: AppCredential | None = None) -> Product | None:
    """Fetch and store one offer's detail (marking it delisted or not found when 1688 says so)."""
    credential = credential or job.credential
    try:
        detail = _call(job, lambda client, token: api.product_detail(client, token, str(offer_id)),
                       credential=credential)  # fmt: skip
    except errors.BusinessError as error:
        if not _not_found(error):
            raise
        product = Product.objects.filter(offer_id=offer_id).first()
        if product is not None:
            product_mark_status(product=product, status=Product.Status.NOT_FOUND)
            Product.objects.filter(pk=product.pk).update(detail_fetched_at=timezone.now(), refresh_error="")
        raise
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
            if _not_found(error):
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
    updated = ProductView.objects.filter(user=user, product=product, viewed_at__lt=recent).update(viewed_at=now)
    if not updated:
        ProductView.objects.get_or_create(user=user, product=product, defaults={"viewed_at": now})
    Product.objects.filter(pk=product.pk).filter(Q(last_viewed_at__isnull=True) | Q(last_viewed_at__lt=recent)).update(
        last_viewed_at=now
    )


# --- suppliers ---
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


# --- categories ---
def category_tree_fetch_start(*, user: User | None = None, credential: AppCredential | None = None) -> Started:
    """Queue a walk of 1688's category tree (category.get), with English names when translation is granted."""
    if credential is None:
        if user is None:
            return Started(error=_("Say whose credential fetches the category tree."))
        credential, notice = credential_for(user, api_ref=api.CATEGORY_GET)
        if credential is None:
            return Started(notice=notice)
    running = _running_job(kind=Kind.CATEGORIES, target="0", team=None)
    if running:
        return Started(job=running)

    job = _job_create(kind=Kind.CATEGORIES, target="0", user=user, team=None, credential=credential, total=1)
    job_dispatch(job)
    return Started(job=job)


def categories_fetch_run(*, job_id: int) -> CatalogJob | None:
    """Worker: walk the tree from the roots (done/total grow as branches are found), then translate names."""

    def body(job: CatalogJob) -> CatalogJob:
        source = source_of(job.credential)
        pending, seen, nodes = [0], set(), []
        parents: dict[int, int | None] = {}
        levels: dict[int, int] = {}
        done = 0
        while pending:
            category_id = pending.pop(0)
            if category_id in seen:
                continue
            seen.add(category_id)
            found = _call(job, lambda client, token, c=category_id: api.category_get(client, c), needs_token=False)
            done += 1
            for node in found:
                if node.id:
                    nodes.append(node)
                for child in node.children:
                    if child.id and child.id not in parents:
                        parents[child.id] = node.id or None
                        levels[child.id] = levels.get(node.id, 0) + 1
                        if not child.is_leaf:
                            pending.append(child.id)
                        else:  # a leaf needs no call of its own: its parent's answer names it
                            nodes.append(api.Category(id=child.id, name=child.name, level=None, is_leaf=True,
                                                      parent_ids=[node.id], children=[]))  # fmt: skip
            job_progress(job, done=done, total=done + len(pending))
        written = categories_upsert(nodes=_unique(nodes), parents=parents, levels=levels, source=source)
        message = _("%(n)s categories (%(c)s changed).") % {"n": len(_unique(nodes)), "c": written}
        english = _translate(job, [c for c in seen], done)
        if english is None:
            message += " " + _("English names need category.translation.getById, which this app is not granted.")
        return job_finish(job, ok=True, message=message)

    return _run(job_id, body)


def _unique(nodes: list[api.Category]) -> list[api.Category]:
    by_id: dict[int, api.Category] = {}
    for node in nodes:
        if node.id not in by_id or not by_id[node.id].name:
            by_id[node.id] = node
    return list(by_id.values())


def _translate(job: CatalogJob, parent_ids: list[int], done: int) -> int | None:
    """English names of every category under the walked parents; None when the API is not granted."""
    credential = job.credential
    if credential is None or feature_refusal(credential, api.CATEGORY_TRANSLATION.id):
        return None
    if credential.owner_id is not None and not _connected(credential):
        return None
    names: dict[int, str] = {}
    total = done + len(parent_ids)
    for index, category_id in enumerate(parent_ids, start=1):
        try:
            node = _call(job, lambda client, token, c=category_id: api.category_translation(client, token, c))
        except errors.AlibabaError as error:
            if error.retryable:
                raise
            return None
        for item in [node, *node.children]:
            if item.id and item.translated_name:
                names[item.id] = item.translated_name
        job_progress(job, done=done + index, total=total)
    return category_names_en_set(names=names)
