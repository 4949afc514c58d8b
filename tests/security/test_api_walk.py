"""The API's URL walk: every /api/v1/ pattern, with Acme's ids in it, asked by every method as Globex (carol's token,
every scope) and with no token. Acme's objects answer 404 to Globex and 401 without a token; what Globex may list
(its own lists, alerts, orders; the shared catalog) shows none of Acme's data; nothing answers 500; no Acme row
changes."""

from tests.api.conftest import Api, make_token  # noqa: F401 - fixture
from tests.security.conftest import ACME_MARKERS
from tests.security.test_url_walk import _fingerprint, fill, url_patterns

PUBLIC = {"api_schema", "api_docs"}
SHARED = {"api_product", "api_supplier", "api_search", "api_search_fetch"}  # 1688's public catalog, every team's


def api_patterns():
    return [(key, route) for key, route, _p in url_patterns() if route.startswith("api/v1/")]


def test_the_walk_covers_every_api_endpoint():
    keys = {key for key, _route in api_patterns()}
    assert {"api_lists", "api_list", "api_items", "api_item", "api_quotes", "api_quote_run", "api_orders",
            "api_order", "api_order_submit", "api_alerts", "api_alert", "api_product", "api_supplier", "api_search",
            "api_search_fetch", "api_job", "api_schema", "api_docs"} <= keys  # fmt: skip


def test_another_teams_token_gets_404_and_no_token_401_on_every_api_url(acme_world, carol, globex, make_token):  # noqa: F811
    before = _fingerprint(acme_world)
    callers = {"globex": Api(make_token(carol, globex, ("read", "write", "order"))), "no token": Api(None)}
    problems = []
    for key, route in api_patterns():
        path, owned = fill(key, route, acme_world)
        for who, api in callers.items():
            for method in ("get", "post", "patch", "delete"):
                response = getattr(api, method)(path) if method in ("get", "delete") else getattr(api, method)(path, {})
                status = response.status_code
                body = response.content.decode(errors="replace")
                if status >= 500:
                    problems.append(f"{who} {method.upper()} {path}: {status}")
                    continue
                if key in PUBLIC:
                    continue
                if status not in (404, 405) and response["Content-Type"] != "application/json":
                    problems.append(f"{who} {method.upper()} {path}: {status} is not JSON")
                if who == "no token" and status not in (401, 404, 405):
                    problems.append(f"{who} {method.upper()} {path}: {status}, expected 401")
                elif who == "globex" and owned and key not in SHARED and status not in (404, 405):
                    problems.append(f"{who} {method.upper()} {path}: {status}, expected 404")
                leaked = [m for m in ACME_MARKERS if m in body and key not in SHARED]
                if leaked:
                    problems.append(f"{who} {method.upper()} {path}: shows {leaked}")
    assert problems == [], "\n".join(problems)
    assert _fingerprint(acme_world) == before
