"""Team lists: every write to lists, items, comments and the team's display currency (docs/lists.md).

Each service checks the actor's role in the list's team (viewers read, buyers and up change, owners
and admins delete), writes its activity line and moves the list's `updated_at`, all in one
transaction. Edits of an item are optimistic: the editor names the version it started from and the
values it saw, so two people editing one item lose nothing (see `item_update`).
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sourcing.accounts.models import Membership, Team, User
from sourcing.catalog.models import Product, Sku
from sourcing.catalog.selectors.same_items import same_item_products
from sourcing.catalog.services.offers import product_fetch_start
from sourcing.catalog.services.refresh import want_source
from sourcing.lists.models import ExchangeRate, ItemComment, ListActivity, ListItem, ProductList, list_name_key
from sourcing.lists.selectors import forget_team_lists

Verb = ListActivity.Verb
EDITABLE = ("sku", "target_quantity", "target_price", "note")
CURRENCIES = {
    # code: (symbol, decimals, English name)
    "CNY": ("¥", 2, _lazy("Chinese yuan")), "USD": ("$", 2, _lazy("US dollar")), "EUR": ("€", 2, _lazy("Euro")),
    "GBP": ("£", 2, _lazy("Pound sterling")), "JPY": ("JP¥", 0, _lazy("Japanese yen")), "KRW": ("₩", 0, _lazy("South Korean won")),
    "HKD": ("HK$", 2, _lazy("Hong Kong dollar")), "TWD": ("NT$", 0, _lazy("New Taiwan dollar")), "SGD": ("S$", 2, _lazy("Singapore dollar")),
    "AUD": ("A$", 2, _lazy("Australian dollar")), "NZD": ("NZ$", 2, _lazy("New Zealand dollar")), "CAD": ("C$", 2, _lazy("Canadian dollar")),
    "CHF": ("CHF ", 2, _lazy("Swiss franc")), "SEK": ("SEK ", 2, _lazy("Swedish krona")), "NOK": ("NOK ", 2, _lazy("Norwegian krone")),
    "DKK": ("DKK ", 2, _lazy("Danish krone")), "PLN": ("zł ", 2, _lazy("Polish złoty")), "CZK": ("Kč ", 2, _lazy("Czech koruna")),
    "RUB": ("₽", 2, _lazy("Russian rouble")), "TRY": ("₺", 2, _lazy("Turkish lira")), "INR": ("₹", 2, _lazy("Indian rupee")),
    "THB": ("฿", 2, _lazy("Thai baht")), "VND": ("₫", 0, _lazy("Vietnamese dong")), "MYR": ("RM ", 2, _lazy("Malaysian ringgit")),
    "IDR": ("Rp ", 0, _lazy("Indonesian rupiah")), "PHP": ("₱", 2, _lazy("Philippine peso")), "AED": ("AED ", 2, _lazy("UAE dirham")),
    "SAR": ("SAR ", 2, _lazy("Saudi riyal")), "ILS": ("₪", 2, _lazy("Israeli shekel")), "ZAR": ("R ", 2, _lazy("South African rand")),
    "BRL": ("R$", 2, _lazy("Brazilian real")), "MXN": ("MX$", 2, _lazy("Mexican peso")), "CLP": ("CLP ", 0, _lazy("Chilean peso")),
}  # fmt: skip


class ListError(Exception):
    """A list change that was refused; the message is shown to the user as it is."""


class ListForbidden(ListError):
    """The actor's role does not allow the change (the views answer 403)."""


class ListNameTaken(ListError):
    """The team already has a list of that name (case and spaces ignored); the forms show it on the name."""

    def __init__(self, name: str):
        super().__init__(_("Your team already has a list named “%(name)s”. Pick another name, or save to that "
                           "list.") % {"name": name})  # fmt: skip


class ListLimitReached(ListError):
    """The team keeps as many lists, or the list holds as many items, as the settings allow; nothing was written."""


