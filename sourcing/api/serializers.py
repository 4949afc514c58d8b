"""The API's shapes: what each resource answers (…Out) and what a write takes (…In). Outputs are built from the
domains' selectors (prices by catalog.pricing, trust by catalog.selectors.trust), never from raw rows alone."""

from decimal import Decimal

from rest_framework import serializers as s

from sourcing.alerts.models import Alert
from sourcing.catalog.pricing import PriceQuote
from sourcing.catalog.selectors.trust import Trust
from sourcing.lists.models import ListItem

MAX_QUANTITY = 10_000_000
MAX_PRICE = Decimal("1000000")


def money(**kw):
    return s.DecimalField(max_digits=14, decimal_places=2, allow_null=True, **kw)


# --- pieces ---
class UnitOut(s.Serializer):
    zh = s.CharField()
    en = s.CharField()
    per_pack = s.IntegerField(allow_null=True)


class PriceOut(s.Serializer):
    """A price at a quantity for an option, as the product page's calculator and the lists show it."""

    quantity = s.IntegerField()
    option = s.CharField()
    unit_price = money()
    total = money()
    tier_min_quantity = s.IntegerField(allow_null=True)
    below_moq = s.BooleanField()
    is_from = s.BooleanField()
    message = s.CharField()
    unit = UnitOut()

    @staticmethod
    def of(quote: PriceQuote) -> dict:
        return {"quantity": quote.quantity, "option": quote.option, "unit_price": quote.unit_price,
                "total": quote.total, "tier_min_quantity": quote.tier_min_quantity, "below_moq": quote.below_moq,
                "is_from": quote.is_from, "message": str(quote.message),
                "unit": {"zh": quote.unit.zh, "en": quote.unit.en, "per_pack": quote.unit.per_pack}}  # fmt: skip


class TrustOut(s.Serializer):
    """The supplier's trust signals as the pages show them; null or [] where 1688 hasn't said yet."""

    known = s.BooleanField()
    years = s.IntegerField(allow_null=True)
    badges = s.ListField(child=s.CharField())
    is_factory = s.BooleanField(allow_null=True)
    service_score = s.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    repurchase_rate = s.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    medal_level = s.IntegerField(allow_null=True)
    trade_score = s.DecimalField(max_digits=3, decimal_places=1, allow_null=True)

    @staticmethod
    def of(trust: Trust) -> dict:
        return {"known": trust.known, "years": trust.years, "badges": list(trust.badges),
                "is_factory": trust.is_factory, "service_score": trust.service_score,
                "repurchase_rate": trust.repurchase_rate, "medal_level": trust.medal_level,
                "trade_score": trust.trade_score}  # fmt: skip


class TierOut(s.Serializer):
    min_quantity = s.IntegerField()
    price = money()


class OptionOut(s.Serializer):
    id = s.IntegerField(help_text="The option's id in the portal: send it as `option`.")
    sku_id = s.CharField()
    label = s.CharField()
    price = money()
    stock = s.IntegerField(allow_null=True)
    image_url = s.CharField()


class SupplierRef(s.Serializer):
    id = s.IntegerField()
    company_name = s.CharField()


