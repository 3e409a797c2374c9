"""The demo's annual reviews (issue 21: "the demo data has plans with reviews in every state").

Two parts, both once with the demo's cases (escalation.demo.seed_demo calls `seed_reviews`, registered
from a layer above it):
- each plan the demo's year issued has its first review scheduled by the daily run's own service
  (reviews.services.reviews_schedule_missing), by the LA's birthday alignment (most are months ahead);
- a set of plans issued before the demo's year, one for each state a review can be in, dated around
  `today`: due, overdue, meeting arranged, invitations sent, held, report late, decision overdue,
  kept and closed with the next scheduled, amending with the amended plan pending and one overdue,
  amended plan issued, ceased, an early review with its reason, and a year 9+ review with its
  preparing for adulthood text. Their children and cases are new, with the demo's invented names.
  Each step that happened is recorded by its own service (reviews.services), dated in the past, so
  the audit trail and the next review are the product's; the invitations of the review still to meet
  go by their own service (health's request then waits in the SPOC's queue); those of a meeting
  already held, and a meeting arranged in the past (the service takes today's or later), are dates on
  the row.
"""

import datetime

from assessments import review_schedule
from assessments.models import AnnualReview, Case, CaseStatus, Child, Requester, ReviewDecision
from ehc.models import LocalAuthoritySettings, Organisation, OrganisationKind
from escalation.demo.cases import FIRST_NAMES, LAST_NAMES, SETTINGS, demo_nhs_number

from . import services
from .invitations import invitations_send

DAY = datetime.timedelta(days=1)

# (state, the child's age in years, what happened): a meeting held `held` days from today and each step
# after it (report, amended plan) so many days after the meeting; a review not held is due `due` days
# from today, its meeting (if arranged) `meeting` days from today, its invitations so many days before.
STATES = [
    ("due", 8, {"due": 40}),
    ("due, not arranged and late", 11, {"due": -10}),
    ("meeting arranged", 6, {"due": 60, "meeting": 50}),
    ("meeting arranged, invitations to send", 12, {"due": 35, "meeting": 20}),
    ("invitations sent", 9, {"due": 30, "meeting": 25, "invitations": -45}),
    ("held, report not yet due", 7, {"held": -5}),
    ("held, report late", 10, {"held": -20}),
    ("report circulated, decision to come", 13, {"held": -21, "report": 10}),
    ("decision overdue", 8, {"held": -35, "report": 12}),
    ("kept, the next review scheduled", 10, {"held": -200, "report": 10, "decision": ReviewDecision.MAINTAIN}),
    ("amending, the amended plan to come", 6, {"held": -40, "report": 9, "decision": ReviewDecision.AMEND}),
    ("amending, the amended plan overdue", 12, {"held": -100, "report": 13, "decision": ReviewDecision.AMEND}),
    (
        "amended plan issued",
        9,
        {"held": -120, "report": 10, "decision": ReviewDecision.AMEND, "amended_plan": 75},
    ),
    ("ceased", 17, {"held": -60, "report": 8, "decision": ReviewDecision.CEASE}),
    ("early review", 11, {"due": 21, "early": True}),
    ("year 9 and later, preparing for adulthood", 14, {"held": -10, "report": 7}),
]
EARLY_REASON = "The family asked for an early review: the move to secondary school in September"
PFA_TEXT = {
    "pfa_employment": "{first} would like work experience with animals in year 10.",
    "pfa_independent_living": "{first} is learning to travel to school on the bus with a buddy.",
    "pfa_community_inclusion": "{first} has joined the youth club on Friday evenings.",
    "pfa_health": "{first} manages their own medication at school with a reminder.",
    "adult_services_transition": "Continuing care to begin the move to the adult team at 16; the paediatrician "
    "to refer to adult neurology by 17.",
}


def _due(date_of_birth, anchor, aligned):
    return review_schedule.review_due(date_of_birth, anchor, birthday_alignment=aligned)


def _plan(*, la, officer, rng, serial, age, issued_on, today, used):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    born = today - datetime.timedelta(days=age * 365 + rng.randint(30, 330))
    child = Child.objects.create(
        local_authority=la,
        first_name=first,
        last_name=last,
        date_of_birth=born,
        nhs_number=demo_nhs_number(rng, used),
        setting=rng.choice(SETTINGS),
    )
    received = issued_on - datetime.timedelta(weeks=19)
    case = Case.objects.create(
        local_authority=la,
        case_officer=officer,
        child=child,
        requested_by=Requester.PARENT,
        received_on=received,
        decision_on=received + datetime.timedelta(weeks=5),
        decided_to_assess=True,
        final_plan_issued_on=issued_on,
        closed_on=issued_on,
        status=CaseStatus.PLAN_ISSUED,
        family_views=f"{first}'s family want the plan to keep up with how {first} has grown.",
    )
    case.reference = f"EHC-{received:%Y}-R{serial:03d}"
    case.save(update_fields=["reference"])
    return case


