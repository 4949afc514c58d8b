"""The message APIs (cn.alibaba.open push.*) and the follow APIs (docs/1688-messages.md, "Replay" and "Follow").

The replay calls are app-level on 1688 (无需授权: no token needed; one is ignored): they list the app's
messages that were not delivered with a 200 and not confirmed, oldest first.
"""

import json

from .gateway import INT_MAX, Call, api, param_error, whole_number
from .messages import follow
from .models import SandboxFollow, SandboxMessage
from .trade_apis import _gateway_date

OPEN = "cn.alibaba.open"
PRODUCT = "com.alibaba.product"
MIN_PAGE, MAX_PAGE, DEFAULT_PAGE = 20, 200, 20  # pageSize and quantity: "范围20-200，默认20"
LISTED_STATES = ("pending", "failed")


def _size(call: Call, name: str) -> int:
    value = call.params.get(name, "")
    if value == "":
        return DEFAULT_PAGE
    return min(MAX_PAGE, max(MIN_PAGE, whole_number(name, value, maximum=INT_MAX)))  # the sandbox clamps


def _unconfirmed(call: Call):
    """The app's messages still owed, filtered as the call asks, oldest first."""
    rows = SandboxMessage.objects.filter(app=call.app, state__in=LISTED_STATES)
    params = call.params
    if params.get("createStartTime"):
        rows = rows.filter(born_at__gte=_gateway_date("createStartTime", params["createStartTime"]))
    if params.get("createEndTime"):
        rows = rows.filter(born_at__lte=_gateway_date("createEndTime", params["createEndTime"]))
    if params.get("type"):
        rows = rows.filter(type=params["type"][:80])
    if params.get("userInfo"):
        rows = rows.filter(user_info=params["userInfo"][:100])
    return rows.order_by("msg_id")


@api(OPEN, "push.query.messageList", auth=False)
def push_query_message_list(call: Call):
    """A page of unconfirmed messages; reading confirms nothing (push.message.confirm does)."""
    page = whole_number("page", call.params.get("page") or 1, minimum=1, maximum=INT_MAX)
    size = _size(call, "pageSize")
    rows = _unconfirmed(call)
    start = (page - 1) * size
    datas = [row.envelope for row in rows[start : start + size]] if start < 10**7 else []
    return {"pushMessagePage": {"datas": datas, "totalCount": rows.count()}}


@api(OPEN, "push.cursor.messageList", auth=False)
def push_cursor_message_list(call: Call):
    """The oldest `quantity` unconfirmed messages; reading confirms them, so the next call gets the next ones."""
    rows = list(_unconfirmed(call)[: _size(call, "quantity")])
    SandboxMessage.objects.filter(pk__in=[row.pk for row in rows], state__in=LISTED_STATES).update(
        state="confirmed", next_attempt_at=None
    )
    return {"pushMessageList": [row.envelope for row in rows]}


def _msg_ids(call: Call) -> list[int]:
    text = call.params.get("msgIdList", "")
    try:
        raw = json.loads(text) if text.strip().startswith("[") else text.split(",")
    except ValueError:
        raise param_error("msgIdList", text) from None
    if not isinstance(raw, list) or len(raw) > 1000:
        raise param_error("msgIdList", text)
    return [whole_number("msgIdList", value, minimum=0) for value in raw if str(value).strip()]


# msgIdList is required, as documented: a call without it is gw.ParamMissing after the grant check (a safe probe).
@api(OPEN, "push.message.confirm", auth=False, required=("msgIdList",))
def push_message_confirm(call: Call):
    """Mark the app's messages consumed: they leave the lists and are not retried."""
    SandboxMessage.objects.filter(app=call.app, msg_id__in=_msg_ids(call), state__in=LISTED_STATES).update(
        state="confirmed", next_attempt_at=None
    )
    return {"isSuccess": True}


def _follow_answer(code: int, message: str) -> dict:
    return {"code": code, "message": message}


def _product(call: Call):
    from .apis import _offer_or_none

    return _offer_or_none("productId", call.params["productId"])


def _follow(call: Call):
    offer = _product(call)
    if offer is None:
        return _follow_answer(404, f"商品[{call.params['productId'][:30]}]不存在 (offer not found)")
    follow(call.app, call.account, offer)
    return _follow_answer(0, "success")


# Both names are documented: alibaba.product.follow (SDKs, the API list) and its crossborder twin (the doc page).
api(PRODUCT, "alibaba.product.follow", required=("productId",))(_follow)
api(PRODUCT, "alibaba.product.follow.crossborder", required=("productId",))(_follow)


@api(PRODUCT, "alibaba.product.unfollow.crossborder", required=("productId",))
def unfollow(call: Call):
    offer_id = whole_number("productId", call.params["productId"], minimum=1)
    SandboxFollow.objects.filter(app=call.app, account=call.account, offer_id=offer_id).delete()
    return _follow_answer(0, "success")
