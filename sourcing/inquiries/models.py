"""Inquiries: a team's recorded conversations with suppliers (contract: docs/inquiries-alerts.md).

Team data: every member reads them, buyers and up write. Reached only through
`sourcing.inquiries.selectors.get_inquiry_for_user` (404 outside the team).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.catalog.models import Product, Sku, Supplier


class Inquiry(models.Model):
    """A message a buyer sends a supplier about an offer, and what the supplier answered."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")

    class Language(models.TextChoices):
        ZH = "zh", _("Chinese")
        EN = "en", _("English")

    class LinkState(models.TextChoices):
        QUEUED = "queued", _("Asking 1688")
        RUNNING = "running", _("Asking 1688")
        DONE = "done", _("Ready")

    class LinkKind(models.TextChoices):
        WANGWANG = "wangwang", _("WangWang chat")
        OFFER_PAGE = "offer_page", _("Offer page")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="inquiries")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="inquiries")
    sku = models.ForeignKey(Sku, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku_label = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    target_price = models.DecimalField(_("target price (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    message = models.TextField(_("message"), max_length=4000)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ZH)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    quoted_price = models.DecimalField(_("quoted price (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    quoted_moq = models.PositiveIntegerField(_("quoted minimum order"), null=True, blank=True)
    quoted_quantity = models.PositiveIntegerField(_("quantity quoted for"), null=True, blank=True)
    quoted_lead_days = models.PositiveSmallIntegerField(_("quoted lead time (days)"), null=True, blank=True)
    # The chat link: asked of 1688 (account.wangwangUrl.get) by a worker, or the offer page.
    link_url = models.URLField(max_length=1000, blank=True)
    link_kind = models.CharField(max_length=12, choices=LinkKind.choices, blank=True)
    link_state = models.CharField(max_length=10, choices=LinkState.choices, default=LinkState.DONE)
    link_note = models.CharField(max_length=500, blank=True)
    link_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_logged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # One request to many suppliers (issue 22): this inquiry is one supplier's part of it, and the answers beyond
    # price, MOQ and lead time are kept as fields so the answers table, compare and the scorecards can read them.
    request = models.ForeignKey("SupplierRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="inquiries")  # fmt: skip
    sample_price = models.DecimalField(_("sample price (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    sample_days = models.PositiveSmallIntegerField(_("sample time (days)"), null=True, blank=True)
    packing = models.CharField(_("packing"), max_length=500, blank=True)
    customisable = models.BooleanField(_("customisation"), null=True, blank=True)
    customisation = models.CharField(_("customisation details"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "inquiries"
        indexes = [
            models.Index(fields=["team", "status", "created_at"], name="inquiry_team_status"),
            models.Index(fields=["team", "supplier"], name="inquiry_team_supplier"),
            models.Index(fields=["team", "product"], name="inquiry_team_product"),
        ]

    def __str__(self):
        return f"Inquiry {self.pk} about {self.product_id}"

    @property
    def response_time(self):
        """How long the supplier took to answer (replied − sent), once a reply is logged."""
        if self.sent_at and self.replied_at and self.replied_at >= self.sent_at:
            return self.replied_at - self.sent_at
        return None

    @property
    def link_pending(self) -> bool:
        return self.link_state in (self.LinkState.QUEUED, self.LinkState.RUNNING)


class SupplierRequest(models.Model):
    """One request (options, quantity, target price, questions) sent to several suppliers, each through its own
    inquiry (`inquiries`); the answers are logged per supplier on those inquiries."""

    class Question(models.TextChoices):
        MOQ = "moq", _("Minimum order")
        PRICE = "price", _("Price at the quantity")
        LEAD = "lead", _("Lead time")
        SAMPLE = "sample", _("Sample price and time")
        PACKING = "packing", _("Packing")
        CUSTOM = "custom", _("Customisation")

    class BatchState(models.TextChoices):
        NONE = "", _("Not asked through 1688")
        QUEUED = "queued", _("Asking 1688")
        WAITING = "waiting", _("Suppliers answering")
        DONE = "done", _("Answers in")
        FAILED = "failed", _("1688 refused")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="supplier_requests")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The list it was sent from: lists sit above inquiries (pyproject layers), so the id is kept, not a key.
    list_id = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    options = models.CharField(_("options"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    target_price = models.DecimalField(_("target price (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    questions = models.JSONField(default=list)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # 1688's batch inquiry (the Newton agent), asked by a worker when the sender's credential may: its task id,
    # where it stands, and plain words about it (docs/inquiries-alerts.md).
    batch_state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.NONE, blank=True)
    batch_task_id = models.CharField(max_length=64, blank=True)
    batch_note = models.CharField(max_length=500, blank=True)
    batch_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "created_at"], name="request_team_created")]

    def __str__(self):
        return f"Request {self.pk}: {self.title}"

    @property
    def question_labels(self) -> list[str]:
        return [str(self.Question(q).label) for q in self.questions if q in self.Question.values]
