"""The sandbox gateway: checks every call in the order of spec §6.4 / §12, then dispatches.

Order: app key, API exists, signature, timestamp, token, ACL, frequency, daily quota,
required parameters; then the API answers with HTTP 200 (business failures inside).
"""

import hashlib
import hmac
import json
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone as dj_timezone

from .models import SandboxAccessToken, SandboxAccount, SandboxApp, SandboxUsage, digest

INT_MAX = 2**31 - 1  # java.lang.Integer, e.g. beginPage, pageSize
LONG_MAX = 2**63 - 1  # java.lang.Long, e.g. categoryId, offerId
PRICE_MAX = Decimal(10) ** 12

BEIJING = timezone(timedelta(hours=8))
TOKEN_401 = {
    "error_code": "401",
    "error_message": "Request need user authorized",
    "exception": "Request need user authorized",
}


class GatewayAnswer(Exception):
    """Stop checking and answer with this status and JSON body."""

    def __init__(self, status: int, body):
        self.status, self.body = status, body
        super().__init__(status)


def gw_error(code: str, message: str, status: int = 400) -> GatewayAnswer:
    request_id = hashlib.md5(f"{time.time_ns()}{random.random()}".encode(), usedforsecurity=False).hexdigest()[:16]
    return GatewayAnswer(
        status, {"error_code": code, "error_message": message, "exception": message, "request_id": request_id}
    )


@dataclass
class Call:
    """One request as the handlers see it."""

    app: SandboxApp
    params: dict[str, str]
    account: SandboxAccount | None
    image_base: str

    def json_param(self, name: str) -> dict:
        try:
            value = json.loads(self.params[name])
        except (KeyError, ValueError):
            raise business_error("400", f"{name} is not valid JSON") from None
        if not isinstance(value, dict):
            raise business_error("400", f"{name} must be a JSON object")
        return value


def param_error(name: str, value) -> GatewayAnswer:
    """gw.ParamError: a parameter the gateway cannot turn into its declared type (never a 500)."""
    shown = str(value)[:40]
    return gw_error("gw.ParamError", f"Invalid argument {name}: {shown} is not a valid number")


def whole_number(name: str, value, *, maximum: int = LONG_MAX, minimum: int | None = None) -> int:
    """A Java Integer/Long parameter: ASCII digits (or an integral JSON number) within range."""
    minimum = -maximum - 1 if minimum is None else minimum
    if isinstance(value, bool):
        raise param_error(name, value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) <= maximum:
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,19}", value.strip()):
        number = int(value.strip())
    else:
        raise param_error(name, value)
    if not minimum <= number <= maximum:
        raise param_error(name, value)
    return number


def decimal_number(name: str, value) -> Decimal:
    """A price parameter: plain ASCII decimal notation, finite and of a sane size."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?[0-9]{1,13}(\.[0-9]{1,6})?", text):
        raise param_error(name, value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise param_error(name, value) from None
    if abs(number) >= PRICE_MAX:
        raise param_error(name, value)
    return number


def business_error(code: str, message: str) -> GatewayAnswer:
    """A business failure: HTTP 200 with the API's own flags (spec §4)."""
    return GatewayAnswer(200, {"result": {"success": False, "code": code, "message": message, "result": None}})


@dataclass
class Api:
    namespace: str
    name: str
    version: int
    handler: Callable[[Call], object]
    auth: bool = True
    required: tuple[str, ...] = ()
    needs_timestamp: bool = False
    signed: bool = True
    acl: bool = True
    metered: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.namespace}:{self.name}-{self.version}"


APIS: dict[tuple[str, str, int], Api] = {}


def api(namespace: str, name: str, *, version: int = 1, **options):
    """Register a handler as a sandbox API."""

    def register(handler):
        APIS[(namespace, name, version)] = Api(namespace, name, version, handler, **options)
        return handler

    return register


def signature_of(url_path: str, params: dict[str, str], secret: str) -> str:
    joined = "".join(sorted(k + v for k, v in params.items() if k != "_aop_signature"))
    return hmac.new(secret.encode(), (url_path + joined).encode(), hashlib.sha1).hexdigest().upper()


def beijing_today():
    return datetime.now(BEIJING).date()


def merged_params(request) -> dict[str, str]:
    """Query-string and form parameters together (the body wins), as text."""
    params = {k: request.GET[k] for k in request.GET}
    if request.method == "POST" and not request.content_type.startswith("application/json"):
        params.update({k: request.POST[k] for k in request.POST})
    return params


def _inject_faults(app: SandboxApp) -> HttpResponse | None:
    rng = random.random
    if app.latency_ms:
        time.sleep(app.latency_ms / 1000)
    if app.fault_timeout and rng() < app.fault_timeout:
        time.sleep(app.timeout_delay)
    if app.fault_5xx and rng() < app.fault_5xx:
        return HttpResponse(b"<html><body><h1>502 Bad Gateway</h1></body></html>", status=502, content_type="text/html")
    if app.fault_malformed and rng() < app.fault_malformed:
        return HttpResponse(b'{"result": {"success": tru', content_type="application/json;charset=UTF-8")
    if app.fault_frequency and rng() < app.fault_frequency:
        raise gw_error("gw.QosAppFrequencyLimit", "App call exceeds limited frequency")
    return None


# Seen live (HTTP 400) when the app's paid API package has no calls left.
NO_USAGE_CODE, NO_USAGE_TEXT = "gw.NoUsageLeftError", "SLA bill has no usage left"


