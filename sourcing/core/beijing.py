"""The 1688 day: Asia/Shanghai dates, the next midnight there, and how long until a moment."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(BEIJING).date()


def next_beijing_midnight(now: datetime | None = None) -> datetime:
    day = beijing_today(now) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING)


def hours_minutes_until(moment: datetime) -> tuple[int, int]:
    """Whole hours and minutes from now until `moment` (0, 0 once it has passed)."""
    return divmod(max(0, int((moment - timezone.now()).total_seconds())) // 60, 60)
