"""Inquiries: every write to a team's conversations with suppliers (docs/inquiries-alerts.md).

Members read, buyers and up write (`InquiryForbidden` → 403). The chat link is asked of 1688
(account.wangwangUrl.get with the seller's open id) by a worker, never in a request; when that API
is not granted to the buyer's credential, or 1688 refuses, the inquiry links to the offer page,
whose own chat button reaches the supplier (spec §11).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from sourcing.accounts.models import Membership, Team, User
from sourcing.alibaba import api, errors
from sourcing.catalog.models import Product, Sku
from sourcing.catalog.services.jobs import credential_for
from sourcing.connections.explain import explain_error
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import gateway_call
from sourcing.core.enqueue import enqueue
from sourcing.inquiries.models import Inquiry, SupplierRequest
from sourcing.webhooks.services import event_emit, portal_url

Status, LinkState, LinkKind = Inquiry.Status, Inquiry.LinkState, Inquiry.LinkKind
MESSAGE_MAX = 4000
REQUEST_MAX_SUPPLIERS = 10
ANSWER_FIELDS = ("sample_price", "sample_days", "packing", "customisable", "customisation")


class InquiryError(Exception):
    """A refused inquiry change; the message is shown as it is."""


class InquiryForbidden(InquiryError):
    """The actor's role may not do it (the views answer 403)."""


