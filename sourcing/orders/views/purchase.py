"""Purchase orders: the team's orders, one order's page (lines, amounts, state, timeline, payment, trace), a draft
made from a quote, submitting, approving, declining, cancelling, and the team's approval threshold.

Orders come through `get_order_for_user` (404 outside the team), quotes only through their list; the services'
role checks answer 403 with words. No view calls 1688: placing, status reads, the payment link and cancelling
are workers' jobs, and the order's page polls its status box while one is under way.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sourcing.accounts.selectors import current_membership, get_membership_for_user
from sourcing.accounts.views.site import refusal
from sourcing.catalog.views.search import is_htmx
from sourcing.core.converters import parse_id
from sourcing.lists.selectors import get_list_for_user
from sourcing.orders.forms import OrderEditForm, PolicyForm
from sourcing.orders.models import PurchaseOrder, Quote
from sourcing.orders.selectors import get_order_for_user, order_page, team_addresses, team_orders
from sourcing.orders.services import purchase as services
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden

State = PurchaseOrder.State


def _refused(request, error: BuyingError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, BuyingForbidden) else 400, back=back)


def _errors(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


@login_required
@require_GET
def order_index(request):
    """The current team's orders, newest first, filtered by state."""
    membership = current_membership(request.user)
    if membership is None:
        messages.info(request, _("Orders belong to a team: create or join one first."))
        return redirect("team_list")
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    policy = services.policy_of(membership.team_id)
    context = {"membership": membership, "team": membership.team, "orders": team_orders(membership.team_id, state),
               "state": state, "states": State.choices, "policy": policy}  # fmt: skip
    return render(request, "sourcing/orders/orders.html", context)


def _order_context(request, order: PurchaseOrder, **extra) -> dict:
    membership = order.membership
    context = order_page(order)
    addresses = team_addresses(order.team_id) if order.state == State.DRAFT else []
    context.update(
        order=order, membership=membership, addresses=addresses,
        can_approve=membership.can_manage_members and order.state == State.SUBMITTED,
        can_cancel=membership.can_edit and order.state in (State.DRAFT, State.SUBMITTED, State.PLACED),
        policy=services.policy_of(order.team_id), needs_approval=services.needs_approval(order),
        status_url=reverse("order_status", args=[order.pk]),
    )  # fmt: skip
    if order.state == State.DRAFT and "form" not in extra:
        context["form"] = OrderEditForm(addresses=addresses,
                                        initial={"message": order.message, "address": order.address_id})  # fmt: skip
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def order_detail(request, order_id):
    """One order; a draft's message and address are edited here (buyers and up)."""
    order = get_order_for_user(request.user, order_id)
    back = reverse("order_detail", args=[order.pk])
    if request.method == "POST":
        addresses = team_addresses(order.team_id)
        form = OrderEditForm(request.POST, addresses=addresses)
        if not order.membership.can_edit:
            return _refused(request, BuyingForbidden(_("Viewers can read the team's orders but not change them.")),
                            back=back)  # fmt: skip
        if not form.is_valid():
            return render(request, "sourcing/orders/order.html", _order_context(request, order, form=form), status=400)
        address = next((a for a in addresses if a.pk == form.cleaned_data["address"]), None)
        try:
            services.order_update(actor=request.user, order=order, message=form.cleaned_data["message"],
                                  address=address)  # fmt: skip
        except BuyingError as error:
            return _refused(request, error, back=back)
        messages.success(request, _("Draft saved."))
        return redirect(back)
    return render(request, "sourcing/orders/order.html", _order_context(request, order))


@login_required
@require_http_methods(["GET", "POST"])
def order_status(request, order_id):
    """The order's live box (state, payment, trace, timeline). The open page polls it with POST, which queues a
    1688 read when the status is stale; a GET (a link from anywhere) only shows what is kept, as no GET spends
    quota."""
    order = get_order_for_user(request.user, order_id)
    if request.method == "POST":
        services.order_sync_start(order=order)
    return render(request, "sourcing/orders/_order_status.html", _order_context(request, order))


def _act(request, order_id, action):
    order = get_order_for_user(request.user, order_id)
    back = reverse("order_detail", args=[order.pk])
    try:
        words = action(order)
    except BuyingError as error:
        return _refused(request, error, back=back)
    if words:
        messages.info(request, words)
    if is_htmx(request):
        order = get_order_for_user(request.user, order.pk)
        return render(request, "sourcing/orders/_order_status.html", _order_context(request, order))
    return redirect(back)


@login_required
@require_POST
def order_submit(request, order_id):
    def submit(order):
        done = services.order_submit(actor=request.user, order=order)
        if done.state == State.SUBMITTED:
            return _("Submitted: the order waits for an owner's or admin's approval.")
        return _("Approved: the order is being placed on 1688.")

    return _act(request, order_id, submit)


@login_required
@require_POST
def order_approve(request, order_id):
    def approve(order):
        if services.order_approve(actor=request.user, order=order):
            return _("Approved: the order is being placed on 1688.")
        return _("The order was already approved or decided: nothing more to do.")

    return _act(request, order_id, approve)


@login_required
@require_POST
def order_decline(request, order_id):
    def decline(order):
        reason = request.POST.get("reason", "")[:2000]
        if services.order_decline(actor=request.user, order=order, reason=reason):
            return _("Declined: the buyer sees your reason on the order.")
        return _("The order was already approved or decided: nothing more to do.")

    return _act(request, order_id, decline)


@login_required
@require_POST
def order_cancel(request, order_id):
    def cancel(order):
        if services.order_cancel(actor=request.user, order=order) == "queued":
            return _("Asking 1688 to cancel the order: this page updates when it has answered.")
        return _("Order cancelled.")

    return _act(request, order_id, cancel)


@login_required
@require_POST
def order_draft(request, list_id):
    """Draft an order from one of the list's current quotes (button per orderable quote on the quotes page)."""
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_quotes", args=[product_list.pk])
    quote_id = parse_id(request.POST.get("quote", ""))
    quote = Quote.objects.filter(pk=quote_id, product_list=product_list).first() if quote_id else None
    if quote is None:
        return _refused(request, BuyingError(_("Pick one of this list's quotes.")), back=back)
    message = request.POST.get("message", "")[:5000]
    try:
        order = services.order_draft(actor=request.user, quote=quote, message=message)
    except BuyingError as error:
        return _refused(request, error, back=back)
    return redirect("order_detail", order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def buying_settings(request, team_id):
    """The team's approval threshold: every member reads it, owners and admins set it."""
    membership = get_membership_for_user(request.user, team_id)
    if membership is None:
        raise Http404("No such team")
    policy = services.policy_of(membership.team_id)
    back = reverse("buying_settings", args=[membership.team_id])
    form = PolicyForm(request.POST or None, initial={"approval_above": policy.approval_above})
    status = 200
    if request.method == "POST":
        if not membership.can_manage_members:
            return _refused(request, BuyingForbidden(_("Only the team's owners and admins can change when orders "
                                                        "need approval.")), back=back)  # fmt: skip
        if form.is_valid():
            try:
                services.policy_set(actor=request.user, team=membership.team,
                                    approval_above=form.cleaned_data["approval_above"])  # fmt: skip
            except BuyingError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Buying settings saved."))
            return redirect(back)
        status = 400
    context = {"team": membership.team, "membership": membership, "policy": policy, "form": form,
               "form_errors": _errors(form) if status == 400 else ""}  # fmt: skip
    return render(request, "sourcing/orders/buying_settings.html", context, status=status)
