"""Sandbox HTTP endpoints: the gateway, the consent page, product pictures, an index and the console."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt

from . import apis, console_messages, images  # noqa: F401 - apis registers the API handlers
from . import message_apis as _message_apis  # noqa: F401 - registers the message and follow APIs
from . import messages as sandbox_messages
from . import oauth as _oauth  # noqa: F401 - registers the token endpoints
from .forms import ConsoleAppForm, grantable_apis
from .gateway import APIS, beijing_today, handle
from .models import SandboxApp, SandboxOffer, SandboxOrder, SandboxUsage, _fernet, new_app_secret
from .trade_apis import pay_signature

authorize = _oauth.authorize


@csrf_exempt
def gateway(request, path=""):
    return handle(request, path)


@cache_control(public=True, max_age=86400)
def image(request, family: int, variant: int):
    if variant > 999 or family > 10_000_000:  # images.py: look, reseller's edit and shot digits
        raise Http404("No such picture")
    return HttpResponse(images.png_bytes(family, variant), content_type="image/png")


@cache_control(public=True, max_age=86400)
def option_image(request, family: int, option: int):
    if option > 64 or family > 10_000_000:
        raise Http404("No such picture")
    return HttpResponse(images.option_png(family, option), content_type="image/png")


@cache_control(public=True, max_age=86400)
def detail_image(request, family: int, part: int):
    if part > 16 or family > 10_000_000:
        raise Http404("No such picture")
    return HttpResponse(images.detail_png(family, part), content_type="image/png")


@cache_control(public=True, max_age=86400)
def video(request, family: int):
    """An offer's "video": 1688 links an mp4 on its video CDN; the sandbox an animated picture."""
    if family > 10_000_000:
        raise Http404("No such video")
    return HttpResponse(images.video_gif(family), content_type="image/gif")


def index(request):
    """What the sandbox is; App Keys only of the visitor's own apps (an App Key is half a credential)."""
    own = SandboxApp.objects.filter(owner=request.user).order_by("app_key") if request.user.is_authenticated else []
    return render(
        request,
        "sandbox/index.html",
        {"apps": own, "app_count": SandboxApp.objects.count(), "apis": sorted(a.id for a in APIS.values()),
         "offers": SandboxOffer.objects.count()},
    )  # fmt: skip


# --- The console: 1688's 控制台 → 应用管理 for sandbox apps, each app visible only to its owner ---


def _app_for_user(user, app_key: str) -> SandboxApp:
    """The user's own sandbox app, or 404: the console's one door to an app."""
    return get_object_or_404(SandboxApp, app_key=app_key, owner=user)


def _default_callback(request) -> str:
    """The `?callback=` the portal's wizard passed, else the portal's own callback URL."""
    callback = request.GET.get("callback", "").strip()
    if callback and len(callback) <= 500:
        return callback
    return f"{settings.SITE_URL}/auth/1688/callback"


def _app_page(request, app, form, *, new_secret=None, status=200, subscription_form=None):
    usage = SandboxUsage.objects.filter(app=app, day=beijing_today()).first()
    context = {
        **console_messages.context(app, subscription_form),
        "app": app,
        "form": form,
        "new_secret": new_secret,
        "calls_today": usage.calls if usage else 0,
        "granted_count": len(grantable_apis()) if app.grant_all else len(set(app.grants) & set(grantable_apis())),
        "api_count": len(grantable_apis()),
    }
    return render(request, "sandbox/console_app.html", context, status=status)


@never_cache
@login_required
def console(request):
    """List the user's sandbox apps and create a new one (App Key and App Secret generated)."""
    if request.method == "POST":
        form = ConsoleAppForm(request.POST, owner=request.user, instance=SandboxApp())
        if form.is_valid():
            app = form.save()
            messages.success(request, f"Created sandbox app {app.app_key}.")
            return _show_secret_once(request, app, form.new_secret)
    else:
        form = ConsoleAppForm(
            owner=request.user, instance=SandboxApp(), initial={"redirect_uri": _default_callback(request)}
        )
    apps = SandboxApp.objects.filter(owner=request.user).order_by("-id")
    return render(request, "sandbox/console.html", {"form": form, "apps": apps, "api_count": len(grantable_apis())})


