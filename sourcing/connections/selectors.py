"""Reads of credentials: which a user may see, which their calls use and why, and usage by day."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, User
from sourcing.accounts.selectors import current_membership
from sourcing.connections.models import ApiUsage, AppCredential
from sourcing.core.beijing import beijing_today
from sourcing.core.request_cache import cached


def site_default_credential() -> AppCredential | None:
    """The site default credential, if the server settings name one (read only)."""
    if not (settings.ALIBABA_APP_KEY and settings.ALIBABA_APP_SECRET):
        return None
    return AppCredential.objects.filter(owner__isnull=True, app_key=settings.ALIBABA_APP_KEY).first()


def credentials_visible_to(user: User):
    """The user's own credentials, and those shared with one of the user's teams by an owner who is in that team."""
    team_ids = Membership.objects.filter(user_id=user.pk).values("team_id")
    owner_in_shared_team = Membership.objects.filter(
        user_id=OuterRef("owner_id"), team_id=OuterRef("shared_with_team_id")
    )
    return (
        AppCredential.objects.select_related("owner", "shared_with_team", "token")
        .filter(Q(owner_id=user.pk) | Q(shared_with_team_id__in=team_ids) & Exists(owner_in_shared_team))
        .order_by("name", "pk")
    )


def credentials_visible_in_team(user: User, team_id: int | None) -> list[AppCredential]:
    """credentials_visible_to narrowed to one team: the user's own, and those shared with that team (when the
    user is in it) by an owner who is in it too. Plain queries, without the subqueries that cost ~1 ms of
    Python on every search and product page; tests/connections/test_credentials.py holds the two to the same answers."""
    mine_or_team = Q(owner_id=user.pk) if team_id is None else Q(owner_id=user.pk) | Q(shared_with_team_id=team_id)
    found = list(AppCredential.objects.select_related("owner", "token").filter(mine_or_team).order_by("name", "pk"))
    sharers = {c.owner_id for c in found if c.owner_id != user.pk}
    if sharers:
        members = set(
            Membership.objects.filter(team_id=team_id, user_id__in=sharers | {user.pk}).values_list(
                "user_id", flat=True
            )
        )
        found = [c for c in found if c.owner_id == user.pk or (user.pk in members and c.owner_id in members)]
    return found


def get_credential_for_user(user: User, pk, *, manage: bool = False):
    """The credential if the user owns it (or, to read, if it is shared with their team); else 404."""
    if not user.is_authenticated or not str(pk).isdigit():
        raise Http404("No such credential")
    credential = credentials_visible_to(user).filter(pk=pk).first()
    if credential is None or (manage and credential.owner_id != user.pk):
        raise Http404("No such credential")
    return credential


def _best(credentials: list[AppCredential]) -> AppCredential:
    """Among candidate credentials, prefer one with a connected 1688 account, then by name."""
    return min(credentials, key=lambda c: (not hasattr(c, "token"), c.name))


def credential_in_use(user: User):
    """Which credential the user's calls use and why: own → shared by a teammate → site default → none."""
    return cached(("credential_in_use", user.pk, user.current_team_id), lambda: _credential_in_use(user))


def _credential_in_use(user: User):
    membership = current_membership(user)
    visible = credentials_visible_in_team(user, membership.team_id if membership else None)
    active = [c for c in visible if c.status == AppCredential.Status.ACTIVE]
    own = [c for c in active if c.owner_id == user.pk]
    if own:
        return _best(own), _("your own credential")
    if membership and active:
        best = _best(active)
        return best, _("shared with %(team)s by %(owner)s") % {
            "team": membership.team.name,
            "owner": best.owner.username,
        }
    default = site_default_credential()
    if default:
        return default, _("the site-wide default (ALIBABA_APP_KEY in the server settings)")
    return None, _("no credential is set up")


def usage_by_day(credential: AppCredential, days: int = 30):
    """Daily totals of the last `days` Beijing days, scaled for an inline bar chart."""
    start = beijing_today() - timedelta(days=days - 1)
    totals = dict(
        ApiUsage.objects.filter(app=credential.app_identity, day__gte=start)
        .values("day")
        .annotate(n=Sum("calls"))
        .values_list("day", "n")
    )
    series = [(start + timedelta(days=i), totals.get(start + timedelta(days=i), 0)) for i in range(days)]
    peak = max([n for _d, n in series] + [1])
    return [{"day": d, "calls": n, "height": round(100 * n / peak)} for d, n in series]
