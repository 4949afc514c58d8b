"""The sandbox gateway's own state: apps, OAuth grants, usage and a generated catalog.

This is the "1688 side". Tokens and codes are kept only as SHA-256 digests, and app secrets
encrypted, so that no secret sits in plain text even in the demo database.
"""

import base64
import hashlib
import secrets
import string
import time

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import models
from django.utils import timezone


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _fernet() -> Fernet:
    key = hashlib.sha256(("sandbox-app-secret:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_token() -> str:
    """A UUID-shaped random token, like 1688's."""
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def new_app_secret() -> str:
    """A random App Secret: letters and digits, like 1688's, with 95 bits of entropy."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16))


class SandboxApp(models.Model):
    """A registered 1688 app: key, secret, callback, granted APIs, limits and injected faults."""

    app_key = models.CharField(max_length=64, unique=True)
    # Who created the app in the console; apps made by the sandbox_app command may have none.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="sandbox_apps"
    )
    secret_encrypted = models.TextField(editable=False)
    redirect_uri = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=100, blank=True)
    grant_all = models.BooleanField(default=False, help_text="Every API is granted.")
    grants = models.JSONField(default=list, blank=True, help_text="API ids like namespace:apiName-1")
    qps = models.PositiveIntegerField(default=10, help_text="Calls per second; 0 = unlimited.")
    daily_quota = models.PositiveIntegerField(default=10000, help_text="Calls per Beijing day; 0 = unlimited.")
    # Fault injection: probabilities between 0 and 1, and added latency.
    fault_timeout = models.FloatField(default=0, help_text="Answer only after timeout_delay seconds.")
    fault_5xx = models.FloatField(default=0)
    fault_malformed = models.FloatField(default=0)
    fault_truncated = models.FloatField(default=0)
    fault_frequency = models.FloatField(default=0)
    # Probability of 1688's "SLA bill has no usage left" answer (the app's API package is used up).
    fault_no_usage = models.FloatField(default=0, help_text="Answer gw.NoUsageLeftError (1 = every metered call).")
    timeout_delay = models.FloatField(default=30, help_text="Seconds a timeout fault waits before answering.")
    latency_ms = models.PositiveIntegerField(default=0)
    answer_profile = models.CharField(
        max_length=10, blank=True, default="",
        choices=[("", "default (SANDBOX_ANSWER_PROFILE)"), ("sparse", "sparse, like live 1688"), ("full", "full")],
        help_text="Sparse answers omit, null and stringify fields per offer as live 1688 answers do.",
    )  # fmt: skip

    class Meta:
        verbose_name = "sandbox app"

    def __str__(self):
        return self.app_key

    @staticmethod
    def unused_app_key() -> str:
        """An 8-digit App Key, like 1688's, that no sandbox app has yet."""
        while True:
            key = str(10_000_000 + secrets.randbelow(90_000_000))
            if not SandboxApp.objects.filter(app_key=key).exists():
                return key

    @property
    def app_secret(self) -> str:
        return _fernet().decrypt(self.secret_encrypted.encode()).decode()

    @app_secret.setter
    def app_secret(self, value: str) -> None:
        self.secret_encrypted = _fernet().encrypt(value.encode()).decode()

    @property
    def sparse(self) -> bool:
        """Whether this app's answers are sparse (its own choice, else the SANDBOX_ANSWER_PROFILE setting)."""
        return (self.answer_profile or settings.SANDBOX_ANSWER_PROFILE) == "sparse"

    def is_granted(self, api_id: str) -> bool:
        return self.grant_all or api_id in self.grants


class SandboxAccount(models.Model):
    """A 1688 member who can authorize apps on the consent page."""

    login_id = models.CharField(max_length=100, unique=True)
    member_id = models.CharField(max_length=100)
    ali_id = models.CharField(max_length=30)

    def __str__(self):
        return self.login_id


class SandboxAuthCode(models.Model):
    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE)
    code_digest = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=500)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class SandboxRefreshToken(models.Model):
    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE)
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SandboxAccessToken(models.Model):
    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE)
    refresh = models.ForeignKey(SandboxRefreshToken, null=True, on_delete=models.CASCADE)
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()


class SandboxUsage(models.Model):
    """Calls per app per Beijing day, for the daily quota."""

    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["app", "day"], name="sandbox_usage_per_day")]


