from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import DigestRun, DigestSchedule, Escalation, Escalation2Resolution, Letter, StageChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Timer records are written by the sweep only: administrators look, they never edit or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = [
        "request",
        "stage",
        "issued_on",
        "response_due_on",
        "responded_at",
        "response_overdue_notified",
    ]
    list_filter = ["stage", "local_authority", "provider"]
    date_hierarchy = "issued_on"
    list_select_related = ["request__case", "request__provider"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "dated", "rendered_at", "sha256", "download"]
    date_hierarchy = "dated"
    exclude = ["pdf"]

    @admin.display(description="PDF")
    def download(self, obj):
        if not obj.is_rendered:
            return "Not rendered yet"
        return format_html('<a href="{}">Download</a>', reverse("escalation:letter_download", args=[obj.pk]))


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["item", "stage", "on", "at"]
    list_filter = ["stage"]
    date_hierarchy = "on"
    list_select_related = ["item__team", "item__case"]


@admin.register(DigestRun)
class DigestRunAdmin(ReadOnlyAdmin):
    list_display = ["audience", "mailbox", "local_authority", "week_of", "sent_for_date", "item_count"]
    list_filter = ["audience", "local_authority"]
    date_hierarchy = "week_of"


@admin.register(DigestSchedule)
class DigestScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "next_at"]


@admin.register(Escalation2Resolution)
class Escalation2ResolutionAdmin(ReadOnlyAdmin):
    """Recorded by the DCO office through the service (escalation.resolutions), audited there."""

    list_display = ["item", "kind", "agreed_on", "recorded_on", "recorded_by"]
    list_filter = ["kind", "local_authority"]
    date_hierarchy = "recorded_on"
    list_select_related = ["item__team", "item__case", "recorded_by"]