class ItemConflict(ListError):
    """Someone changed the same fields of the item meanwhile; `current` is the item as it now is."""

    def __init__(self, current: ListItem, fields: list[str]):
        self.current = current
        self.fields = fields
        who = current.updated_by.username if current.updated_by else _("someone")
        super().__init__(
            _("%(who)s changed this item while you were editing it. Their values are shown beside yours: "
              "keep yours and save again, or take theirs.") % {"who": who}
        )  # fmt: skip


# --- roles ---
def _membership(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None:
        raise ListForbidden(_("You are not a member of this list's team."))
    return membership


def _require_edit(actor: User, team_id: int) -> Membership:
    membership = _membership(actor, team_id)
    if not membership.can_edit:
        raise ListForbidden(_("Viewers can read the team's lists but not change them. Ask an owner or admin for "
                              "the buyer role."))  # fmt: skip
    return membership


def _require_delete(actor: User, team_id: int) -> Membership:
    membership = _membership(actor, team_id)
    if not membership.can_manage_members:
        raise ListForbidden(_("Only the team's owners and admins can delete lists and items. Set the item to "
                              "“Rejected” instead, or ask an owner."))  # fmt: skip
    return membership


# --- activity ---
def activity_record(*, product_list: ProductList, actor: User | None, verb: str, item: ListItem | None = None,
                    detail: str = "", at: datetime | None = None) -> ListActivity:  # fmt: skip
    """Write one line of the list's history and move the list's `updated_at`."""
    at = at or timezone.now()
    ProductList.objects.filter(pk=product_list.pk).update(updated_at=at)
    forget_team_lists(product_list.team_id)  # the save menus and "on your lists" marks
    return ListActivity.objects.create(product_list=product_list, item=item, actor=actor, verb=verb,
                                       detail=str(detail)[:500], at=at)  # fmt: skip


def _title(product: Product) -> str:
    return product.display_title[:200]


# --- caps (LISTS_PER_TEAM_MAX, LIST_ITEMS_MAX) ---
def _room_for_a_list(team_id: int) -> None:
    """Inside a transaction: lock the team's row so two people cannot both take its last free place.

    FOR NO KEY UPDATE: it queues the cap checks behind each other but not the inserts and renames that only hold
    a key-share lock on the team through a foreign key (FOR UPDATE deadlocked with a concurrent rename)."""
    list(Team.objects.select_for_update(no_key=True).filter(pk=team_id).values_list("pk", flat=True))
    limit = settings.LISTS_PER_TEAM_MAX
    if ProductList.objects.filter(team_id=team_id).count() >= limit:
        raise ListLimitReached(_("Your team already keeps %(max)s lists, the most allowed (archived lists count "
                                 "too). Delete a list you no longer need first.") % {"max": limit})  # fmt: skip


def _room_for_items(product_list: ProductList, adding: int = 1) -> None:
    """Inside a transaction: lock the list's row, then refuse when `adding` more items would pass the cap."""
    list(ProductList.objects.select_for_update(no_key=True).filter(pk=product_list.pk).values_list("pk", flat=True))
    limit = settings.LIST_ITEMS_MAX
    if ListItem.objects.filter(product_list_id=product_list.pk).count() + adding > limit:
        raise ListLimitReached(_("A list holds at most %(max)s items. Remove items you no longer need, or start "
                                 "another list.") % {"max": limit})  # fmt: skip


# --- lists ---
def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())[:120]
    if not name:
        raise ListError(_("Give the list a name."))
    return name


def _name_free(team_id: int, name: str, *, but: int | None = None) -> None:
    """Raise ListNameTaken when another of the team's lists (archived ones too) has this name."""
    same = ProductList.objects.filter(team_id=team_id, name_key=list_name_key(name)).exclude(pk=but)
    taken = same.values_list("name", flat=True).first()
    if taken is not None:
        raise ListNameTaken(taken)


