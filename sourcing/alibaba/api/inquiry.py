"""1688's batch inquiry through its Newton agent: start the task, read the suppliers' answers.

Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.agent:newtoncloud.task.create-1
Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.agent:newtoncloud.batchInquiry.getResult-1
The result's `data` is a JSON string whose published example is truncated: the shape read here (`subTasks[]` with
`offerId`, `companyName`, `status`, `result.summary[]` of `question` / `answer`) is UNCONFIRMED.
"""

import json
from dataclasses import dataclass, field

from .. import errors
from ..client import AlibabaClient
from .refs import BATCH_INQUIRY_RESULT, NEWTON_TASK_CREATE, call_api


@dataclass(frozen=True)
class NewtonTask:
    task_id: str
    status: str  # INIT, RUNNING, WAIT_SKILL, WAIT_USER, END, KILL


@dataclass(frozen=True)
class SupplierAnswer:
    offer_id: int | None
    company: str
    replied: bool
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, answer) as the supplier wrote it


@dataclass(frozen=True)
class BatchInquiry:
    done: bool  # the suppliers' answers are in (inquiryStatus success)
    suppliers: list[SupplierAnswer] = field(default_factory=list)


def newton_task_create(client: AlibabaClient, access_token: str, message: str) -> NewtonTask:
    """Start the agent task that asks the suppliers named in `message`; its id reads the answers later."""
    body = call_api(client, NEWTON_TASK_CREATE, {"message": message, "auto": True}, access_token)
    task_id = body.get("taskId") if isinstance(body, dict) else None
    if not task_id:
        raise errors.MalformedResponse("The answer has no task id.", api=NEWTON_TASK_CREATE.id)
    return NewtonTask(task_id=str(task_id), status=str(body.get("status") or ""))


def _offer_id(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def read_batch_inquiry(body) -> BatchInquiry:
    """The answer of newtoncloud.batchInquiry.getResult: done or not, and each supplier's question/answer pairs."""
    status = str(body.get("inquiryStatus") or "").lower() if isinstance(body, dict) else ""
    raw = body.get("data") if isinstance(body, dict) else None
    if status != "success" or not raw:
        return BatchInquiry(done=False)
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise errors.MalformedResponse("The inquiry result is not JSON.", api=BATCH_INQUIRY_RESULT.id) from None
    suppliers = []
    for sub in (data or {}).get("subTasks") or []:
        if not isinstance(sub, dict):
            continue
        summary = ((sub.get("result") or {}).get("summary") or []) if isinstance(sub.get("result"), dict) else []
        pairs = [(str(s.get("question") or ""), str(s.get("answer") or "")) for s in summary if isinstance(s, dict)]
        suppliers.append(SupplierAnswer(offer_id=_offer_id(sub.get("offerId")), company=str(sub.get("companyName") or ""),
                                        replied=str(sub.get("status") or "").upper() == "SUCCESS" and bool(pairs),
                                        answers=pairs))  # fmt: skip
    return BatchInquiry(done=True, suppliers=suppliers)


def batch_inquiry_result(client: AlibabaClient, access_token: str, task_id: str) -> BatchInquiry:
    """The suppliers' answers to the batch inquiry of agent task `task_id` (done=False while they are awaited)."""
    return read_batch_inquiry(call_api(client, BATCH_INQUIRY_RESULT, {"taskId": task_id}, access_token))
