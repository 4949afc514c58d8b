"""Product and supplier pages: the offer a buyer studies before committing, and who sells it."""

import base64
import binascii
import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.cache import templates_digest
from sourcing.catalog.models import CatalogJob, Product, Supplier
from sourcing.catalog.offer_content import product_gallery
from sourcing.catalog.pricing import headline
from sourcing.catalog.search import clean_query
from sourcing.catalog.selectors.pages import price_history_points, product_for_page, supplier_for_page
from sourcing.catalog.selectors.products import price_at_quantity, supplier_products
from sourcing.catalog.selectors.same_items import same_item_elsewhere
from sourcing.catalog.services import fetch as catalog_services
from sourcing.catalog.services import offers as catalog_services_offers
from sourcing.catalog.services import same_items as catalog_same_items
from sourcing.catalog.views.search import (
    PAGE_SIZE,
    followup,
    followup_answer,
    is_htmx,
    job_finished_redirect,
    job_from_request,
    source_context,
    with_followup_vary,
    with_params,
)
from sourcing.core.natural import natural_sorted

PRODUCT_JOBS = [CatalogJob.Kind.PRODUCT, CatalogJob.Kind.REFRESH]


def _not_found(request, offer_id, *, reason: str, on_1688: bool = False, job=None):
    return render(
        request,
        "sourcing/catalog/product_missing.html",
        {"offer_id": offer_id, "reason": reason, "on_1688": on_1688, "job": job, **source_context(request.user)},
        status=404,
    )


def product_bad_id(request, raw):
    """/products/<anything that is not an offer id>/: a 404 that says what an offer id looks like."""
    return _not_found(
        request,
        None,
        reason=_(
            "“%(v)s” is not a 1688 offer id. An offer id is the number in an offer link: "
            "detail.1688.com/offer/<number>.html."
        )
        % {"v": raw[:40]},  # fmt: skip
    )


@login_required
def product_detail(request, offer_id):
    polling = "job" in request.GET and "qty" not in request.GET
    job = job_from_request(request, kinds=[CatalogJob.Kind.PRODUCT], target=offer_id)
    url = reverse("product", args=[offer_id])
    if is_htmx(request) and polling and job is not None:
        if job.is_running:
            return render(request, "sourcing/catalog/_job.html", {"job": job, "poll_url": with_params(url, job=job.pk)})
        return job_finished_redirect(with_params(url, job=job.pk))
    product = product_for_page(offer_id)
    checked = catalog_services.Checked()
    follow = {}
    if "job" not in request.GET and not is_htmx(request):
        # an offer we lack, or whose detail is old: would a worker fetch it? (read only; the follow-up POST asks)
        checked = catalog_services_offers.product_fetch_check(user=request.user, offer_id=offer_id, product=product)
        job = checked.job or job
        if checked.due:
            follow = followup(request, reverse("product_fetch", args=[offer_id]), calls=1)
    if product is None:
        if job is not None and job.is_running or follow:
            return with_followup_vary(render(
                request,
                "sourcing/catalog/product_wait.html",
                {"offer_id": offer_id, "job": job, "poll_url": with_params(url, job=job.pk) if job else "",
                 **follow, **source_context(request.user)},
            ))  # fmt: skip
        if job is not None and job.error_code == "not_found":
            return _not_found(request, offer_id, reason=job.message, on_1688=True, job=job)
        reason = checked.error or checked.notice or (job.message if job else "")
        return _not_found(
            request, offer_id, reason=reason or _("The portal has no offer %(id)s yet.") % {"id": offer_id}
        )
    skus = natural_sorted(product.skus.all(), key=lambda sku: sku.label)  # 350 ml, 500 ml, 1000 ml
    chosen = _chosen_sku(skus, request.GET.get("sku"))
    quote = price_at_quantity(product, request.GET.get("qty") or product.moq or 1, sku=chosen)
    context = {
        "product": product,
        "quote": quote,
        "qty": request.GET.get("qty", ""),
        "url": url,
        "skus": skus,
        "chosen_sku": chosen,
        "headline": headline(product),
    }
    if is_htmx(request) and "qty" in request.GET:
        return render(request, "sourcing/catalog/_quote.html", context)
    catalog_services_offers.product_view_record(user=request.user, product=product)
    context.update(
        {
            "job": job,
            "poll_url": with_params(url, job=job.pk) if job and job.is_running else "",
            "notice": checked.notice,
            "refresh_until": catalog_services_offers.refresh_floor_until(product),
            "refresh_floor": catalog_services_offers.refresh_floor_words(),
            "sku_matrix": sku_matrix(skus),
            # read only when the cached part of the page that draws it is rendered again
            "history": SimpleLazyObject(lambda: price_history_points(product)),
            "fragment_stamp": fragment_stamp(product),
            "supplier": product.supplier,
            "gallery": product_gallery(product, skus),
            "elsewhere": same_item_elsewhere(product, quote.quantity),
            "elsewhere_fresh": catalog_same_items.same_item_fresh(product),
            **follow,
            **source_context(request.user),
        }
    )
    return with_followup_vary(render(request, "sourcing/catalog/product.html", context))


