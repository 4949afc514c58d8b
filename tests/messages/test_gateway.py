"""With the sandbox gateway over real HTTP: an edited offer is fetched once (only that offer), and the slower polling
pace applies only to offers followed by a credential whose messages are healthy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import SandboxOffer
from sourcing.alibaba import api
from sourcing.catalog.models import Product
from sourcing.catalog.services import refresh
from sourcing.catalog.services.upsert import products_upsert_summaries
from sourcing.connections.models import ApiCallLog
from sourcing.lists import services as lists
from sourcing.messages.models import Follow, InboundMessage, MessageFeed
from tests.catalog.conftest import offer
from tests.messages.conftest import envelope, form
from tests.portal_fixtures import connected  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def detail_calls() -> int:
    return ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id, probe=False).exclude(outcome="refused").count()


@pytest.fixture
def known(catalog):
    """Three sandbox offers the portal knows from a search (no detail yet)."""
    rows = SandboxOffer.objects.order_by("offer_id")[:3]
    return products_upsert_summaries(offers=[offer(str(o.offer_id), subject=o.subject) for o in rows], source="sandbox")


def test_an_edited_offer_is_fetched_once_and_only_it(client, connected, known):  # noqa: F811
    edited, other, _third = known
    SandboxOffer.objects.filter(offer_id=edited.offer_id).update(subject="改过的标题 保温杯")
    message = envelope("PRODUCT_RELATION_VIEW_PRODUCT_NEW_OR_MODIFY",
                       {"productIds": str(edited.offer_id), "status": "RELATION_VIEW_PRODUCT_NEW_OR_MODIFY"})  # fmt: skip
    response = client.post(f"/hooks/1688/{connected.pk}/", form(message))
    assert response.status_code == 200
    assert detail_calls() == 1
    edited.refresh_from_db()
    assert edited.title == "改过的标题 保温杯" and edited.detail_fetched_at is not None
    assert Product.objects.get(pk=other.pk).detail_fetched_at is None
    assert InboundMessage.objects.get().state == "applied"
    # delivered again: kept once, no second fetch
    assert client.post(f"/hooks/1688/{connected.pk}/", form(message)).status_code == 200
    assert detail_calls() == 1


def test_offers_covered_by_healthy_messages_are_polled_at_the_slower_pace(settings, alice, connected, known):  # noqa: F811
    settings.CATALOG_REFRESH_WANTED_HOURS, settings.MESSAGES_FALLBACK_HOURS = 6, 72
    covered, polled, _third = known
    team_list = lists.list_create(actor=alice, team=alice.current_team, name="Watched")
    for product in (covered, polled):
        lists.item_add(actor=alice, product_list=team_list, product=product)
    seven_hours_ago = timezone.now() - timedelta(hours=7)
    Product.objects.filter(pk__in=[covered.pk, polled.pk]).update(detail_fetched_at=seven_hours_ago)
    Follow.objects.create(credential=connected, product=covered)
    # no healthy feed yet: both are due at the usual pace
    assert set(refresh.refresh_candidates()) == {covered.pk, polled.pk}
    MessageFeed.objects.create(credential=connected, first_message_at=timezone.now(), last_pushed_at=timezone.now())
    assert refresh.refresh_candidates() == [polled.pk]
    # three days on, the covered offer is due too; and a feed gone quiet puts it back on the usual pace
    Product.objects.filter(pk=covered.pk).update(detail_fetched_at=timezone.now() - timedelta(hours=73))
    assert set(refresh.refresh_candidates()) == {covered.pk, polled.pk}
    Product.objects.filter(pk=covered.pk).update(detail_fetched_at=seven_hours_ago)
    MessageFeed.objects.filter(credential=connected).update(last_pushed_at=timezone.now() - timedelta(days=1))
    assert set(refresh.refresh_candidates()) == {covered.pk, polled.pk}
