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


def assert_param_error(caught):
    assert isinstance(caught.value, errors.ParamInvalid)
    assert (caught.value.code, caught.value.http_status) == ("gw.ParamError", 400)
    assert not caught.value.retryable


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("field", NUMBER_FIELDS)
def test_search_numbers(client_1688, tokens, field, value):
    with pytest.raises(errors.AlibabaError) as caught:
        client_1688.call(CB, "product.search.keywordQuery", {"offerQueryParam": query_text(field, value)},
                         access_token=tokens.access_token)  # fmt: skip
    assert_param_error(caught)
    assert field in caught.value.message


@pytest.mark.parametrize("value", ["1e20", "²", "NaN", "9223372036854775808", "-9223372036854775809"])
@pytest.mark.parametrize(
    ("namespace", "name", "param", "needs_token"),
    [
        ("com.alibaba.product", "alibaba.category.get", "categoryID", False),
        (CB, "category.translation.getById", "categoryId", True),
        ("com.alibaba.product", "alibaba.product.get", "productID", True),
    ],
)
def test_top_level_ids(client_1688, tokens, namespace, name, param, needs_token, value):
    params = {param: value, "language": "en", "webSite": "1688"}
    with pytest.raises(errors.AlibabaError) as caught:
        client_1688.call(namespace, name, params, access_token=tokens.access_token if needs_token else None)
    assert_param_error(caught)


@pytest.mark.parametrize("value", ['"²"', "1e999", '"9223372036854775808"'])
def test_detail_offer_id(client_1688, tokens, value):
    with pytest.raises(errors.AlibabaError) as caught:
        client_1688.call(CB, "product.search.queryProductDetail",
                         {"offerDetailParam": '{"offerId":' + value + ',"country":"en"}'},
                         access_token=tokens.access_token)  # fmt: skip
    assert_param_error(caught)


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
