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
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Case, DateTimeField, DecimalField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from portal.cache import page_cache as cache
from sourcing.accounts.models import User
from sourcing.catalog.keys import CATALOG_GENERATION_KEY
from sourcing.catalog.models import Category, Product, SearchQuery, Supplier
from sourcing.catalog.pricing import PriceQuote, price_at_quantity
from sourcing.catalog.search import (
    SORTS,
    MaybeUnknown,
    SearchFilters,
    SearchRequest,
    active_unknowns,
    clean_filters,
    tsquery_literal,
)
from sourcing.catalog.selectors.pages import clamp_limit, search_for

__all__ = [
    "SORTS", "Hidden", "PriceQuote", "ResultPage", "SearchFilters", "category_products", "split_unknown", "clean_filters", "price_at_quantity", "search_products", "search_results", "supplier_products",
]  # fmt: skip

COUNT_CAP = 1000  # counts stop here ("more than 1,000"): a capped count reads at most this many index rows
FILL_BATCH = 20  # offers hidden for an unknown field whose detail one page view may ask a worker for
NO_PRICE_HIGH = Decimal("9999999999.99")
NO_PRICE_LOW = Decimal("-1")


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
def _match_sql(terms: list[str], *, title_only: bool) -> tuple[str, list]:
    """SQL that is true when every term is in the document (or in the title, with title_only)."""
    table = Product._meta.db_table
    if connection.vendor == "postgresql":
        literal = tsquery_literal(terms, weights="A" if title_only else "")
        return f'"{table}"."search_vector" @@ %s::tsquery', [literal]
    column = f'"{table}"."search_title"' if title_only else f'("{table}"."search_title" || "{table}"."search_body")'
    return " AND ".join([f"instr({column}, %s) > 0"] * len(terms)), [f" {t} " for t in terms]


def _text_condition(terms: list[str], fetched_ids: list[int]) -> tuple[Q, Case]:
    match_sql, match_params = _match_sql(terms, title_only=False)
    title_sql, title_params = _match_sql(terms, title_only=True)
    # Parameters carry every value; the SQL text is built from constants only.
    matches = RawSQL(match_sql, match_params, output_field=BooleanField())  # noqa: S611
    in_title = RawSQL(title_sql, title_params, output_field=BooleanField())  # noqa: S611
    condition = Q(matches)
    if fetched_ids:
        condition |= Q(offer_id__in=fetched_ids)
    if fetched_ids:
        tier = Case(When(in_title, then=Value(2)), When(matches, then=Value(1)), default=Value(0),
                    output_field=IntegerField())  # fmt: skip
    else:  # every row matches: one more test tells title hits from attribute hits
        tier = Case(When(in_title, then=Value(2)), default=Value(1), output_field=IntegerField())
    return condition, tier


# --- ordering and cursors ---
def _sort_keys(sort: str, tier) -> list[tuple[str, object, bool]]:
    """(name, expression, descending) from the first key to the last; the id makes every key unique."""
    sales = Coalesce("month_sold", Value(0), output_field=IntegerField())
    keys = {
        "relevance": [("k_tier", tier, True), ("k_sales", sales, True)] if tier is not None else [
            ("k_sales", sales, True)],
        "sales": [("k_sales", sales, True)],
        "price": [("k_price", Coalesce("price_min", Value(NO_PRICE_HIGH), output_field=DecimalField()), False)],
        "price_desc": [("k_price", Coalesce("price_min", Value(NO_PRICE_LOW), output_field=DecimalField()), True)],
        "newest": [("k_new", Coalesce("listed_at", "created_at", output_field=DateTimeField()), True)],
    }[sort]  # fmt: skip
    descending_id = sort != "price"
    return [*keys, ("k_id", None, descending_id)]


