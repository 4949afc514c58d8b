"""Staff within their roles (issue 18, item 3): the admin allows a staff user who is not a superuser exactly what
their team role allows in the portal. Permission states are the credential owner's to change; calls to 1688 are
not for viewers; failed logins and the sandbox's 1688 login ids are shown only for the staff user's own teams."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import Permission
from django.db.models import Sum
from django.utils import timezone

from sandbox.models import SandboxAccount, SandboxApp, SandboxRefreshToken, SandboxUsage
from sourcing.accounts.models import Membership, User
from sourcing.connections.models import (
    ApiCallLog,
    ApiPermission,
    ApiPermissionChange,
    AppCredential,
    ConnectionCheck,
    OAuthToken,
    UsageExhaustion,
)
from sourcing.core.beijing import beijing_today
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PERMISSIONS = "/admin/sourcing/apipermission/"
STATUS_ACTIONS = ["set_pending", "set_under_review", "set_approved", "set_rejected"]
STATUS_REFUSED = "Only a credential&#x27;s owner can change the status of its permissions: nothing was changed."
CALLS_REFUSED = "viewers can&#x27;t): nothing was queued."


def _staff(user_or_name, team=None, role=Membership.Role.VIEWER):
    """A staff user who is not a superuser, with every admin permission of the portal, the sandbox and axes."""
    if isinstance(user_or_name, User):
        user = user_or_name
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=False)
    else:
        user = User.objects.create_user(user_or_name, f"{user_or_name}@example.com", PASSWORD, is_staff=True)
        Membership.objects.create(user=user, team=team, role=role)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["sourcing", "sandbox", "axes"]))
    return User.objects.get(pk=user.pk)


def _state(credential):
    """Everything a refused admin request must leave as it was, and every call spent at 1688."""
    return {
        "permissions": list(ApiPermission.objects.filter(credential=credential).order_by("pk").values()),
        "history": ApiPermissionChange.objects.count(),
        "credential": AppCredential.objects.filter(pk=credential.pk).values().get(),
        "token": OAuthToken.objects.filter(credential=credential).count(),
        "exhaustions": UsageExhaustion.objects.count(),
        "checks": ConnectionCheck.objects.count(),
        "call_log": ApiCallLog.objects.count(),
        "sandbox_calls": SandboxUsage.objects.aggregate(n=Sum("calls"))["n"] or 0,
    }


def _post_action(client, action, ids, **extra):
    return client.post(PERMISSIONS, {"action": action, "_selected_action": ids, "reason": "sam says no", **extra},
                       follow=True)  # fmt: skip


def test_a_staff_viewer_can_change_no_permission_and_spend_no_call_through_the_admin(client, connected, acme):
    # given alice's connected credential, shared with Acme, and sam: staff, but only a viewer in Acme
    AppCredential.objects.filter(pk=connected.pk).update(shared_with_team=acme)
    UsageExhaustion.objects.create(app=connected.app_identity, day=beijing_today(), credential=connected,
                                   code="gw.NoUsageLeftError")  # fmt: skip
    sam = _staff("sam", acme)
    client.force_login(sam)
    ids = list(ApiPermission.objects.filter(credential=connected).values_list("pk", flat=True))
    before = _state(connected)
    assert before["sandbox_calls"] > 0 and before["call_log"] > 0  # the counters do count (the connect spent some)

    # when he tries every bulk action on Acme's permissions
    for action in STATUS_ACTIONS:
        response = _post_action(client, action, ids)
        assert response.status_code == 200, action
        assert STATUS_REFUSED in response.content.decode(), action
    response = _post_action(client, "verify_now", ids)
    assert response.status_code == 200 and CALLS_REFUSED in response.content.decode()

    # and the change form of a permission: it is shown read-only, and a forged post is refused in words
    permission = ApiPermission.objects.get(pk=ids[0])
    page = client.get(f"{PERMISSIONS}{permission.pk}/change/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    response = client.post(f"{PERMISSIONS}{permission.pk}/change/", {
        "status": "rejected", "reason": "sam says no", "notes": "x", "expected_daily_volume": "1",
        "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
    }, follow=True)  # fmt: skip
    assert response.status_code == 200 and STATUS_REFUSED in response.content.decode()

    # and the credential itself: a new secret (a check at 1688), a disconnect, a delete, letting calls resume
    change = f"/admin/sourcing/appcredential/{connected.pk}/change/"
    response = client.post(change, {
        "name": "Acme app", "account_type": "business", "gateway": "sandbox", "daily_quota": "1000", "qps": "100",
        "status": "active", "new_app_secret": "sams-new-secret-1", "token-TOTAL_FORMS": "1",
        "token-INITIAL_FORMS": "1", "token-MIN_NUM_FORMS": "0", "token-MAX_NUM_FORMS": "0",
        "token-0-id": OAuthToken.objects.get().pk, "token-0-credential": connected.pk, "token-0-DELETE": "on",
    })  # fmt: skip
    assert response.status_code == 403
    assert client.post(f"/admin/sourcing/appcredential/{connected.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post("/admin/sourcing/usageexhaustion/", {
        "action": "rearm", "_selected_action": list(UsageExhaustion.objects.values_list("pk", flat=True)),
    }, follow=True)  # fmt: skip
    assert "Only the credential&#x27;s owner can let its calls resume" in response.content.decode()

    # then nothing changed, no check was queued and not one call reached 1688
    assert _state(connected) == before


def test_a_staff_owner_changes_states_and_a_staff_buyer_only_spends_calls(client, connected, alice, bob, acme):
    # given alice, owner of Acme and of the credential, as staff without superuser; bob, a staff buyer in Acme
    AppCredential.objects.filter(pk=connected.pk).update(shared_with_team=acme)
    alice, bob = _staff(alice), _staff(bob)
    image = list(ApiPermission.objects.filter(credential=connected, api__contains="image").values_list("pk", flat=True))

    # when bob, a buyer, sets a state: refused, as on the credential's page; but he may ask 1688 (it spends calls)
    client.force_login(bob)
    response = _post_action(client, "set_rejected", image)
    assert STATUS_REFUSED in response.content.decode()
    assert set(ApiPermission.objects.filter(pk__in=image).values_list("status", flat=True)) == {"approved"}
    calls = ApiCallLog.objects.count()
    response = _post_action(client, "verify_now", image)
    assert "Verification queued for 1 credential(s)." in response.content.decode()
    assert ApiCallLog.objects.count() > calls

    # then alice, the owner, can do both
    client.force_login(alice)
    response = _post_action(client, "set_rejected", image)
    assert "2 permission(s) set to Rejected" in response.content.decode()
    assert set(ApiPermission.objects.filter(pk__in=image).values_list("status", flat=True)) == {"rejected"}
    assert ApiPermissionChange.objects.filter(changed_by=alice, new="rejected").count() == 2
    permission = ApiPermission.objects.get(pk=image[0])
    response = client.post(f"{PERMISSIONS}{permission.pk}/change/", {
        "status": "under_review", "reason": "sent the documents", "notes": "", "expected_daily_volume": "",
        "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
    })  # fmt: skip
    assert response.status_code == 302
    assert ApiPermission.objects.get(pk=permission.pk).status == "under_review"
    calls = ApiCallLog.objects.count()
    _post_action(client, "verify_now", image)
    assert ApiCallLog.objects.count() > calls


def _attempt(username, ip):
    AccessAttempt.objects.create(username=username, ip_address=ip, user_agent="curl", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data="", failures_since_start=3)  # fmt: skip
    AccessFailureLog.objects.create(username=username, ip_address=ip, user_agent="curl", http_accept="*/*",
                                    path_info="/accounts/login/")  # fmt: skip


def _sandbox_app(app_key, owner, login_id):
    app = SandboxApp(app_key=app_key, owner=owner, name=f"{owner.username}'s sandbox app")
    app.app_secret = f"secret-of-{app_key}"
    app.save()
    account = SandboxAccount.objects.create(login_id=login_id, member_id=f"b2b-{app_key}", ali_id=app_key)
    SandboxRefreshToken.objects.create(app=app, account=account, token_digest=app_key * 8,
                                       expires_at=timezone.now() + timedelta(days=30))  # fmt: skip
    return app, account


def test_staff_see_only_their_teams_failed_logins_and_sandbox_rows(client, alice, acme, carol, globex):
    # given failed logins and sandbox apps of Acme's and Globex's users, and of an unknown name
    # (not the staff users' own: a login, forced or not, clears its user's rows)
    sam = _staff("sam", acme)
    User.objects.create_user("dan", "dan@example.com", PASSWORD).memberships.create(team=globex, role="buyer")
    for username, ip in [("alice", "10.0.0.1"), ("dan", "10.9.9.9"), ("guess", "10.6.6.6")]:
        _attempt(username, ip)
    acme_app, acme_account = _sandbox_app("40051688", alice, "acme采购01")
    globex_app, globex_account = _sandbox_app("40061688", carol, "globex-buyer-77")

    # when sam (Acme) opens the axes pages, then he sees Acme's users' rows only
    client.force_login(sam)
    for url in ["/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/"]:
        page = client.get(url).content.decode()
        assert "10.0.0.1" in page, url
        assert "10.9.9.9" not in page and "10.6.6.6" not in page, url
        assert "cleanup_expired_attempts" not in page  # it would clean every team's rows
    dans = AccessAttempt.objects.get(username="dan")
    assert client.get(f"/admin/axes/accessattempt/{dans.pk}/change/").status_code == 302  # "doesn't exist"
    client.post(f"/admin/axes/accessattempt/{dans.pk}/delete/", {"post": "yes"})  # nor unlock another team's user
    assert AccessAttempt.objects.filter(pk=dans.pk).exists()
    assert "10.9.9.9" not in client.get("/admin/axes/accessattempt/?q=dan").content.decode()

    # and the sandbox's pages: no app of alice's nor carol's (he owns none), no login id of either team
    for url in ["/admin/sandbox/sandboxapp/", "/admin/sandbox/sandboxaccount/"]:
        page = client.get(url).content.decode()
        assert "40051688" not in page and "40061688" not in page and "globex-buyer-77" not in page, url
    assert client.get(f"/admin/sandbox/sandboxaccount/{globex_account.pk}/change/").status_code == 302

    # when carol (Globex) is staff too, then she sees her team's rows and login ids, and none of Acme's
    carol = _staff(carol)
    client.force_login(carol)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "10.9.9.9" in page and "10.0.0.1" not in page and "10.6.6.6" not in page
    page = client.get("/admin/sandbox/sandboxapp/").content.decode()
    assert "40061688" in page and "40051688" not in page
    page = client.get("/admin/sandbox/sandboxaccount/").content.decode()
    assert "globex-buyer-77" in page and "acme采购01" not in page
    # she can't rename a login id every app shares, nor give her app to someone else
    response = client.post(f"/admin/sandbox/sandboxaccount/{globex_account.pk}/change/", {"login_id": "x",
                           "member_id": "x", "ali_id": "x"})  # fmt: skip
    assert response.status_code == 403
    assert 'name="owner"' not in client.get(f"/admin/sandbox/sandboxapp/{globex_app.pk}/change/").content.decode()
    assert client.get(f"/admin/sandbox/sandboxapp/{acme_app.pk}/change/").status_code == 302
    assert SandboxAccount.objects.get(pk=globex_account.pk).login_id == "globex-buyer-77"
    assert SandboxApp.objects.get(pk=acme_app.pk).owner == alice and acme_account.login_id == "acme采购01"
