"""Organisations (local authorities, health providers, ICBs) and the provider teams that write advice."""

from django.db import models

from .base import TimeStamped


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
    # A return waits for a team lead's sign-off before the council sees it (advice.services.sign_off;
    # docs/decisions/0036-team-lead-sign-off.md). Set by the provider's administrator.
    returns_need_sign_off = models.BooleanField("Returns need a team lead's sign-off", default=False)
    # Practitioners of the team who sign off its returns (ehc.access.is_team_lead).
    leads = models.ManyToManyField("ehc.User", blank=True, related_name="teams_led", verbose_name="Team leads")

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="team_unique_name_per_provider")]
        permissions = [
            ("return_advice", "Return advice for the team"),
            ("answer_escalation", "Answer health internal escalations for the team"),
        ]

    def __str__(self):
        return f"{self.name} ({self.provider.short_name or self.provider.name})"
