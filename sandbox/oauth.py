"""OAuth on the sandbox: the consent page and the token endpoints (spec §5).

Error bodies of the real token endpoint are not documented (spec §14); the sandbox answers
`{"error": ..., "error_description": ...}` with HTTP 401 for a wrong client and 400 otherwise.
"""

import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .gateway import Call, GatewayAnswer, api, gateway_time
from .models import (
    SandboxAccessToken,
    SandboxAccount,
    SandboxApp,
    SandboxAuthCode,
    SandboxRefreshToken,
    digest,
    new_token,
)

TOKEN_OPTIONS = {
    "auth": False,
    "signed": False,
    "acl": False,
    "metered": False,
    "extra": {"protocols": ("http", "param2")},
}


def oauth_error(status: int, error: str, description: str) -> GatewayAnswer:
    return GatewayAnswer(status, {"error": error, "error_description": description})


def _same_domain(uri: str, registered: str) -> bool:
    try:
        return bool(uri) and urlsplit(uri).hostname == urlsplit(registered).hostname
    except ValueError:
        return False


def _with_query(uri: str, **params) -> str:
    return uri + ("&" if urlsplit(uri).query else "?") + urlencode({k: v for k, v in params.items() if v is not None})


def _consent_problem(app: SandboxApp | None, params) -> str:
    if not params.get("client_id") or not params.get("redirect_uri"):
        return "缺少必要参数 (a required parameter is missing: client_id and redirect_uri)"
    if app is None:
        return "非法请求 (illegal request: unknown client_id)"
    # An app registered without a callback (sandbox_app without --redirect-uri) takes any http(s) URL.
    if not app.redirect_uri and urlsplit(params["redirect_uri"]).scheme in ("http", "https"):
        return ""
    if not _same_domain(params["redirect_uri"], app.redirect_uri):
        return "非法请求 (illegal request: redirect_uri is not on the app's registered callback domain)"
    return ""


@csrf_exempt
def authorize(request):
    """A 1688-like consent screen: type a 1688 login id, then approve or deny."""
    params = {**request.GET.dict(), **request.POST.dict()}
    app = SandboxApp.objects.filter(app_key=params.get("client_id", "")).first()
    problem = _consent_problem(app, params)
    context = {"params": params, "app": app, "problem": problem, "error": ""}
    if problem:
        return render(request, "sandbox/authorize.html", context, status=400)
    if request.method == "POST":
        redirect_uri, state = params["redirect_uri"], params.get("state")
        if params.get("decision") == "deny":
            return HttpResponseRedirect(_with_query(redirect_uri, error="access_denied", state=state))
        login_id = params.get("login_id", "").strip()
        if params.get("decision") == "approve" and 0 < len(login_id) <= 64:
            code = secrets.token_hex(16)
            account = account_for(login_id)
            SandboxAuthCode.objects.create(
                app=app,
                account=account,
                code_digest=digest(code),
                redirect_uri=redirect_uri,
                expires_at=timezone.now() + timedelta(seconds=settings.SANDBOX_CODE_LIFETIME),
            )
            return HttpResponseRedirect(_with_query(redirect_uri, code=code, state=state))
        context["error"] = "请输入1688会员名 (enter your 1688 login id, at most 64 characters)"
        return render(request, "sandbox/authorize.html", context, status=400)
    return render(request, "sandbox/authorize.html", context)


def account_for(login_id: str) -> SandboxAccount:
    number = 2200000000 + int(digest(login_id)[:8], 16) % 100000000
    account, _ = SandboxAccount.objects.get_or_create(
        login_id=login_id, defaults={"member_id": f"b2b-{number}", "ali_id": str(number)}
    )
    return account


def _check_client(call: Call) -> None:
    if call.params.get("client_id") != call.app.app_key or call.params.get("client_secret") != call.app.app_secret:
        raise oauth_error(401, "invalid_client", "client_id or client_secret is wrong")


def _issue_access(app, account, refresh) -> tuple[str, dict]:
    token = new_token()
    lifetime = settings.SANDBOX_ACCESS_TOKEN_LIFETIME
    SandboxAccessToken.objects.create(
        app=app,
        account=account,
        refresh=refresh,
        token_digest=digest(token),
        expires_at=timezone.now() + timedelta(seconds=lifetime),
    )
    return token, {
        "aliId": account.ali_id,
        "resource_owner": account.login_id,
        "memberId": account.member_id,
        "expires_in": str(lifetime),
        "access_token": token,
    }


def _issue_refresh(app, account) -> tuple[SandboxRefreshToken, dict]:
    token = new_token()
    expires = timezone.now() + timedelta(seconds=settings.SANDBOX_REFRESH_TOKEN_LIFETIME)
    row = SandboxRefreshToken.objects.create(app=app, account=account, token_digest=digest(token), expires_at=expires)
    return row, {"refresh_token": token, "refresh_token_timeout": gateway_time(expires)}


def _refresh_row(call: Call, value: str) -> SandboxRefreshToken:
    row = SandboxRefreshToken.objects.select_related("account").filter(app=call.app, token_digest=digest(value)).first()
    if row is None or not row.is_valid():
        raise oauth_error(400, "invalid_grant", "refresh token is invalid or expired")
    return row


def issue_tokens(app: SandboxApp, account: SandboxAccount) -> dict:
    """A new refresh and access token pair, as the getToken answer of spec §5.3."""
    refresh, refresh_part = _issue_refresh(app, account)
    _token, access_part = _issue_access(app, account, refresh)
    return {**refresh_part, **access_part}


@api("system.oauth2", "getToken", **TOKEN_OPTIONS)
def get_token(call: Call):
    _check_client(call)
    grant_type = call.params.get("grant_type", "")
    if grant_type == "authorization_code":
        code = call.params.get("code", "")
        with transaction.atomic():
            row = (
                SandboxAuthCode.objects.select_related("account").filter(app=call.app, code_digest=digest(code)).first()
            )
            # The UPDATE decides: a code replayed concurrently is redeemed once.
            used = row is not None and SandboxAuthCode.objects.filter(
                pk=row.pk, used_at__isnull=True, expires_at__gt=timezone.now()
            ).update(used_at=timezone.now())
            if not used:
                raise oauth_error(400, "invalid_grant", "authorization code is invalid, used or expired")
            # SDKs send redirect_uri=default here; a real URL must be on the domain the code was issued for.
            redirect_uri = call.params.get("redirect_uri", "default")
            if redirect_uri not in ("", "default") and not _same_domain(redirect_uri, row.redirect_uri):
                raise oauth_error(400, "invalid_grant", "redirect_uri does not match the authorization request")
            return issue_tokens(call.app, row.account)
    if grant_type == "refresh_token":
        value = call.params.get("refresh_token") or call.params.get("refreshToken") or ""
        row = _refresh_row(call, value)
        _token, access_part = _issue_access(call.app, row.account, row)
        return access_part
    raise oauth_error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")


@api("system.oauth2", "postponeToken", **TOKEN_OPTIONS)
def postpone_token(call: Call):
    _check_client(call)
    row = _refresh_row(call, call.params.get("refresh_token") or call.params.get("refreshToken") or "")
    if row.expires_at - timezone.now() > timedelta(seconds=settings.SANDBOX_POSTPONE_WINDOW):
        raise oauth_error(
            400, "invalid_request", "bad request: a refresh token can only be postponed in its last 30 days"
        )
    with transaction.atomic():
        SandboxRefreshToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        return issue_tokens(call.app, row.account)
