"""Team lists of products (shortlists), their items, comments and activity; exchange rates for display.

Lists are team data: every member reads them, buyers and up change them, owners and admins delete.
They are reached only through `sourcing.lists.selectors.get_list_for_user` (and the item door next to
it); no view filters by team by hand. The contract for other code is docs/lists.md.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.catalog.models import Product, Sku


def list_name_key(name: str) -> str:
    """What makes two list names the same: case and spaces (inner, outer, full-width) ignored."""
    return "".join(str(name or "").split()).casefold()[:240]


class ProductList(models.Model):
    """A team's list of products being sourced together (a range, an order, a season)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="product_lists")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # moved by every change to the list or its items
    archived_at = models.DateTimeField(null=True, blank=True)  # hidden from pickers, still readable
    # list_name_key(name), kept by save() and the services: the database refuses a team's second "Samples".
    name_key = models.CharField(max_length=240, editable=False, default="")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["team", "updated_at"], name="productlist_team_recent")]
        constraints = [models.UniqueConstraint(fields=["team", "name_key"], name="one_list_name_per_team")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = list_name_key(self.name)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class ListItem(models.Model):
    """A product on a list: what the team wants of it (SKU, quantity, price) and how far it got."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        SAMPLING = "sampling", _("Sampling")
        ORDERED = "ordered", _("Ordered")
        REJECTED = "rejected", _("Rejected")

    product_list = models.ForeignKey(ProductList, on_delete=models.CASCADE, related_name="items")
    # Catalog rows are never deleted (a delisted offer keeps its last data); PROTECT makes that explicit.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="list_items")
    sku = models.ForeignKey(Sku, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku_label = models.CharField(max_length=200, blank=True)  # the chosen SKU's label, kept if 1688 drops it
    target_quantity = models.PositiveIntegerField(_("target quantity"), null=True, blank=True)
    target_price = models.DecimalField(_("target price (¥)"), max_digits=12, decimal_places=2, null=True,
                                       blank=True)  # fmt: skip
    note = models.TextField(_("note"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDEA)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Optimistic concurrency: an edit names the version it started from; the UPDATE only lands if unchanged.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["product_list", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product_list", "product"], name="one_item_per_product_per_list"),
            models.CheckConstraint(
                condition=Q(target_price__gte=0) | Q(target_price__isnull=True),
                name="listitem_target_price_not_negative",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["product"], name="listitem_product")]

    def __str__(self):
        return f"{self.product_list_id}: {self.product_id} ({self.status})"


class ItemComment(models.Model):
    """A team member's comment on a list item."""

    item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "created_at", "pk"]

    def __str__(self):
        return f"comment {self.pk} on item {self.item_id}"


class ListActivity(models.Model):
    """One line of a list's history: who did what, when (kept after the item is gone)."""

    class Verb(models.TextChoices):
        CREATED = "created", _("created the list")
        RENAMED = "renamed", _("edited the list")
        COPIED = "copied", _("copied the list")
        ADDED = "added", _("added")
        EDITED = "edited", _("edited")
        STATUS = "status", _("changed the status of")
        COMMENTED = "commented", _("commented on")
        REMOVED = "removed", _("removed")

    product_list = models.ForeignKey(ProductList, on_delete=models.CASCADE, related_name="activity")
    item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=12, choices=Verb.choices)
    detail = models.CharField(max_length=500, blank=True)  # plain words: the product's title, "idea → sampling"
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "list activity"
        indexes = [models.Index(fields=["product_list", "at"], name="listactivity_list_at")]

    def __str__(self):
        return f"{self.product_list_id} {self.verb} {self.detail[:40]}"


class ExchangeRate(models.Model):
    """How many units of `currency` one yuan buys from `date` on; kept by admins (no outside service)."""

    currency = models.CharField(_("currency"), max_length=3)  # ISO 4217, upper case: USD, EUR, GBP
    rate = models.DecimalField(_("units per ¥1"), max_digits=18, decimal_places=8)
    date = models.DateField(_("valid from"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="one_rate_per_currency_and_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_rate_positive"),
        ]

    def __str__(self):
        return f"¥1 = {self.rate} {self.currency} from {self.date}"


class ListImport(models.Model):
    """Offers pasted as links or uploaded as a CSV or Excel file, to add to a list: stored with its rows before
    a worker adds them, so every row has a result (docs/lists.md "Links in")."""

    class Kind(models.TextChoices):
        LINKS = "links", _("Pasted links")
        CSV = "csv", _("CSV file")
        XLSX = "xlsx", _("Excel file")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Adding")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    product_list = models.ForeignKey(ProductList, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    filename = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)  # rows
    done = models.PositiveIntegerField(default=0)  # rows with a result
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product_list", "created_at"], name="listimport_list_at")]

    def __str__(self):
        return f"import {self.pk} into list {self.product_list_id} ({self.state})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class ListImportRow(models.Model):
    """One row of an import: what it said, and what became of it."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ADDED = "added", _("Added")
        ALREADY = "already", _("Already on the list")
        NOT_OFFER = "not_offer", _("Not a 1688 offer")
        FETCH_FAILED = "fetch_failed", _("Fetch failed")
        NO_OPTION = "no_option", _("Option not found")
        REFUSED = "refused", _("Not added")

    list_import = models.ForeignKey(ListImport, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # the row in the file (1 = the first data row) or the link's place
    reference = models.CharField(max_length=2000, blank=True)  # the link or id as given
    offer_id = models.BigIntegerField(null=True, blank=True)
    quantity = models.CharField(max_length=40, blank=True)  # as given; checked when the row is added
    option = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=2000, blank=True)
    result = models.CharField(max_length=12, choices=Result.choices, default=Result.PENDING)
    detail = models.CharField(max_length=500, blank=True)  # why, in plain words
    item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["list_import", "number", "pk"]

    def __str__(self):
        return f"row {self.number} of import {self.list_import_id}: {self.result}"
