"""Sandbox HTTP endpoints: the gateway, the consent page, product pictures and an index page."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt

from . import apis, images  # noqa: F401 - apis registers the API handlers
from . import oauth as _oauth  # noqa: F401 - registers the token endpoints
from .gateway import APIS, handle
from .models import SandboxApp, SandboxOffer

authorize = _oauth.authorize


@csrf_exempt
def gateway(request, path=""):
    return handle(request, path)


@cache_control(public=True, max_age=86400)
def image(request, family: int, variant: int):
    if variant > 64 or family > 10_000_000:
        raise Http404("No such picture")
    return HttpResponse(images.png_bytes(family, variant), content_type="image/png")


def index(request):
    return render(
        request,
        "sandbox/index.html",
        {"apps": SandboxApp.objects.order_by("app_key"), "apis": sorted(a.id for a in APIS.values()),
         "offers": SandboxOffer.objects.count()},
    )  # fmt: skip