def _free_name(team_id: int, name: str) -> str:
    """`name`, or the first of "name (2)", "name (3)" … the team has no list of (for names the portal makes up)."""
    keys = set(ProductList.objects.filter(team_id=team_id).values_list("name_key", flat=True))
    candidate, number = name, 1
    while list_name_key(candidate) in keys:
        number += 1
        suffix = f" ({number})"
        candidate = name[: 120 - len(suffix)] + suffix
    return candidate


def list_create(*, actor: User, team: Team, name: str, description: str = "") -> ProductList:
    """A new list in `team` (buyers and up)."""
    _require_edit(actor, team.pk)
    name = _clean_name(name)
    _name_free(team.pk, name)
    try:
        with transaction.atomic():
            _room_for_a_list(team.pk)
            product_list = ProductList.objects.create(team=team, name=name, description=str(description or "")[:2000],
                                                      created_by=actor)  # fmt: skip
            activity_record(product_list=product_list, actor=actor, verb=Verb.CREATED, detail=name)
    except IntegrityError:  # a teammate created the same name between the check and the INSERT
        _name_free(team.pk, name)
        raise
    return product_list


def list_update(*, actor: User, product_list: ProductList, name: str, description: str = "") -> ProductList:
    _require_edit(actor, product_list.team_id)
    name, description = _clean_name(name), str(description or "")[:2000]
    if (name, description) == (product_list.name, product_list.description):
        return product_list
    _name_free(product_list.team_id, name, but=product_list.pk)
    try:
        with transaction.atomic():
            old = product_list.name
            ProductList.objects.filter(pk=product_list.pk).update(name=name, name_key=list_name_key(name),
                                                                  description=description)  # fmt: skip
            detail = f"{old} → {name}" if old != name else _("description")
            activity_record(product_list=product_list, actor=actor, verb=Verb.RENAMED, detail=detail)
    except IntegrityError:  # the same race as in list_create
        _name_free(product_list.team_id, name, but=product_list.pk)
        raise
    product_list.refresh_from_db()
    return product_list


def list_archive(*, actor: User, product_list: ProductList, archived: bool) -> ProductList:
    """Archive a list (it leaves the pickers and the refresh, stays readable) or bring it back."""
    _require_edit(actor, product_list.team_id)
    with transaction.atomic():
        ProductList.objects.filter(pk=product_list.pk).update(archived_at=timezone.now() if archived else None)
        activity_record(product_list=product_list, actor=actor, verb=Verb.RENAMED,
                        detail=_("archived") if archived else _("brought back from the archive"))  # fmt: skip
    product_list.refresh_from_db()
    return product_list


def list_copy(*, actor: User, product_list: ProductList, name: str = "") -> ProductList:
    """A copy of the list in the same team: its items with their SKU, targets, note and status (not comments)."""
    _require_edit(actor, product_list.team_id)
    chosen = bool(name)
    if chosen:
        name = _clean_name(name)
        _name_free(product_list.team_id, name)
    for _attempt in range(5):
        if not chosen:  # the name the portal makes up takes the next free number rather than refusing
            name = _free_name(product_list.team_id, _clean_name(_("Copy of %(name)s") % {"name": product_list.name}))
        try:
            return _copy(actor, product_list, name)
        except IntegrityError:  # a teammate took the name between the check and the INSERT
            if chosen:
                _name_free(product_list.team_id, name)
                raise
    raise ListError(_("Too many copies of this list are being made at once. Try again."))