def _check_usage_left(app: SandboxApp) -> None:
    if app.fault_no_usage and random.random() < app.fault_no_usage:
        raise gw_error(NO_USAGE_CODE, NO_USAGE_TEXT)


def _check_timestamp(api_def: Api, params: dict[str, str]) -> None:
    stamp = params.get("_aop_timestamp")
    if stamp is None:
        if api_def.needs_timestamp:
            raise gw_error("400", "API need time stamp verify, so request must has aoptimestamp.")
        return
    try:
        skew = abs(int(stamp) / 1000 - time.time())
    except ValueError:
        skew = float("inf")
    if skew > settings.SANDBOX_TIMESTAMP_TOLERANCE:
        raise gw_error("400", "com.alibaba.openapi.gateway.exception.RequestValidateException: Request is expired.")


def _check_token(app: SandboxApp, params: dict[str, str]) -> SandboxAccount:
    token = params.get("access_token", "")
    found = (
        SandboxAccessToken.objects.select_related("account")
        .filter(app=app, token_digest=digest(token), expires_at__gt=dj_timezone.now())
        .first()
        if token
        else None
    )
    if found is None:
        raise GatewayAnswer(401, TOKEN_401)
    return found.account


def _check_frequency(app: SandboxApp) -> None:
    if not app.qps:
        return
    key = f"sandbox:qps:{app.app_key}:{int(time.time())}"
    cache.add(key, 0, timeout=3)
    try:
        calls = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=3)
        calls = 1
    if calls > app.qps:
        raise gw_error("gw.QosAppFrequencyLimit", "App call exceeds limited frequency")


# Not documented by 1688 (spec §14): the sandbox's choice of code for a used-up daily quota.
DAILY_QUOTA_CODE = "gw.QosAppDailyLimit"


def _take_quota(app: SandboxApp) -> None:
    if not app.daily_quota:
        return
    day = beijing_today()
    SandboxUsage.objects.get_or_create(app=app, day=day)
    taken = SandboxUsage.objects.filter(app=app, day=day, calls__lt=app.daily_quota).update(calls=F("calls") + 1)
    if not taken:
        raise gw_error(DAILY_QUOTA_CODE, "App call exceeds the daily quota")


def _answer(status: int, body, truncate: bool = False) -> HttpResponse:
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if truncate:
        content = content[: max(1, len(content) // 2)]
    return HttpResponse(content, status=status, content_type="application/json;charset=UTF-8")


def handle(request, path: str) -> HttpResponse:
    """Answer one gateway request for the path after /openapi/."""
    segments = [s for s in path.split("/") if s]
    params = merged_params(request)
    app = None
    try:
        if len(segments) == 4 or (len(segments) == 5 and not segments[4]):
            raise gw_error("gw.AppKeyMissing", "AppKey is missing in the request path")
        if len(segments) != 5:
            raise gw_error("gw.APIUnsupported", "The API is not supported: " + "/".join(segments))
        protocol, version, namespace, name, app_key = segments
        if not re.fullmatch(r"[0-9]{1,9}", version):  # "²".isdigit() is true, int("²") fails
            raise gw_error("gw.ParamError", f"Invalid API version: {version[:20]}")
        app = SandboxApp.objects.filter(app_key=app_key).first()
        if app is None:
            raise gw_error(
                "400",
                f"com.alibaba.openapi.gateway.exception.RequestValidateException: Invalid appKey, unsport appKey: {app_key}",
            )
        faulty = _inject_faults(app)
        if faulty is not None:
            return faulty
        api_def = APIS.get((namespace, name, int(version)))
        if api_def is None or protocol not in api_def.extra.get("protocols", ("param2", "json2")):
            raise gw_error("gw.APIUnsupported", f"The API is not supported: {namespace}:{name}-{version}")
        if api_def.signed:
            sent = params.get("_aop_signature")
            if not sent:
                raise gw_error("gw.SignatureMissing", "Request signature is missing")
            expected = signature_of(f"{protocol}/{version}/{namespace}/{name}/{app_key}", params, app.app_secret)
            if not hmac.compare_digest(sent.upper(), expected):
                raise gw_error("gw.SignatureInvalid", "Request signature is invalid")
        _check_timestamp(api_def, params)
        account = _check_token(app, params) if api_def.auth else None
        if api_def.acl and not app.is_granted(api_def.id):
            raise gw_error("gw.APIACLDecline", "AppKey is not allowed(acl)")
        if api_def.metered:
            _check_usage_left(app)
            _check_frequency(app)
            _take_quota(app)
        for required in api_def.required:
            if params.get(required, "") == "":
                raise gw_error("gw.ParamMissing", f"Required argument {required}")
        call = Call(app=app, params=params, account=account, image_base=request.build_absolute_uri("/sandbox/img/"))
        body = api_def.handler(call)
        status = 200
    except GatewayAnswer as answer:
        status, body = answer.status, answer.body
    truncate = bool(app and app.fault_truncated and status == 200 and random.random() < app.fault_truncated)
    return _answer(status, body, truncate)


def gateway_time(moment: datetime | None = None) -> str:
    beijing = (moment or datetime.now(UTC)).astimezone(BEIJING)
    return beijing.strftime("%Y%m%d%H%M%S") + f"{beijing.microsecond // 1000:03d}+0800"
