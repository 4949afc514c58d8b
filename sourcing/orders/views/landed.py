"""Landed cost: a team's rate cards and duty rates (members read, owners and admins edit), and a list's landed
cost page (the rate card it ships by, packing per item, "Estimate domestic freight" and its progress).

Teams come through `get_membership_for_user`, cards and rates through their doors (404 outside the team), lists
and items through the lists' doors; the services' role checks answer 403 in words. Bad input re-renders the form
with a 400. No view calls 1688: a worker does.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sourcing.accounts.selectors import get_membership_for_user
from sourcing.accounts.views.site import refusal
from sourcing.catalog.models import Category
from sourcing.lists.models import ListItem
from sourcing.lists.selectors import get_item_for_user, get_list_for_user
from sourcing.lists.services import currency_choices
from sourcing.orders.forms import CardPickForm, CategoryDutyForm, DutyRateForm, PackingForm, RateCardForm
from sourcing.orders.models import DutyRate, ItemPacking, RateCard
from sourcing.orders.selectors import get_duty_rate_for_user, get_rate_card_for_user
from sourcing.orders.services import freight as freight_services
from sourcing.orders.services import rates as services
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from sourcing.orders.services.landed import landed_for_list, list_address, list_rate_card, to_cny


def _refused(request, error: BuyingError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, BuyingForbidden) else 400, back=back)


def _forbidden(request, back):
    return _refused(request, BuyingForbidden(_("Only the team's owners and admins can change its rate cards and "
                                               "duty rates.")), back=back)  # fmt: skip


def _card(request, team_id, rate_card_id) -> RateCard:
    card = get_rate_card_for_user(request.user, rate_card_id)
    if str(card.team_id) != str(team_id):
        raise Http404("No such rate card")
    return card


def _duty(request, team_id, duty_id) -> DutyRate:
    rate = get_duty_rate_for_user(request.user, duty_id)
    if str(rate.team_id) != str(team_id):
        raise Http404("No such duty rate")
    return rate


def _cards_with_cny(team_id: int) -> list[RateCard]:
    cards = list(RateCard.objects.filter(team_id=team_id))
    for card in cards:
        card.per_kg_cny = None if card.currency == "CNY" else to_cny(card.price_per_kg, card.currency)
    return cards


# --- rate cards ---
@login_required
@require_http_methods(["GET", "POST"])
def rate_card_index(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    back = reverse("team_rate_cards", args=[membership.team_id])
    form = RateCardForm(request.POST or None, currencies=currency_choices())
    status = 200
    if request.method == "POST":
        if not membership.can_manage_members:
            return _forbidden(request, back)
        if form.is_valid():
            try:
                card = services.rate_card_create(actor=request.user, team=membership.team, **form.cleaned_data)
            except BuyingError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Rate card “%(name)s” saved.") % {"name": card})
            return redirect(back)
        status = 400
    context = {"team": membership.team, "membership": membership, "cards": _cards_with_cny(membership.team_id),
               "form": form}  # fmt: skip
    return render(request, "sourcing/orders/rate_cards.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rate_card_edit(request, team_id, rate_card_id):
    card = _card(request, team_id, rate_card_id)
    back = reverse("team_rate_cards", args=[card.team_id])
    if not card.membership.can_manage_members:
        if request.method == "POST":
            return _forbidden(request, back)
        return redirect(back)
    initial = {name: getattr(card, name) for name in services.CARD_FIELDS}
    initial["is_default"] = card.is_default
    form = RateCardForm(request.POST or None, initial=initial, currencies=currency_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rate_card_update(actor=request.user, card=card, **form.cleaned_data)
            except BuyingError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Rate card “%(name)s” saved.") % {"name": card})
            return redirect(back)
        status = 400
    return render(request, "sourcing/orders/rate_card_edit.html", {"team": card.team, "card": card, "form": form},
                  status=status)  # fmt: skip


@login_required
@require_POST
def rate_card_default(request, team_id, rate_card_id):
    card = _card(request, team_id, rate_card_id)
    back = reverse("team_rate_cards", args=[card.team_id])
    try:
        services.rate_card_make_default(actor=request.user, card=card)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("“%(name)s” is now the default rate card.") % {"name": card})
    return redirect(back)


@login_required
@require_POST
def rate_card_delete(request, team_id, rate_card_id):
    card = _card(request, team_id, rate_card_id)
    back = reverse("team_rate_cards", args=[card.team_id])
    try:
        services.rate_card_delete(actor=request.user, card=card)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Rate card “%(name)s” deleted.") % {"name": card})
    return redirect(back)


# --- duty rates ---
def _team_categories(team_id: int) -> list[Category]:
    """The categories of the team's list items: the ones a duty rate can be for."""
    return list(Category.objects.filter(products__list_items__product_list__team_id=team_id).distinct()
                .order_by("name", "pk")[:500])  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def duty_rate_index(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    back = reverse("team_duty_rates", args=[membership.team_id])
    categories = _team_categories(membership.team_id)
    form = CategoryDutyForm(request.POST or None, categories=categories)
    status = 200
    if request.method == "POST":
        if not membership.can_manage_members:
            return _forbidden(request, back)
        if form.is_valid():
            data = dict(form.cleaned_data)
            category = next(c for c in categories if c.pk == data.pop("category"))
            try:
                services.duty_rate_set(actor=request.user, team=membership.team, category=category, **data)
            except BuyingError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Duty and VAT of “%(name)s” saved.") % {"name": category.display_name})
            return redirect(back)
        status = 400
    rates = list(DutyRate.objects.filter(team_id=membership.team_id).select_related("category", "product_list")
                 .order_by("product_list__name", "category__name", "pk"))  # fmt: skip
    context = {"team": membership.team, "membership": membership, "rates": rates, "form": form}
    return render(request, "sourcing/orders/duty_rates.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def duty_rate_edit(request, team_id, duty_id):
    rate = _duty(request, team_id, duty_id)
    back = reverse("team_duty_rates", args=[rate.team_id])
    if not rate.membership.can_manage_members:
        if request.method == "POST":
            return _forbidden(request, back)
        return redirect(back)
    initial = {"duty_percent": rate.duty_percent, "vat_percent": rate.vat_percent, "note": rate.note}
    form = DutyRateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.duty_rate_update(actor=request.user, rate=rate, **form.cleaned_data)
            messages.success(request, _("Duty and VAT saved."))
            return redirect(back)
        status = 400
    return render(request, "sourcing/orders/duty_rate_edit.html", {"team": rate.team, "rate": rate, "form": form},
                  status=status)  # fmt: skip


@login_required
@require_POST
def duty_rate_delete(request, team_id, duty_id):
    rate = _duty(request, team_id, duty_id)
    back = reverse("team_duty_rates", args=[rate.team_id])
    if request.POST.get("from") == "landed" and rate.product_list_id:  # removed on the list's landed cost page
        back = reverse("list_landed", args=[rate.product_list_id])
    try:
        services.duty_rate_delete(actor=request.user, rate=rate)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Duty rate deleted: the category's rate (or none) applies again."))
    return redirect(back)


# --- a list's landed cost ---
def _landed_context(request, product_list, **extra) -> dict:
    landed = landed_for_list(product_list)
    items = list(product_list.items.exclude(status=ListItem.Status.REJECTED).select_related("product", "sku")
                 .order_by("position", "pk"))  # fmt: skip
    packing = {p.list_item_id: p for p in ItemPacking.objects.filter(list_item__in=items)}
    for item in items:
        item.landed = landed.items.get(item.pk)
        item.packing_row = packing.get(item.pk)
    cards = list(RateCard.objects.filter(team_id=product_list.team_id))
    chosen = list_rate_card(product_list)
    list_duty = DutyRate.objects.filter(team_id=product_list.team_id, product_list=product_list).first()
    context = {
        "product_list": product_list,
        "membership": product_list.membership,
        "landed": landed,
        "items": items,
        "cards": cards,
        "card": chosen,
        "card_form": CardPickForm(initial={"rate_card": chosen.pk if chosen and not chosen.is_default else None},
                                  cards=cards),
        "list_duty": list_duty,
        "duty_form": DutyRateForm(initial={"duty_percent": list_duty.duty_percent, "vat_percent": list_duty.vat_percent,
                                           "note": list_duty.note} if list_duty else None),
        "address": list_address(product_list),
        "converter": landed.converter,
    }  # fmt: skip
    context.update(extra)
    return context


@login_required
@require_GET
def list_landed(request, list_id):
    """Each item's landed unit cost with its breakdown, the rate card, packing, duty and the estimate button."""
    product_list = get_list_for_user(request.user, list_id)
    since = _since(request.GET.get("since"))
    progress = freight_services.estimate_progress(product_list, since) if since else None
    context = _landed_context(request, product_list, progress=progress, since=request.GET.get("since"))
    return render(request, "sourcing/orders/landed.html", context)


@login_required
@require_POST
def list_landed_card(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_landed", args=[product_list.pk])
    cards = list(RateCard.objects.filter(team_id=product_list.team_id))
    form = CardPickForm(request.POST, cards=cards)
    if not product_list.membership.can_edit:
        return _refused(request, BuyingForbidden(_("Viewers can read the landed cost but not change how it is "
                                                   "computed.")), back=back)  # fmt: skip
    if not form.is_valid():
        return _refused(request, BuyingError(" ".join(e for errs in form.errors.values() for e in errs)), back=back)
    card = next((c for c in cards if c.pk == form.cleaned_data["rate_card"]), None)
    try:
        services.list_rate_card_set(actor=request.user, product_list=product_list, card=card)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Rate card saved for this list."))
    return redirect(back)


@login_required
@require_POST
def list_landed_duty(request, list_id):
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_landed", args=[product_list.pk])
    if not product_list.membership.can_manage_members:
        return _forbidden(request, back)
    form = DutyRateForm(request.POST)
    if not form.is_valid():
        context = _landed_context(request, product_list, duty_form=form)
        return render(request, "sourcing/orders/landed.html", context, status=400)
    try:
        services.duty_rate_set(actor=request.user, team=product_list.team, product_list=product_list,
                               **form.cleaned_data)  # fmt: skip
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Duty and VAT of this list saved."))
    return redirect(back)


@login_required
@require_POST
def list_landed_packing(request, list_id, item_id):
    product_list = get_list_for_user(request.user, list_id)
    item = get_item_for_user(request.user, item_id)
    if item.product_list_id != product_list.pk:
        raise Http404("No such item")
    back = reverse("list_landed", args=[product_list.pk]) + f"#item-{item.pk}"
    if not product_list.membership.can_edit:
        return _refused(request, BuyingForbidden(_("Viewers can read the landed cost but not change how it is "
                                                   "computed.")), back=back)  # fmt: skip
    form = PackingForm(request.POST)
    if not form.is_valid():
        return _refused(request, BuyingError(" ".join(f"{form.fields[name].label}: {e}" for name, errs
                                                      in form.errors.items() for e in errs)), back=back)  # fmt: skip
    services.packing_set(actor=request.user, item=item, **form.cleaned_data)
    messages.success(request, _("Packing saved."))
    return redirect(back)


@login_required
@require_POST
def list_landed_estimate(request, list_id):
    """Queue 1688's freight estimate of the items not estimated today; the page polls the progress."""
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_landed", args=[product_list.pk])
    since = timezone.now()
    try:
        queued = freight_services.estimate_start(actor=request.user, product_list=product_list)
    except BuyingError as error:
        return _refused(request, error, back=back)
    if not queued:
        messages.info(request, _("Every item already has today's freight estimate: nothing to ask 1688."))
        return redirect(back)
    messages.info(request, _("Asking 1688 for the freight estimates: this page updates when the worker is done."))
    return redirect(f"{back}?since={since.timestamp():.6f}")


@login_required
@require_GET
def list_landed_progress(request, list_id):
    """The estimate's progress: the page polls it every second while the worker runs."""
    product_list = get_list_for_user(request.user, list_id)
    since = _since(request.GET.get("since"))
    if since is None:
        raise Http404("No such estimate")
    progress = freight_services.estimate_progress(product_list, since)
    return render(request, "sourcing/orders/_estimate.html",
                  {"product_list": product_list, "progress": progress, "since": request.GET.get("since")})  # fmt: skip


def _since(raw) -> datetime | None:
    try:
        value = float(str(raw or "")[:30])
    except ValueError:
        return None
    if not 0 < value < 10**11:  # NaN and inf fail this too
        return None
    return datetime.fromtimestamp(value, tz=timezone.get_current_timezone())
