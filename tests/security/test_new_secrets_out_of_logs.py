"""The secrets this release added stay out of logs, task messages and pages after the first: a webhook endpoint's
signing secret (made, rolled, used to sign a delivery) and an API token (made, used, misplaced in a query string,
percent-encoded as a proxy would log it)."""

import logging
import re

import pytest

from sourcing.api.models import ApiToken
from sourcing.logging import mask_secrets
from sourcing.webhooks.models import Endpoint
from tests.api.conftest import Api
from tests.security.test_secret_scan import log_lines, task_messages  # noqa: F401 - fixtures
from tests.webhooks.conftest import receiver  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
WHSEC = re.compile(r"whsec_[A-Za-z0-9+/=]{20,}")
TOKEN = re.compile(r"pt_[0-9a-f]+_[A-Za-z0-9_\-]{20,}")


def test_webhook_secrets_and_api_tokens_stay_out_of_logs_and_later_pages(client, alice, acme, request,
                                                                          django_capture_on_commit_callbacks):  # fmt: skip
    hooks, logs, queue = (request.getfixturevalue(n) for n in ("receiver", "log_lines", "task_messages"))
    client.force_login(alice)
    made = client.post(f"/teams/{acme.pk}/webhooks/", {"url": hooks.url, "kinds": ["alert.fired"]}, follow=True)
    secrets = set(WHSEC.findall(made.content.decode()))
    assert len(secrets) == 1, "the new secret is shown once"
    endpoint = Endpoint.objects.get()
    base = f"/teams/{acme.pk}/webhooks/{endpoint.pk}/"
    rolled = client.post(base + "roll/", follow=True).content.decode()
    secrets |= set(WHSEC.findall(rolled))
    assert len(secrets) == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(base + "test/")
    assert hooks.requests, "the test event was delivered, signed"
    made = client.post(f"/teams/{acme.pk}/api-tokens/", {"name": "ERP", "scopes": ["read"]}).content.decode()
    tokens = set(TOKEN.findall(made))
    assert len(tokens) == 1
    raw = tokens.pop()
    api = Api(raw)
    api.get("/api/v1/lists/")
    api.get("/api/v1/lists/99999999/")  # a 404: Django logs its path
    api.client.get(f"/api/v1/nowhere/?token={raw}")  # a token misplaced in a query string
    logging.getLogger("django.server").info('"GET /api/v1/lists/?auth=Bearer%%20%s HTTP/1.1" 401 58', raw)
    logging.getLogger("sourcing").warning("delivery failed with %s", sorted(secrets))

    later = "".join(client.get(path).content.decode() for path in (
        base, f"/teams/{acme.pk}/webhooks/", f"/teams/{acme.pk}/api-tokens/", base + "?part=deliveries",
    ))  # fmt: skip
    logged, queued = logs.getvalue(), "\n".join(queue)
    for secret in [*secrets, raw]:
        assert secret not in later, "shown again after its first page"
        assert secret not in logged, "written to a log"
        assert secret not in queued, "put into a task message"
    assert f"pt_{ApiToken.objects.get().key_id}_***" in logged  # the key id still names the token in the log


@pytest.mark.parametrize("line", [
    "GET /api/v1/?auth=Bearer%20pt_0a1b2c_SeCrEt-value_1 HTTP/1.1",
    "GET /api/v1/?auth=Bearer%2520pt_0a1b2c_SeCrEt-value_1 HTTP/1.1",
    "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+/== rolled",
    "next=/x%3Fs%3Dwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw%2B%2F%3D%3D",
])  # fmt: skip
def test_the_mask_finds_them_however_they_are_spelled(line):
    masked = mask_secrets(line)
    assert "SeCrEt" not in masked and "MfKQ9r8G" not in masked, masked
