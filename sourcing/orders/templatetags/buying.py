"""Template helpers of buying that pages of lower domains include by name (they never import orders)."""

from django import template
from django.conf import settings

from sourcing.accounts.selectors import current_membership
from sourcing.lists.models import ListItem
from sourcing.orders.elsewhere import elsewhere_landed
from sourcing.orders.scorecards import scorecards

register = template.Library()


@register.inclusion_tag("sourcing/orders/_scorecard.html", takes_context=True)
def supplier_scorecard(context, supplier):
    """The supplier page's box: the reader's team's scorecard of this supplier (its own data only) and what it has
    received from it."""
    membership = context.get("current_membership") or current_membership(context["request"].user)
    card = scorecards(membership.team_id, [supplier]).get(supplier.pk) if membership is not None else None
    return {"card": card, "supplier": supplier, "days": settings.SCORECARD_DAYS,
            "price_days": settings.SCORECARD_PRICE_DAYS, "minimum": settings.SCORECARD_MIN_OBSERVATIONS}  # fmt: skip


@register.inclusion_tag("sourcing/orders/_scorecard_cell.html")
def scorecard_cell(card):
    """A compare cell or list row: each figure of a scorecard in one short line (set by the item reader)."""
    return {"card": card}


@register.inclusion_tag("sourcing/orders/_same_item_landed.html", takes_context=True)
def same_item_landed(context, product, elsewhere, quantity):
    """The product page's "same item from N other suppliers" rows (catalog's Elsewhere rows), each at the reader's
    team's quantity, listed and landed (the team's default rate card), with the supplier's trust signals."""
    membership = context.get("current_membership") or current_membership(context["request"].user)
    team_id = membership.team_id if membership is not None else None
    if not context.get("qty") and team_id is not None:  # no quantity asked: the team's target on its lists, if any
        target = (ListItem.objects.filter(product_list__team_id=team_id, product=product, target_quantity__gt=0)
                  .order_by("-updated_at", "-pk").values_list("target_quantity", flat=True).first())  # fmt: skip
        quantity = target or quantity
    mine, rows = elsewhere_landed(team_id, product, [row.product for row in elsewhere], quantity)
    if team_id is not None:  # what the team itself has seen of each supplier, beside 1688's trust signals
        cards = scorecards(team_id, [row.product.supplier for row in rows if row.product.supplier_id])
        for row in rows:  # only where the team has dealings of its own (price variation alone is public data)
            card = cards.get(row.product.supplier_id)
            own = card is not None and any(f.observations for f in card.figures.values() if f.key != "price_variation")
            row.card = card if own else None
    return {"mine": mine, "rows": rows, "quantity": mine.quantity, "product": product}
