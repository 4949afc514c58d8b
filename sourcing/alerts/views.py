"""Alerts and notifications: the team's alerts (set from a product page or a list item), "Watch",
the bell's notifications page and each user's e-mail choice. Alerts come through `get_alert_for_user`,
list items through `get_item_for_user` (404 outside the team); a notification only reaches its recipient.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sourcing.accounts.selectors import current_membership
from sourcing.accounts.views.site import refusal
from sourcing.alerts import services as services
from sourcing.alerts.forms import AlertForm, AlertSettingsForm
from sourcing.alerts.selectors import get_alert_for_user, get_notification_for_user, notifications_for, team_alerts
from sourcing.alerts.services import AlertError, AlertForbidden
from sourcing.catalog.models import Product
from sourcing.catalog.pricing import price_at_quantity
from sourcing.catalog.selectors.pages import clean_offer_id
from sourcing.core.http import safe_next
from sourcing.lists.selectors import get_item_for_user, item_quote


def _refused(request, error: AlertError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, AlertForbidden) else 400, back=back)


def _target(request, source):
    """(product, list item) named by `offer` or `item` in the request; 404 for what the user may not see."""
    item = None
    if source.get("item"):
        item = get_item_for_user(request.user, source.get("item"))
        return item.product, item
    offer_id = clean_offer_id(source.get("offer"))
    product = Product.objects.filter(offer_id=offer_id).first() if offer_id else None
    if product is None:
        raise Http404("No such offer")
    return product, item


@login_required
@require_http_methods(["GET", "POST"])
def alert_index(request):
    """The team's alerts; with ?offer= or ?item=, the form to add one to that offer or list item."""
    membership = current_membership(request.user)
    if membership is None:
        messages.info(request, _("Alerts belong to a team: create or join one first."))
        return redirect("team_list")
    source = request.POST if request.method == "POST" else request.GET
    product = item = None
    if source.get("offer") or source.get("item"):
        product, item = _target(request, source)
    form = AlertForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if product is None:
            raise Http404("No such offer")
        if form.is_valid():
            data = form.cleaned_data
            try:
                alert = services.alert_create(actor=request.user, team=membership.team, product=product,
                                              kind=data["kind"], threshold=data["threshold"], list_item=item,
                                              notify_team=data["notify_team"])  # fmt: skip
            except AlertError as error:
                return _refused(request, error, back=reverse("alerts"))
            note = _("Alert set.")
            if not alert.armed:
                note += " " + _("It is already true now (%(v)s): it tells you the next time it becomes true.") % {
                    "v": alert.last_value
                }
            messages.success(request, note)
            return redirect(safe_next(request, request.POST.get("next"), reverse("alerts")))
        status = 400
    alerts = list(team_alerts(request.user).filter(product=product) if product else team_alerts(request.user)[:200])
    # the price a new price alert watches: the item's option at its quantity, else the offer at its minimum order
    watched = item_quote(item) if item else (price_at_quantity(product, product.moq or 1) if product else None)
    return render(request, "sourcing/alerts/index.html", {
        "alerts": alerts, "form": form, "product": product, "item": item, "membership": membership,
        "watched": watched,
        "next": safe_next(request, source.get("next"), reverse("alerts")) if source.get("next") else "",
    }, status=status)  # fmt: skip


@login_required
@require_POST
def alert_delete(request, alert_id):
    alert = get_alert_for_user(request.user, alert_id)
    try:
        services.alert_delete(actor=request.user, alert=alert)
    except AlertError as error:
        return _refused(request, error, back=reverse("alerts"))
    messages.success(request, _("Alert removed."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("alerts")))


@login_required
@require_POST
def product_watch(request):
    """Watch (or stop watching) an offer: delisted, sold out and back in stock, for the user."""
    membership = current_membership(request.user)
    product, _item = _target(request, {"offer": request.POST.get("offer")})
    back = reverse("product", args=[product.offer_id])
    if membership is None:
        raise Http404("No team")
    try:
        if request.POST.get("action") == "unwatch":
            services.product_unwatch(actor=request.user, team=membership.team, product=product)
            messages.success(request, _("You no longer watch this offer."))
        else:
            services.product_watch(actor=request.user, team=membership.team, product=product)
            messages.success(request, _("Watching: you'll hear when this offer sells out, comes back or is taken "
                                        "off 1688."))  # fmt: skip
    except AlertError as error:
        return _refused(request, error, back=back)
    return redirect(back + "#alerts")


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    """The bell: the user's notifications (opening the page marks them read) and the e-mail choice."""
    form = AlertSettingsForm(request.POST or None, initial={"delivery": services.delivery_of(request.user)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.alert_settings_set(user=request.user, delivery=form.cleaned_data["delivery"])
            messages.success(request, _("Saved: how alerts reach you by e-mail."))
            return redirect("notifications")
        status = 400
    notes = notifications_for(request.user)
    services.notifications_mark_read(user=request.user, ids=[n.pk for n in notes if n.read_at is None])
    return render(request, "sourcing/alerts/notifications.html", {"notifications": notes, "form": form},
                  status=status)  # fmt: skip


@login_required
def notification_open(request, notification_id):
    """A notification's link: mark it read, go to its offer."""
    note = get_notification_for_user(request.user, notification_id)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    if note.path.startswith("/") and not note.path.startswith("//"):
        return redirect(note.path)
    if note.product_id:
        return redirect("product", note.product.offer_id)
    return redirect("notifications")
