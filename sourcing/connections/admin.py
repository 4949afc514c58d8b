"""Admin of credentials (write-only secret), permissions, usage, budgets, exhaustion and the call log."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q, Sum
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sourcing.accounts.admin import FitsAPhone, SafeDateFilters, team_ids_of
from sourcing.accounts.models import Membership, Team, User
from sourcing.alibaba.api import PORTAL_API_GROUPS
from sourcing.connections.forms import callback_url_field
from sourcing.connections.models import (
    ApiCallLog,
    ApiPermission,
    ApiPermissionChange,
    ApiUsage,
    AppCredential,
    BudgetUse,
    ConnectionCheck,
    OAuthToken,
    UsageExhaustion,
)
from sourcing.connections.selectors import usage_by_day
from sourcing.connections.services import credentials as credential_services
from sourcing.connections.services.checks import check_start, may_spend_quota
from sourcing.connections.services.gateway import PORTAL_API_IDS
from sourcing.connections.services.permissions import permission_set_status
from sourcing.connections.services.usage import usage_exhaustion, usage_rearm
from sourcing.core.beijing import beijing_today
from sourcing.core.enqueue import enqueue
from sourcing.core.exports import csv_response


def _may_set_status(user, credential) -> bool:
    """As on the credential's page: only its owner (or a superuser) changes its permissions' console states."""
    return user.is_superuser or (credential.owner_id is not None and credential.owner_id == user.pk)


def _may_call_1688(user, credentials) -> bool:
    """As in the portal: calls are spent by the credential's owner, or by buyers and up of the team it serves."""
    return user.is_superuser or all(may_spend_quota(user, credential) for credential in credentials)


# --- 1688 credentials, permissions, usage and the call log ---


def _visible_credentials(user):
    """Superusers see every credential; other staff only those of their own teams."""
    if user.is_superuser:
        return AppCredential.objects.all()
    team_ids = team_ids_of(user)
    return AppCredential.objects.filter(
        Q(owner=user) | Q(owner__memberships__team_id__in=team_ids) | Q(shared_with_team_id__in=team_ids)
    ).distinct()


class CredentialScoped(SafeDateFilters, admin.ModelAdmin):
    """Rows reached through a credential, limited to the credentials the staff user may see."""

    credential_path = "credential"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(**{f"{self.credential_path}__in": _visible_credentials(request.user)})


class ReadOnlyAdmin(CredentialScoped):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _bar(value: int, limit: int) -> str:
    percent = min(100, round(100 * value / limit)) if limit else 0
    level = "full" if percent >= 100 else "warn" if percent >= 80 else ""
    return format_html(
        '<span class="usage"><span class="bar {}" role="img" aria-label="{}%"><span style="width:{}%"></span></span> '
        "{} / {}</span>", level, percent, percent, value, limit,
    )  # fmt: skip


class CredentialAdminForm(forms.ModelForm):
    callback_url = callback_url_field()
    new_app_secret = forms.CharField(
        label="New App Secret", required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Write-only: leave empty to keep the current secret. A worker checks a new secret with 1688 "
                  "before it replaces the old one.",
    )  # fmt: skip
    current_app_secret = forms.CharField(
        label="Current App Secret (to change the owner)", required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Handing a credential to another user needs its current App Secret: the new owner must know it.",
    )  # fmt: skip

    class Meta:
        model = AppCredential
        fields = ["owner", "shared_with_team", "name", "app_key", "account_type", "callback_url", "gateway",
                  "daily_quota", "qps", "status"]  # fmt: skip

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            if not data.get("new_app_secret"):
                self.add_error("new_app_secret", "A new credential needs its App Secret.")
            owner, app_key = data.get("owner"), (data.get("app_key") or "").strip()
            if owner and AppCredential.objects.filter(owner=owner, app_key=app_key).exists():
                self.add_error("app_key", f"{owner} already has a credential for App Key {app_key}.")
        elif "owner" in self.changed_data:
            if not data.get("owner"):
                self.add_error("owner", "A credential keeps an owner; the site default comes from the settings.")
            elif (data.get("current_app_secret") or "").strip() != self.instance.app_secret:
                self.add_error("current_app_secret", "Enter the credential's current App Secret to change its owner.")
        return data


class TokenInline(admin.StackedInline):
    model = OAuthToken
    fields = [
        "resource_owner",
        "member_id",
        "status",
        "access_expires_at",
        "refresh_expires_at",
        "last_refreshed_at",
        "last_error",
    ]
    readonly_fields = fields
    can_delete = True
    extra = 0
    max_num = 0


