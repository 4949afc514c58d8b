"""Write what 1688 answered into the catalog: idempotent upserts keyed by 1688's ids.

Each writer hashes the content it was given and skips every write but the freshness stamp when
the hash is unchanged; a price-history row is written only when the price range or the stock
moved; delisted and vanished offers keep their last good data and only change status.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sourcing.alibaba.api import SELLER_BADGES, OfferSummary, ProductDetail
from sourcing.alibaba.api import Category as ApiCategory
from sourcing.catalog.keys import (
    categories_changed,
    offer_number,
)
from sourcing.catalog.models import Category, PriceHistory, Product, Sku, Supplier
from sourcing.catalog.offer_content import clean_description, media_url
from sourcing.catalog.search import document
from sourcing.catalog.services.cleaning import content_hash, count_in_range, money, split_place
from sourcing.catalog.services.suppliers import (
    factory_of,
    merge_snapshot,
    score_of,
    seller_snapshot,
    supplier_columns,
    supplier_trust_merge,
    supplier_upsert,
)

Status = Product.Status


# --- categories ---
def categories_ensure(chains: Iterable[tuple[int | None, ...]], *, source: str) -> dict[int, str]:
    """Make sure each category id of each (top, second, third) chain exists, linked to its parent; returns the
    names of those that were known already (by id)."""
    rows: dict[int, Category] = {}
    for chain in chains:
        parent = None
        for level, category_id in enumerate(chain, start=1):
            if not category_id or category_id <= 0:
                continue
            rows.setdefault(category_id, Category(id=category_id, parent_id=parent, level=level, source=source))
            parent = category_id
    if not rows:
        return {}
    known = {pk: (level, name) for pk, level, name in
             Category.objects.filter(pk__in=list(rows)).values_list("pk", "level", "name")}  # fmt: skip
    orphans = [pk for pk, (level, _name) in known.items() if level is None]
    if len(known) < len(rows):
        # Parents first, so each row's parent exists when the row is inserted (FK checks on PostgreSQL).
        ordered = sorted(rows.values(), key=lambda c: c.level or 0)
        Category.objects.bulk_create(ordered, ignore_conflicts=True)
        categories_changed()
        # another writer may have inserted one of them by id alone meanwhile
        orphans = Category.objects.filter(pk__in=list(rows), level__isnull=True).values_list("pk", flat=True)
    # A category first known by id alone (a detail without the chain) gets its place in the tree now.
    for pk in orphans:
        row = rows[pk]
        Category.objects.filter(pk=pk, level__isnull=True).update(parent_id=row.parent_id, level=row.level)
        categories_changed()
    return {pk: name for pk, (_level, name) in known.items()}


# Page-cache entries these writes make stale (read by selectors_catalog).


# What else must happen when products' data changed (alerts evaluate theirs): registered by the domains above the
# catalog, which it never imports (sourcing/alerts/services.py registers alerts_queue).
PRODUCTS_CHANGED: list[Callable[..., None]] = []


def on_products_changed(fn: Callable[..., None]) -> Callable[..., None]:
    """Register fn(product_ids=...) to run after products' data changed."""
    PRODUCTS_CHANGED.append(fn)
    return fn


def products_changed(*, product_ids) -> None:
    for hook in PRODUCTS_CHANGED:
        hook(product_ids=product_ids)


def categories_upsert(
    *, nodes: list[ApiCategory], parents: dict[int, int | None], levels: dict[int, int], source: str,
    names_en: dict[int, str] | None = None,
) -> int:  # fmt: skip
    """Write the nodes of a category walk; returns how many rows changed."""
    names_en = names_en or {}
    now = timezone.now()
    existing = Category.objects.in_bulk([n.id for n in nodes])
    changed = 0
    for node in sorted(nodes, key=lambda n: levels.get(n.id, 0)):
        values = {"parent_id": parents.get(node.id), "name": node.name[:200], "level": levels.get(node.id),
                  "is_leaf": node.is_leaf, "source": source}  # fmt: skip
        if node.id in names_en:
            values["name_en"] = names_en[node.id][:200]
        row = existing.get(node.id)
        if row is None:
            Category.objects.create(id=node.id, fetched_at=now, **values)
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            Category.objects.filter(pk=node.id).update(fetched_at=now, **values)
            changed += 1
        else:
            Category.objects.filter(pk=node.id).update(fetched_at=now)
    if changed:
        categories_changed()
    return changed


