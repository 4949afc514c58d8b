"""Daily budgets on apps a team doesn't own: the site default and a credential shared by a teammate."""

import html

import pytest

from sandbox.catalog import build_catalog
from sandbox.models import SandboxOffer
from sourcing.accounts.models import Membership, Team, User
from sourcing.accounts.services.teams import team_create
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services import offers as catalog_offers
from sourcing.connections.models import ApiUsage, AppCredential, BudgetUse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sandbox_offers(transactional_db):
    build_catalog(offers=40, seed=3)


def _stranger(name="mallory"):
    user = User.objects.create_user(name, f"{name}@example.com", "pw-Strange-2026")
    team = Team.objects.create(name=f"{name}'s team")
    Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
    User.objects.filter(pk=user.pk).update(current_team=team)
    user.refresh_from_db()
    return user


def _offers(count, start=0):
    return [str(o.offer_id) for o in SandboxOffer.objects.order_by("offer_id")[start : start + count]]


def _calls(credential) -> int:
    return sum(ApiUsage.objects.filter(app=credential.app_identity).values_list("calls", flat=True))


def _fetch(user, offer_id) -> CatalogJob:
    job = catalog_offers.product_fetch_start(user=user, offer_id=offer_id).job
    job.refresh_from_db()
    return job


def test_a_stranger_spends_at_most_the_budget_of_the_site_default_whatever_teams_they_make(site_default, settings,
                                                                                              alice):  # fmt: skip
    # given a site default app and a budget of 3 calls a day
    settings.TEAM_DAILY_BUDGET = 3
    mallory = _stranger()
    before = _calls(site_default)
    # when a stranger who signed up opens 5 offers the portal lacks
    jobs = [_fetch(mallory, offer) for offer in _offers(5)]
    # then 3 were fetched and the rest refused in plain words, without a call
    assert [j.state for j in jobs] == ["done"] * 3 + ["failed"] * 2
    assert jobs[3].error_code == "local.BudgetExhausted"
    assert "Your team has used its 3 calls for today on the site-wide 1688 app" in jobs[3].message
    assert _calls(site_default) - before == 3
    # when they make a second team and try again from it
    second = team_create(owner=mallory, name="Mallory two")
    User.objects.filter(pk=mallory.pk).update(current_team=second)
    mallory.refresh_from_db()
    job = _fetch(mallory, _offers(1, start=10)[0])
    # then their own budget, across teams, refuses it too
    assert job.error_code == "local.BudgetExhausted" and "You have used your 3 calls for today" in job.message
    assert _calls(site_default) - before == 3
    # and another team is not held back by the stranger's spending
    User.objects.filter(pk=alice.pk).update(current_team=Team.objects.get(name="Acme Sourcing"))
    alice.refresh_from_db()
    assert _fetch(alice, _offers(1, start=20)[0]).state == "done"


def test_a_team_figure_replaces_the_default_budget(site_default, settings):
    settings.TEAM_DAILY_BUDGET = 1
    mallory = _stranger()
    Team.objects.filter(pk=mallory.current_team_id).update(daily_budget=2)
    jobs = [_fetch(mallory, offer) for offer in _offers(3)]
    # the person's own budget (1) is the tighter one on the site default
    assert [j.state for j in jobs] == ["done", "failed", "failed"]
    assert BudgetUse.objects.get(payer=f"team:{mallory.current_team_id}").calls == 1


def test_a_shared_credential_charges_the_team_but_not_its_owner(client, connected, alice, bob, acme, settings):
    # given alice's app shared with Acme, and a team budget of 2
    settings.TEAM_DAILY_BUDGET = 2
    AppCredential.objects.filter(pk=connected.pk).update(shared_with_team=acme)
    # when bob (no app of his own) opens 3 offers, and alice 3 more
    bobs = [_fetch(bob, offer) for offer in _offers(3)]
    alices = [_fetch(alice, offer) for offer in _offers(3, start=5)]
    # then bob's third is refused for the team's budget; alice's own app is not budgeted
    assert [j.state for j in bobs] == ["done", "done", "failed"]
    assert "Your team has used its 2 calls for today on “Acme app”, shared with it by a teammate" in bobs[2].message
    assert [j.state for j in alices] == ["done"] * 3
    assert list(BudgetUse.objects.values_list("payer", "calls")) == [(f"team:{acme.pk}", 2)]


def test_a_call_refused_by_the_app_quota_gives_the_budget_back(site_default, settings):
    settings.TEAM_DAILY_BUDGET = 5
    from sourcing.alibaba import api

    used = ApiUsage.objects.filter(app=site_default.app_identity, api=api.PRODUCT_DETAIL.id).first()
    AppCredential.objects.filter(pk=site_default.pk).update(daily_quota=(used.calls if used else 0) + 1)  # one left
    mallory = _stranger()
    jobs = [_fetch(mallory, offer) for offer in _offers(2)]
    assert [j.error_code for j in jobs] == ["", "local.QuotaExhausted"]
    assert set(BudgetUse.objects.values_list("calls", flat=True)) == {1}


