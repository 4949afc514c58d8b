"""The catalog: public 1688 data shared by every team (categories, suppliers, products, SKUs, price
history), the team-private searches that found it, recently viewed products, uploaded pictures
for image search, and the worker jobs that fetch it, with progress for the pages to poll.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.connections.models import AppCredential

# Where a product has no price: last when sorted by price either way.
NO_PRICE_HIGH = Decimal("9999999999.99")
NO_PRICE_LOW = Decimal("-1")


class SearchDocumentField(models.TextField):
    """A `tsvector` on PostgreSQL, written from the app's own lexeme list; plain text elsewhere.

    The value is a tsvector literal built in Python (`'手机':1A '机壳':2A 'case':7B`): no text-search
    parser or server locale is involved, so Chinese works whatever the database's LC_CTYPE.
    """

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class Source(models.TextChoices):
    """Where a row's data came from: the credential's gateway when it was fetched."""

    SANDBOX = "sandbox", _("Sandbox (local test data)")
    LIVE = "live", _("Live 1688")


class Category(models.Model):
    """A 1688 category; the primary key is 1688's category id."""

    id = models.BigIntegerField(primary_key=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 = top
    is_leaf = models.BooleanField(default=False)
    fetched_at = models.DateTimeField(null=True, blank=True)  # None: only known as a product's category id
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SANDBOX)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        # Known only by id (a search item or a detail without categoryName): say so rather than show a bare number.
        return self.name or self.name_en or _("Category #%(id)s (name not fetched yet)") % {"id": self.pk}


class Supplier(models.Model):
    """A 1688 seller, keyed by its open id (the only seller id crossborder answers give)."""

    open_id = models.CharField(max_length=64, unique=True)
    login_id = models.CharField(max_length=100, blank=True, db_index=True)
    member_id = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    province = models.CharField(max_length=40, blank=True, db_index=True)
    city = models.CharField(max_length=60, blank=True)
    years = models.PositiveSmallIntegerField(_("years on 1688"), null=True, blank=True)
    service_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)  # 0.0-5.0
    # sellerDataInfo's scores: {"logistics": "4.5", "dispute": "3.0", "offer": "4.0", "consulting": "5.0",
    # "after_sales": "3.0", "trade_medal_level": "5"}
    scores = models.JSONField(default=dict, blank=True)
    repurchase_rate = models.DecimalField(_("repurchase rate %"), max_digits=5, decimal_places=2, null=True,
                                          blank=True)  # fmt: skip
    badges = models.JSONField(default=list, blank=True)  # ["实力商家", "源头工厂", ...]
    shop_url = models.URLField(max_length=300, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    fetched_at = models.DateTimeField(null=True, blank=True)  # last answer that described the seller
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SANDBOX)
    # The seller's offer list (querySellerOfferList): pages fetched so far, and whether 1688 has more.
    offers_pages_fetched = models.PositiveIntegerField(default=0)
    offers_total = models.PositiveIntegerField(null=True, blank=True)
    offers_has_more = models.BooleanField(default=True)
    offers_fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["company_name", "pk"]

    def __str__(self):
        return self.company_name or self.open_id

    @property
    def display_name(self) -> str:
        """The company, or its login id; never the opaque open id a buyer can do nothing with."""
        return self.company_name or self.login_id or str(_("Supplier (name not known yet)"))

    @property
    def is_factory(self) -> bool | None:
        """A verified factory (超级工厂 or 源头工厂 among its badges); None while no badge is known."""
        if not self.badges:
            return None
        return any(b in ("超级工厂", "源头工厂") for b in self.badges)


