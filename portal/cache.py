"""The `pages` cache: Redis for what a page can do without (rendered cards and fragments, which products a search
shows, the category menu). When Redis is away a read misses and a write is skipped, so pages are rendered in
full rather than failing; the rate limiter and other shared state keep the strict `default` cache."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class PageCache(RedisCache):
    def _unavailable(self, action: str, error: Exception) -> None:
        log.warning("page cache unavailable (%s): %s", action, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unavailable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unavailable("get_many", error)
            return {}

    def set(self, key, value, timeout=None, version=None):  # noqa: A003
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._unavailable("set", error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._unavailable("set_many", error)
            return list(data)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._unavailable("add", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._unavailable("delete", error)
            return False


def _page_cache():
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy

    return ConnectionProxy(caches, "pages")


page_cache = _page_cache()
