"""Reads of team lists: the doors to lists and items, prices at quantity, compare, the team's currency.

Every list or item a view shows comes through `get_list_for_user` or `get_item_for_user`: they
answer 404 to anyone outside the list's team (the portal does not confirm the list exists) and set
`.membership` (the reader's role) on what they return. Contract: docs/lists.md.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q
from django.utils import timezone

from portal.cache import forget, page_cache
from sourcing.accounts.models import User
from sourcing.accounts.selectors import current_membership, get_team_object_for_user
from sourcing.catalog.models import Product, Supplier
from sourcing.catalog.pricing import PriceQuote, price_at_quantity
from sourcing.catalog.selectors.trust import Trust, trust_for
from sourcing.core.converters import parse_id
from sourcing.inquiries.selectors import answers_for_items, quotes_for_items
from sourcing.lists.models import ExchangeRate, ItemComment, ListActivity, ListImport, ListItem, ProductList

COMPARE_MIN, COMPARE_MAX = 2, 6
CENT = Decimal("0.01")


# --- what the domains above know of an item (orders: the verified quote); they register, the pages call ---
ITEM_READERS: list = []


def item_reader(fn):
    """Register fn(team_id, items), which attaches what its domain knows to each list item (one query for all)."""
    ITEM_READERS.append(fn)
    return fn


def items_read_more(team_id: int, items) -> None:
    """Let every registered reader attach its attributes (`.verified_quote`, …) to the items."""
    for fn in ITEM_READERS:
        fn(team_id, items)


# --- the doors ---
def get_list_for_user(user: User, pk) -> ProductList:
    """The list if the user is a member of its team (with `.membership` set); 404 for anyone else."""
    lists = ProductList.objects.select_related("team", "created_by", "copied_from")
    return get_team_object_for_user(user, lists, pk, name="list")


def get_item_for_user(user: User, pk) -> ListItem:
    """A list item if the user is a member of its list's team (`.membership` set on it and its list); else 404."""
    items = ListItem.objects.select_related("product_list__team", "product__supplier", "sku", "added_by", "updated_by")
    item = get_team_object_for_user(user, items, pk, team_of=lambda i: i.product_list.team_id, name="item")
    item.product_list.membership = item.membership
    return item


def get_import_for_user(user: User, list_id, import_id) -> ListImport:
    """An import into the list `list_id` if the user is a member of its team (`.membership` set on it and its
    list); 404 for anyone else, and for an import of another list."""
    imports = ListImport.objects.select_related("product_list__team", "created_by").filter(
        product_list_id=parse_id(list_id) or 0
    )
    found = get_team_object_for_user(user, imports, import_id, team_of=lambda i: i.product_list.team_id,
                                     name="import")  # fmt: skip
    found.product_list.membership = found.membership
    return found


def recent_imports(product_list: ProductList, *, limit: int = 5) -> list[ListImport]:
    """The list's latest imports, newest first (the list page links their results)."""
    return list(product_list.imports.select_related("created_by").order_by("-created_at", "-pk")[:limit])


def lists_for_user(user: User, *, archived: bool = False):
    """The lists of the user's current team (active ones, or only the archived), most recently changed first."""
    membership = current_membership(user)
    if membership is None:
        return ProductList.objects.none()
    return ProductList.objects.filter(team_id=membership.team_id, archived_at__isnull=not archived).order_by(
        "-updated_at", "-pk"
    )


def items_holding(user: User, product: Product) -> list[ListItem]:
    """The current team's items of this product (on active lists), with their list loaded."""
    membership = current_membership(user)
    if membership is None or product is None:
        return []
    return list(
        ListItem.objects.select_related("product_list")
        .filter(product=product, product_list__team_id=membership.team_id, product_list__archived_at__isnull=True)
        .order_by("-product_list__updated_at", "pk")
    )


def lists_holding(user: User, product: Product) -> list[ProductList]:
    return [item.product_list for item in items_holding(user, product)]


@dataclass(frozen=True)
class Held:
    """One of the team's active lists holding a product: what the save controls show."""

    list_id: int
    list_name: str
    item_id: int
    status: str

    @property
    def status_label(self) -> str:
        return ListItem.Status(self.status).label


