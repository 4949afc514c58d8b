"""Wrong passwords are throttled per account and per address, at login and at Reveal (issue 7, item 7)."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from sourcing.accounts.models import User
from sourcing.connections.models import AppCredential, SecretAudit
from sourcing.core.throttle import Throttled, throttle_check, throttle_clear, throttle_fail
from tests.conftest import BASE_DIR, PASSWORD, database_url_for_subprocess

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts: try again in 15 minutes."
SECRET = "a1b2c3d4e5f6-app-secret"


def _login(client, username, password, ip="198.51.100.1", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


# --- Login (django-axes) ---


def test_five_wrong_passwords_lock_the_account_with_a_clear_page(client, alice):
    for _ in range(4):
        response = _login(client, "alice", "wrong")
        assert response.status_code == 200
        assert "do not match" in response.content.decode()
    # the fifth wrong password locks the account
    response = _login(client, "alice", "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # and while locked, even the right password does not log in
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _logged_in(client)


def test_an_account_locked_from_many_addresses_stays_locked_from_a_new_one(client, alice, bob):
    for n in range(5):
        _login(client, "alice", "wrong", ip=f"198.51.100.{10 + n}")
    assert _login(client, "alice", PASSWORD, ip="198.51.100.99").status_code == 429
    # another account from that new address is not affected
    assert _login(client, "bob", PASSWORD, ip="198.51.100.99").status_code == 302
    assert _logged_in(client)


def test_one_address_trying_many_accounts_is_locked(client, alice, settings):
    settings.AUTH_ADDRESS_FAILURE_LIMIT = 8
    for n in range(7):
        _login(client, f"user{n}", "guess", ip="203.0.113.7")
    assert _login(client, "alice", PASSWORD, ip="203.0.113.7").status_code == 302  # 7 < 8: colleagues still work
    client.logout()
    _login(client, "user7", "guess", ip="203.0.113.7")
    locked = _login(client, "alice", PASSWORD, ip="203.0.113.7")
    assert locked.status_code == 429
    assert "from this network address is paused" in locked.content.decode()
    # alice from her own address is fine
    assert _login(client, "alice", PASSWORD, ip="198.51.100.1").status_code == 302


def test_a_colleagues_typos_do_not_lock_the_office_address(client, alice, bob, carol):
    # given carol mistypes her password five times from the office's one address
    for _ in range(5):
        _login(client, "carol", "typo", ip="203.0.113.20")
    assert _login(client, "carol", PASSWORD, ip="203.0.113.20").status_code == 429  # her account waits
    # then bob, from the same address, logs in with his own password
    assert _login(client, "bob", PASSWORD, ip="203.0.113.20").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, alice):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login(client, "alice", "wrong")
    assert _login(client, "alice", PASSWORD).status_code == 429
    # when 15 minutes have passed since the last try
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))
    # then alice logs in
    assert _login(client, "alice", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_a_successful_login_forgets_earlier_mistakes(client, alice):
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert _login(client, "alice", "wrong").status_code == 200
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, alice):
    for _ in range(5):
        response = _login(client, "alice", "wrong", url="/admin/login/")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert _login(client, "alice", PASSWORD, url="/admin/login/").status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_counted(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": f"nobody{_}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50",
        )
    # the proxy's own address is not locked for everyone behind it (nor would 5 typos lock an address)
    ok = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert ok.status_code == 302


# --- Reveal (sourcing/core/throttle.py) ---


@pytest.fixture
def alice_app(alice):
    credential = AppCredential(owner=alice, name="Acme app", app_key="8000001")
    credential.app_secret = SECRET
    credential.save()
    return credential


@pytest.fixture
def carol_app(carol):
    credential = AppCredential(owner=carol, name="Globex app", app_key="8000002")
    credential.app_secret = SECRET
    credential.save()
    return credential


def _reveal(client, credential, password, ip="198.51.100.1"):
    response = client.post(f"/connections/{credential.pk}/reveal/", {"password": password}, REMOTE_ADDR=ip)
    return response.status_code, response.content.decode()


def test_reveal_locks_after_five_wrong_passwords_without_checking_more(client, alice, alice_app, monkeypatch):
    client.force_login(alice)
    for _ in range(4):
        status, page = _reveal(client, alice_app, "wrong")
        assert (status, "That password is not right. The secret stays hidden." in page) == (403, True)
    status, page = _reveal(client, alice_app, "wrong")
    assert status == 429
    assert f"That password is not right. {LOCKED}" in page
    # when alice (or whoever holds her session) tries the right password while locked
    checked = []
    monkeypatch.setattr(User, "check_password", lambda self, raw: checked.append(raw) or True)
    status, page = _reveal(client, alice_app, PASSWORD)
    # then the password is not even looked at, and the secret stays hidden
    assert status == 429
    assert LOCKED in page
    assert checked == []
    assert SECRET not in page
    assert not SecretAudit.objects.filter(action=SecretAudit.Action.REVEAL).exists()


def test_reveal_is_throttled_per_address_and_per_user(client, alice, alice_app, carol, carol_app):
    client.force_login(alice)
    for _ in range(5):
        _reveal(client, alice_app, "wrong", ip="203.0.113.9")
    # alice is locked from any address
    assert _reveal(client, alice_app, PASSWORD, ip="198.51.100.77")[0] == 429
    # carol from the same address is locked too; from her own address she can reveal
    client.force_login(carol)
    assert _reveal(client, carol_app, PASSWORD, ip="203.0.113.9")[0] == 429
    status, page = _reveal(client, carol_app, PASSWORD, ip="198.51.100.200")
    assert status == 200
    assert SECRET in page


def test_a_successful_reveal_forgets_the_users_mistakes(client, alice, alice_app):
    client.force_login(alice)
    for _ in range(4):
        _reveal(client, alice_app, "wrong", ip=f"198.51.100.{_ + 1}")
    assert _reveal(client, alice_app, PASSWORD, ip="198.51.100.50")[0] == 200
    for _ in range(4):
        assert _reveal(client, alice_app, "wrong", ip=f"198.51.100.{_ + 60}")[0] == 403


# --- The throttle itself ---


def test_throttle_locks_for_the_period_and_then_opens():
    keys = ["test:short"]
    throttle_check(keys=keys)
    throttle_fail(keys=keys, limit=2, period=1.0)
    with pytest.raises(Throttled) as locked:
        throttle_fail(keys=keys, limit=2, period=1.0)
    assert 0.9 < locked.value.wait <= 1.0
    assert str(locked.value) == "Too many failed attempts: try again in 1 minute."
    with pytest.raises(Throttled):
        throttle_check(keys=keys)
    time.sleep(1.1)
    throttle_check(keys=keys)  # open again
    throttle_fail(keys=keys, limit=2, period=1.0)
    throttle_clear(keys=keys)
    throttle_fail(keys=keys, limit=2, period=1.0)  # cleared: this is a first failure again


@pytest.mark.django_db(transaction=True)
def test_a_lockout_holds_in_every_web_process():
    # given a key locked in this process
    for _ in range(5):
        try:
            throttle_fail(keys=["reveal:user:shared"])
        except Throttled:
            pass
    # when another process (another gunicorn worker) checks it
    code = (
        "import django; django.setup()\n"
        "from sourcing.core.throttle import Throttled, throttle_check\n"
        "try:\n    throttle_check(keys=['reveal:user:shared'])\n    print('open')\n"
        "except Throttled as locked:\n    print('locked', locked.minutes)\n"
    )
    env = dict(os.environ, DATABASE_URL=database_url_for_subprocess(), DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    # then it is locked there too
    assert result.stdout.strip() == "locked 15", result.stderr
