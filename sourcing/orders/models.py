"""Ship-to addresses, the lists being bought ("ordering"), and 1688's verified quotes of them.

A quote is one `alibaba.createOrder.preview` of one supplier's options of a list (a supplier group): what 1688
would charge for each option at its quantity, delivered to the team's address, and whether it would take the
order. Addresses are team data reached through `selectors.get_address_for_user`; quotes through their list's
door (`lists.selectors.get_list_for_user`). Later work (landed cost, purchase orders) starts from `Quote`.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.catalog.models import Product, Sku, Supplier
from sourcing.connections.models import AppCredential
from sourcing.lists.models import ListItem, ProductList


class ShipAddress(models.Model):
    """Where a team's goods go in China: usually its forwarder's warehouse. One of a team's may be its default."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ship_addresses")
    label = models.CharField(_("name"), max_length=60)  # 义乌仓 (某某货代)
    contact_name = models.CharField(_("contact name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)  # a mobile (13800138000) or a landline (0579-85123456)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district"), max_length=40)
    street = models.CharField(_("street address"), max_length=200)
    post_code = models.CharField(_("post code"), max_length=6, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "label", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=Q(is_default=True), name="one_default_address_per_team"),
        ]

    def __str__(self):
        return self.label

    @property
    def one_line(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district, self.street) if p)


