"""Template helpers of buying that pages of lower domains include by name (they never import orders)."""

from django import template

from sourcing.accounts.selectors import current_membership
from sourcing.orders.selectors import supplier_record

register = template.Library()


@register.inclusion_tag("sourcing/orders/_supplier_record.html", takes_context=True)
def supplier_receiving(context, supplier):
    """The supplier page's box: what the reader's team has received from this supplier (its own orders only)."""
    membership = context.get("current_membership") or current_membership(context["request"].user)
    record = supplier_record(membership.team_id, supplier.pk) if membership is not None else None
    return {"record": record, "supplier": supplier}
