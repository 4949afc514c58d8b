"""Plain-words explanations of 1688 errors, with what to do (the registration guide's troubleshooting).

Pages never show the gateway's raw text as the explanation: it is English-ish, sometimes has typos
("unsport appKey") and carries Java class names (`com.alibaba...RequestValidateException`). Every
page that shows a gateway error goes through `explain_error` (an exception) or `explain` (a stored
code and message), which pick one sentence and one piece of advice, and `strip_java` for the rest.
"""

import re
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sourcing.alibaba import errors


class Explanation(NamedTuple):
    """What went wrong in one plain sentence, what to do about it, and 1688's own words (cleaned)."""

    title: str
    advice: str
    detail: str = ""
    code: str = ""

    @property
    def sentence(self) -> str:
        return f"{self.title}. {self.advice}"

    def __str__(self):
        return self.sentence


# Each entry: (title, advice). Placeholders: %(key)s → "App Key 12345678" (or "this App Key"),
# %(api)s → the API id (or "this API"). Keyed by the exception class name; codes are mapped to a
# class below, so a stored (error_code, message) and a live exception read the same.
TEXTS = {
    "AppKeyMissing": (
        gettext_noop("The request to 1688 carried no App Key"),
        gettext_noop(
            "Add the credential again with the App Key from the 1688 console (应用管理 → your app → 基本信息 → "
            "应用凭证)."
        ),
    ),
    "AppKeyInvalid": (
        gettext_noop("1688 does not know %(key)s"),
        gettext_noop(
            "Compare it with the App Key in the 1688 console (应用管理 → your app → 基本信息 → 应用凭证; usually 8 "
            "digits) and add the credential again if it differs. A new app only works once 1688 has approved "
            "it (审核中 → 已通过, 1-3 business days)."
        ),
    ),
    "ApiUnsupported": (
        gettext_noop("1688 does not offer %(api)s"),
        gettext_noop(
            "The API name or version is not one 1688 knows. Nothing to fix in your settings; if it repeats, report it."
        ),
    ),
    "SignatureInvalid": (
        gettext_noop("Signature verification failed: the App Secret does not belong to %(key)s"),
        gettext_noop(
            "Copy the App Secret again from the 1688 console (应用凭证 → 显示 → 复制; no spaces, no quotes) and "
            "paste it under “Reset secret” on the credential."
        ),
    ),
    "SignatureMissing": (
        gettext_noop("The request reached 1688 without a signature"),
        gettext_noop("This is a fault in the portal, not in your settings; please report it."),
    ),
    "TimestampInvalid": (
        gettext_noop("1688 found the request's time too far from its own clock"),
        gettext_noop(
            "The portal re-measures the clock and retries by itself. If this repeats, check the server's clock."
        ),
    ),
    "TokenInvalid": (
        gettext_noop("Access token invalid: 1688 no longer accepts the authorisation"),
        gettext_noop(
            "The authorisation expired or was withdrawn on 1688. Click “Connect 1688 account” on the "
            "credential to authorise again."
        ),
    ),
    "AclDeclined": (
        gettext_noop("API permission denied: %(key)s may not call %(api)s yet"),
        gettext_noop(
            "In the 1688 console open the API权限 tab and apply for it (申请权限; 1-3 business days), then click "
            "“Verify permissions”."
        ),
    ),
    "ParamMissing": (
        gettext_noop("1688 says a required parameter is missing"),
        gettext_noop(
            "Permission checks expect this answer (it proves the API is granted). After a real search, "
            "please report it."
        ),
    ),
    "ParamInvalid": (
        gettext_noop("1688 refused a parameter value of %(api)s"),
        gettext_noop(
            "A number was out of range or not a number (1688 answered gw.ParamError). Check the search filters; "
            "if it happens on a plain search, please report it."
        ),
    ),
    "DailyQuotaExceeded": (
        gettext_noop("1688 stopped %(key)s for today: its daily limit is used up"),
        gettext_noop(
            "Calls resume after midnight Beijing time. If it recurs, ask 1688 for a larger limit and enter "
            "it on the credential."
        ),
    ),
    "NoUsageLeft": (
        gettext_noop("1688 says %(key)s has no calls left on its API package"),
        gettext_noop(
            "Renew or buy the API package on open.1688.com. Until the 1688 day turns at "
            "midnight Beijing time the portal makes no more calls with this app, so no work piles up failures."
        ),
    ),
    "UsageExhausted": (
        gettext_noop("The portal did not call %(api)s: 1688 said %(key)s has no calls left today"),
        gettext_noop(
            "The portal tries again after midnight Beijing time. To go on sooner, renew or buy the API package on "
            "open.1688.com, or use another credential."
        ),
    ),
    "BusinessError": (
        gettext_noop("1688 ran %(api)s but answered with a failure"),
        gettext_noop("Check what was asked (for example the product or category id). 1688's own words are below."),
    ),
    "UnknownGatewayError": (
        gettext_noop("1688 answered with an error the portal does not recognise"),
        gettext_noop("If it repeats, note the code and time and check the app in the 1688 console, or report it."),
    ),
    "AlibabaError": (
        gettext_noop("1688 refused the call"),
        gettext_noop("If it repeats, note the code and time and check the app in the 1688 console, or report it."),
    ),
    "OAuthError": (
        gettext_noop("1688's authorisation server refused the request"),
        gettext_noop(
            "Click “Connect 1688 account” again. If it repeats, check the App Key and the callback URL (回调地址)."
        ),
    ),
    "InvalidGrant": (
        gettext_noop("1688 did not accept the authorisation code or refresh token"),
        gettext_noop("Codes last two minutes and work once. Click “Connect 1688 account” on the credential again."),
    ),
    "InvalidClient": (
        gettext_noop("1688 rejected %(key)s or its App Secret"),
        gettext_noop(
            "Check the App Key in the 1688 console (应用凭证), then paste the App Secret under “Reset secret”."
        ),
    ),
    "PostponeNotAllowed": (
        gettext_noop("1688 only extends a refresh token in its last 30 days"),
        gettext_noop("Nothing to do: the portal extends it by itself when the time comes."),
    ),
    "TransientError": (
        gettext_noop("1688 did not answer properly"),
        gettext_noop("Usually temporary: the portal retries by itself. Wait a minute before trying again."),
    ),
    "FrequencyLimited": (
        gettext_noop("1688 slowed %(key)s down: too many calls per second"),
        gettext_noop(
            "The portal waits and retries by itself. If it repeats, lower the credential's calls-per-second "
            "setting to what 1688 granted."
        ),
    ),
    "GatewayTimeout": (
        gettext_noop("1688 did not answer in time"),
        gettext_noop("Usually temporary: the portal retries by itself."),
    ),
    "ConnectionFailed": (
        gettext_noop("The portal could not reach 1688"),
        gettext_noop(
            "Usually temporary: the portal retries by itself. If it lasts, check the server's network and "
            "the gateway address (ALIBABA_API_URL)."
        ),
    ),
    "ServerError": (
        gettext_noop("1688 had an internal error"),
        gettext_noop("Temporary, on 1688's side: the portal retries by itself."),
    ),
    "MalformedResponse": (
        gettext_noop("1688 sent an answer the portal could not read"),
        gettext_noop("Usually temporary: the portal retries by itself. Report it if it repeats."),
    ),
    "QuotaExhausted": (
        gettext_noop("Daily quota used up: the portal did not send this call to %(api)s"),
        gettext_noop(
            "It resets at midnight Beijing time. If 1688 granted you more, raise the daily quota on the credential."
        ),
    ),
    "BudgetExhausted": (
        gettext_noop(
            "A team's or person's daily budget on this shared app was used up: the call to %(api)s was not sent"
        ),
        gettext_noop(
            "Each team (and on the site-wide app, each person) may make a set number of calls a day with an app it "
            "doesn't own. It resets at midnight Beijing time; to go on sooner, add your own 1688 app."
        ),
    ),
    "FeatureDisabled": (
        gettext_noop("The portal did not call %(api)s: 1688 has not granted it to this app"),
        gettext_noop("Apply for it in the 1688 console (API权限 → 申请权限), then click “Verify permissions”."),
    ),
    "RateLimitWait": (
        gettext_noop("Too many calls were waiting for %(key)s"),
        gettext_noop(
            "The portal gave up waiting for a free call slot and retries by itself. If it repeats, ask 1688 "
            "for more calls per second."
        ),
    ),
    "TokenBusy": (
        gettext_noop("Another worker was renewing the 1688 token"),
        gettext_noop("Temporary: try again in a moment."),
    ),
    "NotConnected": (
        gettext_noop("No 1688 account is connected to this credential"),
        gettext_noop("Click “Connect 1688 account” on the credential."),
    ),
    "NotVerified": (
        gettext_noop("1688 has not confirmed this App Key and App Secret yet"),
        gettext_noop(
            "The portal makes no calls with an unconfirmed credential. Open the credential and click “Check App "
            "Key and secret”; if 1688 refuses it, copy both again from the 1688 console (应用凭证)."
        ),
    ),
    "NoCredential": (
        gettext_noop("No 1688 credential is set up for you"),
        gettext_noop("Add your 1688 app on the Connections page, or ask a teammate to share theirs with your team."),
    ),
}
LOCAL_CODES = {
    "local.QuotaExhausted": "QuotaExhausted",
    "local.UsageExhausted": "UsageExhausted",
    "local.BudgetExhausted": "BudgetExhausted",
    "local.FeatureDisabled": "FeatureDisabled",
    "local.RateLimitWait": "RateLimitWait",
    "local.TokenBusy": "TokenBusy",
    "local.NotConnected": "NotConnected",
    "local.NoCredential": "NoCredential",
    "local.NotVerified": "NotVerified",
}

