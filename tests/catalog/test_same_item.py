"""Same item from other suppliers (issue 22 item 1): look-alikes stay apart, resellers' copies merge, and a product
already in a cluster costs no new call."""

import io
from collections import Counter

import pytest

from sandbox import images
from sandbox.models import SandboxOffer
from sourcing.catalog import likeness
from sourcing.catalog.models import CatalogJob, Product, SameItemMember
from sourcing.catalog.services import offers
from sourcing.catalog.services.same_items import same_item_start
from sourcing.connections.models import ApiCallLog


def _print(family: int, variant: int) -> likeness.Print:
    buffer = io.BytesIO()
    images.render(family, variant).save(buffer, format="PNG")
    return likeness.fingerprint(buffer.getvalue())


def _offer(family, look=0, edit=0, *, title="加厚保温杯 大号", attributes=None, category=30101):
    prints = [_print(family, look * 100 + edit * 10 + shot) for shot in (0, 3)]
    return likeness.Offer(title=title, category_id=category, attributes=attributes or {}, prints=prints)


FAMILIES = range(1, 41)


@pytest.mark.parametrize("edit", [1, 2, 3, 4, 5])
def test_resellers_edited_photos_are_the_same_item(edit):
    same = [likeness.judge(_offer(f), _offer(f, edit=edit, title="厂家直销 保温杯 大号 现货")).same for f in FAMILIES]
    assert sum(same) >= len(FAMILIES) * 0.9


@pytest.mark.parametrize("look", [1, 3, 6])
def test_another_colour_of_the_line_is_not_the_same_item(look):
    merged = [f for f in FAMILIES if likeness.judge(_offer(f), _offer(f, look=look)).same]
    assert len(merged) <= 2, merged


def test_another_size_or_a_similar_shape_is_not_the_same_item():
    for f in FAMILIES:
        small = _offer(f, attributes={"尺寸": "小号"}, title="新款保温杯 小号")
        large = _offer(f, edit=3, attributes={"尺寸": "大号"}, title="新款保温杯 大号")
        assert not likeness.judge(small, large).same
        assert not likeness.judge(_offer(f, title="保温杯 小号"), _offer(f, title="保温杯 加大号")).same
    shapes = [f for f in FAMILIES if likeness.judge(_offer(f), _offer(f, look=images.OTHER_SHAPE)).same]
    assert len(shapes) <= 2, shapes


def test_hostile_pictures_and_attributes_never_raise():
    with pytest.raises(ValueError):
        likeness.fingerprint(b"<svg onload=alert(1)>")
    weird = likeness.Offer(title="x" * 10_000, category_id=None, attributes={"尺寸": "NaN"}, prints=[])
    verdict = likeness.judge(weird, _offer(1))
    assert not verdict.same
    assert likeness.line_attributes([{"name": None}, {"value": "²"}, {}]) == {}


def _calls() -> int:
    return ApiCallLog.objects.count()


def test_the_worker_clusters_a_products_same_items_once_for_everyone(shop, alice, carol, settings):
    from sandbox.catalog import build_catalog

    build_catalog(offers=240, seed=7, same_items=True)
    groups = Counter(SandboxOffer.objects.values_list("same_item_group", flat=True))
    group = next(g for g, n in sorted(groups.items()) if n >= 3)
    truth = set(SandboxOffer.objects.filter(same_item_group=group).values_list("offer_id", flat=True))
    seed = min(truth)
    assert offers.product_fetch_start(user=alice, offer_id=seed).job
    product = Product.objects.get(offer_id=seed)
    started = same_item_start(user=alice, product=product)
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == CatalogJob.State.DONE, job.message
    member = SameItemMember.objects.get(product=product)
    found = set(SameItemMember.objects.filter(cluster=member.cluster).values_list("product__offer_id", flat=True))
    assert found == truth
    # within the refresh interval, the product and its cluster's members cost no new call, for any team
    before = _calls()
    assert same_item_start(user=alice, product=product).job is None
    other = Product.objects.get(offer_id=max(truth))
    assert same_item_start(user=carol, product=other).job is None
    assert _calls() == before


RELATED = "com.alibaba.fenxiao.crossborder:product.related.recommend-1"


def test_related_offers_are_one_more_candidate_source_and_still_judged(shop, alice, settings):
    """1688's related offers (the sandbox answers the true group plus look-alikes): asked once per search, and a
    look-alike among them never joins the cluster."""
    from sandbox.catalog import build_catalog
    from sandbox.related_apis import related_to

    build_catalog(offers=240, seed=7, same_items=True)
    groups = Counter(SandboxOffer.objects.values_list("same_item_group", flat=True))
    group = next(g for g, n in sorted(groups.items()) if g and n >= 3)
    truth = set(SandboxOffer.objects.filter(same_item_group=group).values_list("offer_id", flat=True))
    seed = min(truth)
    answered = {o.offer_id for o in related_to(SandboxOffer.objects.get(offer_id=seed))}
    assert truth - {seed} <= answered and answered - truth  # the truth and look-alikes or neighbours
    assert offers.product_fetch_start(user=alice, offer_id=seed).job
    product = Product.objects.get(offer_id=seed)
    started = same_item_start(user=alice, product=product)
    assert CatalogJob.objects.get(pk=started.job.pk).state == CatalogJob.State.DONE
    assert ApiCallLog.objects.filter(api=RELATED, outcome="ok").count() == 1
    member = SameItemMember.objects.get(product=product)
    found = set(SameItemMember.objects.filter(cluster=member.cluster).values_list("product__offer_id", flat=True))
    assert found == truth
    assert Product.objects.filter(offer_id__in=answered - truth).exists()  # stored as candidates, judged apart


def test_without_the_related_permission_the_search_runs_on_the_other_sources(shop, alice, portal_sandbox):
    from sandbox.catalog import build_catalog
    from sourcing.connections.models import ApiPermission

    build_catalog(offers=240, seed=7, same_items=True)
    portal_sandbox.grant_all = False
    portal_sandbox.grants = [g for g in _every_api() if g != RELATED]
    portal_sandbox.save()
    seeds = list(SandboxOffer.objects.exclude(same_item_group=None).order_by("offer_id").values_list("offer_id",
                                                                                                 flat=True)[:2])  # fmt: skip
    for seed in seeds:
        assert offers.product_fetch_start(user=alice, offer_id=seed).job
        started = same_item_start(user=alice, product=Product.objects.get(offer_id=seed))
        if started.job:
            assert CatalogJob.objects.get(pk=started.job.pk).state == CatalogJob.State.DONE
    # refused once (the door records the denial), never asked again (the probe at connecting is apart: it is in the
    # permission list, so "Verify permissions" asks it too)
    assert ApiCallLog.objects.filter(api=RELATED, probe=False).count() == 1
    assert ApiPermission.objects.get(credential=shop, api=RELATED).observed == ApiPermission.Observed.DENIED


def _every_api() -> list[str]:
    from sandbox.gateway import APIS

    return [a.id for a in APIS.values()]
