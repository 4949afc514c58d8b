"""The team's suppliers with their scorecards: sorted and filtered by the figures (docs/buying.md)."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sourcing.accounts.selectors import current_membership
from sourcing.orders.scorecards import FIGURES, HIGHER_IS_BETTER, scorecards, sort_cards, team_suppliers

# The figure filters: query parameter → (figure, at least (True) or at most)
FILTERS = {"min_reply": ("reply_rate", True), "min_on_time": ("on_time", True),
           "min_stock": ("stock_accuracy", True), "max_short": ("shortage", False)}  # fmt: skip


def _percent_param(raw) -> Decimal | None:
    """A 0-100 bound from the query string; anything else (words, NaN, 1e999, negative) is ignored."""
    try:
        value = Decimal(str(raw or "").strip()[:12])
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= 100 else None


@login_required
@require_GET
def supplier_scorecards(request):
    """The current team's suppliers, each with its scorecard; sort by a figure (best first), filter by bounds."""
    membership = current_membership(request.user)
    if membership is None:
        messages.info(request, _("Scorecards belong to a team: create or join one first."))
        return redirect("team_list")
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in HIGHER_IS_BETTER:
        sort = ""
    query = request.GET.get("q", "").strip()[:60]
    suppliers = team_suppliers(membership.team_id)
    if query:
        low = query.lower()
        suppliers = [s for s in suppliers if low in f"{s.display_name} {s.login_id} {s.city} {s.province}".lower()]
    cards = list(scorecards(membership.team_id, suppliers).values())
    bounds = {}
    for param, (key, at_least) in FILTERS.items():
        bound = _percent_param(request.GET.get(param))
        if bound is None:
            continue
        bounds[param] = bound
        cards = [c for c in cards if c.figures[key].enough
                 and (c.figures[key].value >= bound if at_least else c.figures[key].value <= bound)]  # fmt: skip
    cards = sort_cards(cards, sort.lstrip("-"), worst_first=sort.startswith("-"))
    kept = {k: v for k, v in {"q": query, **{k: str(v) for k, v in bounds.items()}}.items() if v}
    heads = [(key, label, "?" + urlencode({**kept, "sort": f"-{key}" if sort == key else key}))
             for key, label, _unit, _higher, _obs in FIGURES]  # fmt: skip
    context = {"membership": membership, "team": membership.team, "cards": cards, "sort": sort, "query": query,
               "bounds": bounds, "figures": FIGURES, "heads": heads, "days": settings.SCORECARD_DAYS,
               "price_days": settings.SCORECARD_PRICE_DAYS, "minimum": settings.SCORECARD_MIN_OBSERVATIONS}  # fmt: skip
    return render(request, "sourcing/orders/scorecards.html", context)
