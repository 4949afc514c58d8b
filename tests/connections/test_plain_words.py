"""Errors in plain words, hints only for who can act on them, confirmations, and the small pages."""

import re
from urllib.parse import quote, urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from sourcing.accounts.models import Membership, User
from sourcing.alibaba import errors
from sourcing.connections.explain import explain, explain_error, kind_of, strip_java
from sourcing.connections.models import ApiCallLog, AppCredential, ConnectionCheck, OAuthToken
from sourcing.connections.services.gateway import FeatureDisabled, NoCredential, NotConnected
from sourcing.connections.services.permissions import connection_check_run
from sourcing.connections.services.tokens import callback_url
from tests.portal_fixtures import connect_through_pages

JAVA_MESSAGE = (
    "com.alibaba.openapi.gateway.exception.RequestValidateException: Invalid appKey, unsport appKey: 40001688"
)
JAVA_NAMES = re.compile(r"RequestValidateException|com\.alibaba\.openapi|java\.lang|Exception:")
pytestmark = pytest.mark.django_db(transaction=True)
GENERIC = {explain("no.such.code").title, explain("").title}


def _all_error_classes():
    """Every error the client and the portal raise, except the two generic ones."""
    found, todo = [], [errors.AlibabaError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__name__ not in ("AlibabaError", "UnknownGatewayError")]


# --- the explain helper ---------------------------------------------------------------------


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_has_its_own_plain_explanation(cls):
    if cls.__module__ in ("sourcing.connections.services.usage", "sourcing.connections.services.budgets"):
        return  # QuotaExhausted and BudgetExhausted need a credential; covered by their codes below
    error = cls("raw words")
    explanation = explain_error(error, app_key="40001688")
    assert explanation.title not in GENERIC, cls
    assert explanation.advice


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        *[(code, "", cls.__name__) for code, cls in errors.CODE_CLASSES.items()],
        *[("400", f"xx {needle} yy", cls.__name__) for needle, cls in errors.LEGACY_400_TEXTS],
        *[(code, "", cls.__name__) for code, cls in errors.OAUTH_ERRORS.items()],
        ("invalid_grant", "refresh token can only postpone in its last 30 days", "PostponeNotAllowed"),
        ("gw.QosAppFrequencyLimit", "App call exceeds limited frequency", "FrequencyLimited"),
        ("gw.QosAppDailyLimit", "App call exceeds the daily quota", "DailyQuotaExceeded"),
        ("local.QuotaExhausted", "daily quota used up", "QuotaExhausted"),
        ("local.BudgetExhausted", "daily budget of team:3 used up", "BudgetExhausted"),
        ("local.FeatureDisabled", "", "FeatureDisabled"),
        ("local.RateLimitWait", "", "RateLimitWait"),
        ("local.TokenBusy", "", "TokenBusy"),
        *[(name, "", name) for name in ("GatewayTimeout", "ConnectionFailed", "ServerError", "MalformedResponse")],
    ],
)
def test_every_stored_code_reads_like_the_error_it_came_from(code, message, kind):
    assert kind_of(code, message) == kind
    explanation = explain(code, message, app_key="40001688", api="com.alibaba.product:alibaba.category.get-1")
    assert explanation.title not in GENERIC
    assert explanation.advice
    assert explanation.code == code


def test_unknown_app_key_is_explained_with_the_key_and_what_to_do():
    error = errors.error_from_answer(400, {"error_code": "400", "error_message": JAVA_MESSAGE}, "system:currentTime-1")
    explanation = explain_error(error, app_key="40001688")
    assert explanation.sentence.startswith("1688 does not know App Key 40001688. ")
    assert "应用凭证" in explanation.advice
    assert not JAVA_NAMES.search(explanation.sentence + explanation.detail)
    assert explanation.detail == "Invalid appKey, unsport appKey: 40001688"


