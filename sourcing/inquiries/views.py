"""Contacting suppliers: the inquiry form (from a product page), an inquiry with its chat link and status,
and the team's inquiries. Every inquiry comes through `get_inquiry_for_user` (404 outside the team); every
write goes through inquiries/services.py (403 in words for a viewer). Bad input re-renders with a 400.
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
from sourcing.catalog.models import Sku
from sourcing.catalog.selectors.pages import clean_offer_id, product_for_page
from sourcing.core.converters import parse_id
from sourcing.inquiries import services as services
from sourcing.inquiries.forms import InquiryForm, InquiryNotesForm, InquiryReplyForm
from sourcing.inquiries.models import Inquiry
from sourcing.inquiries.selectors import (
    average_response,
    get_inquiry_for_user,
    status_counts,
    team_inquiries,
    team_requests,
)
from sourcing.inquiries.services import InquiryError, InquiryForbidden

PAGE = 50


def _unit(inquiry: Inquiry) -> str:
    """What one quantity of the inquiry's offer is (个, 箱 …), or "" when 1688 did not say."""
    return inquiry.product.unit or inquiry.product.unit_en


def _refused(request, error: InquiryError, *, back: str = ""):
    return refusal(request, str(error), status=403 if isinstance(error, InquiryForbidden) else 400, back=back)


def _sku_of(product, value) -> Sku | None:
    sku_id = parse_id(value)
    return product.skus.filter(pk=sku_id).first() if sku_id else None


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_new(request):
    """The inquiry form for one offer (?offer=<offer id>, optional sku, qty, price, lang)."""
    source = request.POST if request.method == "POST" else request.GET
    offer_id = clean_offer_id(source.get("offer"))
    product = product_for_page(offer_id) if offer_id else None
    if product is None:
        raise Http404("No such offer")
    membership = current_membership(request.user)
    if membership is None:
        messages.info(request, _("Inquiries belong to a team: create or join one first."))
        return redirect("team_list")
    back = reverse("product", args=[product.offer_id])
    status = 200
    if request.method == "POST":
        form = InquiryForm(request.POST, product=product)
        if "rewrite" not in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                inquiry = services.inquiry_create(
                    actor=request.user, team=membership.team, product=product, message=data["message"],
                    language=data["language"], sku=_sku_of(product, data["sku"]), quantity=data["quantity"],
                    target_price=data["target_price"],
                )  # fmt: skip
            except InquiryError as error:
                return _refused(request, error, back=back)
            messages.success(request, _("Inquiry recorded. Copy the message, open the chat and paste it; then mark "
                                        "it as sent."))  # fmt: skip
            return redirect("inquiry_detail", inquiry.pk)
        if "rewrite" in request.POST:
            form = _rewritten(request.POST, product)
        else:
            status = 400
    else:
        form = _rewritten(request.GET, product, initial=True)
    context = {"product": product, "form": form, "membership": membership, "back": back,
               "history": team_inquiries(request.user).filter(product=product)[:10]}  # fmt: skip
    return render(request, "sourcing/inquiries/new.html", context, status=status)


def _rewritten(data, product, *, initial: bool = False) -> InquiryForm:
    """The form with the message rebuilt from the chosen option, quantity, price and language."""
    probe = InquiryForm(
        {"sku": data.get("sku") or "", "quantity": data.get("quantity") or data.get("qty") or "",
         "target_price": data.get("target_price") or data.get("price") or "",
         "language": data.get("language") or data.get("lang") or "zh", "message": "-"},
        product=product,
    )  # fmt: skip
    probe.is_valid()
    clean = probe.cleaned_data
    language = clean.get("language") or "zh"
    sku = _sku_of(product, clean.get("sku"))
    quantity = clean.get("quantity") or (product.moq if initial and "qty" not in data else None)
    message = services.message_template(product=product, sku=sku, quantity=quantity,
                                        target_price=clean.get("target_price"), language=language)  # fmt: skip
    values = {"sku": sku.pk if sku else "", "quantity": quantity or "", "language": language, "message": message,
              "target_price": clean.get("target_price") if clean.get("target_price") is not None else ""}  # fmt: skip
    if initial:
        return InquiryForm(initial=values, product=product)
    form = InquiryForm({**values}, product=product)
    form.is_valid()
    for name, errors in probe.errors.items():  # keep what was wrong with the inputs
        for error in errors:
            if name != "message":
                form.add_error(name if name in form.fields else None, error)
    return form


@login_required
def inquiry_message(request):
    """htmx: the message rebuilt when the option, quantity, price or language changes."""
    offer_id = clean_offer_id(request.GET.get("offer"))
    product = product_for_page(offer_id) if offer_id else None
    if product is None:
        raise Http404("No such offer")
    form = _rewritten(request.GET, product)
    return render(request, "sourcing/inquiries/_message.html", {"form": form})


