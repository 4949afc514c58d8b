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
