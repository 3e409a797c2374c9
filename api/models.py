"""A machine client of the JSON API: one organisation's other system, acting as that organisation
with the one role it was given (docs/decisions/0029-json-api.md)."""

from django.conf import settings
from django.db import models

from ehc.models import Organisation, OrganisationKind, Role

# The roles a client may be given, per kind of organisation: the case-work roles whose access is the
# organisation's alone. Not an administrator (a client manages nobody), not a letters-only director,
# and not a practitioner or head of service, whose access follows the teams a person works for.
CLIENT_ROLES = {
    OrganisationKind.LOCAL_AUTHORITY: (Role.BUSINESS_SUPPORT, Role.CASE_OFFICER, Role.SEND_MANAGER, Role.AD_EDUCATION),
    OrganisationKind.HEALTH_PROVIDER: (Role.SPOC,),
    OrganisationKind.ICB: (Role.DCO,),
}


class ApiClient(models.Model):
    """The key itself is never kept: only its SHA-256 (the key is 256 random bits, so a fast hash is
    as safe as a slow one) and its first characters, to find the row and to name it on the page."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=30, choices=Role.choices)
    # The account the client's calls are made as: its organisation, no password, no roles of its own
    # (the role above is given to it per call, so it is in no list of people, recipients or officers).
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    key_prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API client"

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None
