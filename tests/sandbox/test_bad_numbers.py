"""Numbers the gateway cannot read get 1688's own gw.ParamError answer (HTTP 400), never a 500."""

import pytest
import requests

from sourcing.alibaba import errors, sign_request
from tests.conftest import SANDBOX_KEY, SANDBOX_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
CB = "com.alibaba.fenxiao.crossborder"
# Each bad value as JSON text: numbers Python's JSON reader takes (1e999 is infinity, NaN,
# Infinity) and the same values as strings.
BAD_VALUES = ["1e20", "1e999", "NaN", "Infinity", "-Infinity", '"²"', "9223372036854775808",
              '"1e20"', '"1e999"', '"NaN"', '"Infinity"', '"9223372036854775808"']  # fmt: skip
NUMBER_FIELDS = ["beginPage", "pageSize", "categoryId", "priceStart", "priceEnd"]


def query_text(field: str, value: str) -> str:
    fields = {"keyword": '"杯"', "beginPage": "1", "pageSize": "20", "country": '"en"', field: value}
    return "{" + ",".join(f'"{k}":{v}' for k, v in fields.items()) + "}"


def param_errors(call, values) -> list[str]:
    """For each value, what went wrong when the call did not end in gw.ParamError (empty when all did)."""
    problems = []
    for value in values:
        try:
            call(value)
            problems.append(f"{value}: answered")
        except errors.AlibabaError as error:
            if not isinstance(error, errors.ParamInvalid) or (error.code, error.http_status) != ("gw.ParamError", 400):
                problems.append(f"{value}: {type(error).__name__} {error}")
            elif error.retryable:
                problems.append(f"{value}: retryable")
    return problems


# One test per parameter (each needs a token), every bad value inside it.
@pytest.mark.parametrize("field", NUMBER_FIELDS)
def test_search_numbers(client_1688, tokens, field):
    def search(value):
        query = {"offerQueryParam": query_text(field, value)}
        client_1688.call(CB, "product.search.keywordQuery", query, access_token=tokens.access_token)

    assert param_errors(search, BAD_VALUES) == []


@pytest.mark.parametrize(
    ("namespace", "name", "param", "needs_token"),
    [
        ("com.alibaba.product", "alibaba.category.get", "categoryID", False),
        (CB, "category.translation.getById", "categoryId", True),
        ("com.alibaba.product", "alibaba.product.get", "productID", True),
    ],
)
def test_top_level_ids(client_1688, tokens, namespace, name, param, needs_token):
    def call(value):
        params = {param: value, "language": "en", "webSite": "1688"}
        client_1688.call(namespace, name, params, access_token=tokens.access_token if needs_token else None)

    assert param_errors(call, ["1e20", "²", "NaN", "9223372036854775808", "-9223372036854775809"]) == []


def test_detail_offer_id(client_1688, tokens):
    def detail(value):
        param = {"offerDetailParam": '{"offerId":' + value + ',"country":"en"}'}
        client_1688.call(CB, "product.search.queryProductDetail", param, access_token=tokens.access_token)

    assert param_errors(detail, ['"²"', "1e999", '"9223372036854775808"']) == []


def test_a_good_call_is_not_a_param_error(client_1688, tokens):
    # the check above can fail: a readable value answers
    assert param_errors(lambda v: client_1688.call(
        "com.alibaba.product", "alibaba.category.get", {"categoryID": v}), ["0"]) == ["0: answered"]  # fmt: skip


@pytest.mark.parametrize("version", ["²", "1e20", "99999999999999999999", "-1"])
def test_version_in_the_path(sandbox_app, gateway_url, version):
    path = f"param2/{version}/system/currentTime/{SANDBOX_KEY}"
    response = requests.post(
        f"{gateway_url}/{path}", data={"_aop_signature": sign_request(path, {}, SANDBOX_SECRET)}, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "gw.ParamError"
    assert errors.error_from_answer(response.status_code, response.json()).__class__ is errors.ParamInvalid


def test_good_numbers_still_work(client_1688, tokens, catalog):
    body = client_1688.call(CB, "product.search.keywordQuery", {"offerQueryParam": query_text("priceEnd", '"99.5"')},
                            access_token=tokens.access_token)  # fmt: skip
    assert body["result"]["success"] is True
    body = client_1688.call(CB, "product.search.keywordQuery", {"offerQueryParam": query_text("beginPage", "2.0")},
                            access_token=tokens.access_token)  # fmt: skip
    assert body["result"]["result"]["currentPage"] == 2
