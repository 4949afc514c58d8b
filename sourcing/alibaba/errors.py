"""One exception class per gateway answer (spec §6), each knowing whether a retry can help.

Messages carry the gateway's code and text only; never a secret, token, code or signature.
"""

from typing import Any


class AlibabaError(Exception):
    """Any failure of a 1688 call."""

    retryable = False
    default_message = "The 1688 gateway refused the call."

    def __init__(self, message: str = "", *, code: str = "", http_status: int | None = None, api: str = ""):
        self.message = message or self.default_message
        self.code = code
        self.http_status = http_status
        self.api = api
        super().__init__(self.message)

    def __str__(self):
        where = f" [{self.api}]" if self.api else ""
        code = f"{self.code}: " if self.code else ""
        return f"{code}{self.message}{where}"


# --- Answers of the gateway: permanent until something changes on our side. ---
class AppKeyMissing(AlibabaError):
    default_message = "The App Key is missing from the request path."


class AppKeyInvalid(AlibabaError):
    default_message = "The gateway does not know this App Key, or the app is not approved."


class ApiUnsupported(AlibabaError):
    default_message = "This API does not exist (namespace, name or version is wrong)."


class SignatureInvalid(AlibabaError):
    default_message = "Signature verification failed: the App Secret is probably wrong."


class SignatureMissing(AlibabaError):
    default_message = "The request carries no signature."


class TimestampInvalid(AlibabaError):
    default_message = "The request timestamp is missing or too far from the gateway's clock."


class TokenInvalid(AlibabaError):
    """HTTP 401: the access token is missing, invalid or expired."""

    default_message = "Request need user authorized"


class AclDeclined(AlibabaError):
    default_message = "AppKey is not allowed(acl): this app has no permission for the API."


class ParamMissing(AlibabaError):
    default_message = "A required parameter is missing."


class ParamInvalid(AlibabaError):
    """gw.ParamError: a parameter could not be read (not a number, out of range, ...)."""

    default_message = "A parameter has a value the gateway cannot read."


class DailyQuotaExceeded(AlibabaError):
    """A gateway quota answer: the app may make no more calls until the 1688 day turns (or the package is renewed)."""

    default_message = "The app's daily call quota is used up."


class NoUsageLeft(DailyQuotaExceeded):
    """gw.NoUsageLeftError ("SLA bill has no usage left"): the app's paid API package has no calls left."""

    default_message = "SLA bill has no usage left: the app's API package on 1688 is used up."


class BusinessError(AlibabaError):
    """The API ran but answered failure inside an HTTP 200 (success=false, errorCode, ...)."""

    default_message = "The API answered with a failure."


class NotOwnProduct(BusinessError):
    """alibaba.product.get refused: 1688 shows it only for the connected account's own products."""

    default_message = (
        "1688 shows alibaba.product.get only for products of the connected 1688 account itself "
        "(只能查询自己所有的产品). Other suppliers' offers are read with the product detail API "
        "(product.search.queryProductDetail)."
    )


class UnknownGatewayError(AlibabaError):
    default_message = "The gateway answered with an error this client does not know."


# --- OAuth endpoint answers ---
class OAuthError(AlibabaError):
    default_message = "The 1688 authorization server refused the request."


class InvalidGrant(OAuthError):
    default_message = "The authorization code or refresh token is invalid, used or expired."


class InvalidClient(OAuthError):
    default_message = "The App Key or App Secret is wrong."


class PostponeNotAllowed(OAuthError):
    default_message = "The refresh token can only be extended in its last 30 days."


# --- Transient faults: a later retry can succeed. ---
class TransientError(AlibabaError):
    retryable = True
    default_message = "The 1688 gateway did not answer properly; try again shortly."


class FrequencyLimited(TransientError):
    default_message = "App call exceeds limited frequency."


class GatewayTimeout(TransientError):
    default_message = "The 1688 gateway did not answer in time."


class ConnectionFailed(TransientError):
    default_message = "Could not connect to the 1688 gateway."


class ServerError(TransientError):
    default_message = "The 1688 gateway had an internal error."


