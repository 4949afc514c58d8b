"""Template helpers of buying that pages of lower domains include by name (they never import orders)."""

from django import template
from django.conf import settings

from sourcing.accounts.selectors import current_membership
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
