"""The child or young person (up to 25): one record per child in each LA, holding their identity.
Each request for an EHC needs assessment (`Case`) points at it, so a second request, a new
assessment after a refusal and later reviews are that child's cases over time, and the name, date of
birth and identifiers have one source of truth (decision docs/decisions/0030-the-childs-record.md).
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from simple_history.models import HistoricalRecords

from ehc.models import Organisation, OrganisationKind, TimeStamped

from .identifiers import validate_nhs_number, validate_uln, validate_upn
from .search_name import SearchName

# Child fields the case form edits, in its order (assessments.forms.CaseForm).
IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "nhs_number",
    "upn",
    "uln",
    "la_reference",
    "address",
    "postcode",
    "setting",
)


class Child(TimeStamped):
    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, validators=[validate_nhs_number])
    upn = models.CharField("Unique pupil number", max_length=13, blank=True, validators=[validate_upn])
    uln = models.CharField("Unique learner number", max_length=10, blank=True, validators=[validate_uln])
    la_reference = models.CharField("The council's own ID for the child", max_length=30, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    setting = models.CharField("Current school, college or setting", max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "children"
        indexes = [
            # Search by date of birth (any LA the user sees) and the duplicate check on create (the LA's
            # children born that day).
            models.Index(fields=["date_of_birth", "local_authority"], name="child_born_la"),
            # Search by name: the full-text index of assessments.search_name.SearchName (migration 0009
            # creates the ehc_fold function it calls).
            GinIndex(SearchName("first_name", "last_name"), name="child_name_search"),
            # Search by identifier, whatever the LA.
            models.Index(fields=["nhs_number"], condition=~models.Q(nhs_number=""), name="child_nhs_number"),
            models.Index(fields=["upn"], condition=~models.Q(upn=""), name="child_upn"),
            models.Index(fields=["uln"], condition=~models.Q(uln=""), name="child_uln"),
        ]
        constraints = [
            # An NHS number is one person's: two records of it in one LA are one child twice.
            models.UniqueConstraint(
                fields=["local_authority", "nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="child_one_per_nhs_number_in_la",
                violation_error_message="Another child of this council already has this NHS number",
            ),
            models.UniqueConstraint(
                fields=["local_authority", "la_reference"],
                condition=~models.Q(la_reference=""),
                name="child_one_per_la_reference",
                violation_error_message="Another child of this council already has this ID",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}"
