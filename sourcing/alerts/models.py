"""Alerts on offers (per list item or watched product), the notifications they raise, and each
user's e-mail choice (contract: docs/inquiries-alerts.md).

An alert fires once when its condition becomes true (armed → fired) and re-arms when it becomes
false again; both moves are conditional UPDATEs, so two evaluators never fire one crossing twice.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Team, User
from sourcing.catalog.models import Product, Sku
from sourcing.lists.models import ListItem


class Alert(models.Model):
    class Kind(models.TextChoices):
        PRICE_BELOW = "price_below", _("Price drops below")
        PRICE_ABOVE = "price_above", _("Price rises above")
        BACK_IN_STOCK = "back_in_stock", _("Back in stock")
        OUT_OF_STOCK = "out_of_stock", _("Out of stock")
        DELISTED = "delisted", _("Delisted")
        SAME_ITEM_CHEAPER = "same_cheaper", _("The same item is cheaper elsewhere")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alerts")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="alerts")
    list_item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    sku = models.ForeignKey(Sku, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("when"), max_length=16, choices=Kind.choices)
    threshold = models.DecimalField(_("threshold (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    notify_team = models.BooleanField(_("tell the whole team"), default=False)
    active = models.BooleanField(default=True)
    armed = models.BooleanField(default=True)  # False after firing, until the value crosses back
    last_value = models.CharField(max_length=40, blank=True)  # what the last evaluation saw, in words
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    fired_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "active"], name="alert_product_active")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.product_id}"


class Notification(models.Model):
    """One alert firing, for one person: the bell, the notifications page and the e-mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=500)
    path = models.CharField(max_length=200, blank=True)  # where it leads in the portal ("" → the product's page)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail: claimed by one conditional UPDATE (immediate or in a digest), so no mail goes twice.
    mail_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.text


class AlertSettings(models.Model):
    """How a user hears about alerts by e-mail; the portal's bell always shows them."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Right away")
        DAILY = "daily", _("A daily digest")
        OFF = "off", _("No e-mail")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="alert_settings")
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    last_digest_on = models.DateField(null=True, blank=True)  # claimed per day by a conditional UPDATE

    def __str__(self):
        return f"{self.user}: {self.delivery}"
