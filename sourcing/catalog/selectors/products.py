"""Catalog reads for the pages: search, product, supplier and category reads with a constant number
of queries, recently viewed products, and the one door to a team's searches and jobs.

Search (design.md §5, docs/catalog.md): the query becomes the same lexemes as the documents
(`services.catalog_search`). PostgreSQL matches a tsquery against the GIN-indexed tsvector; SQLite
matches the lexemes with instr() over the plain documents. Relevance: all terms in the title
(either language) first, then terms found in attributes, then offers 1688 returned for the team's
search that match only on 1688's side; within a tier the best sellers first. Pages are keyset
pages (an opaque cursor of the last row's sort values), never OFFSET and never COUNT(*).
"""

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from portal.cache import page_cache as cache
from sourcing.accounts.models import User
from sourcing.catalog.models import NO_PRICE_HIGH, NO_PRICE_LOW, Category, Product, SearchQuery, Supplier
from sourcing.catalog.pricing import PriceQuote, price_at_quantity
from sourcing.catalog.search import (
    SORTS,
    SearchFilters,
    SearchRequest,
    active_unknowns,
    clean_filters,
    tsquery_literal,
)
from sourcing.catalog.selectors.pages import clamp_limit, search_for

__all__ = [
    "SORTS", "Hidden", "PriceQuote", "ResultPage", "SearchFilters", "category_products", "clean_filters", "price_at_quantity", "search_products", "search_results", "supplier_products",
]  # fmt: skip

COUNT_CAP = 1000  # counts stop here ("more than 1,000"): a capped count reads at most this many index rows
# Best sellers a count first looks among: each is a row read with the text tested on it, so the sample is small;
# words too rare to show there are counted through the text index, which then reads at most COUNT_CAP rows.
COUNT_SAMPLE = 500
FILL_BATCH = 20  # offers hidden for an unknown field whose detail one page view may ask a worker for


@dataclass
class ResultPage:
    products: list[Product]
    next_cursor: str | None
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    problems: list[str] = field(default_factory=list)
    restarted: bool = False  # a page link (cursor) was given but unusable: this is the first page
    matched: int | None = None  # how many offers the page lists in all (capped at COUNT_CAP); None: not counted
    hidden: list["Hidden"] = field(default_factory=list)  # offers a filter left out because a field is unknown
    fill_ids: list[int] = field(default_factory=list)  # hidden products without a detail yet (a worker may fetch)


@dataclass(frozen=True)
class Hidden:
    """Offers one filter left out because the field it reads is not known yet."""

    name: str  # the filter ("province"); ?unknown=<name> shows them
    count: int  # capped at COUNT_CAP
    reason: str

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP


# --- matching ---
@dataclass(frozen=True)
class Rows:
    """One set of rows written twice: as the text index can find them (`found`), and as a check on each row a walk
    reads (`checked`: the same test in a form the planner cannot take to the text index, whose guess of how common
    overlapping Chinese pairs are is off by a thousand times)."""

    found: Q = field(default_factory=Q)
    checked: Q = field(default_factory=Q)
    # `found` picks exactly the rows `checked` does (false for both, or negated for both, where a row has no
    # document): not so for a set of offer ids negated with a text test, whose rows may lack a document.
    exact: bool = True

    def __and__(self, other: "Rows") -> "Rows":
        return Rows(self.found & other.found, self.checked & other.checked, self.exact and other.exact)

    def __or__(self, other: "Rows") -> "Rows":
        return Rows(self.found | other.found, self.checked | other.checked, self.exact and other.exact)

    def __invert__(self) -> "Rows":
        return Rows(~self.found, ~self.checked, self.exact)


