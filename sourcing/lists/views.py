"""Team lists: the lists page, a list with its items, the item page (edit, status, comments), compare,
exports, "save to list" from result cards and product pages, and the team's display currency.

Every list and item comes through the doors in selectors_lists (404 outside the team); every write
goes through lists/services.py, whose role checks decide (403 with words for a viewer). Bad input
re-renders the form with its errors and a 400; a clash with a teammate's edit answers 409 with
both values shown.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from sourcing.accounts.selectors import current_membership, get_membership_for_user
from sourcing.accounts.views.site import refusal
from sourcing.catalog.models import Product
from sourcing.catalog.views.search import is_htmx
from sourcing.core.converters import parse_id
from sourcing.core.http import safe_next
from sourcing.inquiries.selectors import answers_for_items, quotes_for_items
from sourcing.lists import exports as exports_lists
from sourcing.lists import services as services
from sourcing.lists.forms import AddToListForm, CommentForm, CurrencyForm, ItemBaseForm, ItemForm, ListForm, StatusForm
from sourcing.lists.models import ListItem
from sourcing.lists.selectors import (
    Converter,
    compare_columns,
    compare_items,
    get_item_for_user,
    get_list_for_user,
    item_comments,
    item_quote,
    item_stock,
    items_holding,
    items_read_more,
    items_with_comments,
    list_activity,
    list_index,
    list_items,
    list_totals,
    lists_for_user,
    recent_imports,
)
from sourcing.lists.services import EDITABLE, ItemConflict, ListError, ListForbidden, ListLimitReached, ListNameTaken


def _status_of(error: ListError) -> int:
    return 403 if isinstance(error, ListForbidden) else 400


def _refused(request, error: ListError, *, back: str = ""):
    """A refusal in words; 403 for a role, 400 for bad input."""
    return refusal(request, str(error), status=_status_of(error), back=back)


# --- the lists page ---
@login_required
@require_http_methods(["GET", "POST"])
def list_index_view(request):
    membership = current_membership(request.user)
    if membership is None:
        messages.info(request, _("Lists belong to a team: create or join one first."))
        return redirect("team_list")
    form = ListForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                product_list = services.list_create(actor=request.user, team=membership.team, **form.cleaned_data)
            except ListNameTaken as error:
                form.add_error("name", str(error))
            except ListLimitReached as error:
                form.add_error(None, str(error))
            except ListError as error:
                return _refused(request, error, back=reverse("lists"))
            else:
                messages.success(request, _("List “%(name)s” created. Save offers to it from search results or a "
                                            "product page.") % {"name": product_list.name})  # fmt: skip
                return redirect("list_detail", product_list.pk)
        status = 400
    archived = request.GET.get("archived") == "1"
    converter = Converter.for_team(membership.team)
    context = {
        "membership": membership,
        "lists": list_index(request.user, archived=archived, converter=converter),
        "archived": archived,
        "n_archived": lists_for_user(request.user, archived=True).count() if not archived else 0,
        "form": form,
        "converter": converter,
    }
    return render(request, "sourcing/lists/index.html", context, status=status)


# --- one list ---
@login_required
def list_detail(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    status = request.GET.get("status", "")
    all_items = list_items(product_list)
    items = [i for i in all_items if i.status == status] if status in ListItem.Status.values else all_items
    # Past LIST_PAGE_SIZE items the list shows in pages; totals, compare and the exports still take every item.
    page = Paginator(items, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page)
    items_with_comments(items)
    items_read_more(product_list.team_id, items)
    converter = Converter.for_team(product_list.team)
    counts = {s: 0 for s in ListItem.Status.values}
    for item in all_items:
        counts[item.status] += 1
    context = {
        "product_list": product_list,
        "membership": product_list.membership,
        "items": items,
        "page": page,
        "n_items": len(all_items),
        "status": status if status in ListItem.Status.values else "",
        "status_counts": [(s.value, s.label, counts[s.value]) for s in ListItem.Status],
        "statuses": ListItem.Status.choices,
        "totals": list_totals(all_items, converter),
        "converter": converter,
        "activity": list_activity(product_list, limit=30),
        "imports": recent_imports(product_list),
        "import_max_rows": f"{settings.LIST_IMPORT_MAX_ROWS:,}",
        "import_max_mb": f"{settings.LIST_IMPORT_MAX_BYTES / 1_000_000:.1f}".removesuffix(".0"),
    }
    return render(request, "sourcing/lists/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def list_edit(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    initial = {"name": product_list.name, "description": product_list.description}
    form = ListForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.list_update(actor=request.user, product_list=product_list, **form.cleaned_data)
            except ListNameTaken as error:
                form.add_error("name", str(error))
            except ListError as error:
                return _refused(request, error, back=reverse("list_detail", args=[product_list.pk]))
            else:
                messages.success(request, _("List saved."))
                return redirect("list_detail", product_list.pk)
        status = 400
    elif not product_list.membership.can_edit:
        return _refused(request, ListForbidden(_("Viewers can read the team's lists but not change them.")),
                        back=reverse("list_detail", args=[product_list.pk]))  # fmt: skip
    return render(request, "sourcing/lists/edit.html", {"product_list": product_list, "form": form}, status=status)


@login_required
@require_POST
def list_copy(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    form = ListForm({"name": request.POST.get("name") or _("Copy of %(name)s") % {"name": product_list.name}})
    if not form.is_valid():
        return _refused(request, ListError(" ".join(form.errors.get("name", []))),
                        back=reverse("list_detail", args=[product_list.pk]))  # fmt: skip
    try:  # without a name the service picks "Copy of …" with the next free number
        name = form.cleaned_data["name"] if request.POST.get("name", "").strip() else ""
        copy = services.list_copy(actor=request.user, product_list=product_list, name=name)
    except ListError as error:
        return _refused(request, error, back=reverse("list_detail", args=[product_list.pk]))
    n = copy.items.count()
    messages.success(request, ngettext("Copied: “%(name)s” with its %(n)s item (comments stay on the original).",
                                       "Copied: “%(name)s” with its %(n)s items (comments stay on the original).", n)
                     % {"name": copy.name, "n": n})  # fmt: skip
    return redirect("list_detail", copy.pk)


@login_required
@require_POST
def list_archive(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    archived = request.POST.get("archived") != "0"
    try:
        services.list_archive(actor=request.user, product_list=product_list, archived=archived)
    except ListError as error:
        return _refused(request, error, back=reverse("list_detail", args=[product_list.pk]))
    messages.success(request, _("List archived: it stays readable under “Archived”.") if archived
                     else _("List brought back."))  # fmt: skip
    return redirect("list_detail", product_list.pk)


@login_required
@require_POST
def list_delete(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    try:
        services.list_delete(actor=request.user, product_list=product_list)
    except ListError as error:
        return _refused(request, error, back=reverse("list_detail", args=[product_list.pk]))
    messages.success(request, _("List “%(name)s” deleted.") % {"name": product_list.name})
    return redirect("lists")


# --- compare and export ---
@login_required
def list_compare(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    items, error = compare_items(product_list, request.GET.getlist("item"))
    converter = Converter.for_team(product_list.team)
    quotes_for_items(product_list.team_id, items)
    answers_for_items(product_list.team_id, items)
    items_read_more(product_list.team_id, items)
    columns, unit_note = compare_columns(items, converter) if not error else ([], "")
    context = {
        "product_list": product_list,
        "error": error,
        "columns": columns,
        "unit_note": unit_note,
        "same_quantity": len({c.quote.quantity for c in columns}) == 1,
        "same_unit": len({str(c.quote.unit) for c in columns}) == 1 and all(c.quote.unit.known for c in columns),
        "converter": converter,
        "all_items": list(product_list.items.select_related("product").order_by("position", "pk")),
        "picked": {i.pk for i in items},
    }
    return render(request, "sourcing/lists/compare.html", context, status=400 if error else 200)


@login_required
def list_export_csv(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    return exports_lists.list_csv(product_list, Converter.for_team(product_list.team))


@login_required
def list_export_xlsx(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    return exports_lists.list_xlsx(product_list, Converter.for_team(product_list.team), user=request.user)


# --- save to a list: result cards and the product page ---
@login_required
@require_POST
def list_add(request):
    """One click: put an offer on a chosen list, or on a new one named inline. htmx gets the control back
    with a confirmation; a plain form post goes back where it came from with a message."""
    form = AddToListForm(request.POST)
    next_url = safe_next(request, request.POST.get("next"), default="lists")
    where = request.POST.get("where") == "card"
    offer_id = parse_id(request.POST.get("offer_id"))
    product = Product.objects.select_related("supplier").filter(offer_id=offer_id).first() if offer_id else None
    if product is None:
        raise Http404("No such offer")
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _save_answer(request, product, where=where, next_url=next_url, error=message, status=400)
    data = form.cleaned_data
    new_list = None
    try:
        if data["new_list_name"]:
            membership = current_membership(request.user)
            if membership is None:
                raise ListError(_("Lists belong to a team: create or join one first."))
            product_list = new_list = services.list_create(actor=request.user, team=membership.team,
                                                           name=data["new_list_name"])  # fmt: skip
        else:
            product_list = get_list_for_user(request.user, data["list"])
        item, created = services.item_add(actor=request.user, product_list=product_list, product=product,
                                          sku=parse_id(data["sku"]), target_quantity=data["qty"])  # fmt: skip
    except ListError as error:
        return _save_answer(request, product, where=where, next_url=next_url, error=str(error),
                            status=_status_of(error))  # fmt: skip
    if created:
        text = _("Saved to “%(list)s”.") % {"list": product_list.name}
    else:
        text = _("Already on “%(list)s”.") % {"list": product_list.name}
    return _save_answer(request, product, where=where, next_url=next_url, saved=item, text=text, new_list=new_list)


def _save_answer(request, product, *, where, next_url, saved=None, text="", error="", status=200, new_list=None):
    if not is_htmx(request):
        if error:
            return refusal(request, error, status=status, back=next_url)
        messages.success(request, text)
        return redirect(next_url)
    if hasattr(request, "_team_lists"):
        del request._team_lists  # the lists (and the saved marks) changed
    template = "sourcing/lists/_save_card.html" if where else "sourcing/lists/_save_box.html"
    context = {"product": product, "saved_item": saved, "save_text": text, "save_error": error, "open": True,
               "next_url": next_url, "new_list": new_list}  # fmt: skip
    return render(request, template, context, status=status)


# --- one item ---
def _item_values(item: ListItem) -> dict:
    return {"sku": item.sku_id, "target_quantity": item.target_quantity, "target_price": item.target_price,
            "note": item.note, "version": item.version}  # fmt: skip


def _item_page(request, item, *, form=None, base_form=None, comment_form=None, conflict=None, status=200):
    product = item.product
    values = _item_values(item)
    form = form or ItemForm(initial=values, product=product)
    base_form = base_form or ItemBaseForm(initial=values, product=product)
    converter = Converter.for_team(item.product_list.team)
    quotes_for_items(item.product_list.team_id, [item])
    answers_for_items(item.product_list.team_id, [item])
    items_read_more(item.product_list.team_id, [item])  # e.g. a cheaper identical offer, delivered (orders)
    context = {
        "item": item,
        "product_list": item.product_list,
        "membership": item.membership,
        "product": product,
        "quote": item_quote(item),
        "stock": item_stock(item),
        "supplier": product.supplier,
        "form": form,
        "base_form": base_form,
        "comment_form": comment_form or CommentForm(),
        "comments": item_comments(item),
        "activity": list(item.activity.select_related("actor").order_by("-at", "-pk")[:20]),
        "statuses": ListItem.Status.choices,
        "converter": converter,
        "conflict": conflict,
        "other_lists": [i for i in items_holding(request.user, product) if i.pk != item.pk],
    }
    return render(request, "sourcing/lists/item.html", context, status=status)


def _conflict_rows(conflict: ItemConflict, form: ItemForm) -> list[dict]:
    current = conflict.current
    rows = []
    for name in conflict.fields:
        value = getattr(current, "sku_label" if name == "sku" else name)
        rows.append({"field": form[name].label, "theirs": value if value not in (None, "") else "—"})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, item_id):
    item = get_item_for_user(request.user, item_id)
    if request.method == "GET":
        return _item_page(request, item)
    product = item.product
    form = ItemForm(request.POST, product=product)
    base_form = ItemBaseForm(request.POST, product=product)
    if not form.is_valid():
        return _item_page(request, item, form=form, status=400)
    changes = {k: form.cleaned_data[k] for k in EDITABLE}
    base = {k: base_form.cleaned_data[k] for k in EDITABLE} if base_form.is_valid() else None
    try:
        updated = services.item_update(actor=request.user, item=item, version=form.cleaned_data["version"],
                                       changes=changes, base=base)  # fmt: skip
    except ItemConflict as conflict:
        current = conflict.current
        merged = request.POST.copy()
        for name in EDITABLE:  # fields only the other person changed: show theirs; clashing ones: keep yours
            mine_changed = base is None or base.get(name) != changes[name]
            if name not in conflict.fields and not mine_changed:
                value = current.sku_id if name == "sku" else getattr(current, name)
                merged[name] = "" if value is None else str(value)
        merged["version"] = str(current.version)
        current.product_list, current.product = item.product_list, item.product
        current.membership = item.membership
        fresh_base = ItemBaseForm(initial=_item_values(current), product=product)
        bound = ItemForm(merged, product=product)
        bound.is_valid()
        rows = _conflict_rows(conflict, bound)
        return _item_page(request, current, form=bound, base_form=fresh_base,
                          conflict={"message": str(conflict), "rows": rows}, status=409)  # fmt: skip
    except ListError as error:
        return _refused(request, error, back=reverse("item_edit", args=[item.pk]))
    if updated.version == item.version:
        messages.info(request, _("Nothing to save: the item already has these values."))
    else:
        messages.success(request, _("Item saved."))
    return redirect(f"{reverse('list_detail', args=[item.product_list_id])}#item-{item.pk}")


@login_required
@require_POST
def item_status(request, item_id):
    item = get_item_for_user(request.user, item_id)
    form = StatusForm(request.POST)
    back = f"{reverse('list_detail', args=[item.product_list_id])}#item-{item.pk}"
    if not form.is_valid():
        return _refused(request, ListError(_("Unknown status.")), back=back)
    try:
        services.item_set_status(actor=request.user, item=item, status=form.cleaned_data["status"])
    except ListError as error:
        return _refused(request, error, back=back)
    if is_htmx(request):
        return render(request, "sourcing/lists/_status.html",
                      {"item": item, "statuses": ListItem.Status.choices, "membership": item.membership,
                       "status_saved": True})  # fmt: skip
    messages.success(request, _("Status: %(s)s.") % {"s": item.get_status_display()})
    return redirect(safe_next(request, request.POST.get("next"), default=back))


@login_required
@require_POST
def item_swap(request, item_id):
    """Swap the item to another supplier's offer of the same item (the product page's list)."""
    item = get_item_for_user(request.user, item_id)
    back = reverse("item_edit", args=[item.pk])
    try:
        item = services.item_swap(actor=request.user, item=item, offer_id=request.POST.get("offer_id", "")[:40])
    except ListError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Swapped to offer %(id)s; quantity, note and comments kept.") % {
        "id": item.product.offer_id})  # fmt: skip
    return redirect(back)


@login_required
@require_POST
def item_delete(request, item_id):
    item = get_item_for_user(request.user, item_id)
    list_id = item.product_list_id
    try:
        services.item_remove(actor=request.user, item=item)
    except ListError as error:
        return _refused(request, error, back=reverse("list_detail", args=[list_id]))
    if is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("Removed “%(t)s” from the list.") % {"t": item.product.display_title[:60]})
    return redirect("list_detail", list_id)


@login_required
@require_POST
def item_comment(request, item_id):
    item = get_item_for_user(request.user, item_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, comment_form=form, status=400)
    try:
        services.comment_add(actor=request.user, item=item, text=form.cleaned_data["text"])
    except ListError as error:
        return _refused(request, error, back=reverse("item_edit", args=[item.pk]))
    messages.success(request, _("Comment added."))
    return redirect(reverse("item_edit", args=[item.pk]) + "#comments")


# --- the team's currency ---
@login_required
@require_POST
def team_currency(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    form = CurrencyForm(request.POST, choices=[(c, c) for c in services.currency_choices()])
    back = reverse("team_detail", args=[membership.team_id])
    if not form.is_valid():
        return _refused(request, ListError(_("Pick one of the listed currencies.")), back=back)
    try:
        services.team_set_currency(actor=request.user, team=membership.team, currency=form.cleaned_data["currency"])
    except ListError as error:
        return _refused(request, error, back=back)
    converter = Converter.for_team(membership.team)
    if converter.missing:
        messages.warning(request, _("Prices will show in %(c)s once an admin adds a %(c)s rate (Admin → Exchange "
                                    "rates); until then in CNY only.") % {"c": converter.currency})  # fmt: skip
    else:
        messages.success(request, _("Prices now show in CNY and %(c)s.") % {"c": converter.currency}
                         if converter.active else _("Prices now show in CNY only."))  # fmt: skip
    return redirect(back)
