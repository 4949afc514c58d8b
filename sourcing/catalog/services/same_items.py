"""Same item from other suppliers (issue 22, docs/catalog.md "Same item"): gather a product's candidates from 1688,
judge which are the same item (catalog/likeness.py) and keep them as one cluster for every team.

Candidates come from 1688's image search with the product's main picture, keyword search by its category's name
(or title) within its category, 1688's related offers of the product where the credential may ask for them, and
the details of those whose main picture could match. A product whose cluster
was decided within SAME_ITEM_REFRESH_HOURS costs no new call.
"""

import base64
import hashlib
from datetime import timedelta

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import User
from sourcing.alibaba import api, errors
from sourcing.catalog import likeness
from sourcing.catalog.keys import source_of
from sourcing.catalog.models import CatalogJob, Product, SameItemCluster, SameItemMember
from sourcing.catalog.selectors.same_items import same_item_member
from sourcing.catalog.services.jobs import (
    Kind,
    Started,
    _call,
    _job_create,
    _live,
    _run,
    _running_job,
    credential_for,
    job_dispatch,
    job_finish,
    team_of,
)
from sourcing.catalog.services.offers import product_detail_fetch
from sourcing.catalog.services.upsert import products_changed, products_upsert_summaries
from sourcing.connections.services.gateway import feature_refusal

PRINT_SECONDS = 30 * 24 * 3600  # a picture address on 1688's image host names one picture
LOOSE_BITS = 24  # main pictures further apart than this are not worth a detail fetch


def _fresh_after():
    return timezone.now() - timedelta(hours=settings.SAME_ITEM_REFRESH_HOURS)


def same_item_fresh(product: Product) -> bool:
    """Whether the product's same-item answer is recent: it was searched from, or joined a cluster, lately."""
    member = same_item_member(product)  # no query when the page read it with the product
    return member is not None and member.matched_at >= _fresh_after()


def same_item_start(*, user: User, product: Product) -> Started:
    """Queue the search for the product's same item elsewhere, unless it is recent or already queued."""
    if same_item_fresh(product):
        return Started()
    team = team_of(user)
    running = _running_job(kind=Kind.SAME_ITEM, target=str(product.offer_id), team=team)
    if _live(running):
        return Started(job=running)
    credential, notice = credential_for(user, api_ref=api.IMAGE_SEARCH)
    if credential is None:
        return Started(notice=notice)
    refusal = feature_refusal(credential, api.IMAGE_UPLOAD.id)
    if refusal:
        return Started(notice=_("Image search is not available. %(why)s") % {"why": refusal})
    job = _job_create(kind=Kind.SAME_ITEM, target=str(product.offer_id), user=user, team=team, credential=credential)
    job_dispatch(job)
    return Started(job=job)


# --- pictures ---
def _download(url: str) -> bytes:
    timeout = (settings.ALIBABA_CONNECT_TIMEOUT, settings.ALIBABA_READ_TIMEOUT)
    answer = requests.get(url, timeout=timeout, stream=True)
    answer.raise_for_status()
    data = answer.raw.read(settings.CATALOG_IMAGE_MAX_BYTES + 1, decode_content=True)
    if len(data) > settings.CATALOG_IMAGE_MAX_BYTES:
        raise ValueError("picture too large")
    return data


def picture_print(url: str) -> likeness.Print | None:
    """The picture's fingerprint (cached by address); None when it cannot be loaded or read."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    key = "sameitem:print:" + hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()
    raw = cache.get(key)
    if raw is None:
        try:
            raw = likeness.fingerprint(_download(url)).as_list()
        except (requests.RequestException, ValueError):
            raw = []
        cache.set(key, raw, PRINT_SECONDS if raw else 3600)  # a failed load may be the network's: retried in an hour
    return likeness.Print.from_list(raw) if raw else None


def _prints(product: Product) -> list[likeness.Print]:
    urls = list(dict.fromkeys([*(product.images or []), product.image_url]))[:6]
    return [p for p in (picture_print(u) for u in urls if u) if p is not None]


def _offer(product: Product) -> likeness.Offer:
    return likeness.Offer(title=product.title, category_id=product.category_id,
                          attributes=likeness.line_attributes(product.attributes), prints=_prints(product))  # fmt: skip


# --- the worker ---
def _candidates(job: CatalogJob, product: Product) -> list[Product]:
    """Offers 1688 shows for the product's main picture and for its words in its category (stored as summaries)."""
    source = source_of(job.credential)
    size = settings.CATALOG_SEARCH_PAGE_SIZE
    found: dict[int, Product] = {}
    try:
        data = _download(product.image_url) if product.image_url else b""
    except (requests.RequestException, ValueError):
        data = b""  # no picture to search with: the keyword search still runs
    if data:
        image_id = _call(job, lambda client, token: api.image_upload(client, token, base64.b64encode(data).decode()))
        page = _call(job, lambda client, token: api.image_search(client, token, image_id, page_size=size))
        found.update({p.pk: p for p in products_upsert_summaries(offers=page.items, source=source)})
    words = (product.category.name if product.category_id and product.category else "") or product.title[:30]
    if words:
        page = _call(job, lambda client, token: api.keyword_search(client, token, words, page_size=size,
                                                                    category_id=product.category_id))  # fmt: skip
        found.update({p.pk: p for p in products_upsert_summaries(offers=page.items, source=source)})
    found.update({p.pk: p for p in _related(job, product, source)})
    found.pop(product.pk, None)
    return [p for p in found.values() if p.status == Product.Status.ACTIVE]


