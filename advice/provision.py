"""Structured provision and outcomes in a team's Appendix C (issue 20): each need's provision as rows
(what, how much and how often, who delivers, for how long, and whether it is available locally now)
and outcomes tied to the four Preparing for Adulthood domains.

Every part is optional (a document-only return has none); `missing_parts` tells the case officer what
a return leaves out. A row's fields are structured (choices and numbers) rather than free text, except
the need it meets, so that the commissioning report (reports.selectors.commissioning) can show
commissioners rows that carry nothing about the child: only the need, which may name the child,
stays behind the case's access rules.

A draft (advice.drafts.ReturnDraft) keeps its rows as JSON, as typed; a return (and each amended
version) has them as rows of its own, so that a version superseded keeps what it said."""

from django.db import models
from simple_history.models import HistoricalRecords

from ehc.models import Organisation, TimeStamped

# The list each LA starts with (administration.provision_types); its administrator adds, renames and
# retires types from there. Retired types stay on the rows that used them.
DEFAULT_PROVISION_TYPES = (
    "Speech and language therapy: direct therapy",
    "Speech and language therapy: programme delivered by setting staff",
    "Speech and language therapy: assessment",
    "Occupational therapy: direct therapy",
    "Occupational therapy: programme delivered by setting staff",
    "Occupational therapy: assessment",
    "Physiotherapy: direct therapy",
    "Physiotherapy: programme delivered by setting staff",
    "Specialist nursing: care plan and training",
    "CAMHS: assessment",
    "CAMHS: therapy",
    "Equipment",
)


class ProvisionType(TimeStamped):
    local_authority = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="provision_types")
    name = models.CharField(max_length=150)
    is_active = models.BooleanField("In use", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["local_authority", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "name"], name="provision_type_name_once"),
        ]

    def __str__(self):
        return self.name


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available now"
    WAITING_LIST = "waiting_list", "Waiting list"
    NOT_COMMISSIONED = "not_commissioned", "Not commissioned in this area"


class Unit(models.TextChoices):
    SESSIONS = "sessions", "sessions"
    HOURS = "hours", "hours"
    VISITS = "visits", "visits"
    ASSESSMENTS = "assessments", "assessments"
    ITEMS = "items", "items of equipment"


class Frequency(models.TextChoices):
    WEEK = "week", "per week"
    FORTNIGHT = "fortnight", "per fortnight"
    MONTH = "month", "per month"
    HALF_TERM = "half_term", "per half term"
    TERM = "term", "per term"
    YEAR = "year", "per year"
    ONCE = "once", "once"


class Profession(models.TextChoices):
    SLT = "slt", "Speech and language therapist"
    OT = "ot", "Occupational therapist"
    PHYSIO = "physio", "Physiotherapist"
    NURSE = "nurse", "Nurse"
    PAEDIATRICIAN = "paediatrician", "Paediatrician"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    ASSISTANT = "assistant", "Therapy assistant"
    SETTING_STAFF = "setting_staff", "Setting staff"
    OTHER = "other", "Other"


class DurationUnit(models.TextChoices):
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    TERMS = "terms", "terms"
    YEARS = "years", "years"


class PfaDomain(models.TextChoices):
    EMPLOYMENT = "employment", "Employment"
    INDEPENDENT_LIVING = "independent_living", "Independent living"
    COMMUNITY_INCLUSION = "community_inclusion", "Community inclusion"
    HEALTH = "health", "Health"


# The fields of a provision row and of an outcome row, as the form, the draft's JSON and the rows name them.
PROVISION_FIELDS = (
    "need",
    "provision_type_id",
    "quantity",
    "unit",
    "session_minutes",
    "frequency",
    "profession",
    "setting_staff_may_deliver",
    "duration",
    "duration_unit",
    "availability",
    "wait_weeks",
)
OUTCOME_FIELDS = ("domain", "what", "by_when", "how_we_know")
ROW_FIELDS = ("provision_rows", "outcome_rows")


