"""The console's Messages section and the sandbox_offer command: what a developer does by hand to see messages."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox import messages
from sandbox.models import SandboxAccount, SandboxApp, SandboxMessage, SandboxOffer, SandboxRefreshToken
from tests.sandbox.callback import Callback
from tests.sandbox.test_messages import join_senders, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_app(alice):
    app = SandboxApp(app_key="23456789", owner=alice, name="Alice's app", grant_all=True)
    app.app_secret = "alice-secret-1"
    app.save()
    return app


def test_subscribe_send_a_test_message_see_the_log_and_withdraw(client, alice, alice_app, carol):
    callback = Callback()
    try:
        client.force_login(alice)
        page = client.get("/sandbox/console/23456789/").content.decode()
        assert "Messages (消息订阅)" in page and "No messages yet." in page
        bad = client.post("/sandbox/console/23456789/messages/", {"callback_url": "not a url", "topics": ["x"]})
        assert bad.status_code == 400 and "Enter a valid URL." in bad.content.decode()
        saved = client.post("/sandbox/console/23456789/messages/",
                            {"callback_url": callback.url, "topics": messages.ORDER_TOPICS}, follow=True)  # fmt: skip
        assert "Message subscription saved" in saved.content.decode()
        assert alice_app.subscription.topics == list(messages.ORDER_TOPICS)
        client.post("/sandbox/console/23456789/messages/test/")
        got = json.loads(callback.wait_for(1)[0]["form"]["message"])
        assert got["type"] == "SANDBOX_TEST_MESSAGE" and got["appKey"] == "23456789"
        join_senders()
        log = client.get("/sandbox/console/23456789/").content.decode()
        assert "SANDBOX_TEST_MESSAGE" in log and "delivered" in log and "HTTP 200" in log
        # an account that authorised the app; withdrawing it kills its tokens (the message needs the topic)
        account = SandboxAccount.objects.create(login_id="buyer-w", member_id="b2b-9", ali_id="9")
        from datetime import timedelta

        from django.utils import timezone

        SandboxRefreshToken.objects.create(app=alice_app, account=account, token_digest="b" * 64,
                                           expires_at=timezone.now() + timedelta(days=1))  # fmt: skip
        assert "buyer-w" in client.get("/sandbox/console/23456789/").content.decode()
        client.force_login(carol)  # another user's console: not found, nothing withdrawn
        assert client.post(f"/sandbox/console/23456789/authorizations/{account.pk}/withdraw/").status_code == 404
        client.force_login(alice)
        withdrawn = client.post(f"/sandbox/console/23456789/authorizations/{account.pk}/withdraw/", follow=True)
        assert "buyer-w withdrew the authorisation" in withdrawn.content.decode()
        assert SandboxRefreshToken.objects.get(account=account).revoked_at is not None
        assert "buyer-w" not in client.get("/sandbox/console/23456789/").content.decode()
    finally:
        callback.close()


def test_sandbox_offer_delists_relists_and_changes_options(alice_app, catalog):
    subscribe(alice_app)
    account = SandboxAccount.objects.create(login_id="buyer-o", member_id="b2b-8", ali_id="8")
    offer = SandboxOffer.objects.exclude(sku_axes=[]).order_by("offer_id").first()
    messages.follow(alice_app, account, offer)
    values = len(offer.sku_axes[0][2])
    call_command("sandbox_offer", "--offer", str(offer.offer_id), "--add-option")
    call_command("sandbox_offer", "--offer", str(offer.offer_id), "--remove-option")
    call_command("sandbox_offer", "--offer", str(offer.offer_id), "--delist")
    call_command("sandbox_offer", "--offer", str(offer.offer_id), "--relist")
    offer.refresh_from_db()
    assert len(offer.sku_axes[0][2]) == values and offer.listed
    types = list(SandboxMessage.objects.order_by("msg_id").values_list("type", flat=True))
    assert types == [messages.MODIFY, messages.INVENTORY, messages.MODIFY, messages.INVENTORY, messages.EXPIRE,
                     messages.REPOST]  # fmt: skip
    call_command("sandbox_offer", "--offer", str(offer.offer_id), "--delete")
    assert not SandboxOffer.objects.filter(offer_id=offer.offer_id).exists()
    assert SandboxMessage.objects.order_by("msg_id").last().type == messages.DELETE
    with pytest.raises(CommandError):
        call_command("sandbox_offer", "--offer", "x²", "--delist")


def test_sandbox_app_subscribes_from_the_command_line(alice_app):
    call_command("sandbox_app", "--app-key", "23456789", "--message-callback", "http://127.0.0.1:9/hook",
                 "--topic", "ORDER_BUYER_VIEW_ORDER_PAY", stdout=io.StringIO())  # fmt: skip
    call_command("sandbox_app", "--app-key", "23456789", "--topic", messages.AUTH_CANCEL, stdout=io.StringIO())
    alice_app.refresh_from_db()
    subscription = alice_app.subscription
    assert subscription.callback_url == "http://127.0.0.1:9/hook"
    assert subscription.topics == ["ORDER_BUYER_VIEW_ORDER_PAY", messages.AUTH_CANCEL]
    call_command("sandbox_app", "--app-key", "23456789", "--all-topics", stdout=io.StringIO())
    assert SandboxApp.objects.get(pk=alice_app.pk).subscription.topics == messages.TOPICS
    with pytest.raises(CommandError):
        call_command("sandbox_app", "--app-key", "23456789", "--topic", "NOT_A_TOPIC", stdout=io.StringIO())