def _match(terms: list[str], *, title_only: bool) -> Rows:
    """The rows that have every term in the document (or in the title, with title_only)."""
    table = Product._meta.db_table
    if connection.vendor == "postgresql":
        literal = tsquery_literal(terms, weights="A" if title_only else "")
        sql, params = f'"{table}"."search_vector" @@ %s::tsquery', [literal]
        # A test on each row: no index answers a function call, and the planner, with no estimate for one, takes a
        # good share of the rows to pass, so it walks the window in order and stops at a page, where its guess for
        # the operator (off a thousandfold for Chinese) made it read the whole window and sort it. COALESCE: a row
        # without a document fails the test (and passes its negation), as with the operator.
        checked_sql = f'COALESCE(ts_match_vq("{table}"."search_vector", %s::tsquery), false)'
    else:
        column = f'"{table}"."search_title"' if title_only else f'("{table}"."search_title" || "{table}"."search_body")'
        sql, params = " AND ".join([f"instr({column}, %s) > 0"] * len(terms)), [f" {t} " for t in terms]
        checked_sql = sql
    # Parameters carry every value; the SQL text is built from constants only.
    return Rows(Q(RawSQL(sql, params, output_field=BooleanField())),  # noqa: S611
                Q(RawSQL(checked_sql, params, output_field=BooleanField())))  # noqa: S611  # fmt: skip


def _text_tiers(terms: list[str], fetched_ids: list[int]) -> tuple[Rows, list[Rows]]:
    """The rows a text search lists, and its relevance tiers best first: every term in the title; the rest of the
    matches; offers 1688 returned for the team's search that match only on 1688's side."""
    matches, in_title = _match(terms, title_only=False), _match(terms, title_only=True)
    tiers = [in_title, matches & ~in_title]
    if fetched_ids:
        fetched = Rows(Q(offer_id__in=fetched_ids), Q(offer_id__in=fetched_ids), exact=False)
        return matches | fetched, [*tiers, fetched & ~matches]
    return matches, tiers


# --- ordering and cursors ---
# Each sort is one stored column (Product.sort_*) and the id, both in one direction, so the database walks the
# (column, id) index and stops after a page. Relevance reads its tiers one after another in sales order.
SORT_COLUMNS = {"relevance": ("sort_sales", True), "sales": ("sort_sales", True),
                "price": ("sort_price_up", False), "price_desc": ("sort_price_down", True),
                "newest": ("sort_newest", True)}  # fmt: skip


@dataclass(frozen=True)
class _Ranked:
    """A page of ids in the sort order, the cursor of the next page, and whether a given cursor was unusable."""

    ids: list[int]
    cursor: str | None
    restarted: bool


def _encode_cursor(sort: str, values: list) -> str:
    text = json.dumps([sort, [str(v) if isinstance(v, Decimal | datetime) else v for v in values]])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, sort: str, tiers: int) -> tuple[int, object, int] | None:
    """(tier, sort value, id) of the last row shown, or None when the cursor is absent or unusable."""
    if not cursor or len(cursor) > 500:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        saved_sort, values = json.loads(raw)
    except (ValueError, binascii.Error, TypeError):
        return None
    if saved_sort != sort or not isinstance(values, list) or len(values) != 3:
        return None
    tier, value, pk = values
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (tier, pk)) or not 0 <= tier < tiers:
        return None
    if not 0 < pk < 2**63:
        return None
    column = SORT_COLUMNS[sort][0]
    try:
        if column == "sort_newest":
            value = datetime.fromisoformat(value)
            if not 1900 <= value.year <= 9000:  # the database's range, with room for time zones
                return None
        elif column == "sort_sales":
            if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
                return None
        else:
            value = Decimal(str(value))
            if not value.is_finite() or abs(value) > 10**10:  # NaN, Infinity, 1e999: a forged cursor
                return None
    except (ArithmeticError, ValueError, TypeError):
        return None
    return tier, value, pk