def test_java_class_names_and_stack_frames_are_stripped_but_api_ids_stay():
    text = (
        "java.lang.IllegalStateException: boom at com.alibaba.ocean.rawsdk.Client.call(Client.java:12) "
        "Caused by: com.alibaba.ocean.rawsdk.runtime.RequestValidateException: bad "
        "com.alibaba.product:alibaba.category.get-1 gw.APIACLDecline"
    )
    assert strip_java(text) == "boom bad com.alibaba.product:alibaba.category.get-1 gw.APIACLDecline"


def test_a_wrapped_error_is_explained_by_its_cause():
    def connect():
        try:
            raise errors.InvalidClient("bad", code="invalid_client")
        except errors.AlibabaError:
            raise ValueError("connect failed") from None

    with pytest.raises(ValueError) as caught:
        connect()
    assert explain_error(caught.value, app_key="1").title == "1688 rejected App Key 1 or its App Secret"


def test_portal_refusals_are_explained():
    assert "Connect 1688 account" in explain_error(NotConnected()).advice
    assert "Connections page" in explain_error(NoCredential()).advice
    refused = FeatureDisabled("x", code="local.FeatureDisabled", api="com.alibaba.product:alibaba.product.get-1")
    assert (
        explain_error(refused).title
        == "The portal did not call alibaba.product.get: 1688 has not granted it to this app"
    )


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def unknown_key_credential(alice, portal_sandbox):
    """A credential whose App Key the sandbox gateway does not know (a typo in the wizard)."""
    credential = AppCredential(owner=alice, name="Typo app", app_key="40001688", gateway=AppCredential.Gateway.SANDBOX)
    credential.app_secret = "some-secret-123"
    credential.save()
    return credential


def test_test_connection_and_recent_errors_say_1688_does_not_know_the_app_key(client, alice, unknown_key_credential):
    # given a credential with an App Key 1688 does not know
    check = ConnectionCheck.objects.create(credential=unknown_key_credential, requested_by=alice)
    # when the connection test runs
    connection_check_run(check=check)
    # then the failed step says so in plain words, without the gateway's Java exception
    check.refresh_from_db()
    step = check.steps[0]
    assert step["name"] == "Reach the gateway" and not step["ok"]
    assert step["detail"].startswith("1688 does not know App Key 40001688. ")
    assert not JAVA_NAMES.search(step["detail"])
    assert ApiCallLog.objects.filter(credential=unknown_key_credential, message__contains="RequestValidate").exists()
    client.force_login(alice)
    for url in ("/api-status/", f"/connections/{unknown_key_credential.pk}/"):
        page = client.get(url).content.decode()
        assert "1688 does not know App Key 40001688" in page, url
        assert not JAVA_NAMES.search(page), url


def test_token_error_is_shown_in_plain_words(client, connected):
    OAuthToken.objects.update(status=OAuthToken.Status.NEEDS_REAUTH, last_error=f"400: {JAVA_MESSAGE} [x:y-1]")
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    assert "1688 does not know App Key" in page
    assert not JAVA_NAMES.search(page)


def test_denied_consent_while_connected_says_the_old_connection_still_works(client, connected):
    # given alice is connected as acme采购01, when she tries again and declines on 1688's consent page
    page = connect_through_pages(client, connected, login_id="other", decision="deny").content.decode()
    # then she reads that nothing changed and the old connection still works
    assert "still works" in page
    assert "acme采购01" in page
    assert OAuthToken.objects.get(credential=connected).resource_owner == "acme采购01"


def test_denied_consent_without_a_connection_says_how_to_try_again(client, alice, alice_credential):
    client.force_login(alice)
    page = connect_through_pages(client, alice_credential, decision="deny").content.decode()
    assert "declined the authorisation" in page
    assert "still works" not in page


def _share_with_acme(credential):
    credential.shared_with_team = Membership.objects.get(user=credential.owner).team
    credential.save()


