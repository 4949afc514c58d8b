"""Writes of 1688's batch inquiry for a request to many suppliers (the Newton agent; docs/inquiries-alerts.md).

A service module like services.py: a worker asks 1688 to start the agent task, then polls its result and logs
each supplier's answers on that supplier's inquiry (only where nobody logged a reply by hand). Pages never call
1688. When the sender's credential may not call the API, nothing is asked: the per-supplier inquiries stand.
"""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import User
from sourcing.alibaba import api, errors
from sourcing.catalog.services.jobs import credential_for
from sourcing.connections.explain import explain_error
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import gateway_call
from sourcing.core.enqueue import enqueue
from sourcing.inquiries.models import Inquiry, SupplierRequest
from sourcing.inquiries.services import QUESTION_LINES, reply_emit

State = SupplierRequest.BatchState
NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Which of the request's questions an answer is about, by a word its question holds (the questions the portal sends).
TOPICS = [("起订量", "moq"), ("单价", "price"), ("交货期", "lead"), ("样品", "sample"), ("包装", "packing"),
          ("定制", "custom")]  # fmt: skip


def batch_message(request: SupplierRequest) -> str:
    """What the agent is asked: the offers (ids and links), the quantity, target and options, the questions."""
    lines = ["请帮我向以下供应商批量询盘，并整理每家的回复：", ""]
    for inquiry in request.inquiries.select_related("product").order_by("pk"):
        link = inquiry.product.detail_url or api.offer_page_url(inquiry.product.offer_id)
        option = f"（规格：{inquiry.sku_label}）" if inquiry.sku_label else ""
        lines.append(f"商品编号 {inquiry.product.offer_id}{option}：{link}")
    lines += ["", f"采购数量：{request.quantity}"]
    if request.target_price is not None:
        lines.append(f"目标价格：¥{request.target_price}")
    if request.options:
        lines.append(f"要求：{request.options}")
    asked = [q for q in SupplierRequest.Question.values if q in request.questions]
    lines += ["", "问题："] + [f"{n}. {QUESTION_LINES['zh'][q].format(n=request.quantity)}" for n, q in
                              enumerate(asked, 1)]  # fmt: skip
    return "\n".join(lines)


def request_batch_start(*, request: SupplierRequest, actor: User) -> SupplierRequest:
    """Queue 1688's batch inquiry when the actor's credential may call it; else note why it is not asked."""
    credential, _why = credential_for(actor, api_ref=api.NEWTON_TASK_CREATE)
    if credential is None:
        return request
    now = timezone.now()
    SupplierRequest.objects.filter(pk=request.pk).update(batch_state=State.QUEUED, batch_started_at=now)
    request.batch_state, request.batch_started_at = State.QUEUED, now
    enqueue("request_batch_ask", request.pk)
    return request


def _fail(request_id: int, note: str) -> None:
    SupplierRequest.objects.filter(pk=request_id).update(batch_state=State.FAILED, batch_note=note[:500])


def _why(error: errors.AlibabaError) -> str:
    return error.message if error.code.startswith("local.") else explain_error(error).sentence


def request_batch_ask(*, request_id: int) -> bool:
    """Worker: start the agent task; True when it started (then poll). Refusals are noted; transient errors raise."""
    claimed = SupplierRequest.objects.filter(pk=request_id, batch_state=State.QUEUED).update(
        batch_state=State.WAITING
    )  # fmt: skip  (a second delivery finds nothing to claim)
    if not claimed:
        return False
    request = SupplierRequest.objects.select_related("created_by").get(pk=request_id)
    credential, why = credential_for(request.created_by, api_ref=api.NEWTON_TASK_CREATE) if request.created_by else (
        None, "")  # fmt: skip
    if credential is None:
        _fail(request_id, why or _("No 1688 credential may ask for the batch inquiry now."))
        return False
    message = batch_message(request)
    try:
        with paying(Payer(team_id=request.team_id, user_id=request.created_by_id)):
            task = gateway_call(credential=credential,
                                fn=lambda client, token: api.newton_task_create(client, token, message))  # fmt: skip
    except errors.TransientError:
        SupplierRequest.objects.filter(pk=request_id, batch_state=State.WAITING).update(batch_state=State.QUEUED)
        raise
    except errors.AlibabaError as error:
        _fail(request_id, _("1688 did not start the batch inquiry: %(why)s") % {"why": _why(error)})
        return False
    SupplierRequest.objects.filter(pk=request_id).update(
        batch_task_id=task.task_id[:64], batch_note=_("1688's agent is asking the suppliers.")
    )
    return True


