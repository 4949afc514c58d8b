"""The sandbox console's Withdraw, aimed by alice at an account that never authorised her app (carol's buyer): 404,
carol's login id is not shown, no message is made and carol's authorisation stays. Carol's console is 404 to alice."""

import pytest

from sandbox.models import SandboxMessage, SandboxRefreshToken
from tests.security.test_staff_roles import _sandbox_app

pytestmark = pytest.mark.django_db


def test_withdraw_only_an_account_that_authorised_the_app(client, alice, carol):
    alices_app, alices_account = _sandbox_app("40051688", alice, "acme采购01")
    carols_app, carols_account = _sandbox_app("40061688", carol, "globex-buyer-77")
    client.force_login(alice)
    for account_id in (carols_account.pk, 2**63, 0):
        response = client.post(f"/sandbox/console/{alices_app.app_key}/authorizations/{account_id}/withdraw/",
                               follow=True)  # fmt: skip
        assert response.status_code == 404, account_id
        assert "globex-buyer-77" not in response.content.decode()
    assert (
        client.post(f"/sandbox/console/{carols_app.app_key}/authorizations/{carols_account.pk}/withdraw/").status_code
        == 404
    )
    assert client.get(f"/sandbox/console/{carols_app.app_key}/").status_code == 404
    assert not SandboxMessage.objects.exists()
    assert SandboxRefreshToken.objects.filter(revoked_at=None).count() == 2
    # her own account's authorisation she withdraws as before
    response = client.post(f"/sandbox/console/{alices_app.app_key}/authorizations/{alices_account.pk}/withdraw/",
                           follow=True)  # fmt: skip
    assert response.status_code == 200 and "acme采购01 withdrew the authorisation" in response.content.decode()
    assert SandboxRefreshToken.objects.filter(revoked_at=None).count() == 1
