"""At phone width (390 px) the credential pages fit the screen: nothing scrolls sideways."""

import pytest

from sourcing.accounts.models import Membership
from sourcing.connections.models import ApiCallLog, ConnectionCheck
from tests.browser import log_in, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# What made the pages 478-546 px wide: a gateway message with a Java class name and a long id.
LONG_MESSAGE = (
    "com.alibaba.openapi.gateway.exception.RequestValidateException: Invalid appKey, unsport appKey: "
    "30051688 request_id=0b1f51c6a7d94e2f8a3c5b7d9e1f2a4c6b8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c"
)


@pytest.fixture
def busy_credential(connected, bob):
    """Alice's connected credential, shared with bob, with a failed test and gateway errors on record."""
    connected.shared_with_team = Membership.objects.get(user=connected.owner).team
    connected.save()
    ApiCallLog.objects.create(credential=connected, api="system:currentTime-1", outcome=ApiCallLog.Outcome.ERROR,
                              error_code="400", message=LONG_MESSAGE)  # fmt: skip
    ConnectionCheck.objects.create(
        credential=connected, requested_by=connected.owner, state=ConnectionCheck.State.FAILED, progress=100,
        steps=[{"name": "Reach the gateway", "ok": False, "detail": LONG_MESSAGE, "code": "400"}],
    )  # fmt: skip
    return connected


@pytest.mark.parametrize("username", ["alice", "bob"])
def test_credential_and_status_pages_fit_a_phone(page, live_server, busy_credential, username):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, username)
    for path in (f"/connections/{busy_credential.pk}/", "/api-status/", "/connections/", "/connections/new/"):
        page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= PHONE["width"], path


def test_admin_usage_chart_fits_a_phone_and_a_desktop(page, live_server, busy_credential):
    log_in(page, live_server, "alice")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/admin/sourcing/appcredential/{busy_credential.pk}/change/")
        chart = page.locator("div.chart")
        box = chart.bounding_box()
        assert box["width"] > 150, width
        assert box["x"] + box["width"] <= width, width
        # every day's column is inside the visible chart, none cut off
        last_column = chart.locator("span").last.bounding_box()
        assert last_column["x"] + last_column["width"] <= box["x"] + box["width"] + 1, width
        assert page_width(page) <= width, width


def test_disconnect_asks_for_confirmation_at_phone_width(page, live_server, busy_credential):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/connections/{busy_credential.pk}/")
    assert not page.is_visible("button:has-text('Yes, disconnect')")
    page.click("summary:has-text('Disconnect')")
    assert page.is_visible("#disconnect >> text=bob")
    page.click("button:has-text('Yes, disconnect')")
    page.wait_for_selector("text=The 1688 account was disconnected")
    assert page_width(page) <= PHONE["width"]


def test_wizard_shows_the_sandbox_console_link_only_for_the_sandbox(page, live_server, alice, settings):
    settings.SANDBOX_ENABLED = True
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/connections/new/")
    link = page.locator("form a:has-text('Open the sandbox console')")
    page.select_option("select[name=gateway]", "sandbox")
    assert link.is_visible()
    assert "/sandbox/console/?callback=" in link.get_attribute("href")
    page.select_option("select[name=gateway]", "live")
    assert not link.is_visible()
    assert page.input_value("input[name=callback_url]").endswith("/auth/1688/callback")
    assert page_width(page) <= PHONE["width"]
