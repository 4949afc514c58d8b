"""Every URL pattern, found by walking the URLconf, fetched as carol (team Globex) and as a visitor: Acme's
objects stay hidden (404, 403 or a login redirect), no page shows Acme's data, and nothing answers 500."""

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sourcing.lists.models import ProductList
from tests.catalog.pages.conftest import LEAF
from tests.security.conftest import ACME_MARKERS

# Pages anyone may open without signing in; each says why. Everything else must send a visitor to a login page.
PUBLIC = {
    "login": "the sign-in form",
    "signup": "the sign-up form",
    "logout": "signing out (POST) is harmless without a session",
    "password_reset": "asking for a reset e-mail",
    "password_reset_done": "the 'check your mail' page",
    "password_reset_confirm": "a bearer link: the token in the URL is the proof (see BEARER)",
    "password_reset_complete": "the 'password changed' page",
    "set_language": "the language switch works before sign-in",
    "favicon": "the site icon",
    "search_legacy": "the old /search/ address only redirects to /products/, which asks for sign-in",
    "admin:login": "the admin's sign-in form",
    "admin:logout": "signing out of the admin",
    "sandbox:index": "the stand-in gateway's front page (development only)",
    "sandbox:authorize": "the stand-in 1688 consent page: 1688's own page is public too",
    "sandbox:image": "the stand-in 1688 image server",
    "sandbox:detail_image": "the stand-in 1688 image server (description pictures)",
    "sandbox:option_image": "the stand-in 1688 image server (option pictures)",
    "sandbox:video": "the stand-in 1688 video link (a GIF stands in for the mp4)",
    "sandbox:gateway": "the stand-in gateway API: every call is checked by its signature, not a session",
    "sandbox:pay": "the stand-in 1688 cashier: the signed payment link is the proof, as 1688's cashier link is",
    "invitation_accept": "a bearer link: the token in the URL is the proof (see BEARER)",
    "api_schema": "the team API's OpenAPI schema: no team data",
    "api_docs": "the team API's documentation page: no team data",
    "message_hook": "1688's message callback: each message is proven by the credential's signature, not a session",
}
# Links whose secret token is the permission: whoever holds the link may see what it is for, even in another team.
BEARER = {"invitation_accept", "password_reset_confirm"}
# The catalog is public 1688 data shared by every team: carol may open Acme's product like any other.
SHARED_CATALOG = {"product", "product_fetch", "product_refresh", "product_bad_id", "supplier_detail", "supplier_fetch",
                  "category_detail", "category_fetch", "api_product", "api_supplier"}  # fmt: skip
