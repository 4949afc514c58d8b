"""Links in, on the list page: "Add by links" (a paste) and "Import a file" (CSV or Excel), and the import's page
with its progress and a result per row. Writes go through lists/imports.py; the doors answer 404 outside the team
and the role check 403 to viewers."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sourcing.accounts.views.site import refusal
from sourcing.catalog.views.search import is_htmx
from sourcing.lists import imports
from sourcing.lists.models import ListImportRow
from sourcing.lists.selectors import get_import_for_user, get_list_for_user
from sourcing.lists.services import ListError, ListForbidden


@login_required
@require_POST
def list_import_start(request, list_id):
    """Start adding the pasted links (field "links") or the uploaded file (field "file") to the list."""
    product_list = get_list_for_user(request.user, list_id)
    back = reverse("list_detail", args=[product_list.pk])
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            if not product_list.membership.can_edit:  # before reading a byte of the file
                imports.import_allowed(request.user, product_list)
            # read one byte past the cap: the service refuses a larger file in words, without reading it all
            data = upload.read(settings.LIST_IMPORT_MAX_BYTES + 1)
            started = imports.import_file_start(actor=request.user, product_list=product_list,
                                                name=str(upload.name or "")[:200], data=data)  # fmt: skip
        else:
            started = imports.import_links_start(actor=request.user, product_list=product_list,
                                                 text=request.POST.get("links", ""))  # fmt: skip
    except ListError as error:
        status = 403 if isinstance(error, ListForbidden) else 400
        return refusal(request, str(error), status=status, back=back)
    return redirect("list_import", product_list.pk, started.pk)


@login_required
def list_import_view(request, list_id, import_id):
    """The import's progress and its rows' results; htmx polls it while the worker runs."""
    found = get_import_for_user(request.user, list_id, import_id)
    rows = list(found.rows.select_related("item__product").order_by("number", "pk"))
    counts = {r: 0 for r in ListImportRow.Result.values}
    for row in rows:
        counts[row.result] += 1
    context = {
        "list_import": found,
        "product_list": found.product_list,
        "membership": found.membership,
        "rows": rows,
        "counts": [(value, label, counts[value]) for value, label in ListImportRow.Result.choices if counts[value]],
        "poll_url": reverse("list_import", args=[found.product_list_id, found.pk]),
    }
    if is_htmx(request):
        return render(request, "sourcing/lists/_import_results.html", context)
    return render(request, "sourcing/lists/import.html", context)
