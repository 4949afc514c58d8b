"""Ship-to addresses: owners and admins keep them (like the team's other settings); every member reads them.

A team has at most one default address (a partial unique index); making one the default clears the other in
the same transaction, and a team's first address becomes its default.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, Team, User
from sourcing.orders.models import QuoteWatch, ShipAddress
from sourcing.orders.services.team_defaults import default_clear, default_pass_on, lock_team

_lock_team = lock_team  # its name here before rate cards shared it (team_defaults): kept for code written against it

FIELDS = ("label", "contact_name", "phone", "province", "city", "district", "street", "post_code")


class BuyingError(Exception):
    """A refused buying change; the message is shown as it is."""


class BuyingForbidden(BuyingError):
    """The actor's role may not do it (the views answer 403)."""


def require_manager(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None:
        raise BuyingForbidden(_("You are not a member of this team."))
    if not membership.can_manage_members:
        raise BuyingForbidden(_("Only the team's owners and admins can change its ship-to addresses."))
    return membership


def address_create(*, actor: User, team: Team, is_default: bool = False, **values) -> ShipAddress:
    require_manager(actor, team.pk)
    with transaction.atomic():
        lock_team(team.pk)
        existing = ShipAddress.objects.filter(team=team)
        if existing.count() >= settings.SHIP_ADDRESSES_MAX:
            raise BuyingError(_("A team keeps at most %(n)d addresses: delete one you no longer use first.")
                              % {"n": settings.SHIP_ADDRESSES_MAX})  # fmt: skip
        first = not existing.exists()
        if is_default and not first:
            default_clear(ShipAddress, team.pk)
        return ShipAddress.objects.create(team=team, created_by=actor, is_default=is_default or first,
                                          **{k: values[k] for k in FIELDS})  # fmt: skip


def address_update(*, actor: User, address: ShipAddress, is_default: bool = False, **values) -> ShipAddress:
    require_manager(actor, address.team_id)
    with transaction.atomic():
        lock_team(address.team_id)
        if is_default and not address.is_default:
            default_clear(ShipAddress, address.team_id)
            address.is_default = True
        for name in FIELDS:
            setattr(address, name, values[name])
        address.updated_at = timezone.now()
        address.save()
    return address


def address_make_default(*, actor: User, address: ShipAddress) -> ShipAddress:
    require_manager(actor, address.team_id)
    with transaction.atomic():
        lock_team(address.team_id)
        default_clear(ShipAddress, address.team_id, keep=address.pk)
        ShipAddress.objects.filter(pk=address.pk).update(is_default=True, updated_at=timezone.now())
    address.is_default = True
    return address


def address_delete(*, actor: User, address: ShipAddress) -> None:
    """Delete an address; quotes keep the text they were made to. The default passes to the oldest other one."""
    require_manager(actor, address.team_id)
    with transaction.atomic():
        lock_team(address.team_id)
        was_default = ShipAddress.objects.filter(pk=address.pk, is_default=True).exists()
        QuoteWatch.objects.filter(address=address).update(address=None)
        ShipAddress.objects.filter(pk=address.pk).delete()
        if was_default:
            default_pass_on(ShipAddress, address.team_id)