# A Java class name: two or more lower-case package segments, then a capitalised class
# (com.alibaba.openapi.gateway.exception.RequestValidateException, java.lang.NullPointerException),
# with the ": " that follows it. API ids (com.alibaba.product:alibaba.category.get-1) and gateway
# codes (gw.APIACLDecline) don't match: no capitalised segment after two package segments.
JAVA_CLASS = re.compile(r"(?:Caused by:\s*)?\b(?:[a-z_$][\w$]*\.){2,}[A-Z][\w$]*(?:\.[\w$]+)*(?:\([^)]*\))?:?\s*")
JAVA_FRAME = re.compile(r"\s*\bat\s+[\w$.]+\([^)]*\)")
BARE_EXCEPTION = re.compile(r"(?:Caused by:\s*)?\b[A-Z]\w*Exception\b:?\s*")
ERROR_TEXT = re.compile(r"^(?P<code>[\w.\-]{1,60}): (?P<message>.*?)(?: \[(?P<api>[^\]\s]+)\])?$", re.S)


def strip_java(text: str) -> str:
    """The text without Java class names, stack frames and "XxxException:" prefixes."""
    if not text:
        return ""
    text = JAVA_FRAME.sub("", str(text))
    text = JAVA_CLASS.sub("", text)
    text = BARE_EXCEPTION.sub("", text)
    return re.sub(r"\s+", " ", text).strip(" :;,")