class ProvisionRow(models.Model):
    advice_return = models.ForeignKey("advice.AdviceReturn", on_delete=models.CASCADE, related_name="provision_rows")
    number = models.PositiveSmallIntegerField()
    need = models.TextField("The need it meets", blank=True)
    provision_type = models.ForeignKey(
        ProvisionType, null=True, blank=True, on_delete=models.PROTECT, related_name="rows"
    )
    quantity = models.PositiveIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True)
    session_minutes = models.PositiveIntegerField(null=True, blank=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    profession = models.CharField("Who delivers", max_length=20, choices=Profession.choices, blank=True)
    setting_staff_may_deliver = models.BooleanField("Setting staff may deliver under supervision", default=False)
    duration = models.PositiveIntegerField("For how long", null=True, blank=True)
    duration_unit = models.CharField(max_length=20, choices=DurationUnit.choices, blank=True)
    availability = models.CharField(max_length=20, choices=Availability.choices, blank=True)
    wait_weeks = models.PositiveIntegerField("Expected wait (weeks)", null=True, blank=True)

    class Meta:
        ordering = ["advice_return", "number"]
        constraints = [
            models.UniqueConstraint(fields=["advice_return", "number"], name="provision_row_number_once"),
        ]
        indexes = [models.Index(fields=["availability", "provision_type"], name="provision_row_availability")]

    def __str__(self):
        return f"Provision {self.number} of {self.advice_return_id}"

    @property
    def how_much(self) -> str:
        """6 sessions of 45 minutes per half term: the parts given, in words."""
        parts = []
        if self.quantity is not None:
            parts.append(f"{self.quantity} {self.get_unit_display() or ''}".strip())
        elif self.unit:
            parts.append(self.get_unit_display())
        if self.session_minutes:
            parts.append(f"of {self.session_minutes} minutes")
        if self.frequency:
            parts.append(self.get_frequency_display())
        return " ".join(parts)

    @property
    def how_long(self) -> str:
        if self.duration is None:
            return ""
        return f"{self.duration} {self.get_duration_unit_display() or ''}".strip()

    @property
    def availability_words(self) -> str:
        if self.availability == Availability.WAITING_LIST and self.wait_weeks is not None:
            return f"Waiting list (about {self.wait_weeks} weeks)"
        return self.get_availability_display()

    @property
    def is_quantified(self) -> bool:
        return self.quantity is not None and bool(self.unit) and bool(self.frequency)


class OutcomeRow(models.Model):
    advice_return = models.ForeignKey("advice.AdviceReturn", on_delete=models.CASCADE, related_name="outcome_rows")
    number = models.PositiveSmallIntegerField()
    domain = models.CharField("Preparing for adulthood domain", max_length=30, choices=PfaDomain.choices, blank=True)
    what = models.TextField("What the child will do", blank=True)
    by_when = models.CharField("By when", max_length=200, blank=True)
    how_we_know = models.TextField("How we will know", blank=True)

    class Meta:
        ordering = ["advice_return", "number"]
        constraints = [
            models.UniqueConstraint(fields=["advice_return", "number"], name="outcome_row_number_once"),
        ]

    def __str__(self):
        return f"Outcome {self.number} of {self.advice_return_id}"

    @property
    def is_specific(self) -> bool:
        return bool(self.what and self.by_when and self.how_we_know)


def rows_take(content: dict) -> tuple[list, list]:
    """Split the rows off a return's content (advice.forms.ReturnForm.content, a draft's content):
    the rest are the return's own fields."""
    return list(content.pop("provision_rows", None) or []), list(content.pop("outcome_rows", None) or [])


def rows_save(advice_return, provision: list, outcomes: list):
    """A return's (or an amended version's) rows, numbered from 1 in the order given."""
    ProvisionRow.objects.bulk_create(
        ProvisionRow(
            advice_return=advice_return, number=number, **{k: row.get(k) for k in PROVISION_FIELDS if k in row}
        )
        for number, row in enumerate(provision, start=1)
    )
    OutcomeRow.objects.bulk_create(
        OutcomeRow(advice_return=advice_return, number=number, **{k: row.get(k) or "" for k in OUTCOME_FIELDS})
        for number, row in enumerate(outcomes, start=1)
    )


def rows_of(advice_return) -> dict:
    """A return's rows as the form's initial data (an amendment starts from the version in force)."""
    return {
        "provision_rows": [
            {name: getattr(row, name) for name in PROVISION_FIELDS} for row in advice_return.provision_rows.all()
        ],
        "outcome_rows": [
            {name: getattr(row, name) for name in OUTCOME_FIELDS} for row in advice_return.outcome_rows.all()
        ],
    }


def rows_initial(start) -> dict:
    """The rows a form opens with: a draft's JSON, or a return's rows; none from nothing."""
    if start is None:
        return {"provision_rows": [], "outcome_rows": []}
    if hasattr(start, "provision_rows") and isinstance(start.provision_rows, list):
        return {"provision_rows": list(start.provision_rows), "outcome_rows": list(start.outcome_rows)}
    return rows_of(start)


def missing_parts(advice_return) -> list[str]:
    """What a plan writer needs that this return does not say (every part is optional): shown to the
    case officer on the return. A document may say it; the list says only what the structure lacks."""
    missing = []
    if not advice_return.description_of_needs:
        missing.append("Description of needs")
    rows = list(advice_return.provision_rows.all())
    if not rows:
        missing.append("Provision rows (what, how much, how often, who)")
    else:
        numbers = lambda test: ", ".join(str(row.number) for row in rows if test(row))  # noqa: E731
        for label, test in (
            ("Provision type", lambda row: row.provision_type_id is None),
            ("How much and how often", lambda row: not row.is_quantified),
            ("Who delivers", lambda row: not row.profession),
            ("For how long", lambda row: row.duration is None),
            ("Whether it is available locally", lambda row: not row.availability),
        ):
            if numbers(test):
                missing.append(f"{label} (provision row {numbers(test)})")
    outcomes = list(advice_return.outcome_rows.all())
    if not outcomes:
        missing.append("Outcomes tied to a Preparing for Adulthood domain")
    else:
        vague = ", ".join(str(row.number) for row in outcomes if not row.is_specific or not row.domain)
        if vague:
            missing.append(f"What the child will do, by when and how we will know (outcome {vague})")
    if not advice_return.how_often_seen or not advice_return.seen_over_period:
        missing.append("How well the child is known (how often seen, over what period)")
    return missing


def provision_types_seed(local_authority) -> None:
    """An LA that has never had a list gets the defaults, once (its administrator edits them from there)."""
    if not ProvisionType.objects.filter(local_authority=local_authority).exists():
        ProvisionType.objects.bulk_create(
            [
                ProvisionType(local_authority=local_authority, name=name, position=position)
                for position, name in enumerate(DEFAULT_PROVISION_TYPES, start=1)
            ],
            ignore_conflicts=True,
        )


def provision_type_choices(local_authority, *, keep=()) -> list[tuple[int, str]]:
    """The LA's types in use, as (id, name), read once for every row of a form; a retired type a row
    already has (`keep`) stays choosable, so that opening a draft again never loses it."""
    provision_types_seed(local_authority)
    rows = ProvisionType.objects.filter(local_authority=local_authority).filter(
        models.Q(is_active=True) | models.Q(pk__in=[pk for pk in keep if pk])
    )
    return [(row.pk, row.name) for row in rows.order_by("position", "name")]