def _related(job: CatalogJob, product: Product, source) -> list[Product]:
    """1688's related offers of the product (product.related.recommend), where the credential may ask for them: not
    refused before (feature_refusal); a refusal now (no permission, no such API) is recorded by the gateway's door
    and the other sources stand. Related is not the same item: each is judged like any other candidate."""
    if feature_refusal(job.credential, api.RELATED_RECOMMEND.id):
        return []
    try:
        offers = _call(job, lambda client, token: api.related_offers(client, token, product.offer_id))
    except (errors.AclDeclined, errors.ApiUnsupported, errors.BusinessError):
        return []
    return products_upsert_summaries(offers=offers, source=source)


def _worth_a_detail(seed: likeness.Print | None, candidate: Product, category_id) -> bool:
    if candidate.category_id and category_id and candidate.category_id != category_id:
        return False
    theirs = picture_print(candidate.image_url)
    if seed is None or theirs is None:
        return False
    return (seed.dhash ^ theirs.dhash).bit_count() <= LOOSE_BITS and likeness.hue_distance(seed, theirs) <= 0.6


def _detailed(job: CatalogJob, product: Product) -> Product:
    """The product with its detail (pictures, attributes), fetched when the portal only has its summary."""
    if product.detail_fetched_at is not None:
        return product
    return product_detail_fetch(job=job, offer_id=product.offer_id) or product


def same_item_run(*, job_id: int) -> CatalogJob | None:
    """Worker: gather the product's candidates, judge them, and file the same items into one cluster."""

    def body(job: CatalogJob) -> CatalogJob:
        product = Product.objects.select_related("category").filter(offer_id=int(job.target)).first()
        if product is None:
            return job_finish(job, ok=False, message=_("The product is no longer in the catalog."), error_code="gone")
        if same_item_fresh(product):
            return job_finish(job, ok=True, message=_("Already known."))
        product = _detailed(job, product)
        seed = picture_print(product.image_url)
        candidates = [c for c in _candidates(job, product) if _worth_a_detail(seed, c, product.category_id)]
        ours = _offer(product)
        same = []
        for candidate in candidates[: settings.SAME_ITEM_DETAILS]:
            candidate = _detailed(job, candidate)
            verdict = likeness.judge(ours, _offer(candidate))
            if verdict.same:
                same.append((candidate, verdict))
        cluster_file(product=product, same=same)
        message = ngettext("The same item from %(n)s other supplier.", "The same item from %(n)s other suppliers.",
                           len(same)) % {"n": len(same)}  # fmt: skip
        return job_finish(job, ok=True, message=message)

    return _run(job_id, body)


@transaction.atomic
def cluster_file(*, product: Product, same: list[tuple[Product, likeness.Verdict]]) -> SameItemCluster:
    """Put the product and its same items into one cluster (merging the clusters they were in)."""
    now = timezone.now()
    ids = [product.pk, *(c.pk for c, _v in same)]
    existing = sorted(set(SameItemMember.objects.filter(product_id__in=ids).values_list("cluster_id", flat=True)))
    cluster = SameItemCluster.objects.create() if not existing else SameItemCluster.objects.get(pk=existing[0])
    if existing[1:]:
        SameItemMember.objects.filter(cluster_id__in=existing[1:]).update(cluster=cluster)
        SameItemCluster.objects.filter(pk__in=existing[1:]).delete()
    SameItemMember.objects.update_or_create(
        product=product, defaults={"cluster": cluster, "checked_at": now, "matched_at": now}
    )
    for candidate, verdict in same:
        SameItemMember.objects.update_or_create(
            product=candidate,
            defaults={
                "cluster": cluster,
                "score": round(verdict.score, 3),
                "method": verdict.method,
                "matched_at": now,
            },
        )
    SameItemCluster.objects.filter(pk=cluster.pk).update(changed_at=now)
    members = list(SameItemMember.objects.filter(cluster=cluster).values_list("product_id", flat=True))
    transaction.on_commit(lambda: products_changed(product_ids=members))  # alerts: a cheaper same item may be new
    return cluster
