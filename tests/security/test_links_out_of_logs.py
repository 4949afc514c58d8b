"""Reset links, invitation links and OAuth codes never reach a log line: not the web server's request lines
(runserver's and gunicorn's), not the worker's output, not a captured log (issue 18, item 6)."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sourcing.accounts.models import Membership, User
from tests.conftest import BASE_DIR, database_url_for_subprocess, wait_for, worker_log

pytestmark = pytest.mark.worker

CODE, STATE = "c0de-9f8e7d6c5b4a", "st4te-0a1b2c3d4e5f"
INVITE_TOKEN = "IzDeNsxltFHXbB4hmrS1zq14RUAUL1QHZ_OR7zx9NBc"
RESET_TOKEN = "dj7v9i-ffbbc69ee9798d81da778cf530f22ca6"

# The documented commands (README, "Production"; docs/security.md, "Access logs").
SERVERS = {
    "runserver": lambda port: [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
    "gunicorn": lambda port: [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
                              "--workers", "1", "--access-logfile", "-"],
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A web server process on the test database, its output (stdout and stderr) in one file."""

    def __init__(self, kind: str, log_path: Path, env: dict):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed by stop()
        self.proc = subprocess.Popen(
            SERVERS[kind](self.port), cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                requests.get(f"{self.url}/accounts/login/", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its worker still booting
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"{kind} did not start:\n{self.output()[-3000:]}")

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture
def start_server(transactional_db, tmp_path):
    started = []

    def start(kind: str, env: dict | None = None) -> Server:
        env = dict(env or os.environ, DATABASE_URL=database_url_for_subprocess(), PYTHONUNBUFFERED="1")
        server = Server(kind, tmp_path / f"{kind}.log", env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.mark.parametrize("kind", ["runserver", "gunicorn"])
def test_request_lines_with_codes_and_bearer_tokens_are_masked(start_server, kind):
    server = start_server(kind)
    paths = [
        f"/auth/1688/callback?code={CODE}&state={STATE}",  # a visitor: redirected to log in, the URL in `next`
        f"/invite/{INVITE_TOKEN}/",
        f"/accounts/reset/MQ/{RESET_TOKEN}/",
        f"/accounts/login/?next=%2Finvite%2F{INVITE_TOKEN}%2F",
    ]
    for path in paths:
        assert requests.get(server.url + path, allow_redirects=False, timeout=10).status_code < 500
    output = wait_for(lambda: (text := server.output()).count("/accounts/login/?next=%2Finvite%2F") and text)
    # then each request is in the log, with its secrets masked and everything else as it was
    assert "/auth/1688/callback?code=***&state=*** HTTP/1.1" in output
    assert "/invite/***/ HTTP/1.1" in output
    assert "/accounts/reset/MQ/***/ HTTP/1.1" in output
    assert "/accounts/login/?next=%2Finvite%2F***%2F HTTP/1.1" in output
    for secret in (CODE, STATE, INVITE_TOKEN, RESET_TOKEN):
        assert secret not in output, (secret, output)


def _form_post(session: requests.Session, url: str, data: dict, page_url: str | None = None) -> requests.Response:
    """Open the form's page (for its CSRF token), then post it as a browser would."""
    page = session.get(page_url or url, timeout=20)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={**data, "csrfmiddlewaretoken": token}, headers={"Referer": url}, timeout=20)


def _mail_with(mail_dir: Path, pattern: str) -> re.Match:
    def find():
        for path in sorted(mail_dir.iterdir()):
            found = re.search(pattern, path.read_text(errors="replace"))
            if found:
                return found
        return None

    return wait_for(find, timeout=60)


def test_a_full_reset_and_an_invitation_leave_no_link_in_any_log(
    start_server, celery_worker_process, alice, acme, caplog
):
    caplog.set_level("DEBUG")
    worker = celery_worker_process
    web = start_server("runserver", dict(os.environ, EMAIL_URL=f"filemail:///{worker.mail_dir}"))
    # alice asks for a reset link; the worker mails it (to the mail folder, not the console)
    browser = requests.Session()
    asked = _form_post(browser, f"{web.url}/accounts/password_reset/", {"email": "alice@example.com"})
    assert asked.url.endswith("/accounts/password_reset/done/")
    reset = _mail_with(worker.mail_dir, r"https?://[^/\s]+(/accounts/reset/([\w-]+)/([\w-]+)/)")
    reset_path, reset_token = reset.group(1), reset.group(3)
    # she opens it and sets a new password, then logs in with it
    opened = browser.get(web.url + reset_path, timeout=20)
    assert "set-password" in opened.url
    new_password = "a-new-long-pass-42"
    done = _form_post(browser, opened.url, {"new_password1": new_password, "new_password2": new_password})
    assert done.url.endswith("/accounts/reset/done/")
    logged_in = _form_post(browser, f"{web.url}/accounts/login/", {"username": "alice", "password": new_password})
    assert logged_in.url == f"{web.url}/"
    # she invites dave; the worker mails him his link
    invited = _form_post(browser, f"{web.url}/teams/{acme.pk}/invite/", {"email": "dave@example.com", "role": "buyer"},
                         page_url=f"{web.url}/teams/{acme.pk}/")  # fmt: skip
    assert invited.status_code == 200
    invite = _mail_with(worker.mail_dir, r"https?://[^/\s]+(/invite/([\w-]+)/)")
    invite_path, invite_token = invite.group(1), invite.group(2)
    # dave opens it, signs up from it and joins
    dave = requests.Session()
    assert "Log in to accept" in dave.get(web.url + invite_path, timeout=20).text
    signup = f"{web.url}/accounts/signup/?next={invite_path}"
    data = {"username": "dave", "email": "dave@example.com", "password1": "a-Long-pass-88",
            "password2": "a-Long-pass-88", "next": invite_path}  # fmt: skip
    assert _form_post(dave, signup, data).url == web.url + invite_path
    _form_post(dave, web.url + invite_path, {})
    assert Membership.objects.filter(user__username="dave", team=acme).exists()
    assert User.objects.get(username="alice").check_password(new_password)
    # then neither link, nor its token, is in any log: the web server's, the worker's, or this process's
    time.sleep(0.5)  # the last request lines
    logs = {"web": web.output(), "worker": worker_log(worker), "captured": caplog.text}
    assert "/invite/***/" in logs["web"] and f"/accounts/reset/{reset.group(2)}/***/" in logs["web"]
    assert "Task sourcing.tasks.password_reset_send" in logs["worker"]
    assert "Task sourcing.tasks.invitation_send" in logs["worker"]
    found = [
        (what, where)
        for what, value in {"reset token": reset_token, "invitation token": invite_token}.items()
        for where, text in logs.items()
        if value in text
    ]
    assert found == []
