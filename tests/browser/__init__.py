"""Browser tests: Playwright driving Debian's Chromium; the helpers every journey uses."""

from tests.conftest import PASSWORD


def log_in(page, live_server, username: str = "alice") -> None:
    """Log in through the login form and wait for the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")  # not the language switch's <noscript> button
    page.wait_for_selector("h1:has-text('Hello')")


def page_width(page) -> int:
    """How wide the page is drawn (wider than the window means it scrolls sideways)."""
    return page.evaluate("document.scrollingElement.scrollWidth")
