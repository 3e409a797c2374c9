"""The reviews tests' cast: our LA's plans, issued through assessments' own service so that the first
review is scheduled the way the product schedules it (assessments.signals.plan_issued)."""

import datetime
import zoneinfo

import pytest
import time_machine

from advice.models import AdviceItem, ItemStatus
from assessments.models import AnnualReview, CaseStatus
from assessments.services import case_record_final_plan
from ehc.models import LocalAuthoritySettings
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
D = datetime.date
# Born 15 November: a birthday in the second half of a year from a plan issued in March.
BORN = D(2014, 11, 15)
# Health's side of a review (reviews.invitations): the meeting whose 6 weeks' notice day is Easter
# Monday 2027 (29 March); Good Friday is the day before the weekend, so health's notice must go by
# Thursday 25 March. Its report is due 14 days before, on Monday 26 April.
MEETING = D(2027, 5, 10)
HEALTH_NOTICE_BY = D(2027, 3, 25)
NOTICE_BY = D(2027, 4, 26)
REPORT_DUE = D(2027, 4, 26)


def at(day: datetime.date, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def date_fields(name, day: datetime.date):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def travel():
    """travel(date) moves the clock to 10:00 London time on that day, until the test ends."""
    travellers = []

    def _travel(day, hour=10):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(at(day, hour), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield _travel
    for traveller in travellers:
        traveller.stop()


def alignment(la, aligned: bool):
    settings_row = LocalAuthoritySettings.for_la(la)
    settings_row.review_birthday_alignment = aligned
    settings_row.save()


@pytest.fixture
def issue_plan(ours, travel):
    """issue_plan(on, date_of_birth=..., **case) -> a case of our LA whose final plan our case officer
    recorded on `on` (the clock is left there), with its first review scheduled."""

    def _issue(on: datetime.date, *, date_of_birth=BORN, **fields):
        fields.setdefault("local_authority", ours.la)
        fields.setdefault("case_officer", ours.case_officer)
        case = CaseFactory(
            status=CaseStatus.DRAFT_PLAN,
            date_of_birth=date_of_birth,
            received_on=on - datetime.timedelta(weeks=20),
            draft_plan_sent_on=on - datetime.timedelta(weeks=3),
            **fields,
        )
        travel(on)
        return case_record_final_plan(case=case, user=ours.case_officer, final_plan_issued_on=on)

    return _issue


def issued_case(world, *, last_name="O'Neill", teams=None):
    """A case of `world`'s LA with its plan issued in June 2026, whose assessment asked `world`'s
    provider for advice from SLT and OT (both returned)."""
    case = CaseFactory(
        local_authority=world.la,
        case_officer=world.case_officer,
        status=CaseStatus.PLAN_ISSUED,
        decided_to_assess=True,
        received_on=D(2026, 1, 5),
        decision_on=D(2026, 2, 9),
        final_plan_issued_on=D(2026, 6, 1),
        first_name="Siobhan",
        last_name=last_name,
    )
    request = AdviceRequestFactory(
        case=case, provider=world.provider, notified_on=D(2026, 2, 10), requested_by=world.case_officer
    )
    for team in teams if teams is not None else [world.slt, world.ot]:
        AdviceItemFactory(
            request=request,
            team=team,
            status=ItemStatus.RETURNED,
            returned_on=D(2026, 3, 20),
            next_action_on=None,
        )
    return case


def open_review(case, *, meeting_on=MEETING, **fields) -> AnnualReview:
    return AnnualReview.objects.create(
        case=case,
        local_authority=case.local_authority,
        anchor_on=D(2026, 6, 1),
        due_on=D(2027, 6, 1),
        meeting_on=meeting_on,
        recorded_by=case.case_officer,
        **fields,
    )


@pytest.fixture
def review(ours):
    return open_review(issued_case(ours))


def review_items(review):
    return list(AdviceItem.objects.filter(review=review).order_by("team__name"))
