"""Searches on 1688 (keyword and picture): what pages start and what workers run. A start function never calls the
gateway: it checks the input and the user's credential, records what the team asked for, and queues one job (on
commit) that a page can poll. Offers and suppliers are in offers.py, the category tree in categories.py, the job
lifecycle in jobs.py. Docs: docs/catalog.md.
"""

import base64
import hashlib
import io
from collections.abc import Mapping
from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import Team, User
from sourcing.alibaba import api
from sourcing.catalog.keys import search_key, source_of
from sourcing.catalog.models import CatalogJob, ImageUpload, Product, SearchQuery
from sourcing.catalog.search import SearchFilters, SearchRequest
from sourcing.catalog.selectors.pages import get_search_for_user, team_search, team_search_changed
from sourcing.catalog.services.jobs import (
    Checked,
    Started,
    _call,
    _job_create,
    _live,
    _run,
    credential_for,
    job_dispatch,
    job_finish,
    job_progress,
    team_of,
)
from sourcing.catalog.services.upsert import products_upsert_summaries
from sourcing.connections.models import AppCredential
from sourcing.connections.services.gateway import feature_refusal
from sourcing.core.image_limits import too_many_pixels

Kind, State = CatalogJob.Kind, CatalogJob.State
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


# --- keyword search ---
def _search_record(*, user: User, team: Team, kind: str, key: str, query: str = "", filters: dict | None = None,
                   image: ImageUpload | None = None) -> SearchQuery:  # fmt: skip
    team_search_changed(team.pk, key)  # the request's copy (selectors.pages.team_search) is read again
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
    claimed = SearchQuery.objects.filter(pk=search.pk).filter(free).update(job=job)
    team_search_changed(search.team_id, search.key)
    if not claimed:
        job.delete()
        search.refresh_from_db()
        return search.job if _live(search.job) else None
    search.job = job
    job_dispatch(job)
    return job


def _keyword_search(user: User, query: "str | SearchRequest", filters) -> tuple[tuple | None, Checked]:
    """((team, text, remote filters, key), _) of a keyword search, or (None, why there is nothing to fetch)."""
    request = SearchRequest.of(query, filters)
    if not request.terms:
        return None, Checked()
    team = team_of(user)
    if team is None:
        return None, Checked(
            notice=_("Join or create a team to search 1688; the portal's catalog is searched meanwhile.")
        )
    remote = request.filters.remote()
    return (team, request.text, remote, request.key), Checked()


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


def search_fetch_check(
    *, user: User, query: "str | SearchRequest", filters: "Mapping | SearchFilters | None" = None
) -> Checked:
    """What search_fetch_start would do, read only: the search page's GET shows it, its follow-up POST does it."""
    found, why = _keyword_search(user, query, filters)
    if found is None:
        return why
    team, _text, _remote, key = found
    return _search_due(user=user, search=team_search(team.pk, key))


def search_fetch_start(
    *, user: User, query: "str | SearchRequest", filters: "Mapping | SearchFilters | None" = None
) -> Started:
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
        team_search_changed(search.team_id, search.key)  # a task run inside a request (eager tests, the demo)
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
        team_search_changed(search.team_id, search.key)
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


# --- suppliers ---


# --- categories ---