@never_cache
@login_required
def console_app(request, app_key: str):
    """Show one app's keys and edit its callback, grants and limits."""
    app = _app_for_user(request.user, app_key)
    if request.method == "POST":
        form = ConsoleAppForm(request.POST, owner=request.user, instance=app)
        if form.is_valid():
            form.save()
            messages.success(request, "Saved. The sandbox gateway uses the new settings from the next call.")
            return redirect("sandbox:console_app", app.app_key)
        app.refresh_from_db()  # the invalid form changed the instance; show what is stored
        return _app_page(request, app, form, status=400)
    return _app_page(request, app, ConsoleAppForm(owner=request.user, instance=app),
                     new_secret=_take_new_secret(request, app))  # fmt: skip


@never_cache
@login_required
def console_app_secret(request, app_key: str):
    """Replace the App Secret with a new one (重置密钥) and show it once."""
    app = _app_for_user(request.user, app_key)
    if request.method != "POST":
        return redirect("sandbox:console_app", app.app_key)
    secret = new_app_secret()
    app.app_secret = secret
    app.save(update_fields=["secret_encrypted"])
    messages.warning(request, "New App Secret made: the old one no longer works.")
    return _show_secret_once(request, app, secret)


SECRET_SESSION_KEY = "sandbox_new_secret"


def _show_secret_once(request, app: SandboxApp, secret: str):
    """Redirect to the app's page, which shows the new secret once (a reload then makes no second app).

    The secret waits in the session encrypted, and the app page takes it out on its next view."""
    request.session[SECRET_SESSION_KEY] = {
        "app_key": app.app_key,
        "secret": _fernet().encrypt(secret.encode()).decode(),
    }
    return redirect("sandbox:console_app", app.app_key)


def _take_new_secret(request, app: SandboxApp) -> str:
    waiting = request.session.pop(SECRET_SESSION_KEY, None)
    if not waiting or waiting.get("app_key") != app.app_key:
        return ""
    return _fernet().decrypt(waiting["secret"].encode()).decode()


@never_cache
@login_required
def console_app_delete(request, app_key: str):
    """Delete the app with its tokens and usage."""
    app = _app_for_user(request.user, app_key)
    if request.method != "POST":
        return redirect("sandbox:console_app", app.app_key)
    app.delete()
    messages.success(request, f"Deleted sandbox app {app_key}. Credentials in the portal that use it stop working.")
    return redirect("sandbox:console")


def _orders_to_pay(request) -> tuple[list[SandboxOrder], str]:
    """The orders a cashier link names, if its signature is the one alibaba.alipay.url.get gave out."""
    ids_text = request.GET.get("orderId", "")
    sign = request.GET.get("sign", "")
    if not ids_text or len(ids_text) > 2000 or not constant_time_compare(sign, pay_signature(ids_text)):
        return [], "这个支付链接无效 (this payment link is not valid: get a new one from the app)"
    ids = [int(i) for i in ids_text.split(";") if i.isascii() and i.isdigit()]
    orders = list(SandboxOrder.objects.filter(order_id__in=ids).order_by("created_at"))
    return orders, "" if orders else "订单不存在 (no such order)"


@csrf_exempt
@never_cache
def pay(request):
    """The sandbox cashier (1688's cashier.htm): shows the orders of a payment link; Pay marks them paid.

    The link's signature is the only key (the sandbox has no 1688 login), so the app that asked for
    the link decides who may pay. Paying is one conditional UPDATE: a double click pays once, and an
    order cancelled meanwhile stays cancelled.
    """
    orders, problem = _orders_to_pay(request)
    if problem:
        return render(request, "sandbox/pay.html", {"problem": problem}, status=400)
    paid_now = 0
    if request.method == "POST":
        now = timezone.now()
        for order in orders:  # one conditional UPDATE each: a double click pays (and announces) once
            with transaction.atomic():
                if SandboxOrder.objects.filter(pk=order.pk, status="waitbuyerpay", paid_at=None,
                                               cancelled_at=None).update(status="waitsellersend", paid_at=now,
                                                                         modified_at=now):  # fmt: skip
                    order.status = "waitsellersend"
                    sandbox_messages.emit_order(order)
                    paid_now += 1
        orders = list(SandboxOrder.objects.filter(pk__in=[o.pk for o in orders]).order_by("created_at"))
    rows = [{"order": o, "total": o.total_fen / 100, "seller": o.seller.get("company", "")} for o in orders]
    context = {"rows": rows, "payable": [o for o in orders if o.status == "waitbuyerpay"], "paid_now": paid_now,
               "posted": request.method == "POST", "amount": sum(o.total_fen for o in orders
                                                                  if o.status == "waitbuyerpay") / 100}  # fmt: skip
    return render(request, "sandbox/pay.html", context)
