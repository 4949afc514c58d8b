"""A friendly page instead of Django's empty 405 when someone opens a form's POST address."""

from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme


def _back_to(request) -> str:
    """Where the form most likely was: the referring page of this site, else the nearest parent page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    path = request.path
    while path not in ("", "/"):
        path = path.rstrip("/").rsplit("/", 1)[0] + "/"
        try:
            resolve(path)
        except Resolver404:
            continue
        return path
    return "/"


class FriendlyNotAllowedMiddleware:
    """Render templates/405.html for a bare 405 (require_POST and friends answer with an empty body)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content or request.method == "HEAD":
            return response
        page = render(request, "405.html", {"back_to": _back_to(request), "method": request.method}, status=405)
        page["Allow"] = response["Allow"]
        return page


class FriendlyNotFoundMiddleware:
    """Render templates/404.html for a 404 a view raised, in development too (where Django would otherwise
    show its technical page listing every URL pattern). The status stays 404, and the page never says
    whether the object exists for another team."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and not request.path.startswith(("/admin/", "/sandbox/openapi/")):
            return render(request, "404.html", status=404)
        return None


# Team data: nobody but the signed-in member's own browser may keep a copy (no shared proxy, no CDN).
PRIVATE_PREFIXES = (
    "/teams/", "/invite/", "/lists/", "/inquiries/", "/alerts/", "/notifications/", "/connections/",
    "/api-status/", "/auth/1688/", "/products/image/", "/searches/",
)  # fmt: skip


class PrivateCacheMiddleware:
    """`Cache-Control: private` on every team page, and `no-store` as well on exports (a file download or
    anything sent as an attachment): the one place these headers are set, so no new view can forget them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import patch_cache_control

        response = self.get_response(request)
        attachment = response.get("Content-Disposition", "").startswith("attachment")
        if attachment or request.path.startswith(PRIVATE_PREFIXES):
            # A view's own max-age (a team's uploaded picture) stays; "public" gives way to "private".
            patch_cache_control(response, private=True)
            if attachment:
                patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
        return response
