"""Values worked out once per web request (the current membership, the credential in use), so the view,
the navigation and the templates don't each ask the database again. Outside a request (workers,
commands, tests calling selectors) nothing is cached."""

from contextvars import ContextVar

_store: ContextVar[dict | None] = ContextVar("request_cache", default=None)


def cached(key: tuple, compute):
    """compute() once per request for this key; every call outside a request computes afresh."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def drop(key: tuple) -> None:
    """Drop one of this request's cached values (the row it was read from changed)."""
    store = _store.get()
    if store:
        store.pop(key, None)


def forget(**kwargs) -> None:
    """Drop this request's cached values (a membership, credential or token changed meanwhile)."""
    store = _store.get()
    if store:
        store.clear()


class RequestCacheMiddleware:
    """Opens an empty cache for each request and drops it at the end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
