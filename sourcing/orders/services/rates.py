"""What landed cost is computed with: a team's rate cards and duty rates (owners and admins keep them), a list's
rate card and its items' packing (buyers and up). Every member reads them.

A team has at most one default rate card (a partial unique index); making one the default clears the other in
the same transaction, with the team row locked, and a team's first card becomes its default.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, Team, User
from sourcing.catalog.models import Category
from sourcing.lists.models import ListItem, ProductList
from sourcing.orders.models import DutyRate, ItemPacking, QuoteWatch, RateCard
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from sourcing.orders.services.team_defaults import kept_create, kept_delete, kept_make_default, kept_update, lock_team

CARD_FIELDS = ("forwarder", "mode", "destination", "currency", "price_per_kg", "volumetric_divisor", "min_charge",
               "per_parcel_fee", "transit_days_min", "transit_days_max", "notes")  # fmt: skip


def _manager(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None or not membership.can_manage_members:
        raise BuyingForbidden(_("Only the team's owners and admins can change its rate cards and duty rates."))
    return membership


def _editor(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None or not membership.can_edit:
        raise BuyingForbidden(_("Viewers can read the landed cost but not change how it is computed."))
    return membership


# --- rate cards ---
def rate_card_create(*, actor: User, team: Team, is_default: bool = False, **values) -> RateCard:
    _manager(actor, team.pk)
    too_many = BuyingError(_("A team keeps at most %(n)d rate cards: delete one you no longer use first.")
                           % {"n": settings.RATE_CARDS_MAX})  # fmt: skip
    return kept_create(RateCard, team=team, actor=actor, values={k: values[k] for k in CARD_FIELDS},
                       is_default=is_default, limit=settings.RATE_CARDS_MAX, too_many=too_many)  # fmt: skip


def rate_card_update(*, actor: User, card: RateCard, is_default: bool = False, **values) -> RateCard:
    _manager(actor, card.team_id)
    return kept_update(card, values={k: values[k] for k in CARD_FIELDS}, is_default=is_default)


def rate_card_make_default(*, actor: User, card: RateCard) -> RateCard:
    _manager(actor, card.team_id)
    return kept_make_default(card)


def rate_card_delete(*, actor: User, card: RateCard) -> None:
    """Delete a card; lists that used it fall back to the default, which passes to the oldest other card."""
    _manager(actor, card.team_id)
    kept_delete(card)  # QuoteWatch.rate_card is SET_NULL


# --- duty and VAT ---
def duty_rate_set(*, actor: User, team: Team, product_list: ProductList | None = None,
                  category: Category | None = None, duty_percent: Decimal, vat_percent: Decimal,
                  note: str = "") -> DutyRate:  # fmt: skip
    """The duty and VAT of one list or one category of the team (one rate each: saving again replaces it)."""
    _manager(actor, team.pk)
    if (product_list is None) == (category is None):
        raise BuyingError(_("A duty rate is for one list or one category."))
    if product_list is not None and product_list.team_id != team.pk:
        raise BuyingError(_("Pick one of the team's lists."))
    where = {"product_list": product_list} if product_list is not None else {"category": category}
    with transaction.atomic():
        lock_team(team.pk)
        if category is not None and not DutyRate.objects.filter(team=team, **where).exists():
            if DutyRate.objects.filter(team=team, category__isnull=False).count() >= settings.RATE_CARDS_MAX * 10:
                raise BuyingError(_("A team keeps at most %(n)d category duty rates.")
                                  % {"n": settings.RATE_CARDS_MAX * 10})  # fmt: skip
        rate, _created = DutyRate.objects.update_or_create(
            team=team, **where,
            defaults={"duty_percent": duty_percent, "vat_percent": vat_percent, "note": note, "updated_by": actor,
                      "updated_at": timezone.now()},
        )  # fmt: skip
    return rate


def duty_rate_update(*, actor: User, rate: DutyRate, duty_percent: Decimal, vat_percent: Decimal,
                     note: str = "") -> DutyRate:  # fmt: skip
    _manager(actor, rate.team_id)
    DutyRate.objects.filter(pk=rate.pk).update(duty_percent=duty_percent, vat_percent=vat_percent, note=note,
                                               updated_by=actor, updated_at=timezone.now())  # fmt: skip
    rate.duty_percent, rate.vat_percent, rate.note = duty_percent, vat_percent, note
    return rate


def duty_rate_delete(*, actor: User, rate: DutyRate) -> None:
    _manager(actor, rate.team_id)
    DutyRate.objects.filter(pk=rate.pk).delete()


# --- a list's rate card and its items' packing (buyers and up) ---
def list_rate_card_set(*, actor: User, product_list: ProductList, card: RateCard | None) -> QuoteWatch:
    """Ship the list by this card (None: the team's default), kept in the list's buying settings."""
    _editor(actor, product_list.team_id)
    if card is not None and card.team_id != product_list.team_id:
        raise BuyingError(_("Pick one of the team's rate cards."))
    watch, _created = QuoteWatch.objects.get_or_create(
        product_list=product_list, defaults={"drift_percent": Decimal(str(settings.QUOTE_DRIFT_PERCENT))}
    )
    QuoteWatch.objects.filter(pk=watch.pk).update(rate_card=card, updated_at=timezone.now())
    watch.rate_card = card
    return watch


def packing_set(*, actor: User, item: ListItem, unit_weight_kg: Decimal | None,
                unit_volume_cm3: Decimal | None) -> ItemPacking | None:  # fmt: skip
    """What one unit weighs and takes up packed, over 1688's weight; both empty forgets the override."""
    _editor(actor, item.product_list.team_id)
    if unit_weight_kg is None and unit_volume_cm3 is None:
        ItemPacking.objects.filter(list_item=item).delete()
        return None
    packing, _created = ItemPacking.objects.update_or_create(
        list_item=item, defaults={"unit_weight_kg": unit_weight_kg, "unit_volume_cm3": unit_volume_cm3,
                                  "updated_by": actor, "updated_at": timezone.now()},
    )  # fmt: skip
    return packing
