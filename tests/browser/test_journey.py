"""The whole journey in a real browser with a real worker, at desktop and phone widths: mei signs up with a new
team, makes a sandbox app and adds it as a credential, connects on the sandbox consent screen, searches 保温杯,
saves an offer to a new list, invites lin who signs up from the link and comments, exports the list, contacts
the supplier; an admin puts a permission under review and mei's API status shows it. Every step is screenshot
to var/screenshots/journey/<width>/, and on a phone no page scrolls sideways."""

import csv
import io
import re
import shutil

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.conftest import BASE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = BASE_DIR / "var" / "screenshots" / "journey"
PASSWORD = "Journey-pass-2026"
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
WIDTHS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "user_agent": PHONE_UA},
}  # fmt: skip
# The innermost elements whose right edge is past the screen's: what to fix when a page scrolls sideways.
PAST_THE_EDGE = """width => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && e.children.length === 0).slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.getAttribute("class") ? "." + e.getAttribute("class") : ""))"""
WORKER = 40_000  # ms: how long a page may wait for the worker's answer


class Camera:
    """Saves a full-page screenshot of each step; at phone width it first checks nothing scrolls sideways."""

    def __init__(self, width: int, phone: bool):
        self.folder = SCREENSHOTS / str(width)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.width, self.phone, self.count = width, phone, 0

    def fits(self, page, step: str):
        """At phone width, fail if the page is wider than the screen, naming what sticks out."""
        if self.phone:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= min(self.width, page.evaluate("innerWidth")), (
                f"{step}: {page.url} is {scroll} px wide; past the edge: {page.evaluate(PAST_THE_EDGE, self.width)}"
            )

    def shoot(self, page, step: str):
        self.count += 1
        self.fits(page, step)
        page.screenshot(path=self.folder / f"{self.count:02d}-{step}.png", full_page=True)


def nav(page, label: str):
    """Follow a link of the top menu; on a phone the menu opens behind ☰ first."""
    link = page.locator("nav.nav a", has_text=label).first
    if not link.is_visible():
        page.click("label.nav-toggle-label")
    with page.expect_navigation():
        link.click()


def sign_up(page, username: str, team: str = ""):
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    if team:
        page.fill("input[name=team_name]", team)
    page.click("form button:has-text('Sign up')")


@pytest.fixture
def journey_worker(settings, monkeypatch, live_server, catalog, request):
    """The portal and a real worker pointed at the live server's sandbox; no app, no user yet."""
    for name, value in {"SITE_URL": live_server.url, "ALIBABA_API_URL": f"{live_server.url}/sandbox/openapi",
                        "ALIBABA_AUTHORIZE_URL": f"{live_server.url}/sandbox/oauth/authorize"}.items():  # fmt: skip
        setattr(settings, name, value)
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("celery_worker_process")


