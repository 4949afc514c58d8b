"""The admin pages this release added, as a staff user who is not a superuser (sam, a viewer in Acme): webhook
endpoints, deliveries and API tokens show only his teams' rows, never a secret or a digest, and change nothing."""

import pytest

from sourcing.api.models import ApiToken
from sourcing.api.services import token_create
from sourcing.webhooks import services as webhooks
from sourcing.webhooks.models import Delivery, Endpoint
from tests.security.test_staff_roles import _staff

pytestmark = pytest.mark.django_db


def test_staff_see_their_teams_webhooks_and_tokens_only_read_only_without_secrets(client, alice, acme, carol, globex,
                                                                                  settings):  # fmt: skip
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    acme_end, acme_secret = webhooks.endpoint_create(actor=alice, team=acme, url="http://127.0.0.1:9/acme-erp",
                                                     kinds=["alert.fired"])  # fmt: skip
    globex_end, globex_secret = webhooks.endpoint_create(actor=carol, team=globex, url="http://127.0.0.1:9/globex-erp",
                                                         kinds=["alert.fired"])  # fmt: skip
    webhooks.event_emit(team_id=acme.pk, kind="alert.fired", data={"alert": "acme-alert"})
    webhooks.event_emit(team_id=globex.pk, kind="alert.fired", data={"alert": "globex-alert"})
    acme_token, acme_raw = token_create(actor=alice, team=acme, name="Acme ERP", scopes=["read"])
    globex_token, globex_raw = token_create(actor=carol, team=globex, name="Globex ERP", scopes=["read"])
    globex_delivery = Delivery.objects.get(endpoint=globex_end)
    acme_delivery = Delivery.objects.get(endpoint=acme_end)
    secrets = [acme_secret, globex_secret, acme_raw, globex_raw, acme_token.digest, globex_token.digest]

    sam = _staff("sam", acme)
    client.force_login(sam)
    pages = {
        "/admin/sourcing/endpoint/": ("acme-erp", "globex-erp"),
        "/admin/sourcing/endpoint/?q=globex": ("", "globex-erp"),
        "/admin/sourcing/delivery/": ("acme-erp", "globex-erp"),
        "/admin/sourcing/apitoken/": ("Acme ERP", "Globex ERP"),
        "/admin/sourcing/apitoken/?q=Globex": ("", "Globex ERP"),
        f"/admin/sourcing/endpoint/{acme_end.pk}/change/": ("acme-erp", "globex"),
        f"/admin/sourcing/delivery/{acme_delivery.pk}/change/": ("acme-alert", "globex"),
        f"/admin/sourcing/apitoken/{acme_token.pk}/change/": ("Acme ERP", "Globex"),
    }
    for url, (shown, hidden) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert shown in page, url
        assert hidden not in page, url
        assert not [s for s in secrets if s in page], f"{url} shows a secret or a digest"
    for url in (f"/admin/sourcing/endpoint/{globex_end.pk}/change/", f"/admin/sourcing/delivery/{globex_delivery.pk}/change/",
                f"/admin/sourcing/apitoken/{globex_token.pk}/change/"):  # fmt: skip
        assert client.get(url).status_code == 302, url  # "doesn't exist": back to the admin's index
    # and nothing changes through the admin, his team's rows included
    before = (list(Endpoint.objects.order_by("pk").values()), list(ApiToken.objects.order_by("pk").values()))
    for url, data in [
        (f"/admin/sourcing/endpoint/{acme_end.pk}/change/", {"url": "http://evil.example/x", "active": ""}),
        (f"/admin/sourcing/endpoint/{acme_end.pk}/delete/", {"post": "yes"}),
        (f"/admin/sourcing/endpoint/{globex_end.pk}/delete/", {"post": "yes"}),
        (f"/admin/sourcing/apitoken/{acme_token.pk}/change/", {"name": "renamed", "scopes": '["read","write","order"]'}),
        (f"/admin/sourcing/apitoken/{acme_token.pk}/delete/", {"post": "yes"}),
        ("/admin/sourcing/apitoken/add/", {"name": "made here", "team": acme.pk}),
        ("/admin/sourcing/endpoint/", {"action": "delete_selected", "_selected_action": [acme_end.pk, globex_end.pk],
                                       "post": "yes"}),
        ("/admin/sourcing/apitoken/", {"action": "delete_selected", "_selected_action": [acme_token.pk], "post": "yes"}),
    ]:  # fmt: skip
        allowed = (200, 302, 403) if "action" in data else (302, 403)  # an action he lacks: the list again
        assert client.post(url, data).status_code in allowed, url
    assert (list(Endpoint.objects.order_by("pk").values()), list(ApiToken.objects.order_by("pk").values())) == before