def _require_edit(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None:
        raise InquiryForbidden(_("You are not a member of this inquiry's team."))
    if not membership.can_edit:
        raise InquiryForbidden(_("Viewers can read the team's inquiries but not write them. Ask a buyer or the "
                                 "team's owner."))  # fmt: skip
    return membership


# --- the message templates ---
def message_template(*, product: Product, sku: Sku | None = None, quantity: int | None = None,
                     target_price: Decimal | None = None, language: str = "zh") -> str:  # fmt: skip
    """A first message to the supplier naming the offer, option and quantity, in Chinese or English."""
    link = product.detail_url or api.offer_page_url(product.offer_id)
    unit = product.unit or "件"
    if language == "en":
        lines = [
            "Hello,",
            "",
            f"I am interested in your offer “{product.title_en or product.title}” (offer {product.offer_id}): {link}",
        ]
        if sku is not None:
            lines.append(f"Option: {sku.label}")
        if quantity:
            lines.append(f"Quantity: {quantity:,} {product.unit_en or unit}")
        if target_price is not None:
            lines.append(f"Target price: ¥{target_price} per piece")
        lines += ["", "Could you confirm the price at this quantity, the minimum order and the lead time? "
                      "Do you offer samples?", "", "Thank you."]  # fmt: skip
        return "\n".join(lines)
    lines = ["您好！", "", f"我对贵司的商品“{product.title}”（商品编号 {product.offer_id}）感兴趣：{link}"]
    if sku is not None:
        lines.append(f"规格：{sku.label}")
    if quantity:
        lines.append(f"采购数量：{quantity}{unit}")
    if target_price is not None:
        lines.append(f"目标价格：每{unit} ¥{target_price}")
    lines += ["", "请问这个数量的价格、起订量和交货期是多少？可以提供样品吗？", "", "谢谢！"]
    return "\n".join(lines)


# --- writes ---
def inquiry_create(*, actor: User, team: Team, product: Product, message: str, language: str = "zh",
                   sku: Sku | None = None, quantity: int | None = None,
                   target_price: Decimal | None = None) -> Inquiry:  # fmt: skip
    """Record a draft inquiry and start finding its chat link (a worker asks 1688, or the offer page)."""
    _require_edit(actor, team.pk)
    if sku is not None and sku.product_id != product.pk:
        raise InquiryError(_("That option belongs to another offer."))
    message = (message or "").replace("\r\n", "\n").strip()
    if not message:
        raise InquiryError(_("Write a message to the supplier first."))
    if len(message) > MESSAGE_MAX:
        raise InquiryError(_("Keep the message to 4,000 characters."))
    inquiry = Inquiry.objects.create(
        team=team, created_by=actor, supplier=product.supplier, product=product, sku=sku,
        sku_label=(sku.label if sku else "")[:200], quantity=quantity, target_price=target_price, message=message,
        language=language if language in Inquiry.Language.values else Inquiry.Language.ZH,
    )  # fmt: skip
    inquiry_link_start(inquiry=inquiry, actor=actor)
    return inquiry


def _fallback(inquiry: Inquiry, note: str) -> Inquiry:
    inquiry.link_url = (inquiry.product.detail_url or api.offer_page_url(inquiry.product.offer_id))[:1000]
    inquiry.link_kind, inquiry.link_state, inquiry.link_note = LinkKind.OFFER_PAGE, LinkState.DONE, note[:500]
    Inquiry.objects.filter(pk=inquiry.pk).update(link_url=inquiry.link_url, link_kind=inquiry.link_kind,
                                                 link_state=inquiry.link_state, link_note=inquiry.link_note)  # fmt: skip
    return inquiry


def inquiry_link_start(*, inquiry: Inquiry, actor: User) -> Inquiry:
    """Queue the WangWang link when the actor's credential may ask 1688 for it; else link the offer page now."""
    supplier = inquiry.product.supplier
    if supplier is None or not supplier.open_id:
        return _fallback(inquiry, _("The portal doesn't know this offer's seller yet, so it links the offer page: "
                                    "use the chat button (旺旺) there."))  # fmt: skip
    credential, _notice = credential_for(actor, api_ref=api.WANGWANG_URL)
    if credential is None:
        return _fallback(inquiry, _("Your 1688 credential can't ask 1688 for a WangWang chat link "
                                    "(account.wangwangUrl.get), so this links the offer page: use the chat button "
                                    "(旺旺) there."))  # fmt: skip
    now = timezone.now()
    Inquiry.objects.filter(pk=inquiry.pk).update(link_state=LinkState.QUEUED, link_kind="", link_url="",
                                                 link_note="", link_started_at=now)  # fmt: skip
    inquiry.link_state, inquiry.link_kind, inquiry.link_url, inquiry.link_started_at = LinkState.QUEUED, "", "", now
    enqueue("inquiry_link_fetch", inquiry.pk)
    return inquiry


def inquiry_link_run(*, inquiry_id: int) -> Inquiry | None:
    """Worker: ask 1688 for the chat link; refusals fall back to the offer page, transient errors propagate."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    claimed = (
        Inquiry.objects.filter(pk=inquiry_id)
        .filter(Q(link_state=LinkState.QUEUED) | Q(link_state=LinkState.RUNNING, link_started_at__lt=stale))
        .update(link_state=LinkState.RUNNING, link_started_at=now)
    )  # a second delivery finds nothing to claim
    if not claimed:
        return None
    inquiry = Inquiry.objects.select_related("product__supplier", "created_by").get(pk=inquiry_id)
    credential, _notice = credential_for(inquiry.created_by, api_ref=api.WANGWANG_URL) if inquiry.created_by else (
        None, "")  # fmt: skip
    if credential is None:
        return _fallback(inquiry, _("1688 chat links aren't available to your credential now, so this links the "
                                    "offer page: use the chat button (旺旺) there."))  # fmt: skip
    open_id = inquiry.product.supplier.open_id
    try:
        with paying(Payer(team_id=inquiry.team_id, user_id=inquiry.created_by_id)):
            url = gateway_call(credential=credential,
                               fn=lambda client, token: api.wangwang_url_for_open_id(client, token, open_id))  # fmt: skip
    except errors.TransientError:
        Inquiry.objects.filter(pk=inquiry_id, link_state=LinkState.RUNNING).update(link_state=LinkState.QUEUED)
        raise
    except errors.AlibabaError as error:
        why = error.message if error.code.startswith("local.") else explain_error(error).sentence
        return _fallback(inquiry, _("1688 gave no chat link: %(why)s Until then this links the offer page: use the "
                                    "chat button (旺旺) there.") % {"why": why.rstrip(".") + "."})  # fmt: skip
    inquiry.link_url, inquiry.link_kind, inquiry.link_state = url[:1000], LinkKind.WANGWANG, LinkState.DONE
    inquiry.link_note = _("A WangWang chat link from 1688 (account.wangwangUrl.get): it opens the chat with this "
                          "supplier in 1688's web messenger; you need to be logged in to 1688 as a buyer.")  # fmt: skip
    Inquiry.objects.filter(pk=inquiry_id).update(link_url=inquiry.link_url, link_kind=inquiry.link_kind,
                                                 link_state=inquiry.link_state, link_note=inquiry.link_note)  # fmt: skip
    return inquiry


def inquiry_link_give_up(*, inquiry_id: int) -> None:
    inquiry = Inquiry.objects.select_related("product").filter(pk=inquiry_id).first()
    if inquiry is not None and inquiry.link_pending:
        _fallback(inquiry, _("1688 did not answer properly, so this links the offer page: use the chat button "
                             "(旺旺) there."))  # fmt: skip


def _move(inquiry: Inquiry, *, frm: list[str], **values) -> Inquiry:
    values["updated_at"] = timezone.now()
    moved = Inquiry.objects.filter(pk=inquiry.pk, status__in=frm).update(**values)
    if not moved:  # a teammate moved it meanwhile: say what it is now
        inquiry.refresh_from_db()
        raise InquiryError(_("This inquiry is “%(status)s” now; reload the page.") %
                           {"status": inquiry.get_status_display()})  # fmt: skip
    for key, value in values.items():
        setattr(inquiry, key, value)
    return inquiry


def inquiry_mark_sent(*, actor: User, inquiry: Inquiry, at: datetime | None = None) -> Inquiry:
    """Draft → sent: the buyer pasted the message into the chat."""
    _require_edit(actor, inquiry.team_id)
    return _move(inquiry, frm=[Status.DRAFT], status=Status.SENT, sent_at=at or timezone.now())


def inquiry_log_reply(*, actor: User, inquiry: Inquiry, replied_at: datetime | None = None,
                      quoted_price: Decimal | None = None, quoted_moq: int | None = None,
                      quoted_lead_days: int | None = None, notes: str | None = None,
                      quoted_quantity: int | None = None, **answers) -> Inquiry:  # fmt: skip
    """Sent → replied (or correct a logged reply): what the supplier quoted, and when they answered.

    `answers`: the other answers of a request (sample_price, sample_days, packing, customisable, customisation)."""
    _require_edit(actor, inquiry.team_id)
    now = timezone.now()
    if inquiry.status == Status.DRAFT:
        raise InquiryError(_("Mark the inquiry as sent first: the response time counts from then."))
    replied_at = replied_at or inquiry.replied_at or now
    if replied_at > now + timedelta(minutes=5):
        raise InquiryError(_("The reply can't be in the future."))
    if inquiry.sent_at and replied_at < inquiry.sent_at:
        raise InquiryError(_("The reply can't come before the inquiry was sent (%(at)s).") %
                           {"at": formats.date_format(timezone.localtime(inquiry.sent_at), "DATETIME_FORMAT")})  # fmt: skip
    values = {"status": Status.REPLIED, "replied_at": replied_at, "reply_logged_at": now, "quoted_price": quoted_price,
              "quoted_moq": quoted_moq, "quoted_lead_days": quoted_lead_days,
              "quoted_quantity": quoted_quantity or (inquiry.quantity if quoted_price is not None else None)}  # fmt: skip
    if notes is not None:
        values["notes"] = notes.replace("\r\n", "\n")[:4000]
    for name in ANSWER_FIELDS:
        if name in answers:
            value = answers[name]
            values[name] = (value or "").strip()[:500] if name in ("packing", "customisation") else value
    corrected = inquiry.status == Status.REPLIED
    with transaction.atomic():
        inquiry = _move(inquiry, frm=[Status.SENT, Status.REPLIED], **values)
        reply_emit(inquiry=inquiry, logged_by=actor.username, corrected=corrected)
    return inquiry


def reply_emit(*, inquiry: Inquiry, logged_by: str, corrected: bool = False) -> None:
    """Tell the team's webhooks that a supplier's reply was logged (by a person, or from 1688's batch inquiry)."""
    event_emit(team_id=inquiry.team_id, kind="reply.logged", data={
        "inquiry": inquiry.pk, "corrected": corrected, "product": {"offer_id": inquiry.product.offer_id},
        "supplier": inquiry.supplier_id, "replied_at": inquiry.replied_at, "quoted_price": inquiry.quoted_price,
        "quoted_moq": inquiry.quoted_moq, "quoted_quantity": inquiry.quoted_quantity,
        "quoted_lead_days": inquiry.quoted_lead_days, "logged_by": logged_by,
        "url": portal_url(reverse("inquiry_detail", args=[inquiry.pk])),
    })  # fmt: skip


def inquiry_close(*, actor: User, inquiry: Inquiry) -> Inquiry:
    _require_edit(actor, inquiry.team_id)
    return _move(inquiry, frm=[Status.DRAFT, Status.SENT, Status.REPLIED], status=Status.CLOSED,
                 closed_at=timezone.now())  # fmt: skip


def inquiry_set_notes(*, actor: User, inquiry: Inquiry, notes: str) -> Inquiry:
    _require_edit(actor, inquiry.team_id)
    notes = (notes or "").replace("\r\n", "\n")
    if len(notes) > 4000:
        raise InquiryError(_("Keep the notes to 4,000 characters."))
    Inquiry.objects.filter(pk=inquiry.pk).update(notes=notes, updated_at=timezone.now())
    inquiry.notes = notes
    return inquiry


def message_templates(*, product: Product, sku: Sku | None, quantity, target_price) -> dict[str, str]:
    """Both languages, for the form's language switch."""
    with override("en"):
        return {lang: message_template(product=product, sku=sku, quantity=quantity, target_price=target_price,
                                       language=lang) for lang in ("zh", "en")}  # fmt: skip


# --- one request to many suppliers ---
QUESTION_LINES = {
    "zh": {"moq": "起订量是多少？", "price": "采购{n}的单价是多少？", "lead": "交货期需要几天？",
           "sample": "样品价格是多少？打样需要几天？", "packing": "包装方式是什么（每箱数量、尺寸、重量）？",
           "custom": "可以定制吗（印LOGO、颜色、包装）？"},
    "en": {"moq": "What is your minimum order?", "price": "What is the unit price for {n}?",
           "lead": "How many days is the lead time?", "sample": "What does a sample cost, and how many days to make it?",
           "packing": "How is it packed (pieces per carton, carton size and weight)?",
           "custom": "Can you customise it (logo, colour, packaging)?"},
}  # fmt: skip


def request_message(*, product: Product, sku: Sku | None, quantity: int, target_price: Decimal | None,
                    options: str, questions: list[str], language: str = "zh") -> str:  # fmt: skip
    """The inquiry template for one supplier of a request, its closing question replaced by the request's questions."""
    base = message_template(product=product, sku=sku, quantity=quantity, target_price=target_price, language=language)
    lines = base.split("\n")[:-4]  # the template's own question, blank lines and thanks
    unit = (product.unit or "件") if language == "zh" else (product.unit_en or product.unit or "pcs")
    amount = f"{quantity}{unit}" if language == "zh" else f"{quantity:,} {unit}"
    if options:
        lines.append(("要求：" if language == "zh" else "Requirements: ") + options)
    asked = QUESTION_LINES["zh" if language == "zh" else "en"]
    numbered = [q for q in SupplierRequest.Question.values if q in questions]
    lines += ["", "请回复以下问题：" if language == "zh" else "Could you answer these questions:"]
    lines += [f"{n}. {asked[q].format(n=amount)}" for n, q in enumerate(numbered, 1)]
    lines += ["", "谢谢！" if language == "zh" else "Thank you."]
    return "\n".join(lines)


def request_send(*, actor: User, team: Team, offers: list[tuple[Product, Sku | None]], quantity: int,
                 questions: list[str], target_price: Decimal | None = None, options: str = "", note: str = "",
                 language: str = "zh", list_id: int | None = None, title: str = "") -> SupplierRequest:  # fmt: skip
    """Record one request and an inquiry to each offer's supplier (its message names the questions); each inquiry
    then gets its chat link like any other. All or nothing: a refusal leaves no request and no inquiry."""
    _require_edit(actor, team.pk)
    seen, unique = set(), []
    for product, sku in offers:
        if product.pk not in seen:
            seen.add(product.pk)
            unique.append((product, sku))
    if not unique:
        raise InquiryError(_("Tick at least one item to send the request to."))
    if len(unique) > REQUEST_MAX_SUPPLIERS:
        raise InquiryError(_("Send one request to at most %(n)s suppliers.") % {"n": REQUEST_MAX_SUPPLIERS})
    questions = [q for q in SupplierRequest.Question.values if q in (questions or [])]
    if not questions:
        raise InquiryError(_("Pick at least one question to ask."))
    if not quantity or quantity < 1:
        raise InquiryError(_("Enter the quantity you want to buy."))
    options, note = " ".join((options or "").split())[:500], (note or "").replace("\r\n", "\n").strip()[:1000]
    title = (title or unique[0][0].display_title)[:200]
    with transaction.atomic():
        request = SupplierRequest.objects.create(
            team=team, created_by=actor, list_id=list_id, title=title, options=options, quantity=quantity,
            target_price=target_price, questions=questions, note=note,
        )  # fmt: skip
        for product, sku in unique:
            message = request_message(product=product, sku=sku, quantity=quantity, target_price=target_price,
                                      options=options, questions=questions, language=language)  # fmt: skip
            inquiry = inquiry_create(actor=actor, team=team, product=product, message=message, language=language,
                                     sku=sku, quantity=quantity, target_price=target_price)  # fmt: skip
            Inquiry.objects.filter(pk=inquiry.pk).update(request=request)
        from sourcing.inquiries.batch import request_batch_start  # imported here: batch imports this module

        request_batch_start(request=request, actor=actor)
    return request
