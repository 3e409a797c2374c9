from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AuditEvent,
    ClosureDay,
    LocalAuthoritySettings,
    Organisation,
    OutboundEmail,
    SingleSignOn,
    SingleSignOnDomain,
    Team,
    User,
)


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "service", "email", "head_of_service_name", "head_of_service_email", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "icb", "spoc_email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["served_las"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "is_active", "address", "telephone", "website"]}),
        ("Local authority", {"fields": ["icb"]}),
        (
            "Health provider",
            {"fields": ["served_las", "spoc_email", "director_name", "director_title", "director_email"]},
        ),
    ]

    def get_inlines(self, request, obj):
        return [TeamInline] if obj is not None and obj.is_provider else []


class SingleSignOnDomainInline(admin.TabularInline):
    model = SingleSignOnDomain
    extra = 1


@admin.register(SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    """An organisation's identity provider (ehc.sso; README "Single sign-on"). The client secret is
    not a field: only where it is kept (env:NAME or file:/path)."""

    list_display = ["organisation", "issuer", "client_id", "is_enabled"]
    list_filter = ["is_enabled"]
    search_fields = ["organisation__name", "issuer"]
    fields = [
        "organisation",
        "is_enabled",
        "issuer",
        "client_id",
        "client_secret_ref",
        "mfa_amr_values",
        "mfa_acr_values",
    ]
    inlines = [SingleSignOnDomainInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "service", "head_of_service_name", "is_active"]
    list_filter = ["service", "provider", "is_active"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "roles", "is_active"]
    list_filter = ["is_active", "organisation"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Organisation and roles", {"fields": ["organisation", "roles", "teams", "job_title"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Organisation and roles", {"fields": ["first_name", "last_name", "email", "organisation", "roles"]}),
    )

    # Only a superuser reaches the admin (EhcAdminSite.has_permission). Should that ever loosen, an
    # administrator still cannot grant privileges: the fields that confer them are never offered,
    # and the people listed are their own organisation's.
    PRIVILEGE_FIELDS = ("is_superuser", "user_permissions", "groups")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.PRIVILEGE_FIELDS]})
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["exclude"] = [*(kwargs.get("exclude") or ()), *self.PRIVILEGE_FIELDS]
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        return users.filter(organisation_id=request.user.organisation_id, is_superuser=False)


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "local_authority"]
    list_filter = ["local_authority"]
    date_hierarchy = "date"


@admin.register(LocalAuthoritySettings)
class LocalAuthoritySettingsAdmin(SimpleHistoryAdmin):
    list_display = ["local_authority", "advice_period_days", "digest_weekday", "digest_time"]
    readonly_fields = ["next_digest_at"]
    filter_horizontal = ["partners"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be changed or deleted, here or in the database."""

    list_display = ["at", "actor_name", "action", "summary", "case"]
    list_filter = ["action"]
    search_fields = ["actor_name", "summary"]
    list_select_related = ["case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
