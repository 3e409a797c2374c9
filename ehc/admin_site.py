from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class EhcAdminSite(admin.AdminSite):
    site_header = "EHC health advice: administration"
    site_title = "Administration"
    index_title = "Organisations, people, timings and templates"

    def has_permission(self, request):
        # The platform's operators only (issue 13, finding 1): an organisation's administrator is
        # no superuser, and the admin's querysets and choice lists are not scoped by organisation,
        # so letting one in would show every council's people, audit trail, emails and letters.
        user = request.user
        if not (user.is_active and user.is_staff and user.is_superuser):
            return False
        # No admin bypass of two-factor authentication.
        return user.is_verified() or not settings.MFA_REQUIRED


class EhcAdminConfig(AdminConfig):
    default_site = "ehc.admin_site.EhcAdminSite"
