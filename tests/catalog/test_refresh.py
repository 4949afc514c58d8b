"""Background refresh: a product wanted by many is fetched once per cycle; background work keeps to its
share of the quota and pays with the wanting credential that has the most left."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sandbox.models import SandboxOffer
from sourcing.accounts.models import Membership, User
from sourcing.alibaba import api
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services import offers as catalog_offers
from sourcing.catalog.services import refresh as catalog_refresh
from sourcing.catalog.services.upsert import products_upsert_summaries
from sourcing.connections.models import ApiCallLog, ApiPermission, ApiUsage, AppCredential, OAuthToken
from sourcing.connections.services.credentials import credential_create
from sourcing.core.beijing import beijing_today
from tests.catalog.conftest import offer
from tests.conftest import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def detail_calls() -> int:
    return ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id, probe=False).exclude(outcome="refused").count()


def known(count: int, start: int = 0) -> list[Product]:
    """Products the portal knows from a search (no detail yet), taken from the sandbox catalog."""
    rows = SandboxOffer.objects.order_by("offer_id")[start : start + count]
    return products_upsert_summaries(offers=[offer(str(o.offer_id), subject=o.subject) for o in rows], source="sandbox")


def test_one_product_wanted_by_fifty_users_is_fetched_once_per_cycle(shop, alice, acme):
    # given alice's credential shared with Acme and 50 people of Acme looking at one product
    shop.shared_with_team = acme
    shop.save()
    (product,) = known(1)
    users = [alice] + [User.objects.create_user(f"buyer{i}") for i in range(49)]
    for user in users[1:]:
        Membership.objects.create(user=user, team=acme, role=Membership.Role.BUYER)
    for user in users:
        catalog_offers.product_view_record(user=user, product=product)
    # when beat runs twice in the cycle and a task is delivered twice
    first = catalog_refresh.refresh_due()
    second = catalog_refresh.refresh_due()
    assert catalog_refresh.product_refresh_run(product_id=product.pk) == "skipped"
    # then 1688 was asked once
    assert detail_calls() == 1
    assert first.total == 1 and CatalogJob.objects.get(pk=first.pk).state == CatalogJob.State.DONE
    assert second is None
    product.refresh_from_db()
    assert product.detail_fetched_at and product.skus.exists() and product.refresh_queued_at is None
    # and once more in the next cycle, when the detail is stale again
    Product.objects.filter(pk=product.pk).update(detail_fetched_at=timezone.now() - timedelta(hours=7))
    catalog_refresh.refresh_due()
    catalog_refresh.refresh_due()
    assert detail_calls() == 2


def test_racing_workers_make_one_call(shop, alice):
    (product,) = known(1)
    catalog_offers.product_view_record(user=alice, product=product)
    assert catalog_refresh.refresh_claim(product_ids=[product.pk]) == [product.pk]
    assert catalog_refresh.refresh_claim(product_ids=[product.pk]) == []  # claimed for this cycle already
    failures = run_in_threads(lambda: catalog_refresh.product_refresh_run(product_id=product.pk), 6)
    assert failures == []
    assert detail_calls() == 1


def test_a_product_nobody_wants_is_not_refreshed(shop, alice):
    known(3)
    assert catalog_refresh.refresh_due() is None
    assert detail_calls() == 0


def test_background_keeps_to_its_share_and_interactive_work_gets_the_rest(shop, alice, settings):
    # given a quota of 10 detail calls a day, of which background work may use 70 %
    assert settings.ALIBABA_BACKGROUND_QUOTA_SHARE == 0.70
    shop.daily_quota = 10
    shop.save()
    usage = ApiUsage.objects.filter(app=shop.app_identity, api=api.PRODUCT_DETAIL.id, day=beijing_today())
    assert usage.get().calls == 1  # the permission probe after connecting
    products = known(12)
    for product in products:
        catalog_offers.product_view_record(user=alice, product=product)
    # when beat refreshes the 12 products alice looked at
    job = catalog_refresh.refresh_due()
    # then it stops at 7 calls in all, and the products it could not refresh keep their data for the next cycle
    assert usage.get().calls == 7
    assert Product.objects.filter(detail_fetched_at__isnull=False).count() == 6
    waiting = Product.objects.filter(detail_fetched_at__isnull=True)
    assert waiting.count() == 6
    assert all("background quota" in p.refresh_error and p.refresh_queued_at is None and p.title for p in waiting)
    assert CatalogJob.objects.get(pk=job.pk).state == CatalogJob.State.DONE
    # and alice opening one of them still gets it from 1688
    started = catalog_offers.product_fetch_start(user=alice, offer_id=waiting.first().offer_id)
    assert CatalogJob.objects.get(pk=started.job.pk).state == CatalogJob.State.DONE
    assert usage.get().calls == 8


def _credential(owner: User, key: str) -> AppCredential:
    credential = credential_create(owner=owner, app_key=key, app_secret=f"secret-{key}", name=key,
                                   gateway=AppCredential.Gateway.SANDBOX, daily_quota=1000)  # fmt: skip
    AppCredential.objects.filter(pk=credential.pk).update(verified_at=timezone.now())
    token = OAuthToken(credential=credential, resource_owner=f"login-{key}")
    token.access_token = "access"
    token.save()
    return AppCredential.objects.get(pk=credential.pk)


def _used(credential: AppCredential, calls: int) -> None:
    ApiUsage.objects.update_or_create(app=credential.app_identity, api=api.PRODUCT_DETAIL.id, day=beijing_today(),
                                      defaults={"calls": calls, "credential": credential})  # fmt: skip


def test_the_wanting_credential_with_the_most_share_left_pays(alice, bob, carol, acme):
    products = products_upsert_summaries(offers=[offer("700001")], source="sandbox")
    product = products[0]
    alices, carols = _credential(alice, "20000001"), _credential(carol, "20000002")
    outsider = _credential(User.objects.create_user("dave"), "20000003")  # dave never looked at it
    for user in (bob, carol):
        catalog_offers.product_view_record(user=user, product=product)
    # bob wants it: alice's credential counts only once shared with Acme
    assert catalog_refresh.background_credential(product.pk)[0] == carols
    AppCredential.objects.filter(pk=alices.pk).update(shared_with_team=acme)
    _used(carols, 650)
    _used(alices, 100)
    assert catalog_refresh.background_credential(product.pk)[0].pk == alices.pk
    _used(alices, 690)  # 10 left of its 700; carol's has 50
    assert catalog_refresh.background_credential(product.pk)[0].pk == carols.pk
    _used(carols, 700)
    _used(alices, 700)
    assert catalog_refresh.background_credential(product.pk) == (None, None)
    assert outsider.pk not in [c.pk for c in catalog_refresh.credentials_wanting(product.pk)]


def test_the_share_is_enforced_atomically_by_the_quota_update(shop):
    shop.daily_quota = 10
    capped = catalog_refresh.capped(shop)
    assert capped.daily_quota == 7 and shop.daily_quota == 10
    assert AppCredential.objects.get(pk=shop.pk).daily_quota == 1000  # nothing written back


def test_a_credential_refused_the_detail_api_never_pays_for_a_refresh(bob, carol, alice, acme):
    (product,) = products_upsert_summaries(offers=[offer("700001")], source="sandbox")
    carols, alices = _credential(carol, "20000002"), _credential(alice, "20000001")
    AppCredential.objects.filter(pk=alices.pk).update(shared_with_team=acme)
    for user in (bob, carol):
        catalog_offers.product_view_record(user=user, product=product)
    _used(alices, 600)  # carol's own app has the most left
    assert catalog_refresh.background_credential(product.pk)[0].pk == carols.pk
    # when 1688 says carol's app may not call the detail API, the team's shared app pays
    ApiPermission.objects.update_or_create(credential=carols, api=api.PRODUCT_DETAIL.id,
                                           defaults={"observed": ApiPermission.Observed.DENIED})  # fmt: skip
    assert catalog_refresh.background_credential(product.pk)[0].pk == alices.pk
    # and when the console shows the shared app's request rejected, nobody does
    ApiPermission.objects.update_or_create(credential=alices, api=api.PRODUCT_DETAIL.id,
                                           defaults={"status": ApiPermission.Status.REJECTED})  # fmt: skip
    assert catalog_refresh.background_credential(product.pk) == (None, None)


def _commits(queries: list[dict]) -> int:
    """Transactions committed: COMMITs, and writes made outside a transaction (each commits on its own)."""
    commits, open_ = 0, False
    for query in queries:
        verb = query["sql"].lstrip("( ").split(" ", 1)[0].upper()
        if verb == "BEGIN":
            open_ = True
        elif verb == "COMMIT":
            commits, open_ = commits + 1, False
        elif verb in ("INSERT", "UPDATE", "DELETE") and not open_:
            commits += 1
    return commits


def test_one_refresh_commits_four_times_so_one_worker_keeps_up_with_the_rate(shop, alice):
    # given a product alice viewed, refreshed once already (its supplier, SKUs and category are known)
    (product,) = known(1)
    catalog_offers.product_view_record(user=alice, product=product)
    catalog_refresh.refresh_due()
    AppCredential.objects.filter(pk=shop.pk).update(qps=0)  # no rate limit: the commits counted are the refresh's
    # and claimed again in the next cycle, its content changed since
    Product.objects.filter(pk=product.pk).update(
        detail_fetched_at=None, content_hash="", refresh_queued_at=timezone.now()
    )
    job = CatalogJob.objects.create(kind=CatalogJob.Kind.REFRESH, total=1, state=CatalogJob.State.RUNNING)
    # when a worker refreshes it
    with CaptureQueriesContext(connection) as queries:
        assert catalog_refresh.product_refresh_run(product_id=product.pk, job_id=job.pk) == "fetched"
    # then it commits the lease, the quota unit, the call log, and the answer with the release and the count
    assert _commits(queries.captured_queries) == 4
    assert len(queries.captured_queries) <= 30
    product.refresh_from_db()
    assert product.refresh_queued_at is None and product.refresh_lease_until is None and product.content_hash
    assert CatalogJob.objects.get(pk=job.pk).state == CatalogJob.State.DONE
