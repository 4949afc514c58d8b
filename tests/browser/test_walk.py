"""What a buyer's walk through the portal found, in a real browser: the top menu is one line at 1280 px with
the team's whole name and Alerts in it (and folds on a phone); a list made in one result card's menu is in
every card's menu at once; the admin's credential and usage lists show their bars and last columns at 1280 px."""

import pytest

from sourcing.accounts.models import Team
from sourcing.connections.models import ApiUsage
from sourcing.core.beijing import beijing_today
from sourcing.lists.models import ProductList
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories, credential, queued  # noqa: F401 - fixtures
from tests.lists.conftest import products  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
NAV = """() => {
  const bar = document.querySelector('.topbar'), nav = document.querySelector('nav.nav');
  const select = document.querySelector('#team-select');
  const style = getComputedStyle(select), ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.fontSize + ' ' + style.fontFamily;
  const text = ctx.measureText(select.options[select.selectedIndex].text).width;
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return {barHeight: bar.getBoundingClientRect().height, navOverflow: nav.scrollWidth - nav.clientWidth,
          nameRoom: select.clientWidth - padding - 16 - text};
}"""


def test_the_menu_is_one_line_at_1280_with_the_team_name_and_alerts_and_folds_on_a_phone(page, live_server, alice):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "alice")  # a superuser: the longest menu (Admin too)
    found = page.evaluate(NAV)
    assert found["barHeight"] < 60 and found["navOverflow"] <= 0, found  # one line, nothing cut off
    assert found["nameRoom"] >= 0, found  # "Acme Sourcing" whole in the team picker
    assert page.is_visible("nav.nav a:has-text('Alerts')") and page.is_visible("nav.nav a:has-text('API status')")
    page.click("nav.nav a:has-text('Alerts')")
    page.wait_for_url("**/alerts/")
    # the account links sit under the user's name
    page.click(".user-menu summary")
    assert page.is_visible(".user-menu button:has-text('Log out')")
    # a much longer team name still leaves the bar on one line (the picker gives way, its title has the name)
    Team.objects.filter(pk=alice.current_team_id).update(name="Acme Sourcing Guangzhou Household Imports")
    page.reload()
    found = page.evaluate(NAV)
    assert found["barHeight"] < 60 and found["navOverflow"] <= 0, found
    # a phone folds the menu behind ☰; opened, it has Alerts and the account links, and nothing scrolls sideways
    page.set_viewport_size(PHONE)
    page.reload()
    assert not page.is_visible("nav.nav a:has-text('Alerts')")
    page.click("label.nav-toggle-label")
    assert page.is_visible("nav.nav a:has-text('Alerts')") and page.is_visible("nav.nav button:has-text('Log out')")
    assert page_width(page) <= PHONE["width"]


def test_a_list_made_in_one_card_is_in_every_cards_menu_at_once(page, live_server, alice, products):  # noqa: F811
    flask, glass, mug = products
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/products/?q=杯")
    first = page.locator(".pcard", has_text="不锈钢保温杯 500ml")
    other = page.locator(".pcard", has_text="玻璃水杯 带盖")
    first.locator("summary:has-text('Save to list')").click()
    first.locator("input[name=new_list_name]").fill("Gift sets")
    first.locator(".save-new button").click()
    first.locator(".save-ok:has-text('Saved to “Gift sets”.')").wait_for()
    # without a reload, the glass's menu offers the new list, and one click saves the glass to it
    other.locator("summary:has-text('Save to list')").click()
    pick = other.locator(".save-pick:has-text('Gift sets')")
    assert pick.is_visible()
    pick.click()
    other.locator(".save-ok:has-text('Saved to “Gift sets”.')").wait_for()
    gifts = ProductList.objects.get(name="Gift sets")
    assert set(gifts.items.values_list("product_id", flat=True)) == {flask.pk, glass.pk}
    # the same name again, in other case and spacing, is refused where she typed it
    mug_card = page.locator(".pcard", has_text="陶瓷马克杯")
    mug_card.locator("summary:has-text('Save to list')").click()
    mug_card.locator("input[name=new_list_name]").fill("  gift   SETS ")
    mug_card.locator(".save-new button").click()
    mug_card.locator(".save-err:has-text('Your team already has a list named “Gift sets”.')").wait_for()
    assert ProductList.objects.count() == 1


def test_the_admin_lists_show_usage_bars_and_their_last_columns_at_1280(page, live_server, alice, credential):  # noqa: F811
    ApiUsage.objects.create(app=credential.app_identity, credential=credential, day=beijing_today(), calls=850,
                            errors=3, api="com.alibaba.fenxiao.crossborder:product.search.keywordQuery-1")  # fmt: skip
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "alice")
    for path, last in (("/admin/sourcing/appcredential/", "Status"), ("/admin/sourcing/apiusage/", "Throttled")):
        page.goto(f"{live_server.url}{path}")
        bar = page.locator("#result_list .usage .bar").first
        box = bar.bounding_box()
        assert box and box["width"] >= 40 and box["height"] >= 6, path  # drawn, not an empty inline span
        filled = page.evaluate("e => getComputedStyle(e.firstElementChild).backgroundColor", bar.element_handle())
        assert filled not in ("rgba(0, 0, 0, 0)", "transparent"), path
        heading = page.locator("#result_list thead th", has_text=last).bounding_box()
        assert heading and heading["x"] + heading["width"] <= DESKTOP["width"], path
        assert page_width(page) <= DESKTOP["width"], path
    assert "850 / 1000" in page.inner_text("#result_list") and "product.search.keywordQuery" in page.inner_text(
        "#result_list"
    )


def test_the_credential_forms_limits_follow_the_gateway_unless_typed(page, live_server, alice):
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/connections/new/")
    assert (page.input_value("input[name=daily_quota]"), page.input_value("input[name=qps]")) == ("10000", "10")
    page.select_option("select[name=gateway]", "live")
    assert (page.input_value("input[name=daily_quota]"), page.input_value("input[name=qps]")) == ("1000", "4")
    page.fill("input[name=daily_quota]", "50000")  # what her package grants: kept when the gateway changes
    page.select_option("select[name=gateway]", "sandbox")
    assert (page.input_value("input[name=daily_quota]"), page.input_value("input[name=qps]")) == ("50000", "10")