def team_lists_and_saved(team_id: int, *, limit: int = 30) -> tuple[list[ProductList], dict[int, list[Held]]]:
    """A team's active lists (most recently changed first) and, per product id, the lists holding it.

    One query (lists joined to their items), so "Save to list" on 24 result cards, or the product page's
    "on your team's lists", costs one query in all; kept in the page cache until one of the team's lists
    changes (every change writes the list's activity: services/lists.activity_record forgets it).
    """
    key = f"team-lists:{team_id}"
    kept = page_cache.get(key)
    if kept is None:
        rows = (
            ProductList.objects.filter(team_id=team_id, archived_at__isnull=True)
            .order_by("-updated_at", "-pk")
            .values_list("pk", "name", "items__pk", "items__product_id", "items__status")
        )
        names: dict[int, str] = {}
        saved: dict[int, list[Held]] = {}
        for pk, name, item_id, product_id, status in rows:
            names.setdefault(pk, name)
            if product_id is not None:
                saved.setdefault(product_id, []).append(Held(pk, name, item_id, status))
        kept = (list(names.items()), saved)
        page_cache.set(key, kept, 300)
    names, saved = kept
    return [ProductList(pk=pk, team_id=team_id, name=name) for pk, name in names[:limit]], saved


def forget_team_lists(team_id) -> None:
    """One of the team's lists changed."""
    if team_id is not None:
        forget(f"team-lists:{team_id}")


# --- pages ---
def list_index(user: User, *, archived: bool = False, converter: "Converter | None" = None) -> list[ProductList]:
    """The lists page: each list with item counts by status, its total at target quantities, and up to four
    pictures (three queries however many lists)."""
    S = ListItem.Status
    counts = {f"n_{s}": Count("items", filter=Q(items__status=s)) for s in S.values}
    lists = list(
        lists_for_user(user, archived=archived).select_related("created_by").annotate(n_items=Count("items"), **counts)
    )
    by_list: dict[int, list[ListItem]] = {}
    items = ListItem.objects.filter(product_list__in=lists).select_related("product", "sku").order_by("position", "pk")
    for item in items:
        by_list.setdefault(item.product_list_id, []).append(item)
    for product_list in lists:
        mine = by_list.get(product_list.pk, [])
        product_list.pictures = [i.product.image_url for i in mine if i.product.image_url][:4]
        product_list.totals = list_totals(mine, converter or Converter())
        product_list.status_counts = [
            (s.value, s.label, getattr(product_list, f"n_{s.value}"))
            for s in S
            if getattr(product_list, f"n_{s.value}")
        ]
    return lists


# What a list page's row reads of a product (lists/templatetags/rows.py, catalog/pricing.price_at_quantity) and of
# its supplier; the rest (descriptions, pictures, the search columns) is left in the database.
ROW_PRODUCT_FIELDS = ("offer_id", "title", "title_en", "supplier", "company_name", "province", "price_min", "price_max",
                      "price_tiers", "moq", "unit", "unit_en", "image_url", "attributes", "quote_type", "stock",
                      "status")  # fmt: skip
ROW_SUPPLIER_FIELDS = ("company_name", "province")
_ROW_DEFERRED = [f"product__{f.name}" for f in Product._meta.concrete_fields
                 if not f.primary_key and f.name not in ROW_PRODUCT_FIELDS] + [
                 f"product__supplier__{f.name}" for f in Supplier._meta.concrete_fields
                 if not f.primary_key and f.name not in ROW_SUPPLIER_FIELDS]  # fmt: skip


def list_items(product_list: ProductList, *, status: str = "") -> list[ListItem]:
    """The list's items in order, each with its product, supplier, SKU and `.quote` at quantity (comments and their
    count: items_with_comments)."""
    items = (
        product_list.items.select_related("product__supplier", "sku", "added_by")
        .defer(*_ROW_DEFERRED)
        .order_by("position", "pk")
    )
    if status in ListItem.Status.values:
        items = items.filter(status=status)
    items = list(items)
    for item in items:
        item.quote = item_quote(item)
    quotes_for_items(product_list.team_id, items)
    answers_for_items(product_list.team_id, items)
    return items


def item_comments(item: ListItem) -> list[ItemComment]:
    return list(item.comments.select_related("author").order_by("created_at", "pk"))


def list_activity(product_list: ProductList, limit: int = 50) -> list[ListActivity]:
    return list(product_list.activity.select_related("actor").order_by("-at", "-pk")[:limit])


def items_with_comments(items: list[ListItem]) -> None:
    """Attach `.recent_comments` (the last three, oldest first) and `.n_comments` to each item: one query."""
    by_item: dict[int, list[ItemComment]] = {}
    counts: dict[int, int] = {}
    rows = ItemComment.objects.filter(item__in=items).select_related("author").order_by("item_id", "-created_at")
    for comment in rows:
        counts[comment.item_id] = counts.get(comment.item_id, 0) + 1
        bucket = by_item.setdefault(comment.item_id, [])
        if len(bucket) < 3:
            bucket.append(comment)
    for item in items:
        item.recent_comments = list(reversed(by_item.get(item.pk, [])))
        item.n_comments = counts.get(item.pk, 0)


