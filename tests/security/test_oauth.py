"""The OAuth callback takes only a state this browser's Connect click made, once, with 1688's untouched code.
(Forged and replayed states, another session of the same user and a spent code: tests/connections/test_oauth_connect.py.)"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from sourcing.connections.models import OAuthToken
from tests.portal_fixtures import at_site

pytestmark = pytest.mark.django_db(transaction=True)

NOT_MATCHED = "could not be matched to a Connect click of yours"


def _approved(client, credential) -> tuple[str, dict]:
    """Click Connect and approve on the sandbox's consent page; the callback path and its query."""
    start = client.post(f"/connections/{credential.pk}/connect/", **at_site())
    consent = requests.post(start["Location"], data={"login_id": "acme采购01", "decision": "approve"},
                            allow_redirects=False, timeout=10)  # fmt: skip
    callback = urlsplit(consent.headers["Location"])
    return callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()}


def test_a_callback_without_state_is_refused(client, alice, alice_credential):
    client.force_login(alice)
    path, query = _approved(client, alice_credential)
    page = client.get(path, {"code": query["code"]}, follow=True).content.decode()
    assert NOT_MATCHED in page
    assert not OAuthToken.objects.exists()
    # the real callback still works afterwards: a missing state did not use anything up
    client.get(path, query)
    assert OAuthToken.objects.get(credential=alice_credential).resource_owner == "acme采购01"


def test_another_users_state_and_code_are_refused(client, alice, alice_credential, carol):
    client.force_login(alice)
    path, query = _approved(client, alice_credential)
    # carol (another team) is handed alice's whole callback link
    intruder = Client()
    intruder.force_login(carol)
    page = intruder.get(path, query, follow=True).content.decode()
    assert NOT_MATCHED in page
    assert query["code"] not in page
    assert not OAuthToken.objects.exists()
    # alice's own browser still finishes the connection
    client.get(path, query)
    assert OAuthToken.objects.filter(credential=alice_credential).count() == 1


def test_a_visitor_with_a_callback_link_is_sent_to_login(alice, alice_credential, client):
    client.force_login(alice)
    path, query = _approved(client, alice_credential)
    response = Client().get(path, query)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not OAuthToken.objects.exists()


# Changed in its last character, lengthened, reversed, and left out.
TAMPERINGS = [lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"), lambda c: c + "x", lambda c: c[::-1], lambda c: ""]


def test_a_tampered_code_is_refused_and_not_echoed(client, alice, alice_credential):
    client.force_login(alice)
    for tamper in TAMPERINGS:
        path, query = _approved(client, alice_credential)
        bad = tamper(query["code"])
        page = client.get(path, {**query, "code": bad}, follow=True).content.decode()
        assert not OAuthToken.objects.exists()
        if bad:
            assert "expired (codes last 2 minutes) or was already used" in page
            assert bad not in page
        else:
            assert "1688 sent no authorisation code back" in page
        # the state was used up by the tampered try: the genuine code can't ride on it any more
        page = client.get(path, query, follow=True).content.decode()
        assert NOT_MATCHED in page
        assert not OAuthToken.objects.exists()