@login_required
@require_POST
def product_fetch(request, offer_id):
    """A product page's follow-up: fetch an offer we lack, or whose detail is old, unless that needs nothing."""
    started = catalog_services_offers.product_fetch_start(user=request.user, offer_id=offer_id)
    return _fetch_answer(request, offer_id, started)


@login_required
@require_POST
def product_same_item(request, offer_id):
    """Ask the worker for the same item from other suppliers (no call when the answer is recent)."""
    product = product_for_page(offer_id)
    if product is None:
        raise Http404("No such product")
    started = catalog_same_items.same_item_start(user=request.user, product=product)
    if started.notice or started.error:
        messages.warning(request, started.notice or started.error)
    elif started.job is not None:
        messages.info(request, _("Looking for the same item from other suppliers on 1688…"))
    return redirect(reverse("product", args=[offer_id]) + "#same-item")


def _fetch_answer(request, offer_id, started):
    url = reverse("product", args=[offer_id])
    if is_htmx(request) and started.job is not None and not started.job.is_running:
        return job_finished_redirect(with_params(url, job=started.job.pk))  # e.g. 1688 said "no such offer" lately
    return followup_answer(request, started, page_url=url, poll_url=lambda job: with_params(url, job=job.pk))


def _chosen_sku(skus, raw):
    """The option picked in the price calculator (?sku=<1688 sku id>), or None."""
    wanted = str(raw or "").strip()[:40]
    return next((s for s in skus if wanted and s.sku_id == wanted), None)


@login_required
@require_POST
def product_refresh(request, offer_id):
    """The refresh button: fetch the offer again now, whatever its age, unless anyone had it fetched within the
    refresh floor (CATALOG_REFETCH_SECONDS) or the user is past FORCED_REFRESH_PER_HOUR."""
    started = catalog_services_offers.product_fetch_start(user=request.user, offer_id=offer_id, force=True)
    return _fetch_answer(request, offer_id, started)


FRAGMENT_TEMPLATES = (
    "sourcing/catalog/product.html",
    "sourcing/catalog/_supplier_card.html",
    "sourcing/catalog/_trust.html",
    "sourcing/catalog/_description.html",
)


def fragment_stamp(product: Product) -> str:
    """What the cached parts of a product page (options, specifications, price history, supplier) show: the
    offer's and the supplier's data, the reader's language and zone, and the day (the chart runs to today)."""
    supplier = product.supplier if product.supplier_id else None
    values = (product.content_hash, product.summary_hash, product.changed_at, product.status, product.price_min,
              product.price_max, product.detail_fetched_at is not None, product.company_name, product.province,
              supplier and (supplier.pk, supplier.content_hash, supplier.fetched_at), translation.get_language(),
              timezone.get_current_timezone_name(), timezone.localdate(), templates_digest(*FRAGMENT_TEMPLATES))  # fmt: skip
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def sku_matrix(skus) -> dict | None:
    """Two options (colour × size): a grid with a cell per combination; None for other shapes."""
    if len(skus) < 2 or any(len(s.attributes or []) != 2 for s in skus):
        return None
    names = [(str(a.get("name") or ""), str(a.get("name_en") or "")) for a in skus[0].attributes if isinstance(a, dict)]
    if len(names) != 2:
        return None
    rows, columns, cells = [], [], {}
    for sku in skus:
        first, second = sku.attributes
        if not isinstance(first, dict) or not isinstance(second, dict):
            return None
        row = (str(first.get("value") or ""), str(first.get("value_en") or ""))
        column = (str(second.get("value") or ""), str(second.get("value_en") or ""))
        if row not in rows:
            rows.append(row)
        if column not in columns:
            columns.append(column)
        cells[(row, column)] = sku
    if len(columns) > 8:  # too wide for a phone: the list reads better
        return None
    rows, columns = natural_sorted(rows, key=lambda v: v[0]), natural_sorted(columns, key=lambda v: v[0])
    return {
        "names": names,
        "columns": columns,
        "rows": [(row, [cells.get((row, column)) for column in columns]) for row in rows],
    }