def _row_bound(column: str, operator: str, value, pk) -> Q:
    """(column, id) <operator> (value, pk), a row comparison: the database starts or stops its walk of the (column,
    id) index exactly there, where the same bound written with OR leaves it a bitmap of the whole range to sort."""
    table, field = Product._meta.db_table, Product._meta.get_field(column)
    prepared = getattr(field, "output_field", field).get_db_prep_value(value, connection)
    sql = f'("{table}"."{column}", "{table}"."id") {operator} (%s, %s)'  # constants only; values are parameters
    return Q(RawSQL(sql, [prepared, pk], output_field=BooleanField()))  # noqa: S611


def _after(column: str, descending: bool, value, pk) -> Q:
    """Rows after (value, pk) in the sort order."""
    return _row_bound(column, "<" if descending else ">", value, pk)


def _up_to(column: str, descending: bool, value, pk) -> Q:
    """Rows before (value, pk) in the sort order, and that row."""
    return _row_bound(column, ">=" if descending else "<=", value, pk)


_shape: dict[str, tuple[float, object]] = {}  # this process's figures about the whole catalog: key → (until, value)


def _catalog_shape(key: str, compute):
    """compute() at most once per CATALOG_RESULTS_CACHE_SECONDS in this process, for figures about the whole catalog
    that move slowly: where the first window ends in each order, how many rows there are. A stale one costs no
    result: the walk takes what is before the edge and the rest after it, whichever edge it is given."""
    seconds = settings.CATALOG_RESULTS_CACHE_SECONDS
    now = time.monotonic()
    kept = _shape.get(key)
    if seconds and kept is not None and kept[0] > now:
        return kept[1]
    value = compute()
    if seconds and value is not None:
        _shape[key] = (now + seconds, value)
    return value


def forget_catalog_shape() -> None:
    """Drop this process's figures about the catalog (tests: each starts from another catalog)."""
    _shape.clear()


def _window_edge(start: Q, order: list[str], column: str, size: int = 0) -> tuple[object, int] | None:
    """The (sort value, id) `size` (SEARCH_WINDOW) rows on from `start` in this order (an index-only read), or None
    when the catalog ends before. From the catalog's start it is remembered (_catalog_shape): every first page asks."""
    window = size or settings.SEARCH_WINDOW

    def read():
        edge = list(Product.objects.filter(start).order_by(*order).values_list(column, "pk")[window - 1 : window])
        return edge[0] if edge else None

    return _catalog_shape(f"edge:{window}:{','.join(order)}", read) if not start else read()


def _walk(base, tier: Rows, column: str, descending: bool, start: Q, wanted: int, bound: Q,
          density: str = "") -> list[tuple[object, int]]:  # fmt: skip
    """The first `wanted` (sort value, id) of a tier from `start` on, at a cost that does not grow with its matches.

    First within the next SEARCH_WINDOW rows of the whole catalog in this order (a bounded index walk, whatever the
    planner would guess of the words' frequency): enough there when matches are common. Only when they are rare does
    the rest of the catalog follow, where the text index finds them directly (docs/catalog.md). `bound` is the filters'
    own range on the sort column (a price range under a price sort): the window starts where it does. `density` "rare": the
    page's count found fewer than COUNT_CAP matches in all, so the text index finds them at once, for less than a
    window would cost. `sparse`: more than COUNT_CAP matches, but too few among the best sellers to call them common
    (under about 2 %): a walk would test most of the window's rows to fill a page, so the window's rows are taken
    from its index range and the text index together (a BitmapAnd in PostgreSQL), reading only the rows in both."""
    order = [f"-{column}", "-pk"] if descending else [column, "pk"]
    if density == "rare":
        finding = base.filter(tier.found & start).order_by(*_sorted_after_finding(column, descending))
        return list(finding.values_list(column, "pk")[:wanted])
    edge = _window_edge(start & bound, order, column)
    if edge is None:
        inside = base.filter(tier.checked & start).order_by(*order)
    elif density == "sparse" and tier.exact:
        inside = base.filter(tier.found & start & _up_to(column, descending, *edge))
        inside = inside.order_by(*_sorted_after_finding(column, descending))
    else:
        inside = base.filter(tier.checked & start & _up_to(column, descending, *edge)).order_by(*order)
    found = list(inside.values_list(column, "pk")[:wanted])
    if edge is not None and len(found) < wanted:
        rest = base.filter(tier.found & _after(column, descending, *edge))
        found += rest.order_by(*_sorted_after_finding(column, descending)).values_list(column, "pk")[
            : wanted - len(found)
        ]
    return found


