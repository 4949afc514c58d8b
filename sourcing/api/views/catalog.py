"""Products, suppliers, search and catalog jobs: the portal's kept catalog, read as its pages read it.

No request calls 1688: a search answers from the catalog and says whether 1688 would be asked (`fetch.status`:
"due"); POST /search/fetch queues that fetch for a worker, as the search page's follow-up does, and answers
"pending" with the job to poll."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from sourcing.api.serializers import (
    FetchOut,
    JobOut,
    PriceOut,
    ProductOut,
    SearchOut,
    SupplierOut,
    TrustOut,
)
from sourcing.api.views.common import ApiView, BadRequest, errors, query_id, query_limit
from sourcing.catalog.pricing import price_at_quantity
from sourcing.catalog.search import SORTS, SearchRequest
from sourcing.catalog.selectors.pages import get_catalog_job_for_user, product_for_page, supplier_for_page
from sourcing.catalog.selectors.products import search_products
from sourcing.catalog.selectors.trust import supplier_trust, trust_for
from sourcing.catalog.services import fetch as catalog_services

MAX_QUANTITY = 10_000_000


def supplier_ref(supplier) -> dict | None:
    return {"id": supplier.pk, "company_name": supplier.company_name} if supplier is not None else None


def product_summary(p) -> dict:
    return {
        "offer_id": p.offer_id, "title": p.title, "title_en": p.title_en, "status": p.status,
        "price_min": p.price_min, "price_max": p.price_max, "moq": p.moq, "unit": p.unit, "image_url": p.image_url,
        "province": p.province, "supplier": supplier_ref(p.supplier) if p.supplier_id else None,
        "seller_years": p.seller_years, "seller_factory": p.seller_factory, "month_sold": p.month_sold,
        "detail_fetched_at": p.detail_fetched_at,
    }  # fmt: skip


def option_of(sku) -> dict:
    return {"id": sku.pk, "sku_id": sku.sku_id, "label": sku.label, "price": sku.price, "stock": sku.stock,
            "image_url": sku.image_url}  # fmt: skip


def product_detail(p, *, quantity=None, sku=None) -> dict:
    category = p.category
    tiers = []
    for tier in p.price_tiers or []:
        try:
            tiers.append({"min_quantity": int(tier.get("min_quantity") or 1), "price": tier.get("price")})
        except (AttributeError, TypeError, ValueError):
            continue
    return {
        **product_summary(p), "detail_url": p.detail_url, "unit_en": p.unit_en, "stock": p.stock,
        "quote_type": p.quote_type, "ships_within_hours": p.ships_within_hours,
        "category": {"id": category.pk, "name": category.name, "name_en": category.name_en} if category else None,
        "tiers": tiers, "options": [option_of(k) for k in p.skus.all()],
        "price": PriceOut.of(price_at_quantity(p, quantity if quantity is not None else p.moq or 1, sku)),
        "trust": TrustOut.of(trust_for(p)), "changed_at": p.changed_at,
    }  # fmt: skip


def job_of(job) -> dict | None:
    if job is None:
        return None
    return {"id": job.pk, "kind": job.kind, "state": job.state, "done": job.done, "total": job.total,
            "message": job.message, "error_code": job.error_code, "created_at": job.created_at,
            "finished_at": job.finished_at}  # fmt: skip


def query_quantity(request) -> int | None:
    raw = request.query_params.get("quantity")
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 8 or not 1 <= int(text) <= MAX_QUANTITY:
        raise BadRequest(_("?quantity= is a whole number of pieces from 1 to 10,000,000."))
    return int(text)


class ProductView(ApiView):
    @extend_schema(
        operation_id="product_get", tags=["catalog"], responses={200: ProductOut, **errors(400, 403, 404)},
        parameters=[OpenApiParameter("quantity", int, description="Price at this quantity (default: the minimum order)"),
                    OpenApiParameter("option", int, description="Price this option (one of options[].id)")],
        summary="An offer in the portal's catalog: options, prices at a quantity, the supplier's trust signals",
    )  # fmt: skip
    def get(self, request, offer_id):
        product = product_for_page(offer_id)
        if product is None:
            raise Http404
        quantity, option = query_quantity(request), query_id(request, "option")
        sku = None
        if option is not None:
            sku = next((k for k in product.skus.all() if k.pk == option), None)
            if sku is None:
                raise BadRequest(_("?option= is not one of this offer's options."))
        return Response(ProductOut(product_detail(product, quantity=quantity, sku=sku)).data)


class SupplierView(ApiView):
    @extend_schema(operation_id="supplier_get", tags=["catalog"], responses={200: SupplierOut, **errors(403, 404)},
                   summary="A supplier and its trust signals")  # fmt: skip
    def get(self, request, supplier_id):
        supplier = supplier_for_page(supplier_id)
        if supplier is None:
            raise Http404
        return Response(SupplierOut({
            "id": supplier.pk, "company_name": supplier.company_name, "login_id": supplier.login_id,
            "province": supplier.province, "city": supplier.city, "shop_url": supplier.shop_url,
            "trust": TrustOut.of(supplier_trust(supplier)), "offers_total": supplier.offers_total,
            "fetched_at": supplier.fetched_at,
        }).data)  # fmt: skip


SEARCH_PARAMS = [
    OpenApiParameter("q", str, description="Words in Chinese or English (at most 100 characters are used)"),
    OpenApiParameter("category", int), OpenApiParameter("price_min", str, description="Yuan, like 12.5"),
    OpenApiParameter("price_max", str), OpenApiParameter("max_moq", int), OpenApiParameter("province", str),
    OpenApiParameter("min_years", int), OpenApiParameter("factory", bool),
    OpenApiParameter("sort", str, enum=list(SORTS)),
]  # fmt: skip


def _wanted(request) -> SearchRequest:
    return SearchRequest.of(request.query_params.get("q", ""), request.query_params)


def _fetch_state(started) -> dict:
    job = started.job
    if job is not None and job.is_running:
        return {"status": "pending", "job": job_of(job), "notice": ""}
    if getattr(started, "due", False):
        return {"status": "due", "job": None, "notice": ""}
    words = str(started.error or started.notice or "")
    return {"status": "unavailable" if words else "fresh", "job": job_of(job), "notice": words}


class SearchView(ApiView):
    @extend_schema(
        operation_id="search", tags=["catalog"], responses={200: SearchOut, **errors(400, 403)},
        parameters=[*SEARCH_PARAMS, OpenApiParameter("after", str, description="The `next` of the previous page"),
                    OpenApiParameter("limit", int, description="1 to 100 (default 25)")],
        summary="Search the portal's kept catalog, as the search page does (never a 1688 call)",
    )  # fmt: skip
    def get(self, request):
        wanted = _wanted(request)
        after = (request.query_params.get("after") or "").strip() or None
        if after is not None and len(after) > 500:
            raise BadRequest(_("?after= is the `next` of a page, unchanged."))
        limit = query_limit(request)
        page = search_products(wanted, None, user=request.user, after=after, limit=limit, count=not after)
        fetch = {"status": "fresh", "job": None, "notice": ""}
        if wanted.terms and not after:
            fetch = _fetch_state(catalog_services.search_fetch_check(user=request.user, query=wanted))
        problems = [str(p) for p in [*wanted.problems, *page.problems]]
        if page.restarted:
            problems.append(_("That page link was damaged; showing the first results."))
        return Response(SearchOut({
            "query": page.query, "results": [product_summary(p) for p in page.products], "next": page.next_cursor,
            "matched": page.matched, "problems": list(dict.fromkeys(problems)), "fetch": fetch,
        }).data)  # fmt: skip


class SearchFetchView(ApiView):
    @extend_schema(
        operation_id="search_fetch", tags=["catalog"], parameters=SEARCH_PARAMS, request=None,
        responses={200: FetchOut, 202: FetchOut, **errors(400, 403)},
        summary="Ask 1688 for a search (a worker fetches it; poll the job, then search again)",
    )  # fmt: skip
    def post(self, request):
        wanted = _wanted(request)
        if not wanted.terms:
            raise BadRequest(_("Give ?q= with letters, digits or Chinese characters to search for."))
        state = _fetch_state(catalog_services.search_fetch_start(user=request.user, query=wanted))
        return Response(FetchOut(state).data, status=202 if state["status"] == "pending" else 200)


class JobView(ApiView):
    @extend_schema(operation_id="job_get", tags=["catalog"], responses={200: JobOut, **errors(403, 404)},
                   summary="A catalog job (a search or an offer's detail fetched by a worker)")  # fmt: skip
    def get(self, request, job_id):
        job = get_catalog_job_for_user(request.user, job_id)
        if job.team_id != self.team.pk:
            raise Http404
        return Response(JobOut(job_of(job)).data)
