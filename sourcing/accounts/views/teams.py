"""Sign-up, teams, members and invitations (the home page is in catalog.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sourcing.accounts.forms import InvitationForm, RoleForm, SignupForm, TeamForm
from sourcing.accounts.models import Invitation, Membership
from sourcing.accounts.selectors import get_membership_for_user, memberships_of
from sourcing.accounts.services import password_reset, teams
from sourcing.accounts.services.teams import TeamError
from sourcing.core.converters import parse_id
from sourcing.core.http import client_ip, safe_next
from sourcing.core.throttle import Throttled


def signup(request):
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is turned off")
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), default="home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = teams.user_signup(form=form, team_name=form.cleaned_data["team_name"])
        except teams.TeamError as error:
            form.add_error("username", str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.username})
            return redirect(next_url)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "Forgot your password?" page, but throttled and mailed by a worker (accounts/services/password_reset.py):
    the answer is the same, and as quick, whether the address has an account or not."""

    def form_valid(self, form):
        try:
            password_reset.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(self.request))
        except Throttled as locked:
            form.add_error(
                None,
                ngettext(
                    "Too many reset links were asked for: try again in %(minutes)d minute.",
                    "Too many reset links were asked for: try again in %(minutes)d minutes.",
                    locked.minutes,
                )
                % {"minutes": locked.minutes},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return HttpResponseRedirect(self.get_success_url())


@login_required
def team_list(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.team_create(name=form.cleaned_data["name"], owner=request.user)
        except TeamError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Team %(name)s created. Invite your colleagues.") % {"name": team.name})
            return redirect("team_detail", team_id=team.pk)
    status = 400 if form.errors else 200
    return render(request, "sourcing/teams/list.html", {"form": form, "memberships": memberships_of(request.user)},
                  status=status)  # fmt: skip


@login_required
def team_detail(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    team = membership.team
    members = team.memberships.select_related("user").order_by("user__username")
    invitations = team.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "sourcing/teams/detail.html",
        {
            "membership": membership,
            "team": team,
            "members": members,
            "invitations": invitations,
            "invite_form": InvitationForm(),
            "roles": Membership.Role.choices,
        },
    )


def _member_of_team(membership: Membership, member_id) -> Membership:
    # Members are looked up inside the actor's own team only, so ids of other teams 404.
    return get_object_or_404(Membership.objects.select_related("user"), pk=member_id, team_id=membership.team_id)


@login_required
@require_POST
def team_invite(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address and a role."))
        return redirect("team_detail", team_id=team_id)
    try:
        invitation = teams.invitation_create(
            actor=membership, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
        )
    except TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invitation created for %(email)s. We are e-mailing it; you can also share this link: %(url)s")
            % {"email": invitation.email, "url": teams.invitation_url(invitation.token)},
        )
    return redirect("team_detail", team_id=team_id)


@login_required
@require_POST
def member_role(request, team_id, member_id):
    membership = get_membership_for_user(request.user, team_id)
    target = _member_of_team(membership, member_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise TeamError(_("Unknown role."))
        teams.membership_set_role(actor=membership, membership=target, role=form.cleaned_data["role"])
    except TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(user)s is now %(role)s.") % {"user": target.user, "role": target.get_role_display()}
        )
    return redirect("team_detail", team_id=team_id)


@login_required
@require_POST
def member_remove(request, team_id, member_id):
    membership = get_membership_for_user(request.user, team_id)
    target = _member_of_team(membership, member_id)
    try:
        teams.membership_remove(actor=membership, membership=target)
    except TeamError as error:
        messages.error(request, str(error))
        return redirect("team_detail", team_id=team_id)
    if target.pk == membership.pk:
        messages.success(request, _("You left %(team)s.") % {"team": membership.team})
        return redirect("team_list")
    messages.success(request, _("%(user)s was removed from the team.") % {"user": target.user})
    return redirect("team_detail", team_id=team_id)


@login_required
@require_POST
def invitation_revoke(request, team_id, invitation_id):
    membership = get_membership_for_user(request.user, team_id)
    get_object_or_404(Invitation, pk=invitation_id, team_id=membership.team_id)
    try:
        teams.invitation_revoke(actor=membership, invitation_id=invitation_id)
    except TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation withdrawn."))
    return redirect("team_detail", team_id=team_id)


@login_required
@require_POST
def team_switch(request):
    membership = get_membership_for_user(request.user, parse_id(request.POST.get("team")))  # None: 404
    teams.team_switch(user=request.user, membership=membership)
    messages.success(request, _("Now working in %(team)s.") % {"team": membership.team})
    return redirect(safe_next(request, request.POST.get("next"), default="home"))


def invitation_accept(request, token):
    invitation = teams.invitation_find(token)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = teams.invitation_accept(token=token, user=request.user)
        except TeamError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You joined %(team)s.") % {"team": membership.team})
            return redirect("team_detail", team_id=membership.team_id)
    return render(
        request,
        "sourcing/teams/invitation.html",
        {"invitation": invitation, "signup_enabled": settings.SIGNUP_ENABLED},
        status=200 if invitation else 404,
    )