def _copy(actor: User, product_list: ProductList, name: str) -> ProductList:
    now = timezone.now()
    with transaction.atomic():
        _room_for_a_list(product_list.team_id)
        if product_list.items.count() > settings.LIST_ITEMS_MAX:
            _room_for_items(product_list, adding=0)
        copy = ProductList.objects.create(team_id=product_list.team_id, name=name, description=product_list.description,
                                          created_by=actor, copied_from=product_list, created_at=now, updated_at=now)  # fmt: skip
        fields = ["product_id", "sku_id", "sku_label", "target_quantity", "target_price", "note", "status", "position"]
        ListItem.objects.bulk_create([
            ListItem(product_list=copy, added_by=actor, updated_by=actor, created_at=now, updated_at=now,
                     **{f: getattr(item, f) for f in fields})
            for item in product_list.items.order_by("position", "pk")
        ])  # fmt: skip
        activity_record(product_list=copy, actor=actor, verb=Verb.COPIED,
                        detail=_("from “%(name)s”") % {"name": product_list.name}, at=now)  # fmt: skip
        activity_record(product_list=product_list, actor=actor, verb=Verb.COPIED,
                        detail=_("to “%(name)s”") % {"name": name}, at=now)  # fmt: skip
    return copy


def list_delete(*, actor: User, product_list: ProductList) -> None:
    """Delete a list with its items, comments and history (owners and admins)."""
    _require_delete(actor, product_list.team_id)
    product_list.delete()


# --- items ---
def _sku_of(product: Product, sku) -> Sku | None:
    if sku in (None, ""):
        return None
    if isinstance(sku, Sku):
        found = sku if sku.product_id == product.pk else None
    else:
        found = Sku.objects.filter(product=product, pk=sku).first() if str(sku).isdigit() else None
    if found is None:
        raise ListError(_("That option is not one of this offer's SKUs."))
    return found


def _clean_quantity(value) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000_000:
        raise ListError(_("The target quantity is a whole number of pieces from 1 to 10,000,000."))
    return value


def _clean_price(value) -> Decimal | None:
    if value in (None, ""):
        return None
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1_000_000:
        raise ListError(_("The target price is an amount in yuan from 0 to 1,000,000."))
    return value.quantize(Decimal("0.01"))


def item_add(*, actor: User, product_list: ProductList, product: Product, sku=None, target_quantity=None,
             target_price=None, note: str = "") -> tuple[ListItem, bool]:  # fmt: skip
    """Put an offer on a list (buyers and up); (item, created). An offer already on the list is found, not doubled."""
    _require_edit(actor, product_list.team_id)
    if product_list.archived_at:
        raise ListError(_("This list is archived: bring it back before adding to it."))
    existing = ListItem.objects.filter(product_list=product_list, product=product).first()
    if existing:
        return existing, False
    sku = _sku_of(product, sku)
    values = {
        "sku": sku, "sku_label": sku.label[:200] if sku else "", "target_quantity": _clean_quantity(target_quantity),
        "target_price": _clean_price(target_price), "note": str(note or "")[:2000],
    }  # fmt: skip
    try:
        with transaction.atomic():
            _room_for_items(product_list)
            position = (product_list.items.aggregate(m=Max("position"))["m"] or 0) + 1
            item = ListItem.objects.create(product_list=product_list, product=product, added_by=actor,
                                           updated_by=actor, position=position, **values)  # fmt: skip
            activity_record(product_list=product_list, actor=actor, verb=Verb.ADDED, item=item, detail=_title(product))
    except IntegrityError:  # two clicks (or two people) raced to add the same offer: one item
        return ListItem.objects.get(product_list=product_list, product=product), False
    if product.detail_fetched_at is None:
        # Saved from a search result: compare and export need the tiers, SKUs and supplier of the full detail.
        product_fetch_start(user=actor, offer_id=product.offer_id)
    return item, True


def _value(item: ListItem, name: str):
    return item.sku_id if name == "sku" else getattr(item, name)