# --- suppliers ---
def _supplier_cursor(supplier) -> str:
    text = json.dumps([str(supplier.k_score), supplier.pk])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _supplier_after(cursor: str | None):
    if not cursor or len(cursor) > 200:
        return None
    try:
        score, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        from decimal import Decimal

        score = Decimal(str(score))
        # a forged cursor: a score past the column's range (1e999999 overflows PostgreSQL's numeric), an id past
        # bigint; the page then starts from the top
        if not score.is_finite() or abs(score) >= 100 or not isinstance(pk, int) or isinstance(pk, bool):
            return None
        if not -(2**63) <= pk < 2**63:
            return None
        return score, pk
    except (ValueError, TypeError, binascii.Error, ArithmeticError):
        return None


def suppliers_page(*, query: str = "", after: str | None = None, limit: int = PAGE_SIZE):
    """Suppliers by service score (best first), searchable by company or login name; a keyset page.

    Local fallback: docs/catalog.md has no supplier list selector, so the page reads the model here.
    """
    offers = Product.objects.filter(supplier=OuterRef("pk")).order_by().values("supplier")
    suppliers = Supplier.objects.annotate(
        k_score=Coalesce("service_score", Value(-1), output_field=DecimalField(max_digits=3, decimal_places=1)),
        offer_count=Subquery(offers.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
    )
    query = clean_query(query, limit=60)
    if query:
        suppliers = suppliers.filter(
            Q(company_name__icontains=query) | Q(login_id__icontains=query) | Q(city__icontains=query)
            | Q(province__startswith=query)
        )  # fmt: skip
    last = _supplier_after(after)
    if last is not None:
        score, pk = last
        suppliers = suppliers.filter(Q(k_score__lt=score) | Q(k_score=score, pk__lt=pk))
    rows = list(suppliers.order_by("-k_score", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_supplier_cursor(rows[-1]) if more and rows else None), query


@login_required
def supplier_list(request):
    after = (request.GET.get("after") or "").strip() or None
    rows, cursor, query = suppliers_page(query=request.GET.get("q", ""), after=after)
    base = reverse("suppliers")
    context = {
        "suppliers": rows,
        "query": query,
        "after": after,
        "next_url": with_params(base, q=query, after=cursor) if cursor else "",
        **source_context(request.user),
    }
    return render(request, "sourcing/catalog/suppliers.html", context)


@login_required
def supplier_detail(request, pk):
    supplier = supplier_for_page(pk)
    if supplier is None:
        raise Http404("No such supplier")
    url = reverse("supplier_detail", args=[supplier.pk])
    polling = "job" in request.GET
    job = job_from_request(request, kinds=[CatalogJob.Kind.SUPPLIER], target=supplier.open_id)
    if is_htmx(request) and polling and job is not None:
        if job.is_running:
            return render(request, "sourcing/catalog/_job.html", {"job": job, "poll_url": with_params(url, job=job.pk)})
        return job_finished_redirect(with_params(url, job=job.pk))
    after = (request.GET.get("after") or "").strip() or None
    page = supplier_products(supplier, after=after, limit=PAGE_SIZE)
    context = {
        "supplier": supplier,
        "page": page,
        "job": job,
        "poll_url": with_params(url, job=job.pk) if job and job.is_running else "",
        "next_url": with_params(url, after=page.next_cursor) if page.next_cursor else "",
        "notes": [],
    }
    if is_htmx(request) and after:
        return render(request, "sourcing/catalog/_cards.html", context)
    return render(request, "sourcing/catalog/supplier.html", {**context, **source_context(request.user)})


@login_required
@require_POST
def supplier_fetch(request, pk):
    """ "Fetch more offers from 1688": the next page of the seller's offer list, by a worker."""
    supplier = supplier_for_page(pk)
    if supplier is None:
        raise Http404("No such supplier")
    started = catalog_services_offers.supplier_offers_fetch_start(user=request.user, supplier=supplier)
    if started.error or started.notice:
        messages.warning(request, started.error or started.notice)
    url = reverse("supplier_detail", args=[supplier.pk])
    return redirect(with_params(url, job=started.job.pk if started.job else None))
