import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from advice.services import advice_not_provided, advice_request_send, advice_return, draft_plan_record
from assessments.models import CaseStatus
from ehc.models import Service
from tests.factories import CaseFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Monday: the day the SPOC is notified in these tests.
NOTIFIED = datetime.date(2026, 9, 14)


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


@pytest.fixture
def case(ours):
    """A case of our LA being assessed, with the family's views recorded, run by our case officer."""
    return CaseFactory(
        local_authority=ours.la,
        case_officer=ours.case_officer,
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=datetime.date(2026, 9, 1),
        decision_on=datetime.date(2026, 9, 10),
        first_name="Robin",
        last_name="Quillfeather",
        family_views="Robin wants to be understood by friends at school.",
        aspirations="To take part in the school play.",
    )


def request_advice(case, world, services=(Service.SLT, Service.OT), provider=None):
    """A request for health advice sent through the service, as the case officer would."""
    return advice_request_send(
        case=case,
        provider=provider or world.provider,
        services_named=list(services),
        user=world.case_officer,
    )


def return_advice(item, user, on=None, **content):
    content = {
        "description_of_needs": "Needs described.",
        "provision_required": "Provision set out.",
        "outcomes": "Outcomes expected.",
        **content,
    }
    return advice_return(item=item, user=user, returned_on=on or timezone.localdate(), content=content)


def decline(item, user, reason="other", detail="Decided not to provide", decided_on=None):
    """Record that `item`'s advice will not be provided."""
    return advice_not_provided(
        item=item,
        user=user,
        reason=reason,
        detail=detail,
        decided_by="Head of service",
        decided_on=decided_on or timezone.localdate(),
    )


def record_draft(case, world, sent_on=None):
    return draft_plan_record(
        case=case,
        user=world.case_officer,
        sent_on=sent_on or timezone.localdate(),
        section_c="C",
        section_g="G",
    )


# The case discussion's cast, made as the demo makes its people (tests/advice/discussion.py).
from .discussion import demo, demo_case  # noqa: E402, F401