def _sorted_after_finding(column: str, descending: bool) -> list:
    """The page's order in a form no index gives, so that PostgreSQL finds the rare matches through the text index and
    sorts them, instead of walking the sort index on its (independent-pairs) guess that they are common: that walk
    reads the whole catalog when they are in fact absent."""
    if connection.vendor != "postgresql":
        return [f"-{column}", "-pk"] if descending else [column, "pk"]
    zero = "interval '0 seconds'" if column == "sort_newest" else "0"
    key = RawSQL(f'"{Product._meta.db_table}"."{column}" + {zero}', [])  # noqa: S611 - constants only
    return [key.desc(), F("pk").desc()] if descending else [key.asc(), F("pk").asc()]


def _rank(base, tiers: list[Rows], sort: str, after: str | None, limit: int, bound: Q, density: str) -> _Ranked:
    """One keyset page of ids: each tier in the sort column's order, from the cursor on."""
    column, descending = SORT_COLUMNS[sort]
    last = _decode_cursor(after, sort, len(tiers))
    rows: list[tuple[int, object, int]] = []
    for tier in range(last[0] if last else 0, len(tiers)):
        start = _after(column, descending, last[1], last[2]) if last and tier == last[0] else Q()
        wanted = limit + 1 - len(rows)
        walked = _walk(base, tiers[tier], column, descending, start, wanted, bound, density)
        rows += [(tier, value, pk) for value, pk in walked]
        if len(rows) > limit:
            break
    cursor = _encode_cursor(sort, list(rows[limit - 1])) if len(rows) > limit else None
    return _Ranked([pk for _t, _v, pk in rows[:limit]], cursor, bool(after) and last is None)


def _page(base, tiers: list[Rows], sort: str, after: str | None, limit: int, identity=None, bound: Q = Q(),  # noqa: B008
          density: str = ""):  # fmt: skip
    """A page of products with what their cards show, the next page's cursor, and whether a given cursor was unusable.

    The ranking (ids and cursor) is cached for CATALOG_RESULTS_CACHE_SECONDS under the page's identity; the
    cards are always read fresh by id, so no write anywhere has to retire cached pages, and a product saved
    since shows its new price and status at once (only its place in the order can lag, by the cache time)."""
    # an empty page costs little and is what a worker's fetch fills next: not kept
    ranked = _kept("ranked:1:", identity, (identity, sort, after, limit),
                   lambda: _rank(base, tiers, sort, after, limit, bound, density), lambda r: bool(r.ids))  # fmt: skip
    found = {p.pk: p for p in card_rows(Product.objects.exclude(status=Product.Status.NOT_FOUND)).filter(
        pk__in=ranked.ids)}  # fmt: skip
    return [found[pk] for pk in ranked.ids if pk in found], ranked.cursor, ranked.restarted


# What a result card shows (catalog/cards.py): result pages read only these columns,
# a third of a product row's width and none of its JSON but the supplier's badges.
CARD_PRODUCT_FIELDS = ("id", "offer_id", "title", "title_en", "image_url", "status", "price_min", "price_max", "moq",
                       "unit", "unit_en", "month_sold", "sales_count", "company_name", "province", "summary_fetched_at",
                       "detail_fetched_at", "seller", "seller_years", "seller_factory", "trade_score", "one_piece",
                       "consign_price")  # fmt: skip
CARD_SUPPLIER_FIELDS = ("id", "company_name", "province", "badges", "years", "service_score", "repurchase_rate",
                        "scores")  # fmt: skip


