"""A seller edits an offer (admin, console, sandbox_move_price, sandbox_offer): the followers' apps are told.

pre_save keeps what the row held; post_save compares and emits (sandbox/messages.py). Bulk writes (the catalog
generator) send no signals and so no messages.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import messages
from .models import SandboxOffer


@receiver(pre_save, sender=SandboxOffer)
def _remember(sender, instance: SandboxOffer, raw=False, **kwargs):
    instance._before = None
    if raw or instance.pk is None:
        return
    old = SandboxOffer.objects.filter(pk=instance.pk).first()
    if old is not None:
        instance._before = (old.base_price, old.sku_axes, old.listed, messages.stock_levels(old)[1])


@receiver(post_save, sender=SandboxOffer)
def _announce(sender, instance: SandboxOffer, created=False, raw=False, **kwargs):
    before = getattr(instance, "_before", None)
    if raw or created or before is None:
        return
    price, axes, listed, stock = before
    if listed != instance.listed:
        messages.emit_product(instance, [messages.REPOST if instance.listed else messages.EXPIRE])
        return
    types = []
    if axes != instance.sku_axes or price != instance.base_price:
        types.append(messages.MODIFY)
    if price != instance.base_price:
        types.append(messages.PRICE)
    if types:
        messages.emit_product(instance, types, before=stock)
