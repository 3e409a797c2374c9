"""Each local authority's timings, recipients, letterhead and access settings."""

import datetime
import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models

from .base import TimeStamped
from .organisations import Organisation, OrganisationKind


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


def period_text(days, *, working=False) -> str:
    """A duration as a letter says it: "3 working days", "6 weeks" (whole weeks), "45 days"."""
    days = int(days)
    if working:
        return f"{days} working day{'' if days == 1 else 's'}"
    if days and days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'' if weeks == 1 else 's'}"
    return f"{days} day{'' if days == 1 else 's'}"


def weeks_of(days):
    """Days as a number of weeks: whole where they are whole, else to one decimal place."""
    return days // 7 if days % 7 == 0 else round(days / 7, 1)


def letterhead_image_path(instance, filename) -> str:
    """A fresh name for every upload: an image is never overwritten, so a letter issued with it (its
    snapshot names the file) renders with it however often the LA changes its letterhead."""
    return f"letterheads/{instance.local_authority_id}/{uuid.uuid4().hex}.png"


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
    # Annual reviews (docs/decisions/0044-annual-reviews.md). The regulations' floors are the minimums.
    review_birthday_alignment = models.BooleanField(
        "Align annual reviews with the child's birthday",
        default=True,
        help_text="A review is due by the child's birthday when one falls in the second half of the review period",
    )
    review_notice_weeks = models.PositiveSmallIntegerField(
        "Notice of a review meeting, in weeks",
        default=2,
        validators=[MinValueValidator(2)],
        help_text="Invitations and requests for advice go at least this many weeks before the meeting (at least 2)",
    )
    review_health_notice_weeks = models.PositiveSmallIntegerField(
        "Health's notice of a review meeting, in weeks",
        default=6,
        validators=[MinValueValidator(2)],
        help_text="Health is asked for its report at least this many weeks before the meeting",
    )
    review_advice_days_before_meeting = models.PositiveSmallIntegerField(
        "Reports due before the meeting, in days",
        default=14,
        validators=[MinValueValidator(14)],
        help_text="Advice for a review is due this many days before the meeting, so it can be circulated (at least 14)",
    )
    # Advice the LA sends back for its quality (advice.quality) is due again this many working days later.
    quality_send_back_working_days = models.PositiveSmallIntegerField(
        "Advice sent back, due again in working days",
        default=10,
        help_text="Working days from the day the LA sends advice back to the day it is due again",
    )
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
    # PNGs re-encoded from the administrator's upload (administration.images); shown in the letters
    # only, and to the LA's administrator behind the sign-in.
    letterhead_logo = models.FileField(
        "Letterhead logo", upload_to=letterhead_image_path, blank=True, max_length=200, editable=False
    )
    ad_education_signature = models.FileField(
        "AD Education signature", upload_to=letterhead_image_path, blank=True, max_length=200, editable=False
    )

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
        help_text="Also attach letters for the domains of the business support mailbox and the AD Education's address",
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

    @classmethod
    def of(cls, la):
        """The LA's row as read with it (select_related), or the defaults unsaved: for a page, which
        must not write the row that `for_la` creates."""
        try:
            return la.la_settings
        except cls.DoesNotExist:
            return cls(local_authority=la)

    def clean(self):
        super().clean()
        self.secure_email_domains = normalised_domains(self.secure_email_domains)

    def timings(self) -> dict:
        """Every duration the LA set, as numbers and as words, for letters, emails and pages: no text
        of the product writes a duration of its own (issue 16)."""
        return {
            "advice_period_days": self.advice_period_days,
            "advice_period_weeks": weeks_of(self.advice_period_days),
            "advice_period": period_text(self.advice_period_days),
            "chase_after_due_working_days": self.chase_after_due_working_days,
            "chase_after_due": period_text(self.chase_after_due_working_days, working=True),
            "escalation_1_after_due_days": self.escalation_1_after_due_days,
            "escalation_1_after_due": period_text(self.escalation_1_after_due_days),
            "escalation_1_response_working_days": self.escalation_1_response_working_days,
            "escalation_1_response_period": period_text(self.escalation_1_response_working_days, working=True),
            "escalation_2_after_escalation_1_days": self.escalation_2_after_escalation_1_days,
            "escalation_2_after_escalation_1": period_text(self.escalation_2_after_escalation_1_days),
            "head_of_service_response_working_days": self.head_of_service_response_working_days,
            "head_of_service_response_period": period_text(self.head_of_service_response_working_days, working=True),
            "quality_send_back_working_days": self.quality_send_back_working_days,
            "quality_send_back_period": period_text(self.quality_send_back_working_days, working=True),
            "review_notice_weeks": self.review_notice_weeks,
            "review_notice": period_text(7 * self.review_notice_weeks),
            "review_health_notice_weeks": self.review_health_notice_weeks,
            "review_health_notice": period_text(7 * self.review_health_notice_weeks),
            "review_advice_days_before_meeting": self.review_advice_days_before_meeting,
            "review_advice_before_meeting": period_text(self.review_advice_days_before_meeting),
        }

    def secure_domains(self) -> set[str]:
        """The domains a letter may be attached for: the list, and the LA's own where it counts."""
        domains = set(normalised_domains(self.secure_email_domains))
        if self.own_domain_is_secure:
            domains |= {domain_of(address) for address in (self.business_support_email, self.ad_education_email)}
        return domains - {""}

    def is_secure_address(self, address) -> bool:
        return domain_of(address) in self.secure_domains()
