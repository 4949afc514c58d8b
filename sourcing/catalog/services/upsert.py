"""Write what 1688 answered into the catalog: idempotent upserts keyed by 1688's ids.

Each writer hashes the content it was given and skips every write but the freshness stamp when
the hash is unchanged; a price-history row is written only when the price range or the stock
moved; delisted and vanished offers keep their last good data and only change status.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.cache import forget
from sourcing.alibaba.api import FACTORY_BADGES, SELLER_BADGES, OfferSummary, ProductDetail
from sourcing.alibaba.api import Category as ApiCategory
from sourcing.catalog.keys import CATALOG_GENERATION_KEY, CATEGORY_OPTIONS_KEY, offer_number
from sourcing.catalog.models import Category, PriceHistory, Product, Sku, Supplier
from sourcing.catalog.offer_content import clean_description, media_url
from sourcing.catalog.search import document

Status = Product.Status


def content_hash(value) -> str:
    """A stable digest of JSON-able content (Decimals and datetimes as text)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _money(value: Decimal | None) -> Decimal | None:
    if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        return None
    return value.quantize(Decimal("0.01"))


def _count(value: int | None, limit: int = 2**31 - 1) -> int | None:
    return None if value is None or value < 0 else min(value, limit)


def split_place(text: str) -> tuple[str, str]:
    """ "浙江省 金华市" or "浙江省杭州市" → (province, city)."""
    text = (text or "").strip()
    if " " in text:
        province, _, city = text.partition(" ")
        return province[:40], city.strip()[:60]
    for mark in ("自治区", "省", "市"):
        at = text.find(mark)
        if 0 < at < len(text) - 1:
            return text[: at + len(mark)][:40], text[at + len(mark) :][:60]
    return text[:40], ""


# --- categories ---
def categories_ensure(chains: Iterable[tuple[int | None, ...]], *, source: str) -> None:
    """Make sure each category id of each (top, second, third) chain exists, linked to its parent."""
    rows: dict[int, Category] = {}
    for chain in chains:
        parent = None
        for level, category_id in enumerate(chain, start=1):
            if not category_id or category_id <= 0:
                continue
            rows.setdefault(category_id, Category(id=category_id, parent_id=parent, level=level, source=source))
            parent = category_id
    if not rows:
        return
    if Category.objects.filter(pk__in=list(rows)).count() < len(rows):
        # Parents first, so each row's parent exists when the row is inserted (FK checks on PostgreSQL).
        ordered = sorted(rows.values(), key=lambda c: c.level or 0)
        Category.objects.bulk_create(ordered, ignore_conflicts=True)
        categories_changed()
    # A category first known by id alone (a detail without the chain) gets its place in the tree now.
    for orphan in Category.objects.filter(pk__in=list(rows), level__isnull=True):
        row = rows[orphan.pk]
        Category.objects.filter(pk=orphan.pk, level__isnull=True).update(parent_id=row.parent_id, level=row.level)
        categories_changed()
        catalog_changed()  # its products now belong to a category page


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


def catalog_changed() -> None:
    """Retire every cached result page (a product's searchable data or status, or a supplier, changed): the
    next page view starts a new catalog generation."""
    forget(CATALOG_GENERATION_KEY)


def categories_changed() -> None:
    """Drop the cached category <select>."""
    forget(CATEGORY_OPTIONS_KEY)


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
def _supplier_values(*, company_name: str, seller_data: dict, badges: list[str], place: str, years=None) -> dict:
    province, city = split_place(place)
    values = {
        "company_name": company_name[:200],
        "province": province,
        "city": city,
        "scores": {k: v for k, v in seller_data.items() if k not in ("service", "repurchase", "years")},
        "badges": badges,
        "service_score": _score(seller_data.get("service")),
        "repurchase_rate": _percent(seller_data.get("repurchase")),
    }
    if years is None and str(seller_data.get("years", "")).isdigit():
        years = int(seller_data["years"])
    if years is not None:
        values["years"] = min(max(years, 0), 100)
    return values


def _score(text) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (ArithmeticError, ValueError):
        return None
    return value.quantize(Decimal("0.1")) if value.is_finite() and 0 <= value <= 5 else None


def _percent(text) -> Decimal | None:
    try:
        value = Decimal(str(text).rstrip("%"))
    except (ArithmeticError, ValueError):
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() and 0 <= value <= 100 else None