def _pfa(case, year_9):
    first = case.child.first_name
    texts = {name: text.format(first=first) for name, text in PFA_TEXT.items()}
    if not year_9:
        texts["adult_services_transition"] = ""
    return texts


def _review_in_state(*, case, officer, today, what, aligned, provider):
    """The case's review brought to the state `what` describes: the row as scheduled, then each step
    that happened by the step's own service (reviews.services, reviews.invitations), dated in the past."""
    dob = case.child.date_of_birth
    fields = {"case": case, "local_authority": case.local_authority, "recorded_by": officer, "birthday_aligned": False}
    held = today + what["held"] * DAY if "held" in what else None
    if held is not None:
        # The period this review closes started about 12 months (6 under 5) before its meeting.
        anchor = review_schedule.add_months(held, -review_schedule.review_months(dob, held)) + 10 * DAY
        due = max(_due(dob, anchor, aligned), held - 5 * DAY)
        fields.update(anchor_on=anchor, due_on=due, meeting_on=held, invitations_sent_on=held - 43 * DAY)
    else:
        due = today + what["due"] * DAY
        fields.update(
            anchor_on=review_schedule.add_months(due, -12), due_on=due + (80 * DAY if what.get("early") else 0 * DAY)
        )
        if "meeting" in what:
            fields["meeting_on"] = today + what["meeting"] * DAY
    case.final_plan_issued_on = min(case.final_plan_issued_on, fields["anchor_on"])
    case.save(update_fields=["final_plan_issued_on"])
    review = AnnualReview.objects.create(**fields)
    if what.get("early"):
        review = services.review_bring_forward(review=review, user=officer, due_on=due, early_reason=EARLY_REASON)
    if "invitations" in what and provider is not None:
        # Sent by the invitations' own service on the day they went: health's request for its report is
        # then in the SPOC's queue to acknowledge, due before the meeting.
        invitations_send(
            review,
            providers=[provider],
            message="Please send your report for the annual review using the Appendix C headings.",
            by=officer,
            today=review.meeting_on + what["invitations"] * DAY,
        )
    if held is None:
        return review
    year_9 = review_schedule.covers_preparing_for_adulthood(dob, held)
    review = services.review_record_held(review=review, user=officer, held_on=held, **_pfa(case, year_9))
    if what.get("report") is not None:
        review = services.review_record_report(
            review=review, user=officer, report_circulated_on=held + what["report"] * DAY
        )
    if what.get("decision"):
        # Keeping the plan closes the review and schedules the next from the meeting (s.44(1)).
        review = services.review_record_decision(
            review=review,
            user=officer,
            decision=what["decision"],
            decision_notified_on=held + 24 * DAY,
            decision_reason="Agreed at the meeting with the family and the school.",
        )
    if what.get("amended_plan") is not None:
        review = services.review_record_amended_plan(
            review=review, user=officer, amended_plan_issued_on=held + what["amended_plan"] * DAY
        )
    return review


def seed_reviews(*, la, users, today, rng):
    """The demo's reviews (see the module's docstring). Idempotent with the demo's cases: made once."""
    if Case.objects.filter(local_authority=la, reference__contains="-R001").exists():
        return
    # The year's plans, as the daily run schedules those issued before reviews were (a plan issued
    # through the product has its review from the moment it is issued; the replay writes the rows).
    services.reviews_schedule_missing(today=today)
    aligned = LocalAuthoritySettings.for_la(la).review_birthday_alignment
    officers = [users["case.officer"], users["case.officer2"]]
    provider = Organisation.objects.filter(kind=OrganisationKind.HEALTH_PROVIDER, served_las=la).order_by("pk").first()
    used = set(Child.objects.filter(local_authority=la).values_list("nhs_number", flat=True))
    for serial, (_, age, what) in enumerate(STATES, start=1):
        officer = officers[serial % 2]
        issued_on = today - datetime.timedelta(days=400 + 10 * serial)
        case = _plan(la=la, officer=officer, rng=rng, serial=serial, age=age, issued_on=issued_on, today=today,
                     used=used)  # fmt: skip
        _review_in_state(case=case, officer=officer, today=today, what=what, aligned=aligned, provider=provider)