class CategoryRef(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    name_en = s.CharField()


class ProductSummaryOut(s.Serializer):
    offer_id = s.IntegerField()
    title = s.CharField()
    title_en = s.CharField()
    status = s.CharField()
    price_min = money()
    price_max = money()
    moq = s.IntegerField(allow_null=True)
    unit = s.CharField()
    image_url = s.CharField()
    province = s.CharField()
    supplier = SupplierRef(allow_null=True)
    seller_years = s.IntegerField(allow_null=True)
    seller_factory = s.BooleanField(allow_null=True)
    month_sold = s.IntegerField(allow_null=True)
    detail_fetched_at = s.DateTimeField(allow_null=True)


class ProductOut(ProductSummaryOut):
    detail_url = s.CharField()
    unit_en = s.CharField()
    stock = s.IntegerField(allow_null=True)
    quote_type = s.IntegerField(allow_null=True)
    ships_within_hours = s.IntegerField(allow_null=True)
    category = CategoryRef(allow_null=True)
    tiers = TierOut(many=True)
    options = OptionOut(many=True)
    price = PriceOut(help_text="Priced at ?quantity= for ?option= (the minimum order and no option by default).")
    trust = TrustOut()
    changed_at = s.DateTimeField(allow_null=True)


class SupplierOut(s.Serializer):
    id = s.IntegerField()
    company_name = s.CharField()
    login_id = s.CharField()
    province = s.CharField()
    city = s.CharField()
    shop_url = s.CharField()
    trust = TrustOut()
    offers_total = s.IntegerField(allow_null=True)
    fetched_at = s.DateTimeField(allow_null=True)


class JobOut(s.Serializer):
    """Work a worker does with 1688 (a search, an offer's detail): poll /api/v1/jobs/{id} until done or failed."""

    id = s.IntegerField()
    kind = s.CharField()
    state = s.CharField(help_text="queued, running, done or failed")
    done = s.IntegerField()
    total = s.IntegerField()
    message = s.CharField()
    error_code = s.CharField()
    created_at = s.DateTimeField()
    finished_at = s.DateTimeField(allow_null=True)


class FetchOut(s.Serializer):
    status = s.ChoiceField(choices=["fresh", "due", "pending", "unavailable"],
                           help_text="due: POST /api/v1/search/fetch asks 1688; pending: a worker is at it")  # fmt: skip
    job = JobOut(allow_null=True)
    notice = s.CharField()


class SearchOut(s.Serializer):
    query = s.CharField()
    results = ProductSummaryOut(many=True)
    next = s.CharField(allow_null=True, help_text="Pass as ?after= for the next page; null on the last.")
    matched = s.IntegerField(allow_null=True)
    problems = s.ListField(child=s.CharField())
    fetch = FetchOut()


# --- lists ---
class UserRef(s.Serializer):
    id = s.IntegerField()
    username = s.CharField()


class ListOut(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    description = s.CharField()
    archived = s.BooleanField()
    items_count = s.IntegerField()
    created_by = UserRef(allow_null=True)
    created_at = s.DateTimeField()
    updated_at = s.DateTimeField()


class ListIn(s.Serializer):
    name = s.CharField(max_length=120)
    description = s.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ListPatch(s.Serializer):
    name = s.CharField(max_length=120, required=False)
    description = s.CharField(max_length=2000, required=False, allow_blank=True)
    archived = s.BooleanField(required=False)


class ItemOut(s.Serializer):
    id = s.IntegerField()
    list = s.IntegerField()
    offer_id = s.IntegerField()
    title = s.CharField()
    option = s.IntegerField(allow_null=True)
    option_label = s.CharField()
    quantity = s.IntegerField(allow_null=True)
    target_price = money()
    note = s.CharField()
    status = s.ChoiceField(choices=ListItem.Status.choices)
    version = s.IntegerField(help_text="Send it back with a PATCH to refuse a change made meanwhile (409).")
    price = PriceOut()
    created_at = s.DateTimeField()
    updated_at = s.DateTimeField()


def _quantity(**kw):
    return s.IntegerField(min_value=1, max_value=MAX_QUANTITY, allow_null=True, **kw)


def _price(**kw):
    return s.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal(0), max_value=MAX_PRICE,
                          allow_null=True, **kw)  # fmt: skip


class ItemIn(s.Serializer):
    offer = s.CharField(max_length=500, help_text="The 1688 offer id, or its link (detail.1688.com/offer/….html).")
    quantity = _quantity(required=False)
    option = s.IntegerField(min_value=1, max_value=2**63 - 1, allow_null=True, required=False,
                            help_text="One of the product's options[].id")  # fmt: skip
    target_price = _price(required=False)
    note = s.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ItemPatch(s.Serializer):
    quantity = _quantity(required=False)
    option = s.IntegerField(min_value=1, max_value=2**63 - 1, allow_null=True, required=False)
    target_price = _price(required=False)
    note = s.CharField(max_length=2000, required=False, allow_blank=True)
    status = s.ChoiceField(choices=ListItem.Status.choices, required=False)
    version = s.IntegerField(min_value=0, max_value=2**31 - 1, required=False)


# --- quotes and orders ---
class QuoteLineOut(s.Serializer):
    id = s.IntegerField()
    item = s.IntegerField(allow_null=True)
    offer_id = s.IntegerField()
    option_label = s.CharField()
    quantity = s.IntegerField()
    listed_unit_price = money()
    unit_price = money()
    amount = money()
    orderable = s.BooleanField()
    reasons = s.ListField(child=s.CharField())
    message = s.CharField()


class QuoteOut(s.Serializer):
    id = s.IntegerField()
    list = s.IntegerField()
    supplier = SupplierRef(allow_null=True)
    supplier_name = s.CharField()
    address_text = s.CharField()
    quoted_at = s.DateTimeField()
    orderable = s.BooleanField()
    message = s.CharField()
    goods = money()
    freight = money()
    discount = money()
    total = money()
    lines = QuoteLineOut(many=True)


class QuoteRunOut(s.Serializer):
    """A request for quotes: 1688's order preview of each supplier's options, asked by a worker."""

    id = s.IntegerField()
    list = s.IntegerField()
    state = s.CharField(help_text="queued, running, done or failed")
    groups_total = s.IntegerField()
    groups_done = s.IntegerField()
    message = s.CharField()
    error_code = s.CharField()
    created_at = s.DateTimeField()
    finished_at = s.DateTimeField(allow_null=True)


class QuoteIn(s.Serializer):
    items = s.ListField(child=s.IntegerField(min_value=1, max_value=2**63 - 1), max_length=500, required=False,
                        help_text="Item ids to quote; the whole list (rejected items left out) when absent")  # fmt: skip
    address = s.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                             help_text="A ship-to address of the team; its default when absent")  # fmt: skip


