"""A friendly page instead of Django's empty 405 when someone opens a form's POST address; a plain 400 for
input the portal cannot read."""

from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


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


def _unreadable(text: str) -> bool:
    """NUL, which PostgreSQL refuses in text, or a lone surrogate (bytes that were not UTF-8, decoded leniently)."""
    return "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text)


def _readable(text: str) -> str:
    return "".join(c for c in text if c != "\x00" and not "\ud800" <= c <= "\udfff")


def _bad_raw(raw: str) -> bool:
    """A raw query string or form body (%-escaped, latin-1 as WSGI gives it) whose bytes are not UTF-8 text."""
    try:
        unquote_to_bytes(raw.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class UnreadableInputMiddleware:
    """NUL bytes, which PostgreSQL refuses in text and JSON, never reach a view or a query.

    In a query string or a cookie they are dropped (a link with a stray %00 still opens its page); a path holding one, or a
    form (POST) holding one or bytes that are not UTF-8 in a name or value, is answered with a plain 400 and
    nothing is done. Django itself reads other bytes that are not UTF-8 in a query as U+FFFD and keeps them
    %-escaped in a path. One check here instead of one in every view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _unreadable(request.path) or (request.method == "POST" and self._bad_form(request)):
            return self._answer(request)
        for name, value in list(request.COOKIES.items()):  # a forged session cookie would reach the session table
            if _unreadable(name) or _unreadable(value):
                del request.COOKIES[name]
        if any(_unreadable(text) for key, values in request.GET.lists() for text in (key, *values)):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(_readable(key), [_readable(v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned
            request.META["QUERY_STRING"] = cleaned.urlencode()
        return self.get_response(request)

    @staticmethod
    def _bad_form(request) -> bool:
        if request.content_type == "application/x-www-form-urlencoded":
            try:
                if _bad_raw(request.body.decode("latin-1")):
                    return True
            except RequestDataTooBig:
                return False  # Django answers that one itself (400) when the view reads the form
        try:
            files = [f.name or "" for f in request.FILES.values()]
            params = list(request.POST.lists())
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            return False  # Django's own 400 when the view reads them
        texts = [*files, *(name for name, _values in params), *(v for _name, values in params for v in values)]
        return any(_unreadable(text) for text in texts if isinstance(text, str))

    @staticmethod
    def _answer(request):
        if request.path.startswith("/sandbox/openapi/"):  # the stand-in gateway answers like 1688: JSON
            body = {"error_code": "400", "error_message": "Invalid request characters",
                    "exception": "Invalid request characters"}  # fmt: skip
            return JsonResponse(body, status=400)
        with translation.override(translation.get_language_from_request(request)):  # before LocaleMiddleware
            message = _("This address or form holds characters the portal cannot read (a NUL byte or text that is not "
                        "UTF-8), so nothing was done. Go back and type the value again.")  # fmt: skip
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
