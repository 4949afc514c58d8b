"""The same item from other suppliers, as pages and lists read it (public catalog data: no team filter)."""

from dataclasses import dataclass
from decimal import Decimal

from sourcing.catalog.models import Product, SameItemMember
from sourcing.catalog.pricing import PriceQuote, price_at_quantity
from sourcing.catalog.selectors.trust import Trust, trust_for


@dataclass
class Elsewhere:
    """Another supplier's offer of the same item, priced at the quantity asked."""

    product: Product
    quote: PriceQuote
    trust: Trust
    score: float
    cheaper_by: Decimal | None  # per unit at that quantity, against the product asked about


def same_item_member(product: Product) -> SameItemMember | None:
    """The product's place in a cluster: read with the product when it was selected with it (product_for_page's
    `select_related("same_item")`: no query), else one query."""
    if Product.same_item.is_cached(product):
        return Product.same_item.related.get_cached_value(product)
    return SameItemMember.objects.filter(product=product).first()


def same_item_products(product: Product) -> list[Product]:
    """The other active offers in the product's cluster."""
    member = same_item_member(product)
    if member is None:
        return []
    rows = (
        Product.objects.filter(same_item__cluster_id=member.cluster_id, status=Product.Status.ACTIVE)
        .exclude(pk=product.pk)
        .select_related("supplier", "category", "same_item")
    )
    return list(rows)


def same_item_elsewhere(product: Product, quantity=None) -> list[Elsewhere]:
    """The same item from other suppliers at `quantity` (the product's MOQ when None), cheapest first."""
    mine = price_at_quantity(product, quantity or product.moq or 1).piece_price
    rows = []
    for other in same_item_products(product):
        quote = price_at_quantity(other, quantity or product.moq or 1)
        price = quote.piece_price
        cheaper = (mine - price) if mine is not None and price is not None and price < mine else None
        rows.append(Elsewhere(other, quote, trust_for(other), other.same_item.score, cheaper))
    return sorted(rows, key=lambda r: (r.quote.piece_price is None, r.quote.piece_price or 0, r.product.pk))


def cheaper_elsewhere(product: Product, quantity=None) -> Elsewhere | None:
    """The cheapest identical offer when it is cheaper than the product at that quantity."""
    rows = [r for r in same_item_elsewhere(product, quantity) if r.cheaper_by]
    return rows[0] if rows else None
