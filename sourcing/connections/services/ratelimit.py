"""A per-app rate limiter shared by every worker process.

Each call reserves the next free slot (slots are 1/qps seconds apart) and sleeps until it, but only
when it is at most ALIBABA_RATE_WAIT (0.25 s) away: a slot further off reserves nothing and raises
RateLimitWait with `retry_after`, so the task goes back to the queue due at that time and the worker
takes other teams' work meanwhile. With REDIS_URL the slot lives in Redis (one Lua script, Redis's
clock); without, in a database row updated by compare-and-set.
"""

import time
from functools import cache

from django.conf import settings

from sourcing.alibaba import errors
from sourcing.core.models import RateSlot


class RateLimitWait(errors.TransientError):
    default_message = "Too many calls are queued for this app's rate limit; the call will be retried."
    retry_after: float = 1.0  # seconds until the app's next free slot


RESERVE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(nxt, now)
local wait = start - now
if wait > tonumber(ARGV[2]) then return tostring(-wait) end
redis.call('SET', KEYS[1], tostring(start + tonumber(ARGV[1])), 'EX', 3600)
return tostring(wait)
"""


@cache
def _redis_script(url: str):
    import redis

    return redis.Redis.from_url(url).register_script(RESERVE_LUA)


class RateLimiterUnreachable(errors.TransientError):
    default_message = "The shared rate limiter (Redis) did not answer; the call will be retried."


def _reserve_redis(key: str, interval: float, max_wait: float) -> float:
    import redis

    try:
        return float(_redis_script(settings.REDIS_URL)(keys=[f"ratelimit:{key}"], args=[interval, max_wait]))
    except (redis.ConnectionError, redis.TimeoutError) as error:
        # Redis restarting: the task retries with backoff instead of failing for good.
        raise RateLimiterUnreachable(code="local.RateLimiterUnreachable") from error


def _reserve_db(key: str, interval: float, max_wait: float) -> float:
    RateSlot.objects.get_or_create(key=key)
    while True:
        seen = RateSlot.objects.values_list("next_at", flat=True).get(key=key)
        now = time.time()
        start = max(seen, now)
        if start - now > max_wait:
            return -(start - now)  # too far: nothing reserved; how long until the slot is free
        # Compare-and-set: only the worker that saw the current slot may move it on.
        if RateSlot.objects.filter(key=key, next_at=seen).update(next_at=start + interval):
            return start - now


def backend() -> str:
    return "redis" if settings.REDIS_URL else "database"


def rate_acquire(*, key: str, qps: int, max_wait: float | None = None) -> float:
    """Wait for this key's next call slot; returns the seconds waited."""
    if qps <= 0:
        return 0.0
    max_wait = settings.ALIBABA_RATE_WAIT if max_wait is None else max_wait
    reserve = _reserve_redis if settings.REDIS_URL else _reserve_db
    wait = reserve(key, 1.0 / qps, max_wait)
    if wait < 0:
        error = RateLimitWait(code="local.RateLimitWait")
        error.retry_after = -wait
        raise error
    if wait > 0:
        time.sleep(wait)
    return wait


def allowance_take(*, key: str, limit: int, period: float) -> float:
    """Take one of `limit` uses per `period` seconds (at most an hour) for this key, on the same slots as the
    call limiter (GCRA: a burst of `limit`, then one use every period/limit); 0 when taken, else the seconds
    until the next use is free (nothing taken)."""
    if limit <= 0:
        return period
    interval = period / limit
    reserve = _reserve_redis if settings.REDIS_URL else _reserve_db
    wait = reserve(key, interval, period - interval)
    return 0.0 if wait >= 0 else -wait - (period - interval)
