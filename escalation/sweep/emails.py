"""What each escalation's messages say and who receives them: the chase to the SPOC, escalation 1 to the
provider's director with its letter, and the escalation 2 notice from the DCO office to the AD Education
and the heads of service. Built as outbox rows (escalation.sweep.messages writes them)."""

from collections import defaultdict

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse

from advice.exceptions import covering_exceptions
from advice.models import AdviceItem, ItemStatus
from assessments.models import Case
from ehc.models import MessageKind
from ehc.notifications import Event, audience_for, email_and_rows
from ehc.outbox import email_values

from ..letter_emails import letter_emails
from ..models import Escalation, EscalationStage
from ..wording import Kind, wordings_in_force

# The wording each stage's message uses (the LA's version in force, escalation.wording).
STAGE_WORDING = {
    EscalationStage.CHASE: Kind.CHASE_EMAIL,
    EscalationStage.ESCALATION_1: Kind.ESCALATION_1_LETTER,
    EscalationStage.ESCALATION_2: Kind.ESCALATION_2_NOTICE,
}


class Messages:
    """Builds the emails of one chunk of escalations (rows for ehc.outbox.emails_insert), from what `load`
    read in three queries. Emails carry the case reference, counts and dates: never the child's details
    nor a team's name."""

    def __init__(self, *, scope):
        self.scope = scope
        self.emails = []
        self.email_las = []  # the LA of each email, for the report
        self.letters_without_email = []
        self.outstanding = defaultdict(list)
        self.chased_on = {}
        self._teams = {}
        # Escalation 2 notices: their in-app notifications, the LAs' AD and business support users,
        # and each case's officer (id, email) when active.
        self.notification_rows = []
        self.audience = {}
        self.officers = {}
        self.wordings = {}

    def load(self, escalations):
        """The requests' outstanding items with their chase dates, in one query (the providers came with
        the escalations). A request with nothing outstanding has no message, so needs no chase date."""
        request_ids = {escalation.request_id for escalation in escalations}
        rows = (
            AdviceItem.objects.filter(request_id__in=request_ids, status=ItemStatus.OUTSTANDING)
            .annotate(
                request_chased_on=Subquery(
                    Escalation.objects.filter(request_id=OuterRef("request_id"), stage=EscalationStage.CHASE).values(
                        "issued_on"
                    )[:1]
                )
            )
            .annotate(
                # The exceptions covering the item, as periods: a team whose clock is stopped on the
                # escalation's date is not named in it (decision 0017).
                exception_periods=ArraySubquery(
                    covering_exceptions().values(period=JSONObject(starts_on="starts_on", ends_on="ends_on"))
                )
            )
            .order_by("team__name", "id")
            .values(
                "request_id",
                "team__name",
                "team__head_of_service_email",
                "due_on",
                "request_chased_on",
                "escalation_2_resolution__kind",
                "exception_periods",
            )
        )
        for row in rows:
            self.outstanding[row["request_id"]].append(row)
            if row["request_chased_on"] is not None:
                self.chased_on[row["request_id"]] = row["request_chased_on"]
        # The LAs' wording in force for these stages, in one query.
        self.wordings = wordings_in_force(
            la_ids={escalation.local_authority_id for escalation in escalations},
            kinds={STAGE_WORDING[escalation.stage] for escalation in escalations},
        )
        second = [escalation for escalation in escalations if escalation.stage == EscalationStage.ESCALATION_2]
        if second:
            self.audience = audience_for({escalation.local_authority_id for escalation in second})
            self.officers = {
                case_id: (officer_id, email)
                for case_id, officer_id, email in Case.objects.filter(
                    pk__in={escalation.request.case_id for escalation in second}, case_officer__is_active=True
                ).values_list("pk", "case_officer_id", "case_officer__email")
            }

    def wording(self, escalation) -> dict:
        """The LA's wording in force for the escalation's message: its kind, version number and text."""
        return self.wordings[(escalation.local_authority_id, STAGE_WORDING[escalation.stage])]

    def teams(self, escalation):
        """The request's teams overdue and still outstanding on the escalation's date."""
        if escalation.pk not in self._teams:
            self._teams[escalation.pk] = self._overdue_teams(escalation)
        return self._teams[escalation.pk]

    def _overdue_teams(self, escalation):
        day = escalation.issued_on
        return [
            {
                "name": row["team__name"],
                "due_on": row["due_on"],
                "days_overdue": (day - row["due_on"]).days,
                "head_of_service_email": row["team__head_of_service_email"],
            }
            for row in self.outstanding[escalation.request_id]
            # An item the DCO resolved before escalation 2 is not part of it.
            if row["due_on"] < day
            and not (escalation.stage == EscalationStage.ESCALATION_2 and row["escalation_2_resolution__kind"])
            and not _clock_stopped(row["exception_periods"], day)
        ]

    def _la(self, escalation):
        return self.scope[escalation.local_authority_id].la

    def _settings(self, escalation):
        return self.scope[escalation.local_authority_id].rules.settings

    def _context(self, escalation, **extra):
        request = escalation.request
        return {
            "reference": request.case.reference,
            "case_id": request.case_id,
            "la_name": self._la(escalation).name,
            "provider_name": request.provider.name,
            # Due dates and lateness only: a team's name stays behind the sign-in.
            "teams": [
                {"due_on": team["due_on"], "days_overdue": team["days_overdue"]} for team in self.teams(escalation)
            ],
            "requested_on": request.notified_on,
            # A review's report is due before its meeting: the emails say so (None for an assessment's).
            "review_meeting_on": request.review.meeting_on if request.review_id else None,
            "issued_on": escalation.issued_on,
            "response_due_on": escalation.response_due_on,
            # The LA's durations: the emails state them from here, never in their own words.
            "timings": self._settings(escalation).timings(),
            **extra,
        }

    def _add(self, escalation, *, kind, to, cc, letter_id=None, context=None):
        email = email_values(
            kind=kind,
            dedupe_key=f"{kind}:request:{escalation.request_id}",
            to=to,
            cc=cc,
            template=str(kind),
            context=self._context(escalation, **(context or {})),
            case_id=escalation.request.case_id,
            advice_request_id=escalation.request_id,
            letter_id=letter_id,
            defer_rendering=True,
        )
        if email is not None:
            self.emails.append(email)
            self.email_las.append(self._la(escalation))
        return email

    def chase(self, escalation):
        self._add(
            escalation,
            kind=MessageKind.CHASE,
            to=[escalation.request.provider.spoc_email],
            cc=[self._settings(escalation).business_support_email],
            context={"wording": self.wording(escalation)},
        )

    def escalation_1(self, escalation, *, letter_id):
        """The letter's emails, one per recipient, each attaching it only for a secure domain
        (escalation.letter_emails)."""
        request = escalation.request
        emails = letter_emails(
            request_id=escalation.request_id,
            case_id=request.case_id,
            reference=request.case.reference,
            letter_id=letter_id,
            la_name=self._la(escalation).name,
            la_settings=self._settings(escalation),
            provider_name=request.provider.name,
            provider_director_email=request.provider.director_email,
            director_name=request.provider.director_name,
            teams=self.teams(escalation),
            dated=escalation.issued_on,
            response_due_on=escalation.response_due_on,
            review_meeting_on=request.review.meeting_on if request.review_id else None,
        )
        self.emails += emails
        self.email_las += [self._la(escalation)] * len(emails)
        if not any(email["letter_id"] for email in emails):
            # Attached to no email: the letter is still rendered now, ready behind the sign-in.
            self.letters_without_email.append(letter_id)

    def escalation_2(self, escalation):
        """Nothing was recorded by the DCO before the date: the DCO office's notice goes to the AD
        Education, copied to business support, the DCO office itself, the case officer and the heads
        of service (whose task it opens); the LA's users see it in the service too."""
        settings = self._settings(escalation)
        case_id = escalation.request.case_id
        officer_id, officer_email = self.officers.get(case_id, (None, ""))
        event = Event(
            kind=MessageKind.ESCALATION_2,
            event=f"{MessageKind.ESCALATION_2}:request:{escalation.request_id}",
            la_id=escalation.local_authority_id,
            path=reverse("assessments:case_detail", args=[case_id]),
            headline="Escalation 2: the DCO/DMO office has escalated inside health",
            detail=f"Heads of service to answer by {escalation.response_due_on:%-d %B %Y}",
            to=[settings.ad_education_email],
            cc=[settings.business_support_email, settings.dco_office_email, officer_email]
            + [team["head_of_service_email"] for team in self.teams(escalation)],
            case_id=case_id,
            reference=escalation.request.case.reference,
            officer_id=officer_id,
            advice_request_id=escalation.request_id,
            template=str(MessageKind.ESCALATION_2),
            context=self._context(
                escalation, dco_office_email=settings.dco_office_email, wording=self.wording(escalation)
            ),
        )
        email, rows = email_and_rows(event, audience=self.audience, officer_email=officer_email, defer_rendering=True)
        if email is not None:
            self.emails.append(email)
            self.email_las.append(self._la(escalation))
        self.notification_rows += rows


def _clock_stopped(periods, day) -> bool:
    """Whether one of the periods ({"starts_on", "ends_on"} as ISO dates, ends_on None while running)
    covers `day`."""
    on = day.isoformat()
    return any(
        period["starts_on"] <= on and (period["ends_on"] is None or on <= period["ends_on"]) for period in periods or ()
    )
