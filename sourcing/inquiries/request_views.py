"""One request to many suppliers: the answers table (every supplier's answer to each question, side by side, with
what each has not answered yet). The request comes through `get_request_for_user` (404 outside the team); the
answers are logged on each supplier's inquiry page (inquiry_reply)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from sourcing.inquiries.selectors import get_request_for_user, request_rows


@login_required
def request_detail(request, request_id):
    supplier_request = get_request_for_user(request.user, request_id)
    rows = request_rows(supplier_request)
    context = {"supplier_request": supplier_request, "membership": supplier_request.membership, "rows": rows,
               "questions": supplier_request.questions,
               "n_replied": sum(1 for r in rows if r.replied_at)}  # fmt: skip
    return render(request, "sourcing/inquiries/request.html", context)
