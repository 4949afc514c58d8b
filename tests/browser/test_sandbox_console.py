"""A newcomer at phone width creates a sandbox app in the console and sees its keys."""

import re

import pytest

from sandbox.models import SandboxApp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_creates_a_sandbox_app_on_her_phone(page, live_server, alice):
    # given alice on a 390 px wide screen, sent to the console by the portal's wizard
    page.set_viewport_size({"width": 390, "height": 844})
    callback = f"{live_server.url}/auth/1688/callback"
    page.goto(f"{live_server.url}/sandbox/console/?callback={callback}")
    # the console needs a portal account: log in first
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "sourcing-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Sandbox console')")
    assert page.input_value("input[name=redirect_uri]") == callback
    assert page.locator("input[name=grants]:checked").count() == page.locator("input[name=grants]").count() > 5
    # when she names the app and creates it
    page.fill("input[name=name]", "My phone app")
    page.click("button:has-text('Create app')")
    # then she sees the App Key and the App Secret, once
    page.wait_for_selector("text=Copy the App Secret now")
    app = SandboxApp.objects.get()
    assert page.input_value("#app-key") == app.app_key
    assert re.fullmatch(r"\d{8}", app.app_key)
    assert page.input_value("#new-secret") == app.app_secret
    assert page.is_visible("#new-secret")
    # and nothing overflows the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # back in the list, the key is there
    page.click("text=← Your sandbox apps")
    assert page.locator(f"td[data-label='App Key'] >> text={app.app_key}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