class MalformedResponse(TransientError):
    default_message = "The 1688 gateway sent an answer that could not be read."


# Gateway error_code -> class. Daily-quota codes are not documented; any gw.Qos* code that
# mentions a day or quota is read as the daily quota, every other gw.Qos* as a frequency limit.
CODE_CLASSES: dict[str, type[AlibabaError]] = {
    "gw.AppKeyMissing": AppKeyMissing,
    "gw.APIUnsupported": ApiUnsupported,
    "gw.SignatureInvalid": SignatureInvalid,
    "gw.SignatureMissing": SignatureMissing,
    "gw.APIACLDecline": AclDeclined,
    "gw.ParamMissing": ParamMissing,
    "gw.ParamError": ParamInvalid,
    "gw.NoUsageLeftError": NoUsageLeft,  # seen live at HTTP 400
    "401": TokenInvalid,
}
LEGACY_400_TEXTS: list[tuple[str, type[AlibabaError]]] = [
    ("request is expired", TimestampInvalid),
    ("time stamp", TimestampInvalid),
    ("aoptimestamp", TimestampInvalid),
    ("invalid appkey", AppKeyInvalid),
    ("unsport appkey", AppKeyInvalid),
]
OAUTH_ERRORS: dict[str, type[OAuthError]] = {
    "invalid_grant": InvalidGrant,
    "invalid_client": InvalidClient,
    "unauthorized_client": InvalidClient,
}


def error_from_answer(status: int, body: Any, api: str = "") -> AlibabaError | None:
    """Map an HTTP status and parsed JSON body to an exception, or None when it is not a gateway error."""
    if not isinstance(body, dict):
        if status >= 500:
            return ServerError(f"HTTP {status}", http_status=status, api=api)
        return None if status < 400 else UnknownGatewayError(f"HTTP {status}", http_status=status, api=api)
    # camelCase errorCode at HTTP 200 belongs to the business layer (check_business), not the gateway.
    code = str(body.get("error_code") or (body.get("errorCode") if status >= 400 else "") or "")
    text = str(body.get("error_message") or body.get("errorMessage") or body.get("exception") or "")
    if "error" in body and isinstance(body.get("error"), str) and status >= 400:
        cls = OAUTH_ERRORS.get(body["error"], OAuthError)
        if status == 400 and "postpone" in str(body.get("error_description", "")).lower():
            cls = PostponeNotAllowed
        return cls(str(body.get("error_description") or body["error"]), code=body["error"], http_status=status, api=api)
    if status == 401 or code == "401":
        return TokenInvalid(text, code="401", http_status=status, api=api)
    if not code:
        if status >= 500:
            return ServerError(f"HTTP {status}", http_status=status, api=api)
        if status >= 400:
            return UnknownGatewayError(text or f"HTTP {status}", http_status=status, api=api)
        return None
    if code in CODE_CLASSES:
        cls = CODE_CLASSES[code]
    elif code.startswith("gw.Qos"):
        cls = DailyQuotaExceeded if ("Daily" in code or "Quota" in code) else FrequencyLimited
    elif code == "400":
        lowered = text.lower()
        cls = next((c for needle, c in LEGACY_400_TEXTS if needle in lowered), UnknownGatewayError)
    elif status >= 500:
        cls = ServerError
    else:
        cls = UnknownGatewayError
    return cls(text, code=code, http_status=status, api=api)


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def check_business(body: dict, api: str = "") -> None:
    """Raise BusinessError when an HTTP-200 answer reports failure at the top or in `result`."""
    layers = [body]
    if isinstance(body.get("result"), dict):
        layers.append(body["result"])
    for layer in layers:
        flag = layer.get("success", layer.get("succes"))  # category.get literally spells "succes"
        if _is_false(flag):
            code = str(layer.get("code") or layer.get("errorCode") or "")
            message = str(
                layer.get("message")
                or layer.get("errorMsg")
                or layer.get("errorMessage")
                or layer.get("errMsg")
                or layer.get("erroMsg")  # (sic) alibaba.alipay.url.get
                or ""
            )
            raise BusinessError(message, code=code, http_status=200, api=api)
