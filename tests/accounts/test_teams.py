import hashlib
import re

import pytest
from django.core import mail
from django.urls import reverse

from sourcing.accounts.models import Invitation, Membership, User


def _detail(team):
    return reverse("team_detail", args=[team.pk])


@pytest.mark.django_db
class TestTeamIsolation:
    def test_carol_gets_404_on_every_acme_team_page(self, client, alice, bob, carol, acme):
        # given
        client.force_login(carol)
        bob_membership = Membership.objects.get(user=bob)
        invitation = Invitation.objects.create(team=acme, email="x@example.com", expires_at="2100-01-01T00:00Z")
        # when / then
        assert client.get(_detail(acme)).status_code == 404
        posts = [
            (reverse("team_invite", args=[acme.pk]), {"email": "c@example.com", "role": "buyer"}),
            (reverse("member_role", args=[acme.pk, bob_membership.pk]), {"role": "owner"}),
            (reverse("member_remove", args=[acme.pk, bob_membership.pk]), {}),
            (reverse("invitation_revoke", args=[acme.pk, invitation.pk]), {}),
            (reverse("team_switch"), {"team": acme.pk}),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
        assert Membership.objects.get(user=bob).role == "buyer"
        assert Invitation.objects.filter(pk=invitation.pk).exists()
        assert not Invitation.objects.filter(email="c@example.com").exists()

    def test_member_ids_of_another_team_are_404(self, client, alice, carol, acme):
        carol_membership = Membership.objects.get(user=carol)
        client.force_login(alice)
        url = reverse("member_remove", args=[acme.pk, carol_membership.pk])
        assert client.post(url).status_code == 404
        assert Membership.objects.filter(pk=carol_membership.pk).exists()

    def test_team_page_lists_only_own_members(self, client, alice, bob, carol, acme):
        client.force_login(alice)
        page = client.get(_detail(acme)).content.decode()
        assert "bob" in page and "carol" not in page

    def test_anonymous_is_sent_to_login(self, client, acme):
        response = client.get(_detail(acme))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
class TestRoles:
    def test_buyer_cannot_invite_or_change_roles(self, client, alice, bob, acme):
        client.force_login(bob)
        alice_m = Membership.objects.get(user=alice)
        response = client.post(
            reverse("team_invite", args=[acme.pk]), {"email": "n@example.com", "role": "buyer"}, follow=True
        )
        assert "Only the team&#x27;s owners and admins" in response.content.decode()
        assert not Invitation.objects.exists()
        client.post(reverse("member_role", args=[acme.pk, alice_m.pk]), {"role": "viewer"})
        assert Membership.objects.get(user=alice).role == "owner"

    def test_owner_promotes_buyer_to_admin_who_cannot_grant_ownership(self, client, alice, bob, acme):
        bob_m = Membership.objects.get(user=bob)
        client.force_login(alice)
        client.post(reverse("member_role", args=[acme.pk, bob_m.pk]), {"role": "admin"})
        assert Membership.objects.get(user=bob).role == "admin"
        client.force_login(bob)
        response = client.post(reverse("member_role", args=[acme.pk, bob_m.pk]), {"role": "owner"}, follow=True)
        assert Membership.objects.get(user=bob).role == "admin"
        assert "Only an owner can grant" in response.content.decode()

    def test_unknown_role_is_refused_without_error(self, client, alice, bob, acme):
        bob_m = Membership.objects.get(user=bob)
        client.force_login(alice)
        response = client.post(reverse("member_role", args=[acme.pk, bob_m.pk]), {"role": "emperor"}, follow=True)
        assert response.status_code == 200 and "Unknown role" in response.content.decode()
        assert Membership.objects.get(user=bob).role == "buyer"


@pytest.mark.django_db
class TestLastOwner:
    def test_last_owner_cannot_leave_or_be_demoted(self, client, alice, bob, acme):
        alice_m = Membership.objects.get(user=alice)
        client.force_login(alice)
        response = client.post(reverse("member_remove", args=[acme.pk, alice_m.pk]), follow=True)
        assert "The last owner cannot leave" in response.content.decode()
        response = client.post(reverse("member_role", args=[acme.pk, alice_m.pk]), {"role": "buyer"}, follow=True)
        assert "at least one owner" in response.content.decode()
        assert Membership.objects.get(pk=alice_m.pk).role == "owner"

    def test_owner_can_leave_once_another_owner_exists(self, client, alice, bob, acme):
        bob_m, alice_m = Membership.objects.get(user=bob), Membership.objects.get(user=alice)
        client.force_login(alice)
        client.post(reverse("member_role", args=[acme.pk, bob_m.pk]), {"role": "owner"})
        client.post(reverse("member_remove", args=[acme.pk, alice_m.pk]))
        assert not Membership.objects.filter(pk=alice_m.pk).exists()
        assert User.objects.get(pk=alice.pk).current_team is None
        assert client.get(_detail(acme)).status_code == 404


@pytest.mark.django_db
class TestInvitations:
    def test_invite_email_link_and_single_use_accept(self, client, alice, acme, django_capture_on_commit_callbacks):
        # given alice invites dave
        client.force_login(alice)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("team_invite", args=[acme.pk]), {"email": "Dave@Example.com", "role": "viewer"}, follow=True
            )
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dave@example.com"]
        link = re.search(r"/invite/[\w-]+/", mail.outbox[0].body).group(0)
        token = link.split("/")[2]
        # then the same link is shown to alice and mailed to dave, and the table keeps only its digest
        assert link in response.content.decode()
        invitation = Invitation.objects.get()
        assert invitation.sent_at is not None
        assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
        assert invitation.token_for_mail_encrypted == ""  # the mailed copy is gone once sent
        assert token not in str(list(Invitation.objects.values()))
        # when dave signs up from the link and accepts
        client.logout()
        assert "Log in to accept" in client.get(link).content.decode()
        client.post(
            reverse("signup"),
            {
                "username": "dave",
                "email": "dave@example.com",
                "password1": "a-Long-pass-88",
                "password2": "a-Long-pass-88",
                "next": link,
            },
        )
        dave = User.objects.get(username="dave")
        response = client.post(link, follow=True)
        # then dave is a viewer in Acme, and the link cannot be used again
        assert Membership.objects.get(user=dave, team=acme).role == "viewer"
        assert "You joined Acme Sourcing" in response.content.decode()
        client.force_login(User.objects.create_user("eve", "eve@example.com", "x"))
        response = client.post(link, follow=True)
        assert "already used or has expired" in response.content.decode()
        assert not Membership.objects.filter(user__username="eve").exists()

    def test_unknown_invitation_is_404_with_explanation(self, client):
        response = client.get("/invite/not-a-token/")
        assert response.status_code == 404 and "not valid" in response.content.decode()

    def test_invalid_email_is_explained(self, client, alice, acme):
        client.force_login(alice)
        response = client.post(
            reverse("team_invite", args=[acme.pk]), {"email": "<script>", "role": "buyer"}, follow=True
        )
        assert "Enter a valid e-mail" in response.content.decode() and "<script>" not in response.content.decode()
        assert not Invitation.objects.exists()


