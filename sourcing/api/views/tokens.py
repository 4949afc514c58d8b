"""The team's API tokens page: every member sees the tokens (name, scopes, who made it, when last used); owners
and admins make and revoke them. A new token is shown once, on the answer to the form, and never again.

The team comes through `get_membership_for_user`, each token through `get_token_for_user` (404 outside the team);
the services' role checks answer 403 with words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sourcing.accounts.selectors import get_membership_for_user
from sourcing.accounts.views.site import refusal
from sourcing.api import services
from sourcing.api.forms import TokenForm
from sourcing.api.selectors import get_token_for_user, team_tokens


def _refused(request, error: services.TokenError, *, back: str):
    return refusal(request, str(error), status=403 if isinstance(error, services.TokenForbidden) else 400, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def token_index(request, team_id):
    membership = get_membership_for_user(request.user, team_id)
    back = reverse("api_tokens", args=[membership.team_id])
    form = TokenForm(request.POST or None)
    status, shown = 200, None
    if request.method == "POST":
        if not membership.can_manage_members:
            return _refused(request, services.TokenForbidden(_("Only the team's owners and admins can make and "
                                                               "revoke API tokens.")), back=back)  # fmt: skip
        if form.is_valid():
            try:
                token, raw = services.token_create(actor=request.user, team=membership.team,
                                                   name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"])  # fmt: skip
            except services.TokenError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                shown = {"token": token, "raw": raw}
                form = TokenForm()
        else:
            status = 400
    context = {"team": membership.team, "membership": membership, "tokens": team_tokens(membership.team_id),
               "form": form, "shown": shown, "docs_url": reverse("api_docs")}  # fmt: skip
    response = render(request, "sourcing/api/tokens.html", context, status=status)
    if shown is not None:
        add_never_cache_headers(response)  # the one page that holds the token: never kept by a browser or proxy
    return response


@login_required
@require_POST
def token_revoke(request, team_id, token_id):
    token = get_token_for_user(request.user, team_id, token_id)
    back = reverse("api_tokens", args=[token.team_id])
    try:
        services.token_revoke(actor=request.user, token=token)
    except services.TokenError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Token “%(name)s” revoked: it is refused from now on.") % {"name": token.name})
    return redirect(back)
