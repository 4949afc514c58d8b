"""Forms of sign-up, teams, invitations and roles."""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from sourcing.accounts.models import Membership, User


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), required=True)
    team_name = forms.CharField(
        label=_("Team name"),
        max_length=100,
        required=False,
        help_text=_("Optional: a new team you will own. Skip it if you were invited to a team."),
    )

    class Meta:
        model = User
        fields = ("username", "email")


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the team a name."))
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.BUYER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
