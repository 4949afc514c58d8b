"""Connections (credentials, OAuth connect, permissions) and the API status page."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sourcing.alibaba.api import PORTAL_API_GROUPS
from sourcing.connections.explain import explain
from sourcing.connections.forms import CredentialForm, PasswordConfirmForm, PermissionStatusForm, ResetSecretForm
from sourcing.connections.models import (
    ApiCallLog,
    ApiPermission,
    ApiPermissionChange,
    AppCredential,
    ConnectionCheck,
    OAuthToken,
)
from sourcing.connections.selectors import (
    credential_in_use,
    credentials_visible_to,
    get_credential_for_user,
    usage_by_day,
)
from sourcing.connections.services import checks as check_services
from sourcing.connections.services import credentials as credential_services
from sourcing.connections.services import permissions as permission_services
from sourcing.connections.services import tokens as token_services
from sourcing.connections.services.budgets import budgets_for_page
from sourcing.connections.services.gateway import feature_refusal
from sourcing.connections.services.usage import usage_exhaustion, usage_today
from sourcing.core.beijing import next_beijing_midnight
from sourcing.core.http import client_ip, safe_next

# What each API is for, in the reader's language (lazy: this table is built once, at import).
API_PURPOSES = {
    "alibaba.category.get": gettext_lazy("category tree for browsing"),
    "category.translation.getById": gettext_lazy("English category names"),
    "product.search.keywordQuery": gettext_lazy("keyword search (Chinese or English)"),
    "product.image.upload": gettext_lazy("upload a picture for image search"),
    "product.search.imageQuery": gettext_lazy("image search"),
    "product.search.queryProductDetail": gettext_lazy("product details, SKUs and price tiers"),
    "alibaba.product.get": gettext_lazy("classic product details"),
    "product.search.querySellerOfferList": gettext_lazy("a supplier's other products"),
    "alibaba.account.agent.crossBasic": gettext_lazy("supplier company and shop"),
    "loginid.openuid.encrypt": gettext_lazy("contact a supplier (step 1)"),
    "account.wangwangUrl.get": gettext_lazy("contact a supplier: WangWang chat link"),
    "alibaba.createOrder.preview": gettext_lazy("order preview: price and freight before buying"),
    "product.freight.estimate": gettext_lazy("freight estimate for an offer"),
    "alibaba.trade.createCrossOrder": gettext_lazy("place a purchase order"),
    "alibaba.trade.get.buyerView": gettext_lazy("order details and status"),
    "alibaba.trade.getBuyerOrderList": gettext_lazy("find an order placed by the portal"),
    "alibaba.alipay.url.get": gettext_lazy("payment link for an order"),
    "alibaba.trade.cancel": gettext_lazy("cancel an unpaid order"),
    "alibaba.trade.getLogisticsTraceInfo.buyerView": gettext_lazy("shipment tracking"),
    "product.related.recommend": gettext_lazy("related offers (same-item candidates)"),
    "newtoncloud.task.create": gettext_lazy("batch inquiry: ask many suppliers at once"),
    "newtoncloud.batchInquiry.getResult": gettext_lazy("batch inquiry: the suppliers' answers"),
    "push.query.messageList": gettext_lazy("messages missed while the portal was away"),
    "push.message.confirm": gettext_lazy("mark received messages as read"),
    "alibaba.product.follow": gettext_lazy("follow an offer's price and stock"),
    "alibaba.product.unfollow.crossborder": gettext_lazy("stop following an offer"),
}
# What each group of APIs enables (PORTAL_API_GROUPS).
API_GROUPS = {
    "search": gettext_lazy("Search and products"),
    "buying": gettext_lazy("Buying"),
    "depth": gettext_lazy("Sourcing depth"),
    "messages": gettext_lazy("Messages"),
}


def _grouped_apis():
    """(group title, [(ref, purpose)]) for each group of APIs the portal calls, in order."""
    return [(API_GROUPS[key], [(ref, API_PURPOSES.get(ref.name, "")) for ref in refs])
            for key, refs in PORTAL_API_GROUPS.items()]  # fmt: skip


def _ip(request):
    return client_ip(request)


def _api_rows(credential: AppCredential):
    """Each portal API with its permission, today's usage against the quota and whether it is usable."""
    permissions = {p.api: p for p in credential.permissions.all()}
    today = usage_today(credential)
    rows = []
    for group, refs in _grouped_apis():
        for index, (ref, purpose) in enumerate(refs):
            permission = permissions.get(ref.id)
            usage = today.get(ref.id)
            calls = usage.calls if usage else 0
            percent = min(100, round(100 * calls / credential.daily_quota)) if credential.daily_quota else 0
            rows.append({
                "ref": ref, "purpose": purpose, "permission": permission, "group": group if index == 0 else "",
                "calls": calls, "percent": percent,
                "refusal": feature_refusal(credential, ref.id, permission or ApiPermission()),
                "level": "full" if percent >= 100 else "warn" if percent >= 80 else "",
            })  # fmt: skip
    return rows


