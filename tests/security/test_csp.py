"""Every HTML page, found by walking the URLconf (as a signed-in staff owner and as a visitor), carries a
nonce-based Content-Security-Policy: scripts only from the site's files or with the request's nonce, no inline
event handlers left in the markup for the policy to block."""

import re

from django.test import Client

from tests.catalog.pages.conftest import connected_credential, cup, shelf  # noqa: F401 - fixtures
from tests.security.test_url_walk import fill, url_patterns

NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=_-]+)'")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _policy_problems(label: str, response) -> list[str]:
    """A page without the header, whose scripts may run inline, or with a script the policy would block."""
    if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
        return []
    policy = response.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    script_src = directives.get("script-src", "")
    if "'self'" not in script_src or "unsafe-inline" in script_src or "unsafe-eval" in policy:
        return [f"{label}: no strict script-src in the Content-Security-Policy ({policy!r})"]
    nonce = NONCE.search(script_src)
    problems = []
    body = response.content.decode(errors="replace")
    for tag in SCRIPT_TAG.findall(body):
        if "application/json" in tag:
            continue  # data, not run
        if 'nonce="' in tag and not (nonce and f'nonce="{nonce.group(1)}"' in tag):
            problems.append(f"{label}: a script whose nonce is not the header's: {tag}")
        elif "src=" not in tag and 'nonce="' not in tag:
            problems.append(f"{label}: an inline script without the nonce: {tag}")
    if handler := INLINE_HANDLER.search(body):
        problems.append(f"{label}: an inline event handler: {handler.group(0)[:120]}")
    return problems


def test_every_html_page_carries_the_policy_and_runs_no_inline_script(acme_world, alice):
    alice.is_staff = alice.is_superuser = True  # the admin's pages too
    alice.save(update_fields=["is_staff", "is_superuser"])
    member, visitor = Client(raise_request_exception=False), Client(raise_request_exception=False)
    member.force_login(alice)
    problems, pages = [], 0
    for key, route, _pattern in url_patterns():
        if key in ("logout", "admin:logout"):
            continue  # would sign the member out half-way
        path, _owned = fill(key, route, acme_world)
        for who, client in (("alice", member), ("visitor", visitor)):
            response = client.get(path)
            if response.get("Content-Type", "").startswith("text/html"):
                pages += 1
            problems += _policy_problems(f"{who} GET {path} ({key})", response)
    assert problems == []
    assert pages > 150


def test_each_response_gets_its_own_nonce(client, alice):
    client.force_login(alice)
    first, second = client.get("/lists/"), client.get("/lists/")
    nonces = [NONCE.search(r["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert "script-src 'self' 'nonce-" in first["Content-Security-Policy"]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.content.decode()


def test_the_follow_up_answers_carry_the_policy(client, alice, cup):  # noqa: F811 - cup is a fixture
    from sourcing.catalog.models import Product

    Product.objects.update(detail_fetched_at=None)
    connected_credential(alice)  # so the follow-ups queue jobs (eager tasks never run in this test's transaction)
    client.force_login(alice)
    problems = []
    for path in ("/products/fetch/?q=cup", "/products/612345678901/fetch/", "/products/700001/refresh/",
                 "/categories/30101/fetch/"):  # fmt: skip
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(path, headers=headers, follow=not headers)
            assert response.status_code in (200, 404), path  # 404: an offer the portal lacks, with no credential
            problems += _policy_problems(f"POST {path} {headers}", response)
            if headers:
                assert "Content-Security-Policy" in response, path
    # the page that sends its own follow-up does it with htmx attributes, not an inline script
    page = client.get("/products/612345678999/", headers={"Sec-Fetch-Site": "same-origin"})
    assert 'hx-trigger="load"' in page.content.decode()
    problems += _policy_problems("GET an unknown offer", page)
    assert problems == []
