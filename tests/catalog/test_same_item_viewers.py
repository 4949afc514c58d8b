"""Viewers start a same-item search as they start a product fetch (issue 22): with an app of their own the search
runs; through a teammate's shared app both say that viewers can't spend the team's quota. They never write team data."""

import pytest

from sourcing.accounts.models import Membership
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services import offers
from tests.lists.conftest import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_alice(shop, alice):
    Membership.objects.filter(user=alice).update(role=Membership.Role.VIEWER)
    return alice


def _seed(alice):
    from sandbox.models import SandboxOffer

    return SandboxOffer.objects.order_by("offer_id").first().offer_id


def test_a_viewer_with_an_app_of_their_own_starts_a_same_item_search_like_a_product_fetch(client, viewer_alice):
    seed = _seed(viewer_alice)
    assert offers.product_fetch_start(user=viewer_alice, offer_id=seed).job is not None
    client.force_login(viewer_alice)
    response = client.post(f"/products/{seed}/same-item/")
    assert response.status_code == 302 and response["Location"] == f"/products/{seed}/#same-item"
    job = CatalogJob.objects.filter(kind=CatalogJob.Kind.SAME_ITEM, target=str(seed)).get()
    assert job.requested_by == viewer_alice and job.state == CatalogJob.State.DONE, job.message
    page = text(client.get(f"/products/{seed}/"))
    assert "Find the same item from other suppliers" not in page  # the answer is kept for everyone
    assert Product.objects.filter(offer_id=seed).exists()


def test_a_viewer_on_a_shared_app_is_told_why_for_both(client, shop, alice, bob):
    shop.shared_with_team = alice.current_team
    shop.save()
    Membership.objects.filter(user=bob).update(role=Membership.Role.VIEWER)
    seed = _seed(alice)
    assert offers.product_fetch_start(user=alice, offer_id=seed).job is not None
    client.force_login(bob)
    fetch = offers.product_fetch_start(user=bob, offer_id=seed + 1)  # an offer the portal lacks
    assert fetch.job is None and "viewers can't start 1688 searches" in fetch.notice
    page = text(client.post(f"/products/{seed}/same-item/", follow=True))
    assert "viewers can't start 1688 searches" in page
    assert not CatalogJob.objects.filter(kind=CatalogJob.Kind.SAME_ITEM).exists()
