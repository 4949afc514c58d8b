"""The wire of 1688's messages (docs/1688-messages.md): the envelope, read strictly.

A message arrives as a form with `message` (the envelope as a JSON string) and `_aop_signature`, which the client
checks (`sourcing.alibaba.api.push_signature_ok`). Plain Python: no Django.
"""

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_ID = 2**63 - 1


class BadMessage(ValueError):
    """The envelope can't be read; the text says why (never echoes the input)."""


@dataclass(frozen=True)
class Envelope:
    msg_id: int
    born_at: datetime
    topic: str
    user_info: str
    data: dict
    raw: dict


def _whole(value, name: str) -> int:
    if isinstance(value, bool):
        raise BadMessage(f"{name} is not a number")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise BadMessage(f"{name} is not a whole number")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            raise BadMessage(f"{name} is not a number")
        value = int(text)
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadMessage(f"{name} is missing or out of range")
    return value


def epoch_ms(value, name: str = "time") -> datetime:
    """A time given as epoch milliseconds (1688's gmtBorn, bizTime)."""
    number = _whole(value, name)
    if number > 10**14:  # past the year 5138: not a time
        raise BadMessage(f"{name} is out of range")
    return datetime.fromtimestamp(number / 1000, tz=UTC)


def read_envelope(text: str) -> Envelope:
    """The envelope in the form's `message` field (a JSON object), or BadMessage."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise BadMessage("message is not JSON") from None
    return envelope_of(raw)


def envelope_of(raw) -> Envelope:
    """An envelope from its JSON object (the callback's form, or an item of push.query.messageList)."""
    if not isinstance(raw, dict):
        raise BadMessage("message is not an object")
    topic = raw.get("type")
    if not isinstance(topic, str) or not topic.strip() or len(topic) > 100:
        raise BadMessage("type is missing")
    data = raw.get("data")
    if isinstance(data, str):  # some senders put the payload in as a JSON string
        try:
            data = json.loads(data) if data.strip() else {}
        except (ValueError, RecursionError):
            raise BadMessage("data is not JSON") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadMessage("data is not an object")
    user_info = raw.get("userInfo")
    return Envelope(
        msg_id=_whole(raw.get("msgId"), "msgId"),
        born_at=epoch_ms(raw.get("gmtBorn"), "gmtBorn"),
        topic=topic.strip(),
        user_info=str(user_info)[:100] if isinstance(user_info, (str, int)) and not isinstance(user_info, bool) else "",
        data=data,
        raw=raw,
    )
