"""Organisations, people, roles, working-day closures and the audit trail.

These live in the project package because every domain app depends on them:
putting them inside `assessments` or `advice` would make the others depend on it.
"""

import datetime
import json

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now as timezone_now
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "la", "Local authority"
    HEALTH_PROVIDER = "provider", "Health provider"
    ICB = "icb", "Integrated care board"


class Organisation(TimeStamped):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=10, choices=OrganisationKind.choices)
    address = models.TextField(blank=True, help_text="Postal address, one line per row (letterheads)")
    telephone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=200, blank=True)
    # An LA sits in one ICB area; the DCO of that ICB sees the LA's cases.
    icb = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_authorities",
        limit_choices_to={"kind": OrganisationKind.ICB},
    )
    # Which providers serve which LA is data, edited by administrators.
    served_las = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="providers",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    # Provider: the SPOC team mailbox that receives requests for health advice.
    spoc_email = models.EmailField(blank=True)
    # Provider: the director who receives escalation 1 letters.
    director_name = models.CharField(max_length=200, blank=True)
    director_title = models.CharField(max_length=200, blank=True)
    director_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("act_for_organisation", "Act for the organisation"),
            ("act_as_spoc", "Act as the provider's single point of contact for health"),
            ("respond_as_dco", "Respond to escalations as the DCO/DMO office"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_la(self):
        return self.kind == OrganisationKind.LOCAL_AUTHORITY

    @property
    def is_provider(self):
        return self.kind == OrganisationKind.HEALTH_PROVIDER

    @property
    def is_icb(self):
        return self.kind == OrganisationKind.ICB

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class Service(models.TextChoices):
    SLT = "slt", "Speech and language therapy"
    OT = "ot", "Occupational therapy"
    PHYSIOTHERAPY = "physio", "Physiotherapy"
    COMMUNITY_PAEDIATRICS = "paeds", "Community paediatrics"
    CAMHS = "camhs", "CAMHS"
    SPECIALIST_NURSING = "nursing", "Specialist nursing"
    PUBLIC_HEALTH_NURSING = "phn", "Public health nursing"
    ORTHOPTICS = "orthoptics", "Orthoptics"
    CONTINUING_CARE = "care", "Continuing care"
    OTHER = "other", "Other health service"


class Team(TimeStamped):
    """A team inside a health provider that writes advice for one service."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="teams",
        limit_choices_to={"kind": OrganisationKind.HEALTH_PROVIDER},
    )
    name = models.CharField(max_length=200)
    service = models.CharField(max_length=20, choices=Service.choices)
    email = models.EmailField(blank=True)
    # Escalation 2: the head of service who answers for this team.
    head_of_service_name = models.CharField(max_length=200, blank=True)
    head_of_service_title = models.CharField(max_length=200, blank=True)
    head_of_service_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="team_unique_name_per_provider")
        ]
        permissions = [
            ("return_advice", "Return advice for the team"),
            ("answer_escalation", "Answer health internal escalations for the team"),
        ]

    def __str__(self):
        return f"{self.name} ({self.provider.short_name or self.provider.name})"


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


ROLES_BY_KIND = {
    OrganisationKind.LOCAL_AUTHORITY: {
        Role.CASE_OFFICER,
        Role.BUSINESS_SUPPORT,
        Role.AD_EDUCATION,
        Role.SEND_MANAGER,
        Role.ADMINISTRATOR,
    },
    OrganisationKind.HEALTH_PROVIDER: {
        Role.SPOC,
        Role.PRACTITIONER,
        Role.HEAD_OF_SERVICE,
        Role.ADMINISTRATOR,
        Role.LETTERS_ONLY,
    },
    OrganisationKind.ICB: {Role.DCO, Role.ADMINISTRATOR},
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


class ClosureDay(models.Model):
    """A day an LA is closed on top of the bank holidays, or a one-off bank holiday."""

    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="closure_days",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "date"], name="closure_day_unique")]

    def __str__(self):
        return f"{self.date:%d %b %Y}: {self.reason}"


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
    case = models.ForeignKey(
        "assessments.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    summary = models.CharField(max_length=500)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="audit_case_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.summary}"


class MessageKind(models.TextChoices):
    ADVICE_REQUESTED = "advice_requested", "Request for health advice"
    ACKNOWLEDGED = "acknowledged", "Acknowledgement receipt"
    ADVICE_RETURNED = "advice_returned", "Advice returned"
    CHASE = "chase", "Chase"
    ESCALATION_1 = "escalation_1", "Escalation 1 letter"
    ESCALATION_1_OVERDUE = "escalation_1_overdue", "Escalation 1 response overdue"
    ESCALATION_2 = "escalation_2", "Escalation 2 notice"
    HEAD_OF_SERVICE_OVERDUE = "head_of_service_overdue", "Head of service response overdue"
    DIGEST = "digest", "Weekly chase digest"
    DRAFT_SHARED = "draft_shared", "Draft plan shared with health"
    # Answers that go back to the LA (ehc.notifications): each an email and in-app notifications.
    ESCALATION_1_RESPONSE = "escalation_1_response", "DCO response to escalation 1"
    ESCALATION_2_RESOLVED = "escalation_2_resolved", "Resolved by the DCO before escalation 2"
    HEAD_OF_SERVICE_OUTCOME = "head_of_service_outcome", "Head of service outcome"
    ADVICE_RETURNED_LATE = "advice_returned_late", "Advice answered after a chase or escalation"
    PROMISE_PASSED = "promise_passed", "Promised date passed"
    DIGEST_LA = "digest_la", "Weekly overdue list for business support"
    # Letters (docs/decisions/0016-letters.md).
    LETTER_APPROVAL_OVERDUE = "letter_approval_overdue", "Letter not approved within a working day"
    LETTERS_ACCOUNT = "letters_account", "Letters-only account: set your password"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, retrying"
    CANCELLED = "cancelled", "Cancelled"


class SnapshotEncoder(json.JSONEncoder):
    """Dates and datetimes tagged, so that an email's context comes back with the types its templates
    were written for (`|date` needs a date, not a string)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return {"$datetime": o.isoformat()}
        if isinstance(o, datetime.date):
            return {"$date": o.isoformat()}
        return super().default(o)


def _snapshot_value(obj):
    if len(obj) == 1:
        if "$date" in obj:
            return datetime.date.fromisoformat(obj["$date"])
        if "$datetime" in obj:
            return datetime.datetime.fromisoformat(obj["$datetime"])
    return obj


class SnapshotDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        kwargs["object_hook"] = _snapshot_value
        super().__init__(*args, **kwargs)


class OutboundEmail(TimeStamped):
    """Every email is a row first. `dedupe_key` makes a second one for the same event impossible;
    sending happens after commit (ehc.outbox) and marks the row sent.

    A row is either rendered when queued (subject and bodies set) or holds its template and a snapshot
    of the template's context, rendered when first sent and then stored, so what was sent stays fixed
    (the sweep's batches: rendering thousands of emails has no place inside its transaction).
    """

    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    case = models.ForeignKey(
        "assessments.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    advice_request = models.ForeignKey(
        "advice.AdviceRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    to = ArrayField(models.EmailField(), default=list)
    cc = ArrayField(models.EmailField(), default=list, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # templates/emails/<template>/ and the values it is rendered with, taken when queued. The database
    # default serves writers that insert rows in SQL.
    template = models.CharField(max_length=50, blank=True, default="", db_default="")
    context = models.JSONField(null=True, blank=True, encoder=SnapshotEncoder, decoder=SnapshotDecoder)
    letter = models.ForeignKey("escalation.Letter", null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # ehc.outbox.outbox_send_due: the retry sweep reads only unsent rows by next attempt.
            models.Index(
                fields=["next_attempt_at"],
                name="email_unsent_next_attempt",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_failing(self):
        return self.status == MessageStatus.FAILED and self.attempts >= 3


def today_london():
    from django.utils import timezone

    return timezone.localdate()


def days_between(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


def default_secure_email_domains():
    return ["nhs.net"]


def domain_of(address) -> str:
    """The domain of an email address, lower case; "" for anything that is not an address."""
    _, at, domain = (address or "").strip().rpartition("@")
    return domain.lower().rstrip(".") if at else ""


def normalised_domains(domains) -> list[str]:
    """Lower case, without a leading "@" or dot, each once, in the order given."""
    cleaned = [(domain or "").strip().lower().lstrip("@.").rstrip(".") for domain in domains or []]
    return list(dict.fromkeys(domain for domain in cleaned if domain))


class LocalAuthoritySettings(TimeStamped):
    """Per-LA timings, recipients and letterhead. Defaults are Torbay's process (DOMAIN.md)."""

    local_authority = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="la_settings",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    advice_period_days = models.PositiveSmallIntegerField(
        default=42, help_text="Calendar days from notifying the SPOC to advice due"
    )
    chase_after_due_working_days = models.PositiveSmallIntegerField(
        default=1,
        help_text="Chase on this many working days after the due date (1: the first working day after)",
    )
    escalation_1_after_due_days = models.PositiveSmallIntegerField(
        default=14, help_text="Escalation 1 on the first working day on or after due date + this many days"
    )
    escalation_1_response_working_days = models.PositiveSmallIntegerField(default=3)
    escalation_2_after_escalation_1_days = models.PositiveSmallIntegerField(default=14)
    head_of_service_response_working_days = models.PositiveSmallIntegerField(default=10)
    digest_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    digest_time = models.TimeField(default=datetime.time(9, 0))
    # Compare-and-set by the sweep so the digest goes once a week whatever runs how often.
    next_digest_at = models.DateTimeField(null=True, blank=True)

    ad_education_name = models.CharField("AD Education name", max_length=200, blank=True)
    ad_education_title = models.CharField(
        "AD Education title", max_length=200, default="Assistant Director of Education"
    )
    ad_education_email = models.EmailField("AD Education email", blank=True)
    business_support_email = models.EmailField(blank=True)
    dco_office_email = models.EmailField("DCO/DMO office email", blank=True)
    letter_footer = models.CharField(max_length=300, blank=True)

    # Letters name the child: attached only to an email whose every address is on a secure domain,
    # everyone else gets a link to the letter behind the sign-in (docs/decisions/0016-letters.md).
    secure_email_domains = ArrayField(
        models.CharField(max_length=253),
        default=default_secure_email_domains,
        blank=True,
        help_text="Domains an escalation letter may be attached for, comma separated (e.g. nhs.net). "
        "Exact domains: a subdomain is not covered by its parent",
    )
    own_domain_is_secure = models.BooleanField(
        "The LA's own domain is secure",
        default=True,
        help_text="Also attach letters for the domains of the business support mailbox and the AD Education's "
        "address",
    )
    letters_need_ad_approval = models.BooleanField(
        "Letters need the AD Education's approval",
        default=False,
        help_text="An escalation letter waits in the AD Education's queue until approved; it is dated the day "
        "it is sent",
    )

    # Need to know (issue 13; docs/decisions/0014-need-to-know-in-a-council.md): when set, a case
    # officer sees only the cases assigned to them, unassigned ones and those shared with them;
    # business support, the AD Education and SEND managers still see every case of the LA.
    case_access_restricted_to_team = models.BooleanField(
        "Case officers see only their own cases",
        default=False,
        help_text="Case officers see the cases assigned to them, unassigned cases and cases shared with them",
    )
    # Organisations a case may be shared with besides those party to it (issue 13, finding 3).
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partner_of_settings",
        help_text="Organisations a case officer may share a case with, besides those party to the case",
    )

    class Meta:
        verbose_name = "local authority settings"
        verbose_name_plural = "local authority settings"

    def __str__(self):
        return f"Settings for {self.local_authority}"

    @classmethod
    def for_la(cls, la):
        settings_row, _ = cls.objects.get_or_create(local_authority=la)
        return settings_row

    def clean(self):
        super().clean()
        self.secure_email_domains = normalised_domains(self.secure_email_domains)

    def secure_domains(self) -> set[str]:
        """The domains a letter may be attached for: the list, and the LA's own where it counts."""
        domains = set(normalised_domains(self.secure_email_domains))
        if self.own_domain_is_secure:
            domains |= {domain_of(address) for address in (self.business_support_email, self.ad_education_email)}
        return domains - {""}

    def is_secure_address(self, address) -> bool:
        return domain_of(address) in self.secure_domains()


class Notification(models.Model):
    """One row per (event, recipient): an in-app notification for a recipient with a user account, the
    email's address for a recipient with one (a mailbox without an account has a row with no user).
    The event's email is the outbox row whose dedupe key is `event`, sent once to every address of
    its rows; the partial unique constraints make a second row for the same recipient impossible."""

    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    event = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    address = models.EmailField(blank=True)
    case = models.ForeignKey("assessments.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=50, blank=True)
    # Where the notification leads: a path inside the service (the case, mostly).
    path = models.CharField(max_length=300)
    headline = models.CharField(max_length=300)
    # Shown in the service only, never in the email.
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone_now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Newest first; ids, not times, so that a page of notifications is a keyset range on the index.
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="notification_once_per_user", condition=models.Q(user__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["event", "address"], name="notification_once_per_address", condition=~models.Q(address="")
            ),
        ]
        indexes = [
            # The user's notifications page, newest first (ehc.views_notifications).
            models.Index(
                fields=["user", "-id"], name="notification_user_newest",
                condition=models.Q(user__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reference}"

    @property
    def is_unread(self):
        return self.read_at is None