@pytest.mark.django_db
class TestAccountsAndSwitching:
    def test_signup_creates_owned_team(self, client):
        response = client.post(
            reverse("signup"),
            {
                "username": "zhang",
                "email": "z@example.com",
                "team_name": "深圳采购",
                "password1": "a-Long-pass-88",
                "password2": "a-Long-pass-88",
            },
            follow=True,
        )
        user = User.objects.get(username="zhang")
        assert Membership.objects.get(user=user).role == "owner"
        assert "深圳采购" in response.content.decode()

    def test_signup_and_its_team_are_one_transaction(self, client, monkeypatch):
        # when creating the first team fails after the user row was written
        from sourcing.accounts.services import teams

        def broken(**kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(teams, "team_create", broken)
        client.raise_request_exception = False
        client.post(reverse("signup"), {"username": "li", "email": "li@example.com", "team_name": "广州",
                                        "password1": "a-Long-pass-88", "password2": "a-Long-pass-88"})  # fmt: skip
        # then no half-made account is left behind: signing up again works
        assert not User.objects.filter(username="li").exists()

    def test_signup_can_be_turned_off(self, client, settings):
        settings.SIGNUP_ENABLED = False
        assert client.get(reverse("signup")).status_code == 404

    def test_user_in_two_teams_switches_current_team(self, client, alice, carol, globex):
        Membership.objects.create(user=alice, team=globex, role="buyer")
        client.force_login(alice)
        assert "Acme Sourcing</h2>" in client.get("/").content.decode()
        client.post(reverse("team_switch"), {"team": globex.pk, "next": "/"})
        assert "Globex Trading</h2>" in client.get("/").content.decode()

    def test_login_page_and_password_change(self, client, alice):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert "do not match" in response.content.decode()
        assert client.login(username="alice", password="sourcing-demo")
        client.post(
            reverse("password_change"),
            {"old_password": "sourcing-demo", "new_password1": "n3w-Secret-pw", "new_password2": "n3w-Secret-pw"},
        )
        assert User.objects.get(username="alice").check_password("n3w-Secret-pw")


@pytest.mark.django_db
def test_demo_data_is_idempotent(client):
    from django.core.management import call_command

    call_command("demo_data")
    call_command("demo_data")
    assert User.objects.filter(username__in=["alice", "bob", "carol"]).count() == 3
    assert Membership.objects.get(user__username="alice").role == "owner"
    assert Membership.objects.get(user__username="bob").team.name == "Acme Sourcing"
    assert Membership.objects.get(user__username="carol").team.name == "Globex Trading"
    assert client.login(username="bob", password="sourcing-demo")
    assert User.objects.get(username="alice").is_superuser