def _describe(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "target_price":
        return f"¥{value}"
    if name == "note":
        text = str(value)
        return text if len(text) <= 60 else text[:59] + "…"
    return str(value)


FIELD_LABELS = {"sku": _lazy("SKU"), "target_quantity": _lazy("quantity"), "target_price": _lazy("target price"),
                "note": _lazy("note")}  # fmt: skip


def item_update(*, actor: User, item: ListItem, version: int, changes: Mapping,
                base: Mapping | None = None) -> ListItem:  # fmt: skip
    """Edit an item's SKU, target quantity, target price or note (buyers and up).

    `version` is the item's version when the editor opened it, `base` the values the editor saw (the
    form sends them back). When nobody changed the item meanwhile the edit lands as it is. Otherwise
    it merges field by field: the fields only this editor changed are written and the other person's
    changes to other fields stay; a field both changed to different values raises ItemConflict (with
    the item as it now is), so neither change is lost silently. Without `base`, any change meanwhile
    is a conflict. The write is one conditional UPDATE on the version, retried if it loses a race.
    """
    _require_edit(actor, item.product_list.team_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ListError(_("These fields can't be edited: %(f)s") % {"f": ", ".join(sorted(unknown))})
    product = item.product
    wanted = dict(changes)
    if "sku" in wanted:
        sku = _sku_of(product, wanted["sku"])
        wanted["sku"] = sku.pk if sku else None
    if "target_quantity" in wanted:
        wanted["target_quantity"] = _clean_quantity(wanted["target_quantity"])
    if "target_price" in wanted:
        wanted["target_price"] = _clean_price(wanted["target_price"])
    if "note" in wanted:
        wanted["note"] = str(wanted["note"] or "")[:2000]
    if base is not None:  # only what this editor changed is theirs to write
        wanted = {k: v for k, v in wanted.items() if k not in base or base[k] != v}
    for _attempt in range(5):
        current = ListItem.objects.select_related("updated_by").filter(pk=item.pk).first()
        if current is None:
            raise ListError(_("This item was removed from the list meanwhile."))
        if current.version != version:
            clash = [
                k for k, v in wanted.items()
                if base is None and _value(current, k) != v
                or base is not None and _value(current, k) != base.get(k) and _value(current, k) != v
            ]  # fmt: skip
            if clash:
                raise ItemConflict(current, clash)
        write = {k: v for k, v in wanted.items() if _value(current, k) != v}
        if not write:
            return current
        values = {("sku_id" if k == "sku" else k): v for k, v in write.items()}
        shown = {k: _describe(k, v) for k, v in write.items()}
        was = {k: _describe(k, _value(current, k)) for k in write}
        if "sku" in write:
            values["sku_label"] = Sku.objects.get(pk=write["sku"]).label[:200] if write["sku"] else ""
            shown["sku"], was["sku"] = values["sku_label"] or "—", current.sku_label or "—"
        now = timezone.now()
        with transaction.atomic():
            landed = ListItem.objects.filter(pk=item.pk, version=current.version).update(
                **values, version=F("version") + 1, updated_at=now, updated_by=actor
            )
            if landed:
                detail = "; ".join(f"{FIELD_LABELS[k]}: {was[k]} → {shown[k]}" for k in write)
                activity_record(product_list=item.product_list, actor=actor, verb=Verb.EDITED, item=item,
                                detail=f"{_title(product)} · {detail}", at=now)  # fmt: skip
                return ListItem.objects.select_related("updated_by", "sku").get(pk=item.pk)
        version = current.version if base is not None else version  # lost a race: merge against the newer row
    raise ItemConflict(ListItem.objects.select_related("updated_by").get(pk=item.pk), list(wanted))


def item_set_status(*, actor: User, item: ListItem, status: str) -> ListItem:
    """Move an item to a status (buyers and up): a field-level update, so it never clashes with an edit."""
    _require_edit(actor, item.product_list.team_id)
    if status not in ListItem.Status.values:
        raise ListError(_("Unknown status."))
    with transaction.atomic():
        current = ListItem.objects.select_for_update().filter(pk=item.pk).first()
        if current is None:
            raise ListError(_("This item was removed from the list meanwhile."))
        if current.status != status:
            now = timezone.now()
            ListItem.objects.filter(pk=item.pk).update(status=status, updated_at=now, updated_by=actor)
            # Stored by value; the page names the statuses in its reader's language.
            activity_record(product_list=item.product_list, actor=actor, verb=Verb.STATUS, item=item,
                            detail=f"{_title(item.product)} · {current.status} → {status}", at=now)  # fmt: skip
    item.status = status
    return item


def item_swap(*, actor: User, item: ListItem, offer_id) -> ListItem:
    """Put another supplier's offer of the same item in the item's place (buyers and up), keeping the quantity,
    target price, note, status and comments; the option is chosen again on the new offer (its label is kept)."""
    _require_edit(actor, item.product_list.team_id)
    try:
        number = int(str(offer_id).strip())
    except (TypeError, ValueError):
        raise ListError(_("Choose one of the same item's offers.")) from None
    with transaction.atomic():
        current = ListItem.objects.select_for_update().select_related("product").filter(pk=item.pk).first()
        if current is None:
            raise ListError(_("This item was removed from the list meanwhile."))
        other = next((p for p in same_item_products(current.product) if p.offer_id == number), None)
        if other is None:
            raise ListError(_("That offer is not the same item as this one (or is no longer on 1688)."))
        if ListItem.objects.filter(product_list_id=current.product_list_id, product=other).exists():
            raise ListError(_("That offer is already on this list."))
        now = timezone.now()
        label = current.sku_label or (current.sku.label if current.sku_id else "")
        ListItem.objects.filter(pk=item.pk).update(product=other, sku=None, sku_label=label, updated_at=now,
                                                   updated_by=actor, version=F("version") + 1)  # fmt: skip
        activity_record(product_list=item.product_list, actor=actor, verb=Verb.EDITED, item=item,
                        detail=f"{_title(current.product)} → {_title(other)} ({other.offer_id})", at=now)  # fmt: skip
    item.refresh_from_db()
    return item


def item_remove(*, actor: User, item: ListItem) -> None:
    """Take an item off its list, with its comments (owners and admins); the history keeps a line."""
    _require_delete(actor, item.product_list.team_id)
    with transaction.atomic():
        activity_record(product_list=item.product_list, actor=actor, verb=Verb.REMOVED, detail=_title(item.product))
        item.delete()


def comment_add(*, actor: User, item: ListItem, text: str) -> ItemComment:
    """A comment on an item (buyers and up)."""
    _require_edit(actor, item.product_list.team_id)
    text = str(text or "").strip()[:2000]
    if not text:
        raise ListError(_("Write something first."))
    with transaction.atomic():
        comment = ItemComment.objects.create(item=item, author=actor, text=text)
        short = text if len(text) <= 80 else text[:79] + "…"
        activity_record(product_list=item.product_list, actor=actor, verb=Verb.COMMENTED, item=item,
                        detail=f"{_title(item.product)}: “{short}”")  # fmt: skip
    return comment


# --- the team's display currency ---
def team_set_currency(*, actor: User, team: Team, currency: str) -> Team:
    """Owners and admins pick the currency shown beside CNY."""
    membership = _membership(actor, team.pk)
    if not membership.can_manage_members:
        raise ListForbidden(_("Only the team's owners and admins can change its currency."))
    code = str(currency or "").strip().upper()
    if code not in currency_choices():
        raise ListError(_("Pick one of the listed currencies."))
    Team.objects.filter(pk=team.pk).update(display_currency=code)
    team.display_currency = code
    return team


def currency_choices() -> list[str]:
    """The currencies a team may pick: the common ones, and any the admins keep a rate for."""
    kept = set(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    return ["CNY"] + sorted((set(CURRENCIES) | kept) - {"CNY"})


# --- the catalog refreshes products on lists sooner ---
@want_source
def list_items_wanted(now: datetime) -> QuerySet:
    """Products on any active list, wanted by whoever added them and by the list's team."""
    return ListItem.objects.filter(product_list__archived_at__isnull=True).values(
        "product_id",
        user_id=F("added_by_id"),
        team_id=F("product_list__team_id"),
    )
