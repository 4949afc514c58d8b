"""The sandbox accepts and rejects like the real gateway, and the client maps each answer."""

import json
import time

import pytest
import requests

from sourcing.alibaba import AlibabaClient, errors, sign_request
from tests.alibaba.test_signing import VECTORS_PATH
from tests.conftest import SANDBOX_KEY, SANDBOX_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def raw_call(gateway_url, url_path, params, secret=SANDBOX_SECRET, *, signature=None, method="post", query=None):
    """Sign and send exactly as given, outside our client; returns (status, json)."""
    signed = dict(params)
    signed["_aop_signature"] = signature or sign_request(url_path, {**params, **(query or {})}, secret)
    url = f"{gateway_url}/{url_path}"
    if method == "get":
        response = requests.get(url, params={**signed, **(query or {})}, timeout=10)
    else:
        response = requests.post(url, data=signed, params=query, timeout=10)
    return response.status_code, response.json()


def now_ms():
    return str(int(time.time() * 1000))


class TestSignatures:
    def test_official_example_shape_is_accepted_with_query_parameters(self, sandbox_app, gateway_url):
        # the official example: currentTime with b=2&a=1 in the query string, GET
        status, body = raw_call(
            gateway_url, f"param2/1/system/currentTime/{SANDBOX_KEY}", {}, method="get", query={"b": "2", "a": "1"}
        )
        assert status == 200
        assert body.endswith("+0800") and len(body) == 22

    def test_shared_vectors_pass_the_signature_check(self, sandbox_app, gateway_url):
        vectors = [v for v in json.loads(VECTORS_PATH.read_text())["vectors"] if v["url_path"].endswith("/1000000")]
        assert vectors, "the shared vectors include app 1000000"
        for v in vectors:
            # the vectors' timestamps are years old: a correct signature gets as far as the timestamp check
            status, body = raw_call(gateway_url, v["url_path"], v["params"], signature=v["signature"])
            assert body["error_message"].endswith("Request is expired."), body
            status, body = raw_call(gateway_url, v["url_path"], v["params"], signature="0" * 40)
            assert body["error_code"] == "gw.SignatureInvalid"

    def test_wrong_secret_is_refused_and_mapped(self, sandbox_app, gateway_url):
        client = AlibabaClient(SANDBOX_KEY, "not-the-secret", base_url=gateway_url)
        with pytest.raises(errors.SignatureInvalid) as caught:
            client.server_time()
        assert caught.value.code == "gw.SignatureInvalid"
        assert caught.value.http_status == 400
        assert not caught.value.retryable

    def test_tampered_parameter_is_refused(self, sandbox_app, gateway_url, catalog):
        path = f"param2/1/com.alibaba.product/alibaba.category.get/{SANDBOX_KEY}"
        params = {"categoryID": "0", "_aop_timestamp": now_ms()}
        signature = sign_request(path, params, SANDBOX_SECRET)
        assert raw_call(gateway_url, path, params, signature=signature)[0] == 200
        status, body = raw_call(gateway_url, path, {**params, "categoryID": "1001"}, signature=signature)
        assert (status, body["error_code"]) == (400, "gw.SignatureInvalid")

    def test_key_sorted_signature_is_refused_where_it_differs(self, sandbox_app, gateway_url, catalog):
        import hashlib
        import hmac

        path = f"param2/1/com.alibaba.product/alibaba.category.get/{SANDBOX_KEY}"
        params = {"categoryID": "0", "sort": "price", "sortType": "asc"}
        by_key = "".join(k + params[k] for k in sorted(params))
        key_sorted = hmac.new(SANDBOX_SECRET.encode(), (path + by_key).encode(), hashlib.sha1).hexdigest().upper()
        assert key_sorted != sign_request(path, params, SANDBOX_SECRET)
        assert raw_call(gateway_url, path, params, signature=key_sorted)[1]["error_code"] == "gw.SignatureInvalid"
        assert raw_call(gateway_url, path, params)[0] == 200

    def test_missing_signature(self, sandbox_app, gateway_url):
        response = requests.post(f"{gateway_url}/param2/1/system/currentTime/{SANDBOX_KEY}", data={}, timeout=10)
        assert response.json()["error_code"] == "gw.SignatureMissing"
        error = errors.error_from_answer(response.status_code, response.json())
        assert isinstance(error, errors.SignatureMissing)


