"""A case whose plan is issued, advised on during its assessment by our SLT and OT teams, with its
annual review (made directly until the review's own workflow lands)."""

import datetime
import zoneinfo

import pytest
import time_machine

from advice.models import AdviceItem, ItemStatus
from assessments.models import AnnualReview, CaseStatus
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
D = datetime.date
# The meeting whose 6 weeks' notice day is Easter Monday 2027 (29 March); Good Friday is the day
# before the weekend, so health's notice must go by Thursday 25 March. Its report is due 14 days
# before, on Monday 26 April.
MEETING = D(2027, 5, 10)
HEALTH_NOTICE_BY = D(2027, 3, 25)
NOTICE_BY = D(2027, 4, 26)
REPORT_DUE = D(2027, 4, 26)


def at(day: datetime.date, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def travel():
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
