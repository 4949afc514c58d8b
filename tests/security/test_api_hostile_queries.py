"""Hostile query strings on every API read Acme's token may make: a 4xx JSON error or a page, never a 500, and
nothing of Globex's."""

import pytest

from tests.api.conftest import Api, make_token  # noqa: F401 - fixture
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
HOSTILE = ["NaN", "Infinity", "-1", "0", "²", "1e400", "9" * 40, "x" * 10_000, "12\x00", "[]", '{"a":1}', "١٢",
           "%00", " ", "1.5", "0x10", "null", "true", "名" * 500]  # fmt: skip
PARAMS = ["after", "limit", "quantity", "q", "state", "archived", "page", "sort", "category", "price_min", "price_max",
          "moq_max", "province"]  # fmt: skip


def test_hostile_query_strings_never_500(alice, acme, make_token, kitchen, products):  # noqa: F811
    api = Api(make_token(alice, acme, ("read", "write", "order")))
    flask = products[0]
    paths = ["/api/v1/lists/", f"/api/v1/lists/{kitchen.pk}/items/", "/api/v1/orders/", "/api/v1/alerts/",
             "/api/v1/search/", f"/api/v1/products/{flask.offer_id}/", f"/api/v1/lists/{kitchen.pk}/quotes/"]  # fmt: skip
    problems = []
    for path in paths:
        for value in HOSTILE:
            response = api.get(path, {name: value for name in PARAMS})
            if response.status_code >= 500 or response["Content-Type"] != "application/json":
                problems.append(f"{path} {value[:20]!r}: {response.status_code}")
    assert problems == [], "\n".join(problems)
