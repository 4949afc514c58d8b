"""The API's pages in a real browser: an owner makes a token on the team's API tokens page (shown once, copied),
and the API's docs (Swagger UI from this server's own files, under the Content-Security-Policy) list the endpoints
and call one with the token; both fit a 390 px phone and a 1280 px desktop. Screenshots: var/screenshots/api/."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "api"


def test_an_owner_makes_a_token_and_the_docs_call_the_api_with_it(page, live_server, alice, acme, kitchen):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/teams/{acme.pk}/")
    page.click("a:has-text('API tokens')")
    page.fill("input[name=name]", "ERP sync")
    page.check("input[name=scopes][value=write]")
    page.click("button:has-text('Make the token')")
    token = page.locator("#new-token").inner_text()
    assert token.startswith("pt_") and "Copy it now" in page.content()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page_width(page) <= width
        page.screenshot(path=str(SHOTS / f"tokens-new-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/teams/{acme.pk}/api-tokens/")
    assert token not in page.content() and "ERP sync" in page.content()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page_width(page) <= width
        page.screenshot(path=str(SHOTS / f"tokens-{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector("text=Sourcing Portal API")
    page.wait_for_selector("#operations-lists-lists_list")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"docs-{width}.png"), full_page=False)
    # authorise with the token and call GET /api/v1/lists/ from the docs
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("button.authorize")
    page.fill(".auth-container input", token)
    page.click(".auth-btn-wrapper button.authorize")
    page.click("button.btn-done")
    page.click("#operations-lists-lists_list .opblock-summary")
    page.click("#operations-lists-lists_list button.try-out__btn")
    page.click("#operations-lists-lists_list button.execute")
    page.wait_for_selector("#operations-lists-lists_list .live-responses-table .response-col_status")
    answer = page.locator("#operations-lists-lists_list .live-responses-table").inner_text()
    assert "200" in answer and "Spring kitchen range" in answer
    page.screenshot(path=str(SHOTS / "docs-called-1280.png"), full_page=False)
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