def _encode_cursor(sort: str, values: list) -> str:
    text = json.dumps([sort, [str(v) if isinstance(v, Decimal | datetime) else v for v in values]])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, sort: str, keys) -> list | None:
    """The sort values of the last row shown, or None when the cursor is absent or unusable."""
    if not cursor or len(cursor) > 500:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        saved_sort, values = json.loads(raw)
    except (ValueError, binascii.Error, TypeError):
        return None
    if saved_sort != sort or not isinstance(values, list) or len(values) != len(keys):
        return None
    typed = []
    try:
        for (name, _expr, _desc), value in zip(keys, values, strict=True):
            if name == "k_price":
                price = Decimal(str(value))
                if not price.is_finite() or abs(price) > 10**9:  # NaN, Infinity, 1e999: a forged cursor
                    return None
                typed.append(price)
            elif name == "k_new":
                moment = datetime.fromisoformat(value)
                if not 1900 <= moment.year <= 9000:  # the database's range, with room for time zones
                    return None
                typed.append(moment)
            else:
                if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
                    return None
                typed.append(value)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return typed


def _after(keys, values) -> Q:
    """Rows after the cursor in the sort order: (k1 > v1) or (k1 = v1 and k2 > v2) or ..."""
    columns = ["pk" if name == "k_id" else name for name, _e, _d in keys]
    condition = Q(pk__in=[])
    for index, (_name, _expr, desc) in enumerate(keys):
        step = Q(**{f"{columns[index]}__{'lt' if desc else 'gt'}": values[index]})
        for prior in range(index):
            step &= Q(**{columns[prior]: values[prior]})
        condition |= step
    return condition


