"""Teams, memberships, roles and invitations."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Invitation, Membership, Team, User, new_invitation_token, token_digest
from sourcing.core.enqueue import enqueue

Role = Membership.Role


class TeamError(Exception):
    """A team change that was refused; the message is shown to the user as it is."""


def user_signup(*, form, team_name: str = "") -> User:
    """Create a user from a valid sign-up form, with their first team when they named one: all or nothing."""
    try:
        with transaction.atomic():
            user = form.save()
            if team_name.strip():
                team_create(name=team_name, owner=user)
    except IntegrityError:  # the same user name signed up at once (the form checked before either was saved)
        if User.objects.filter(username__iexact=form.cleaned_data.get("username", "")).exists():
            raise TeamError(_("A user with that username already exists.")) from None
        raise
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the interface language a user reads, for what workers write to them later."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def _room_for_a_team(user: User) -> None:
    """Inside a transaction: lock the user's row, then refuse a team past TEAMS_PER_USER_MAX."""
    list(User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True))
    limit = settings.TEAMS_PER_USER_MAX
    if Membership.objects.filter(user_id=user.pk).count() >= limit:
        raise TeamError(_("You are in %(max)s teams, the most one person can be in. Leave a team before creating "
                          "or joining another.") % {"max": limit})  # fmt: skip


def team_create(*, name: str, owner: User) -> Team:
    """Create a team with `owner` as its first owner and make it their current team."""
    with transaction.atomic():
        _room_for_a_team(owner)
        team = Team.objects.create(name=name.strip())
        Membership.objects.create(user=owner, team=team, role=Role.OWNER)
        User.objects.filter(pk=owner.pk).update(current_team=team)
    owner.current_team = team
    return team


def _lock_owners(team_id: int) -> list[Membership]:
    # Lock the owner rows so two concurrent demotions cannot both see "another owner remains".
    return list(Membership.objects.select_for_update().filter(team_id=team_id, role=Role.OWNER))


def _require_manager(actor: Membership) -> None:
    if not actor.can_manage_members:
        raise TeamError(_("Only the team's owners and admins can manage members."))


def membership_set_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    """Change a member's role; owners alone grant or take away ownership."""
    if role not in Role.values:
        raise TeamError(_("Unknown role."))
    _require_manager(actor)
    if Role.OWNER in (role, membership.role) and actor.role != Role.OWNER:
        raise TeamError(_("Only an owner can grant or take away the owner role."))
    with transaction.atomic():
        owners = _lock_owners(membership.team_id)
        membership.refresh_from_db()
        if membership.role == Role.OWNER and role != Role.OWNER and len(owners) <= 1:
            raise TeamError(_("A team needs at least one owner: make someone else owner first."))
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """Remove a member (or let a member leave); the last owner can do neither."""
    leaving = actor.pk == membership.pk
    if not leaving:
        _require_manager(actor)
        if membership.role == Role.OWNER and actor.role != Role.OWNER:
            raise TeamError(_("Only an owner can remove another owner."))
    with transaction.atomic():
        owners = _lock_owners(membership.team_id)
        if membership.role == Role.OWNER and len(owners) <= 1:
            raise TeamError(_("The last owner cannot leave: make someone else owner first."))
        user = membership.user
        membership.delete()  # its owner's credentials stop being shared with the team (connections hears it)
        if user.current_team_id == membership.team_id:
            other = Membership.objects.filter(user=user).order_by("created_at").first()
            User.objects.filter(pk=user.pk).update(current_team=other.team if other else None)


