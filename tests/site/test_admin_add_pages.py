"""The admin's add pages answer with a page, never a 500 (issue 18, item 4): "Add team" with its membership
inline, and a credential added for another owner (whose quota the admin may not spend on a check)."""

import re

import pytest

from sourcing.accounts.models import Membership, Team
from sourcing.connections.models import AppCredential, ConnectionCheck

pytestmark = pytest.mark.django_db


def _prefix(page: str, suffix: str = "TOTAL_FORMS") -> str:
    return re.search(rf'name="([\w-]+)-{suffix}"', page).group(1)


def test_add_team_page_renders_and_saves_a_team_with_its_member(client, alice, carol):
    client.force_login(alice)
    page = client.get("/admin/sourcing/team/add/")
    assert page.status_code == 200
    prefix = _prefix(page.content.decode())
    response = client.post("/admin/sourcing/team/add/", {
        "name": "Initech", "display_currency": "CNY", "created_at_0": "2026-12-01", "created_at_1": "10:00:00",
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-0-user": carol.pk,
        f"{prefix}-0-role": "owner", f"{prefix}-0-created_at_0": "2026-12-01", f"{prefix}-0-created_at_1": "10:00:00",
    })  # fmt: skip
    assert response.status_code == 302
    assert Membership.objects.get(team=Team.objects.get(name="Initech")).user == carol


def test_adding_a_credential_for_another_owner_saves_it_and_says_who_checks_it(client, alice, carol):
    client.force_login(alice)
    page = client.get("/admin/sourcing/appcredential/add/").content.decode()
    prefix = _prefix(page)
    response = client.post("/admin/sourcing/appcredential/add/", {
        "owner": carol.pk, "name": "Globex app", "app_key": "7654321", "new_app_secret": "globex-secret-0001",
        "account_type": "business", "gateway": "sandbox", "daily_quota": "100", "qps": "1", "status": "active",
        f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
    }, follow=True)  # fmt: skip
    assert response.status_code == 200
    credential = AppCredential.objects.get(app_key="7654321")
    assert credential.owner == carol
    assert not ConnectionCheck.objects.filter(credential=credential).exists()  # alice spent none of carol's quota
    assert "Saved without a check" in response.content.decode()
    assert "only they (or a buyer of the team they share it with) can start one" in response.content.decode()
