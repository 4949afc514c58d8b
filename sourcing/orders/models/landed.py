"""What goods cost delivered: forwarders' rate cards, duty and VAT rates, packing, and 1688's freight estimates
(issue 21 item 4, docs/buying.md "Landed cost")."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.lists.models import ListItem, ProductList
from sourcing.orders.models.quotes import ShipAddress


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