def _number(text: str) -> Decimal | None:
    found = NUMBER.search(text or "")
    try:
        return Decimal(found.group()) if found else None
    except InvalidOperation:
        return None


def _whole(text: str, limit: int) -> int | None:
    value = _number(text)
    return int(value) if value is not None and 0 <= value <= limit and value == int(value) else None


def answer_values(pairs: list[tuple[str, str]]) -> dict:
    """The inquiry fields a supplier's written answers give (numbers read from the text; out-of-range ones left)."""
    values: dict = {}
    for question, answer in pairs:
        topic = next((key for word, key in TOPICS if word in question), None)
        answer = (answer or "").strip()[:500]
        if topic == "moq":
            values["quoted_moq"] = _whole(answer, 10_000_000)
        elif topic == "price":
            price = _number(answer)
            values["quoted_price"] = price if price is not None and price <= 1_000_000 else None
        elif topic == "lead":
            values["quoted_lead_days"] = _whole(answer, 365)
        elif topic == "sample":
            numbers = NUMBER.findall(answer)
            values["sample_price"] = _number(numbers[0]) if numbers and "元" in answer else None
            values["sample_days"] = _whole(numbers[-1], 365) if numbers and "天" in answer else None
        elif topic == "packing":
            values["packing"] = answer
        elif topic == "custom":
            values["customisable"] = not any(word in answer for word in ("不支持", "不可以", "不能", "不行"))
            values["customisation"] = answer
    return {k: v for k, v in values.items() if v not in (None, "")}


def request_batch_poll(*, request_id: int) -> bool:
    """Worker: read the agent's result; when the answers are in, log them and return True (else False: poll later)."""
    request = SupplierRequest.objects.select_related("created_by").filter(pk=request_id).first()
    if request is None or request.batch_state != State.WAITING or not request.batch_task_id:
        return True  # nothing to wait for
    credential, why = credential_for(request.created_by, api_ref=api.BATCH_INQUIRY_RESULT) if request.created_by \
        else (None, "")  # fmt: skip
    if credential is None:
        _fail(request_id, why or _("No 1688 credential may read the batch inquiry now."))
        return True
    try:
        with paying(Payer(team_id=request.team_id, user_id=request.created_by_id)):
            result = gateway_call(credential=credential, fn=lambda client, token: api.batch_inquiry_result(
                client, token, request.batch_task_id))  # fmt: skip
    except errors.TransientError:
        raise
    except errors.AlibabaError as error:
        _fail(request_id, _("1688 gave no batch inquiry result: %(why)s") % {"why": _why(error)})
        return True
    if not result.done:
        return False
    now = timezone.now()
    by_offer = {i.product.offer_id: i for i in request.inquiries.select_related("product")}
    answered = 0
    for supplier in result.suppliers:
        inquiry = by_offer.get(supplier.offer_id)
        values = answer_values(supplier.answers) if supplier.replied else {}
        if inquiry is None or not values:
            continue
        if "quoted_price" in values:  # the price asked was at the request's quantity
            values["quoted_quantity"] = request.quantity
        note = _("Answered through 1688's batch inquiry.")
        # only where no reply was logged by hand: a person's record wins over the agent's summary
        with transaction.atomic():
            if Inquiry.objects.filter(pk=inquiry.pk, replied_at__isnull=True).exclude(
                status=Inquiry.Status.CLOSED).update(
                status=Inquiry.Status.REPLIED, sent_at=inquiry.sent_at or request.created_at, replied_at=now,
                reply_logged_at=now, updated_at=now, notes=(inquiry.notes + "\n" + note).strip()[:4000], **values):  # fmt: skip
                answered += 1
                inquiry.refresh_from_db()
                reply_emit(inquiry=inquiry, logged_by="1688 batch inquiry")
    SupplierRequest.objects.filter(pk=request_id).update(
        batch_state=State.DONE, batch_note=_("1688's batch inquiry is in: %(n)s of %(total)s suppliers answered.")
        % {"n": answered, "total": len(by_offer)})  # fmt: skip
    return True


def request_batch_give_up(*, request_id: int) -> None:
    """The worker stopped asking: say so (the per-supplier inquiries stand)."""
    SupplierRequest.objects.filter(pk=request_id, batch_state__in=[State.QUEUED, State.WAITING]).update(
        batch_state=State.FAILED, batch_note=_("1688's batch inquiry did not answer in time; log the answers from "
                                               "each supplier's chat."))  # fmt: skip
