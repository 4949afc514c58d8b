"""Search by links: several 1688 offer links (or ids, or buying-agent links) pasted into the search box open one
page of those offers, with a result per link (docs/catalog.md "Links in").

Offers the catalog has show at once. The GET reads only: offers it lacks are fetched by the existing product
fetch jobs, one per offer, started by the page's own follow-up POST when it was opened from the portal, or by a
"Fetch from 1688" button otherwise (a link on another site never spends the team's quota); the page then polls
until every job has landed, with a progress bar."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sourcing.catalog.links import Parsed, Why, offers_in_text
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services.offers import product_fetch_check, product_fetch_start
from sourcing.catalog.views.search import from_the_portal, is_htmx, source_context, with_followup_vary, with_params

FOUND, FETCHING, WAITING, NOT_FOUND, FAILED, CANT, NOT_OFFER, SKIPPED = (
    "found", "fetching", "waiting", "not_found", "failed", "cant", "not_offer", "skipped"
)  # fmt: skip
LABELS = {
    FOUND: gettext_lazy("Found"), FETCHING: gettext_lazy("Fetching from 1688…"),
    WAITING: gettext_lazy("Not in the catalog yet"), NOT_FOUND: gettext_lazy("Not found on 1688"),
    FAILED: gettext_lazy("Couldn’t fetch"), CANT: gettext_lazy("Not fetched"),
    NOT_OFFER: gettext_lazy("Not a 1688 offer"), SKIPPED: gettext_lazy("Not looked at"),
}  # fmt: skip


@dataclass
class LinkRow:
    """One pasted link and what became of it."""

    text: str
    state: str
    offer_id: int | None = None
    product: Product | None = None
    words: str = ""

    @property
    def label(self) -> str:
        return str(LABELS[self.state])


def wants_links_page(parsed: Parsed) -> bool:
    """A paste of links (or of ids alone) rather than words: several offers, or links that are none."""
    words = any(p.why == Why.TEXT for p in parsed.pieces)
    linked = bool(parsed.links) or any(not s.isdigit() for s in parsed.sources.values())
    if not (parsed.offer_ids or parsed.links) or (words and not linked):
        return False
    return len(parsed.offer_ids) != 1 or bool(parsed.links)


def link_rows(user, parsed: Parsed) -> tuple[list[LinkRow], list[int]]:
    """A row per pasted link in the paste's order, read only; and the offer ids a fetch would ask 1688 for."""
    wanted = parsed.offer_ids[: settings.CATALOG_LINKS_MAX]
    products = {p.offer_id: p for p in Product.objects.select_related("supplier").filter(offer_id__in=wanted)}
    rows, due = [], []
    for index, number in enumerate(parsed.offer_ids):
        text = parsed.sources[number]
        if index >= settings.CATALOG_LINKS_MAX:
            rows.append(LinkRow(text, SKIPPED, number, words=_("more than %(n)s links in one search: search the "
                                                             "rest separately.") % {"n": settings.CATALOG_LINKS_MAX}))  # fmt: skip
            continue
        product = products.get(number)
        if product is not None and product.status != Product.Status.NOT_FOUND:
            rows.append(LinkRow(text, FOUND, number, product))
            continue
        checked = product_fetch_check(user=user, offer_id=number, product=product)
        job = checked.job
        if job is not None and job.is_running:
            rows.append(LinkRow(text, FETCHING, number))
        elif job is not None and job.state == CatalogJob.State.FAILED:
            state = NOT_FOUND if job.error_code == "not_found" else FAILED
            rows.append(LinkRow(text, state, number, words=job.message))
        elif product is not None:  # 1688 said it is gone, and asking again is not due yet
            rows.append(LinkRow(text, NOT_FOUND, number, product, words=str(Product.Status.NOT_FOUND.label)))
        elif checked.due:
            rows.append(LinkRow(text, WAITING, number))
            due.append(number)
        else:
            rows.append(LinkRow(text, CANT, number, words=checked.notice or checked.error))
    rows += [LinkRow(p.text, NOT_OFFER, words=p.words) for p in parsed.links]
    return rows, due


def one_offer(parsed: Parsed) -> int | None:
    """The offer a paste names when it names just one and nothing else but words around its link."""
    if len(parsed.offer_ids) != 1 or parsed.links:
        return None
    number = parsed.offer_ids[0]
    words = any(p.why == Why.TEXT for p in parsed.pieces)
    return number if not words or not parsed.sources[number].isdigit() else None


def links_page(request, raw: str, parsed: Parsed, *, problem: str = ""):
    """The results page of a paste of links (see the module's docstring)."""
    rows, due = link_rows(request.user, parsed)
    page_url = with_params(reverse("search"), q=raw)
    offers = [r for r in rows if r.offer_id is not None and r.state != SKIPPED]
    settled = sum(1 for r in offers if r.state not in (FETCHING, WAITING))
    context = {
        "rows": rows,
        "found": [r.product for r in rows if r.state == FOUND],
        "query": raw,
        "page_url": page_url,
        "fetch_url": with_params(reverse("search_links_fetch"), q=raw),
        "due": len(due),
        "fetching": any(r.state == FETCHING for r in rows),
        "followup_auto": bool(due) and from_the_portal(request),
        "settled": settled,
        "n_offers": len(offers),
        "percent": round(100 * settled / len(offers)) if offers else 100,
        "repeats": parsed.repeats,
        "problem": problem,
        "links_max": settings.CATALOG_LINKS_MAX,
        "cut": parsed.cut,
    }
    if is_htmx(request):
        return render(request, "sourcing/catalog/_links_results.html", context)
    return with_followup_vary(
        render(request, "sourcing/catalog/links.html", {**context, **source_context(request.user)})
    )


@login_required
@require_POST
def search_links_fetch(request):
    """The links page's follow-up: one product fetch job per offer the catalog lacks (up to CATALOG_LINKS_MAX),
    under the product page's rules (credential, role, quota); htmx gets the polling results, a form the page."""
    raw = request.GET.get("q", "")
    parsed = offers_in_text(raw)
    _rows, due = link_rows(request.user, parsed)
    problems = []
    for number in due:
        started = product_fetch_start(user=request.user, offer_id=number, product=None)
        if started.notice or started.error:
            problems.append(started.notice or started.error)
            break  # the same words for every other offer: no credential, a viewer, no quota
    if is_htmx(request):
        return links_page(request, raw, parsed, problem=problems[0] if problems else "")
    if problems:
        messages.warning(request, problems[0])
    elif due:
        messages.info(request, ngettext("Fetching %(n)s offer from 1688.", "Fetching %(n)s offers from 1688.",
                                        len(due)) % {"n": len(due)})  # fmt: skip
    return redirect(with_params(reverse("search"), q=raw))
