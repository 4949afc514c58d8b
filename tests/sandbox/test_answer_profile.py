"""The sandbox's answer profiles over HTTP: sparse by default, full per app or by setting, chosen by command."""

import json

import pytest
import requests
from django.core.management import call_command

from sandbox.models import SandboxApp
from sourcing.alibaba.signing import sign_request

SEARCH = ("com.alibaba.fenxiao.crossborder", "product.search.keywordQuery")


def _items(client_1688, tokens) -> list[dict]:
    param = {"keyword": "杯", "beginPage": 1, "pageSize": 50, "country": "en"}
    body = client_1688.call(*SEARCH, {"offerQueryParam": json.dumps(param)}, access_token=tokens.access_token)
    return body["result"]["result"]["data"]


def test_sparse_by_default_and_full_when_the_app_says_so(settings, client_1688, tokens, catalog, sandbox_app):
    # given the default setting: some items lack the MOQ, some send numbers as strings, the same way every time
    assert settings.SANDBOX_ANSWER_PROFILE == "sparse"
    first = _items(client_1688, tokens)
    assert first == _items(client_1688, tokens)
    assert 0 < sum(i.get("minOrderQuantity") is None for i in first) < len(first)
    assert any(isinstance(i.get("monthSold"), str) for i in first)
    # when the app asks for full answers, every item has every field, numbers as numbers
    sandbox_app.answer_profile = "full"
    sandbox_app.save()
    full = _items(client_1688, tokens)
    assert all(isinstance(i["minOrderQuantity"], int) and i["promotionURL"] and i["sellerDataInfo"] for i in full)
    # and an app that leaves it to the setting follows a "full" setting too
    sandbox_app.answer_profile = ""
    sandbox_app.save()
    settings.SANDBOX_ANSWER_PROFILE = "full"
    assert _items(client_1688, tokens) == full


def test_profile_and_no_usage_fault_from_the_command(transactional_db):
    call_command("sandbox_app", "--app-key", "2000000", "--app-secret", "s3cret", "--answer-profile", "full",
                 "--fault-no-usage", "1")  # fmt: skip
    app = SandboxApp.objects.get(app_key="2000000")
    assert (app.answer_profile, app.fault_no_usage, app.sparse) == ("full", 1.0, False)
    call_command("sandbox_app", "--app-key", "2000000", "--answer-profile", "default")
    app.refresh_from_db()
    assert app.answer_profile == "" and app.sparse


@pytest.mark.django_db(transaction=True)
def test_no_usage_fault_answers_like_live_1688(client_1688, tokens, sandbox_app):
    sandbox_app.fault_no_usage = 1
    sandbox_app.save()
    url = f"{client_1688.base_url}/{client_1688.url_path(*SEARCH)}"
    form = {"offerQueryParam": "{}", "access_token": tokens.access_token}
    form["_aop_signature"] = sign_request(client_1688.url_path(*SEARCH), form, "test123")
    answer = requests.post(url, data=form, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "gw.NoUsageLeftError"
    assert answer.json()["error_message"] == "SLA bill has no usage left"
