"""No 500s on ids past the database's range, on bad `next` targets or on impossible admin dates
(issue 7, item 11)."""

import re

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import URLPattern, reverse

from sourcing import urls as sourcing_urls
from sourcing.accounts.models import User
from sourcing.core.http import safe_next

pytestmark = pytest.mark.django_db

PAST_BIGINT = "9223372036854775808"  # 2**63
HUGE = "99999999999999999999"


def _id_patterns():
    """(name, route) of every sourcing URL with an id in it."""
    found = []
    for pattern in sourcing_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "walk included URL lists too"
        route = str(pattern.pattern)
        converters = pattern.pattern.converters
        if any(type(c).__name__ in ("IntConverter", "IdConverter") for c in converters.values()):
            found.append((pattern.name, route))
    return found


def test_the_walk_covers_every_id_url_and_no_url_uses_int():
    names = {name for name, _ in _id_patterns()}
    assert {"team_detail", "member_role", "invitation_revoke", "connection_reveal", "permission_status"} <= names
    int_routes = [str(p.pattern) for p in sourcing_urls.urlpatterns if "<int:" in str(p.pattern)]
    assert int_routes == [], "use <id:...>: <int:...> lets ids past the database's range through"


@pytest.mark.parametrize("value", [PAST_BIGINT, HUGE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_id_url_past_the_database_range_is_a_404(client, alice, method, value):
    client.force_login(alice)
    client.raise_request_exception = False
    for name, route in _id_patterns():
        # every id in the URL, not only the first, is out of range
        path = "/" + re.sub(r"<(?:int|id):\w+>", value, route)
        response = getattr(client, method)(path)
        assert response.status_code == 404, (name, path, response.status_code)


def test_ids_inside_the_range_still_reach_the_views(client, alice, acme):
    client.force_login(alice)
    assert client.get(reverse("team_detail", args=[acme.pk])).status_code == 200
    largest = reverse("team_detail", args=[2**63 - 1])
    assert largest == "/teams/9223372036854775807/"
    assert client.get(largest).status_code == 404  # the tenancy door, not the converter
    assert client.get("/teams/0/").status_code == 404


@pytest.mark.parametrize("team", ["²", "١٢", PAST_BIGINT, HUGE, "-1", "1e3", "abc", ""])
def test_switching_to_a_team_that_cannot_exist_is_a_404(client, alice, team):
    client.force_login(alice)
    client.raise_request_exception = False
    assert client.post(reverse("team_switch"), {"team": team, "next": "/teams/"}).status_code == 404


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("abc", "/"),
        ("home", "/"),  # a view name is not a target
        ("logout", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("", "/"),
        ("/teams/?tab=members", "/teams/?tab=members"),
    ],
)
def test_team_switch_goes_only_to_local_paths(client, alice, acme, next_url, expected):
    client.force_login(alice)
    response = client.post(reverse("team_switch"), {"team": acme.pk, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize(("next_url", "expected"), [("abc", "/"), ("/teams/", "/teams/"), ("//evil.example", "/")])
def test_signup_with_any_next_signs_up_and_redirects_locally(client, next_url, expected):
    # given a sign-up form posted with ?next=abc (it used to create the user, then fail)
    data = {
        "username": "dora",
        "email": "dora@example.com",
        "password1": "v3ry-Long-pass",
        "password2": "v3ry-Long-pass",
    }
    client.raise_request_exception = False
    response = client.post(f"{reverse('signup')}?next={next_url}", data)
    # then the account exists, the user is signed in, and the redirect stays on this site
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == expected
    assert User.objects.filter(username="dora").exists()
    assert client.get("/").status_code == 200


def test_safe_next_falls_back_to_the_default_as_a_url():
    request = RequestFactory().get("/")
    assert safe_next(request, "/lists/", default="home") == "/lists/"
    assert safe_next(request, None, default="team_list") == "/teams/"
    assert safe_next(request, "http://testserver/lists/", default="home") == "/"  # paths only
    assert safe_next(request, ["/lists/"], default="/") == "/"


# --- The admin's date filters ---

BAD_DATES = [
    {"{f}__year": "99999999999"},
    {"{f}__year": HUGE},
    {"{f}__year": "9999"},
    {"{f}__year": "9999", "{f}__month": "12"},
    {"{f}__year": "9999", "{f}__month": "12", "{f}__day": "31"},
    {"{f}__year": "2026", "{f}__month": "13"},
    {"{f}__year": "2026", "{f}__month": "2", "{f}__day": "30"},
    {"{f}__year": "²"},
    {"{f}__year": "1"},  # 0001-01-01 00:00 in Shanghai is before year 1 in UTC
    {"{f}__year": "0"},
    {"{f}__gte": "0001-01-01"},
    {"{f}__gte": "99999-01-01"},
    {"{f}__gte": "2026-01-01", "{f}__lt": "99999999999-01-01"},
]


def _date_fields(model_admin):
    """The date fields a changelist filters on: its date hierarchy and date list filters."""
    names = [model_admin.date_hierarchy] if model_admin.date_hierarchy else []
    for entry in model_admin.list_filter:
        name = entry[0] if isinstance(entry, tuple) else entry
        if isinstance(name, str):
            field = model_admin.model._meta.get_field(name)
            if isinstance(field, models.DateField):
                names.append(name)
    return sorted(set(names))


def _changelists():
    return [
        (f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model_admin)
        for model, model_admin in admin.site._registry.items()
    ]


def test_the_walk_covers_the_dated_changelists():
    dated = {url for url, model_admin in _changelists() if _date_fields(model_admin)}
    assert {"/admin/sourcing/apiusage/", "/admin/sourcing/apicalllog/"} <= dated


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_every_admin_changelist_survives_impossible_dates(client, alice):
    client.force_login(alice)  # a superuser sees every changelist
    client.raise_request_exception = False
    for url, model_admin in _changelists():
        assert client.get(url).status_code == 200, url
        for field in _date_fields(model_admin):
            for params in BAD_DATES:
                query = {key.format(f=field): value for key, value in params.items()}
                response = client.get(url, query, follow=True)
                assert response.status_code == 200, (url, query, response.status_code)
                # a clear message (and the whole list), or an empty list
                explained = "That filter can&#x27;t be used" in response.content.decode()
                assert explained or response.context["cl"].result_count == 0, (url, query)


def test_a_huge_year_in_the_usage_list_says_why_it_shows_everything(client, alice):
    client.force_login(alice)
    response = client.get("/admin/sourcing/apiusage/?day__year=99999999999")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "That filter can&#x27;t be used (dates run from year 1 to 9999" in page
