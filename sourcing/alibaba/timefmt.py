"""The gateway's date format `yyyyMMddHHmmssSSS+0800` (spec §2.1, §4)."""

from datetime import UTC, datetime, timedelta, timezone


def parse_gateway_time(value: str) -> datetime:
    """Parse '20261010164552223+0800' (or '2024-04-20 08:00:00', Beijing time) to an aware datetime."""
    text = str(value).strip().strip('"')
    if len(text) >= 22 and text[:17].isdigit() and text[17] in "+-":
        sign = 1 if text[17] == "+" else -1
        offset = timedelta(hours=int(text[18:20]), minutes=int(text[20:22])) * sign
        naive = datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(microsecond=int(text[14:17]) * 1000)
        return naive.replace(tzinfo=timezone(offset))
    if len(text) == 19 and text[4] == "-":
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone(timedelta(hours=8)))
    raise ValueError(f"not a gateway time: {text!r}")


def format_gateway_time(moment: datetime) -> str:
    """Format an aware datetime the way the gateway does, in Beijing time."""
    beijing = moment.astimezone(timezone(timedelta(hours=8)))
    return beijing.strftime("%Y%m%d%H%M%S") + f"{beijing.microsecond // 1000:03d}+0800"


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
