"""Catalog pages: home, keyword search, categories and image search (docs/catalog.md).

Every page reads the local database only, and a GET never queues 1688 work (each call spends a team's daily
quota, and a link on another site must not spend it): the page decides read only (`*_check`) what it would ask
1688 for, and asks it with its own follow-up POST (`*_fetch` views, `*_start` services) when it was opened from
the portal, or with a "Fetch from 1688" button otherwise. It then polls the job with htmx and swaps in what the
worker stored. Products and suppliers are in `catalog_products.py`.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sourcing.accounts.selectors import current_membership
from sourcing.alibaba import api
from sourcing.catalog.links import offers_in_text
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.search import (
    MAX_QUERY_CHARS,
    MAYBE_UNKNOWN,
    SearchRequest,
)
from sourcing.catalog.selectors.pages import (
    catalog_source,
    category_options_html,
    category_tree,
    get_catalog_job_for_user,
    get_search_for_user,
    recently_viewed,
    search_for,
    search_history_for,
    with_selected,
)
from sourcing.catalog.selectors.products import COUNT_CAP, search_products
from sourcing.catalog.services import fetch as catalog_services
from sourcing.catalog.services import fill as catalog_fill
from sourcing.catalog.services.jobs import permission_to_verify
from sourcing.catalog.templatetags.catalog import ago
from sourcing.catalog.templatetags.catalog import search_url as search_link
from sourcing.core.converters import parse_id

PAGE_SIZE = 24
# Where a supplier is: the provinces 1688 sellers name, with the English beside (filter by prefix).
PROVINCES = [
    ("广东", "Guangdong"), ("浙江", "Zhejiang"), ("江苏", "Jiangsu"), ("福建", "Fujian"), ("山东", "Shandong"),
    ("上海", "Shanghai"), ("河北", "Hebei"), ("河南", "Henan"), ("安徽", "Anhui"), ("湖北", "Hubei"),
    ("湖南", "Hunan"), ("江西", "Jiangxi"), ("北京", "Beijing"), ("天津", "Tianjin"), ("四川", "Sichuan"),
    ("重庆", "Chongqing"), ("辽宁", "Liaoning"), ("广西", "Guangxi"), ("陕西", "Shaanxi"), ("山西", "Shanxi"),
    ("云南", "Yunnan"), ("贵州", "Guizhou"), ("黑龙江", "Heilongjiang"), ("吉林", "Jilin"), ("内蒙古", "Inner Mongolia"),
    ("新疆", "Xinjiang"), ("甘肃", "Gansu"), ("海南", "Hainan"), ("宁夏", "Ningxia"), ("青海", "Qinghai"),
    ("西藏", "Tibet"),
]  # fmt: skip
PROVINCE_OPTIONS = format_html_join("", '<option value="{}">{} · {}</option>', [(zh, zh, en) for zh, en in PROVINCES])
# Lazy: built once at import, worded in each reader's language.
SORT_CHOICES = [
    ("relevance", gettext_lazy("Best match")),
    ("price", gettext_lazy("Price ↑")),
    ("price_desc", gettext_lazy("Price ↓")),
    ("sales", gettext_lazy("Best selling")),
    ("newest", gettext_lazy("Newest")),
]
SUGGESTIONS = ["保温杯", "手机壳", "laptop stand", "数据线", "收纳盒"]


# --- helpers shared by the catalog views ---
YEARS_CHOICES = (1, 3, 5, 10)  # "at least N years on 1688" in the filter form


def results_page(query, filters, *, user=None, after=None, notes=None, team_search=None):
    """search_products with the page size of these pages (counted on a first page); says so when a damaged
    page link restarted it."""
    page = search_products(query, filters, user=user, after=after, limit=PAGE_SIZE, team_search=team_search,
                           count=not after)  # fmt: skip
    if page.restarted and notes is not None:
        notes.append(_("That page link was damaged; showing the first results."))
    return page


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def job_from_request(request, *, kinds, target=None) -> CatalogJob | None:
    """The job named by ?job= when the user may see it (404 otherwise) and it belongs to this page."""
    job_id = parse_id(request.GET.get("job"))
    if job_id is None:
        return None  # absent or garbage: the page just doesn't poll
    job = get_catalog_job_for_user(request.user, job_id)
    if job.kind not in kinds or (target is not None and job.target != str(target)):
        return None
    return job


def with_params(path: str, **params) -> str:
    """`path` with the non-empty params as a query string."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"


