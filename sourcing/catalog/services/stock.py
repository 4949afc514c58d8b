"""Stock levels told by 1688's inventory messages: written through the catalog like a fetched answer (price history,
the products-changed hook, so alerts fire), without a gateway call. The messages domain decides which levels are
newer than what the product holds (sourcing/messages/services/apply.py)."""

from django.db import transaction
from django.utils import timezone

from sourcing.catalog.models import Product, Sku
from sourcing.catalog.services.upsert import _price_snapshot, _record_price, products_changed

STOCK_MAX = 2_147_483_647


def _level(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= STOCK_MAX else None


def product_stock_set(*, product_id: int, stock: int | None = None, sku_stocks: dict[str, int] | None = None) -> bool:
    """Set the offer's stock and its options' (by 1688 sku id); returns whether anything changed.

    Only the levels given change. The stored detail's hash is cleared, so the next fetched answer is written in
    full even when it equals the one the hash was made from (its stock may differ from what messages set since)."""
    stock = _level(stock)
    levels = {str(k)[:40]: v for k, v in (sku_stocks or {}).items() if _level(v) is not None}
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product_id).first()
        if product is None:
            return False
        before = _price_snapshot(product)
        changed = False
        for sku in Sku.objects.filter(product_id=product_id, sku_id__in=list(levels)):
            if sku.stock != levels[sku.sku_id]:
                Sku.objects.filter(pk=sku.pk).update(stock=levels[sku.sku_id])
                changed = True
        if stock is not None and product.stock != stock:
            product.stock = stock
            changed = True
        if not changed:
            return False
        now = timezone.now()
        product.changed_at, product.content_hash = now, ""
        product.save(update_fields=["stock", "changed_at", "content_hash"])
        _record_price(product, before, now)
    products_changed(product_ids=[product_id])
    return True
