"""Open redirects: no view that takes `next` sends anyone off the site, whatever `next` says."""

import ast
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from sourcing.accounts.models import User
from sourcing.alerts.models import Alert
from tests.conftest import BASE_DIR, PASSWORD

pytestmark = pytest.mark.django_db

EVIL = [
    "//evil.example/",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example/",
    "\\\\evil.example",
    "/\t/evil.example/",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "https:/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "//evil.example@testserver/",
    "///evil.example",
]


def _local(location: str) -> bool:
    """A redirect target a browser resolves to this site (browsers read a backslash as a slash)."""
    browser = location.strip().replace("\\", "/").replace("\t", "")
    joined = urlsplit(urljoin("http://testserver/i18n/setlang/", browser))
    return (joined.scheme, joined.netloc) == ("http", "testserver")


def _views_taking_next() -> set[str]:
    """Every view function of every domain (sourcing/<domain>/views.py or views/) whose code reads `next`."""
    found = set()
    views = [*Path(BASE_DIR, "sourcing").glob("*/views.py"), *Path(BASE_DIR, "sourcing").glob("*/views/*.py")]
    for path in views:
        tree = ast.parse(path.read_text())
        # "next" as a key of a dict the view writes (the API's page link) is not a `next` it reads
        keys = {id(k) for d in ast.walk(tree) if isinstance(d, ast.Dict) for k in d.keys if k is not None}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(n, ast.Constant) and n.value == "next" and id(n) not in keys for n in ast.walk(node)
            ):
                found.add(node.name)
    return found


# Each view that reads `next`, and how to make it redirect (path, POST data) with acme_world's rows.
NEXT_VIEWS = {
    "list_add": lambda w: ("/lists/add/", {"offer_id": w.fill["offer_id"], "list": w.fill["list_id"]}),
    "item_status": lambda w: (f"/lists/items/{w.fill['item_id']}/status/", {"status": "sampling"}),
    "alert_index": lambda w: ("/alerts/", {"offer": w.fill["offer_id"], "kind": "back_in_stock"}),
    "alert_delete": lambda w: (f"/alerts/{Alert.objects.order_by('-pk').first().pk}/delete/", {}),
    "team_switch": lambda w: ("/teams/switch/", {"team": w.fill["team_id"]}),
    "api_status_verify": lambda w: ("/api-status/verify/", {}),
    "signup": lambda w: (
        "/accounts/signup/",
        {
            "username": f"dora{User.objects.count()}",
            "email": "dora@example.com",
            "password1": "v3ry-Long-pass",
            "password2": "v3ry-Long-pass",
        },  # a new name each time
    ),
}


def test_every_view_that_reads_next_is_covered():
    found = _views_taking_next()
    assert {"list_add", "alert_index", "signup"} <= found  # the scan sees them
    assert found <= set(NEXT_VIEWS), "add the new view to NEXT_VIEWS"


def test_portal_views_never_redirect_off_site(client, acme_world, alice):
    for evil in EVIL:
        for name, make in NEXT_VIEWS.items():
            client.force_login(alice)
            path, data = make(acme_world)
            response = client.post(path, {**data, "next": evil})
            assert response.status_code == 302, (name, response.status_code, response.content[:300])
            assert _local(response["Location"]), (name, evil, response["Location"])


@pytest.mark.parametrize("evil", EVIL)
def test_login_logout_admin_and_language_never_redirect_off_site(client, alice, evil):
    login = client.post(f"/accounts/login/?next={evil}", {"username": "alice", "password": PASSWORD})
    assert login.status_code == 302 and _local(login["Location"]), login["Location"]
    language = client.post("/i18n/setlang/", {"language": "zh-hans", "next": evil}, HTTP_REFERER=evil)
    assert language.status_code == 302 and _local(language["Location"]), language["Location"]
    logout = client.post("/accounts/logout/", {"next": evil})
    assert logout.status_code == 302 and _local(logout["Location"]), logout["Location"]
    admin = client.post("/admin/login/", {"username": "alice", "password": PASSWORD, "next": evil})
    assert admin.status_code == 302 and _local(admin["Location"]), admin["Location"]
    assert client.get("/admin/").status_code == 200  # the admin login worked


def test_a_local_next_is_still_followed(client, alice, acme_world):
    login = client.post("/accounts/login/?next=/lists/", {"username": "alice", "password": PASSWORD})
    assert login["Location"] == "/lists/"
    response = client.post("/teams/switch/", {"team": acme_world.fill["team_id"], "next": "/lists/?status=new"})
    assert response["Location"] == "/lists/?status=new"