class QuoteWatch(models.Model):
    """A list's buying settings: marked "ordering" (re-quoted every 1688 day by beat), where to, and the drift
    that raises an alert."""

    product_list = models.OneToOneField(ProductList, on_delete=models.CASCADE, related_name="quote_watch")
    ordering = models.BooleanField(_("ordering"), default=False)
    drift_percent = models.DecimalField(_("alert when a quoted price moves by (%)"), max_digits=5, decimal_places=2)
    address = models.ForeignKey(ShipAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    # The 1688 day of the last background re-quote, claimed by a conditional UPDATE: one run per list per day.
    requoted_on = models.DateField(null=True, blank=True)
    # Landed cost: the forwarder's line the list ships by (None: the team's default rate card).
    rate_card = models.ForeignKey("RateCard", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(drift_percent__gt=0) & Q(drift_percent__lte=100), name="quotewatch_drift_percent_range"
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.product_list_id}: ordering={self.ordering}"


class QuoteRun(models.Model):
    """One request to quote a list (or its ticked items): the worker's job, with its progress for the page."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        USER = "user", _("Asked for")
        BACKGROUND = "background", _("Daily re-quote")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    product_list = models.ForeignKey(ProductList, on_delete=models.CASCADE, related_name="quote_runs")
    address = models.ForeignKey(ShipAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    credential = models.ForeignKey(AppCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.USER)
    forced = models.BooleanField(default=False)  # asked again: call 1688 even for groups quoted unchanged today
    item_ids = models.JSONField(default=list, blank=True)  # the ticked items; [] for the whole list
    # A sample's price: one piece of the one item's option; its quote is kept apart from the list's current lines.
    sample = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    groups_total = models.PositiveIntegerField(default=0)
    groups_done = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)  # previews sent to 1688
    reused = models.PositiveIntegerField(default=0)  # groups answered by today's quote of the same lines
    message = models.CharField(max_length=500, blank=True)  # plain words for the page
    error_code = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product_list", "state"], name="quoterun_list_state")]

    def __str__(self):
        return f"quote run {self.pk} of list {self.product_list_id} ({self.state})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return round(100 * self.groups_done / self.groups_total) if self.groups_total else 0

    @property
    def done_words(self) -> str:
        """What a finished run did, in the reader's language (the stored message is in the worker's)."""
        from django.utils.translation import ngettext

        groups = ngettext("Quoted %(n)d supplier group", "Quoted %(n)d supplier groups", self.groups_total) % {
            "n": self.groups_total}  # fmt: skip
        calls = ngettext("%(n)d order preview asked of 1688", "%(n)d order previews asked of 1688", self.calls) % {
            "n": self.calls}  # fmt: skip
        if not self.reused:
            return _("%(groups)s: %(calls)s.") % {"groups": groups, "calls": calls}
        reused = ngettext("%(n)d unchanged since today's earlier quote", "%(n)d unchanged since today's earlier quotes",
                          self.reused) % {"n": self.reused}  # fmt: skip
        return _("%(groups)s: %(calls)s; %(reused)s.") % {"groups": groups, "calls": calls, "reused": reused}


class Quote(models.Model):
    """What 1688's order preview said for one supplier's options of a list, to one address, at one moment."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    product_list = models.ForeignKey(ProductList, on_delete=models.CASCADE, related_name="quotes")
    run = models.ForeignKey(QuoteRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplier_name = models.CharField(max_length=200, blank=True)
    address = models.ForeignKey(ShipAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address_text = models.CharField(max_length=400, blank=True)  # as sent, kept when the address changes
    key = models.CharField(max_length=64)  # sha256 of the address and the lines: the same request has the same key
    day = models.DateField()  # the 1688 (Asia/Shanghai) day it was quoted
    quoted_at = models.DateTimeField(default=timezone.now)
    orderable = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)  # stock, moq, mixed_batch, no_option, …
    error_code = models.CharField(max_length=60, blank=True)  # 1688's refusal of the whole group (500_001, …)
    message = models.CharField(max_length=500, blank=True)
    goods = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # sumPaymentNoCarriage
    freight = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # sumCarriage
    discount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    additional_fee = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # sumPayment
    flow = models.CharField(max_length=40, blank=True)
    promotions = models.JSONField(default=list, blank=True)  # the shop's: [{"text", "discount", "selected"}]
    called = models.BooleanField(default=True)  # False when no line could be sent (no option chosen)

    class Meta:
        ordering = ["-quoted_at", "-pk"]
        indexes = [
            models.Index(fields=["product_list", "key", "day"], name="quote_list_key_day"),
            models.Index(fields=["product_list", "quoted_at"], name="quote_list_quoted_at"),
        ]

    def __str__(self):
        return f"quote {self.pk} of list {self.product_list_id} ({self.supplier_name or self.supplier_id})"


class QuoteLine(models.Model):
    """One option of a quote: its quantity, the price the list showed then, and 1688's final unit price."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    list_item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku_label = models.CharField(max_length=200, blank=True)
    spec_id = models.CharField(max_length=64, blank=True)
    quantity = models.PositiveIntegerField()
    listed_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # final, promotions in
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    promotions = models.JSONField(default=list, blank=True)  # [{"text", "discount"}]
    orderable = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    # The item's newest line: the one the list, compare and exports show (moved in the same transaction).
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["quote", "pk"]
        indexes = [models.Index(fields=["list_item", "is_current"], name="quoteline_item_current")]

    def __str__(self):
        return f"{self.quote_id}: {self.product_id}/{self.spec_id} × {self.quantity}"


# --- landed cost (issue 21 item 4, docs/buying.md "Landed cost") ---
class RateCard(models.Model):
    """One line of a forwarder's prices from China (sea, air, rail, express): by chargeable weight, with its fees."""

    class Mode(models.TextChoices):
        SEA = "sea", _("Sea")
        AIR = "air", _("Air")
        RAIL = "rail", _("Rail")
        EXPRESS = "express", _("Express")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rate_cards")
    forwarder = models.CharField(_("forwarder"), max_length=60)
    mode = models.CharField(_("line"), max_length=10, choices=Mode.choices)
    destination = models.CharField(_("to"), max_length=60, blank=True)  # "Hamburg", "US West (LAX)"
    currency = models.CharField(_("currency of the card"), max_length=3, default="CNY")  # converted at the kept rate
    price_per_kg = models.DecimalField(_("price per kg"), max_digits=10, decimal_places=2)
    # cm³ per chargeable kg: 6000 air and express, 5000 some express, 1000 sea (1 m³ = 1,000 kg), 3000 rail.
    volumetric_divisor = models.PositiveIntegerField(_("volumetric divisor (cm³ per kg)"), default=6000)
    min_charge = models.DecimalField(_("minimum charge"), max_digits=10, decimal_places=2, default=0)
    per_parcel_fee = models.DecimalField(_("fee per parcel"), max_digits=10, decimal_places=2, default=0)
    transit_days_min = models.PositiveSmallIntegerField(_("transit days, from"), null=True, blank=True)
    transit_days_max = models.PositiveSmallIntegerField(_("transit days, to"), null=True, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "forwarder", "mode", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(is_default=True), name="one_default_rate_card_per_team"
            ),
            models.CheckConstraint(
                condition=Q(price_per_kg__gte=0) & Q(min_charge__gte=0) & Q(per_parcel_fee__gte=0),
                name="ratecard_amounts_not_negative",
            ),  # fmt: skip
            models.CheckConstraint(condition=Q(volumetric_divisor__gt=0), name="ratecard_divisor_positive"),
        ]

    def __str__(self):
        return f"{self.forwarder} · {self.get_mode_display()}"


