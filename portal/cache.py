"""The `pages` cache: Redis for what a page can do without (rendered cards and fragments, which products a search
shows, the category menu, the bell). When Redis is away a read misses and a write is skipped, so pages are
rendered in full rather than failing; after an error the cache is left alone for a few seconds, so a Redis
that hangs costs one timeout, not one per call. The rate limiter and other shared state keep the strict
`default` cache."""

import functools
import hashlib
import logging
import time

from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class PageCache(RedisCache):
    pause_seconds = 10

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._away_until = 0.0

    def _try(self, action: str, call, fallback):
        if time.monotonic() < self._away_until:
            return fallback
        try:
            return call()
        except RedisError as error:
            self._away_until = time.monotonic() + self.pause_seconds
            log.warning(
                "page cache unavailable (%s), rendering in full for %s s: %s", action, self.pause_seconds, error
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._try("get", lambda: super(PageCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._try("get_many", lambda: super(PageCache, self).get_many(keys, version), {})

    def set(self, key, value, timeout=None, version=None):  # noqa: A003
        self._try("set", lambda: super(PageCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=None, version=None):
        return self._try("set_many", lambda: super(PageCache, self).set_many(data, timeout, version), list(data))

    def add(self, key, value, timeout=None, version=None):
        # True when away: a caller using add() as "at most once per …" goes ahead rather than never.
        return self._try("add", lambda: super(PageCache, self).add(key, value, timeout, version), True)

    def delete(self, key, version=None):
        return self._try("delete", lambda: super(PageCache, self).delete(key, version), False)


def _page_cache():
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy

    return ConnectionProxy(caches, "pages")


page_cache = _page_cache()


def forget(key: str) -> None:
    """Drop a page-cache entry that a write made stale: now (for reads later in the writing transaction) and
    again once the transaction has committed (for a page that cached the old value meanwhile)."""
    page_cache.delete(key)
    transaction.on_commit(lambda: page_cache.delete(key))


def templates_digest(*names: str) -> str:
    """A short digest of these templates' source: part of the key of anything rendered from them and cached,
    so a deploy that changes a template never serves the old rendering."""
    return _templates_digest(names)


@functools.cache
def _templates_digest(names: tuple[str, ...]) -> str:
    from django.template.loader import get_template

    sources = [get_template(name).template.source for name in names]
    return hashlib.blake2b("\x00".join(sources).encode(), digest_size=8).hexdigest()