# --- prices ---
def item_quote(item: ListItem) -> PriceQuote:
    """The price of the item's chosen option at its target quantity (the minimum order when none is set)."""
    product = item.product
    return price_at_quantity(product, item.target_quantity or product.moq or 1, sku=item.sku if item.sku_id else None)


def item_stock(item: ListItem) -> int | None:
    """The stock of the chosen SKU, or of the whole offer when no SKU is chosen."""
    if item.sku_id and item.sku is not None:
        return item.sku.stock
    return item.product.stock


# --- the team's currency ---
def rate_for(currency: str, day: date | None = None) -> ExchangeRate | None:
    """The newest rate for `currency` dated on or before `day` (today); None for CNY or when there is none."""
    code = (currency or "").upper()
    if not code or code == "CNY":
        return None
    day = day or timezone.localdate()
    return ExchangeRate.objects.filter(currency=code, date__lte=day).order_by("-date").first()


@dataclass
class Converter:
    """Yuan → the team's display currency at the rate that applies today (or on `day`)."""

    currency: str = "CNY"
    rate: ExchangeRate | None = None
    do_not_call_in_templates = True  # templates read .active and .currency; only Python converts

    @classmethod
    def for_team(cls, team, day: date | None = None) -> "Converter":
        currency = (getattr(team, "display_currency", "") or "CNY").upper()
        return cls(currency=currency, rate=rate_for(currency, day))

    @property
    def active(self) -> bool:
        """A second currency is shown."""
        return self.rate is not None

    @property
    def missing(self) -> bool:
        """The team wants a currency the admins have no rate for (yet): prices show in CNY only, with a note."""
        return self.currency != "CNY" and self.rate is None

    def __call__(self, amount) -> Decimal | None:
        if amount is None or self.rate is None:
            return None
        return (Decimal(amount) * self.rate.rate).quantize(CENT)


# --- list totals ---
@dataclass
class ListTotals:
    cny: Decimal = Decimal("0")
    priced: int = 0  # items with a price
    unpriced: int = 0  # items 1688 gave no price for
    converted: Decimal | None = None
    by_status: dict = field(default_factory=dict)


def list_totals(items: list[ListItem], converter: Converter) -> ListTotals:
    """What the list costs at its target quantities, rejected items left out."""
    totals = ListTotals()
    for item in items:
        if item.status == ListItem.Status.REJECTED:
            continue
        quote = getattr(item, "quote", None) or item_quote(item)
        if quote.total is None:
            totals.unpriced += 1
            continue
        totals.cny += quote.total
        totals.priced += 1
    totals.converted = converter(totals.cny) if totals.priced else None
    return totals


# --- compare ---
@dataclass
class CompareColumn:
    item: ListItem
    quote: PriceQuote
    stock: int | None
    unit_converted: Decimal | None
    total_converted: Decimal | None
    best: set = field(default_factory=set)  # the rows where this column is the best value

    @property
    def product(self) -> Product:
        return self.item.product

    @property
    def supplier(self):
        return self.item.product.supplier

    @cached_property
    def trust(self) -> Trust:
        """The supplier's trust signals, from the supplier row or, before it is known, the search item."""
        return trust_for(self.item.product)

    @property
    def landed(self):
        """The item's landed cost (set by the orders domain's item reader), or None."""
        return getattr(self.item, "landed", None)

    @property
    def landed_piece(self) -> Decimal | None:
        """The landed cost of one piece (of one unit when a pack's size isn't known), when it is known."""
        landed = self.landed
        unit = getattr(landed, "unit", None)
        if unit is None:
            return None
        if self.quote.unit.per_pack and not self.quote.unit.is_piece:
            return (unit / self.quote.unit.per_pack).quantize(Decimal("0.0001"))
        return unit

    @property
    def enough_stock(self) -> bool | None:
        if self.stock is None:
            return None
        return self.stock >= self.quote.quantity


def compare_items(product_list: ProductList, raw_ids: list) -> tuple[list[ListItem], str]:
    """The items picked for compare (ids from the query string, kept in list order), or an error in words.

    Ids of other lists are ignored; with none picked, the first six items that aren't rejected.
    """
    from django.utils.translation import gettext as _

    ids = [i for i in (parse_id(v) for v in raw_ids[:50]) if i]
    items = product_list.items.select_related("product__supplier", "sku").order_by("position", "pk")
    if ids:
        items = list(items.filter(pk__in=ids))
    else:
        items = list(items.exclude(status=ListItem.Status.REJECTED)[:COMPARE_MAX])
    if len(items) < COMPARE_MIN:
        return items, _("Pick at least two items of this list to compare.")
    if len(items) > COMPARE_MAX:
        return items, _("Pick at most six items to compare side by side.")
    return items, ""


