"""Admin of users, teams, members and invitations; the admin mixins every domain uses; axes' pages scoped to a
staff user's teams."""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q

from sourcing.accounts.models import Invitation, Membership, Team, User


def team_ids_of(user):
    return Membership.objects.filter(user=user).values("team_id")


class SuperuserWrites:
    """Staff who are not superusers may look at their own teams' rows here, and change nothing.

    Teams, members and invitations are managed on the portal's team pages, whose services enforce the
    roles (only owners grant ownership, a team keeps an owner); the admin must not be a way around them.
    """

    def has_add_permission(self, request, *obj):
        # a ModelAdmin is asked (request), an inline (request, obj) where obj is None on an add page: pass on as given
        return request.user.is_superuser and super().has_add_permission(request, *obj)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class FitsAPhone:
    """Admin pages with a tabular inline, long object names or usage bars: static/css/admin.css fits them to a phone
    and draws the bars (the admin does not load the portal's stylesheet)."""

    class Media:
        css = {"all": ["css/admin.css"]}


# The changelists need the width: at 1280 px the app list beside them left the usage, errors and status
# columns of the credential and usage lists off screen. The admin's home page still lists every model.
admin.site.enable_nav_sidebar = False


class MembershipInline(SuperuserWrites, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class PortalUserAdmin(SuperuserWrites, UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Portal", {"fields": ("current_team",)}),)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(Q(pk=request.user.pk) | Q(memberships__team_id__in=team_ids_of(request.user))).distinct()


@admin.register(Team)
class TeamAdmin(FitsAPhone, SuperuserWrites, admin.ModelAdmin):
    list_display = ["name", "daily_budget", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk__in=team_ids_of(request.user))


@admin.register(Invitation)
class InvitationAdmin(SuperuserWrites, admin.ModelAdmin):
    list_display = ["email", "team", "role", "created_at", "expires_at", "sent_at", "accepted_at"]
    list_filter = ["role"]
    exclude = ["token_digest", "token_for_mail_encrypted"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(team_id__in=team_ids_of(request.user))


class SafeDateFilters:
    """Filters from the address that no date can satisfy give a message and the whole list, not a 500."""

    def get_changelist_instance(self, request):
        try:
            try:
                return super().get_changelist_instance(request)
            except (ValueError, OverflowError) as error:
                # Django turns only some bad dates into IncorrectLookupParameters: ?day__year=99999999999
                # overflows datetime(), ?day__year=9999 fails on the year after it.
                raise IncorrectLookupParameters(error) from error
        except IncorrectLookupParameters:
            messages.error(request, "That filter can't be used (dates run from year 1 to 9999, months from 1 to "
                                    "12): showing the whole list.")  # fmt: skip
            raise  # the admin redirects to the list without the filter


class TeamScoped(SafeDateFilters, admin.ModelAdmin):
    """A team's rows, limited to the staff user's own teams; nobody adds or changes them here.

    Team rows are changed on the portal's pages, whose services check the roles and write the history: the admin
    must not be a way around either. Superusers may delete (a clean-up). `team_path` leads from a row to its team.
    """

    team_path = "team"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(**{f"{self.team_path}__in": team_ids_of(request.user)})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class TeamLoginsOnly:
    """axes' rows name the login that was typed (and the address it came from): staff who are not superusers
    see only the rows of their own teams' users, never another team's logins or attempts."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        users = User.objects.filter(Q(pk=request.user.pk) | Q(memberships__team_id__in=team_ids_of(request.user)))
        return qs.filter(username__in=users.values("username"))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("cleanup_expired_attempts", None)  # it cleans every team's rows, not the ones selected
        return actions


# axes' pages (failed logins; delete an attempt to unlock someone) with the same date-filter safety.
# "axes" comes before "sourcing" in INSTALLED_APPS, so its admin module has registered them by now.
for _model in apps.get_app_config("axes").get_models():
    if admin.site.is_registered(_model):
        _original = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        _scope = (TeamLoginsOnly,) if any(f.name == "username" for f in _model._meta.get_fields()) else ()
        admin.site.register(_model, type(_original.__name__, (*_scope, SafeDateFilters, _original), {}))
