"""Ship-to addresses: owners and admins keep them (like the team's other settings); every member reads them.

A team has at most one default address (a partial unique index); making one the default clears the other in
the same transaction, and a team's first address becomes its default.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, Team, User
from sourcing.orders.models import QuoteWatch, ShipAddress
from sourcing.orders.services.team_defaults import kept_create, kept_delete, kept_make_default, kept_update, lock_team

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
    too_many = BuyingError(_("A team keeps at most %(n)d addresses: delete one you no longer use first.")
                           % {"n": settings.SHIP_ADDRESSES_MAX})  # fmt: skip
    return kept_create(ShipAddress, team=team, actor=actor, values={k: values[k] for k in FIELDS},
                       is_default=is_default, limit=settings.SHIP_ADDRESSES_MAX, too_many=too_many)  # fmt: skip


def address_update(*, actor: User, address: ShipAddress, is_default: bool = False, **values) -> ShipAddress:
    require_manager(actor, address.team_id)
    return kept_update(address, values={k: values[k] for k in FIELDS}, is_default=is_default)


def address_make_default(*, actor: User, address: ShipAddress) -> ShipAddress:
    require_manager(actor, address.team_id)
    return kept_make_default(address)


def address_delete(*, actor: User, address: ShipAddress) -> None:
    """Delete an address; quotes keep the text they were made to. The default passes to the oldest other one."""
    require_manager(actor, address.team_id)
    with transaction.atomic():
        lock_team(address.team_id)
        QuoteWatch.objects.filter(address=address).update(address=None)
        kept_delete(address)