def category_names_en_set(*, names: dict[int, str]) -> int:
    changed = 0
    for category_id, name in names.items():
        changed += Category.objects.filter(pk=category_id).exclude(name_en=name[:200]).update(name_en=name[:200])
    if changed:
        categories_changed()
    return changed


# --- suppliers ---


# --- supplier trust (docs/supplier-trust.md) ---


# --- products ---
def _search_columns(product: Product) -> dict:
    body = [product.company_name]
    for attribute in product.attributes or []:
        body += [str(attribute.get(k) or "") for k in ("name", "value", "name_en", "value_en")]
    return document(title_parts=[product.title, product.title_en], body_parts=body)


def _price_snapshot(product: Product) -> tuple:
    return (product.price_min, product.price_max, product.stock)


def _record_price(product: Product, before: tuple | None, now: datetime) -> None:
    after = _price_snapshot(product)
    if after != before and (after[0] is not None or after[2] is not None):
        PriceHistory.objects.create(product=product, at=now, price_min=after[0], price_max=after[1], stock=after[2])


def _summary_values(offer: OfferSummary) -> dict:
    low = money(offer.price_min if offer.price_min is not None else offer.price)
    high = money(offer.price_max) or low
    province = split_place(offer.company_address)[0] if offer.company_address else ""
    return {
        "title": offer.subject[:300],
        "title_en": offer.subject_en[:500],
        "image_url": offer.image_url[:500],
        "price_min": low,
        "price_max": max(high, low) if high is not None and low is not None else high,
        "moq": count_in_range(offer.min_order_quantity),
        "month_sold": count_in_range(offer.month_sold),
        "company_name": offer.company_name[:200],
        "province": province,
        "detail_url": offer.detail_url[:500],
        "ships_within_hours": count_in_range(offer.ships_within_hours, 32767),
        "listed_at": offer.listed_at,
        **_offer_extras(offer),
    }


def _offer_extras(offer: OfferSummary | ProductDetail) -> dict:
    """tradeScore, consignPrice and isOnePsale, as stored (None when the answer leaves them out)."""
    return {"trade_score": score_of(offer.trade_score) if offer.trade_score is not None else None,
            "consign_price": money(offer.consign_price), "one_piece": offer.one_piece}  # fmt: skip


def _apply_snapshot(product: Product, snapshot: dict) -> None:
    """Merge a search item's trust snapshot into the product and its filter columns."""
    product.seller = merge_snapshot(product.seller, snapshot)
    if snapshot.get("years") is not None:
        product.seller_years = snapshot["years"]
    if snapshot.get("badges") is not None:
        product.seller_factory = factory_of(snapshot["badges"])


def products_upsert_summaries(
    *, offers: list[OfferSummary], source: str, supplier: Supplier | None = None
) -> list[Product]:
    """Upsert the offers of a search or offer-list page (in order); details already fetched are kept.

    A summary only fills what it knows: an empty field never erases a known one, the detail's own
    fields (SKUs, tiers, attributes, stock) are left alone, and an unchanged summary writes one stamp.
    """
    now = timezone.now()
    wanted = [(offer_number(o.offer_id), o) for o in offers]
    wanted = [(n, o) for n, o in wanted if n is not None]
    categories_ensure(
        [(o.top_category_id, o.second_category_id, o.third_category_id) for _n, o in wanted], source=source
    )
    existing = {p.offer_id: p for p in Product.objects.filter(offer_id__in=[n for n, _o in wanted])}
    result, unchanged = [], []
    trust: dict[int, dict] = {}  # supplier id -> the fresh trust its offers on this page carry
    for number, offer in wanted:
        values = _summary_values(offer)
        snapshot = seller_snapshot(offer)
        category_id = offer.third_category_id or offer.second_category_id or offer.top_category_id
        digest = content_hash({**values, "category": category_id, "supplier": supplier.pk if supplier else None,
                               "source": source, "seller": snapshot})  # fmt: skip
        product = existing.get(number)
        if product is not None and product.summary_hash == digest:
            unchanged.append(product.pk)
            result.append(product)
            continue
        with transaction.atomic():
            if product is None:
                product, created = Product.objects.get_or_create(offer_id=number)
                before = None if created else _price_snapshot(product)
            else:
                before = _price_snapshot(product)
            for key, value in values.items():
                if value not in (None, "", []) and (
                    key not in ("company_name", "province") or not getattr(product, key)
                ):
                    setattr(product, key, value)
            if category_id and not product.category_id:
                product.category_id = category_id
            if supplier is not None and not product.supplier_id:
                product.supplier = supplier
            if supplier is not None and not product.province:
                product.province = supplier.province
            _apply_snapshot(product, snapshot)
            if product.supplier_id and snapshot:
                trust[product.supplier_id] = merge_snapshot(trust.get(product.supplier_id, {}), snapshot)
            if not product.images and product.image_url:
                product.images = [product.image_url]
            if product.status != Status.ACTIVE:  # 1688 lists it again
                product.status, product.status_changed_at = Status.ACTIVE, now
            product.source = source
            product.summary_hash, product.summary_fetched_at, product.changed_at = digest, now, now
            for key, value in _search_columns(product).items():
                setattr(product, key, value)
            product.save()
            _record_price(product, before, now)
        result.append(product)
    if unchanged:
        Product.objects.filter(pk__in=unchanged).update(summary_fetched_at=now)
    for known in Supplier.objects.filter(pk__in=list(trust)):
        supplier_trust_merge(supplier=known, snapshot=trust[known.pk], fresh=True)
    products_changed(product_ids={p.pk for p in result} - set(unchanged))  # e.g. their alerts, in a worker after commit
    return result


