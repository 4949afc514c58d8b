"""Reads of inquiries, alerts and notifications: the doors (404 outside the team) and team-scoped lists.

Every inquiry or alert a view shows comes through `get_inquiry_for_user` / `get_alert_for_user`
(members of the owning team only, `.membership` set); a notification only ever reaches its recipient.
"""

from datetime import timedelta

from django.db.models import QuerySet

from sourcing.accounts.models import Membership, User
from sourcing.accounts.selectors import current_membership, get_team_object_for_user
from sourcing.catalog.models import Product, Supplier
from sourcing.inquiries.models import Inquiry, SupplierRequest


def get_inquiry_for_user(user: User, pk) -> Inquiry:
    """The inquiry if the user is a member of its team (`.membership` set); 404 for anyone else."""
    inquiries = Inquiry.objects.select_related("team", "created_by", "supplier", "product__supplier", "sku")
    return get_team_object_for_user(user, inquiries, pk, name="inquiry")


def get_request_for_user(user: User, pk) -> SupplierRequest:
    """The request to many suppliers if the user is a member of its team (`.membership` set); 404 for anyone else."""
    requests = SupplierRequest.objects.select_related("team", "created_by")
    return get_team_object_for_user(user, requests, pk, name="request")


# --- inquiries ---
def team_inquiries(user: User, *, status: str = "", membership: Membership | None = None) -> QuerySet[Inquiry]:
    """The current team's inquiries, newest first; `status` one of Inquiry.Status or "" for all.

    `membership`: the user's current membership when the caller has it already (saves a query)."""
    membership = membership or current_membership(user)
    if membership is None:
        return Inquiry.objects.none()
    found = Inquiry.objects.filter(team_id=membership.team_id).select_related("product", "supplier", "created_by")
    if status in Inquiry.Status.values:
        found = found.filter(status=status)
    return found


def inquiries_for_product(user: User, product: Product | None, limit: int = 20, *, membership=None) -> list[Inquiry]:
    if product is None:
        return []
    # the product is known: joining it again would cost more to compile than the query takes
    found = team_inquiries(user, membership=membership).select_related(None).select_related("supplier", "created_by")
    rows = list(found.filter(product=product)[:limit])
    for row in rows:
        row.product = product
    return rows


def inquiries_for_supplier(user: User, supplier: Supplier | None, limit: int = 50, *, membership=None) -> list[Inquiry]:
    if supplier is None:
        return []
    return list(team_inquiries(user, membership=membership).filter(supplier=supplier)[:limit])


def average_response(inquiries) -> timedelta | None:
    """The mean of replied − sent over the inquiries with a logged reply; None without any."""
    times = [i.response_time for i in inquiries if i.response_time is not None]
    return sum(times, timedelta()) / len(times) if times else None


def status_counts(user: User) -> dict[str, int]:
    from django.db.models import Count

    rows = team_inquiries(user).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# --- alerts and notifications ---
def quotes_for_items(team_id: int, items) -> None:
    """Attach `.supplier_quote` to each list item: the team's latest logged quote for its offer (for its option
    when both name one), or None. One query for all the items."""
    product_ids = {item.product_id for item in items}
    quotes = (
        Inquiry.objects.filter(team_id=team_id, product_id__in=product_ids, quoted_price__isnull=False)
        .only("pk", "product_id", "sku_id", "sku_label", "quoted_price", "quoted_quantity", "quantity", "replied_at",
              "reply_logged_at")
        .order_by("-replied_at", "-pk")
    )  # fmt: skip
    by_product: dict[int, list[Inquiry]] = {}
    for quote in quotes:
        by_product.setdefault(quote.product_id, []).append(quote)
    for item in items:
        quotes = by_product.get(item.product_id, [])
        exact = [q for q in quotes if q.sku_id == item.sku_id]  # the item's option (or both without one) first
        item.supplier_quote = next(iter(exact), None) or next(
            (q for q in quotes if not item.sku_id or not q.sku_id), None
        )


# --- one request to many suppliers: the answers ---
# What each question's answer is made of, on the supplier's inquiry (None or "" = not answered yet).
ANSWER_OF = {"moq": ("quoted_moq",), "price": ("quoted_price",), "lead": ("quoted_lead_days",),
             "sample": ("sample_price", "sample_days"), "packing": ("packing",),
             "custom": ("customisable",)}  # fmt: skip


def answered(inquiry: Inquiry, question: str) -> bool:
    """Whether the supplier answered this question (a sample counts once its price or its time is known)."""
    return any(getattr(inquiry, name) not in (None, "") for name in ANSWER_OF.get(question, ()))


def request_rows(request: SupplierRequest) -> list[Inquiry]:
    """The request's inquiries (one per supplier), each with `.missing`: the labels of the questions not answered."""
    rows = list(request.inquiries.select_related("product__supplier", "supplier", "sku").order_by("pk"))
    labels = dict(SupplierRequest.Question.choices)
    for row in rows:
        row.missing = [str(labels[q]) for q in request.questions if q in labels and not answered(row, q)]
    return rows


def team_requests(user: User, *, limit: int = 20) -> list[SupplierRequest]:
    membership = current_membership(user)
    if membership is None:
        return []
    return list(SupplierRequest.objects.filter(team_id=membership.team_id).select_related("created_by")[:limit])


def answers_for_items(team_id: int, items) -> None:
    """Attach `.supplier_answer` to each list item: the team's latest reply to a request about its offer (its option
    first), or None. One query for all the items."""
    product_ids = {item.product_id for item in items}
    replies = (
        Inquiry.objects.filter(team_id=team_id, product_id__in=product_ids, request__isnull=False,
                               replied_at__isnull=False)
        .select_related("request")
        .order_by("-replied_at", "-pk")
    )  # fmt: skip
    by_product: dict[int, list[Inquiry]] = {}
    for reply in replies:
        by_product.setdefault(reply.product_id, []).append(reply)
    for item in items:
        found = by_product.get(item.product_id, [])
        exact = [r for r in found if r.sku_id == item.sku_id]
        item.supplier_answer = next(iter(exact), None) or next(iter(found), None)