class TestRequestChecks:
    def test_unknown_app_key(self, sandbox_app, gateway_url):
        client = AlibabaClient("999", "x", base_url=gateway_url)
        with pytest.raises(errors.AppKeyInvalid, match="Invalid appKey"):
            client.server_time()

    def test_app_key_missing_from_path(self, sandbox_app, gateway_url):
        response = requests.post(f"{gateway_url}/param2/1/system/currentTime", data={"appKey": SANDBOX_KEY}, timeout=10)
        assert isinstance(errors.error_from_answer(response.status_code, response.json()), errors.AppKeyMissing)

    def test_unknown_api(self, client_1688):
        with pytest.raises(errors.ApiUnsupported):
            client_1688.call("com.alibaba.product", "alibaba.no.such.api")

    def test_stale_timestamp_is_refused(self, sandbox_app, gateway_url):
        path = f"param2/1/system/currentTime/{SANDBOX_KEY}"
        stale = str(int(time.time() * 1000) - 16 * 60 * 1000)
        status, body = raw_call(gateway_url, path, {"_aop_timestamp": stale})
        assert status == 400
        assert isinstance(errors.error_from_answer(status, body), errors.TimestampInvalid)

    def test_client_with_a_wrong_clock_resyncs_and_succeeds(self, client_1688, catalog):
        client_1688.clock_offset_ms = -3600 * 1000  # our clock an hour behind the gateway's
        roots = __import__("sourcing.alibaba.api", fromlist=["x"]).category_get(client_1688, 0)
        assert len(roots[0].children) == 12
        assert abs(client_1688.clock_offset_ms) < 5000

    def test_required_timestamp(self, client_1688, tokens, catalog):
        with pytest.raises(errors.TimestampInvalid):
            client_1688.call(
                "com.alibaba.account",
                "loginid.openuid.encrypt",
                {"loginId": "x"},
                access_token=tokens.access_token,
                timestamp=False,
            )

    def test_ungranted_api_is_acl_declined(self, client_1688, sandbox_app, tokens):
        sandbox_app.grant_all = False
        sandbox_app.grants = ["com.alibaba.product:alibaba.category.get-1"]
        sandbox_app.save()
        from sourcing.alibaba import api

        with pytest.raises(errors.AclDeclined, match="not allowed"):
            api.keyword_search(client_1688, tokens.access_token, "杯子")

    def test_token_is_checked_before_acl(self, client_1688, sandbox_app):
        sandbox_app.grant_all = False
        sandbox_app.save()
        with pytest.raises(errors.TokenInvalid):
            client_1688.call("com.alibaba.fenxiao.crossborder", "product.search.keywordQuery", access_token="invented")

    def test_probe_without_parameters_proves_the_grant(self, client_1688, tokens):
        with pytest.raises(errors.ParamMissing, match="Required argument offerQueryParam"):
            client_1688.call(
                "com.alibaba.fenxiao.crossborder", "product.search.keywordQuery", access_token=tokens.access_token
            )

    def test_expired_token_is_401(self, client_1688, tokens):
        from django.utils import timezone

        from sandbox.models import SandboxAccessToken

        SandboxAccessToken.objects.update(expires_at=timezone.now())
        with pytest.raises(errors.TokenInvalid) as caught:
            client_1688.call("com.alibaba.account", "alibaba.account.basic", access_token=tokens.access_token)
        assert caught.value.http_status == 401
        assert caught.value.code == "401"

    def test_qps_limit_answers_frequency_error(self, client_1688, sandbox_app, catalog):
        sandbox_app.qps = 1
        sandbox_app.save()
        from sourcing.alibaba import api

        outcomes = []
        for _ in range(6):
            try:
                api.category_get(client_1688, 0)
                outcomes.append("ok")
            except errors.FrequencyLimited as error:
                outcomes.append(f"{error.code} retryable={error.retryable}")
        assert "gw.QosAppFrequencyLimit retryable=True" in outcomes
        assert "ok" in outcomes

    def test_daily_quota(self, client_1688, sandbox_app, catalog):
        sandbox_app.daily_quota = 3
        sandbox_app.save()
        from sourcing.alibaba import api

        for _ in range(3):
            api.category_get(client_1688, 0)
        with pytest.raises(errors.DailyQuotaExceeded):
            api.category_get(client_1688, 0)

    def test_business_failure_inside_http_200(self, client_1688, tokens, catalog):
        from sourcing.alibaba import api

        with pytest.raises(errors.BusinessError, match="不存在") as caught:
            api.product_detail(client_1688, tokens.access_token, "123")
        assert caught.value.http_status == 200


class TestFaults:
    @pytest.mark.parametrize(
        ("fault", "expected"),
        [
            ("fault_5xx", errors.ServerError),
            ("fault_malformed", errors.MalformedResponse),
            ("fault_truncated", errors.MalformedResponse),
            ("fault_frequency", errors.FrequencyLimited),
            ("fault_timeout", errors.GatewayTimeout),
        ],
    )
    def test_each_fault_is_a_transient_error(self, sandbox_app, gateway_url, catalog, tokens, fault, expected):
        from sourcing.alibaba import api

        setattr(sandbox_app, fault, 1.0)
        sandbox_app.timeout_delay = 1.5
        sandbox_app.save()
        client = AlibabaClient(SANDBOX_KEY, SANDBOX_SECRET, base_url=gateway_url, read_timeout=0.5)
        with pytest.raises(expected) as caught:
            api.keyword_search(client, tokens.access_token, "杯子")
        assert caught.value.retryable
        assert isinstance(caught.value, errors.TransientError)

    def test_connection_refused_is_transient(self):
        client = AlibabaClient(SANDBOX_KEY, SANDBOX_SECRET, base_url="http://127.0.0.1:9/openapi", connect_timeout=1)
        with pytest.raises(errors.ConnectionFailed) as caught:
            client.server_time()
        assert caught.value.retryable

    def test_latency_is_added(self, sandbox_app, client_1688, monkeypatch):
        # the live server runs in this process: record the gateway's sleeps instead of timing them
        # (bench/sandbox_latency.py measures the real delay)
        from sandbox import gateway

        slept = []
        monkeypatch.setattr(gateway.time, "sleep", slept.append)
        sandbox_app.latency_ms = 300
        sandbox_app.save()
        client_1688.server_time()
        assert slept == [0.3]