def _detail_values(detail: ProductDetail) -> dict:
    sku_prices = [money(s.price) for s in detail.skus if money(s.price) is not None]
    tier_prices = [money(t.price) for t in detail.price_tiers if money(t.price) is not None]
    prices = sku_prices or tier_prices
    return {
        "title": detail.subject[:300],
        "title_en": detail.subject_en[:500],
        "images": [u[:500] for u in detail.images][:30],
        "image_url": (detail.images[0] if detail.images else "")[:500],
        "attributes": [
            {"name": a.name, "value": a.value, "name_en": a.name_en, "value_en": a.value_en} for a in detail.attributes
        ][:100],  # fmt: skip
        "price_tiers": [
            {"min_quantity": t.min_quantity, "price": str(money(t.price))}
            for t in detail.price_tiers
            if money(t.price) is not None
        ],  # fmt: skip
        "price_min": min(prices) if prices else None,
        "price_max": max(prices) if prices else None,
        "moq": count_in_range(detail.min_order_quantity),
        "unit": detail.unit[:20],
        "unit_en": detail.unit_en[:40],
        "stock": count_in_range(detail.stock),
        "sales_count": count_in_range(detail.sales_count),
        "quote_type": count_in_range(detail.quote_type, 32767),
        "ship_from": detail.ship_from[:100],
        "weight_kg": detail.weight_kg if detail.weight_kg is not None and 0 <= detail.weight_kg < 10**6 else None,
        "ships_within_hours": count_in_range(detail.ships_within_hours, 32767),
        "detail_url": detail.detail_url[:500],
        "company_name": detail.company_name[:200],
        "listed_at": detail.listed_at,
        # untrusted seller HTML, cleaned before it is stored (and again when shown): docs/offer-content.md
        "description_html": clean_description(detail.description),
        "video_url": _link(detail.video_url),
        "detail_video_url": _link(detail.detail_video_url),
    }


# An answer without these (sparse live answers leave them out or null) keeps what an earlier answer gave.
KEPT_WHEN_MISSING = ("description_html", "video_url", "detail_video_url")


def _link(url: str) -> str:
    url = media_url(url)
    return url if len(url) <= 500 else ""


def _sku_rows(detail: ProductDetail) -> list[dict]:
    rows = []
    for position, sku in enumerate(detail.skus[:500]):
        if not sku.sku_id:
            continue
        attributes = [{"name": a.name, "value": a.value, "name_en": a.name_en, "value_en": a.value_en,
                       "image_url": a.image_url} for a in sku.attributes]  # fmt: skip
        rows.append({
            "sku_id": sku.sku_id[:40], "spec_id": sku.spec_id[:64], "attributes": attributes,
            "price": money(sku.price), "stock": count_in_range(sku.stock), "position": position,
            "image_url": next((a.image_url for a in sku.attributes if a.image_url), "")[:500],
        })  # fmt: skip
    return rows


def _seller_words(detail: ProductDetail) -> list[str]:
    """The seller identities a detail names (offer tags such as 一件代发 stay off the supplier)."""
    return list(dict.fromkeys(b for b in [*detail.seller_badges, *detail.badges] if b in SELLER_BADGES))