class SandboxCategory(models.Model):
    id = models.BigIntegerField(primary_key=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()
    is_leaf = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "sandbox categories"

    def __str__(self):
        return self.name


class SandboxSupplier(models.Model):
    login_id = models.CharField(max_length=100, unique=True)
    member_id = models.CharField(max_length=100)
    open_uid = models.CharField(max_length=64, unique=True)
    company_name = models.CharField(max_length=200)
    province = models.CharField(max_length=20)
    city = models.CharField(max_length=40)
    years = models.PositiveSmallIntegerField()
    service_score = models.DecimalField(max_digits=3, decimal_places=1)
    repurchase_rate = models.PositiveSmallIntegerField(help_text="percent")
    domain = models.CharField(max_length=100)
    main_category = models.ForeignKey(SandboxCategory, null=True, on_delete=models.SET_NULL)

    def __str__(self):
        return self.company_name


class SandboxOffer(models.Model):
    offer_id = models.BigIntegerField(unique=True)
    supplier = models.ForeignKey(SandboxSupplier, on_delete=models.CASCADE, related_name="offers")
    category = models.ForeignKey(SandboxCategory, on_delete=models.PROTECT, related_name="offers")
    subject = models.CharField(max_length=200)
    subject_en = models.CharField(max_length=300)
    unit = models.CharField(max_length=10)
    unit_en = models.CharField(max_length=20)
    min_order_quantity = models.PositiveIntegerField()
    base_price = models.DecimalField(max_digits=10, decimal_places=2)
    price_tiers = models.JSONField(help_text="[[start_quantity, factor], ...] applied to the drifting price")
    sku_axes = models.JSONField(help_text="[[name, name_en, [[value, value_en], ...]], ...]")
    attributes = models.JSONField()
    image_family = models.PositiveIntegerField()
    image_variants = models.JSONField(help_text="variant numbers of the offer's images")
    image_hash = models.CharField(max_length=16, db_index=True, help_text="dHash of the main image")
    # The generator's truth for same-item matching (issue 22): offers of one group are the same item. Only tests
    # and bench/same_item.py read it; the portal never sees it (no API answers it).
    same_item_group = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    month_sold = models.PositiveIntegerField()
    weight_grams = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    # A delisted offer (下架) is not served by any API; relisting serves it again (docs/1688-messages.md).
    listed = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["category", "base_price"])]

    def __str__(self):
        return f"{self.offer_id} {self.subject}"


class SandboxUploadedImage(models.Model):
    image_id = models.CharField(max_length=40, unique=True)
    image_hash = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)


class SandboxOrder(models.Model):
    """An order a buyer placed with alibaba.trade.createCrossOrder: one supplier, its options as items.

    The seller's and the offers' details are copied in (1688 keeps an order snapshot), so a rebuilt
    catalog leaves orders readable. Shipping and the logistics trace follow from `paid_at` and
    `shipped_at` as time passes (sandbox/trade.py), without a background job.
    """

    order_id = models.BigIntegerField(unique=True)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="orders")
    app = models.ForeignKey(SandboxApp, null=True, blank=True, on_delete=models.SET_NULL)
    # The buyer app's own order number (createCrossOrder's outOrderId): one order per account and number unless
    # SANDBOX_DEDUPE_OUT_ORDER_ID is off (checked under a lock of the account row, so not a unique index).
    out_order_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=20, default="waitbuyerpay")
    flow = models.CharField(max_length=20, default="general")
    message = models.CharField(max_length=500, blank=True, default="")
    address = models.JSONField(help_text="the resolved ship-to address")
    seller = models.JSONField(help_text="login id, member id, company, province, city of the supplier")
    goods_fen = models.BigIntegerField(help_text="sumProductPayment: the items' amounts, promotions applied")
    discount_fen = models.BigIntegerField(default=0, help_text="the shop promotion taken off the goods")
    freight_fen = models.BigIntegerField()
    total_fen = models.BigIntegerField()
    logistics_bill_no = models.CharField(max_length=32, blank=True, default="")
    close_reason = models.CharField(max_length=32, blank=True, default="")
    # The last LOGISTICS_BUYER_VIEW_TRACE step announced (CONSIGN, ACCEPT, TRANSPORT, DELIVERING, SIGN).
    logistics_told = models.CharField(max_length=12, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"]),
                   models.Index(fields=["account", "out_order_id"], name="sandbox_order_out_order_id")]  # fmt: skip

    def __str__(self):
        return str(self.order_id)


