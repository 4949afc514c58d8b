"""The catalog generator's same-item truth (issue 22 item 2): groups across shops, resellers' edits, look-alikes."""

from collections import defaultdict

from sandbox import images
from sandbox.catalog import build_catalog
from sandbox.models import SandboxOffer


def _groups():
    groups = defaultdict(list)
    for offer in SandboxOffer.objects.select_related("supplier").order_by("offer_id"):
        groups[offer.same_item_group].append(offer)
    return groups


def test_same_items_are_sold_by_several_shops_with_edited_photos_and_rewritten_titles(transactional_db):
    build_catalog(offers=400, seed=9, same_items=True)
    groups = _groups()
    shared = [g for g in groups.values() if len(g) > 1]
    assert len(shared) >= 40
    assert all(len({o.category_id for o in g}) == 1 for g in shared)
    assert any(len({o.supplier_id for o in g}) > 1 for g in shared)
    copies = [o for g in shared for o in g[1:]]
    edits = {(o.image_variants[0] // 10) % 10 for o in copies}
    assert edits == set(range(1, len(images.RESELLER_EDITS)))
    assert sum(o.subject != g[0].subject for g in shared for o in g[1:]) > len(copies) * 0.8
    assert any(o.sku_axes != g[0].sku_axes for g in shared for o in g[1:])


def test_look_alikes_share_the_composition_but_not_the_group(transactional_db):
    build_catalog(offers=400, seed=9, same_items=True)
    by_family = defaultdict(set)
    for offer in SandboxOffer.objects.all():
        by_family[offer.image_family].add((offer.same_item_group, offer.image_variants[0] // 100))
    looks = {look for pairs in by_family.values() if len({g for g, _ in pairs}) > 1 for _, look in pairs}
    assert images.OTHER_SHAPE in looks and looks & {1, 2, 3, 4, 5, 6}
    sizes = [
        pairs for pairs in by_family.values() if len({g for g, _ in pairs}) > 1 and {look for _, look in pairs} == {0}
    ]
    assert sizes  # another size of the line: the same photos, another 尺寸


def test_the_truth_stays_out_of_every_answer():
    import inspect

    from sandbox import apis, trade_apis

    assert "same_item_group" not in inspect.getsource(apis) + inspect.getsource(trade_apis)
