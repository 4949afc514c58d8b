"""Search by picture: the upload form, its results and the picture itself."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sourcing.alibaba import api
from sourcing.catalog.forms import ImageSearchForm
from sourcing.catalog.models import CatalogJob, ImageUpload, SearchQuery
from sourcing.catalog.selectors.pages import get_search_for_user, search_history_for
from sourcing.catalog.selectors.products import search_results
from sourcing.catalog.services import fetch as catalog_services
from sourcing.catalog.services.jobs import permission_to_verify
from sourcing.catalog.views.search import PAGE_SIZE, SUGGESTIONS, is_htmx, job_from_request, source_context, with_params


@login_required
@require_http_methods(["GET", "POST"])
def image_search(request):
    if request.method == "POST":
        form = ImageSearchForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("image")
            started = catalog_services.image_search_start(
                user=request.user,
                data=upload.read() if upload else b"",
                content_type=getattr(upload, "content_type", "") if upload else "",
                image_url=form.cleaned_data.get("image_url") or "",
            )
            if started.error:
                form.add_error(None, started.error)
            else:
                if started.notice and not (started.search and not started.search.fetched_at and verify_needed(request)):
                    messages.warning(request, started.notice)
                target = reverse("image_results", args=[started.search.pk])
                return redirect(with_params(target, job=started.job.pk if started.job else None))
        status = 400
    else:
        form = ImageSearchForm(initial={"image_url": (request.GET.get("url") or "")[:500]})
        status = 200
    history = [s for s in search_history_for(request.user, limit=40) if s.kind == SearchQuery.Kind.IMAGE][:8]
    return render(
        request,
        "sourcing/catalog/image_search.html",
        {
            "form": form,
            "history": history,
            "suggestions": SUGGESTIONS,
            "max_bytes": settings.CATALOG_IMAGE_MAX_BYTES,
            "max_mb": f"{settings.CATALOG_IMAGE_MAX_BYTES / 1_000_000:g}",
            **source_context(request.user),
        },
        status=status,
    )


def verify_needed(request) -> str:
    """Why photo search is refused, when a permission check could clear it (the results page says it then)."""
    return permission_to_verify(request.user, api_refs=(api.IMAGE_UPLOAD, api.IMAGE_SEARCH))


@login_required
def image_results(request, search_id):
    search = get_search_for_user(request.user, search_id)
    if search.kind != SearchQuery.Kind.IMAGE:
        raise Http404("Not an image search")
    after = (request.GET.get("after") or "").strip() or None
    polling = "job" in request.GET
    job = job_from_request(request, kinds=[CatalogJob.Kind.IMAGE_SEARCH], target=search.key)
    if job is None and search.job_id and search.job.is_running:
        job = search.job
    if is_htmx(request) and polling and job is not None and job.is_running:
        return render(request, "sourcing/catalog/_job.html", {"job": job, "poll_url": request.get_full_path()})
    page = search_results(search, after=after, limit=PAGE_SIZE)
    base = reverse("image_results", args=[search.pk])
    context = {
        "search": search,
        "page": page,
        "job": job,
        "poll_url": with_params(base, job=job.pk) if job else "",
        "next_url": with_params(base, after=page.next_cursor) if page.next_cursor else "",
        "team_search": search,
        "notes": [],
        "empty_text": _("1688 found no offers that look like this picture.") if search.fetched_at else "",
        "verify_why": "" if search.fetched_at or job else verify_needed(request),
    }
    if is_htmx(request) and after:
        return render(request, "sourcing/catalog/_cards.html", context)
    if is_htmx(request) and polling:
        return render(request, "sourcing/catalog/_search_live.html", context)
    return render(request, "sourcing/catalog/image_results.html", {**context, **source_context(request.user)})


IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


@login_required
def image_picture(request, search_id):
    """The picture a team searched with (its bytes never leave the team)."""
    search = get_search_for_user(request.user, search_id)
    upload: ImageUpload | None = search.image
    if upload is None:
        raise Http404("No picture")
    if not upload.data:
        if upload.source_url.startswith(("http://", "https://")):
            return redirect(upload.source_url)
        raise Http404("No picture")
    content_type = upload.content_type if upload.content_type in IMAGE_TYPES else "application/octet-stream"
    response = HttpResponse(bytes(upload.data), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
