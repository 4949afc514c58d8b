"""The team's display currency beside CNY: owners and admins pick it, admins keep dated rates in the Django
admin, the newest rate on or before the day applies, and without a rate the pages say CNY only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sourcing.accounts.models import Team
from sourcing.lists.models import ExchangeRate
from sourcing.lists.selectors import Converter, rate_for
from sourcing.lists.templatetags.lists import money
from tests.lists.conftest import body, text

pytestmark = pytest.mark.django_db


def test_the_newest_rate_on_or_before_the_day_applies(usd):
    today = timezone.localdate()
    assert rate_for("USD").rate == Decimal("0.1400")
    assert rate_for("usd", today - timedelta(days=10)).rate == Decimal("0.1300")
    assert rate_for("USD", today + timedelta(days=3)).rate == Decimal("0.9999")
    assert rate_for("USD", date(2000, 1, 1)) is None
    assert rate_for("CNY") is None and rate_for("") is None and rate_for("EUR") is None
    converter = Converter.for_team(usd)
    assert converter.active and converter(Decimal("6250.00")) == Decimal("875.00") and converter(None) is None


def test_money_formats_each_currency():
    assert money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert money(Decimal("1234.5"), "JPY") == "JP¥1,234"  # JPY has no decimals
    assert money(Decimal("12"), "EUR") == "€12.00"
    assert money(Decimal("12"), "XYZ") == "12.00 XYZ"
    assert money(None, "USD") == "—" and money("NaN", "USD") == "—"


def test_owner_picks_the_currency_and_the_list_shows_both(client, alice, kitchen, usd):
    acme = Team.objects.get(pk=kitchen.team_id)
    acme.display_currency = "CNY"
    acme.save()
    client.force_login(alice)
    team_page = text(client.get(f"/teams/{acme.pk}/"))
    assert "Prices show in yuan (CNY) only." in team_page and "Show prices also in" in team_page
    response = client.post(f"/teams/{acme.pk}/currency/", {"currency": "USD"}, follow=True)
    assert "Prices now show in CNY and USD." in body(response)
    acme.refresh_from_db()
    assert acme.display_currency == "USD"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert f"Prices show in yuan and in USD: ¥1 = 0.14 USD ({yesterday})." in text(client.get(f"/teams/{acme.pk}/"))
    page = text(client.get(f"/lists/{kitchen.pk}/"))
    # ¥6,250.00 + ¥490.00 + ¥700.00 = ¥7,440.00 ≈ $1,041.60
    assert "Total at target quantities ¥7,440.00 ≈ $1,041.60" in page
    assert f"Rate ¥1 = 0.14 USD ({yesterday}), kept by the admins." in page
    assert "≈ $875.00" in page
    index = text(client.get("/lists/"))
    assert "¥7,440.00 ≈ $1,041.60 at target quantities" in index and f"¥1 = 0.14 USD ({yesterday})" in index
    item_page = text(client.get(f"/lists/items/{kitchen.items.first().pk}/"))
    assert "≈ $1.75 each · total ≈ $875.00" in item_page


def test_no_rate_means_cny_only_with_a_note(client, alice, bob, kitchen):
    client.force_login(alice)
    response = client.post(f"/teams/{kitchen.team_id}/currency/", {"currency": "GBP"}, follow=True)
    assert "Prices will show in GBP once an admin adds a GBP rate" in body(response)
    page = text(client.get(f"/lists/{kitchen.pk}/"))
    assert "No GBP rate is kept yet, so prices show in CNY only." in page and "≈" not in page
    assert "No GBP rate is kept yet: CNY only." in text(client.get(f"/lists/{kitchen.pk}/compare/"))
    # buyers don't change the team's currency
    client.force_login(bob)
    refused = client.post(f"/teams/{kitchen.team_id}/currency/", {"currency": "USD"})
    assert refused.status_code == 403 and "Only the team's owners and admins can change its currency." in body(refused)
    assert "Show prices also in" not in text(client.get(f"/teams/{kitchen.team_id}/"))


def test_admins_keep_dated_rates_in_the_admin(client, alice, bob):
    client.force_login(alice)  # a superuser
    page = client.get("/admin/sourcing/exchangerate/add/")
    assert page.status_code == 200
    response = client.post("/admin/sourcing/exchangerate/add/", {"currency": "usd", "rate": "0.1385",
                                                                "date": "2026-11-20"})  # fmt: skip
    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.rate, rate.date, rate.updated_by) == (
        "USD",
        Decimal("0.1385"),
        date(2026, 11, 20),
        alice,
    )
    for bad, message in [({"currency": "US", "rate": "1", "date": "2026-11-21"}, "three-letter currency code"),
                         ({"currency": "CNY", "rate": "1", "date": "2026-11-21"}, "Prices are in CNY already"),
                         ({"currency": "EUR", "rate": "0", "date": "2026-11-21"}, "A rate is a positive number"),
                         ({"currency": "EUR", "rate": "NaN", "date": "2026-11-21"}, "Enter a number"),
                         ({"currency": "USD", "rate": "0.2", "date": "2026-11-20"}, "already exists")]:  # fmt: skip
        response = client.post("/admin/sourcing/exchangerate/add/", bad)
        assert response.status_code == 200 and message in body(response), bad
    assert "¥7.2202" in body(client.get("/admin/sourcing/exchangerate/"))  # ¥ per dollar
    # staff who are not superusers read the table and change nothing
    bob.is_staff = True
    bob.save()
    client.force_login(bob)
    assert client.get("/admin/sourcing/exchangerate/add/").status_code == 403
