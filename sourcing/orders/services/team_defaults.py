"""A team's rows with one default (its ship-to addresses, its rate cards): creating, updating, making default and
deleting them, for both.

Writers lock the team row first, so two admins saving a default at once are put in order and the partial unique
index (one default per team) never trips. A team's first row becomes its default; a deleted default passes to
the oldest remaining row. Role checks are the callers'.
"""

from django.db import transaction
from django.utils import timezone

from sourcing.accounts.models import Team


def lock_team(team_id: int) -> None:
    """Lock the team's row until the transaction ends (call inside `transaction.atomic`)."""
    Team.objects.select_for_update().filter(pk=team_id).first()


def default_clear(model, team_id: int, *, keep=None) -> None:
    """No row of `model` is the team's default any more, but `keep` (a pk) if given."""
    rows = model.objects.filter(team_id=team_id, is_default=True)
    (rows.exclude(pk=keep) if keep is not None else rows).update(is_default=False)


def default_pass_on(model, team_id: int) -> None:
    """The default was deleted: the team's oldest remaining row becomes the default."""
    heir = model.objects.filter(team_id=team_id).order_by("created_at", "pk").first()
    if heir:
        model.objects.filter(pk=heir.pk).update(is_default=True)


def kept_create(model, *, team: Team, actor, values: dict, is_default: bool, limit: int, too_many: Exception):
    """A new row of the team (`too_many` raised when it has `limit` already); its first is its default."""
    with transaction.atomic():
        lock_team(team.pk)
        existing = model.objects.filter(team=team)
        if existing.count() >= limit:
            raise too_many
        first = not existing.exists()
        if is_default and not first:
            default_clear(model, team.pk)
        return model.objects.create(team=team, created_by=actor, is_default=is_default or first, **values)


def kept_update(row, *, values: dict, is_default: bool):
    """Save the row's new values; made the default when asked (a default stays one until another is made)."""
    with transaction.atomic():
        lock_team(row.team_id)
        if is_default and not row.is_default:
            default_clear(type(row), row.team_id)
            row.is_default = True
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = timezone.now()
        row.save()
    return row


def kept_make_default(row):
    """The row becomes its team's default."""
    model = type(row)
    with transaction.atomic():
        lock_team(row.team_id)
        default_clear(model, row.team_id, keep=row.pk)
        model.objects.filter(pk=row.pk).update(is_default=True, updated_at=timezone.now())
    row.is_default = True
    return row


def kept_delete(row) -> None:
    """Delete the row; when it was the default, the oldest remaining row becomes the default."""
    model = type(row)
    with transaction.atomic():
        lock_team(row.team_id)
        was_default = model.objects.filter(pk=row.pk, is_default=True).exists()
        model.objects.filter(pk=row.pk).delete()
        if was_default:
            default_pass_on(model, row.team_id)