def card_rows(queryset):
    """Products with what their result card shows, and their supplier's."""
    supplier_fields = [f"supplier__{name}" for name in CARD_SUPPLIER_FIELDS]
    return queryset.select_related("supplier").only(*CARD_PRODUCT_FIELDS, "supplier", *supplier_fields)


def _category_tree_ids(category_id: int) -> list[int]:
    """The category and those below it, as numbers (a list the planner can weigh, where a subquery is a guess)."""
    c = category_id
    return list(Category.objects.filter(Q(pk=c) | Q(parent_id=c) | Q(parent__parent_id=c)).values_list("pk", flat=True))


def _filtered(filters: SearchFilters, *, skip: str = "", walked: bool = False):
    """The products the filters let through; a filter on a maybe-unknown field (all but `skip`) keeps the
    offers of unknown value when the user asked for them (filters.unknown). `walked`: for the page's walk in its
    sort order (a price range on the sort column), else for counting (on the plain price)."""
    products = Product.objects.exclude(status=Product.Status.NOT_FOUND)
    if filters.category:
        products = products.filter(category_id__in=_category_tree_ids(filters.category))
    if filters.price_min is not None or filters.price_max is not None:
        products = products.filter(_price_range(filters, walked=walked))
    for rule in active_unknowns(filters):
        if rule.name != skip:
            condition = rule.matches(filters)
            if rule.name in filters.unknown:
                condition |= rule.unknown
            products = products.filter(condition)
    return products


def _price_range(filters: SearchFilters, *, walked: bool) -> Q:
    """The price filter. For the walk of a price sort it is written on the sort's own column, so the walk covers the
    range only (an offer without a price holds NO_PRICE_HIGH or NO_PRICE_LOW there and never passes); otherwise
    (another sort, or counting) on the plain price, which no index covers, so the planner never reads the whole
    range's index (300,000 entries for a common range) to narrow a window of 5,000 rows."""
    low, high = filters.price_min, filters.price_max
    if walked and filters.sort == "price_desc":
        floor = Q(sort_price_down__gte=low) if low is not None else Q(sort_price_down__gt=NO_PRICE_LOW)
        return floor & (Q(sort_price_down__lte=high) if high is not None else Q())
    if walked and filters.sort == "price":
        ceiling = Q(sort_price_up__lte=high) if high is not None else Q(sort_price_up__lt=NO_PRICE_HIGH)
        return ceiling & (Q(sort_price_up__gte=low) if low is not None else Q())
    return (Q(price_min__gte=low) if low is not None else Q()) & (Q(price_min__lte=high) if high is not None else Q())


def _catalog_rows() -> int:
    """About how many products there are: PostgreSQL's own estimate (kept by ANALYZE and autovacuum), else a count."""
    return _catalog_shape("rows", _count_catalog_rows)


def _count_catalog_rows() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Product._meta.db_table])
            row = cursor.fetchone()
        if row and row[0] > 0:
            return row[0]
    return Product.objects.count()


