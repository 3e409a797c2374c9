"""Users, their roles, and the per-organisation and per-team permission tables guardian writes to."""

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .organisations import Organisation, OrganisationKind, Team


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", "SEND case officer"
    BUSINESS_SUPPORT = "business_support", "SEND business support"
    AD_EDUCATION = "ad_education", "Assistant Director of Education"
    SEND_MANAGER = "send_manager", "SEND manager"
    SPOC = "spoc", "Health single point of contact"
    PRACTITIONER = "practitioner", "Health practitioner"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    DCO = "dco", "Designated Clinical/Medical Officer"
    ADMINISTRATOR = "administrator", "Administrator"
    # A provider director given an account to read the letters addressed to them, and nothing else
    # (escalation.recipients; docs/decisions/0016-letters.md).
    LETTERS_ONLY = "letters_only", "Letters only (letters addressed to them)"
    # An ICB's or an LA's commissioner (the SEND board): the commissioning report and its anonymised
    # rows, and nothing else (reports.views_commissioning; docs/decisions on commissioning).
    COMMISSIONER = "commissioner", "Commissioner (commissioning report only)"


ROLES_BY_KIND = {
    OrganisationKind.LOCAL_AUTHORITY: {
        Role.CASE_OFFICER,
        Role.BUSINESS_SUPPORT,
        Role.AD_EDUCATION,
        Role.SEND_MANAGER,
        Role.ADMINISTRATOR,
        Role.COMMISSIONER,
    },
    OrganisationKind.HEALTH_PROVIDER: {
        Role.SPOC,
        Role.PRACTITIONER,
        Role.HEAD_OF_SERVICE,
        Role.ADMINISTRATOR,
        Role.LETTERS_ONLY,
    },
    OrganisationKind.ICB: {Role.DCO, Role.ADMINISTRATOR, Role.COMMISSIONER},
}


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # Practitioners and heads of service work for one or more teams of their provider.
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    roles = ArrayField(models.CharField(max_length=30, choices=Role.choices), default=list, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    # The header's count of unread notifications, kept on the row every page loads already (no query):
    # raised by the rows inserted (ehc.notifications), recounted whenever the user reads some.
    unread_notifications = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.username

    def has_role(self, *roles):
        return any(role in self.roles for role in roles)

    @property
    def is_case_officer(self):
        return self.has_role(Role.CASE_OFFICER)

    @property
    def is_la_user(self):
        return self.organisation_id is not None and self.organisation.is_la

    @property
    def is_provider_user(self):
        return self.organisation_id is not None and self.organisation.is_provider

    @property
    def is_icb_user(self):
        return self.organisation_id is not None and self.organisation.is_icb

    @property
    def role_labels(self):
        return [Role(role).label for role in self.roles if role in Role.values]


# Direct foreign-key permission tables: guardian's generic tables cannot be joined
# cheaply, these can (docs/decisions/0003-access-model.md).
class OrganisationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class TeamUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Team, on_delete=models.CASCADE)


class TeamGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Team, on_delete=models.CASCADE)
