"""Template helpers for team lists: the "save to list" controls other pages include, and amounts in the
team's currency beside yuan."""

from dataclasses import dataclass, field
from decimal import Decimal

from django import template
from django.utils import translation

from sourcing.accounts.selectors import current_membership
from sourcing.catalog.templatetags.catalog import _decimal
from sourcing.core.natural import natural_sorted
from sourcing.lists.models import ListActivity, ListItem, ProductList
from sourcing.lists.selectors import Converter, team_lists_and_saved
from sourcing.lists.services import CURRENCIES, currency_choices

register = template.Library()


@dataclass
class SaveContext:
    can_edit: bool = False
    lists: list[ProductList] = field(default_factory=list)
    saved: dict[int, list] = field(default_factory=dict)  # product id → [Held]


@register.simple_tag(takes_context=True)
def team_lists(context) -> SaveContext:
    """The current team's active lists and which products they hold: one query per request, however many cards."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return SaveContext()
    cached = getattr(request, "_team_lists", None)
    if cached is None:
        membership = context.get("current_membership") or current_membership(user)
        cached = SaveContext(can_edit=bool(membership and membership.can_edit))
        if membership is not None:
            cached.lists, cached.saved = team_lists_and_saved(membership.team_id)
        request._team_lists = cached
    return cached


@register.filter
def saved_on(saved: dict, product_id) -> list:
    """The team's lists holding the product (Held rows), from `team_lists`' saved marks."""
    return saved.get(product_id, []) if isinstance(saved, dict) else []


@register.filter
def in_natural_order(skus) -> list:
    """A product's options as the product page lists them: 350 ml, 500 ml, 1000 ml."""
    return natural_sorted(skus, key=lambda sku: sku.label)


@register.filter
def list_ids(held: list) -> set[int]:
    return {h.list_id for h in held or []}


@register.filter
def money(value, currency="CNY"):
    """An amount in a currency: ¥1,234.50, $12.80, JP¥1,235, 12.80 XYZ; an em dash for none."""
    number = _decimal(value)
    if number is None:
        return "—"
    code = str(currency or "CNY").upper()
    symbol, decimals, _name = CURRENCIES.get(code, ("", 2, code))
    quantum = Decimal(1).scaleb(-decimals)
    text = f"{number.quantize(quantum):,}"
    return f"{symbol}{text}" if symbol else f"{text} {code}"


@register.filter
def converted(value, converter: Converter):
    """≈ the amount in the team's currency, or "" when there is no second currency."""
    if not isinstance(converter, Converter) or not converter.active:
        return ""
    amount = converter(_decimal(value))
    return "≈ " + money(amount, converter.currency) if amount is not None else ""


@register.filter
def rate_text(converter: Converter) -> str:
    """¥1 = 0.1381 USD (2026-11-20)."""
    if not isinstance(converter, Converter) or not converter.rate:
        return ""
    rate = converter.rate
    return f"¥1 = {rate.rate.normalize():f} {converter.currency} ({rate.date.isoformat()})"


@register.filter
def quote_gap(quote, target_price):
    """How the quoted unit price compares with the target: (percent, above?) or None."""
    target = _decimal(target_price)
    if quote is None or quote.unit_price is None or not target:
        return None
    gap = (quote.unit_price - target) * 100 / target
    return {"percent": abs(gap).quantize(Decimal("0.1")), "above": gap > 0, "met": gap <= 0}


@register.inclusion_tag("sourcing/lists/_currency_picker.html", takes_context=True)
def currency_picker(context, team, membership):
    """The team page's "show prices also in" card (owners and admins change it)."""
    converter = Converter.for_team(team)
    choices = [(code, f"{code} · {CURRENCIES.get(code, ('', 2, code))[2]}") for code in currency_choices()]
    return {
        "team": team,
        "membership": membership,
        "converter": converter,
        "choices": choices,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def activity_detail(activity) -> str:
    """An activity line's detail in the reader's language: a status change names both statuses in it."""
    if activity.verb != ListActivity.Verb.STATUS or " · " not in activity.detail:
        return activity.detail
    title, change = activity.detail.rsplit(" · ", 1)
    words = {}
    for status in ListItem.Status:
        with translation.override("en"):  # lines written before statuses were stored by value
            words[str(status.label)] = status.label
        words[status.value] = status.label
    return f"{title} · " + " → ".join(str(words.get(part, part)) for part in change.split(" → "))


@register.inclusion_tag("sourcing/lists/_same_item.html", takes_context=True)
def cheaper_identical(context, item):
    """The other supplier of the same item that is cheaper at the item's quantity, delivered when the orders domain
    says so (`.cheaper_identical`), else listed; with a swap."""
    from sourcing.catalog.selectors.same_items import cheaper_elsewhere

    quantity = item.target_quantity or item.product.moq or 1
    read = hasattr(item, "cheaper_identical")  # set (landed) by the orders domain's item reader: it decides
    delivered = getattr(item, "cheaper_identical", None)
    return {"item": item, "row": None if read else cheaper_elsewhere(item.product, quantity), "quantity": quantity,
            "delivered": delivered, "membership": context.get("membership"),
            "csrf_token": context.get("csrf_token")}  # fmt: skip
