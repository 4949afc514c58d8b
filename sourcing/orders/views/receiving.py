"""Receiving a purchase order: per line, what arrived (several deliveries allowed), shortage and damage.

The order comes through `get_order_for_user` (404 outside the team); the service refuses viewers (403) and
orders not placed on 1688 yet, in words.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sourcing.accounts.views.site import refusal
from sourcing.orders.selectors import get_order_for_user, receiving_lines
from sourcing.orders.services import receiving as services
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden

FIELD_MAX = 200  # a count typed in a box; longer is not a number anyone meant


@login_required
@require_http_methods(["GET", "POST"])
def order_receive(request, order_id):
    """GET: the lines with what has arrived so far; POST: record one delivery."""
    order = get_order_for_user(request.user, order_id)
    back = reverse("order_receive", args=[order.pk])
    if request.method == "POST":
        lines = receiving_lines(order)
        deliveries = [
            services.Delivery(
                line_id=line.pk,
                received=request.POST.get(f"received-{line.pk}", "")[:FIELD_MAX],
                damaged=request.POST.get(f"damaged-{line.pk}", "")[:FIELD_MAX],
                notes=request.POST.get(f"notes-{line.pk}", ""),
            )
            for line in lines
        ]
        try:
            services.receipt_record(actor=request.user, order=order, deliveries=deliveries)
        except BuyingError as error:
            return refusal(request, str(error), status=403 if isinstance(error, BuyingForbidden) else 400, back=back)
        order.refresh_from_db(fields=["state"])
        if order.state == order.State.RECEIVED:
            messages.success(request, _("Delivery recorded: every line has arrived in full, the order is received."))
        else:
            messages.success(request, _("Delivery recorded."))
        return redirect(back)
    lines = receiving_lines(order)
    context = {
        "order": order,
        "lines": lines,
        "membership": order.membership,
        "receivable": order.state in services.RECEIVABLE,
        "ordered": sum(line.quantity for line in lines),
        "received": sum(line.received for line in lines),
        "short": sum(line.shortage for line in lines),
        "damaged": sum(line.damaged for line in lines),
    }
    return render(request, "sourcing/orders/receive.html", context)
