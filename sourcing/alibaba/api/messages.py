"""1688's message service from the app's side: the pushed envelope, its signature, the replay calls, follows.

docs/1688-messages.md has the wire: a message arrives as a form POST with `message` (the envelope as JSON) and
`_aop_signature`; the replay calls list what was not delivered; following an offer subscribes to its stock.

Reference: https://open.1688.com/api/apidocdetail.htm?id=cn.alibaba.open:push.query.messageList-1
Reference: https://open.1688.com/api/apidocdetail.htm?id=cn.alibaba.open:push.cursor.messageList-1
Reference: https://open.1688.com/api/apidocdetail.htm?id=cn.alibaba.open:push.message.confirm-1
Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.product:alibaba.product.follow-1
Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.product:alibaba.product.unfollow.crossborder-1
"""

import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime

from .. import errors
from ..client import AlibabaClient
from ..signing import sign_params
from ..timefmt import format_gateway_time, from_epoch_ms
from .refs import (  # noqa: F401 - the message APIs' refs, re-exported here where they are used
    MESSAGE_APIS,
    OPEN,
    PRODUCT_FOLLOW,
    PRODUCT_UNFOLLOW,
    PUSH_CONFIRM,
    PUSH_CURSOR,
    PUSH_QUERY,
    call_api,
)


@dataclass(frozen=True)
class PushMessage:
    """One message, as pushed and as the replay calls list it. `type` is topicGroup + "_" + topicName."""

    msg_id: int
    type: str
    user_info: str  # the member id of the account it concerns
    born_at: datetime | None  # gmtBorn
    data: dict = field(default_factory=dict)
    topic_group: str = ""
    topic_name: str = ""
    app_key: str = ""


@dataclass(frozen=True)
class MessagePage:
    messages: list[PushMessage]
    total: int


def push_signature(message: str, app_secret: str) -> str:
    """The `_aop_signature` a pushed message carries: HMAC-SHA1 over "message" + the field's value (no URL path),
    upper-case hex, the gateway's parameter rule applied to the form's one field (UNCONFIRMED on live 1688)."""
    return sign_params({"message": message}, app_secret)


def push_signature_ok(message: str, signature: str, app_secret: str) -> bool:
    """Whether `signature` is exactly the push signature of `message` under the secret: the upper-case hex, nothing
    weaker, compared in constant time; never with an empty secret."""
    if not app_secret or not isinstance(signature, str) or len(signature) != 40:
        return False
    return hmac.compare_digest(push_signature(message, app_secret).encode(), signature.encode("utf-8", "replace"))


def _int(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def read_push_message(raw) -> PushMessage:
    """An envelope (a dict, or the JSON text of the `message` field); MalformedResponse if it has no msgId or type."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise errors.MalformedResponse("The message is not JSON.") from None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The message is not a JSON object.")
    msg_id, born = _int(raw.get("msgId")), _int(raw.get("gmtBorn"))
    group, name = str(raw.get("topicGroup") or ""), str(raw.get("topicName") or "")
    message_type = str(raw.get("type") or (f"{group}_{name}" if group and name else group or name))
    if msg_id is None or not message_type:
        raise errors.MalformedResponse("The message has no msgId or type.")
    data = raw.get("data")
    if isinstance(data, str):  # some pushes carry data as JSON text
        try:
            data = json.loads(data)
        except ValueError:
            data = {}
    return PushMessage(msg_id=msg_id, type=message_type, user_info=str(raw.get("userInfo") or ""),
                       born_at=from_epoch_ms(born) if born is not None else None,
                       data=data if isinstance(data, dict) else {}, topic_group=group, topic_name=name,
                       app_key=str(raw.get("appKey") or ""))  # fmt: skip


def _filters(start, end, message_type, user_info) -> dict:
    params = {}
    if start is not None:
        params["createStartTime"] = format_gateway_time(start)
    if end is not None:
        params["createEndTime"] = format_gateway_time(end)
    if message_type:
        params["type"] = message_type
    if user_info:
        params["userInfo"] = user_info
    return params


def _read_list(raw, api: str) -> list[PushMessage]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise errors.MalformedResponse("The message list is not a list.", api=api)
    return [read_push_message(item) for item in raw]


def message_list(
    client: AlibabaClient,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    page: int = 1,
    page_size: int = 20,
    message_type: str = "",
    user_info: str = "",
) -> MessagePage:
    """A page of the app's messages not yet confirmed, oldest first (push.query.messageList); reading confirms
    nothing: call message_confirm with what was stored. page_size 20 to 200."""  # fmt: skip
    params = {**_filters(start, end, message_type, user_info), "page": page, "pageSize": page_size}
    body = call_api(client, PUSH_QUERY, params, None)
    page_body = body.get("pushMessagePage") if isinstance(body, dict) else None
    if not isinstance(page_body, dict):
        raise errors.MalformedResponse("The answer has no pushMessagePage.", api=PUSH_QUERY.id)
    messages = _read_list(page_body.get("datas"), PUSH_QUERY.id)
    return MessagePage(messages=messages, total=_int(page_body.get("totalCount")) or len(messages))


def message_cursor(
    client: AlibabaClient,
    *,
    quantity: int = 20,
    start: datetime | None = None,
    end: datetime | None = None,
    message_type: str = "",
    user_info: str = "",
) -> list[PushMessage]:
    """The oldest unconfirmed messages, CONFIRMED BY THE READ (push.cursor.messageList): store them before asking
    for more; a crash in between loses them. quantity 20 to 200."""  # fmt: skip
    params = {**_filters(start, end, message_type, user_info), "quantity": quantity}
    body = call_api(client, PUSH_CURSOR, params, None)
    if not isinstance(body, dict) or "pushMessageList" not in body:
        raise errors.MalformedResponse("The answer has no pushMessageList.", api=PUSH_CURSOR.id)
    return _read_list(body.get("pushMessageList"), PUSH_CURSOR.id)


def message_confirm(client: AlibabaClient, msg_ids: list[int]) -> bool:
    """Mark messages consumed (push.message.confirm): they leave the lists and are not pushed again."""
    if not msg_ids:
        return True
    body = call_api(client, PUSH_CONFIRM, {"msgIdList": [int(i) for i in msg_ids]}, None)
    return isinstance(body, dict) and str(body.get("isSuccess")).lower() == "true"


def _follow_result(body, api: str) -> None:
    if not isinstance(body, dict) or "code" not in body:
        raise errors.MalformedResponse("The answer has no code.", api=api)
    if str(body.get("code")) != "0":
        raise errors.BusinessError(str(body.get("message") or ""), code=str(body.get("code")), http_status=200,
                                   api=api)  # fmt: skip


def product_follow(client: AlibabaClient, access_token: str, offer_id: int | str) -> None:
    """Follow an offer for the connected account (alibaba.product.follow): its stock messages start coming."""
    _follow_result(call_api(client, PRODUCT_FOLLOW, {"productId": str(offer_id)}, access_token), PRODUCT_FOLLOW.id)


def product_unfollow(client: AlibabaClient, access_token: str, offer_id: int | str) -> None:
    """Stop following an offer (alibaba.product.unfollow.crossborder)."""
    body = call_api(client, PRODUCT_UNFOLLOW, {"productId": str(offer_id)}, access_token)
    _follow_result(body, PRODUCT_UNFOLLOW.id)
