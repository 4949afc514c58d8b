"""Reads for one product, supplier or category page, and the one door to a team's searches and catalog jobs (404 outside the team)."""

from collections.abc import Mapping

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from portal.cache import page_cache as cache
from sourcing.accounts.models import Membership, User
from sourcing.accounts.selectors import current_membership
from sourcing.catalog.keys import CATEGORY_OPTIONS_KEY, offer_number, source_of
from sourcing.catalog.models import CatalogJob, Category, PriceHistory, Product, ProductView, SearchQuery, Sku, Supplier
from sourcing.catalog.search import (
    SearchFilters,
    SearchRequest,
)
from sourcing.connections.selectors import credential_in_use
from sourcing.core.request_cache import cached, drop

MAX_LIMIT = 100


def clamp_limit(limit) -> int:
    try:
        return min(MAX_LIMIT, max(1, int(limit)))
    except (TypeError, ValueError):
        return 24


def clean_offer_id(value) -> int | None:
    return offer_number(value)


def product_for_page(offer_id) -> Product | None:
    """The product with category (and parent), supplier, its same-item membership and SKUs: two queries
    (price_history_points reads the history when a page draws it)."""
    number = clean_offer_id(offer_id)
    if number is None:
        return None
    return (
        Product.objects.select_related("category__parent", "supplier", "same_item")
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("position", "pk")))
        .filter(offer_id=number)
        .first()
    )


def price_history_points(product: Product, limit: int = 90) -> list[PriceHistory]:
    """The latest `limit` price changes, oldest first."""
    rows = list(PriceHistory.objects.filter(product=product).order_by("-at", "-pk")[:limit])
    return sorted(rows, key=lambda r: (r.at, r.pk))


def supplier_for_page(pk) -> Supplier | None:
    if not str(pk).isascii() or not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return Supplier.objects.filter(pk=int(pk)).first()


def category_tree() -> list[Category]:
    """Top categories with their children and grandchildren prefetched (three queries)."""
    grandchildren = Prefetch("children", queryset=Category.objects.order_by("id"))
    children = Prefetch("children", queryset=Category.objects.order_by("id").prefetch_related(grandchildren))
    roots = Category.objects.filter(parent__isnull=True, level=1)  # not ids known only from a product
    return list(roots.order_by("id").prefetch_related(children))


def category_options_html() -> str:
    """The category tree as the <option> rows of a <select>, indented by depth.

    Cached (three queries and ~200 rows otherwise on every search page) until a category is written:
    catalog/services/upsert.py and the Category signals in apps.py drop it; the timeout is a backstop."""
    html = cache.get(CATEGORY_OPTIONS_KEY)
    if html is None:
        rows = []

        def walk(nodes, depth):
            for node in nodes:
                label = node.name if not node.name_en or node.name_en == node.name else f"{node.name} · {node.name_en}"
                rows.append((node.pk, "\u3000" * depth + (label or node.display_name)))
                if depth < 2:
                    walk(node.children.all(), depth + 1)

        walk(category_tree(), 0)
        html = format_html_join("", '<option value="{}">{}</option>', rows)
        cache.set(CATEGORY_OPTIONS_KEY, str(html), 600)
    return html


def with_selected(options_html: str, value) -> str:
    """<option> rows with the one whose value is `value` selected."""
    if value not in (None, ""):
        mark = f'<option value="{escape(value)}">'
        options_html = options_html.replace(mark, mark[:-1] + " selected>", 1)
    return mark_safe(options_html)  # noqa: S308  (built by format_html_join above)


def category_for_page(pk) -> Category | None:
    if not str(pk).isascii() or not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return (
        Category.objects.select_related("parent__parent")
        .prefetch_related(Prefetch("children", queryset=Category.objects.order_by("id")))
        .filter(pk=int(pk))
        .first()
    )


def recently_viewed(user: User, limit: int = 8) -> list[Product]:
    if not user.is_authenticated:
        return []
    views = (
        ProductView.objects.filter(user=user)
        .select_related("product__category", "product__supplier")
        .order_by("-viewed_at", "-pk")[: clamp_limit(limit)]
    )
    return [v.product for v in views]


def _team_ids(user: User) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user_id=user.pk).values_list("team_id", flat=True))


def _current_team_id(user: User) -> int | None:
    membership = current_membership(user)
    return membership.team_id if membership else None


def search_history_for(user: User, limit: int = 20) -> list[SearchQuery]:
    """The searches of the user's current team, latest first; never another team's."""
    team_id = _current_team_id(user)
    if team_id is None:
        return []
    return list(
        SearchQuery.objects.filter(team_id=team_id).select_related("job", "requested_by")
        .order_by("-last_searched_at", "-pk")[: clamp_limit(limit)]
    )  # fmt: skip


def search_for(user: User | None, query: "str | SearchRequest", filters: "Mapping | SearchFilters | None" = None
               ) -> SearchQuery | None:  # fmt: skip
    """The current team's fetch of this keyword search (same normalised query and 1688-side filters)."""
    if user is None or not user.is_authenticated:
        return None
    team_id = _current_team_id(user)
    request = SearchRequest.of(query, filters)
    if team_id is None or not request.terms:
        return None
    return team_search(team_id, request.key)


def team_search(team_id: int, key: str) -> SearchQuery | None:
    """The team's search with this key, with its job: read once per request, however many parts of the page ask
    (the fetch check, the ranking, the status line). A service that writes a search forgets it
    (services/fetch.py, team_search_changed)."""
    return cached(
        ("team_search", team_id, key),
        lambda: SearchQuery.objects.select_related("job").filter(team_id=team_id, key=key).first(),
    )


def team_search_changed(team_id: int, key: str) -> None:
    """The team's search was written: this request reads it again."""
    drop(("team_search", team_id, key))


def get_search_for_user(user: User, pk) -> SearchQuery:
    """The search if the user is in its team; 404 otherwise."""
    if not str(pk).isascii() or not str(pk).isdigit() or len(str(pk)) > 18:
        raise Http404("No such search")
    search = (
        SearchQuery.objects.select_related("job", "image", "team")
        .filter(pk=int(pk), team_id__in=_team_ids(user))
        .first()
    )
    if search is None:
        raise Http404("No such search")
    return search


def get_catalog_job_for_user(user: User, pk) -> CatalogJob:
    """The job if the user asked for it or is in its team; 404 otherwise."""
    if not user.is_authenticated or not str(pk).isascii() or not str(pk).isdigit() or len(str(pk)) > 18:
        raise Http404("No such job")
    job = (
        CatalogJob.objects.filter(pk=int(pk))
        .filter(Q(requested_by_id=user.pk) | Q(team_id__in=_team_ids(user)))
        .first()
    )
    if job is None:
        raise Http404("No such job")
    return job


def catalog_source(user: User) -> str:
    """Where the user's live results come from: "live", "sandbox", or "" without a credential."""
    if not user.is_authenticated:
        return ""
    credential, _why = credential_in_use(user)
    return source_of(credential)
