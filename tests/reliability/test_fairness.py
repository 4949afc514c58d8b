"""Fair sharing with real workers: one team's backlog on a slow app does not hold another team's search.

Acme queues 24 forced product fetches on an app allowed 1 call a second; Globex, on its own app, then
searches. A worker no longer sleeps on Acme's rate slots (the task goes back to the queue due at its slot),
so Globex's search is done while most of Acme's backlog is still waiting for its slots.
"""

import pytest

from sandbox.catalog import build_catalog
from sandbox.models import SandboxOffer
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services import fetch as catalog
from sourcing.catalog.services import offers as catalog_offers
from sourcing.connections.models import AppCredential
from sourcing.connections.services.credentials import credential_create
from tests.conftest import make_sandbox_app, wait_for
from tests.portal_fixtures import connect_through_pages

pytestmark = pytest.mark.django_db(transaction=True)
BACKLOG = 24


def test_a_slow_apps_backlog_does_not_hold_another_teams_search(client, connected, alice, carol, live_server,
                                                                  workers):  # fmt: skip
    # given Acme's app at 1 call a second and Globex's own app, both connected
    build_catalog(offers=120, seed=5)
    AppCredential.objects.filter(pk=connected.pk).update(qps=1)
    make_sandbox_app("30052000", "globex-secret-1", live_server)
    globex_app = credential_create(owner=carol, app_key="30052000", app_secret="globex-secret-1", name="Globex app",
                                   gateway=AppCredential.Gateway.SANDBOX, daily_quota=1000, qps=50)  # fmt: skip
    client.force_login(carol)
    connect_through_pages(client, globex_app, login_id="globex采购")
    workers.start("fair")  # one worker process, serving both queues
    # when Acme forces 24 fetches, and Globex then searches
    for offer in SandboxOffer.objects.order_by("offer_id")[:BACKLOG]:
        catalog_offers.product_fetch_start(user=alice, offer_id=str(offer.offer_id), force=True)
    search = catalog.search_fetch_start(user=carol, query="保温杯").job
    done = wait_for(lambda: CatalogJob.objects.filter(pk=search.pk, state=CatalogJob.State.DONE).first(), timeout=120)
    # then Globex's results landed while most of Acme's backlog was still waiting for its 1-a-second slots
    acme_done = CatalogJob.objects.filter(team=alice.current_team, kind=CatalogJob.Kind.PRODUCT,
                                          state=CatalogJob.State.DONE, finished_at__lte=done.finished_at).count()  # fmt: skip
    assert acme_done <= BACKLOG // 2, f"{acme_done} of Acme's {BACKLOG} fetches ran before Globex's search"
    # and Acme's backlog still completes, one call a second, none given up
    wait_for(lambda: CatalogJob.objects.filter(team=alice.current_team, kind=CatalogJob.Kind.PRODUCT,
                                               state=CatalogJob.State.DONE).count() == BACKLOG, timeout=180)  # fmt: skip
    assert not CatalogJob.objects.filter(state=CatalogJob.State.FAILED).exists()


def test_a_stranger_spends_no_more_of_the_site_default_than_one_budget(site_default, settings, workers, worker_env):
    # given a site-default app, a budget of 5 calls a day, and a worker that knows both
    from sandbox.models import SandboxUsage
    from sourcing.accounts.models import Membership, Team, User
    from sourcing.accounts.services.teams import team_create

    build_catalog(offers=40, seed=6)
    settings.TEAM_DAILY_BUDGET = 5
    workers.start("drain", TEAM_DAILY_BUDGET="5", ALIBABA_APP_KEY=settings.ALIBABA_APP_KEY,
                  ALIBABA_APP_SECRET=settings.ALIBABA_APP_SECRET)  # fmt: skip
    mallory = User.objects.create_user("mallory", "mallory@example.com", "pw-Strange-2026")
    first = Team.objects.create(name="Mallory one")
    Membership.objects.create(user=mallory, team=first, role=Membership.Role.OWNER)
    User.objects.filter(pk=mallory.pk).update(current_team=first)
    mallory.refresh_from_db()
    before = sum(SandboxUsage.objects.filter(app__app_key=settings.ALIBABA_APP_KEY).values_list("calls", flat=True))
    offers = [str(o.offer_id) for o in SandboxOffer.objects.order_by("offer_id")[:20]]
    # when a stranger who signed up opens 10 offers the portal lacks, makes a second team and opens 10 more
    jobs = [catalog_offers.product_fetch_start(user=mallory, offer_id=offer).job for offer in offers[:10]]
    mallory.current_team = team_create(owner=mallory, name="Mallory two")
    jobs += [catalog_offers.product_fetch_start(user=mallory, offer_id=offer).job for offer in offers[10:]]
    ended = CatalogJob.objects.filter(pk__in=[j.pk for j in jobs], state__in=["done", "failed"])
    wait_for(lambda: ended.count() == len(jobs), timeout=120)
    # then 1688 (the sandbox's own counter) saw 5 calls of the site default, and the rest were refused in plain words
    after = sum(SandboxUsage.objects.filter(app__app_key=settings.ALIBABA_APP_KEY).values_list("calls", flat=True))
    assert after - before == 5
    refused = CatalogJob.objects.filter(pk__in=[j.pk for j in jobs], error_code="local.BudgetExhausted")
    assert refused.count() == 15
    assert "You have used your 5 calls for today on the site-wide 1688 app" in refused.order_by("-pk").first().message
