"""The Newton agent's batch inquiry (docs/inquiries-alerts.md, "1688's batch inquiry"): task.create names the
offers in its free-text message; batchInquiry.getResult answers each supplier's reply to the questions asked.

UNCONFIRMED shapes: the published result example is truncated. Here `data` is a JSON string
{"taskId", "status", "questions", "subTasks": [{"offerId", "companyName", "status", "result": {"summary":
[{"question", "answer"}]}}]}. The first result poll finds the suppliers still answering (inquiryStatus
"running"); one supplier in three (offer id divisible by 3) never answers.
"""

import json
import re
import uuid
from decimal import Decimal

from .gateway import Call, api, business_error
from .models import SandboxNewtonTask, SandboxOffer

AGENT = "com.alibaba.agent"
OFFER_LINK = re.compile(r"(?:offer/|商品编号\s*)(\d{6,15})")
MAX_OFFERS = 20
# The questions the agent recognises in a message, by a word each holds, and the supplier's answer to each.
QUESTIONS = [
    ("起订量", lambda o: f"起订量{o.min_order_quantity}{o.unit}"),
    ("单价", lambda o: f"{_price(o)}元/{o.unit}"),
    ("交货期", lambda o: f"{7 + o.offer_id % 20}天"),
    ("样品", lambda o: f"样品{_price(o) * 3}元，{2 + o.offer_id % 6}天"),
    ("包装", lambda o: f"纸箱包装，每箱{20 + o.offer_id % 5 * 10}{o.unit}"),
    ("定制", lambda o: "可以定制LOGO，500个起" if o.offer_id % 2 else "不支持定制"),
]


def _price(offer: SandboxOffer) -> Decimal:
    return (offer.base_price * Decimal("0.95")).quantize(Decimal("0.01"))


@api(AGENT, "newtoncloud.task.create", required=("message",))
def task_create(call: Call):
    if call.account is None:
        raise business_error("401", "Request need user authorized")
    message = call.params["message"][:10_000]
    offer_ids = list(dict.fromkeys(int(n) for n in OFFER_LINK.findall(message)))[:MAX_OFFERS]
    task = SandboxNewtonTask.objects.create(task_id=str(uuid.uuid4()), account=call.account, message=message,
                                            offer_ids=offer_ids)  # fmt: skip
    return {"success": True, "taskId": task.task_id, "sessionId": str(uuid.uuid4()), "status": "INIT"}


@api(AGENT, "newtoncloud.batchInquiry.getResult")
def batch_inquiry_result(call: Call):
    task_id = call.params.get("taskId") or call.params.get("wwTaskId") or ""
    if not task_id:
        return {"success": False, "error": "request.wwTaskId required"}
    task = SandboxNewtonTask.objects.filter(task_id=task_id[:40], account=call.account).first()
    if task is None:
        return {"success": False, "error": f"task {task_id[:40]} not found or not owned by the user"}
    SandboxNewtonTask.objects.filter(pk=task.pk).update(polls=task.polls + 1)
    if task.polls == 0:
        return {"success": True, "inquiryStatus": "running"}
    asked = [(word, answer) for word, answer in QUESTIONS if word in task.message]
    offers = SandboxOffer.objects.select_related("supplier").in_bulk(task.offer_ids, field_name="offer_id")
    sub_tasks = []
    for offer_id in task.offer_ids:
        offer = offers.get(offer_id)
        if offer is None:
            continue
        silent = offer_id % 3 == 0
        sub_tasks.append({
            "offerId": str(offer_id), "companyName": offer.supplier.company_name,
            "status": "NO_REPLY" if silent else "SUCCESS",
            "result": {"summary": [] if silent else [{"question": word, "answer": answer(offer)}
                                                      for word, answer in asked]},
        })  # fmt: skip
    data = {"taskId": task.task_id, "status": "SUCCESS", "questions": [w for w, _a in asked], "subTasks": sub_tasks}
    return {"success": True, "inquiryStatus": "success", "data": json.dumps(data, ensure_ascii=False)}
