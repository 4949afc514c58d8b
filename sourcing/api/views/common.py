"""What every API view shares: the order of the checks (token, rate, scope), keyset pages, and the views' shared
helpers (the domains' refusals become JSON errors in sourcing/api/errors.py's handler)."""

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions
from rest_framework import serializers as s
from rest_framework.views import APIView

from sourcing.api.serializers import ErrorOut
from sourcing.core.converters import parse_id

LIMIT_DEFAULT, LIMIT_MAX = 25, 100


class BadRequest(exceptions.APIException):
    status_code = 400
    default_code = "bad_request"


class ApiView(APIView):
    # Token first (401), then the token's rate (429), then its scope (403): a token over its rate is told so
    # whatever it asks. (A comment, not a docstring: the schema would give it as every operation's description.)

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        self.perform_authentication(request)
        if request.auth is not None:
            self.check_throttles(request)
        self.check_permissions(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)  # a team's data: no cache keeps it
        return response

    @property
    def team(self):
        return self.request.auth.team

    @property
    def actor(self):
        return self.request.user


def valid_body(serializer_class, request, **kw) -> dict:
    """The request's JSON body as `serializer_class` cleans it; a wrong value raises its ValidationError (422)."""
    serializer = serializer_class(data=request.data, **kw)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def query_id(request, name: str, *, required: bool = False) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        if required:
            raise BadRequest(_("Give ?%(name)s=.") % {"name": name})
        return None
    number = parse_id(raw)
    if number is None:
        raise BadRequest(_("?%(name)s= is a whole number from 1.") % {"name": name})
    return number


def query_limit(request) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return LIMIT_DEFAULT
    number = parse_id(raw)
    if number is None or number > LIMIT_MAX:
        raise BadRequest(_("?limit= is a whole number from 1 to %(n)s.") % {"n": LIMIT_MAX})
    return number


def keyset(request, queryset) -> tuple[list, str | None]:
    """One page of `queryset`, newest first (by id: a stable order however rows change), after ?after=<id>."""
    after, limit = query_id(request, "after"), query_limit(request)
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: limit + 1])
    following = str(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], following


def page_of(name: str, item) -> s.Serializer:
    return inline_serializer(name=name, fields={
        "results": item(many=True),
        "next": s.CharField(allow_null=True, help_text="Pass as ?after= for the next page; null on the last."),
    })  # fmt: skip


PAGE_PARAMS = [
    OpenApiParameter("after", int, description="The `next` of the previous page"),
    OpenApiParameter("limit", int, description=f"Rows a page, 1 to {LIMIT_MAX} (default {LIMIT_DEFAULT})"),
]


def errors(*codes: int) -> dict:
    """The error answers an operation documents (always 401 and 429)."""
    words = {400: "Bad request", 401: "No token, or a revoked one", 403: "The token lacks the scope, or the role",
             404: "Not found (or another team's)", 409: "Conflict", 422: "A value is not valid",
             429: "Over the token's rate: see Retry-After"}  # fmt: skip
    return {code: OpenApiResponse(ErrorOut, description=words[code]) for code in sorted({401, 429, *codes})}