class SandboxOrderItem(models.Model):
    """One option of an order (1688's productItems[] entry), with the prices it was bought at."""

    order = models.ForeignKey(SandboxOrder, on_delete=models.CASCADE, related_name="items")
    sub_item_id = models.BigIntegerField(unique=True)
    offer_id = models.BigIntegerField()
    spec_id = models.CharField(max_length=64, blank=True, default="")
    sku_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=200)
    options = models.JSONField(default=list, help_text="[[name, value], ...]")
    unit = models.CharField(max_length=10)
    image = models.CharField(max_length=200, blank=True, default="")
    quantity = models.PositiveIntegerField()
    price_fen = models.BigIntegerField(help_text="the unit price at the quantity, before the item's promotion")
    unit_price_fen = models.BigIntegerField(help_text="the final unit price")
    amount_fen = models.BigIntegerField(help_text="final unit price × quantity")
    weight_grams = models.PositiveIntegerField()


class SandboxNewtonTask(models.Model):
    """A Newton agent task asking suppliers (batch inquiry): the offers named in its message and who asked."""

    task_id = models.CharField(max_length=40, unique=True)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE)
    message = models.TextField()
    offer_ids = models.JSONField(default=list)
    polls = models.PositiveIntegerField(default=0)  # the first result poll finds the suppliers still answering
    created_at = models.DateTimeField(default=timezone.now)


# --- The message service (docs/1688-messages.md) ---


def first_msg_id() -> int:
    """Where a new subscription's msgIds start: the epoch milliseconds × 1000, so an app subscribed again (or a
    sandbox database rebuilt) never reuses a msgId a listener has stored already."""
    return int(time.time() * 1000) * 1000


class SandboxSubscription(models.Model):
    """An app's message subscription (消息订阅): where messages go and which topics it takes."""

    app = models.OneToOneField(SandboxApp, on_delete=models.CASCADE, related_name="subscription")
    callback_url = models.CharField(max_length=500, blank=True, default="")
    topics = models.JSONField(default=list, blank=True, help_text="message types like ORDER_BUYER_VIEW_ORDER_PAY")
    next_msg_id = models.BigIntegerField(default=first_msg_id, help_text="the msgId the app's next message gets")

    def __str__(self):
        return f"{self.app_id} → {self.callback_url or '(no callback)'}"


class SandboxFollow(models.Model):
    """An account followed an offer through an app (alibaba.product.follow): the app gets its product messages.

    `seen_*` is the offer's state last announced, so the drift tick announces each period once.
    """

    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE, related_name="follows")
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE)
    offer_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    seen_bucket = models.BigIntegerField(default=0)
    seen_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    seen_stock = models.JSONField(default=dict, blank=True, help_text='{skuId or "": stock}')

    class Meta:
        constraints = [models.UniqueConstraint(fields=["app", "account", "offer_id"], name="sandbox_follow_once")]
        indexes = [models.Index(fields=["offer_id"]), models.Index(fields=["seen_bucket"])]


class SandboxMessage(models.Model):
    """One message for one app: its envelope, and how its delivery went.

    pending: not delivered yet (a retry is due at next_attempt_at); delivered: the callback answered 200 (counts
    as confirmed); confirmed: push.message.confirm or the cursor list took it; failed: given up after the last
    retry, or no callback URL; pending and failed messages are in the message lists.
    """

    STATES = [("pending", "pending"), ("delivered", "delivered"), ("confirmed", "confirmed"), ("failed", "failed")]
    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE, related_name="messages")
    msg_id = models.BigIntegerField()
    type = models.CharField(max_length=80)
    user_info = models.CharField(max_length=100, blank=True, default="")
    envelope = models.JSONField()
    born_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=STATES, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["app", "msg_id"], name="sandbox_message_id_per_app")]
        indexes = [models.Index(fields=["state", "next_attempt_at"]), models.Index(fields=["app", "state", "msg_id"])]

    def __str__(self):
        return f"{self.app_id}#{self.msg_id} {self.type}"
