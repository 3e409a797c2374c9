"""The timing table of DOMAIN.md, date by date, across bank holidays: pure functions, no database."""

import datetime

import pytest

from advice.models import Stage
from ehc.models import LocalAuthoritySettings
from ehc.workdays import WorkingCalendar
from escalation.rules import LONDON, TimerRules, week_of

D = datetime.date


@pytest.fixture
def rules():
    return TimerRules(la_settings=LocalAuthoritySettings(), calendar=WorkingCalendar())


def test_request_notified_on_20_november_2026_due_on_new_years_day(rules):
    notified = D(2026, 11, 20)
    due = notified + datetime.timedelta(days=42)
    assert due == D(2027, 1, 1)  # a bank holiday
    assert rules.chase_on(due) == D(2027, 1, 4)  # first working day after: Monday
    assert rules.escalation_1_on(due) == D(2027, 1, 15)
    assert rules.escalation_1_response_due(D(2027, 1, 15)) == D(2027, 1, 20)
    assert rules.escalation_2_on(D(2027, 1, 15)) == D(2027, 1, 29)
    assert rules.head_of_service_response_due(D(2027, 1, 29)) == D(2027, 2, 12)


def test_chase_across_christmas_2026(rules):
    # 25 Dec (Fri), 26 Dec (Sat) with its substitute on Mon 28 Dec.
    assert rules.chase_on(D(2026, 12, 23)) == D(2026, 12, 24)
    assert rules.chase_on(D(2026, 12, 24)) == D(2026, 12, 29)
    assert rules.chase_on(D(2026, 12, 25)) == D(2026, 12, 29)


def test_escalation_1_response_window_spans_christmas(rules):
    assert rules.escalation_1_response_due(D(2026, 12, 22)) == D(2026, 12, 29)
    assert rules.escalation_1_response_due(D(2026, 12, 23)) == D(2026, 12, 30)
    assert rules.escalation_1_response_due(D(2026, 12, 24)) == D(2026, 12, 31)


def test_dates_across_easter_2027(rules):
    # Good Friday 26 March, Easter Monday 29 March.
    assert rules.chase_on(D(2027, 3, 25)) == D(2027, 3, 30)
    assert rules.escalation_1_on(D(2027, 3, 12)) == D(2027, 3, 30)  # due + 14 is Good Friday
    assert rules.escalation_2_on(D(2027, 3, 12)) == D(2027, 3, 30)
    assert rules.head_of_service_response_due(D(2027, 3, 22)) == D(2027, 4, 7)


def test_a_closure_day_is_not_a_working_day():
    rules = TimerRules(la_settings=LocalAuthoritySettings(), calendar=WorkingCalendar([D(2027, 1, 4)]))
    assert rules.chase_on(D(2027, 1, 1)) == D(2027, 1, 5)


def test_an_item_whose_chase_date_has_not_come_only_moves_its_next_action(rules):
    plan = rules.plan(stage=Stage.REQUESTED, due_on=D(2027, 1, 1), escalation_1_on=None, today=D(2027, 1, 1))
    assert plan.stages == []
    assert plan.next_action_on == D(2027, 1, 4)


def test_three_weeks_overdue_gets_chase_and_escalation_1_in_one_run_but_not_escalation_2(rules):
    today = D(2027, 1, 22)
    plan = rules.plan(stage=Stage.REQUESTED, due_on=D(2027, 1, 1), escalation_1_on=None, today=today)
    assert plan.stages == [Stage.CHASED, Stage.ESCALATION_1]
    assert plan.next_action_on == D(2027, 2, 5)  # 14 days after the letter actually went


def test_after_escalation_2_the_item_has_no_next_action(rules):
    plan = rules.plan(
        stage=Stage.ESCALATION_1, due_on=D(2027, 1, 1), escalation_1_on=D(2027, 1, 15), today=D(2027, 1, 29)
    )
    assert plan.stages == [Stage.ESCALATION_2]
    assert plan.next_action_on is None
    assert (
        rules.plan(
            stage=Stage.ESCALATION_2,
            due_on=D(2027, 1, 1),
            escalation_1_on=D(2027, 1, 15),
            today=D(2027, 6, 1),
        ).stages
        == []
    )


def test_a_chase_that_would_fall_after_escalation_1_is_skipped():
    settings = LocalAuthoritySettings(chase_after_due_working_days=20)
    rules = TimerRules(la_settings=settings, calendar=WorkingCalendar())
    plan = rules.plan(stage=Stage.REQUESTED, due_on=D(2027, 1, 1), escalation_1_on=None, today=D(2027, 1, 15))
    assert plan.stages == [Stage.ESCALATION_1]


def test_digest_goes_on_the_next_working_day_when_monday_is_a_bank_holiday(rules):
    assert rules.digest_at(D(2027, 5, 3)) == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=LONDON)
    assert rules.digest_at(D(2027, 5, 10)) == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    # 09:00 is London time in summer too (08:00 UTC).
    assert rules.digest_at(D(2027, 5, 10)).astimezone(datetime.UTC).hour == 8


def test_digest_instants_around_now(rules):
    monday_0830 = datetime.datetime(2027, 5, 3, 8, 30, tzinfo=LONDON)
    assert rules.digest_latest_week(monday_0830) == D(2027, 4, 26)
    assert rules.digest_next_after(monday_0830) == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=LONDON)
    tuesday_0905 = datetime.datetime(2027, 5, 4, 9, 5, tzinfo=LONDON)
    assert rules.digest_latest_week(tuesday_0905) == D(2027, 5, 3)
    assert rules.digest_next_after(tuesday_0905) == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    assert rules.digest_first_on_or_after(D(2027, 5, 4)) == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=LONDON)
    assert rules.digest_first_on_or_after(D(2027, 5, 5)) == datetime.datetime(
        2027, 5, 10, 9, 0, tzinfo=LONDON
    )


def test_week_of_is_the_monday():
    assert week_of(D(2027, 5, 9)) == D(2027, 5, 3)
    assert week_of(D(2027, 5, 3)) == D(2027, 5, 3)
