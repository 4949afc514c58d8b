"""Category pages: the tree, and a category's offers (asked of 1688 as a search when the portal has few)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.catalog.models import CatalogJob
from sourcing.catalog.selectors.pages import category_for_page, category_tree, search_for
from sourcing.catalog.selectors.products import category_products
from sourcing.catalog.services import fetch as catalog_services
from sourcing.catalog.services import fill as catalog_fill
from sourcing.catalog.views.search import (
    PAGE_SIZE,
    SORT_CHOICES,
    count_line,
    followup,
    followup_answer,
    is_htmx,
    job_from_request,
    source_context,
    with_followup_vary,
    with_params,
)


@login_required
def category_list(request):
    return render(
        request,
        "sourcing/catalog/categories.html",
        {"categories": category_tree(), **source_context(request.user)},
    )


@login_required
def category_detail(request, pk):
    """A category's offers; with fewer than a page in the portal, 1688 is asked for them as a search
    (catalog_fill.category_fetch_start, by the page's follow-up POST) and the page polls the job like the search
    page."""
    category = category_for_page(pk)
    if category is None:
        raise Http404("No such category")
    after = (request.GET.get("after") or "").strip() or None
    sort = request.GET.get("sort") or "sales"
    polling = "job" in request.GET
    job = job_from_request(request, kinds=[CatalogJob.Kind.SEARCH])
    if is_htmx(request) and polling and job is not None and job.is_running:
        return render(request, "sourcing/catalog/_job.html", {"job": job, "poll_url": request.get_full_path()})
    name = category.name or category.name_en
    team_search = search_for(request.user, name, {"category": str(category.pk)}) if name else None
    notes = []
    page = category_products(category, sort=sort, team_search=team_search, after=after, limit=PAGE_SIZE,
                             count=not after)  # fmt: skip
    if page.restarted:
        notes.append(_("That page link was damaged; showing the first results."))
    checked = catalog_services.Checked(search=team_search)
    follow = {}
    if not polling and not after and page.matched is not None and page.matched < PAGE_SIZE:
        # few offers here: would 1688 be asked, as the search page asks? (read only; the follow-up POST asks)
        checked = catalog_fill.category_fetch_check(user=request.user, category=category, search=team_search)
        job = checked.job or job
        if checked.due:
            follow = followup(
                request, reverse("category_fetch", args=[category.pk]), calls=settings.CATALOG_SEARCH_PAGES
            )
    if team_search is not None and job is None and team_search.job_id and not after and team_search.job.is_running:
        job = team_search.job
    base = reverse("category_detail", args=[category.pk])
    sort_param = page.filters.sort if page.filters.sort != "sales" else None
    empty = ""
    if team_search is not None and team_search.fetched_at and not page.products:
        empty = _("1688 found no offers in this category.")
    context = {
        "category": category,
        "page": page,
        "notes": notes + page.problems,
        "next_url": with_params(base, sort=sort_param, after=page.next_cursor) if page.next_cursor else "",
        "sort_links": [(v, label, with_params(base, sort=v)) for v, label in SORT_CHOICES if v != "relevance"],
        "sort": page.filters.sort,
        "job": job,
        "poll_url": with_params(base, sort=sort_param, job=job.pk) if job else "",
        "started": checked,
        "team_search": team_search,
        "count_line": count_line(page, team_search, filtered=False),
        "empty_text": empty,
        **follow,
    }
    if is_htmx(request) and after:
        return render(request, "sourcing/catalog/_cards.html", context)
    if is_htmx(request) and polling:
        return render(request, "sourcing/catalog/_search_live.html", context)
    page_html = render(request, "sourcing/catalog/category.html", {**context, **source_context(request.user)})
    return with_followup_vary(page_html)


@login_required
@require_POST
def category_fetch(request, pk):
    """The category page's follow-up: ask 1688 for the category's offers unless the team fetched them lately."""
    category = category_for_page(pk)
    if category is None:
        raise Http404("No such category")
    name = category.name or category.name_en
    team_search = search_for(request.user, name, {"category": str(category.pk)}) if name else None
    started = catalog_fill.category_fetch_start(user=request.user, category=category, search=team_search)
    base = reverse("category_detail", args=[category.pk])
    return followup_answer(request, started, page_url=base, poll_url=lambda job: with_params(base, job=job.pk))