def supplier_upsert(*, open_id: str, values: dict, source: str) -> Supplier | None:
    """Create or update the supplier with this open id; empty values never erase known ones."""
    open_id = (open_id or "").strip()[:64]
    if not open_id:
        return None
    values = {k: v for k, v in values.items() if v not in (None, "", [], {})}
    supplier = Supplier.objects.filter(open_id=open_id).first()
    now = timezone.now()
    if supplier is None:
        supplier, created = Supplier.objects.get_or_create(
            open_id=open_id, defaults={**values, "source": source, "fetched_at": now}
        )
        if created:
            supplier.content_hash = content_hash(_supplier_state(supplier))
            Supplier.objects.filter(pk=supplier.pk).update(content_hash=supplier.content_hash)
            return supplier
    for key, value in values.items():
        if key == "scores":  # a sparser answer's scores never erase the sub-scores it leaves out
            value = {**(supplier.scores or {}), **value}
        elif key == "badges":  # a detail names some identities, never all: it only adds
            value = list(dict.fromkeys([*(supplier.badges or []), *value]))
        setattr(supplier, key, value)
    supplier.source = source
    digest = content_hash(_supplier_state(supplier))
    if digest == supplier.content_hash:
        Supplier.objects.filter(pk=supplier.pk).update(fetched_at=now)
    else:
        supplier.content_hash, supplier.fetched_at = digest, now
        supplier.save()
    return supplier


# --- supplier trust (docs/supplier-trust.md) ---
def seller_snapshot(offer: OfferSummary) -> dict:
    """The supplier trust a search item carries, as stored on Product.seller (only what the item says)."""
    data = offer.seller_data or {}
    snapshot: dict = {}
    years = offer.seller_years if offer.seller_years is not None else _whole(data.get("years"))
    if years is not None and 0 <= years <= 100:
        snapshot["years"] = years
    if offer.seller_badges is not None:  # the item lists the seller's identities: the list as it is now
        snapshot["badges"] = list(offer.seller_badges)
    if _score(data.get("service")) is not None:
        snapshot["service"] = str(_score(data["service"]))
    repurchase = _percent(data.get("repurchase")) if data.get("repurchase") else None
    if repurchase is None and offer.repurchase_rate:  # the offer's own rate when the seller's is not given
        repurchase = _percent(offer.repurchase_rate)
    if repurchase is not None:
        snapshot["repurchase"] = str(repurchase)
    scores = {k: v for k, v in data.items() if k not in ("service", "repurchase", "years")}
    if scores:
        snapshot["scores"] = scores
    return snapshot


