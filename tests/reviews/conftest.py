"""The reviews tests' cast: our LA's plans, issued through assessments' own service so that the first
review is scheduled the way the product schedules it (assessments.signals.plan_issued)."""

import datetime
import zoneinfo

import pytest
import time_machine

from assessments.models import CaseStatus
from assessments.services import case_record_final_plan
from ehc.models import LocalAuthoritySettings
from tests.factories import CaseFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
D = datetime.date
# Born 15 November: a birthday in the second half of a year from a plan issued in March.
BORN = D(2014, 11, 15)


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
