"""Purchase orders and what follows them: the approval policy, orders and their lines and timeline, receipts, and
samples with their photos (issue 21 items 5-7, docs/buying.md)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.catalog.models import Product, Sku, Supplier
from sourcing.connections.models import AppCredential
from sourcing.lists.models import ListItem, ProductList
from sourcing.orders.models.quotes import Quote, QuoteLine, ShipAddress


class BuyingPolicy(models.Model):
    """A team's buying rules: orders above this amount need the owner's or an admin's approval."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="buying_policy")
    # CNY; None: every order needs approval. 0 would also mean every order.
    approval_above = models.DecimalField(_("orders above this amount (¥) need approval"), max_digits=14,
                                         decimal_places=2, null=True, blank=True)  # fmt: skip
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_above__gte=0) | Q(approval_above__isnull=True),
                name="buyingpolicy_threshold_not_negative",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"buying policy of team {self.team_id}"


class PurchaseOrder(models.Model):
    """One order to one supplier, drafted from a quote, approved, placed on 1688 exactly once, then followed."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        PLACING = "placing", _("Placing on 1688")  # approved: the intent is stored, the worker places it
        PLACED = "placed", _("Waiting for payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")
        REFUSED = "refused", _("Refused by 1688")
        DECLINED = "declined", _("Not approved")

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        SAMPLE = "sample", _("Sample")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    product_list = models.ForeignKey(ProductList, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="purchase_orders")  # fmt: skip
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="purchase_orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplier_name = models.CharField(max_length=200, blank=True)
    address = models.ForeignKey(ShipAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address_text = models.CharField(max_length=400, blank=True)
    ship_to = models.JSONField(default=dict, blank=True)  # the addressParam as it will be / was sent
    message = models.CharField(_("message to the seller"), max_length=500, blank=True)
    flow = models.CharField(max_length=40, blank=True)  # the quote's flowFlag, passed to createCrossOrder
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    # Amounts recomputed on the server from the quote's lines, never read from a form.
    goods = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    freight = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Exactly once: the idempotency key sent as outOrderId, fixed when the order is drafted.
    out_order_id = models.CharField(max_length=64, unique=True)
    credential = models.ForeignKey(AppCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    place_attempts = models.PositiveIntegerField(default=0)  # committed before each createCrossOrder call
    placing_until = models.DateTimeField(null=True, blank=True)  # a worker's lease on the placement
    alibaba_order_id = models.CharField(max_length=40, blank=True, db_index=True)
    alibaba_status = models.CharField(max_length=40, blank=True)  # waitbuyerpay, waitsellersend, …
    placed_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # what 1688 charged
    pay_url = models.URLField(max_length=1000, blank=True)
    tracking = models.JSONField(default=list, blank=True)  # [{"company", "number", "steps": [{"at", "text"}]}]
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)  # status last read from 1688

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["team", "state"], name="purchaseorder_team_state"),
            models.Index(fields=["state", "placing_until"], name="purchaseorder_state_lease"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(goods__gte=0) & Q(freight__gte=0) & Q(total__gte=0),
                name="purchaseorder_amounts_not_negative",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"PO {self.pk} ({self.supplier_name or self.supplier_id}, {self.state})"


class PurchaseOrderLine(models.Model):
    """One option of a purchase order: quantity and price from its quote line; what arrived, when it did."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    quote_line = models.ForeignKey(QuoteLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    list_item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku_label = models.CharField(max_length=200, blank=True)
    spec_id = models.CharField(max_length=64, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchaseorderline_quantity_positive")]

    def __str__(self):
        return f"{self.order_id}: {self.product_id}/{self.spec_id} × {self.quantity}"


class OrderEvent(models.Model):
    """One step of a purchase order's timeline: drafted, approved, placed, paid, shipped, a trace step, received."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30)  # drafted, submitted, approved, declined, placed, paid, shipped, trace, …
    text = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=100, blank=True)  # for events read from 1688: written once per key

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "key"], condition=~Q(key=""), name="one_order_event_per_key"),
        ]

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


# --- receiving (issue 21 item 7) ---
class Receipt(models.Model):
    """What arrived of one line of a purchase order, once or in several deliveries: kept for the supplier's record."""

    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="receipts")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_quantity = models.PositiveIntegerField(_("received"))
    damaged_quantity = models.PositiveIntegerField(_("damaged"), default=0)
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    received_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["supplier", "received_at"], name="receipt_supplier_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(damaged_quantity__lte=models.F("received_quantity")), name="receipt_damaged_within_received"
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"receipt of line {self.line_id}: {self.received_quantity}"


# --- samples (issue 21 item 6) ---
class Sample(models.Model):
    """A sample of one list item: requested → ordered → received → approved or rejected."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ORDERED = "ordered", _("Ordered")
        RECEIVED = "received", _("Received")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    list_item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="samples")
    purchase_order = models.ForeignKey(PurchaseOrder, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="samples")  # fmt: skip
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    quantity = models.PositiveIntegerField(default=1)
    sample_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # 1688's, when given
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Each step as it happened, for the sample's page: [{"at", "state", "by", "note"}] (by = username).
    timeline = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sample_quantity_positive")]

    def __str__(self):
        return f"sample of item {self.list_item_id} ({self.state})"


class SamplePhoto(models.Model):
    """A photo of a received sample, kept in the database like search pictures (JPEG/PNG/WebP, at most 5 MB)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField(editable=False)
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"photo {self.sha256[:12]} of sample {self.sample_id}"