def _recent_errors(credential: AppCredential, limit: int = 8):
    """Errors worth explaining: not the portal's own probes, not those a later success resolved; repeats grouped."""
    # What probes get (gw.ParamMissing, ACL refusals) is recorded as permissions, not as errors.
    logs = list(
        ApiCallLog.objects.filter(credential=credential, probe=False)
        .exclude(error_code="gw.ParamMissing")
        .only("api", "at", "outcome", "error_code", "message")[:200]
    )
    resolved_after = {}
    for log in logs:  # newest first: the first success seen for an API is its latest
        if log.outcome == ApiCallLog.Outcome.OK:
            resolved_after.setdefault(log.api, log.at)
    groups: dict[tuple[str, str], dict] = {}
    for log in logs:
        if log.outcome == ApiCallLog.Outcome.OK or log.at < resolved_after.get(log.api, log.at):
            continue
        group = groups.setdefault((log.api, log.error_code), {"log": log, "count": 0, "first_at": log.at,
                                                              "explanation": explain(log.error_code, log.message, app_key=credential.app_key,
                                                                                     api=log.api)})  # fmt: skip
        group["count"] += 1
        group["first_at"] = log.at
    return list(groups.values())[:limit]


@login_required
def connection_list(request):
    in_use, why = credential_in_use(request.user)
    return render(request, "sourcing/connections/list.html", {
        "credentials": credentials_visible_to(request.user), "in_use": in_use, "why": why,
    })  # fmt: skip


@login_required
def connection_new(request):
    callback = token_services.callback_url()
    form = CredentialForm(request.POST or None, user=request.user, creating=True, initial={"callback_url": callback})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            credential = credential_services.credential_create(
                owner=request.user, app_key=data.pop("app_key"), app_secret=data.pop("app_secret"), **data
            )
        except credential_services.CredentialError as error:
            form.add_error("app_key", str(error))
        else:
            messages.success(request, _("Credential saved. A worker is asking 1688 to confirm the App Key and secret."))
            return redirect("connection_detail", pk=credential.pk)
    # The sandbox console (sandbox/) creates a test app registered with this callback URL.
    console = f"/sandbox/console/?{urlencode({'callback': callback})}" if settings.SANDBOX_ENABLED else ""
    return render(request, "sourcing/connections/new.html", {
        "form": form, "callback_url": callback, "api_groups": _grouped_apis(),
        "sandbox_console_url": console, "sandbox_value": AppCredential.Gateway.SANDBOX,
    })  # fmt: skip