def _page(queryset, keys, sort: str, after: str | None, limit: int) -> tuple[list[Product], str | None, bool]:
    """One keyset page, the cursor of the next one, and whether a given cursor was unusable."""
    queryset = queryset.annotate(**{name: expr for name, expr, _d in keys if expr is not None})
    values = _decode_cursor(after, sort, keys)
    if values is not None:
        queryset = queryset.filter(_after(keys, values))
    order = [("-" if desc else "") + ("pk" if name == "k_id" else name) for name, _e, desc in keys]
    rows = list(queryset.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = None
    if more and rows:
        last = rows[-1]
        cursor = _encode_cursor(sort, [last.pk if name == "k_id" else getattr(last, name) for name, _e, _d in keys])
    return rows, cursor, bool(after) and values is None


def catalog_generation() -> str:
    """A token that changes whenever a product's searchable data changes (catalog.keys.catalog_changed)."""
    generation = cache.get(CATALOG_GENERATION_KEY)
    if generation is None:
        cache.add(CATALOG_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(CATALOG_GENERATION_KEY) or ""
    return generation


def _cached_page(queryset, keys, sort: str, after: str | None, limit: int, identity) -> tuple[list[Product], str | None, bool]:  # fmt: skip
    """_page, with the page's rows (what their cards show) cached for CATALOG_RESULTS_CACHE_SECONDS or until
    the catalog changes, whichever comes first.

    Ranking a common word's thousands of matches costs ~8 ms at 100,000 products, and reading the 24
    rows again about 1.5 ms; a cached page costs one Redis read. Any save of a product and any change of
    status retires every cached page at once (catalog.keys.catalog_changed); only the "checked … ago" of a product
    refreshed without a change (an UPDATE of its fetch time) can lag, by at most the cache time."""
    seconds = settings.CATALOG_RESULTS_CACHE_SECONDS
    if not seconds:
        return _page(queryset, keys, sort, after, limit)
    shape = (CARD_PRODUCT_FIELDS, CARD_SUPPLIER_FIELDS)  # a deploy that changes them never reads older rows
    key = (
        "results:3:" + hashlib.blake2b(repr((shape, identity, sort, after, limit)).encode(), digest_size=16).hexdigest()
    )
    found = cache.get_many([CATALOG_GENERATION_KEY, key])  # one round trip: the page keeps its generation
    generation = found.get(CATALOG_GENERATION_KEY) or catalog_generation()
    hit = found.get(key)
    if hit is not None and hit[0] == generation:
        _generation, rows, cursor, restarted = hit
        return [_card_row(queryset.db, *row) for row in rows], cursor, restarted
    found, cursor, restarted = _page(queryset, keys, sort, after, limit)
    rows = [
        (tuple(getattr(p, name) for name in CARD_PRODUCT_FIELDS) + (p.supplier_id,),
         tuple(getattr(p.supplier, name) for name in CARD_SUPPLIER_FIELDS) if p.supplier_id else None)
        for p in found
    ]  # fmt: skip
    cache.set(key, (generation, rows, cursor, restarted), seconds)
    return found, cursor, restarted


def _card_row(db: str, values: tuple, supplier_values: tuple | None) -> Product:
    """A product (and its supplier) as card_rows reads it, from the values a cached page kept."""
    product = _from_values(Product, db, (*CARD_PRODUCT_FIELDS, "supplier_id"), values)
    if supplier_values is not None:
        product.supplier = _from_values(Supplier, db, CARD_SUPPLIER_FIELDS, supplier_values)
    return product


def _from_values(model, db: str, names: tuple, values: tuple):
    """An instance with only these fields loaded, as a query with .only() makes it."""
    given = dict(zip(names, values, strict=True))
    loaded = [f.attname for f in model._meta.concrete_fields if f.attname in given]  # from_db wants model order
    return model.from_db(db, loaded, [given[name] for name in loaded])


# What a result card shows (lists/templatetags/cards.py keys its cache on these): result pages read only these columns,
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


def _category_tree_ids(category_id: int):
    c = category_id
    return Category.objects.filter(Q(pk=c) | Q(parent_id=c) | Q(parent__parent_id=c)).values("pk")


def split_unknown(queryset, rule: MaybeUnknown, filters: SearchFilters):
    """(the offers that pass the filter, the offers it can't judge because their value is not known yet)."""
    return queryset.filter(rule.matches(filters)), queryset.filter(rule.unknown)


def _filtered(filters: SearchFilters, *, skip: str = ""):
    """The products the filters let through; a filter on a maybe-unknown field (all but `skip`) keeps the
    offers of unknown value when the user asked for them (filters.unknown)."""
    products = card_rows(Product.objects.exclude(status=Product.Status.NOT_FOUND))
    if filters.category:
        products = products.filter(category_id__in=_category_tree_ids(filters.category))
    if filters.price_min is not None:
        products = products.filter(price_min__gte=filters.price_min)
    if filters.price_max is not None:
        products = products.filter(price_min__lte=filters.price_max)
    for rule in active_unknowns(filters):
        if rule.name != skip:
            condition = rule.matches(filters)
            if rule.name in filters.unknown:
                condition |= rule.unknown
            products = products.filter(condition)
    return products


def _capped_count(queryset) -> int:
    return queryset.order_by().values("pk")[:COUNT_CAP].count()


def _counts(narrowed, filters: SearchFilters, identity) -> tuple[int, list[Hidden], list[int]]:
    """How many offers the page lists, how many each maybe-unknown filter hid, and hidden ones lacking a detail.

    `narrowed(skip)` is the page's queryset without the filter named `skip`. Cached like the result pages
    (until the catalog changes)."""
    seconds = settings.CATALOG_RESULTS_CACHE_SECONDS
    key = "counts:1:" + hashlib.blake2b(repr(identity).encode(), digest_size=16).hexdigest()
    if seconds:
        found = cache.get_many([CATALOG_GENERATION_KEY, key])
        hit = found.get(key)
        if hit is not None and hit[0] == (found.get(CATALOG_GENERATION_KEY) or catalog_generation()):
            return hit[1], [Hidden(*h) for h in hit[2]], hit[3]
    generation = catalog_generation()
    matched = _capped_count(narrowed(""))
    hidden, fill = [], []
    for rule in active_unknowns(filters):
        if rule.name in filters.unknown:
            continue
        _passing, unknown = split_unknown(narrowed(rule.name), rule, filters)
        count = _capped_count(unknown)
        if count:
            hidden.append(Hidden(rule.name, count, str(rule.reason)))
            if len(fill) < FILL_BATCH:
                lacking = unknown.filter(detail_fetched_at__isnull=True).exclude(pk__in=fill)
                fill += list(lacking.order_by(Coalesce("month_sold", Value(0)).desc(), "pk")
                             .values_list("pk", flat=True)[: FILL_BATCH - len(fill)])  # fmt: skip
    if seconds:
        cache.set(key, (generation, matched, [(h.name, h.count, h.reason) for h in hidden], fill), seconds)
    return matched, hidden, fill


def search_products(query: "str | SearchRequest" = "", filters: "Mapping | SearchFilters | None" = None, *, user: User | None = None,
                    after: str | None = None, limit: int = 24, team_search: SearchQuery | None = None,
                    count: bool = False) -> ResultPage:  # fmt: skip
    """A keyset page of the local catalog for a query (Chinese or English) and filters; never raises on input.

    The team's fetch of the search (whose offers rank first) is looked up unless `team_search` is given.
    With `count`, the page also says how many offers it lists and how many a filter hid (ResultPage.hidden)."""
    request = SearchRequest.of(query, filters)
    text, cleaned, terms, problems = request.text, request.filters, list(request.terms), list(request.problems)
    tier, search, condition = None, None, None
    if terms:
        search = team_search or (search_for(user, request) if user is not None else None)
        condition, tier = _text_condition(terms, list(search.offer_ids) if search else [])
    elif text:
        problems.append(_("“%(q)s” has no letters, digits or Chinese characters to search for.") % {"q": text[:40]})

    def narrowed(skip: str):
        products = _filtered(cleaned, skip=skip)
        return products.filter(condition) if condition is not None else products

    identity = (text, repr(cleaned), tuple(search.offer_ids) if search else ())
    rows, cursor, restarted = _cached_page(narrowed(""), _sort_keys(cleaned.sort, tier), cleaned.sort, after,
                                           clamp_limit(limit), identity)  # fmt: skip
    page = ResultPage(products=rows, next_cursor=cursor, query=text, filters=cleaned, problems=problems,
                      restarted=restarted)  # fmt: skip
    if count:
        page.matched, page.hidden, page.fill_ids = _counts(narrowed, cleaned, ("search", *identity))
    return page


def category_products(category: Category, *, sort: str = "sales", team_search: SearchQuery | None = None,
                      after: str | None = None, limit: int = 24, count: bool = False) -> ResultPage:  # fmt: skip
    """A keyset page of a category's offers: those the portal files under it (or a sub-category), and those
    1688 returned for the team's fetch of the category (live answers may lack an offer's category ids)."""
    cleaned, problems = clean_filters({"sort": sort})
    fetched = list(team_search.offer_ids) if team_search else []

    def narrowed(_skip: str):
        in_tree = Q(category_id__in=_category_tree_ids(category.pk))
        return _filtered(SearchFilters()).filter(in_tree | Q(offer_id__in=fetched) if fetched else in_tree)

    sort = cleaned.sort if cleaned.sort != "relevance" else "sales"
    identity = ("category", category.pk, tuple(fetched))
    rows, cursor, restarted = _cached_page(
        narrowed(""), _sort_keys(sort, None), sort, after, clamp_limit(limit), identity
    )
    page = ResultPage(products=rows, next_cursor=cursor, filters=SearchFilters(sort=sort), problems=problems,
                      restarted=restarted)  # fmt: skip
    if count:
        page.matched, page.hidden, page.fill_ids = _counts(narrowed, SearchFilters(), identity)
    return page


def supplier_products(supplier: Supplier, *, after: str | None = None, limit: int = 24) -> ResultPage:
    products = _filtered(SearchFilters()).filter(supplier=supplier)
    rows, cursor, restarted = _page(products, _sort_keys("sales", None), "sales", after, clamp_limit(limit))
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
