"""Template helpers for contacting suppliers and alerts: the boxes product, supplier and list pages include,
and response times in words."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from sourcing.accounts.selectors import current_membership
from sourcing.alerts.selectors import alerts_for_product, team_product_rows
from sourcing.alerts.services import WATCH_KINDS
from sourcing.inquiries.selectors import average_response, inquiries_for_product, inquiries_for_supplier

register = template.Library()


@register.filter
def duration(value) -> str:
    """A timedelta in words: "45 min", "3 h 20 min", "2 d 4 h"."""
    if not isinstance(value, timedelta):
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


def _membership(context):
    """The navigation's current membership (already loaded for the page), else a query."""
    membership = context.get("current_membership")
    return membership if membership is not None else current_membership(context["request"].user)


def _has(membership, product, which: int) -> bool:
    """Whether the team may have inquiries (0) or alerts (1) on the product: False only when a plain query says it
    has none (no membership: the reads answer nothing anyway)."""
    if membership is None or product is None or product.pk is None:
        return membership is not None
    return team_product_rows(membership.team_id, product.pk)[which]


@register.inclusion_tag("sourcing/inquiries/_product_box.html", takes_context=True)
def contact_box(context, product):
    user = context["request"].user
    membership = _membership(context)
    history = inquiries_for_product(user, product, membership=membership) if _has(membership, product, 0) else []
    return {"product": product, "history": history, "average": average_response(history),
            "can_edit": bool(membership and membership.can_edit)}  # fmt: skip


@register.inclusion_tag("sourcing/inquiries/_supplier_box.html", takes_context=True)
def supplier_inquiries(context, supplier):
    user = context["request"].user
    membership = _membership(context)
    history = inquiries_for_supplier(user, supplier, membership=membership)
    page = context.get("page")
    offer = page.products[0] if page is not None and getattr(page, "products", None) else None
    return {"supplier": supplier, "history": history, "average": average_response(history), "offer": offer,
            "replied": sum(1 for i in history if i.response_time is not None),
            "can_edit": bool(membership and membership.can_edit)}  # fmt: skip


@register.inclusion_tag("sourcing/alerts/_product_box.html", takes_context=True)
def alerts_box(context, product):
    request = context["request"]
    membership = _membership(context)
    alerts = alerts_for_product(request.user, product, membership=membership) if _has(membership, product, 1) else []
    watching = {a.kind for a in alerts if a.created_by_id == request.user.pk and a.list_item_id is None
                and a.sku_id is None and a.kind in WATCH_KINDS}  # fmt: skip
    return {"product": product, "alerts": alerts, "watching": len(watching) == len(WATCH_KINDS),
            "can_edit": bool(membership and membership.can_edit), "request": request}  # fmt: skip