def _detail_context(request, credential, **extra):
    # The check is read before the credential's verification: a worker marks the credential verified before it
    # finishes the check, so the page never shows a finished check next to a stale "not confirmed yet" and
    # (no check left to poll) stays stuck there.
    check = ConnectionCheck.objects.filter(credential=credential).first()
    credential.refresh_from_db(fields=["verified_at", "verify_error"])
    chart = usage_by_day(credential)
    owner = credential.owner_id == request.user.pk
    token = OAuthToken.objects.filter(credential=credential).first()
    callback = token_services.callback_url()
    return {
        "credential": credential, "is_owner": owner, "token": token, "callback_url": callback,
        "callback_mismatch": bool(credential.callback_url) and credential.callback_url.rstrip("/") != callback,
        "api_rows": _api_rows(credential), "recent_errors": _recent_errors(credential),
        "check": check,
        "verified_permissions": ConnectionCheck.objects.filter(
            credential=credential, kind=ConnectionCheck.Kind.VERIFY, state=ConnectionCheck.State.PASSED
        ).exists(),
        "can_spend": check_services.may_spend_quota(request.user, credential),
        "form": CredentialForm(instance=credential, user=request.user, creating=False) if owner else None,
        "statuses": ApiPermission.Status.choices, "chart": chart, "chart_peak": max(p["calls"] for p in chart),
        "now": timezone.now(),
        "history": ApiPermissionChange.objects.filter(permission__credential=credential)
        .select_related("permission", "changed_by")[:15],
        **extra,
    }  # fmt: skip


@login_required
@never_cache
def connection_detail(request, pk):
    credential = get_credential_for_user(request.user, pk)
    context = _detail_context(request, credential, moved_here=request.GET.get("connect") == "here",
                              connect_address=token_services.connect_address(request.get_host()))  # fmt: skip
    return render(request, "sourcing/connections/detail.html", context)