def invitation_create(*, actor: Membership, email: str, role: str) -> Invitation:
    """Create an invitation link for `email` and have a worker e-mail it."""
    _require_manager(actor)
    if role not in Role.values:
        raise TeamError(_("Unknown role."))
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise TeamError(_("Only an owner can invite another owner."))
    email = email.strip().lower()
    if Membership.objects.filter(team_id=actor.team_id, user__email__iexact=email).exists():
        raise TeamError(_("%(email)s is already a member of this team.") % {"email": email})
    token = new_invitation_token()
    invitation = Invitation(
        team_id=actor.team_id,
        email=email,
        role=role,
        invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        token_digest=token_digest(token),
    )
    invitation.token_for_mail = token
    invitation.save()
    invitation.token = token  # for the inviter's page, this once; the table keeps only the digest
    enqueue("invitation_send", invitation.pk)
    return invitation


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}/invite/{token}/"


def invitation_find(token: str) -> Invitation | None:
    return Invitation.objects.select_related("team", "invited_by").filter(token_digest=token_digest(token)).first()


def invitation_revoke(*, actor: Membership, invitation_id) -> None:
    """Withdraw an open invitation of the actor's team."""
    _require_manager(actor)
    deleted, _rows = Invitation.objects.filter(
        pk=invitation_id, team_id=actor.team_id, accepted_at__isnull=True
    ).delete()
    if not deleted:
        raise TeamError(_("That invitation was already used or withdrawn."))


def invitation_send(*, invitation_id: int) -> bool:
    """E-mail an open invitation once: claim it first, so two deliveries of the task can't both send."""
    now = timezone.now()
    claimed = Invitation.objects.filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True,
                                        expires_at__gt=now).update(sent_at=now)  # fmt: skip
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("team", "invited_by").get(pk=invitation_id)
    try:
        _mail_invitation(invitation)
    except Exception:
        # Not sent after all: give the claim back so the task's retry can send it.
        Invitation.objects.filter(pk=invitation_id, sent_at=now).update(sent_at=None)
        raise
    # The link is in the mail now: keep only its digest.
    Invitation.objects.filter(pk=invitation_id).update(token_for_mail_encrypted="")
    return True


def _mail_invitation(invitation: Invitation) -> None:
    inviter = invitation.invited_by.username if invitation.invited_by else _("A teammate")
    send_mail(
        subject=_("%(inviter)s invited you to %(team)s on the Sourcing Portal")
        % {"inviter": inviter, "team": invitation.team.name},
        message=_(
            "%(inviter)s invited you to join the team %(team)s as %(role)s.\n\n"
            "Accept the invitation here (valid until %(expires)s):\n%(url)s\n"
        )
        % {
            "inviter": inviter,
            "team": invitation.team.name,
            "role": invitation.get_role_display(),
            "expires": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
            "url": invitation_url(invitation.token_for_mail),
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's team; each invitation works once."""
    with transaction.atomic():
        invitation = Invitation.objects.select_related("team").filter(token_digest=token_digest(token)).first()
        if invitation is None:
            raise TeamError(_("This invitation link is not valid. Ask your teammate for a new one."))
        if Membership.objects.filter(team=invitation.team, user=user).exists():
            raise TeamError(_("You are already a member of %(team)s.") % {"team": invitation.team.name})
        _room_for_a_team(user)
        # The UPDATE decides: two people racing on one link cannot both get in.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise TeamError(_("This invitation was already used or has expired. Ask for a new one."))
        try:
            with transaction.atomic():  # a savepoint: a second invitation to the same team accepted at once
                membership = Membership.objects.create(user=user, team=invitation.team, role=invitation.role)
        except IntegrityError:
            raise TeamError(_("You are already a member of %(team)s.") % {"team": invitation.team.name}) from None
        User.objects.filter(pk=user.pk).update(current_team=invitation.team)
    user.current_team = invitation.team
    return membership


def team_switch(*, user: User, membership: Membership) -> None:
    """Make the membership's team the user's current team."""
    User.objects.filter(pk=user.pk).update(current_team_id=membership.team_id)
    user.current_team_id = membership.team_id


def invitations_purge_expired() -> int:
    """Delete invitations that expired unused more than a week ago."""
    cutoff = timezone.now() - timedelta(days=7)
    deleted, _rows = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
