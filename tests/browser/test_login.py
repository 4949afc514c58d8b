"""Main journey in a real browser: alice logs in and sees her team."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_logs_in_and_sees_her_team(page, live_server, alice, bob):
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "sourcing-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h2:has-text('Acme Sourcing')")
    assert "Hello, alice" in page.content()
    page.click("text=Members and invitations")
    page.wait_for_selector("td:has-text('bob')")
    # the page works at phone width: the menu folds behind a toggle
    page.set_viewport_size({"width": 390, "height": 800})
    assert not page.is_visible("nav >> text=Search")
    page.click("label.nav-toggle-label")
    assert page.is_visible("nav >> text=Search")