def _whole(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 4 else None


def merge_snapshot(old: dict, new: dict) -> dict:
    """A stored snapshot updated by a newer one: keys the newer one lacks are kept, scores merged key by key."""
    merged = {**(old or {}), **{k: v for k, v in new.items() if k != "scores"}}
    if new.get("scores") or (old or {}).get("scores"):
        merged["scores"] = {**(old or {}).get("scores", {}), **new.get("scores", {})}
    return merged


def factory_of(badges) -> bool | None:
    """Whether these seller identities make a verified factory; None when none are known."""
    if badges is None:
        return None
    return any(b in FACTORY_BADGES for b in badges)


def supplier_trust_merge(*, supplier: Supplier, snapshot: dict, fresh: bool) -> bool:
    """Merge a product's trust snapshot into its supplier; returns whether the supplier changed.

    A fresh snapshot (a search item just read) overrides what it says; a stored one (merged when a detail first
    links the product) only fills what the supplier does not know yet. Nothing is erased by a missing key."""
    if not snapshot:
        return False
    values: dict = {}

    def wanted(field, value):
        if value is not None and (fresh or getattr(supplier, field) in (None, "", [], {})):
            values[field] = value

    wanted("years", snapshot.get("years"))
    if snapshot.get("badges") is not None:  # a search item's full list of identities; a stored one only adds
        values["badges"] = list(dict.fromkeys(snapshot["badges"] + ([] if fresh else supplier.badges or [])))
    wanted("service_score", _score(snapshot.get("service")) if snapshot.get("service") else None)
    wanted("repurchase_rate", _percent(snapshot.get("repurchase")) if snapshot.get("repurchase") else None)
    scores = snapshot.get("scores") or {}
    if scores:
        values["scores"] = {**scores, **(supplier.scores or {})} if not fresh else {**(supplier.scores or {}), **scores}
    changed = {k: v for k, v in values.items() if getattr(supplier, k) != v}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(supplier, key, value)
    supplier.content_hash = content_hash(_supplier_state(supplier))
    supplier.save(update_fields=[*changed, "content_hash"])
    supplier_products_trust_sync(supplier=supplier)
    return True


def supplier_products_trust_sync(*, supplier: Supplier) -> None:
    """Copy the supplier's years and factory status to its products' filter columns (unknown values stay)."""
    update = {}
    if supplier.years is not None:
        update["seller_years"] = supplier.years
    if supplier.badges:
        update["seller_factory"] = factory_of(supplier.badges)
    if update and Product.objects.filter(supplier=supplier).update(**update):
        catalog_changed()


def _supplier_state(supplier: Supplier) -> dict:
    fields = ["login_id", "member_id", "company_name", "province", "city", "years", "service_score", "scores",
              "repurchase_rate", "badges", "shop_url", "source"]  # fmt: skip
    return {f: getattr(supplier, f) for f in fields}


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
    low = _money(offer.price_min if offer.price_min is not None else offer.price)
    high = _money(offer.price_max) or low
    province = split_place(offer.company_address)[0] if offer.company_address else ""
    return {
        "title": offer.subject[:300],
        "title_en": offer.subject_en[:500],
        "image_url": offer.image_url[:500],
        "price_min": low,
        "price_max": max(high, low) if high is not None and low is not None else high,
        "moq": _count(offer.min_order_quantity),
        "month_sold": _count(offer.month_sold),
        "company_name": offer.company_name[:200],
        "province": province,
        "detail_url": offer.detail_url[:500],
        "ships_within_hours": _count(offer.ships_within_hours, 32767),
        "listed_at": offer.listed_at,
        **_offer_extras(offer),
    }


def _offer_extras(offer: OfferSummary | ProductDetail) -> dict:
    """tradeScore, consignPrice and isOnePsale, as stored (None when the answer leaves them out)."""
    return {"trade_score": _score(offer.trade_score) if offer.trade_score is not None else None,
            "consign_price": _money(offer.consign_price), "one_piece": offer.one_piece}  # fmt: skip


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
    sku_prices = [_money(s.price) for s in detail.skus if _money(s.price) is not None]
    tier_prices = [_money(t.price) for t in detail.price_tiers if _money(t.price) is not None]
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
            {"min_quantity": t.min_quantity, "price": str(_money(t.price))}
            for t in detail.price_tiers
            if _money(t.price) is not None
        ],  # fmt: skip
        "price_min": min(prices) if prices else None,
        "price_max": max(prices) if prices else None,
        "moq": _count(detail.min_order_quantity),
        "unit": detail.unit[:20],
        "unit_en": detail.unit_en[:40],
        "stock": _count(detail.stock),
        "sales_count": _count(detail.sales_count),
        "quote_type": _count(detail.quote_type, 32767),
        "ship_from": detail.ship_from[:100],
        "weight_kg": detail.weight_kg if detail.weight_kg is not None and 0 <= detail.weight_kg < 10**6 else None,
        "ships_within_hours": _count(detail.ships_within_hours, 32767),
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
            "price": _money(sku.price), "stock": _count(sku.stock), "position": position,
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
    supplier_values = _supplier_values(company_name=detail.company_name, seller_data=detail.seller_data,
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
    categories_ensure([(detail.top_category_id, detail.second_category_id, detail.third_category_id)], source=source)
    if category_id:
        # Known by id only when the answer has no top/second/third chain: level unknown, no parent yet.
        if not Category.objects.filter(pk=category_id).exists():
            Category.objects.bulk_create([Category(id=category_id, source=source)], ignore_conflicts=True)
            categories_changed()
        if detail.category_name and Category.objects.filter(pk=category_id, name="").update(
            name=detail.category_name[:200]
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
    keep = [r["sku_id"] for r in rows]
    Sku.objects.filter(product=product).exclude(sku_id__in=keep).delete()
    existing = {s.sku_id: s for s in Sku.objects.filter(product=product)}
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
        catalog_changed()
    return bool(changed)