def kind_of(code: str, message: str = "") -> str:
    """The error class name a stored (error_code, message) stands for, as the client would raise it."""
    code = (code or "").strip()
    if code in LOCAL_CODES:
        return LOCAL_CODES[code]
    if code in TEXTS:  # the client stores the class name when the error has no code
        return code
    if code in errors.OAUTH_ERRORS:
        if "postpone" in (message or "").lower():
            return "PostponeNotAllowed"
        return errors.OAUTH_ERRORS[code].__name__
    if not code:
        return "AlibabaError"
    error = errors.error_from_answer(400, {"error_code": code, "error_message": message or ""})
    return type(error).__name__ if error else "UnknownGatewayError"


def _explain_kind(kind: str, *, code: str, message: str, app_key: str, api: str) -> Explanation:
    title, advice = TEXTS.get(kind, TEXTS["UnknownGatewayError"])
    values = {
        "key": _("App Key %(key)s") % {"key": app_key} if app_key else _("this App Key"),
        # "com.alibaba.fenxiao.crossborder:product.search.imageQuery-1" reads as "product.search.imageQuery"
        "api": re.sub(r"-\d+$", "", api.rsplit(":", 1)[-1]) if api else _("this API"),
    }
    title = _(title) % values
    return Explanation(title[0].upper() + title[1:], _(advice) % values, strip_java(message), code)


def explain(code: str, message: str = "", *, app_key: str = "", api: str = "") -> Explanation:
    """Explain a stored error (ApiCallLog.error_code and message) in plain words."""
    return _explain_kind(kind_of(code, message), code=code or "", message=message, app_key=app_key, api=api)


def explain_error(error: BaseException, *, app_key: str = "") -> Explanation:
    """Explain a raised error; a non-1688 exception whose cause was a 1688 error explains that cause."""
    if not isinstance(error, errors.AlibabaError):
        cause = error.__cause__ or error.__context__
        if isinstance(cause, errors.AlibabaError):
            return explain_error(cause, app_key=app_key)
        return Explanation(strip_java(str(error)) or _("Something went wrong"), "", "", "")
    code = error.code or type(error).__name__
    return _explain_kind(error_kind(error), code=code, message=error.message, app_key=app_key, api=error.api)


def error_kind(error: errors.AlibabaError) -> str:
    """Which explanation a raised 1688 error gets: stored with a worker's result, it is explained again when shown."""
    kind = LOCAL_CODES.get(error.code, "")
    return kind or next((cls.__name__ for cls in type(error).__mro__ if cls.__name__ in TEXTS), "AlibabaError")


def explain_kind(kind: str, *, app_key: str = "", api: str = "") -> Explanation:
    """Explain an error by its `error_kind`, in the current language."""
    return _explain_kind(kind, code=kind, message="", app_key=app_key, api=api)


def explain_text(text: str, *, app_key: str = "") -> Explanation:
    """Explain a stored `str(AlibabaError)` ("code: message [api]"), e.g. OAuthToken.last_error."""
    text = (text or "").strip()
    match = ERROR_TEXT.match(text)
    if match and not JAVA_CLASS.match(match["code"] + ": "):
        return explain(match["code"], match["message"], app_key=app_key, api=match["api"] or "")
    return explain("", text, app_key=app_key)
