import datetime

import pytest
import time_machine

from assessments import timeline
from assessments.models import Case, CaseStatus

D = datetime.date


@pytest.mark.parametrize(
    "received, decision, not_issuing, draft_latest, final",
    [
        # An ordinary date.
        (D(2026, 9, 1), D(2026, 10, 13), D(2026, 12, 22), D(2027, 1, 4), D(2027, 1, 19)),
        # A leap day is counted: 20 weeks from 1 Jan 2028 crosses 29 Feb 2028.
        (D(2028, 1, 1), D(2028, 2, 12), D(2028, 4, 22), D(2028, 5, 5), D(2028, 5, 20)),
        # Received on a leap day itself.
        (D(2028, 2, 29), D(2028, 4, 11), D(2028, 6, 20), D(2028, 7, 3), D(2028, 7, 18)),
        # A month end: weeks are 7 days, never "the same day next month".
        (D(2027, 1, 31), D(2027, 3, 14), D(2027, 5, 23), D(2027, 6, 5), D(2027, 6, 20)),
        # Across the clocks going forward (29 Mar 2026) and back (25 Oct 2026): dates, not hours.
        (D(2026, 3, 20), D(2026, 5, 1), D(2026, 7, 10), D(2026, 7, 23), D(2026, 8, 7)),
        (D(2026, 10, 20), D(2026, 12, 1), D(2027, 2, 9), D(2027, 2, 22), D(2027, 3, 9)),
    ],
)
def test_statutory_dates(received, decision, not_issuing, draft_latest, final):
    assert timeline.decision_due(received) == decision
    assert timeline.notice_not_to_issue_due(received) == not_issuing
    assert timeline.draft_plan_latest(received) == draft_latest
    assert timeline.final_plan_due(received) == final
    assert (final - received).days == 140
    assert final - draft_latest == datetime.timedelta(days=15)


def test_advice_due_is_42_days_by_default():
    assert timeline.advice_due(D(2026, 11, 20)) == D(2027, 1, 1)
    assert timeline.advice_due(D(2026, 11, 20), period_days=28) == D(2026, 12, 18)


@pytest.mark.parametrize(
    "due, done, today, expected",
    [
        (D(2026, 12, 1), None, D(2026, 11, 1), "green"),
        (D(2026, 12, 1), None, D(2026, 11, 17), "amber"),
        (D(2026, 12, 1), None, D(2026, 12, 1), "amber"),
        (D(2026, 12, 1), None, D(2026, 12, 2), "red"),
        (D(2026, 12, 1), D(2026, 12, 1), D(2027, 1, 1), "done"),
        (D(2026, 12, 1), D(2026, 12, 2), D(2027, 1, 1), "red"),
    ],
)
def test_rag(due, done, today, expected):
    assert timeline.rag_status(due, done, today) == expected


def _case(**kwargs):
    defaults = dict(received_on=D(2026, 9, 1), status=CaseStatus.AWAITING_DECISION)
    defaults.update(kwargs)
    return Case(**defaults)


def test_next_statutory_date_follows_the_steps():
    case = _case()
    assert case.compute_next_statutory_date() == D(2026, 10, 13)
    case.decision_on, case.status = D(2026, 10, 10), CaseStatus.ASSESSING
    assert case.compute_next_statutory_date() == D(2027, 1, 4)
    case.draft_plan_sent_on, case.status = D(2026, 12, 20), CaseStatus.DRAFT_PLAN
    assert case.compute_next_statutory_date() == D(2027, 1, 19)
    case.status = CaseStatus.PLAN_ISSUED
    assert case.compute_next_statutory_date() is None


def test_decision_not_to_assess_makes_later_steps_not_apply():
    case = _case(decision_on=D(2026, 10, 1), decided_to_assess=False, status=CaseStatus.NOT_ASSESSING)
    steps = {step.key: step for step in case.steps()}
    assert steps["decision"].outcome == "Decided not to assess"
    assert not steps["draft"].applies and not steps["final"].applies
    assert case.rag(D(2027, 6, 1)) == "done"


def test_case_rag_is_the_worst_open_step():
    case = _case(decision_on=D(2026, 10, 20), decided_to_assess=True, status=CaseStatus.ASSESSING)
    # Decision was late (due 13 Oct): red, whatever the later steps.
    assert case.rag(D(2026, 10, 21)) == "red"


@pytest.mark.django_db
def test_today_is_the_london_date_late_in_a_bst_evening(ours, login):
    """23:30 UTC on 1 July is 00:30 on 2 July in London: a request received 'today' is 2 July."""
    client = login(ours.case_officer)
    with time_machine.travel(datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC), tick=False):
        response = client.post(
            "/cases/new/",
            {
                "first_name": "Ada",
                "last_name": "Brook",
                "date_of_birth_0": "3",
                "date_of_birth_1": "4",
                "date_of_birth_2": "2017",
                "requested_by": "parent",
                "received_on_0": "2",
                "received_on_1": "7",
                "received_on_2": "2026",
            },
        )
    assert response.status_code == 302
    assert Case.objects.get().received_on == D(2026, 7, 2)