def job_finished_redirect(url: str) -> HttpResponse:
    """The answer to a poll once the worker is done: htmx loads the page again, now with the data."""
    return HttpResponse(status=200, headers={"HX-Redirect": url})


def _number(n: int, capped: bool) -> str:
    return _("more than %(n)s") % {"n": f"{n - 1:,}"} if capped else f"{n:,}"


def count_line(page, team_search, *, filtered: bool) -> str:
    """What the page found, in exact words: 1688's count, what the team fetched, what the page lists."""
    parts = []
    if team_search is not None and team_search.fetched_at:
        if team_search.total:
            parts.append(ngettext("1688 found %(n)s offer", "1688 found %(n)s offers", team_search.total)
                         % {"n": f"{team_search.total:,}"})  # fmt: skip
        fetched = len(team_search.offer_ids)
        parts.append(ngettext("your team fetched %(n)s (%(when)s)", "your team fetched %(n)s (%(when)s)", fetched)
                     % {"n": f"{fetched:,}", "when": ago(team_search.fetched_at)})  # fmt: skip
    if page.matched is not None:
        n, capped = page.matched, page.matched >= COUNT_CAP
        if filtered:
            parts.append(ngettext("%(n)s matches your filters", "%(n)s match your filters", n)
                         % {"n": _number(n, capped)})  # fmt: skip
        else:
            parts.append(ngettext("%(n)s listed here", "%(n)s listed here", n) % {"n": _number(n, capped)})
    for hidden in page.hidden:
        parts.append(
            ngettext("%(n)s hidden", "%(n)s hidden", hidden.count) % {"n": _number(hidden.count, hidden.capped)}
        )
    if page.matched == 0 and len(parts) == 1:
        return ""  # "0 listed here" beside the empty box says nothing more
    return _("%(sentence)s.") % {"sentence": "; ".join(parts)} if parts else ""


def hidden_notes(page, base: str, params: dict) -> tuple[list, list]:
    """(words, link that shows them) for each filter that hid offers; (words, link that hides them again)."""
    shown = list(page.filters.unknown)
    hidden = [
        (ngettext("%(n)s offer hidden: %(why)s.", "%(n)s offers hidden: %(why)s.", h.count)
         % {"n": _number(h.count, h.capped), "why": h.reason},
         with_params(base, **{**params, "unknown": ",".join([*shown, h.name])}))
        for h in page.hidden
    ]  # fmt: skip
    rest = [
        (_("Offers whose %(field)s is not known yet are shown too.") % {"field": MAYBE_UNKNOWN[name].label},
         with_params(base, **{**params, "unknown": ",".join(n for n in shown if n != name)}))
        for name in shown
    ]  # fmt: skip
    return hidden, rest


def fill_target(page_url: str) -> str:
    """The job target of a page's fill of unknown details: one live job per team and page."""
    return "page:" + hashlib.sha256(page_url.encode()).hexdigest()[:40]