# Regex patterns have no simple parameters to fill: a concrete path for each, by name or by pattern.
REGEX_PATHS = {
    "admin:app_list": "/admin/sourcing/",
    "admin/(?P<url>.*)$": "/admin/no-such-page/",  # the admin's catch-all
    "sandbox:gateway": "/sandbox/openapi/param2/1/system/currentTime/1",
    "product_bad_id": "/products/not-a-number/",
    "^api/": "/api/v1/no-such-endpoint/",  # the API's JSON 404 for anything else
}
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def url_patterns(resolver=None, prefix="", namespace=""):
    """(name or pattern, route, pattern) of every URL, includes and the admin's included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from url_patterns(entry, route, inner)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or route, route, entry


def _admin_object_id(route: str) -> str:
    app_label, model_name = route.split("/")[1:3]
    row = apps.get_model(app_label, model_name).objects.order_by("pk").first()
    return str(row.pk) if row else "1"  # the admin is staff-only: an id nobody has proves the same


def fill(key: str, route: str, world) -> tuple[str, bool]:
    """The path for a pattern with Acme's ids in it, and whether it names an Acme object; fails when it can't."""
    if key in REGEX_PATHS:
        return REGEX_PATHS[key], False
    if route.startswith("admin/") and "(?P<" not in route:
        pass
    elif "(?P<" in route or "^" in route:
        pytest.fail(f"URL {key!r} ({route}) is a regex the walker cannot fill: add it to REGEX_PATHS")
    owned = False
    values = {}
    for _converter, param in PARAM.findall(route):
        if param in world.fill and param != "offer_id":
            values[param], owned = world.fill[param], True
        elif param == "offer_id":
            values[param] = world.fill[param]
        elif param == "credential_id" and key == "message_hook":
            values[param], owned = world.objects["credential"].pk, True
        elif param == "pk" and route.startswith("connections/"):
            values[param], owned = world.objects["credential"].pk, True
        elif param == "supplier_id" and route.startswith("api/"):
            values[param] = world.objects["item"].product.supplier_id
        elif param == "pk" and route.startswith("suppliers/"):
            values[param] = world.objects["item"].product.supplier_id
        elif param == "pk" and route.startswith("categories/"):
            values[param] = LEAF
        elif param == "object_id" and route.startswith("admin/r/"):
            values[param], owned = world.objects["list"].pk, True
        elif param == "content_type_id":
            values[param] = ContentType.objects.get_for_model(ProductList).pk
        elif param in ("object_id", "id") and route.startswith("admin/"):
            values[param], owned = _admin_object_id(route), True
        elif param == "token" and key == "invitation_accept":
            values[param], owned = world.invitation_token, True
        elif (param, key) in (("uidb64", "password_reset_confirm"), ("token", "password_reset_confirm")):
            values[param] = world.reset_uid if param == "uidb64" else world.reset_token
            owned = True
        elif param in ("family", "variant", "part", "option"):
            values[param] = 1
        else:
            pytest.fail(f"URL {key!r} ({route}): the walker does not know what to put in <{param}>; teach fill()")
    return "/" + PARAM.sub(lambda m: str(values[m.group(2)]), route), owned


def _fetch(user, method: str, path: str, client=None):
    """One request as `user` (None: a visitor); a reused client is signed in again if a page signed it out."""
    client = client or Client(raise_request_exception=False)
    client.cookies.pop("django_language", None)
    if user is not None and client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    return getattr(client, method)(path)


def _hidden(response) -> bool:
    """404, 403, 405 (another method), 401 (the API without a token, the message callback without a signature), or a redirect to a login page."""
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PAGES)


def _leaks(response) -> list[str]:
    if response.status_code != 200 or response.streaming:
        return []
    body = response.content.decode(errors="replace")
    return [marker for marker in ACME_MARKERS if marker in body]


def _fingerprint(world) -> dict:
    """Every Acme row the walk could touch, as stored."""
    return {name: type(obj).objects.filter(pk=obj.pk).values().first() for name, obj in world.objects.items()}


def test_the_walk_finds_every_kind_of_url():
    keys = {key for key, _route, _pattern in url_patterns()}
    assert {"list_detail", "item_comment", "inquiry_detail", "alert_delete", "connection_reveal", "permission_status",
            "api_status_check_progress", "invitation_revoke", "image_picture", "admin:sourcing_productlist_change",
            "admin:app_list", "sandbox:console_app", "set_language", "password_reset_confirm", "search_fetch",
            "product_fetch", "category_fetch", "webhook_endpoint", "webhook_replay",
            "admin:sourcing_endpoint_change", "admin:sourcing_delivery_changelist"} <= keys  # fmt: skip
    assert len(keys) > 200  # the admin's 130-odd and the portal's 80-odd


def test_every_url_hides_acme_from_carol_and_from_visitors(acme_world, carol):
    before = _fingerprint(acme_world)
    clients = {"carol": Client(raise_request_exception=False), "visitor": Client(raise_request_exception=False)}
    problems = []
    for key, route, _pattern in url_patterns():
        path, owned = fill(key, route, acme_world)
        for who, user in (("carol", carol), ("visitor", None)):
            public = user is None and key in PUBLIC
            foreign = owned and key not in BEARER and key not in SHARED_CATALOG
            methods = ["get"] if key in BEARER else ["get", "post"]  # a POST would accept the invitation
            for method in methods:
                response = _fetch(user, method, path, clients[who])
                status = response.status_code
                if status >= 500:
                    problems.append(f"{who} {method.upper()} {path} ({key}): {status}")
                elif (foreign or (user is None and not public)) and not _hidden(response):
                    problems.append(f"{who} {method.upper()} {path} ({key}): {status}, expected 404/403/login")
                elif key not in BEARER and (leaked := _leaks(response)):
                    problems.append(f"{who} {method.upper()} {path} ({key}): shows {leaked}")
    assert problems == []
    # and nothing carol or a visitor posted changed an Acme row
    assert _fingerprint(acme_world) == before


def test_a_guessed_invitation_or_reset_link_is_refused(acme_world, carol):
    assert _fetch(carol, "get", "/invite/guessed-token/").status_code == 404
    page = _fetch(None, "get", f"/accounts/reset/{acme_world.reset_uid}/set-password/")
    assert page.status_code == 200
    assert "Send a new link" in page.content.decode()
    assert "new_password1" not in page.content.decode()


def test_a_pattern_the_walker_cannot_fill_fails_with_its_name(acme_world):
    with pytest.raises(pytest.fail.Exception, match="new_thing.*<widget_id>"):
        fill("new_thing", "widgets/<id:widget_id>/", acme_world)
    with pytest.raises(pytest.fail.Exception, match="regex_thing.*REGEX_PATHS"):
        fill("regex_thing", "^widgets/(?P<raw>.+)$", acme_world)


def test_staff_carol_sees_no_acme_row_in_the_admin(acme_world, carol):
    # given carol is staff with every admin permission, but not a superuser
    from django.contrib.auth.models import Permission

    carol.is_staff = True
    carol.save(update_fields=["is_staff"])
    carol.user_permissions.set(Permission.objects.all())
    client = Client(raise_request_exception=False)
    problems = []
    for key, route, _pattern in url_patterns():
        if not route.startswith("admin/") or key in ("admin:logout", "admin/(?P<url>.*)$"):
            continue
        path, owned = fill(key, route, acme_world)
        response = _fetch(carol, "get", path, client)
        if response.status_code >= 500:
            problems.append(f"{path} ({key}): {response.status_code}")
        elif owned and response.status_code == 200:
            problems.append(f"{path} ({key}): 200 for an Acme row")
        elif leaked := _leaks(response):
            problems.append(f"{path} ({key}): shows {leaked}")
    assert problems == [], "\n".join(problems)
