"""Every API error as {"error": {"code", "message"}} with its status; a validation error adds "fields"."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from sourcing.alerts.services import AlertError, AlertForbidden
from sourcing.lists.services import ItemConflict, ListError, ListForbidden, ListLimitReached, ListNameTaken
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden

CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
    429: "rate_limited",
}  # fmt: skip


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class Invalid(exceptions.APIException):
    """The request was read but a value is wrong (422): the domain services' refusals and the serializers'."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid"


def refused(error: ListError | AlertError | BuyingError) -> exceptions.APIException:
    """A domain service's refusal as the API's error: roles 403, clashes and caps 409, wrong values 422."""
    text = str(error)
    if isinstance(error, ListForbidden | AlertForbidden | BuyingForbidden):
        return exceptions.PermissionDenied(text)
    if isinstance(error, ItemConflict | ListNameTaken | ListLimitReached):
        return Conflict(text)
    return Invalid(text)


def body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": str(message), **extra}}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            text = _first_message(value)
            return text if key in ("non_field_errors", "detail") else f"{key}: {text}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = TooLarge(_("The body is too large."))
    elif isinstance(exc, ListError | AlertError | BuyingError):  # the services' refusals, raised as they are
        exc = refused(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    status_code = exc.status_code
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        status_code = 422
        extra["fields"] = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = _first_message(exc.detail) or _("Some values are not valid.")
    elif isinstance(exc, exceptions.ParseError):
        message = _("The body is not valid JSON.")
    elif isinstance(exc, exceptions.Throttled):
        message = _("Too many requests with this token: try again in %(n)s seconds.") % {"n": int(exc.wait or 1)}
    else:
        message = _first_message(exc.detail)
    code = CODES.get(status_code, "error")
    if isinstance(exc, exceptions.PermissionDenied) and "scope" in message:
        code = "insufficient_scope"
    return Response(body(code, message, **extra), status=status_code, headers=headers)


def not_found(request, *args, **kwargs):
    """Any /api/ address that is no endpoint (or an id no database holds): a JSON 404."""
    return JsonResponse(
        body("not_found", _("No such API endpoint (its addresses end with a slash: /api/v1/lists/).")), status=404
    )
