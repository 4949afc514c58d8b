"""A list's verified quotes: the quotes page, "Quote with 1688" (the whole list or the ticked items), the run's
progress (htmx polling, like the catalog's jobs), the panel on the list page and the list's buying settings.

The list comes through `get_list_for_user` (404 outside the team), runs only through their list; the services'
role checks answer 403 with words to viewers. No view calls 1688: a worker does.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sourcing.accounts.views.site import refusal
from sourcing.catalog.views.search import is_htmx
from sourcing.core.converters import parse_id
from sourcing.inquiries.selectors import quotes_for_items
from sourcing.lists.models import ListItem
from sourcing.lists.selectors import get_list_for_user, item_quote
from sourcing.orders.forms import QuoteForm, WatchForm
from sourcing.orders.selectors import (
    get_run_for_list,
    latest_run,
    list_quotes,
    team_addresses,
    watch_of,
)
from sourcing.orders.services import quotes as services
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden


def _refused(request, error: BuyingError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, BuyingForbidden) else 400, back=back)


def _context(request, product_list, **extra) -> dict:
    addresses = team_addresses(product_list.team_id)
    watch = watch_of(product_list)
    run = latest_run(product_list)
    context = {
        "product_list": product_list,
        "membership": product_list.membership,
        "addresses": addresses,
        "default_address": next((a for a in addresses if a.is_default), None),
        "watch": watch,
        "run": run,
        "poll_url": reverse("quote_run_progress", args=[product_list.pk, run.pk]) if run else "",
        "has_items": product_list.items.exists(),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def list_quotes_view(request, list_id):
    """The list's current quotes by supplier group, the items to tick, the address and the buying settings."""
    product_list = get_list_for_user(request.user, list_id)
    items = list(product_list.items.select_related("product__supplier", "sku").order_by("position", "pk"))
    for item in items:
        item.priced = item_quote(item)
    quotes = list_quotes(product_list)
    # a price the supplier quoted in a chat (an inquiry's logged reply) shows beside 1688's quote of the same offer
    quotes_for_items(product_list.team_id, [line for quote in quotes for line in quote.all_lines])
    context = _context(request, product_list, items=items, quotes=quotes)
    watch = context["watch"]
    context["watch_form"] = WatchForm(
        initial={"ordering": watch.ordering, "drift_percent": watch.drift_percent, "address": watch.address_id},
        addresses=team_addresses(product_list.team_id),
    )
    context["rejected"] = ListItem.Status.REJECTED
    return render(request, "sourcing/orders/quotes.html", context)


@login_required
@require_GET
def quote_panel(request, list_id):
    """The list page's box: the last quote run (polling while it runs) and the button to quote."""
    product_list = get_list_for_user(request.user, list_id)
    return render(request, "sourcing/orders/_panel.html", _context(request, product_list))


@login_required
@require_POST
def quote_start_view(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_quotes", args=[product_list.pk])
    addresses = team_addresses(product_list.team_id)
    form = QuoteForm(request.POST, addresses=addresses)
    if not form.is_valid():
        return _refused(request, BuyingError(" ".join(e for errs in form.errors.values() for e in errs)), back=back)
    address = next((a for a in addresses if a.pk == form.cleaned_data["address"]), None)
    raw_ids = request.POST.getlist("item")[: 2 * 500]
    ids = [i for i in (parse_id(v) for v in raw_ids) if i]
    if raw_ids and not ids:
        return _refused(request, BuyingError(_("Tick items of this list to quote, or none for the whole list.")),
                        back=back)  # fmt: skip
    item_ids = list(product_list.items.filter(pk__in=ids).values_list("pk", flat=True)) if ids else None
    if ids and not item_ids:
        return _refused(request, BuyingError(_("None of the ticked items is on this list any more.")), back=back)
    try:
        run = services.quote_start(actor=request.user, product_list=product_list, address=address,
                                   item_ids=item_ids, forced=form.cleaned_data["again"])  # fmt: skip
    except BuyingError as error:
        return _refused(request, error, back=back)
    if is_htmx(request):
        return render(request, "sourcing/orders/_panel.html", _context(request, product_list))
    messages.info(request, _("Asking 1688 for the order previews: this page updates when the worker is done."))
    return redirect(request.POST.get("from") == "list" and reverse("list_detail", args=[product_list.pk])
                    or f"{back}?run={run.pk}")  # fmt: skip


@login_required
@require_GET
def quote_run_progress(request, list_id, run_id):
    """One run's progress: the panel polls it every second while the worker runs."""
    product_list = get_list_for_user(request.user, list_id)
    run = get_run_for_list(product_list, run_id)
    context = _context(request, product_list, run=run,
                       poll_url=reverse("quote_run_progress", args=[product_list.pk, run.pk]))  # fmt: skip
    return render(request, "sourcing/orders/_run.html", context)


@login_required
@require_POST
def quote_settings(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_quotes", args=[product_list.pk])
    if not product_list.membership.can_edit:
        return _refused(request, BuyingForbidden(_("Viewers can read the list's buying settings but not change "
                                                   "them.")), back=back)  # fmt: skip
    addresses = {a.pk: a for a in team_addresses(product_list.team_id)}
    form = WatchForm(request.POST, addresses=addresses.values())
    if not form.is_valid():
        return _refused(request, BuyingError(" ".join(e for errs in form.errors.values() for e in errs)), back=back)
    try:
        services.watch_set(actor=request.user, product_list=product_list, ordering=form.cleaned_data["ordering"],
                           drift_percent=form.cleaned_data["drift_percent"],
                           address=addresses.get(form.cleaned_data["address"]))  # fmt: skip
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Buying settings saved."))
    return redirect(back)