def from_the_portal(request) -> bool:
    """The request came from a portal page or was typed by the user (Sec-Fetch-Site same-origin or none; without
    that header, a Referer on this host). A link on another site is neither: its page never fetches by itself."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site in ("same-origin", "none")
    referer = request.headers.get("Referer", "")
    return bool(referer) and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def followup(request, url: str, *, calls: int, step: str = "") -> dict:
    """Context for _followup.html: the POST that asks 1688 for what the page lacks, sent by the page itself when
    it was opened from the portal, else a button (a link from elsewhere never spends quota)."""
    return {"followup_url": url, "followup_auto": from_the_portal(request), "followup_calls": calls,
            "followup_step": step}  # fmt: skip


def with_followup_vary(response: HttpResponse) -> HttpResponse:
    """Whether the page fetches by itself depends on where the request came from."""
    patch_vary_headers(response, ["Sec-Fetch-Site"])
    return response


def followup_answer(request, started, *, page_url: str, poll_url) -> HttpResponse:
    """The answer to a follow-up POST: htmx gets the job's poller, or the words why nothing was queued, or an empty
    #job when nothing was due; a form (the button) gets the page again, polling the job."""
    problem = started.error or started.notice
    job = started.job
    if is_htmx(request):
        context = {"job": job, "poll_url": poll_url(job) if job is not None else "", "problem": problem}
        return render(request, "sourcing/catalog/_followup_answer.html", context)
    if problem:
        messages.warning(request, problem)
    return redirect(with_params(page_url, job=job.pk if job is not None else None))


def source_context(user) -> dict:
    """What every catalog page says about where its data comes from."""
    return {"catalog_source": catalog_source(user)}


# --- home ---
@login_required
def home(request):
    membership = current_membership(request.user)
    history = search_history_for(request.user, limit=12) if membership else []
    return render(
        request,
        "sourcing/home.html",
        {
            "membership": membership,
            "categories": category_tree(),
            "recent": recently_viewed(request.user, limit=8),
            "history": history,
            "suggestions": SUGGESTIONS,
            **source_context(request.user),
        },
    )