def _mark_best(columns: list[CompareColumn], key: str, value, *, highest: bool = False) -> None:
    """Flag the best value of a row; nothing when fewer than two columns have one or all are equal."""
    known = [(value(c), c) for c in columns if value(c) is not None]
    if len(known) < 2 or len({v for v, _c in known}) == 1:
        return
    best = max(v for v, _c in known) if highest else min(v for v, _c in known)
    for v, column in known:
        if v == best:
            column.best.add(key)


def compare_columns(items: list[ListItem], converter: Converter) -> tuple[list[CompareColumn], str]:
    """One column per item at its own target quantity, with the best value of each row flagged, and a note
    when prices are in units that can't be ranked against each other.

    Prices are ranked per piece: a pack (箱, 盒, 套) counts as pieces only when 1688 says how many it holds;
    otherwise only columns sold by the same unit are ranked together, and the note says so."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    columns = []
    for item in items:
        quote = item_quote(item)
        columns.append(
            CompareColumn(
                item=item,
                quote=quote,
                stock=item_stock(item),
                unit_converted=converter(quote.unit_price),
                total_converted=converter(quote.total),
            )
        )
    groups: dict[str, list[CompareColumn]] = {}
    for column in columns:
        if column.quote.unit.known:
            groups.setdefault(column.quote.unit.key, []).append(column)
    for group in groups.values():
        _mark_best(group, "unit", lambda c: c.quote.piece_price)
    # quantities (totals, minimum orders, stock) compare only in the very same unit: 100 箱 is not 100 个
    same_unit: dict[str, list[CompareColumn]] = {}
    for column in columns:
        if column.quote.unit.known:
            same_unit.setdefault(str(column.quote.unit), []).append(column)
    for group in same_unit.values():
        _mark_best(group, "moq", lambda c: c.product.moq)
        _mark_best(group, "stock", lambda c: c.stock, highest=True)
    notes = []
    if len(groups) > 1:
        names = sorted({c.quote.unit.short for c in columns if c.quote.unit.known})
        notes.append(_(
            "These offers are sold in different units (%(units)s) and 1688 does not say how many pieces each "
            "pack holds: the best price is marked only among offers sold by the same unit."
        ) % {"units": ", ".join(names)})  # fmt: skip
    unknown = sum(1 for c in columns if not c.quote.unit.known)
    if unknown:
        notes.append(ngettext(
            "1688 did not state the unit of %(n)s offer, so its price is not ranked against the others.",
            "1688 did not state the unit of %(n)s offers, so their prices are not ranked against the others.",
            unknown,
        ) % {"n": unknown})  # fmt: skip
    note = " ".join(notes)
    same_quantity = len({c.quote.quantity for c in columns}) == 1
    if same_quantity and len(same_unit) == 1 and all(c.quote.unit.known for c in columns):
        _mark_best(columns, "total", lambda c: c.quote.total)  # totals only for the same quantity of the same unit
    # Landed cost is what the goods cost delivered: when it is known, compare ranks by it (per piece, within one
    # unit like the unit price), known columns first, cheapest first; the others keep their list order after.
    # Offers in units that can't be ranked together keep their list order.
    for group in groups.values():
        _mark_best(group, "landed", lambda c: c.landed_piece)
        # the suppliers' answers to a request: the lowest price answered at quantity (per unit, within one unit)
        _mark_best(group, "answer", lambda c: getattr(getattr(c.item, "supplier_answer", None), "quoted_price", None))
    landed_units = {c.quote.unit.key if c.quote.unit.known else None for c in columns if c.landed_piece is not None}
    if landed_units and None not in landed_units and len(landed_units) == 1:
        columns.sort(key=lambda c: (c.landed_piece is None, c.landed_piece or 0))
    _mark_best(columns, "ships", lambda c: c.product.ships_within_hours)
    _mark_best(columns, "years", lambda c: c.trust.years, highest=True)
    _mark_best(columns, "score", lambda c: c.trust.service_score, highest=True)
    _mark_best(columns, "repurchase", lambda c: c.trust.repurchase_rate, highest=True)
    _mark_best(columns, "rating", lambda c: c.trust.trade_score, highest=True)
    return columns, note
