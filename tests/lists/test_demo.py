"""The demo's lists: from a fresh database, demo_data gives Acme "Spring kitchen range" (five items or more in
several statuses, a comment from bob) and Globex a list of its own; alice compares and exports hers, carol
gets 404. On a fresh install the offers arrive after the command, so a task waits for them."""

import io

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from sourcing import tasks
from sourcing.accounts.models import Membership, Team, User
from sourcing.alerts.models import Alert, Notification
from sourcing.catalog.models import PriceHistory
from sourcing.lists.models import ItemComment, ListItem, ProductList
from sourcing.management.commands.demo_data import ACME_LIST, GLOBEX_LIST, demo_lists_start
from tests.catalog.pages.conftest import stock_product
from tests.conftest import _make_user
from tests.lists.conftest import body, text


@pytest.mark.django_db(transaction=True)
def test_demo_data_gives_each_team_a_list(client, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.ALIBABA_API_URL = f"{live_server.url}/sandbox/openapi"
    settings.ALIBABA_APP_KEY = ""
    call_command("demo_data", "--catalog-offers", "400", stdout=io.StringIO())
    call_command("demo_data", "--catalog-offers", "400", stdout=io.StringIO())  # again: nothing doubled
    alice, bob, carol = (User.objects.get(username=n) for n in ("alice", "bob", "carol"))
    kitchen = ProductList.objects.get(name=ACME_LIST)
    assert kitchen.team.name == "Acme Sourcing" and ProductList.objects.filter(name=ACME_LIST).count() == 1
    items = list(kitchen.items.select_related("product"))
    assert len(items) >= 5 and len({i.status for i in items}) >= 3
    assert all(i.product.detail_fetched_at for i in items)  # saved from search summaries, details fetched
    comment = ItemComment.objects.get(item__product_list=kitchen)
    assert comment.author == bob and "样品已到" in comment.text
    globex = ProductList.objects.get(name=GLOBEX_LIST)
    assert globex.team.name == "Globex Trading" and globex.items.count() == 3
    assert Team.objects.get(name="Acme Sourcing").display_currency == "USD"
    # alice's list shows its items, compares them at quantity and exports an .xlsx that opens
    client.force_login(alice)
    page = text(client.get(f"/lists/{kitchen.pk}/"))
    assert all(i.product.display_title in page for i in items)
    assert "≈ $" in page and "bob 样品已到" in page
    compare = client.get(f"/lists/{kitchen.pk}/compare/")
    assert compare.status_code == 200 and "Compare at quantity" in body(compare)
    book = load_workbook(io.BytesIO(client.get(f"/lists/{kitchen.pk}/export.xlsx").content))
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(items) and {r[2] for r in rows} == {i.product.title for i in items}
    # carol gets 404 for it and for its exports; she sees her own list
    client.force_login(carol)
    for url in (f"/lists/{kitchen.pk}/", f"/lists/{kitchen.pk}/export.xlsx", f"/lists/{kitchen.pk}/export.csv",
                f"/lists/{kitchen.pk}/compare/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert GLOBEX_LIST in text(client.get("/lists/")) and ACME_LIST not in text(client.get("/lists/"))
    # the demo's market: two listed offers' sandbox prices moved three times, fetched as a worker refreshes them
    client.force_login(alice)
    watched = [i.product for i in sorted(items, key=lambda i: (i.position, i.pk))[:2]]
    for product in watched:
        history = list(PriceHistory.objects.filter(product=product).order_by("at"))
        assert len(history) >= 4 and len({h.price_min for h in history}) >= 3  # a price that moved, up and down
        first, cut, rise, cut_again = (h.price_min for h in history[-4:])
        assert first > cut < rise > cut_again
        assert (timezone.now() - history[0].at).days >= 9  # spread over the past days, not one instant
        alert = Alert.objects.get(product=product)
        assert alert.fired_count == 2 and alert.armed is False  # the cut fired it, the rise re-armed it, the next cut
        page = text(client.get(f"/products/{product.offer_id}/"))
        assert "Price history" in page
    notes = Notification.objects.filter(user=alice)
    assert notes.count() == 4 and all("below your ¥" in n.text for n in notes)
    assert Notification.objects.filter(user=bob).count() == 4  # the alerts tell the team
    assert "below your ¥" in text(client.get("/notifications/"))


@pytest.fixture
def cast(db):
    acme, globex = Team.objects.create(name="Acme Sourcing"), Team.objects.create(name="Globex Trading")
    _make_user("alice", acme, Membership.Role.OWNER)
    _make_user("bob", acme, Membership.Role.BUYER)
    _make_user("carol", globex, Membership.Role.OWNER)


def test_the_lists_wait_for_the_warm_searches(cast, categories, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.demo_lists_fill, "delay_on_commit", lambda: queued.append("fill"))
    # a fresh install: the worker has not fetched the warm searches yet
    assert demo_lists_start() == ["the demo lists (once the warm searches have landed)"] and queued == ["fill"]
    assert set(ProductList.objects.values_list("name", flat=True)) == {ACME_LIST, GLOBEX_LIST}
    assert not ListItem.objects.exists()
    with pytest.raises(Retry):  # the task tries again in ten seconds
        tasks.demo_lists_fill.apply(throw=True)
    # the searches land (here: enough offers for both lists; with fewer, the lists wait for all three searches)
    for i in range(6):
        stock_product(900001 + i, subject=f"不锈钢保温杯 {i}", price=f"{20 + i}.00")
    for i in range(3):
        stock_product(910001 + i, subject=f"手机壳 {i}", price="3.00", seller=f"BBBcase{i:020d}")
    assert tasks.demo_lists_fill.apply(throw=True).get() is True
    kitchen = ProductList.objects.get(name=ACME_LIST)
    assert kitchen.items.count() == 6 and set(kitchen.items.values_list("status", flat=True)) == {
        "idea", "shortlisted", "sampling", "ordered", "rejected"}  # fmt: skip
    below = kitchen.items.get(note__startswith="Trial order")
    assert below.target_quantity < below.product.moq  # one item shows "below MOQ"
    assert ItemComment.objects.get().author.username == "bob"
    assert ProductList.objects.get(name=GLOBEX_LIST).items.count() == 3
    assert demo_lists_start() == []  # filled: nothing more to queue, nothing doubled
    assert ListItem.objects.count() == 9
    # each team has a default ship-to address, so the demo lists can be quoted with 1688 at once
    from sourcing.orders.models import ShipAddress

    assert sorted(ShipAddress.objects.filter(is_default=True).values_list("team__name", "city")) == [
        ("Acme Sourcing", "金华市"), ("Globex Trading", "广州市")]  # fmt: skip
    assert ShipAddress.objects.count() == 2