# --- keyword search ---
def search_redirect(request):
    """The old /search/ address: the products page, with the same query string."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{reverse('search')}?{query}" if query else reverse("search"), permanent=False)


@login_required
def search(request):
    raw = request.GET.get("q", "")
    if raw.strip():
        from sourcing.catalog.views import links as links_views  # it builds on this module's helpers

        parsed = offers_in_text(raw)
        if links_views.wants_links_page(parsed):  # several offer links (or links that are none): their page
            return links_views.links_page(request, raw, parsed)
        single = links_views.one_offer(parsed)
        if single is not None:  # a pasted 1688 offer link opens that offer
            return redirect("product", offer_id=single)
    after = (request.GET.get("after") or "").strip() or None
    wanted = SearchRequest.of(raw, request.GET)  # cleaned once: the selector and the services take it as it is
    notes = []
    if wanted.shortened:
        notes.append(_("Your search was shortened to its first %(n)s characters.") % {"n": MAX_QUERY_CHARS})
    polling = "job" in request.GET
    job = job_from_request(request, kinds=[CatalogJob.Kind.SEARCH, CatalogJob.Kind.DETAILS])
    if is_htmx(request) and polling and job is not None and job.is_running:
        return render(request, "sourcing/catalog/_job.html", {"job": job, "poll_url": request.get_full_path()})
    checked = catalog_services.Checked()
    if not polling and not after and wanted.terms:
        # the first page of a search: would 1688 be asked? (read only; the follow-up POST asks)
        checked = catalog_services.search_fetch_check(user=request.user, query=wanted)
        job = checked.job or job
    page = results_page(wanted, None, user=request.user, after=after, notes=notes, team_search=checked.search)
    team_search = checked.search or (search_for(request.user, wanted) if wanted.text else None)
    if team_search is not None and job is None and team_search.job_id and not after:
        job = team_search.job if team_search.job.is_running else None
    params = wanted.as_params()
    fetch_url = with_params(reverse("search_fetch"), **params)
    follow, fill_notice = {}, ""
    if checked.due:
        follow = followup(request, fetch_url, calls=settings.CATALOG_SEARCH_PAGES)
    elif not after and page.fill_ids and (job is None or not job.is_running) and fill_wanted(job, polling):
        # offers a filter can't judge yet: a worker may fetch their details (after the search has landed)
        filled = catalog_fill.unknown_details_fetch_check(
            user=request.user, product_ids=page.fill_ids, target=fill_target(with_params(reverse("search"), **params))
        )
        job, fill_notice = filled.job or job, filled.notice
        if filled.due:
            follow = followup(request, fetch_url, calls=len(page.fill_ids), step="details")
    hidden, unhide = hidden_notes(page, reverse("search"), params)
    filtered = any(
        k in params for k in ("category", "price_min", "price_max", "max_moq", "province", "min_years", "factory")
    )
    context = {
        "page": page,
        "query": page.query,
        "filters": page.filters,
        "params": params,
        "next_url": with_params(reverse("search"), **params, after=page.next_cursor) if page.next_cursor else "",
        "job": job,
        "poll_url": with_params(reverse("search"), **params, job=job.pk) if job else "",
        "team_search": team_search,
        "started": checked,
        "notes": notes + page.problems + ([fill_notice] if fill_notice and not checked.notice else []),
        "after": after,
        "count_line": count_line(page, team_search, filtered=filtered),
        "hidden": hidden,
        "unhide": unhide,
        # a refused permission may have been granted since: offer the check that would clear it, in place
        "verify_why": permission_to_verify(request.user, api_refs=(api.KEYWORD_SEARCH,)) if checked.notice else "",
        **follow,
    }
    if is_htmx(request) and after:
        return render(request, "sourcing/catalog/_cards.html", context)
    if is_htmx(request) and polling:
        return render(request, "sourcing/catalog/_search_live.html", context)
    context.update(
        {
            "category_options": with_selected(category_options_html(), page.filters.category),
            "province_options": with_selected(PROVINCE_OPTIONS, page.filters.province),
            "province_custom": bool(page.filters.province) and page.filters.province not in dict(PROVINCES),
            "sorts": SORT_CHOICES,
            "sort_links": [
                (value, label, with_params(reverse("search"), **{**params, "sort": value}))
                for value, label in SORT_CHOICES
            ],
            "filter_count": sum(
                1
                for k in ("category", "price_min", "price_max", "max_moq", "province", "min_years", "factory")
                if k in params
            ),
            "years_choices": YEARS_CHOICES,
            **source_context(request.user),
        }
    )
    return with_followup_vary(render(request, "sourcing/catalog/search.html", context))


def fill_wanted(job: CatalogJob | None, polling: bool) -> bool:
    """Whether the page offers the fill of unknown details: on a plain view, or once the search it polled has
    landed (never after a fill job: the next view asks again, so a fill never chains itself)."""
    if not polling:
        return True
    return job is not None and job.kind == CatalogJob.Kind.SEARCH and job.state == CatalogJob.State.DONE


@login_required
@require_POST
def search_fetch(request):
    """The search page's follow-up: record the team's search and ask 1688 for it unless fetched lately; with
    step=details (or when the search needs nothing), ask a worker for the details of offers a filter hid."""
    wanted = SearchRequest.of(request.GET.get("q", ""), request.GET)
    page_url = with_params(reverse("search"), **wanted.as_params())
    started = catalog_services.Started()
    if request.POST.get("step") != "details":
        started = catalog_services.search_fetch_start(user=request.user, query=wanted)
    if started.job is None and not started.notice and not started.error:
        page = results_page(wanted, None, user=request.user, team_search=started.search)
        started = catalog_fill.unknown_details_fetch_start(
            user=request.user, product_ids=page.fill_ids, target=fill_target(page_url)
        )
    return followup_answer(request, started, page_url=page_url, poll_url=lambda job: with_params(page_url, job=job.pk))


@login_required
@require_POST
def search_more(request, search_id):
    """Ask 1688 for the next page of a team search ("More from 1688")."""
    search = get_search_for_user(request.user, search_id)
    started = catalog_services.search_fetch_more(user=request.user, search_id=search.pk)
    if started.error or started.notice:
        messages.warning(request, started.error or started.notice)
    return redirect(with_params(search_link(search), job=started.job.pk if started.job else None))


# --- categories ---


# --- image search ---