class DutyRate(models.Model):
    """Import duty and VAT, in percent, for one list or one category of a team (a list's rate wins)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="duty_rates")
    product_list = models.ForeignKey(ProductList, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("sourcing.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")  # fmt: skip
    duty_percent = models.DecimalField(_("duty (%)"), max_digits=5, decimal_places=2, default=0)
    vat_percent = models.DecimalField(_("VAT / import tax (%)"), max_digits=5, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)  # the HS code, the source of the rate
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(product_list__isnull=False) & Q(category__isnull=True))
                | (Q(product_list__isnull=True) & Q(category__isnull=False)),
                name="dutyrate_for_a_list_or_a_category",
            ),
            models.CheckConstraint(
                condition=Q(duty_percent__gte=0)
                & Q(duty_percent__lte=100)
                & Q(vat_percent__gte=0)
                & Q(vat_percent__lte=100),
                name="dutyrate_percent_range",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["team", "product_list"], condition=Q(product_list__isnull=False), name="one_duty_rate_per_list"
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["team", "category"], condition=Q(category__isnull=False), name="one_duty_rate_per_category"
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"duty {self.duty_percent}% VAT {self.vat_percent}%"


class ItemPacking(models.Model):
    """What one unit of a list's item weighs and takes up packed, when the buyer knows better than 1688."""

    list_item = models.OneToOneField(ListItem, on_delete=models.CASCADE, related_name="packing")
    unit_weight_kg = models.DecimalField(_("weight per unit (kg)"), max_digits=10, decimal_places=3, null=True,
                                         blank=True)  # fmt: skip
    unit_volume_cm3 = models.DecimalField(_("volume per unit (cm³)"), max_digits=12, decimal_places=1, null=True,
                                          blank=True)  # fmt: skip
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit_weight_kg__gt=0) | Q(unit_weight_kg__isnull=True))
                & (Q(unit_volume_cm3__gt=0) | Q(unit_volume_cm3__isnull=True)),
                name="itempacking_positive",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"packing of item {self.list_item_id}"


class FreightEstimate(models.Model):
    """1688's `product.freight.estimate` of one item at its quantity to an address: domestic freight before a quote."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    list_item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="+")
    address = models.ForeignKey(ShipAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=64)  # sha256 of the address and (offer, sku, quantity): same request, same key
    day = models.DateField()  # the 1688 day it was asked
    quantity = models.PositiveIntegerField()
    freight = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    unit_weight_kg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)  # why there is no freight
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["list_item", "key", "day"], name="freightestimate_item_key_day")]

    def __str__(self):
        return f"freight of item {self.list_item_id}: {self.freight}"


# --- purchase orders (issue 21 item 5, docs/buying.md "Purchase orders") ---
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