def product_upsert_detail(*, detail: ProductDetail, source: str) -> tuple[Product | None, bool]:
    """Write a full detail answer; returns (product, changed). A non-published offer only changes status."""
    number = offer_number(detail.offer_id)
    if number is None:
        return None, False
    now = timezone.now()
    if detail.status and detail.status != "published":
        product = Product.objects.filter(offer_id=number).first()
        if product is not None:
            product_mark_status(product=product, status=Status.DELISTED)
            Product.objects.filter(pk=product.pk).update(detail_fetched_at=now, refresh_error="")
            product.refresh_from_db()
        return product, product is not None
    values = _detail_values(detail)
    extras = {k: v for k, v in _offer_extras(detail).items() if v is not None}  # a detail without them keeps them
    skus = _sku_rows(detail)
    supplier_values = supplier_columns(company_name=detail.company_name, seller_data=detail.seller_data,
                                       badges=_seller_words(detail), place=detail.ship_from)  # fmt: skip
    category_id = (detail.category_id or detail.third_category_id or detail.second_category_id
                   or detail.top_category_id)  # fmt: skip
    digest = content_hash({**values, **extras, "skus": skus, "category": category_id,
                           "seller": detail.seller_open_id, "supplier": supplier_values, "source": source})  # fmt: skip
    product = Product.objects.filter(offer_id=number).first()
    if product is not None and product.content_hash == digest and product.status == Status.ACTIVE:
        Product.objects.filter(pk=product.pk).update(detail_fetched_at=now, refresh_error="")
        product.detail_fetched_at, product.refresh_error = now, ""
        return product, False
    names = categories_ensure(
        [(detail.top_category_id, detail.second_category_id, detail.third_category_id)], source=source
    )
    if category_id:
        name = (names[category_id] if category_id in names
                else Category.objects.filter(pk=category_id).values_list("name", flat=True).first())  # fmt: skip
        if name is None:
            # Known by id only when the answer has no top/second/third chain: level unknown, no parent yet.
            Category.objects.bulk_create([Category(id=category_id, source=source)], ignore_conflicts=True)
            categories_changed()
        if (
            detail.category_name
            and not name
            and Category.objects.filter(pk=category_id, name="").update(name=detail.category_name[:200])
        ):
            categories_changed()
    with transaction.atomic():
        supplier = supplier_upsert(open_id=detail.seller_open_id, values=supplier_values, source=source)
        if product is None:
            product, created = Product.objects.get_or_create(offer_id=number)
            before = None if created else _price_snapshot(product)
        else:
            before = _price_snapshot(product)
        for key, value in {**values, **extras}.items():
            if value or key not in KEPT_WHEN_MISSING:
                setattr(product, key, value)
        if category_id:
            product.category_id = category_id
        if supplier is not None:
            product.supplier = supplier
            product.province = supplier.province or product.province
            # The search item's trust (years above all: no detail has tpYear) fills what the supplier lacks.
            supplier_trust_merge(supplier=supplier, snapshot=product.seller, fresh=False)
            if supplier.years is not None:
                product.seller_years = supplier.years
            if supplier.badges:
                product.seller_factory = factory_of(supplier.badges)
        if product.status != Status.ACTIVE:
            product.status, product.status_changed_at = Status.ACTIVE, now
        product.source = source
        product.content_hash, product.detail_fetched_at, product.changed_at = digest, now, now
        product.refresh_error = ""
        for key, value in _search_columns(product).items():
            setattr(product, key, value)
        product.save()
        _skus_replace(product, skus)
        _record_price(product, before, now)
    products_changed(product_ids=[product.pk])
    return product, True


def _skus_replace(product: Product, rows: list[dict]) -> None:
    existing = {s.sku_id: s for s in Sku.objects.filter(product=product)}
    keep = {r["sku_id"] for r in rows}
    gone = [s.pk for sku_id, s in existing.items() if sku_id not in keep]
    if gone:
        Sku.objects.filter(pk__in=gone).delete()
    new, changed = [], []
    for row in rows:
        sku = existing.get(row["sku_id"])
        if sku is None:
            new.append(Sku(product=product, **row))
        elif any(getattr(sku, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(sku, k, v)
            changed.append(sku)
    Sku.objects.bulk_create(new)
    if changed:
        Sku.objects.bulk_update(changed, ["spec_id", "attributes", "price", "stock", "image_url", "position"])


def product_mark_status(*, product: Product, status: str) -> bool:
    """Mark an offer delisted or not found; its last good data stays. Returns whether it changed."""
    now = timezone.now()
    changed = Product.objects.filter(pk=product.pk).exclude(status=status).update(status=status, status_changed_at=now)
    if changed:
        product.status, product.status_changed_at = status, now
        products_changed(product_ids=[product.pk])
    return bool(changed)
