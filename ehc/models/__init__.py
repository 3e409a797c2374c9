"""Organisations, people, roles, working-day closures, the audit trail, the outbox and notifications.

These live in the project package because every domain app depends on them: putting them inside
`assessments` or `advice` would make the others depend on it. One module per subject; every name is
re-exported here so `from ehc.models import X` (and the migrations' `ehc.models.SnapshotEncoder`)
keep working.
"""

from .audit import AuditAction, AuditEvent
from .base import TimeStamped, days_between, today_london
from .closures import ClosureDay
from .emails import (
    DELIVERY_FAILURES,
    DeliveryStatus,
    MessageKind,
    MessageStatus,
    OutboundEmail,
    SnapshotDecoder,
    SnapshotEncoder,
)
from .invitations import Invitation
from .la_settings import LocalAuthoritySettings, Weekday, default_secure_email_domains
from .notifications import Notification
from .organisations import Organisation, OrganisationKind, Service, Team
from .people import (
    ROLES_BY_KIND,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
    Role,
    TeamGroupObjectPermission,
    TeamUserObjectPermission,
    User,
)
from .saved_filters import SavedFilter
from .sso import IdentityProviderDevice, SingleSignOn, SingleSignOnDomain

__all__ = [
    "ROLES_BY_KIND",
    "SavedFilter",
    "AuditAction",
    "AuditEvent",
    "ClosureDay",
    "IdentityProviderDevice",
    "Invitation",
    "LocalAuthoritySettings",
    "MessageKind",
    "MessageStatus",
    "DeliveryStatus",
    "DELIVERY_FAILURES",
    "Notification",
    "Organisation",
    "OrganisationGroupObjectPermission",
    "OrganisationKind",
    "OrganisationUserObjectPermission",
    "OutboundEmail",
    "Role",
    "Service",
    "SingleSignOn",
    "SingleSignOnDomain",
    "SnapshotDecoder",
    "SnapshotEncoder",
    "Team",
    "TeamGroupObjectPermission",
    "TeamUserObjectPermission",
    "TimeStamped",
    "User",
    "Weekday",
    "default_secure_email_domains",
    "days_between",
    "today_london",
]
