"""No 500 from any byte (issue 18, item 4): NUL (PostgreSQL refuses it in text) is dropped from queries and
refused with a plain 400 in a path or a form, as are bytes that are not UTF-8 in a form, before a view or the
database sees them; forged page cursors past a column's range give the first page. Run on SQLite and on
PostgreSQL."""

import base64
import json

import pytest

from sourcing.catalog.models import Supplier
from sourcing.lists.models import ProductList

pytestmark = pytest.mark.django_db

NUL_IN_QUERIES = [
    "/products/?province=%00",
    "/products/?q=cup&province=%00",
    "/products/?q=a%00b",
    "/suppliers/?q=a%00b",
    "/suppliers/?after=%00",
    "/lists/?%00=1",
    "/teams/?next=/%00",
]
NOT_UTF8_IN_QUERIES = ["/products/?q=%FF%FE", "/products/?province=%C3", "/suppliers/?q=%ED%A0%80", "/suppliers/?%FF=1"]
NUL_IN_PATHS = ["/lists/%00/", "/suppliers/%00/", "/sandbox/%00/", "/sandbox/console/%00"]


def _refused_plainly(response):
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    assert "cannot read" in response.content.decode()


@pytest.mark.parametrize("path", NUL_IN_QUERIES + NOT_UTF8_IN_QUERIES)
def test_nul_and_bad_utf8_in_a_query_still_open_the_page(client, alice, path):
    client.force_login(alice)
    response = client.get(path)  # NUL dropped by the middleware; Django reads other bad bytes as U+FFFD
    assert response.status_code == 200
    assert response.wsgi_request.GET.urlencode().find("%00") == -1


def test_a_nul_in_a_query_is_dropped_not_searched_for(client, alice):
    from sourcing.catalog.models import Supplier

    Supplier.objects.create(open_id="b2b-1", company_name="义乌市好运日用品厂")
    client.force_login(alice)
    assert "义乌市好运日用品厂" in client.get("/suppliers/?q=%E4%B9%89%00%E4%B9%8C").content.decode()  # 义\x00乌


@pytest.mark.parametrize("path", NUL_IN_PATHS)
def test_a_nul_in_a_path_gets_a_plain_400(client, alice, path):
    client.force_login(alice)
    _refused_plainly(client.get(path))
    _refused_plainly(client.post(path))


FOLLOW_UPS = [
    "/products/fetch/?q=a%00b&province=%00",
    "/products/fetch/?q=%FF%FE&province=%C3&after=%00",
    "/products/fetch/?q=cup&sort=%00&min_years=1e999999&unknown=%FF,%00",
    "/products/612345678901/fetch/?job=%00",
    "/products/612345678901/refresh/?%FF=1",
    "/categories/1/fetch/?q=%00",
]


@pytest.mark.parametrize("path", FOLLOW_UPS)
def test_the_follow_up_posts_take_hostile_bytes_without_a_500(client, alice, path):
    client.force_login(alice)
    for headers in ({}, {"HX-Request": "true"}):
        assert client.post(path, {"step": "details\x00"}, headers=headers).status_code in (200, 302, 400, 404)
        assert client.post(path, headers=headers).status_code in (200, 302, 404)


def test_a_nul_in_a_follow_up_path_gets_a_plain_400(client, alice):
    client.force_login(alice)
    _refused_plainly(client.post("/products/%00/fetch/"))
    _refused_plainly(client.post("/categories/%00/fetch/"))


def test_the_sandbox_answers_without_a_500(client):
    client.raise_request_exception = False
    for path in ["/sandbox/oauth/authorize?client_id=%00&site=1688&redirect_uri=http://x/&state=s%00",
                 "/sandbox/oauth/authorize?client_id=%FF"]:  # fmt: skip
        assert client.get(path).status_code < 500
    for path in ["/sandbox/openapi/param2/1/com.alibaba.product/alibaba.product.get/%00",
                 "/sandbox/openapi/param2/1/x/y/1000000?access_token=%00"]:  # fmt: skip
        response = client.post(path)
        assert 400 <= response.status_code < 500
        assert response.json()["error_code"]
    response = client.post("/sandbox/openapi/param2/1/x/y/1000000", {"access_token": "a\x00b"})
    assert (response.status_code, response.json()["error_code"]) == (400, "400")


def test_a_form_with_nul_or_bad_utf8_is_refused_and_writes_nothing(client, alice):
    from sandbox.models import SandboxApp

    client.force_login(alice)
    _refused_plainly(client.post("/sandbox/console/", {"name": "bad\x00name", "qps": "5", "daily_quota": "10"}))
    assert not SandboxApp.objects.exists()
    _refused_plainly(client.post("/lists/", {"name": "Spring\x00range"}))
    _refused_plainly(client.post("/lists/", {"name\x00": "Spring range"}))
    raw = b"name=Spring%FF%FErange"
    _refused_plainly(client.post("/lists/", raw, content_type="application/x-www-form-urlencoded"))
    assert not ProductList.objects.exists()


def test_readable_text_still_passes(client, alice):
    client.force_login(alice)
    assert client.get("/suppliers/?q=%E6%B5%99%E6%B1%9F").status_code == 200  # 浙江
    assert client.get("/products/?province=%E6%B5%99%E6%B1%9F").status_code == 200
    assert client.get("/lists/%FF/").status_code == 404  # Django keeps such bytes of a path %-escaped
    response = client.post("/lists/", {"name": "春季 kitchen range ✓"})
    assert response.status_code == 302
    assert ProductList.objects.get().name == "春季 kitchen range ✓"


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "forged", [["1e999999", 1], ["-1e999999", 1], ["NaN", 1], ["4.5", 2**70], ["4.5", -(2**70)], ["99999", 1]]
)
def test_a_forged_supplier_cursor_gives_the_first_page(client, alice, forged):
    Supplier.objects.create(open_id="b2b-1", company_name="义乌市好运日用品厂", service_score="4.5")
    client.force_login(alice)
    response = client.get("/suppliers/", {"after": _cursor(forged)})
    assert response.status_code == 200
    assert "义乌市好运日用品厂" in response.content.decode()


@pytest.mark.parametrize(
    "forged",
    [["sales", [2**70, 1]], ["sales", [1, -(2**70)]], ["price", ["1e999999", 1]],
     ["newest", ["9999-12-31T23:59:59-14:00", 1]], ["newest", ["0001-01-01T00:00:00+14:00", 1]]],
)  # fmt: skip
def test_a_forged_search_cursor_gives_the_first_page(client, alice, forged):
    client.force_login(alice)
    sort = forged[0]
    response = client.get("/products/", {"sort": sort, "after": _cursor(forged)})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["sessionid", "csrftoken", "django_language"])
def test_a_cookie_with_nul_is_ignored(client, name):
    client.raise_request_exception = False
    client.cookies[name] = "abcdefgh\x00ijklmnop"  # the session table would be asked for this key
    assert client.get("/accounts/login/").status_code == 200
    assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code in (200, 403)