def test_buyers_see_no_hints_they_cannot_act_on(client, connected, bob):
    _share_with_acme(connected)
    owner_page = client.get("/api-status/").content.decode()
    assert "Manage this credential" in owner_page
    assert "Switch the credential's gateway" in owner_page
    client.force_login(bob)
    page = client.get("/api-status/").content.decode()
    assert "shared with Acme Sourcing by alice" in page
    assert "Manage this credential" not in page
    assert "Switch the credential" not in page
    assert "See this credential" in page
    home = client.get("/").content.decode()
    assert "Members and invitations" not in home


def test_buyer_is_asked_to_get_the_owner_to_reconnect(client, connected, bob):
    _share_with_acme(connected)
    OAuthToken.objects.update(status=OAuthToken.Status.NEEDS_REAUTH, last_error="invalid_grant: used [x:y-1]")
    client.force_login(bob)
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    assert "Ask alice, who owns this credential, to connect it again." in page
    assert "Click “Connect 1688 account” to authorise again." not in page


def test_disconnect_asks_first_and_names_the_teammates_who_use_the_credential(client, connected, bob):
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    assert "No teammate uses this credential." in page
    _share_with_acme(connected)
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    confirm = re.search(r'<details class="confirm" id="disconnect">(.*?)</details>', page, re.S).group(1)
    assert "Yes, disconnect" in confirm
    assert "<strong>bob</strong>" in confirm
    assert "alice</strong>" not in confirm  # the owner is not listed as a teammate
    client.post(f"/connections/{connected.pk}/disconnect/")
    assert not OAuthToken.objects.exists()


def test_times_carry_their_zone(client, connected):
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    expires = timezone.localtime(OAuthToken.objects.get().access_expires_at)
    assert f"{expires:%Y-%m-%d %H:%M} CST (Beijing)" in page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d CST \(Beijing\)", client.get("/api-status/").content.decode())


def test_get_on_a_form_address_shows_a_friendly_405(client, connected):
    response = client.get(f"/connections/{connected.pk}/verify/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    body = response.content.decode()
    assert "only accepts a form submission" in body
    assert f'href="/connections/{connected.pk}/"' in body
    assert "<nav" in body  # the site's own page, not a blank one
    assert client.get("/api-status/check/", HTTP_REFERER="http://testserver/api-status/").status_code == 405


def test_favicon(client, alice):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path.endswith("favicon.ico")
    client.force_login(alice)
    assert 'rel="icon"' in client.get("/").content.decode()


def test_password_reset_pages_are_the_portals_and_the_link_works(client, alice):
    login = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in login and "Forgot your password?" in login
    form = client.get("/accounts/password_reset/").content.decode()
    assert "Sourcing Portal" in form and "Send the link" in form
    done = client.post("/accounts/password_reset/", {"email": "alice@example.com"}, follow=True)
    assert "Check your e-mail" in done.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Choose a new password for the Sourcing Portal"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)
    confirm = client.get(link, follow=True)
    assert "Choose a new password" in confirm.content.decode()
    complete = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"},
        follow=True,
    )
    assert "Your new password is set" in complete.content.decode()
    assert User.objects.get(username="alice").check_password("a-new-long-pass-42")
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_wizard_links_the_sandbox_console_and_prefills_the_callback(client, alice, settings):
    client.force_login(alice)
    settings.SANDBOX_ENABLED = True
    page = client.get("/connections/new/").content.decode()
    assert f'href="/sandbox/console/?callback={quote(callback_url(), safe="")}"' in page
    assert f'name="callback_url" value="{callback_url()}"' in page
    settings.SANDBOX_ENABLED = False
    page = client.get("/connections/new/").content.decode()
    assert "/sandbox/console/" not in page
    assert f'name="callback_url" value="{callback_url()}"' in page


def test_a_404_is_a_plain_page_not_django_s_url_list(client, carol, settings):
    # in development too: Django's technical 404 lists every URL pattern of the site
    settings.DEBUG = True
    client.force_login(carol)
    response = client.get("/connections/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Nothing here for you" in page and "belongs to another team" in page
    assert "URLconf" not in page and "DEBUG = True" not in page
