"""Issue 7's credential defects, each with a test that failed before its fix.

Admin escalation, shares after the owner leaves, someone else's App Key, gateway calls kept out of web
requests, who may spend quota, quota spent on unsent calls, the token lease, retries, one write path,
permission counts and the one permission state per API.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from sandbox.models import SandboxApp, SandboxUsage
from sourcing import tasks
from sourcing.accounts.models import Invitation, Membership, Team, User
from sourcing.accounts.services import teams as team_services
from sourcing.alibaba import api, errors
from sourcing.connections.models import (
    ApiCallLog,
    ApiPermission,
    ApiUsage,
    AppCredential,
    ConnectionCheck,
    OAuthToken,
    SecretAudit,
)
from sourcing.connections.services import permissions as permission_services
from sourcing.connections.services import tokens as token_services
from sourcing.connections.services.credentials import CredentialError, credential_create, secret_reveal
from sourcing.connections.services.gateway import NotVerified, gateway_call
from sourcing.connections.services.ratelimit import RateLimitWait, rate_acquire
from tests.portal_fixtures import APP_KEY, APP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _search(credential):
    return gateway_call(credential=credential, fn=lambda c, t: api.keyword_search(c, t, "杯"))


def _staff(username, team, role=Membership.Role.OWNER):
    """A staff user who is not a superuser, with every portal admin permission."""
    user = User.objects.create_user(username, f"{username}@example.com", "sourcing-demo", is_staff=True)
    Membership.objects.create(user=user, team=team, role=role)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="sourcing"))
    return user


# --- 1. admin escalation ---


def test_staff_cannot_see_or_join_another_team_in_the_admin(client, alice, acme, globex):
    dave = _staff("dave", globex)
    client.force_login(dave)
    teams = client.get("/admin/sourcing/team/").content.decode()
    assert "Globex Trading" in teams and "Acme Sourcing" not in teams
    assert "alice" not in client.get("/admin/sourcing/user/").content.decode()
    assert client.get(f"/admin/sourcing/team/{acme.pk}/change/").status_code == 302  # "doesn't exist"
    # the membership inline of his own team can't make him (or anyone) owner of anything
    response = client.post(f"/admin/sourcing/team/{globex.pk}/change/", {
        "name": "Globex Trading", "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-0-user": alice.pk, "memberships-0-role": "owner",
    })  # fmt: skip
    assert response.status_code == 403
    assert not Membership.objects.filter(user=alice, team=globex).exists()
    # nor raise himself to superuser
    response = client.post(f"/admin/sourcing/user/{dave.pk}/change/", {"username": "dave", "is_superuser": "on"})
    assert response.status_code == 403
    dave.refresh_from_db()
    assert not dave.is_superuser


def test_staff_cannot_take_a_teammates_credential(client, connected, acme, alice):
    eve = _staff("eve", acme, Membership.Role.ADMIN)
    client.force_login(eve)
    page = client.get(f"/admin/sourcing/appcredential/{connected.pk}/change/")
    assert page.status_code == 200  # she may look at it
    assert 'name="owner"' not in page.content.decode()  # but not hand it to anyone
    response = client.post(f"/admin/sourcing/appcredential/{connected.pk}/change/", {"owner": eve.pk, "name": "x"})
    assert response.status_code == 403
    assert AppCredential.objects.get(pk=connected.pk).owner == alice
    with pytest.raises(CredentialError):  # Reveal is for the owner only, whatever the caller
        secret_reveal(credential=connected, user=eve, password="sourcing-demo", ip=None)
    assert client.post(f"/connections/{connected.pk}/reveal/", {"password": "sourcing-demo"}).status_code == 404


def test_a_superuser_hands_over_a_credential_only_with_its_secret(client, connected, alice, bob):
    client.force_login(alice)
    form = {
        "owner": bob.pk, "shared_with_team": "", "name": "Acme app", "account_type": "business",
        "callback_url": "", "gateway": "sandbox", "daily_quota": "1000", "qps": "100", "status": "active",
        "token-TOTAL_FORMS": "1", "token-INITIAL_FORMS": "1", "token-MIN_NUM_FORMS": "0", "token-MAX_NUM_FORMS": "0",
        "token-0-id": OAuthToken.objects.get().pk, "token-0-credential": connected.pk,
    }  # fmt: skip
    response = client.post(f"/admin/sourcing/appcredential/{connected.pk}/change/", form)
    assert response.status_code == 200
    assert "current App Secret to change its owner" in response.content.decode()
    assert AppCredential.objects.get(pk=connected.pk).owner == alice
    response = client.post(
        f"/admin/sourcing/appcredential/{connected.pk}/change/", {**form, "current_app_secret": APP_SECRET}
    )
    assert response.status_code == 302
    assert AppCredential.objects.get(pk=connected.pk).owner == bob
    audit = SecretAudit.objects.get(action="owner")
    assert (audit.user, audit.detail) == (alice, "alice → bob")


# --- 2. shares end with the owner's membership ---


def test_a_share_needs_its_owner_in_the_shared_team(client, alice_credential, alice, bob, acme, carol, globex):
    # given alice and carol both in Globex, and carol also in Initech
    initech = Team.objects.create(name="Initech")
    Membership.objects.create(user=alice, team=globex, role="buyer")
    Membership.objects.create(user=carol, team=initech, role="buyer")
    # when alice's credential is shared with Initech, a team alice is not in
    AppCredential.objects.filter(pk=alice_credential.pk).update(shared_with_team=initech)
    client.force_login(carol)
    # then carol (in Initech) does not see it, though its owner is her teammate elsewhere
    assert client.get(f"/connections/{alice_credential.pk}/").status_code == 404
    assert APP_KEY not in client.get("/connections/").content.decode()


def test_leaving_the_team_ends_the_share(client, alice_credential, alice, bob, acme):
    alice_credential.shared_with_team = acme
    alice_credential.save()
    client.force_login(bob)
    assert client.get(f"/connections/{alice_credential.pk}/").status_code == 200
    # when alice hands ownership of Acme to bob and leaves it
    owner = Membership.objects.get(user=alice, team=acme)
    bob_membership = Membership.objects.get(user=bob, team=acme)
    team_services.membership_set_role(actor=owner, membership=bob_membership, role="owner")
    team_services.membership_remove(actor=owner, membership=owner)
    # then the share ends: bob no longer sees or uses her credential
    assert AppCredential.objects.get(pk=alice_credential.pk).shared_with_team is None
    assert client.get(f"/connections/{alice_credential.pk}/").status_code == 404


# --- 3. someone else's App Key ---


def test_a_wrong_secret_for_someone_elses_app_key_touches_nothing_of_theirs(connected, carol, settings):
    # given mallory (carol) registers alice's App Key with a wrong secret
    before = dict(ApiUsage.objects.filter(app=connected.app_identity).values_list("api", "calls"))
    impostor = credential_create(owner=carol, app_key=APP_KEY, app_secret="guessed-secret", name="Not mine",
                                 daily_quota=1000, qps=1)  # fmt: skip
    impostor.refresh_from_db()
    # then 1688 refuses the secret, in plain words, and the credential stays unverified
    assert not impostor.is_verified
    assert f"does not belong to App Key {APP_KEY}" in impostor.verify_error
    assert ConnectionCheck.objects.get(credential=impostor).state == "failed"
    # and even with a 1688 account connected it makes no business call at all, so the real app's quota and
    # rate slot are untouched
    token_services.token_store(credential=impostor, tokens=_tokens_like(connected), user=carol)
    with pytest.raises(NotVerified):
        _search(impostor)
    assert impostor.app_identity != connected.app_identity
    assert dict(ApiUsage.objects.filter(app=connected.app_identity).values_list("api", "calls")) == before
    settings.ALIBABA_RATE_WAIT = 0.0
    for _ in range(3):  # the impostor's qps of 1 never delays the real app
        rate_acquire(key=f"app:{impostor.app_identity}", qps=1, max_wait=5)
    assert rate_acquire(key=f"app:{connected.app_identity}", qps=1000) < 0.01


def test_two_credentials_of_one_app_share_one_budget(connected, bob):
    # given bob registers the same app with the right secret
    twin = credential_create(
        owner=bob, app_key=APP_KEY, app_secret=APP_SECRET, name="Same app", daily_quota=1000, qps=100
    )  # the same app: the same calls per second at 1688
    twin.refresh_from_db()
    assert twin.is_verified and twin.app_identity == connected.app_identity
    token_services.token_store(credential=twin, tokens=_tokens_like(connected), user=bob)
    calls = ApiUsage.objects.get(app=connected.app_identity, api=api.KEYWORD_SEARCH.id).calls
    _search(connected)
    _search(twin)
    assert ApiUsage.objects.get(app=connected.app_identity, api=api.KEYWORD_SEARCH.id).calls == calls + 2


def _tokens_like(credential):
    from sourcing.alibaba.oauth import TokenSet

    token = OAuthToken.objects.get(credential=credential)
    return TokenSet(access_token=token.access_token, refresh_token=token.refresh_token,
                    access_expires_at=token.access_expires_at, refresh_expires_at=token.refresh_expires_at,
                    resource_owner=token.resource_owner, member_id=token.member_id, ali_id=token.ali_id)  # fmt: skip


# --- 4. gateway calls run in workers ---


@pytest.fixture
def queued_checks(monkeypatch):
    """Check ids sent to the broker, held back instead of run at once by the eager test setup."""
    from sourcing import tasks

    queued = []
    monkeypatch.setattr(tasks.check_run, "delay_on_commit", queued.append)
    return queued


def test_reset_secret_queues_a_check_and_the_page_makes_no_gateway_call(client, connected, portal_sandbox,
                                                                        queued_checks):  # fmt: skip
    portal_sandbox.app_secret = "reset-at-1688-99"
    portal_sandbox.save()
    received = SandboxUsage.objects.get().calls
    calls = ApiCallLog.objects.count()
    response = client.post(f"/connections/{connected.pk}/reset-secret/", {"new_secret": "reset-at-1688-99"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    # then the page answers at once with a progress panel; nothing was sent to 1688 during the request
    assert response.status_code == 200
    assert "hx-get" in response.content.decode() and "New secret check" in response.content.decode()
    assert (SandboxUsage.objects.get().calls, ApiCallLog.objects.count()) == (received, calls)
    check = ConnectionCheck.objects.get(kind="secret")
    assert "reset-at-1688-99" not in check.candidate_secret_encrypted  # encrypted while it waits
    assert AppCredential.objects.get(pk=connected.pk).app_secret == APP_SECRET
    # when the worker runs the queued task, then the new secret replaces the old
    assert queued_checks == [check.pk]
    tasks.check_run(check.pk)
    check.refresh_from_db()
    assert check.state == "passed" and check.candidate_secret_encrypted == ""
    assert AppCredential.objects.get(pk=connected.pk).app_secret == "reset-at-1688-99"
    progress = client.get(f"/api-status/check/{check.pk}/").content.decode()
    assert "1688 accepted the new secret" in progress


def test_saving_a_credential_with_an_unknown_app_key_says_so(client, alice, portal_sandbox):
    client.force_login(alice)
    response = client.post("/connections/new/", {
        "name": "Typo", "app_key": "40001688", "app_secret": "whatever-secret", "account_type": "business",
        "gateway": "sandbox", "callback_url": "", "daily_quota": "100", "qps": "2",
    }, follow=True)  # fmt: skip
    credential = AppCredential.objects.get(app_key="40001688")
    assert not credential.is_verified
    page = response.content.decode()
    assert "1688 does not know App Key 40001688" in page
    assert "Invalid appKey" not in page  # no raw gateway text


# --- 5. who may spend quota ---


def test_viewers_cannot_spend_quota_and_a_running_check_is_reused(client, connected, acme, bob, queued_checks):
    connected.shared_with_team = acme
    connected.save()
    Membership.objects.filter(user=bob, team=acme).update(role="viewer")
    client.force_login(bob)
    response = client.post("/api-status/check/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "Viewers can&#x27;t start checks" in response.content.decode()
    assert not ConnectionCheck.objects.filter(kind="test").exists()
    assert "Test connection</button>" not in client.get("/api-status/").content.decode()
    # a buyer may; two clicks while the first is still queued make one check
    Membership.objects.filter(user=bob, team=acme).update(role="buyer")
    client.post("/api-status/check/", HTTP_HX_REQUEST="true")
    client.post("/api-status/check/", HTTP_HX_REQUEST="true")
    assert ConnectionCheck.objects.filter(kind="test").count() == 1
    assert len(queued_checks) == 1


# --- 12. quota only for calls that are sent ---


def test_a_rate_limit_timeout_spends_no_quota(connected, settings):
    settings.ALIBABA_RATE_WAIT = 0.0
    AppCredential.objects.filter(pk=connected.pk).update(qps=1)
    connected.refresh_from_db()
    rate_acquire(key=f"app:{connected.app_identity}", qps=1, max_wait=5)  # the next slot is a second away
    spent = ApiUsage.objects.get(app=connected.app_identity, api=api.KEYWORD_SEARCH.id).calls
    with pytest.raises(RateLimitWait) as refused:
        _search(connected)
    assert ApiUsage.objects.get(app=connected.app_identity, api=api.KEYWORD_SEARCH.id).calls == spent
    assert 0 < refused.value.retry_after <= 1.1  # when the slot frees: the task is put back due then


# --- 13. test connection with keyword search denied ---


def test_connection_test_passes_the_token_step_when_search_is_denied(client, connected, portal_sandbox):
    ApiPermission.objects.filter(credential=connected, api=api.KEYWORD_SEARCH.id).update(observed="denied")
    portal_sandbox.grant_all, portal_sandbox.grants = False, [api.CATEGORY_GET.id]
    portal_sandbox.save()
    client.post("/api-status/check/")
    check = ConnectionCheck.objects.get(kind="test")
    assert check.state == "passed"
    assert check.steps[2]["detail"] == "access token accepted (keyword search itself is not granted yet)"


# --- 14. the token lease ---


def test_an_expired_lease_holder_does_not_release_the_next_one(connected):
    token = OAuthToken.objects.get(credential=connected)
    first = token_services._Lease(token.pk)
    first.__enter__()
    OAuthToken.objects.filter(pk=token.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # it expired
    second = token_services._Lease(token.pk)
    second.__enter__()
    first.__exit__(None, None, None)  # the slow first worker finishes late
    token.refresh_from_db()
    assert token.lease_until is not None and token.lease_holder == second.holder
    second.__exit__(None, None, None)
    token.refresh_from_db()
    assert token.lease_until is None


def test_the_reauth_mail_goes_out_after_the_lease(connected, alice):
    from sandbox.models import SandboxRefreshToken

    SandboxRefreshToken.objects.update(revoked_at=timezone.now())
    token = OAuthToken.objects.get(credential=connected)
    token_services.token_refresh(token_id=token.pk, force=True)
    token.refresh_from_db()
    assert token.status == "needs_reauth" and token.lease_until is None
    assert len(mail.outbox) == 1 and "needs to be renewed" in mail.outbox[0].subject


# --- 15. retries that happen ---


def test_verify_permissions_lets_transient_errors_reach_the_retry(connected, portal_sandbox):
    portal_sandbox.fault_5xx = 1.0
    portal_sandbox.save()
    with pytest.raises(errors.TransientError):
        permission_services.permissions_verify(credential_id=connected.pk)


def test_an_invitation_mail_is_claimed_before_it_is_sent(alice, acme, monkeypatch):
    invitation = team_services.invitation_create(actor=Membership.objects.get(user=alice), email="x@example.com",
                                                 role="buyer")  # fmt: skip
    Invitation.objects.update(sent_at=None)  # as if the worker had not run yet
    mail.outbox.clear()
    # when sending fails, the claim is given back so a retry sends it
    monkeypatch.setattr(team_services, "send_mail", lambda **kw: (_ for _ in ()).throw(OSError("smtp down")))
    with pytest.raises(OSError):
        team_services.invitation_send(invitation_id=invitation.pk)
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None
    monkeypatch.undo()
    # two deliveries of the task: one mail
    assert team_services.invitation_send(invitation_id=invitation.pk) is True
    assert team_services.invitation_send(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1


# --- 16. one write path ---


def test_edits_and_deletes_go_through_the_services(client, connected):
    client.post(f"/connections/{connected.pk}/edit/", {
        "name": "Renamed", "account_type": "business", "gateway": "sandbox", "callback_url": "",
        "daily_quota": "900", "qps": "5", "shared_with_team": "",
    })  # fmt: skip
    audit = SecretAudit.objects.get(action="update")
    assert set(audit.detail.split(", ")) == {"name", "daily_quota", "qps"}
    assert AppCredential.objects.get(pk=connected.pk).is_verified  # an edit keeps the verification
    client.post(f"/connections/{connected.pk}/delete/")
    assert not AppCredential.objects.filter(pk=connected.pk).exists()
    deleted = SecretAudit.objects.get(action="delete")
    assert (deleted.app_key, deleted.detail) == (APP_KEY, "Renamed")


def test_admin_add_creates_permission_rows_and_an_audit(client, alice, portal_sandbox):
    client.force_login(alice)
    response = client.post("/admin/sourcing/appcredential/add/", {
        "owner": alice.pk, "shared_with_team": "", "name": "From admin", "app_key": APP_KEY,
        "new_app_secret": APP_SECRET, "account_type": "business", "callback_url": "", "gateway": "sandbox",
        "daily_quota": "100", "qps": "5", "status": "active",
        "token-TOTAL_FORMS": "0", "token-INITIAL_FORMS": "0", "token-MIN_NUM_FORMS": "0", "token-MAX_NUM_FORMS": "0",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1500]
    credential = AppCredential.objects.get(name="From admin")
    assert credential.permissions.count() == len(api.PORTAL_APIS)
    assert SecretAudit.objects.filter(credential=credential, action="create", user=alice).exists()
    assert credential.secret_fingerprint and AppCredential.objects.get(pk=credential.pk).is_verified


def test_only_one_site_default_can_exist(db):
    AppCredential.objects.create(owner=None, name="default", app_key="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AppCredential.objects.create(owner=None, name="another default", app_key="2")


def test_a_buyer_cannot_withdraw_an_invitation(client, alice, bob, acme):
    invitation = team_services.invitation_create(actor=Membership.objects.get(user=alice), email="y@example.com",
                                                 role="buyer")  # fmt: skip
    client.force_login(bob)
    response = client.post(f"/teams/{acme.pk}/invitations/{invitation.pk}/revoke/", follow=True)
    assert "Only the team&#x27;s owners and admins" in response.content.decode()
    assert Invitation.objects.filter(pk=invitation.pk).exists()


# --- 17, 19, 20. counts, one state per API, verify with progress ---


def test_verify_shows_progress_and_one_state_per_api(client, connected, portal_sandbox):
    portal_sandbox.grant_all, portal_sandbox.grants = False, [api.CATEGORY_GET.id, api.KEYWORD_SEARCH.id]
    portal_sandbox.save()
    response = client.post(f"/connections/{connected.pk}/verify/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Permission check" in response.content.decode()
    check = ConnectionCheck.objects.filter(kind="verify").first()
    assert check.state == "passed" and check.progress == 100
    # 26 = every API the portal calls: search and products (11), buying (8), sourcing depth (3), messages (4)
    assert check.summary == "2 of 26 APIs granted."
    # internal calls are no permission rows; counts are out of the portal's 26 APIs
    assert set(ApiPermission.objects.filter(credential=connected).values_list("api", flat=True)) == {
        ref.id for ref in api.PORTAL_APIS}  # fmt: skip
    assert "Permissions granted: 2 / 26" in client.get("/api-status/").content.decode()
    assert "2 / 26" in client.get("/admin/sourcing/appcredential/").content.decode()
    # a proven grant reads "Approved" (no "Not requested" beside "Granted"); the history says it was observed
    search = ApiPermission.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id)
    assert search.status == "approved"
    assert search.changes.filter(field="status", new="approved", reason__startswith="observed:").exists()
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    assert "Not requested" not in page.split("API permissions and today")[1].split("</table>")[0].split(
        "product.search.keywordQuery")[1].split("</tr>")[0]  # fmt: skip


def test_recent_errors_leave_out_probes_and_resolved_errors_and_group_repeats(client, connected):
    now = timezone.now()
    rows = [
        ("a:timeout-1", "GatewayTimeout", "error", now - timedelta(minutes=9), False),
        ("a:timeout-1", "", "ok", now - timedelta(minutes=8), False),  # resolved by a later success
        ("b:quota-1", "gw.QosAppFrequencyLimit", "throttled", now - timedelta(minutes=7), False),
        ("b:quota-1", "gw.QosAppFrequencyLimit", "throttled", now - timedelta(minutes=6), False),
        ("c:probe-1", "gw.APIACLDecline", "error", now - timedelta(minutes=5), True),  # the portal's own probe
    ]
    for api_id, code, outcome, at, probe in rows:
        ApiCallLog.objects.create(credential=connected, api=api_id, error_code=code, outcome=outcome, at=at,
                                  probe=probe)  # fmt: skip
    page = client.get("/api-status/").content.decode()
    errors_card = page.split("Recent errors")[1]
    assert "a:timeout-1" not in errors_card
    assert "c:probe-1" not in errors_card
    assert errors_card.count("b:quota-1") == 1 and "2 times" in errors_card


def test_sandbox_app_is_not_touched(portal_sandbox):
    # the portal reaches the sandbox over HTTP only; its app row keeps the secret it was given
    assert SandboxApp.objects.get(app_key=APP_KEY).app_secret == APP_SECRET