class OrderLineOut(s.Serializer):
    id = s.IntegerField()
    offer_id = s.IntegerField()
    option_label = s.CharField()
    quantity = s.IntegerField()
    unit_price = money()
    amount = money()


class OrderOut(s.Serializer):
    id = s.IntegerField()
    kind = s.CharField()
    state = s.CharField()
    list = s.IntegerField(allow_null=True)
    quote = s.IntegerField(allow_null=True)
    supplier_name = s.CharField()
    address_text = s.CharField()
    message = s.CharField()
    goods = money()
    freight = money()
    discount = money()
    total = money()
    alibaba_order_id = s.CharField()
    alibaba_status = s.CharField()
    error_message = s.CharField()
    created_at = s.DateTimeField()
    updated_at = s.DateTimeField()
    placed_at = s.DateTimeField(allow_null=True)
    lines = OrderLineOut(many=True)


class OrderIn(s.Serializer):
    list = s.IntegerField(min_value=1, max_value=2**63 - 1)
    quote = s.IntegerField(min_value=1, max_value=2**63 - 1)
    lines = s.ListField(child=s.IntegerField(min_value=1, max_value=2**63 - 1), max_length=500, required=False)
    message = s.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- alerts ---
class AlertOut(s.Serializer):
    id = s.IntegerField()
    kind = s.ChoiceField(choices=Alert.Kind.values)
    offer_id = s.IntegerField()
    option = s.IntegerField(allow_null=True)
    item = s.IntegerField(allow_null=True)
    threshold = money()
    notify_team = s.BooleanField()
    active = s.BooleanField()
    armed = s.BooleanField()
    last_value = s.CharField()
    fired_count = s.IntegerField()
    last_fired_at = s.DateTimeField(allow_null=True)
    created_at = s.DateTimeField()


class AlertIn(s.Serializer):
    offer_id = s.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = s.ChoiceField(choices=[k for k in Alert.Kind.values if k != Alert.Kind.SAME_ITEM_CHEAPER])
    threshold = _price(required=False, help_text="Yuan, for price_below and price_above")
    option = s.IntegerField(min_value=1, max_value=2**63 - 1, allow_null=True, required=False)
    item = s.IntegerField(min_value=1, max_value=2**63 - 1, allow_null=True, required=False)
    notify_team = s.BooleanField(required=False, default=False)


class ErrorBody(s.Serializer):
    code = s.CharField()
    message = s.CharField()
    fields = s.DictField(required=False)


class ErrorOut(s.Serializer):
    error = ErrorBody()