class Product(models.Model):
    """A 1688 offer as last fetched; the last good data stays when 1688 delists or forgets it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DELISTED = "delisted", _("Delisted on 1688")
        NOT_FOUND = "not_found", _("No longer on 1688")

    offer_id = models.BigIntegerField(unique=True)
    title = models.CharField(max_length=300, blank=True)
    title_en = models.CharField(max_length=500, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    company_name = models.CharField(max_length=200, blank=True)  # known before the supplier is (image search)
    province = models.CharField(max_length=40, blank=True)  # the supplier's, or where goods ship from
    price_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_tiers = models.JSONField(default=list, blank=True)  # [{"min_quantity": 2, "price": "12.00"}, ...]
    moq = models.PositiveIntegerField(_("minimum order"), null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    unit_en = models.CharField(max_length=40, blank=True)
    image_url = models.URLField(max_length=500, blank=True)  # the main picture
    images = models.JSONField(default=list, blank=True)  # every picture, main first
    attributes = models.JSONField(default=list, blank=True)  # [{"name", "value", "name_en", "value_en"}]
    # The seller's description, cleaned by sourcing.offer_content when written (and again when shown);
    # "" = not known yet. Video links as 1688 gives them (http(s) only). docs/offer-content.md
    description_html = models.TextField(blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    detail_video_url = models.URLField(max_length=500, blank=True)
    month_sold = models.PositiveIntegerField(null=True, blank=True)  # search answers
    sales_count = models.PositiveIntegerField(null=True, blank=True)  # the detail's total (soldOut)
    stock = models.PositiveIntegerField(null=True, blank=True)
    quote_type = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 by quantity, 1 by SKU, 2 both
    ship_from = models.CharField(max_length=100, blank=True)
    weight_kg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    ships_within_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    detail_url = models.URLField(max_length=500, blank=True)  # the offer on 1688, tracking parameters removed
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SANDBOX)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Freshness: a search or offer-list item (summary) and the full detail are fetched separately.
    summary_fetched_at = models.DateTimeField(null=True, blank=True)
    detail_fetched_at = models.DateTimeField(null=True, blank=True)
    summary_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)  # of the detail
    changed_at = models.DateTimeField(null=True, blank=True)  # last time the data really changed
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    # Refresh claim: set by one conditional UPDATE when queued (once per cycle however many want it),
    # the lease by the worker that runs it; both cleared when the refresh ends.
    refresh_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_error = models.CharField(max_length=300, blank=True)
    # The refresh floor shared by every user and team: a forced refresh claims this with one conditional UPDATE,
    # so the offer is asked of 1688 at most once per CATALOG_REFETCH_SECONDS however many click at once.
    refresh_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Search: the app's own lexemes of title (weight A) and of attributes and company (B): PostgreSQL fills only
    # search_vector (GIN-indexed tsvector), SQLite only the two plain texts (matched with instr()).
    search_title = models.TextField(blank=True, editable=False)  # " 手机 机壳 手 机 壳 phone case "
    search_body = models.TextField(blank=True, editable=False)
    search_vector = SearchDocumentField(null=True, blank=True, editable=False)  # PostgreSQL only (GIN index)
    listed_at = models.DateTimeField(null=True, blank=True)  # 1688's createDate
    created_at = models.DateTimeField(default=timezone.now)  # first seen by the portal
    # Supplier trust as search items carry it before the supplier is known (no seller id there), merged into
    # the Supplier when a detail names it (docs/supplier-trust.md): {"badges": [...], "service": "4.5",
    # "repurchase": "11.00", "scores": {"logistics": "4.0", ...}, "years": 6}.
    seller = models.JSONField(default=dict, blank=True)
    # The best known years and factory status (the supplier's, else the snapshot's), for the search filters.
    seller_years = models.PositiveSmallIntegerField(_("years on 1688"), null=True, blank=True)
    seller_factory = models.BooleanField(null=True, blank=True)  # None: no seller identity known yet
    trade_score = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)  # tradeScore 0-5
    consign_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # dropship price
    one_piece = models.BooleanField(null=True, blank=True)  # isOnePsale: ships single pieces
    # Sort keys as stored columns the database computes on every write (so no write path can forget them), each
    # with an (key, id) index: a search walks the index in its order and stops after a page, where an expression
    # (COALESCE) would make it sort every match (docs/catalog.md "Ranking at a million products").
    sort_sales = models.GeneratedField(expression=Coalesce("month_sold", Value(0)), output_field=models.BigIntegerField(),
                                       db_persist=True)  # fmt: skip
    sort_price_up = models.GeneratedField(expression=Coalesce("price_min", Value(NO_PRICE_HIGH)), db_persist=True,
                                          output_field=models.DecimalField(max_digits=12, decimal_places=2))  # fmt: skip
    sort_price_down = models.GeneratedField(expression=Coalesce("price_min", Value(NO_PRICE_LOW)), db_persist=True,
                                            output_field=models.DecimalField(max_digits=12, decimal_places=2))  # fmt: skip
    sort_newest = models.GeneratedField(expression=Coalesce("listed_at", "created_at"), db_persist=True,
                                        output_field=models.DateTimeField())  # fmt: skip

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["category", "id"], name="product_category_id"),
            models.Index(fields=["sort_sales", "id"], name="product_sort_sales"),
            models.Index(fields=["sort_price_up", "id"], name="product_sort_price_up"),
            models.Index(fields=["sort_price_down", "id"], name="product_sort_price_down"),
            models.Index(fields=["sort_newest", "id"], name="product_sort_newest"),
            # Small partial indexes for the filters whose offers may be few (docs/catalog.md): a factory filter, and
            # the offers a filter hides because their value is unknown, counted on every filtered page.
            models.Index(fields=["id"], condition=models.Q(seller_factory=True), name="product_factory"),
            models.Index(
                fields=["id"], condition=models.Q(seller_factory__isnull=True), name="product_factory_unknown"
            ),
            models.Index(fields=["id"], condition=models.Q(province=""), name="product_province_unknown"),
            models.Index(fields=["id"], condition=models.Q(moq__isnull=True), name="product_moq_unknown"),
            models.Index(fields=["id"], condition=models.Q(seller_years__isnull=True), name="product_years_unknown"),
            models.Index(fields=["detail_fetched_at"], name="product_detail_fetched"),
            models.Index(fields=["last_viewed_at"], name="product_last_viewed"),
            models.Index(fields=["seller_years"], name="product_seller_years"),
        ]

    def __str__(self):
        return f"{self.offer_id} {self.title}"

    @property
    def display_title(self) -> str:
        return self.title or self.title_en or str(self.offer_id)

    @property
    def fetched_at(self):
        """When anything about the offer was last fetched."""
        stamps = [t for t in (self.summary_fetched_at, self.detail_fetched_at) if t]
        return max(stamps) if stamps else None


class Sku(models.Model):
    """One SKU of a product (a combination of options such as colour and size)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    sku_id = models.CharField(max_length=40)
    spec_id = models.CharField(max_length=64, blank=True)
    attributes = models.JSONField(default=list)  # [{"name", "value", "name_en", "value_en", "image_url"}]
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    stock = models.PositiveIntegerField(null=True, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position"]
        verbose_name = "SKU"
        constraints = [models.UniqueConstraint(fields=["product", "sku_id"], name="one_sku_per_product")]

    def __str__(self):
        return f"{self.product_id}/{self.sku_id}"

    @property
    def label(self) -> str:
        return " / ".join(str(a.get("value") or "") for a in self.attributes)


class PriceHistory(models.Model):
    """A product's price range and stock from the moment they changed (one row per change)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_history")
    at = models.DateTimeField(default=timezone.now)
    price_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    stock = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["product", "at", "pk"]
        verbose_name_plural = "price history"
        indexes = [models.Index(fields=["product", "at"], name="pricehistory_product_at")]

    def __str__(self):
        return f"{self.product_id} {self.at:%Y-%m-%d %H:%M} {self.price_min}-{self.price_max}"


class CatalogJob(models.Model):
    """Catalog work run by a worker, with done/total for a progress bar; visible to its team."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("Keyword search")
        IMAGE_SEARCH = "image_search", _("Image search")
        PRODUCT = "product", _("Product detail")
        SUPPLIER = "supplier", _("Supplier offers")
        CATEGORIES = "categories", _("Category tree")
        REFRESH = "refresh", _("Refresh of stale products")
        DETAILS = "details", _("Details of offers a filter can't judge yet")
        SAME_ITEM = "same_item", _("Same item from other suppliers")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    target = models.CharField(max_length=100, blank=True)  # offer id, open id, search key, category id
    params = models.JSONField(default=dict, blank=True)  # what the worker needs besides the target (no secrets)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="catalog_jobs")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    credential = models.ForeignKey(AppCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)  # plain words for the page
    error_code = models.CharField(max_length=60, blank=True)  # "not_found", "local.QuotaExhausted", ...
    created_at = models.DateTimeField(default=timezone.now)
    # Handed to a worker (its task sent); empty while it waits for its team's earlier jobs (TEAM_JOBS_IN_FLIGHT).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "target", "state"], name="catalogjob_kind_target"),
            models.Index(fields=["team", "state"], name="catalogjob_team_state"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target} ({self.state})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def is_waiting_for_team(self) -> bool:
        """Queued behind its team's earlier jobs: no worker has it yet."""
        return self.state == self.State.QUEUED and self.dispatched_at is None and self.team_id is not None

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0


class ImageUpload(models.Model):
    """A picture to search by, stored here so that tasks pass its id, never its bytes."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.BinaryField(blank=True, editable=False)  # the picture (JPEG/PNG/WebP/GIF), at most 3 MB
    content_type = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    source_url = models.URLField(max_length=500, blank=True)  # a product picture's URL instead of bytes
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"image {self.sha256[:12]}"


class SearchQuery(models.Model):
    """A search a team ran against 1688 and the offers it found, in 1688's order; private to the team."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", _("Keyword")
        IMAGE = "image", _("Image")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="searches")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.KEYWORD)
    key = models.CharField(max_length=64)  # sha256 of the normalised query and filters
    query = models.CharField(max_length=200, blank=True)  # normalised keyword
    filters = models.JSONField(default=dict, blank=True)  # those sent to 1688: category, price range
    image = models.ForeignKey(ImageUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    offer_ids = models.JSONField(default=list, blank=True)  # ordered as 1688 ranked them
    total = models.PositiveIntegerField(null=True, blank=True)  # 1688's count (at most 2,000)
    pages_fetched = models.PositiveIntegerField(default=0)
    has_more = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    credential = models.ForeignKey(AppCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey(CatalogJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    times_searched = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    last_searched_at = models.DateTimeField(default=timezone.now)
    fetched_at = models.DateTimeField(null=True, blank=True)  # None until a worker fetched it from 1688

    class Meta:
        ordering = ["-last_searched_at", "-pk"]
        verbose_name_plural = "search queries"
        constraints = [models.UniqueConstraint(fields=["team", "key"], name="one_search_per_team_and_key")]
        indexes = [models.Index(fields=["team", "last_searched_at"], name="searchquery_team_recent")]

    def __str__(self):
        return f"{self.team_id}: {self.query or self.kind}"


class ProductView(models.Model):
    """A user's latest look at a product: "recently viewed", and what refreshes sooner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="product_views")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="one_view_row_per_user_product")]
        indexes = [models.Index(fields=["user", "viewed_at"], name="productview_user_recent")]

    def __str__(self):
        return f"{self.user_id} viewed {self.product_id}"


class SameItemCluster(models.Model):
    """Offers that are the same item sold by different shops: public catalog data, found once for every team."""

    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"same item {self.pk}"


class SameItemMember(models.Model):
    """A product's place in a cluster: how sure the match is, how it was decided, and when its candidates were
    last gathered from 1688 (None: it joined as another product's candidate)."""

    class Method(models.TextChoices):
        SEED = "seed", _("Searched from this product")
        PICTURES = "pictures", _("Same pictures")
        PICTURES_TITLE = "pictures_title", _("Similar pictures and title")

    cluster = models.ForeignKey(SameItemCluster, on_delete=models.CASCADE, related_name="members")
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="same_item")
    score = models.FloatField(default=1.0)  # 0-1, 1 = the same pictures
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.SEED)
    matched_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.product_id} in {self.cluster_id}"
