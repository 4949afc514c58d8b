"""The OAuth flow of spec §5 against the sandbox, through the consent POST."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils import timezone

from sandbox.models import SandboxAccessToken, SandboxAuthCode, SandboxOffer, SandboxRefreshToken, digest
from sourcing.alibaba import api, errors, oauth
from tests.conftest import SANDBOX_KEY, SANDBOX_SECRET, code_from, consent

pytestmark = pytest.mark.django_db(transaction=True)


def test_consent_page_looks_like_1688(live_server, sandbox_app):
    url = oauth.authorize_url(
        app_key=SANDBOX_KEY,
        redirect_uri=sandbox_app.redirect_uri,
        state="s",
        base=f"{live_server.url}/sandbox/oauth/authorize",
    )
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert "授权" in page.text
    assert "login_id" in page.text


def test_full_dance_with_an_independent_http_client(live_server, sandbox_app, gateway_url):
    # given the user approves on the consent page
    response = consent(live_server, sandbox_app, login_id="深圳买家01", state="xyz-42")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == sandbox_app.redirect_uri
    assert query["state"] == ["xyz-42"]
    # when the code is exchanged with plain requests (spec §5.3 parameters)
    answer = requests.post(
        f"{gateway_url}/http/1/system.oauth2/getToken/{SANDBOX_KEY}",
        data={
            "grant_type": "authorization_code",
            "need_refresh_token": "true",
            "client_id": SANDBOX_KEY,
            "client_secret": SANDBOX_SECRET,
            "redirect_uri": sandbox_app.redirect_uri,
            "code": query["code"][0],
        },
        timeout=10,
    )
    body = answer.json()
    # then the answer has the §5.3 shape, numbers as strings, and the token works on an authorized API
    assert answer.status_code == 200
    assert set(body) >= {
        "access_token",
        "refresh_token",
        "expires_in",
        "refresh_token_timeout",
        "resource_owner",
        "memberId",
        "aliId",
    }
    assert body["expires_in"] == "36000"
    assert body["resource_owner"] == "深圳买家01"
    assert body["memberId"].startswith("b2b-")
    assert len(body["refresh_token_timeout"]) == 22 and body["refresh_token_timeout"].endswith("+0800")
    from sourcing.alibaba import AlibabaClient

    client = AlibabaClient(SANDBOX_KEY, SANDBOX_SECRET, base_url=gateway_url)
    me = client.call("com.alibaba.account", "alibaba.account.basic", access_token=body["access_token"])
    assert me["result"]["loginId"] == "深圳买家01"


def test_token_set_has_absolute_expiries(tokens):
    now = timezone.now()
    assert timedelta(hours=9, minutes=59) < tokens.access_expires_at - now <= timedelta(hours=10)
    assert timedelta(days=179) < tokens.refresh_expires_at - now <= timedelta(days=180)
    assert tokens.resource_owner == "采购测试账号"
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)


def test_deny_redirects_with_access_denied(live_server, sandbox_app):
    response = consent(live_server, sandbox_app, decision="deny", state="s9")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["s9"]}


def test_foreign_redirect_uri_is_refused_without_redirect(live_server, sandbox_app):
    response = consent(live_server, sandbox_app, redirect_uri="https://evil.example.com/steal")
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "非法请求" in response.text
    assert not SandboxAuthCode.objects.exists()


def test_missing_redirect_uri_is_explained(live_server, sandbox_app):
    page = requests.get(f"{live_server.url}/sandbox/oauth/authorize", params={"client_id": SANDBOX_KEY}, timeout=10)
    assert page.status_code == 400
    assert "缺少必要参数" in page.text


def test_code_is_single_use(live_server, sandbox_app, client_1688):
    code = code_from(consent(live_server, sandbox_app))
    oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri)
    with pytest.raises(errors.InvalidGrant):
        oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri)


def test_late_code_is_refused(live_server, sandbox_app, client_1688):
    code = code_from(consent(live_server, sandbox_app))
    SandboxAuthCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(errors.InvalidGrant) as caught:
        oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri)
    assert caught.value.http_status == 400
    assert code not in str(caught.value)


def test_wrong_secret_at_exchange_is_invalid_client(live_server, sandbox_app, gateway_url):
    from sourcing.alibaba import AlibabaClient

    code = code_from(consent(live_server, sandbox_app))
    wrong = AlibabaClient(SANDBOX_KEY, "wrong-secret", base_url=gateway_url)
    with pytest.raises(errors.InvalidClient):
        oauth.exchange_code(wrong, code=code, redirect_uri=sandbox_app.redirect_uri)


def test_refresh_gives_a_new_working_access_token(client_1688, tokens, catalog):
    refreshed = oauth.refresh(client_1688, refresh_token=tokens.refresh_token)
    assert refreshed.access_token != tokens.access_token
    # the sandbox issued exactly this token (it keeps digests only), the old one still stands beside it
    assert sorted(SandboxAccessToken.objects.values_list("token_digest", flat=True)) == sorted(
        [digest(tokens.access_token), digest(refreshed.access_token)]
    )
    assert refreshed.refresh_token is None  # 1688 keeps the refresh token
    word = SandboxOffer.objects.order_by("offer_id").first().category.name
    page = api.keyword_search(client_1688, refreshed.access_token, word)
    assert page.total == SandboxOffer.objects.filter(subject__contains=word).count() > 0


def test_refresh_accepts_the_sdk_spelling(client_1688, tokens, gateway_url):
    answer = requests.post(
        f"{gateway_url}/param2/1/system.oauth2/getToken/{SANDBOX_KEY}",
        data={
            "grant_type": "refresh_token",
            "client_id": SANDBOX_KEY,
            "client_secret": SANDBOX_SECRET,
            "refreshToken": tokens.refresh_token,
        },
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["expires_in"] == "36000"


def test_postpone_outside_the_last_30_days_is_refused(client_1688, tokens):
    with pytest.raises(errors.PostponeNotAllowed):
        oauth.postpone(client_1688, refresh_token=tokens.refresh_token, access_token=tokens.access_token)


def test_postpone_inside_the_window_replaces_the_refresh_token(client_1688, tokens):
    SandboxRefreshToken.objects.update(expires_at=timezone.now() + timedelta(days=10))
    postponed = oauth.postpone(client_1688, refresh_token=tokens.refresh_token, access_token=tokens.access_token)
    assert postponed.refresh_token != tokens.refresh_token
    assert postponed.refresh_expires_at - timezone.now() > timedelta(days=179)
    with pytest.raises(errors.InvalidGrant):  # the old refresh token is gone
        oauth.refresh(client_1688, refresh_token=tokens.refresh_token)
    assert oauth.refresh(client_1688, refresh_token=postponed.refresh_token).access_token


def test_no_secret_or_token_in_logs(live_server, sandbox_app, client_1688, catalog, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    code = code_from(consent(live_server, sandbox_app))
    tokens = oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri)
    api.keyword_search(client_1688, tokens.access_token, "饼干")
    with pytest.raises(errors.InvalidGrant):
        oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri)
    wrong = type(client_1688)(SANDBOX_KEY, "wrong-secret", base_url=client_1688.base_url)
    with pytest.raises(errors.SignatureInvalid) as caught:
        wrong.server_time()
    text = caplog.text + repr(client_1688) + str(caught.value) + repr(caught.value)
    assert "1688 system:currentTime-1 failed" in caplog.text  # the client does log failures
    for secret in (SANDBOX_SECRET, "wrong-secret", code, tokens.access_token, tokens.refresh_token):
        assert secret not in text
