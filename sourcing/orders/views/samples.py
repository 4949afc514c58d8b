"""Samples: the panel on a list item's page (htmx), the sample's page with its timeline, notes and photos, and
the steps (request, ordered, received, approve or reject, add a photo, ask 1688 for the sample price).

Samples come through `get_sample_for_user`, items through `get_item_for_user` (404 outside the team); the
services' role checks answer 403 with words to viewers. No view calls 1688: asking for the sample price
queues a quote run for a worker.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sourcing.accounts.views.site import refusal
from sourcing.core.converters import parse_id
from sourcing.lists.selectors import get_item_for_user
from sourcing.orders.models import PurchaseOrder, Sample
from sourcing.orders.selectors import (
    get_photo_for_sample,
    get_sample_for_user,
    item_samples,
    sample_quotes,
    sample_run,
    team_sample_orders,
)
from sourcing.orders.services import samples as services
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from sourcing.orders.services.quotes import quote_start
from sourcing.orders.services.receiving import RECEIVABLE

State = Sample.State


def _refused(request, error: BuyingError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, BuyingForbidden) else 400, back=back)


def _uploads(request) -> list[bytes]:
    """The uploaded photos' bytes; a file larger than the limit is refused by its size before it is read."""
    files = request.FILES.getlist("photo")[: settings.SAMPLE_PHOTOS_MAX + 1]
    for upload in files:
        services.photo_size_check(upload.size)
    return [upload.read() for upload in files]


@login_required
@require_GET
def item_samples_panel(request, item_id):
    """The item page's box (loaded by htmx): the item's samples and "Order a sample"."""
    item = get_item_for_user(request.user, item_id)
    samples = item_samples(item)
    context = {"item": item, "samples": samples, "membership": item.membership,
               "open": next((s for s in samples if s.state in services.OPEN), None)}  # fmt: skip
    return render(request, "sourcing/orders/_item_samples.html", context)


@login_required
@require_POST
def sample_request_view(request, item_id):
    item = get_item_for_user(request.user, item_id)
    back = reverse("item_edit", args=[item.pk])
    try:
        sample = services.sample_request(actor=request.user, item=item, quantity=request.POST.get("quantity", "1"),
                                         notes=request.POST.get("notes", ""))  # fmt: skip
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Sample requested: the item is now “sampling” on its list."))
    return redirect("sample_detail", sample.pk)


@login_required
@require_GET
def sample_detail(request, sample_id):
    """The sample's page: its item, state, timeline, price, notes, photos and the next step's buttons."""
    sample = get_sample_for_user(request.user, sample_id)
    item = sample.list_item
    context = {
        "sample": sample,
        "item": item,
        "product": item.product,
        "product_list": item.product_list,
        "membership": sample.membership,
        "photos": list(sample.photos.defer("data").order_by("created_at", "pk")),
        "quotes": sample_quotes(sample),
        "run": sample_run(sample),
        "orders": team_sample_orders(sample) if sample.state == State.REQUESTED else [],
        "order": sample.purchase_order if sample.purchase_order_id else None,
        "can_receive": bool(sample.purchase_order_id and sample.purchase_order.state in RECEIVABLE),
        "steps": [{**step, "at": parse_datetime(step.get("at") or "")} for step in sample.timeline],
        "State": State,
        "photo_limit_mb": f"{settings.SAMPLE_PHOTO_MAX_BYTES / 1_000_000:g}",
    }
    return render(request, "sourcing/orders/sample.html", context)


def _step(request, sample_id, action, done: str):
    sample = get_sample_for_user(request.user, sample_id)
    back = reverse("sample_detail", args=[sample.pk])
    try:
        services.require_buyer(request.user, sample.team_id)  # viewers hear 403 before any other refusal
        action(sample)
    except BuyingError as error:
        return _refused(request, error, back=back)
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def sample_ordered(request, sample_id):
    def act(sample):
        order = None
        raw = request.POST.get("order", "").strip()
        if raw:
            order_id = parse_id(raw)
            order = PurchaseOrder.objects.filter(pk=order_id, team_id=sample.team_id).first() if order_id else None
            if order is None:
                raise BuyingError(_("Pick one of your team's purchase orders, or none for a sample ordered outside "
                                    "the portal."))  # fmt: skip
        services.sample_mark_ordered(actor=request.user, sample=sample, purchase_order=order,
                                     note=request.POST.get("note", ""))  # fmt: skip

    return _step(request, sample_id, act, _("Sample marked ordered."))


@login_required
@require_POST
def sample_received(request, sample_id):
    def act(sample):  # the photos are read inside: a refused one is explained like any other refusal
        services.sample_mark_received(actor=request.user, sample=sample, notes=request.POST.get("notes", ""),
                                      photos=_uploads(request))  # fmt: skip

    return _step(request, sample_id, act, _("Sample marked received."))


@login_required
@require_POST
def sample_decide_view(request, sample_id):
    decision = request.POST.get("decision", "")

    def act(sample):
        if decision not in ("approve", "reject"):
            raise BuyingError(_("Choose “Approve” or “Reject”."))
        services.sample_decide(actor=request.user, sample=sample, approved=decision == "approve",
                               notes=request.POST.get("notes", ""))  # fmt: skip

    done = _("Sample approved: the item is back on the shortlist.") if decision == "approve" else _(
        "Sample rejected: the item is rejected on its list.")  # fmt: skip
    return _step(request, sample_id, act, done)


@login_required
@require_POST
def sample_photo_add_view(request, sample_id):
    def act(sample):
        uploads = _uploads(request)
        if not uploads:
            raise BuyingError(_("Choose a photo of the sample."))
        for data in uploads:
            services.sample_photo_add(actor=request.user, sample=sample, data=data)

    return _step(request, sample_id, act, _("Photo added."))


@login_required
@require_POST
def sample_quote(request, sample_id):
    """Ask 1688 for the price of one piece of the item's option (its sample price, where the offer sells samples)."""

    def act(sample):
        if sample.state != State.REQUESTED:
            raise BuyingError(_("The sample price is asked for before the sample is ordered."))
        quote_start(actor=request.user, product_list=sample.list_item.product_list, sample_item_id=sample.list_item_id)

    return _step(
        request, sample_id, act, _("Asking 1688 for the sample price: this page updates when the worker is done.")
    )


@login_required
@require_GET
def sample_photo(request, sample_id, photo_id):
    """A photo of a sample (its bytes never leave the team), with the type it was checked to be."""
    sample = get_sample_for_user(request.user, sample_id)
    photo = get_photo_for_sample(sample, photo_id)
    content_type = (
        photo.content_type if photo.content_type in services.PHOTO_TYPES.values() else "application/octet-stream"
    )
    response = HttpResponse(bytes(photo.data), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