@admin.register(AppCredential)
class AppCredentialAdmin(FitsAPhone, CredentialScoped):
    credential_path = "pk"
    form = CredentialAdminForm
    inlines = [TokenInline]
    list_display = [
        "name",
        "owner",
        "shared_with_team",
        "app_key",
        "token_status",
        "usage_today",
        "permissions_granted",
        "gateway",
        "status",
    ]
    list_filter = ["gateway", "status", "account_type"]
    search_fields = ["name", "app_key", "owner__username"]
    readonly_fields = ["secret_hint", "usage_chart"]

    def get_fieldsets(self, request, obj=None):
        main = ["owner", "shared_with_team", "name", "app_key", "secret_hint", "new_app_secret", "account_type",
                "callback_url", "gateway", "daily_quota", "qps", "status"]  # fmt: skip
        if obj and request.user.is_superuser:
            main.insert(1, "current_app_secret")
        return [(None, {"fields": main})] + ([("Usage, last 30 days", {"fields": ["usage_chart"]})] if obj else [])

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        gateway = initial.get("gateway") or AppCredential._meta.get_field("gateway").default
        quota, qps = AppCredential.default_limits(gateway)
        return {"daily_quota": quota, "qps": qps, **initial}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("app_key")  # a different app is a different credential
            if not request.user.is_superuser:
                readonly.append("owner")  # handing over is a superuser action
        return readonly

    def has_change_permission(self, request, obj=None):
        # Teammates' credentials are visible to staff, but only their owner (or a superuser) changes them.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or request.user.is_superuser or obj.owner_id == request.user.pk)

    has_delete_permission = has_change_permission

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", "shared_with_team", "token")

    def save_model(self, request, obj, form, change):
        """Every write goes through the credential services: audit rows, permission rows, checked secrets."""
        data = form.cleaned_data
        fields = {name: data[name] for name in credential_services.EDITABLE if name in data}
        if not change:
            created = credential_services.credential_create(
                owner=data.get("owner") or request.user, app_key=data["app_key"], app_secret=data["new_app_secret"],
                user=request.user, **fields,
            )  # fmt: skip
            obj.pk, obj._state.adding = created.pk, False
            if not created.check_queued:
                messages.info(request, _("Saved without a check: asking 1688 about it spends %(owner)s's quota, so "
                                         "only they (or a buyer of the team they share it with) can start one, from "
                                         "the credential's page in the portal.") % {"owner": created.owner})  # fmt: skip
            return
        credential = AppCredential.objects.get(pk=obj.pk)
        if "owner" in form.changed_data and request.user.is_superuser:
            credential_services.credential_set_owner(credential=credential, new_owner=data["owner"], user=request.user,
                                                     secret=data["current_app_secret"])  # fmt: skip
            fields.pop("shared_with_team", None)
        credential_services.credential_update(credential=credential, user=request.user, **fields)
        if data.get("new_app_secret"):
            check_start(credential=credential, user=request.user, kind=ConnectionCheck.Kind.SECRET,
                        new_secret=data["new_app_secret"])  # fmt: skip
            messages.info(request, "A worker is checking the new App Secret with 1688; it replaces the old one only "
                                   "if 1688 accepts it. The credential page shows the result.")  # fmt: skip

    def delete_model(self, request, obj):
        credential_services.credential_delete(credential=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for credential in queryset:
            credential_services.credential_delete(credential=credential, user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Staff who are not superusers may only give credentials to their teams and teammates.
        if not request.user.is_superuser:
            team_ids = Membership.objects.filter(user=request.user).values("team_id")
            if db_field.name == "owner":
                kwargs["queryset"] = User.objects.filter(memberships__team_id__in=team_ids).distinct()
            elif db_field.name == "shared_with_team":
                kwargs["queryset"] = Team.objects.filter(pk__in=team_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Current App Secret")
    def secret_hint(self, obj):
        return obj.secret_hint

    @admin.display(description="1688 account")
    def token_status(self, obj):
        token = getattr(obj, "token", None)
        return f"{token.resource_owner} · {token.get_effective_status_display()}" if token else "not connected"

    @admin.display(description="Busiest API today")
    def usage_today(self, obj):
        busiest = ApiUsage.objects.filter(app=obj.app_identity, day=beijing_today()).order_by("-calls").first()
        bar = _bar(busiest.calls if busiest else 0, obj.daily_quota)
        exhausted = usage_exhaustion(obj)
        if exhausted is None:
            return bar
        return format_html('{}<br><strong style="color:#b42318">{}</strong>', bar, _exhausted_words(exhausted))

    @admin.display(description="Permissions granted")
    def permissions_granted(self, obj):
        permissions = [p for p in obj.permissions.all() if p.api in PORTAL_API_IDS]
        granted = sum(1 for p in permissions if p.status == ApiPermission.Status.APPROVED)
        return f"{granted} / {len(permissions)}"

    @admin.display(description="Calls per day")
    def usage_chart(self, obj):
        # Inline styles: the admin must not load the portal's stylesheet (it restyles the whole page).
        # The chart is as wide as the column allows, up to 40rem, so it fits a phone and isn't clipped.
        chart = usage_by_day(obj)
        columns = format_html_join(
            "", '<span title="{}: {}" style="flex:1 1 0;min-width:0;height:{}%;min-height:1px;background:#2457c5;'
            'border-radius:2px 2px 0 0"></span>',
            ((p["day"].isoformat(), p["calls"], p["height"]) for p in chart),
        )  # fmt: skip
        return format_html('<div class="chart" role="img" aria-label="Calls per day" style="display:flex;'
                           'align-items:flex-end;gap:2px;box-sizing:border-box;width:100%;max-width:40rem;'
                           'height:120px;border-bottom:1px solid #ccc">{}</div>'
                           "<p>{} – {} (Beijing days), peak {} calls</p>", columns, chart[0]["day"],
                           chart[-1]["day"], max(p["calls"] for p in chart))  # fmt: skip


CALLS_REFUSED = gettext_noop("Only a credential's owner, or a buyer or above in the team it is shared with, can spend its calls "
                  "at 1688 (viewers can't): nothing was queued.")  # fmt: skip


class PermissionActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(required=False, max_length=300, help_text="reason for the status change")


class ChangeInline(admin.TabularInline):
    model = ApiPermissionChange
    fields = ["changed_at", "field", "old", "new", "reason", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


STATUS_REFUSED = gettext_noop(
    "Only a credential's owner can change the status of its permissions: nothing was changed."
)


def _status_action(status):
    def action(modeladmin, request, queryset):
        permissions = list(queryset.select_related("credential"))
        if not all(_may_set_status(request.user, p.credential) for p in permissions):
            messages.error(request, _(STATUS_REFUSED))  # all or nothing: no half-applied bulk change
            return
        reason = request.POST.get("reason", "")
        with transaction.atomic():
            for permission in permissions:
                permission_set_status(permission=permission, status=status, user=request.user, reason=reason)
        messages.success(request, f"{len(permissions)} permission(s) set to {ApiPermission.Status(status).label}.")

    action.__name__ = f"set_{status}"
    action.short_description = f"Set status: {ApiPermission.Status(status).label}"
    return action


class ApiGroupFilter(admin.SimpleListFilter):
    """The permission list's groups (PORTAL_API_GROUPS): what an API enables."""

    title, parameter_name = "what it enables", "group"

    def lookups(self, request, model_admin):
        from sourcing.connections.views import API_GROUPS

        return list(API_GROUPS.items())

    def queryset(self, request, queryset):
        refs = PORTAL_API_GROUPS.get(self.value() or "")
        return queryset.filter(api__in=[ref.id for ref in refs]) if refs else queryset


@admin.register(ApiPermission)
class ApiPermissionAdmin(FitsAPhone, CredentialScoped):
    action_form = PermissionActionForm
    list_display = ["api", "credential", "status", "observed", "observed_at", "requested_at", "decided_at", "reason"]
    list_filter = [ApiGroupFilter, "status", "observed", "api"]
    search_fields = ["api", "credential__app_key", "credential__name"]
    readonly_fields = ["credential", "api", "observed", "observed_at"]
    fields = ["credential", "api", "status", "observed", "observed_at", "requested_at", "decided_at", "reason",
              "expected_daily_volume", "notes"]  # fmt: skip
    inlines = [ChangeInline]
    actions = [_status_action(s) for s in ("pending", "under_review", "approved", "rejected")] + ["verify_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Staff see their teams' permissions; only the credential's owner changes them, as on its page.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or _may_set_status(request.user, obj.credential))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            permission = self.get_object(request, object_id)
            if permission is not None and not _may_set_status(request.user, permission.credential):
                messages.error(request, _(STATUS_REFUSED))
                return redirect(request.path)  # the page again, read-only
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            new_status = obj.status
            obj.status = form.initial["status"]
            permission_set_status(permission=obj, status=new_status, user=request.user, reason=obj.reason)
        super().save_model(request, obj, form, change)

    @admin.action(description="Verify now (ask 1688 about each API of these credentials)")
    def verify_now(self, request, queryset):
        credential_ids = set(queryset.values_list("credential_id", flat=True))
        if not _may_call_1688(request.user, AppCredential.objects.filter(pk__in=credential_ids)):
            messages.error(request, _(CALLS_REFUSED))
            return
        for credential_id in credential_ids:
            enqueue("permissions_verify", credential_id)
        messages.info(request, f"Verification queued for {len(credential_ids)} credential(s).")


def _exhausted_words(exhaustion: UsageExhaustion) -> str:
    when = exhaustion.resets_at.astimezone(timezone.get_current_timezone())
    return f"No calls left ({exhaustion.code}): calls stop until {when:%Y-%m-%d %H:%M} (midnight Beijing time)"


@admin.register(UsageExhaustion)
class UsageExhaustionAdmin(CredentialScoped):
    """Days on which 1688 said an app had no calls left; today's row stops its calls until the day turns."""

    list_display = ["day", "credential", "code", "api", "at", "resets", "in_force"]
    list_filter = ["code", ("credential", admin.RelatedOnlyFieldListFilter)]
    readonly_fields = ["app", "day", "credential", "api", "code", "message", "at"]
    actions = ["rearm"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Calls resume at")
    def resets(self, obj):
        return obj.resets_at

    @admin.display(description="Stops calls now", boolean=True)
    def in_force(self, obj):
        return obj.day == beijing_today()

    @admin.action(description="Let calls resume now (the API package was renewed on open.1688.com)")
    def rearm(self, request, queryset):
        # Calls that resume are spent at 1688: the owner of the app's credential decides, as for its checks.
        if not request.user.is_superuser and queryset.exclude(credential__owner=request.user).exists():
            messages.error(request, _("Only the credential's owner can let its calls resume: nothing was changed."))
            return
        apps = set(queryset.filter(day=beijing_today()).values_list("app", flat=True))
        resumed = sum(usage_rearm(app=app) for app in apps)
        messages.info(request, f"Calls resume now for {resumed} app(s).")


@admin.register(BudgetUse)
class BudgetUseAdmin(FitsAPhone, ReadOnlyAdmin):
    list_display = ["day", "payer", "app_key", "calls"]
    list_filter = ["day"]
    search_fields = ["payer"]
    date_hierarchy = "day"

    def get_queryset(self, request):
        # Other staff see their own teams' rows and their own.
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        payers = [f"team:{pk}" for pk in team_ids_of(request.user)] + [f"user:{request.user.pk}"]
        return qs.filter(payer__in=payers)

    @admin.display(description="App Key", ordering="app")
    def app_key(self, obj):
        return obj.app.split(":")[0]


@admin.register(ApiUsage)
class ApiUsageAdmin(FitsAPhone, ReadOnlyAdmin):
    list_display = ["day", "credential", "api_name", "calls_against_quota", "errors", "throttled"]
    list_filter = ["day", "api", ("credential", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "day"
    actions = ["export_csv"]

    def get_queryset(self, request):
        # Usage rows belong to an app (key and secret fingerprint), shared by the credentials holding it.
        apps = [c.app_identity for c in _visible_credentials(request.user)]
        return admin.ModelAdmin.get_queryset(self, request).filter(app__in=apps).select_related("credential")

    @admin.display(description="API", ordering="api")
    def api_name(self, obj):
        # "com.alibaba.fenxiao.crossborder:product.search.keywordQuery-1" → its method name; the whole id on hover.
        short = obj.api.split(":", 1)[-1].rsplit("-", 1)[0]
        return format_html('<span title="{}">{}</span>', obj.api, short)

    @admin.display(description="Calls / quota", ordering="calls")
    def calls_against_quota(self, obj):
        return _bar(obj.calls, obj.credential.daily_quota if obj.credential else 0)

    @admin.action(description="Export selected rows as CSV")
    def export_csv(self, request, queryset):
        header = ["day", "app_key", "credential", "api", "calls", "daily_quota", "errors", "throttled"]

        def row(usage):  # the credential that first used the app may have been deleted since
            credential = usage.credential
            app_key = credential.app_key if credential else usage.app.split(":")[0]
            return [usage.day, app_key, credential.name if credential else "", usage.api, usage.calls,
                    credential.daily_quota if credential else "", usage.errors, usage.throttled]  # fmt: skip

        return csv_response("1688-usage.csv", header, map(row, queryset.order_by("day", "app", "api")))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            totals = response.context_data["cl"].queryset.aggregate(calls=Sum("calls"), errors=Sum("errors"))
            response.context_data["title"] = f"API usage · {totals['calls'] or 0} calls, {totals['errors'] or 0} errors"
        return response


@admin.register(ApiCallLog)
class ApiCallLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "credential", "api", "outcome", "error_code", "latency_ms", "message"]
    list_filter = ["outcome", "error_code", "api"]
    search_fields = ["api", "error_code", "credential__app_key"]
    date_hierarchy = "at"
