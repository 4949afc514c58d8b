"""Password reset is throttled per e-mail address, per account and per network address, is mailed by a worker
task that takes an id, and answers the same whether the address has an account or not (issue 18, item 6)."""

import re

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcing.accounts.models import PasswordResetRequest, User

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"
REFUSED = "Too many reset links were asked for: try again in 60 minutes."


def _ask(client, email, ip="198.51.100.1"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=ip)


def _without_csrf(html: str) -> str:
    """The page without what differs on every response anyway: the CSRF token and the CSP nonce."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+', r"\1", html)


def _links(messages) -> list[str]:
    return [re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", m.body).group(1) for m in messages]


@pytest.fixture
def tasks_run():
    """(task name, args, kwargs) of every task that runs in this process."""
    ran = []

    def record(task=None, args=None, kwargs=None, **_kw):
        ran.append((task.name, tuple(args or ()), dict(kwargs or {})))

    task_prerun.connect(record, weak=False)
    yield ran
    task_prerun.disconnect(record)


def test_the_request_queues_a_task_with_an_id_and_the_worker_mails_the_link(
    client, alice, tasks_run, django_capture_on_commit_callbacks
):
    # when someone asks for alice's reset link
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _ask(client, "Alice@Example.com ")
    # then the page answers at once, and nothing was mailed or run inside the request
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == [] and tasks_run == []
    row = PasswordResetRequest.objects.get()
    # when the queued task runs (on a worker; inline here)
    assert len(queued) == 1
    queued[0]()
    # then it took the request's id (not a link, token or address) and mailed alice her link
    assert tasks_run == [("sourcing.tasks.password_reset_send", (row.pk,), {})]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
    assert not PasswordResetRequest.objects.exists()  # done: the address typed is not kept
    # and the link works: alice chooses a new password with it
    link = _links(mail.outbox)[0]
    confirm = client.get(link, follow=True)
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    assert User.objects.get(pk=alice.pk).check_password("a-new-long-pass-42")
    # a second delivery of the same task (a broker may hand it out twice) sends nothing more
    queued[0]()
    assert len(mail.outbox) == 1


def _request_footprint(client, email, ip, capture) -> tuple:
    """What one request does that anyone could time: its answer, its SQL (without values) and the tasks queued."""
    with CaptureQueriesContext(connection) as queries, capture(execute=False) as queued:
        response = _ask(client, email, ip=ip)
    sql = [
        re.sub(r"'[^']*'|\b\d+(\.\d+)?(e[+-]?\d+)?\b|\"s\d+_x\d+\"", "?", q["sql"]) for q in queries.captured_queries
    ]
    return response.status_code, response["Location"], response.content, sql, len(queued)


def test_known_and_unknown_addresses_get_the_same_answer_doing_the_same_work(
    client, alice, django_capture_on_commit_callbacks
):
    # (each from a network address of its own, as two people asking would be)
    known = _request_footprint(client, "alice@example.com", "198.51.100.1", django_capture_on_commit_callbacks)
    unknown = _request_footprint(client, "nobody-here@example.com", "198.51.100.2", django_capture_on_commit_callbacks)
    # the same redirect, the same queries in the same order and one queued task each: nothing to tell them apart
    assert known == unknown
    assert known[0] == 302 and known[4] == 1
    # and the "check your mail" page reads the same
    assert "Check your e-mail" in client.get(known[1]).content.decode()


def test_an_address_is_refused_after_the_limit_whether_it_has_an_account_or_not(
    client, alice, django_capture_on_commit_callbacks
):
    answers = {}
    for email in ("alice@example.com", "nobody-here@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                assert _ask(client, email).status_code == 302
            answers[email] = _ask(client, email)
    # the fourth request in the hour is refused with a clear message, the same for both addresses
    for response in answers.values():
        assert response.status_code == 429
        assert REFUSED in response.content.decode()
    pages = [_without_csrf(r.content.decode()).replace(email, "x") for email, r in answers.items()]
    assert pages[0] == pages[1]
    # alice got three mails, not four; another address from the same network address still works
    assert len(mail.outbox) == 3
    assert _ask(client, "bob@example.com").status_code == 302


def test_one_network_address_asking_for_many_addresses_is_refused(client, alice, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 5
    for n in range(5):
        assert _ask(client, f"guess{n}@example.com", ip="203.0.113.7").status_code == 302
    refused = _ask(client, "alice@example.com", ip="203.0.113.7")
    assert refused.status_code == 429 and REFUSED in refused.content.decode()
    # alice asking from her own address is fine, and the refused request did not count against her address
    for _ in range(3):
        assert _ask(client, "alice@example.com", ip="198.51.100.1").status_code == 302


def test_an_account_gets_no_more_mails_than_the_limit_under_any_of_its_addresses(
    client, alice, django_capture_on_commit_callbacks
):
    # given three links were mailed to alice
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _ask(client, "alice@example.com")
    assert len(mail.outbox) == 3
    # when her address changes and someone asks again at the new one
    User.objects.filter(pk=alice.pk).update(email="alice@new.example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "alice@new.example.com")
    # then the page answers as always (it says nothing about accounts), but her account gets no fourth mail
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    assert not PasswordResetRequest.objects.exists()


def test_an_inactive_account_or_one_without_a_password_gets_nothing(
    client, alice, bob, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    bob.set_unusable_password()
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, "alice@example.com").status_code == 302
        assert _ask(client, "bob@example.com").status_code == 302
    assert mail.outbox == []


def test_a_bad_address_is_explained_and_writes_nothing(client):
    response = _ask(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    # a NUL byte never reaches the form: the portal refuses the request in plain words (UnreadableInputMiddleware)
    refused = _ask(client, "alice@example.com\x00")
    assert refused.status_code == 400 and "cannot read" in refused.content.decode()
    assert not PasswordResetRequest.objects.exists()


def test_the_mail_is_written_in_the_accounts_language_with_the_sites_address(
    client, alice, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.com"
    User.objects.filter(pk=alice.pk).update(language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "alice@example.com", ip="198.51.100.2")
    # the worker has no request to read a language or a host from: the account's language, the site's address
    assert mail.outbox[0].subject == "设置采购门户的新密码"
    assert "https://portal.example.com/accounts/reset/" in mail.outbox[0].body
