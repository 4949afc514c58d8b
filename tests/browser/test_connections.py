"""Main journey in a real browser: alice connects her 1688 account and tests the connection."""

import pytest

from sourcing.connections.models import OAuthToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_connects_1688_and_tests_the_connection(page, live_server, alice, alice_credential):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "sourcing-demo")
    page.click("button[type=submit]")
    page.click("nav >> text=Connections")
    page.click("table a:has-text('Acme app')")
    page.click("button:has-text('Connect 1688 account')")
    # the sandbox's 1688-style consent page
    page.wait_for_selector("text=授权应用访问您的1688账号")
    page.fill("input[name=login_id]", "华南采购部")
    page.click("button:has-text('同意授权')")
    page.wait_for_selector("text=Connected to 1688 as 华南采购部")
    assert OAuthToken.objects.get().resource_owner == "华南采购部"
    page.click("nav >> text=API status")
    assert page.is_visible("text=30051688")
    # the expiry countdown is kept live by the page's script
    assert page.wait_for_selector("time[data-countdown]").inner_text().startswith("9 h ")
    page.click("button:has-text('Test connection')")
    page.wait_for_selector("#check >> text=Passed", timeout=20000)
    assert page.locator("#check li").count() == 3
    assert page.is_visible("text=signature accepted")
    # at phone width the permission table folds into labelled rows
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.locator("td[data-label='Permission']").first.is_visible()