@pytest.mark.parametrize("screen", WIDTHS)  # not "device": pytest-playwright has a fixture of that name
def test_the_whole_journey(new_context, live_server, journey_worker, monkeypatch, tmp_path, screen):
    args = {**WIDTHS[screen], "locale": "en-US"}
    width = args["viewport"]["width"]
    camera = Camera(width, screen == "phone")
    url = live_server.url
    mei = new_context(**args)  # each person in a browser of their own, closed after the test
    page = mei.new_page()

    # mei signs up and creates her team
    page.goto(f"{url}/accounts/signup/")
    assert page.inner_text("h1") == "Create an account"
    camera.fits(page, "sign-up form")
    sign_up(page, "mei", team="Mei Trading")
    page.wait_for_selector("h1:has-text('Hello, mei')")
    assert page.is_visible(".msg-success:has-text('Welcome, mei! Your account is ready.')")
    camera.shoot(page, "signed-up")

    # she adds a credential: the wizard sends her to the sandbox console, which makes an app with her callback
    nav(page, "Connections")
    camera.fits(page, "connections")
    page.click("a:has-text('Add a 1688 app')")
    page.wait_for_selector("h1:has-text('Add your 1688 app')")
    camera.fits(page, "wizard")
    page.select_option("select[name=gateway]", "sandbox")
    with page.expect_popup() as popup:
        page.click("#credential-form a:has-text('Open the sandbox console')")
    console = popup.value
    console.wait_for_selector("h1:has-text('Sandbox console')")
    assert console.input_value("input[name=redirect_uri]") == f"{url}/auth/1688/callback"
    console.fill("input[name=name]", "Mei's test app")
    console.click("button:has-text('Create app')")
    console.wait_for_selector("text=Copy the App Secret now")
    app_key, app_secret = console.input_value("#app-key"), console.input_value("#new-secret")
    qps = console.input_value("input[name=qps]")
    camera.shoot(console, "sandbox-app")
    console.close()
    page.fill("input[name=name]", "Mei sandbox")
    page.fill("input[name=app_key]", app_key)
    page.fill("input[name=app_secret]", app_secret)
    page.fill("input[name=qps]", qps)  # the calls per second the console granted
    camera.shoot(page, "credential-form")
    page.click("button:has-text('Save credential')")
    page.wait_for_selector(".msg-success:has-text('Credential saved.')")
    # the worker makes one signed call; the page reloads itself when it is done
    page.wait_for_selector("text=1688 confirmed this App Key and secret", timeout=WORKER)
    assert page.inner_text("h1").startswith("Mei sandbox")
    camera.shoot(page, "key-confirmed")

    # connect: the sandbox's 1688-style consent screen, approved
    page.click(".next-step button:has-text('Connect 1688 account')")
    page.wait_for_selector("text=授权应用访问您的1688账号")
    page.fill("input[name=login_id]", "美采购")
    camera.shoot(page, "consent")
    page.click("button:has-text('同意授权')")
    page.wait_for_selector(".msg-success:has-text('Connected to 1688 as 美采购')")
    page.wait_for_selector("text=Ready: connected to 1688 as 美采购, permissions checked.", timeout=WORKER)
    camera.shoot(page, "connected")

    # she searches 保温杯: the worker asks the sandbox and the results are swapped in
    page.click("a.brand")
    page.fill("form.searchbar input[name=q]", "保温杯")
    page.click("form.searchbar button[type=submit]")
    page.wait_for_selector("#search-results .pcard", timeout=WORKER)
    page.wait_for_selector("#job.job-done", timeout=WORKER)
    card = page.locator("#search-results .pcard").first
    title = card.locator(".pcard-title").inner_text()
    assert "保温杯" in title and "¥" in card.inner_text()
    camera.shoot(page, "search")

    # she opens the first offer; the worker fetches its details
    card.locator("a.pcard-link").click()
    page.wait_for_selector("table.tiers", timeout=WORKER)
    assert title in page.inner_text("h1.pdp-title")
    product_url = page.url
    camera.shoot(page, "product")

    # and saves it, for 300 pieces, to a new list
    page.fill("#qty", "300")
    page.wait_for_selector("#quote-result .quote-line:has-text('300 ')")
    page.fill("#save-box input[name=new_list_name]", "Spring thermos")
    page.click("#save-box button:has-text('Save to list')")
    page.wait_for_selector("#save-box .save-ok:has-text('Saved to “Spring thermos”.')")
    assert page.is_visible("#save-box .on-lists:has-text('Spring thermos')")
    camera.shoot(page, "saved-to-list")

    # she invites lin to the team; the page shows the link once
    nav(page, "Teams")
    camera.fits(page, "teams")
    page.click("a:has-text('Mei Trading')")
    page.wait_for_selector("h1:has-text('Mei Trading')")
    page.fill("input[name=email]", "lin@example.com")
    page.click("button:has-text('Create invitation')")
    flash = page.inner_text(".msg-success")
    assert "Invitation created for lin@example.com" in flash
    invite_url = re.search(r"https?://\S+/invite/\S+/", flash).group(0)
    camera.shoot(page, "invited")

    # lin, in her own browser, signs up from the link and joins
    lin = new_context(**args)
    lin_page = lin.new_page()
    lin_page.goto(invite_url)
    assert lin_page.inner_text("h1") == "Join Mei Trading"
    assert lin_page.is_visible("text=mei invited you as Buyer")
    camera.shoot(lin_page, "invitation")
    lin_page.click("a:has-text('Create an account')")
    camera.fits(lin_page, "teammate sign-up form")
    sign_up(lin_page, "lin")
    lin_page.click("button:has-text('Accept invitation')")
    lin_page.wait_for_selector(".msg-success:has-text('You joined Mei Trading.')")
    assert lin_page.locator("td[data-label=User]", has_text="lin").count() == 1
    camera.shoot(lin_page, "teammate-joined")

    # she sees the offer on the list and comments on it
    nav(lin_page, "Lists")
    camera.fits(lin_page, "lists")
    lin_page.click("a:has-text('Spring thermos')")
    lin_page.wait_for_selector("h1:has-text('Spring thermos')")
    assert lin_page.locator(".litem").count() == 1 and title in lin_page.inner_text(".litems")
    camera.shoot(lin_page, "teammate-list")
    lin_page.click(".litem-title")
    lin_page.fill("textarea[name=text]", "样品先要两个。Two samples first, please.")
    lin_page.click("button:has-text('Add comment')")
    lin_page.wait_for_selector(".comments:has-text('Two samples first')")
    camera.shoot(lin_page, "teammate-comment")

    # mei sees the comment and exports the list
    nav(page, "Lists")
    page.click("a:has-text('Spring thermos')")
    page.wait_for_selector(".litem-comments:has-text('Two samples first')")
    camera.shoot(page, "list-with-comment")
    with page.expect_download() as download:
        page.click("a:has-text('Excel')")
    xlsx = tmp_path / download.value.suggested_filename
    download.value.save_as(xlsx)
    rows = list(load_workbook(xlsx).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert xlsx.suffix == ".xlsx" and [r[2] for r in rows] == [title] and rows[0][7] == 300
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    raw = download.value.path().read_bytes().decode("utf-8-sig")
    assert [r["Title"] for r in csv.DictReader(io.StringIO(raw))] == [title]

    # she contacts the supplier: the worker asks 1688 for the WangWang chat link
    page.goto(product_url)
    page.click("text=Contact supplier")
    page.wait_for_selector("h1:has-text('Contact the supplier')")
    page.fill("#id_quantity", "300")
    page.check("input[name=language][value=en]")
    page.wait_for_function(
        "() => document.querySelector('#id_message').value.includes('Quantity: 300')"
    )  # a function: a bare expression is eval'd, which the CSP refuses
    camera.shoot(page, "inquiry-form")
    page.click("text=Save and get the chat link")
    page.wait_for_selector("#inq-message:has-text('Quantity: 300')")
    camera.fits(page, "inquiry")
    page.wait_for_selector("#chat-link:has-text('Open WangWang chat')", timeout=WORKER)
    page.click("button:has-text('I sent it')")
    page.wait_for_selector(".inq-status.inq-sent")
    camera.shoot(page, "inquiry-sent")
    page.click(".inq-head a[href^='/suppliers/']")
    history = page.inner_text("#inquiries")
    assert "Sent" in history and "mei" in history and title[:6] in history
    camera.shoot(page, "supplier-history")

    # the site's admin (made with createsuperuser) puts the keyword search permission under review
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="admin", email="admin@example.com", verbosity=0)
    admin = new_context(**args)
    admin_page = admin.new_page()
    admin_page.goto(f"{url}/admin/sourcing/apipermission/")
    camera.fits(admin_page, "admin login")
    admin_page.fill("input[name=username]", "admin")
    admin_page.fill("input[name=password]", PASSWORD)
    admin_page.click("input[type=submit]")
    admin_page.fill("#searchbar", app_key)
    admin_page.press("#searchbar", "Enter")
    admin_page.wait_for_selector(f"#searchbar[value='{app_key}']")
    camera.fits(admin_page, "admin permissions")
    admin_page.click("#result_list a:has-text('product.search.keywordQuery')")
    admin_page.select_option("select[name=status]", "under_review")
    admin_page.fill("input[name=reason]", "1688 is reviewing the higher daily volume")
    camera.shoot(admin_page, "admin-permission")
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success:has-text('was changed successfully')")
    assert "Under review" in admin_page.inner_text("#result_list")
    camera.shoot(admin_page, "admin-saved")

    # mei's API status page shows the new state and the reason
    nav(page, "API status")
    page.wait_for_selector("h1:has-text('1688 API status')")
    row = page.locator("tr", has=page.locator("code", has_text=re.compile(r"^product\.search\.keywordQuery$")))
    permission = row.locator("td[data-label=Permission]").inner_text()
    assert "Under review (审核中)" in permission and "1688 is reviewing the higher daily volume" in permission
    camera.shoot(page, "api-status")
