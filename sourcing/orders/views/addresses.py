"""A team's ship-to addresses: every member reads them, owners and admins add, edit, delete and pick the default.

The team comes through `get_membership_for_user` and each address through `get_address_for_user` (404 outside
the team); the services' role checks answer 403 with words. Bad input re-renders the form with a 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sourcing.accounts.selectors import get_membership_for_user
from sourcing.accounts.views.site import refusal
from sourcing.orders.forms import AddressForm
from sourcing.orders.selectors import get_address_for_user, team_addresses
from sourcing.orders.services import addresses as services
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden


def _refused(request, error: BuyingError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, BuyingForbidden) else 400, back=back)


def _address(request, team_id, address_id):
    address = get_address_for_user(request.user, address_id)
    if str(address.team_id) != str(team_id):
        raise Http404("No such address")
    return address


@login_required
@require_http_methods(["GET", "POST"])
def address_index(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    back = reverse("team_addresses", args=[membership.team_id])
    form = AddressForm(request.POST or None, initial={"is_default": False})
    status = 200
    if request.method == "POST":
        if not membership.can_manage_members:
            return _refused(request, BuyingForbidden(_("Only the team's owners and admins can change its ship-to "
                                                        "addresses.")), back=back)  # fmt: skip
        if form.is_valid():
            try:
                address = services.address_create(actor=request.user, team=membership.team, **form.cleaned_data)
            except BuyingError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Address “%(name)s” saved.") % {"name": address.label})
            return redirect(back)
        status = 400
    context = {"team": membership.team, "membership": membership, "addresses": team_addresses(membership.team_id),
               "form": form}  # fmt: skip
    return render(request, "sourcing/orders/addresses.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, team_id, address_id):
    address = _address(request, team_id, address_id)
    back = reverse("team_addresses", args=[address.team_id])
    if not address.membership.can_manage_members:
        return _refused(request, BuyingForbidden(_("Only the team's owners and admins can change its ship-to "
                                                    "addresses.")), back=back)  # fmt: skip
    initial = {name: getattr(address, name) for name in services.FIELDS}
    initial["is_default"] = address.is_default
    form = AddressForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.address_update(actor=request.user, address=address, **form.cleaned_data)
            except BuyingError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Address “%(name)s” saved.") % {"name": address.label})
            return redirect(back)
        status = 400
    context = {"team": address.team, "address": address, "form": form}
    return render(request, "sourcing/orders/address_edit.html", context, status=status)


@login_required
@require_POST
def address_default(request, team_id, address_id):
    address = _address(request, team_id, address_id)
    back = reverse("team_addresses", args=[address.team_id])
    try:
        services.address_make_default(actor=request.user, address=address)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("“%(name)s” is now the default address.") % {"name": address.label})
    return redirect(back)


@login_required
@require_POST
def address_delete(request, team_id, address_id):
    address = _address(request, team_id, address_id)
    back = reverse("team_addresses", args=[address.team_id])
    try:
        services.address_delete(actor=request.user, address=address)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Address “%(name)s” deleted.") % {"name": address.label})
    return redirect(back)
