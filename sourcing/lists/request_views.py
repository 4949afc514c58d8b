"""One request to many suppliers, from a list or compare: the ticked items' suppliers each get an inquiry with the
request's questions (inquiries.services.request_send). The list's door answers 404 outside the team; the service's
role check 403 to viewers; bad input re-renders the form with a 400."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sourcing.accounts.views.site import refusal
from sourcing.core.converters import parse_id
from sourcing.inquiries import services as inquiries
from sourcing.inquiries.forms import SupplierRequestForm
from sourcing.inquiries.services import REQUEST_MAX_SUPPLIERS, InquiryError, InquiryForbidden
from sourcing.lists.selectors import get_list_for_user


@login_required
@require_http_methods(["GET", "POST"])
def list_request_new(request, list_id):
    """The request form for the ticked items (?item=…; every item when none is ticked, up to the cap)."""
    product_list = get_list_for_user(request.user, list_id)
    source = request.POST if request.method == "POST" else request.GET
    ids = [i for i in (parse_id(v) for v in source.getlist("item")[:50]) if i]
    items = product_list.items.select_related("product__supplier", "sku").order_by("position", "pk")
    items = list(items.filter(pk__in=ids) if ids else items[:REQUEST_MAX_SUPPLIERS])
    back = reverse("list_detail", args=[product_list.pk])
    first = items[0] if items else None
    initial = {"quantity": first.target_quantity if first else None,
               "target_price": first.target_price if first else None}  # fmt: skip
    form = SupplierRequestForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not product_list.membership.can_edit:  # a viewer hears about the role, whatever the form says
            return refusal(request, _("Viewers can read the team's inquiries but not write them. Ask a buyer or the "
                                      "team's owner."), status=403, back=back)  # fmt: skip
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = inquiries.request_send(
                    actor=request.user, team=product_list.team, offers=[(i.product, i.sku) for i in items],
                    quantity=data["quantity"], target_price=data["target_price"], options=data["options"],
                    questions=data["questions"], note=data["note"], language=data["language"] or "zh",
                    list_id=product_list.pk,
                )  # fmt: skip
            except InquiryError as error:
                status = 403 if isinstance(error, InquiryForbidden) else 400
                return refusal(request, str(error), status=status, back=back)
            messages.success(request, _("Request recorded: one inquiry per supplier. Copy each message into its "
                                        "chat, then log the answers here."))  # fmt: skip
            return redirect("request_detail", sent.pk)
        status = 400
    context = {"product_list": product_list, "membership": product_list.membership, "items": items, "form": form,
               "back": back, "max": REQUEST_MAX_SUPPLIERS}  # fmt: skip
    return render(request, "sourcing/lists/request_new.html", context, status=status)