@login_required
@require_POST
def connection_edit(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    form = CredentialForm(request.POST, instance=AppCredential.objects.get(pk=credential.pk), user=request.user,
                          creating=False)  # fmt: skip
    if form.is_valid():
        credential_services.credential_update(credential=credential, user=request.user, **form.cleaned_data)
        messages.success(request, _("Credential updated."))
        return redirect("connection_detail", pk=pk)
    credential.refresh_from_db()
    return render(
        request, "sourcing/connections/detail.html", _detail_context(request, credential, form=form), status=400
    )


@login_required
@require_POST
@never_cache
def connection_reveal(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    form = PasswordConfirmForm(request.POST)
    revealed, status = "", 403
    if form.is_valid():
        try:
            revealed = credential_services.secret_reveal(
                credential=credential, user=request.user, password=form.cleaned_data["password"], ip=_ip(request)
            )
        except credential_services.CredentialError as error:
            messages.error(request, str(error))
            status = 429 if isinstance(error, credential_services.RevealLocked) else 403
    context = _detail_context(request, credential, revealed_secret=revealed)
    return render(request, "sourcing/connections/detail.html", context, status=200 if revealed else status)


@login_required
@require_POST
def connection_reset_secret(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    form = ResetSecretForm(request.POST)
    if not form.is_valid() or len(form.cleaned_data["new_secret"].strip()) < 6:
        messages.error(request, _("Paste the whole new App Secret from the 1688 console (应用凭证 → App Secret)."))
        return redirect("connection_detail", pk=pk)
    return _start_check(request, credential, ConnectionCheck.Kind.SECRET, new_secret=form.cleaned_data["new_secret"])


def _start_check(request, credential, kind, **kwargs):
    """Queue a check for a worker; htmx gets the progress panel, a plain form post goes back to the page."""
    try:
        check = check_services.check_start(credential=credential, user=request.user, kind=kind, **kwargs)
    except check_services.CheckRefused as error:
        if request.headers.get("HX-Request"):
            return render(request, "sourcing/partials/_check.html", {"refused": str(error)}, status=403)
        messages.error(request, str(error))
        return redirect("connection_detail", pk=credential.pk)
    if request.headers.get("HX-Request"):
        return render(request, "sourcing/partials/_check.html", {"check": check})
    return redirect("connection_detail", pk=credential.pk)


@login_required
@require_POST
def connection_connect(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    site = token_services.connect_address(request.get_host())
    if site and not request.POST.get("address_checked"):
        # 1688 returns to SITE_URL, where this browser has another session: start there instead (once; behind
        # a proxy that rewrites Host the second click goes ahead).
        return redirect(f"{site}{reverse('connection_detail', args=[credential.pk])}?connect=here")
    return redirect(token_services.connect_start(session=request.session, credential=credential,
                                                 host=request.get_host()))  # fmt: skip


@login_required
def oauth_callback(request):
    state = request.GET.get("state", "")
    credential_id = token_services.connect_take_state(session=request.session, state=state) if state else None
    started_at = token_services.state_started_at(state)  # 1688 returns to SITE_URL; was the click made elsewhere?
    if credential_id is None and started_at and token_services.connect_address(started_at):
        messages.error(request, _("You clicked “Connect 1688 account” at %(started)s, but 1688 sends you back to "
                                  "%(site)s, and your browser keeps a separate sign-in for each address, so the click "
                                  "can't be found here. Nothing was stored. Use the portal at %(site)s and click "
                                  "“Connect 1688 account” again.")
                       % {"started": started_at, "site": settings.SITE_URL})  # fmt: skip
        return redirect("connection_list")
    if credential_id is None:
        messages.error(request, _("This 1688 authorisation could not be matched to a Connect click of yours (the link "
                                  "was old, used twice or came from elsewhere). Nothing was stored; click “Connect "
                                  "1688 account” again."))  # fmt: skip
        return redirect("connection_list")
    try:
        credential = get_credential_for_user(request.user, credential_id, manage=True)
    except Http404:
        messages.error(request, _("That credential no longer exists."))
        return redirect("connection_list")
    if request.GET.get("error"):
        old = OAuthToken.objects.filter(credential=credential).first()
        if old and old.effective_status not in (OAuthToken.Status.EXPIRED, OAuthToken.Status.REVOKED,
                                                OAuthToken.Status.NEEDS_REAUTH):  # fmt: skip
            messages.warning(request, _("You (or 1688) declined the new authorisation (%(error)s). Nothing changed: the "
                                        "existing connection to the 1688 account %(login)s still works.")
                             % {"error": request.GET["error"][:50], "login": old.resource_owner})  # fmt: skip
        else:
            messages.warning(request, _("You (or 1688) declined the authorisation (%(error)s). The portal cannot search "
                                        "for you until the app is approved on 1688's consent page; click “Connect 1688 "
                                        "account” to try again.") % {"error": request.GET["error"][:50]})  # fmt: skip
        return redirect("connection_detail", pk=credential.pk)
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("1688 sent no authorisation code back. Click “Connect 1688 account” again."))
        return redirect("connection_detail", pk=credential.pk)
    try:
        token = token_services.connect_finish(credential=credential, code=code, user=request.user)
    except token_services.ConnectError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Connected to 1688 as %(login)s. Now verify the permissions.") % {"login": token.resource_owner}
        )
        check_services.check_start(credential=credential, user=request.user, kind=ConnectionCheck.Kind.VERIFY)
    return redirect("connection_detail", pk=credential.pk)


@login_required
@require_POST
def connection_disconnect(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    token_services.token_disconnect(credential=credential)
    messages.success(request, _("The 1688 account was disconnected; its tokens were deleted."))
    return redirect("connection_detail", pk=pk)


@login_required
@require_POST
def connection_verify(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    return _start_check(request, credential, ConnectionCheck.Kind.VERIFY)


@login_required
@require_POST
def connection_check_key(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    return _start_check(request, credential, ConnectionCheck.Kind.CREDENTIAL)


@login_required
@require_POST
def connection_delete(request, pk):
    credential = get_credential_for_user(request.user, pk, manage=True)
    credential_services.credential_delete(credential=credential, user=request.user, ip=_ip(request))
    messages.success(request, _("Credential deleted."))
    return redirect("connection_list")


@login_required
@require_POST
def permission_status(request, pk, permission_id):
    credential = get_credential_for_user(request.user, pk, manage=True)
    permission = get_object_or_404(ApiPermission, pk=permission_id, credential=credential)
    form = PermissionStatusForm(request.POST)
    if form.is_valid():
        permission_services.permission_set_status(permission=permission, status=form.cleaned_data["status"],
                                                  user=request.user, reason=form.cleaned_data["reason"])  # fmt: skip
        messages.success(
            request,
            _("%(api)s is now “%(status)s”.")
            % {"api": permission.api.rsplit(":", 1)[-1].rsplit("-", 1)[0], "status": permission.get_status_display()},
        )
    else:
        messages.error(request, _("Choose one of the listed states."))
    return redirect("connection_detail", pk=pk)


@login_required
@never_cache
def api_status(request):
    credential, why = credential_in_use(request.user)
    context = {
        "credential": credential,
        "why": why,
        "next_reset": next_beijing_midnight(),
        "now": timezone.now(),
        "sandbox_enabled": settings.SANDBOX_ENABLED,
    }
    if credential:
        token = OAuthToken.objects.filter(credential=credential).first()
        context.update({
            "token": token, "api_rows": _api_rows(credential), "recent_errors": _recent_errors(credential),
            "check": ConnectionCheck.objects.filter(credential=credential, kind=ConnectionCheck.Kind.TEST).first(),
            "can_spend": check_services.may_spend_quota(request.user, credential),
            "is_sandbox": credential.gateway == AppCredential.Gateway.SANDBOX,
            "granted": sum(1 for p in credential.permissions.all() if p.status == ApiPermission.Status.APPROVED),
            "exhaustion": usage_exhaustion(credential),
            "budgets": budgets_for_page(credential, team_id=request.user.current_team_id, user_id=request.user.pk),
        })  # fmt: skip
    return render(request, "sourcing/api_status.html", context)


@login_required
@require_POST
def api_status_check(request):
    credential, _why = credential_in_use(request.user)
    if credential is None:
        messages.error(request, _("Set up a credential first."))
        return redirect("api_status")
    try:
        check = check_services.check_start(credential=credential, user=request.user, kind=ConnectionCheck.Kind.TEST)
    except check_services.CheckRefused as error:
        if request.headers.get("HX-Request"):
            return render(request, "sourcing/partials/_check.html", {"refused": str(error)}, status=403)
        messages.error(request, str(error))
        return redirect("api_status")
    if request.headers.get("HX-Request"):
        return render(request, "sourcing/partials/_check.html", {"check": check})
    return redirect("api_status")


@login_required
@require_POST
def api_status_verify(request):
    """ "Verify permissions" where a search was refused for a permission: the check runs in place (htmx), and the
    page reloads when it ends, so the search asks 1688 again if the API is granted now."""
    htmx = bool(request.headers.get("HX-Request"))
    back = safe_next(request, request.POST.get("next"), default="api_status")
    credential, _why = credential_in_use(request.user)
    refused, status = (_("Set up a credential first."), 400) if credential is None else ("", 200)
    if credential is not None:
        try:
            check = check_services.check_start(credential=credential, user=request.user,
                                               kind=ConnectionCheck.Kind.VERIFY)  # fmt: skip
        except check_services.CheckRefused as error:
            refused, status = str(error), 403
    if refused:
        if htmx:
            return render(request, "sourcing/partials/_check.html", {"refused": refused}, status=status)
        messages.error(request, refused)
        return redirect(back)
    if not htmx:
        messages.info(request, _("Checking which APIs 1688 grants this app; search again when it has finished."))
        return redirect(back)
    return render(request, "sourcing/partials/_check.html", {"check": check})


@login_required
@never_cache
def api_status_check_progress(request, check_id):
    # Whoever asked, or anyone who may see the credential, may watch the run; everyone else gets 404.
    check = get_object_or_404(ConnectionCheck.objects.select_related("credential"), pk=check_id)
    if not check_services.check_visible(check, request.user):
        raise Http404("No such check")
    response = render(request, "sourcing/partials/_check.html", {"check": check, "now": timezone.now()})
    if not check.is_running:
        # The page polls only while the check runs: the poll that sees it end reloads the page, so the
        # credential's state, the permissions table and the buttons all show the result.
        response["HX-Refresh"] = "true"
    return response