def test_the_api_status_page_shows_the_budgets(client, site_default, settings):
    settings.TEAM_DAILY_BUDGET = 7
    mallory = _stranger()
    _fetch(mallory, _offers(1)[0])
    client.force_login(mallory)
    page = html.unescape(client.get("/api-status/").content.decode())
    card = page[page.index('id="budgets"') :]
    assert "This is the site-wide app, which every team shares" in card
    assert "Your team</strong>: 1 of 7 calls used today, 6 left" in card
    assert "You (across all your teams)</strong>: 1 of 7 calls used today, 6 left" in card


def test_the_background_refresh_charges_the_team_whose_list_wants_the_product(site_default, settings):
    from sourcing.catalog.models import Product
    from sourcing.catalog.services import refresh as catalog_refresh
    from sourcing.lists.services import item_add, list_create

    settings.TEAM_DAILY_BUDGET = 2
    mallory = _stranger()
    team = Team.objects.get(pk=mallory.current_team_id)
    for offer in _offers(3):
        _fetch(mallory, offer)  # 2 fetched, the third refused: the budget is spent
    products = list(Product.objects.order_by("offer_id"))
    wanted = list_create(actor=mallory, team=team, name="Bottles")
    for product in products:
        item_add(actor=mallory, product_list=wanted, product=product)
    # the refresh finds no wanting payer with budget left on the site default
    assert catalog_refresh.background_credential(products[0].pk) == (None, None)
    # the next 1688 day (a fresh budget), the refresh is charged to the team and to who added the item
    BudgetUse.objects.all().delete()
    credential, payer = catalog_refresh.background_credential(products[0].pk)
    assert credential == site_default and (payer.team_id, payer.user_id) == (team.pk, mallory.pk)


def test_calls_refused_by_a_spent_budget_take_no_rate_slot_from_the_apps_other_users(site_default, settings, alice):
    import time

    # given the site default at 1 call a second, and a stranger whose budget of 1 is spent
    settings.TEAM_DAILY_BUDGET, settings.ALIBABA_RATE_WAIT = 1, 5.0
    AppCredential.objects.filter(pk=site_default.pk).update(qps=1)
    mallory = _stranger()
    assert _fetch(mallory, _offers(1)[0]).state == "done"  # its call holds the app's slot for the next second
    # when the stranger asks 3 more times, then alice (another team) opens an offer on the same app
    started = time.monotonic()
    refused = [_fetch(mallory, offer) for offer in _offers(3, start=1)]
    refused_in = time.monotonic() - started
    alices = _fetch(alice, _offers(1, start=10)[0])
    # then the stranger is told at once, without waiting for slots, and alice's call waits for one slot only
    # (had each refusal taken a slot, they would have taken a second each, and alice would wait behind them)
    assert [j.error_code for j in refused] == ["local.BudgetExhausted"] * 3
    assert refused_in < 1.0
    assert alices.state == "done" and time.monotonic() - started < 2.0


def test_a_call_whose_rate_slot_is_too_far_off_spends_no_budget_or_quota(site_default, settings):
    from sourcing.alibaba import api
    from sourcing.connections.services.budgets import Payer, paying
    from sourcing.connections.services.gateway import gateway_call
    from sourcing.connections.services.ratelimit import RateLimitWait

    # given the site default at 1 call a second, and a stranger who has just used it
    settings.TEAM_DAILY_BUDGET, settings.ALIBABA_RATE_WAIT = 5, 0.25
    AppCredential.objects.filter(pk=site_default.pk).update(qps=1)
    mallory = _stranger()
    assert _fetch(mallory, _offers(1)[0]).state == "done"
    site_default.refresh_from_db()
    budgets, calls = list(BudgetUse.objects.order_by("payer").values_list("payer", "calls")), _calls(site_default)
    # when their next call finds the app's next slot a second away
    payer = Payer(team_id=mallory.current_team_id, user_id=mallory.pk)
    with paying(payer), pytest.raises(RateLimitWait):
        gateway_call(credential=site_default, fn=lambda c, t: api.product_detail(c, t, _offers(1, start=1)[0]))
    # then it goes back to the queue having spent nothing: the budgets and the day's quota are as they were
    assert list(BudgetUse.objects.order_by("payer").values_list("payer", "calls")) == budgets
    assert _calls(site_default) == calls
    assert [calls for _payer, calls in budgets] == [1, 1]