@login_required
def inquiry_index(request):
    membership = current_membership(request.user)
    if membership is None:
        messages.info(request, _("Inquiries belong to a team: create or join one first."))
        return redirect("team_list")
    status = request.GET.get("status", "")
    status = status if status in Inquiry.Status.values else ""
    inquiries = list(team_inquiries(request.user, status=status)[:PAGE])
    counts = status_counts(request.user)
    filters = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in Inquiry.Status.choices
    ]  # fmt: skip
    return render(request, "sourcing/inquiries/index.html", {
        "inquiries": inquiries, "status": status, "filters": filters, "membership": membership,
        "average": average_response(inquiries), "more": len(inquiries) == PAGE,
        "requests": team_requests(request.user, limit=10),
    })  # fmt: skip


@login_required
def inquiry_detail(request, inquiry_id):
    inquiry = get_inquiry_for_user(request.user, inquiry_id)
    return render(request, "sourcing/inquiries/detail.html", {
        "inquiry": inquiry, "membership": inquiry.membership, "reply_form": InquiryReplyForm(unit=_unit(inquiry), initial={
            "quoted_price": inquiry.quoted_price, "quoted_moq": inquiry.quoted_moq,
            "quoted_quantity": inquiry.quoted_quantity or inquiry.quantity,
            "quoted_lead_days": inquiry.quoted_lead_days, "notes": inquiry.notes,
            "sample_price": inquiry.sample_price, "sample_days": inquiry.sample_days, "packing": inquiry.packing,
            "customisable": {True: "yes", False: "no"}.get(inquiry.customisable, ""),
            "customisation": inquiry.customisation}),
        "notes_form": InquiryNotesForm(initial={"notes": inquiry.notes}),
    })  # fmt: skip


@login_required
def inquiry_link(request, inquiry_id):
    """htmx: the chat link box, polled while a worker asks 1688 for it."""
    inquiry = get_inquiry_for_user(request.user, inquiry_id)
    return render(request, "sourcing/inquiries/_link.html", {"inquiry": inquiry})


def _after(request, inquiry, text: str):
    messages.success(request, text)
    return redirect("inquiry_detail", inquiry.pk)


@login_required
@require_POST
def inquiry_sent(request, inquiry_id):
    inquiry = get_inquiry_for_user(request.user, inquiry_id)
    try:
        services.inquiry_mark_sent(actor=request.user, inquiry=inquiry)
    except InquiryError as error:
        return _refused(request, error, back=reverse("inquiry_detail", args=[inquiry.pk]))
    return _after(request, inquiry, _("Marked as sent. When the supplier answers, log the reply here."))


@login_required
@require_POST
def inquiry_reply(request, inquiry_id):
    inquiry = get_inquiry_for_user(request.user, inquiry_id)
    back = reverse("inquiry_detail", args=[inquiry.pk])
    form = InquiryReplyForm(request.POST, unit=_unit(inquiry))
    if not form.is_valid():
        return render(request, "sourcing/inquiries/detail.html", {
            "inquiry": inquiry, "membership": inquiry.membership, "reply_form": form,
            "notes_form": InquiryNotesForm(initial={"notes": inquiry.notes}),
        }, status=400)  # fmt: skip
    try:
        services.inquiry_log_reply(actor=request.user, inquiry=inquiry, **form.cleaned_data)
    except InquiryError as error:
        return _refused(request, error, back=back)
    if inquiry.request_id:  # one supplier of a request: back to the answers side by side
        messages.success(request, _("Reply logged."))
        return redirect("request_detail", inquiry.request_id)
    return _after(request, inquiry, _("Reply logged."))


@login_required
@require_POST
def inquiry_close(request, inquiry_id):
    inquiry = get_inquiry_for_user(request.user, inquiry_id)
    try:
        services.inquiry_close(actor=request.user, inquiry=inquiry)
    except InquiryError as error:
        return _refused(request, error, back=reverse("inquiry_detail", args=[inquiry.pk]))
    return _after(request, inquiry, _("Inquiry closed."))


@login_required
@require_POST
def inquiry_notes(request, inquiry_id):
    inquiry = get_inquiry_for_user(request.user, inquiry_id)
    back = reverse("inquiry_detail", args=[inquiry.pk])
    form = InquiryNotesForm(request.POST)
    if not form.is_valid():
        return _refused(request, InquiryError(" ".join(form.errors["notes"])), back=back)
    try:
        services.inquiry_set_notes(actor=request.user, inquiry=inquiry, notes=form.cleaned_data["notes"])
    except InquiryError as error:
        return _refused(request, error, back=back)
    return _after(request, inquiry, _("Notes saved."))
