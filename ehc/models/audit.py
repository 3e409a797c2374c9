"""The append-only audit trail."""

from django.conf import settings
from django.db import models

from .organisations import Organisation


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    SEND = "send", "Sent"
    STAGE = "stage", "Stage changed"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    DENIED = "denied", "Access denied"
    NOT_FOUND = "not_found", "Asked for a missing record"
    MFA = "mfa", "Two-factor authentication"


class AuditEvent(models.Model):
    """Append-only: the database refuses UPDATE and DELETE on this table (migration 0002)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    # The case the event concerns, if any: the case page lists these.
    case = models.ForeignKey("assessments.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    summary = models.CharField(max_length=500)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # A change to an organisation's settings or people (its settings history page lists these):
    # whose settings, and {"field label": [before, after]} as shown to a person.
    settings_of = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "-at"], name="audit_case_at"),
            models.Index(
                fields=["settings_of", "-at"], name="audit_settings_at", condition=models.Q(settings_of__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.summary}"
