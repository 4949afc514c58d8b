"""A failed-attempt throttle shared by every web process: after `limit` failures in quick succession
a key is locked for `period` seconds; then it starts afresh. Failures that are not in quick
succession are forgotten at `limit` per `period`.

Login uses django-axes (it sees every authenticate() call, the admin's too); this is for checks
that are not a login, such as the password asked before revealing an App Secret. Keys name what
is counted: "reveal:user:12", "reveal:ip:203.0.113.9".

Each key holds one number. Zero or positive: the moment its failures will have drained (GCRA's
"theoretical arrival time"; each failure adds period/limit). Negative: locked until minus that
moment. With REDIS_URL it lives in Redis (one Lua script each, Redis's clock); without, in the
RateSlot table that the rate limiter uses, moved by compare-and-set, so that two processes
counting failures at once can't both slip under the limit.
"""

import math
import time
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.utils.translation import ngettext

from sourcing.core.models import RateSlot

PREFIX = "throttle:"

# KEYS[1] the key; ARGV: interval (period / limit), period. Returns the seconds the key is locked (0: open).
FAIL_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval, period = tonumber(ARGV[1]), tonumber(ARGV[2])
if state < 0 then
  if -state > now then return tostring(-state - now) end
  state = 0
end
local new = math.max(state, now) + interval
local ttl = new - now
if new - now > period - interval then new = -(now + period); ttl = period end
redis.call('SET', KEYS[1], tostring(new), 'PX', math.ceil(ttl * 1000) + 1000)
if new < 0 then return tostring(period) end
return '0'
"""
# Returns the seconds the key is locked (0: open).
CHECK_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = tonumber(redis.call('GET', KEYS[1]) or '0')
if state < 0 and -state > now then return tostring(-state - now) end
return '0'
"""


def _after_failure(state: float, now: float, interval: float, period: float) -> float:
    """The key's next state (see the module's docstring), as FAIL_LUA computes it."""
    if state < 0:
        if -state > now:
            return state  # already locked; the lock does not grow
        state = 0.0
    new = max(state, now) + interval
    return -(now + period) if new - now > period - interval else new


def _locked_for(state: float, now: float) -> float:
    return -state - now if state < 0 and -state > now else 0.0


class Throttled(Exception):
    """Too many recent failures: nothing is checked until `wait` seconds have passed."""

    def __init__(self, wait: float):
        self.wait = wait
        self.minutes = max(1, math.ceil(wait / 60))
        super().__init__(
            ngettext(
                "Too many failed attempts: try again in %(minutes)d minute.",
                "Too many failed attempts: try again in %(minutes)d minutes.",
                self.minutes,
            )
            % {"minutes": self.minutes}
        )


def _rules(limit: int | None, period: float | None) -> tuple[float, float]:
    limit = settings.AUTH_FAILURE_LIMIT if limit is None else limit
    period = settings.AUTH_LOCKOUT_MINUTES * 60 if period is None else period
    return period / limit, float(period)


@cache
def _redis(url: str):
    import redis

    client = redis.Redis.from_url(url)
    return client, client.register_script(FAIL_LUA), client.register_script(CHECK_LUA)


def _now() -> float:
    return time.time()


def _check(key: str) -> float:
    """Seconds this key stays locked (0: open)."""
    if settings.REDIS_URL:
        return float(_redis(settings.REDIS_URL)[2](keys=[PREFIX + key]))
    state = RateSlot.objects.filter(key=PREFIX + key).values_list("next_at", flat=True).first()
    return _locked_for(state or 0.0, _now())


def _fail(key: str, interval: float, period: float) -> float:
    """Count one failure; return the seconds the key is now locked (0: still open)."""
    if settings.REDIS_URL:
        return float(_redis(settings.REDIS_URL)[1](keys=[PREFIX + key], args=[interval, period]))
    RateSlot.objects.get_or_create(key=PREFIX + key)
    while True:
        seen = RateSlot.objects.values_list("next_at", flat=True).get(key=PREFIX + key)
        now = _now()
        new = _after_failure(seen, now, interval, period)
        # Compare-and-set: only the process that saw the current state may move it on.
        if new == seen or RateSlot.objects.filter(key=PREFIX + key, next_at=seen).update(next_at=new):
            return _locked_for(new, now)


def throttle_check(*, keys: Iterable[str]) -> None:
    """Raise Throttled if any of the keys is locked; call it before checking anything secret."""
    wait = max((_check(key) for key in keys), default=0.0)
    if wait > 0:
        raise Throttled(wait)


def throttle_fail(*, keys: Iterable[str], limit: int | None = None, period: float | None = None) -> None:
    """Count one failure against each key; raise Throttled if that locked any of them."""
    interval, period = _rules(limit, period)
    wait = max((_fail(key, interval, period) for key in keys), default=0.0)
    if wait > 0:
        raise Throttled(wait)


def throttle_clear(*, keys: Iterable[str]) -> None:
    """Forget a key's failures (after a success that proves who the user is)."""
    keys = [PREFIX + key for key in keys]
    if settings.REDIS_URL:
        _redis(settings.REDIS_URL)[0].delete(*keys)
    else:
        RateSlot.objects.filter(key__in=keys).delete()