def _capped_count(products, text: Rows, *, narrowed: bool) -> tuple[int, bool]:
    """How many of these products the text matches, up to COUNT_CAP; past it, estimated from the best sellers; and
    whether that estimate said so (the matches are common among the best sellers).

    Among the first COUNT_SAMPLE products by sales, enough matches (as many as COUNT_CAP would give over the whole
    catalog, and at least 10) say "more than COUNT_CAP" without reading the rest; fewer mean the matches are rare
    enough (under 2 % of a million) for the text index to count them exactly, reading at most COUNT_CAP rows.
    Under filters (`narrowed`) the sample is the whole SEARCH_WINDOW: a filter thins the matches, and the text
    index would otherwise read every match of a common word to find COUNT_CAP that pass it."""
    order = ["-sort_sales", "-pk"]
    sample = settings.SEARCH_WINDOW if narrowed else min(COUNT_SAMPLE, settings.SEARCH_WINDOW)
    edge = _window_edge(Q(), order, "sort_sales", sample)
    if edge is not None:
        enough = max(10, -(-COUNT_CAP * sample // max(1, _catalog_rows())))
        sample = products.filter(text.checked & _up_to("sort_sales", True, *edge))
        if sample.order_by().values("pk")[:enough].count() >= enough:
            return COUNT_CAP, True
    return products.filter(text.found).order_by().values("pk")[:COUNT_CAP].count(), False


def _counts(narrowed, text: Rows, filters: SearchFilters) -> tuple[int, list[Hidden], list[int], str]:
    """How many offers the page lists, how many each maybe-unknown filter hid, hidden ones lacking a detail, and
    how dense the matches are for ranking them (_walk's `density`: "rare", "sparse" or "" for common).

    `narrowed(skip)` is the page's products, before the text, without the filter named `skip` (kept for a while
    by _kept only when no such filter is active)."""
    narrowing = bool(filters.category or filters.price_min is not None or filters.price_max is not None
                     or active_unknowns(filters))  # fmt: skip
    matched, common = _capped_count(narrowed(""), text, narrowed=narrowing)
    density = "rare" if matched < COUNT_CAP else "" if common else "sparse"
    hidden, fill = [], []
    for rule in active_unknowns(filters):
        if rule.name in filters.unknown:
            continue
        unknown = narrowed(rule.name).filter(rule.unknown)
        count, _common = _capped_count(unknown, text, narrowed=True)
        if count:
            hidden.append(Hidden(rule.name, count, str(rule.reason)))
            if len(fill) < FILL_BATCH:
                lacking = unknown.filter(text.found, detail_fetched_at__isnull=True).exclude(pk__in=fill)
                fill += list(
                    lacking.order_by("-sort_sales", "pk").values_list("pk", flat=True)[: FILL_BATCH - len(fill)]
                )
    return matched, hidden, fill, density


def _kept(prefix: str, identity, parts, compute, worth_keeping, *, peek: bool = False):
    """compute(), kept in the page cache for CATALOG_RESULTS_CACHE_SECONDS under `parts` when the page has an
    identity and worth_keeping(value); a page without one (it hides offers of unknown value, which the fill worker
    changes) is worked out on every view. With `peek`, only what is kept (or None) is read, nothing is worked out."""
    seconds = settings.CATALOG_RESULTS_CACHE_SECONDS if identity is not None else 0
    key = prefix + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    value = cache.get(key) if seconds else None
    if value is None and not peek:
        value = compute()
        if seconds and worth_keeping(value):
            cache.set(key, value, seconds)
    return value


def search_products(query: "str | SearchRequest" = "", filters: "Mapping | SearchFilters | None" = None, *, user: User | None = None,
                    after: str | None = None, limit: int = 24, team_search: SearchQuery | None = None,
                    count: bool = False) -> ResultPage:  # fmt: skip
    """A keyset page of the local catalog for a query (Chinese or English) and filters; never raises on input.

    The team's fetch of the search (whose offers rank first) is looked up unless `team_search` is given.
    With `count`, the page also says how many offers it lists and how many a filter hid (ResultPage.hidden)."""
    request = SearchRequest.of(query, filters)
    text, cleaned, terms, problems = request.text, request.filters, list(request.terms), list(request.problems)
    matching, tiers, search = Rows(), [Rows()], None
    if terms:
        search = team_search or (search_for(user, request) if user is not None else None)
        matching, tiers = _text_tiers(terms, list(search.offer_ids) if search else [])
        if cleaned.sort != "relevance":
            tiers = [matching]
    elif text:
        problems.append(_("“%(q)s” has no letters, digits or Chinese characters to search for.") % {"q": text[:40]})

    def narrowed(skip: str):
        return _filtered(cleaned, skip=skip)  # for counting

    # A page hiding offers of unknown value is ranked afresh each view: the worker filling them in changes it.
    identity = None if active_unknowns(cleaned) else (text, repr(cleaned), tuple(search.offer_ids) if search else ())
    priced = cleaned.sort in ("price", "price_desc") and (
        cleaned.price_min is not None or cleaned.price_max is not None
    )
    bound = _price_range(cleaned, walked=True) if priced else Q()
    # kept beside the ranking, under the same identity: it moves as the ranking does (a count of nothing is not kept)
    # (a later page reads the first page's count when it is kept: how dense the matches are decides how it is ranked)
    counted = (_kept("counted:2:", identity, identity, lambda: _counts(narrowed, matching, cleaned),
                     lambda c: bool(c[0]), peek=not count) if terms or count else None)  # fmt: skip
    # Counted first: a text with fewer than COUNT_CAP matches is ranked straight from the text index ("rare"), one
    # with more but few among the best sellers from the window's rows that the text index finds too ("sparse").
    # A sparse walk only for one lexeme: the text index then reads one list of under ~2 % of the rows, where several
    # (手机, 机壳) each read a list that may hold a fifth of the catalog (slower than the walk, if fewer buffers).
    density = counted[3] if terms and counted is not None else ""
    density = "" if density == "sparse" and len(terms) > 1 else density
    rows, cursor, restarted = _page(
        _filtered(cleaned, walked=True), tiers, cleaned.sort, after, clamp_limit(limit), identity, bound, density
    )
    page = ResultPage(products=rows, next_cursor=cursor, query=text, filters=cleaned, problems=problems,
                      restarted=restarted)  # fmt: skip
    if counted is not None and count:
        page.matched, page.hidden, page.fill_ids = counted[:3]
    return page


def category_products(category: Category, *, sort: str = "sales", team_search: SearchQuery | None = None,
                      after: str | None = None, limit: int = 24, count: bool = False) -> ResultPage:  # fmt: skip
    """A keyset page of a category's offers: those the portal files under it (or a sub-category), and those
    1688 returned for the team's fetch of the category (live answers may lack an offer's category ids)."""
    cleaned, problems = clean_filters({"sort": sort})
    fetched = list(team_search.offer_ids) if team_search else []

    in_tree = Q(category_id__in=_category_tree_ids(category.pk))
    listed = in_tree | Q(offer_id__in=fetched) if fetched else in_tree
    sort = cleaned.sort if cleaned.sort != "relevance" else "sales"
    identity = ("category", category.pk, tuple(fetched))
    products = _filtered(SearchFilters())
    rows, cursor, restarted = _page(products, [Rows(listed, listed)], sort, after, clamp_limit(limit), identity)
    page = ResultPage(products=rows, next_cursor=cursor, filters=SearchFilters(sort=sort), problems=problems,
                      restarted=restarted)  # fmt: skip
    if count:
        page.matched, page.hidden, page.fill_ids, _density = _counts(
            lambda _skip: products, Rows(listed, listed), SearchFilters()
        )
    return page


def supplier_products(supplier: Supplier, *, after: str | None = None, limit: int = 24) -> ResultPage:
    products = _filtered(SearchFilters()).filter(supplier=supplier)
    rows, cursor, restarted = _page(products, [Rows()], "sales", after, clamp_limit(limit))
    return ResultPage(products=rows, next_cursor=cursor, restarted=restarted)


def search_results(search: SearchQuery, *, after: str | None = None, limit: int = 24) -> ResultPage:
    """A team search's offers in 1688's order (image search results), a page at a time."""
    limit = clamp_limit(limit)
    start = int(after) if after and after.isascii() and after.isdigit() and len(after) < 7 else 0
    ids = list(search.offer_ids)[start : start + limit + 1]
    found = {p.offer_id: p for p in Product.objects.select_related("category", "supplier").filter(offer_id__in=ids)}
    rows = [found[i] for i in ids[:limit] if i in found]
    return ResultPage(products=rows, next_cursor=str(start + limit) if len(ids) > limit else None)


# --- reads for single pages ---


# --- the one door to team searches and jobs ---
