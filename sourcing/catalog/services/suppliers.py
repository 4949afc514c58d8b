"""Suppliers and their trust signals: upserted from any answer that names them, merged so a sparser answer never erases what a richer one said (docs/supplier-trust.md)."""

from decimal import Decimal

from django.utils import timezone

from sourcing.alibaba.api import FACTORY_BADGES, OfferSummary
from sourcing.catalog.models import Product, Supplier
from sourcing.catalog.services.cleaning import content_hash, split_place


def supplier_columns(*, company_name: str, seller_data: dict, badges: list[str], place: str, years=None) -> dict:
    province, city = split_place(place)
    values = {
        "company_name": company_name[:200],
        "province": province,
        "city": city,
        "scores": {k: v for k, v in seller_data.items() if k not in ("service", "repurchase", "years")},
        "badges": badges,
        "service_score": score_of(seller_data.get("service")),
        "repurchase_rate": percent_of(seller_data.get("repurchase")),
    }
    if years is None and str(seller_data.get("years", "")).isdigit():
        years = int(seller_data["years"])
    if years is not None:
        values["years"] = min(max(years, 0), 100)
    return values


def score_of(text) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (ArithmeticError, ValueError):
        return None
    return value.quantize(Decimal("0.1")) if value.is_finite() and 0 <= value <= 5 else None


def percent_of(text) -> Decimal | None:
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
            supplier.content_hash = content_hash(supplier_state(supplier))
            Supplier.objects.filter(pk=supplier.pk).update(content_hash=supplier.content_hash)
            return supplier
    for key, value in values.items():
        if key == "scores":  # a sparser answer's scores never erase the sub-scores it leaves out
            value = {**(supplier.scores or {}), **value}
        elif key == "badges":  # a detail names some identities, never all: it only adds
            value = list(dict.fromkeys([*(supplier.badges or []), *value]))
        setattr(supplier, key, value)
    supplier.source = source
    digest = content_hash(supplier_state(supplier))
    if digest == supplier.content_hash:
        Supplier.objects.filter(pk=supplier.pk).update(fetched_at=now)
    else:
        supplier.content_hash, supplier.fetched_at = digest, now
        supplier.save()
    return supplier


def seller_snapshot(offer: OfferSummary) -> dict:
    """The supplier trust a search item carries, as stored on Product.seller (only what the item says)."""
    data = offer.seller_data or {}
    snapshot: dict = {}
    years = offer.seller_years if offer.seller_years is not None else whole_number(data.get("years"))
    if years is not None and 0 <= years <= 100:
        snapshot["years"] = years
    if offer.seller_badges is not None:  # the item lists the seller's identities: the list as it is now
        snapshot["badges"] = list(offer.seller_badges)
    if score_of(data.get("service")) is not None:
        snapshot["service"] = str(score_of(data["service"]))
    repurchase = percent_of(data.get("repurchase")) if data.get("repurchase") else None
    if repurchase is None and offer.repurchase_rate:  # the offer's own rate when the seller's is not given
        repurchase = percent_of(offer.repurchase_rate)
    if repurchase is not None:
        snapshot["repurchase"] = str(repurchase)
    scores = {k: v for k, v in data.items() if k not in ("service", "repurchase", "years")}
    if scores:
        snapshot["scores"] = scores
    return snapshot


def whole_number(value) -> int | None:
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
    wanted("service_score", score_of(snapshot.get("service")) if snapshot.get("service") else None)
    wanted("repurchase_rate", percent_of(snapshot.get("repurchase")) if snapshot.get("repurchase") else None)
    scores = snapshot.get("scores") or {}
    if scores:
        values["scores"] = {**scores, **(supplier.scores or {})} if not fresh else {**(supplier.scores or {}), **scores}
    changed = {k: v for k, v in values.items() if getattr(supplier, k) != v}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(supplier, key, value)
    supplier.content_hash = content_hash(supplier_state(supplier))
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
    if update:
        Product.objects.filter(supplier=supplier).update(**update)


def supplier_state(supplier: Supplier) -> dict:
    fields = ["login_id", "member_id", "company_name", "province", "city", "years", "service_score", "scores",
              "repurchase_rate", "badges", "shop_url", "source"]  # fmt: skip
    return {f: getattr(supplier, f) for f in fields}
