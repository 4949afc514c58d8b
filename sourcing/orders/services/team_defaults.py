"""One default per team (its ship-to address, its rate card): the helpers both keep it with.

Writers lock the team row first, so two admins saving a default at once are put in order and the partial unique
index (one default per team) never trips.
"""

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
