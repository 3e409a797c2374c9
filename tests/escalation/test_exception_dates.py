"""The moved dates of an excepted item (docs/decisions/0017): due date + excepted calendar days, the
chase and escalation 1 re-derived with the working-day rules, escalation 2 moved by the days after
the letter. Pure: no database."""

import datetime

import pytest

from advice.models import Stage
from ehc.models import LocalAuthoritySettings
from ehc.workdays import WorkingCalendar
from escalation.exceptions import moved_dates
from escalation.rules import TimerRules

D = datetime.date


@pytest.fixture
def rules():
    return TimerRules(la_settings=LocalAuthoritySettings(), calendar=WorkingCalendar())


def dates(rules, *, stage=Stage.REQUESTED, asked_on, periods, escalation_1_on=None, today=None):
    return moved_dates(
        rules=rules,
        stage=stage,
        asked_on=asked_on,
        original_due_on=asked_on + datetime.timedelta(days=42),
        escalation_1_on=escalation_1_on,
        periods=periods,
        today=today or asked_on,
    )


def test_no_exception_moves_nothing(rules):
    moved = dates(rules, asked_on=D(2026, 3, 2), periods=[])
    assert moved.due_on == moved.original_due_on == D(2026, 4, 13)
    assert moved.next_on == moved.original_next_on == D(2026, 4, 14)  # the chase
    assert moved.next_stage == Stage.CHASED and not moved.moved


def test_ten_days_inside_the_window_move_the_due_date_and_the_chase(rules):
    moved = dates(rules, asked_on=D(2026, 3, 2), periods=[(D(2026, 3, 10), D(2026, 3, 19))])
    assert moved.excepted_days == 10
    assert moved.due_on == D(2026, 4, 23)
    assert moved.next_on == D(2026, 4, 24)
    assert moved.moved and moved.next_label == "Chase"


def test_moved_due_date_on_a_bank_holiday_chases_the_next_working_day(rules):
    # Asked 20 Nov 2026: due 1 Jan 2027 (a bank holiday). An exception of 7 days moves the due date
    # to Friday 8 Jan; one of 3 days to Monday 4 Jan; one over Christmas (25 Dec - 28 Dec, 4 days,
    # Boxing Day's substitute included) to 5 Jan.
    asked = D(2026, 11, 20)
    week = dates(rules, asked_on=asked, periods=[(D(2026, 11, 23), D(2026, 11, 29))])
    assert (week.due_on, week.next_on) == (D(2027, 1, 8), D(2027, 1, 11))
    christmas = dates(rules, asked_on=asked, periods=[(D(2026, 12, 25), D(2026, 12, 28))])
    assert christmas.excepted_days == 4
    assert (christmas.due_on, christmas.next_on) == (D(2027, 1, 5), D(2027, 1, 6))


def test_chased_item_moves_its_escalation_1(rules):
    moved = dates(rules, stage=Stage.CHASED, asked_on=D(2026, 3, 2), periods=[(D(2026, 4, 20), D(2026, 4, 26))])
    # Due 13 Apr, escalation 1 on 27 Apr; 7 excepted days after the due date and before the letter:
    # the due date stays, the letter moves to 4 May (the early May bank holiday) so Tuesday 5 May.
    assert moved.original_next_on == D(2026, 4, 27)
    assert (moved.due_on, moved.next_on) == (D(2026, 4, 13), D(2026, 5, 5))
    assert moved.next_label == "Escalation 1"


def test_escalation_2_moves_only_by_the_days_after_the_letter(rules):
    moved = dates(
        rules,
        stage=Stage.ESCALATION_1,
        asked_on=D(2026, 3, 2),
        escalation_1_on=D(2026, 4, 27),
        periods=[(D(2026, 3, 9), D(2026, 3, 13)), (D(2026, 4, 29), D(2026, 5, 1))],
    )
    assert moved.excepted_days == 8
    assert moved.original_next_on == D(2026, 5, 11)
    # 3 days after the letter: 14 May.
    assert moved.next_on == D(2026, 5, 14)
    assert moved.next_label == "Escalation 2"


def test_a_running_exception_counts_to_today(rules):
    moved = dates(rules, asked_on=D(2026, 3, 2), periods=[(D(2026, 3, 10), None)], today=D(2026, 3, 20))
    assert moved.excepted_days == 11
    assert moved.due_on == D(2026, 4, 24)


def test_after_escalation_2_nothing_is_left_to_move_but_the_due_date(rules):
    moved = dates(
        rules,
        stage=Stage.ESCALATION_2,
        asked_on=D(2026, 3, 2),
        escalation_1_on=D(2026, 4, 27),
        periods=[(D(2026, 5, 20), D(2026, 5, 29))],
    )
    assert moved.next_on is None and moved.original_next_on is None
    # The exception came after the due date: it stays.
    assert moved.due_on == D(2026, 4, 13)


def test_an_exception_starting_on_the_due_date_moves_it_and_one_after_the_letter_date_does_not(rules):
    on_due = dates(rules, asked_on=D(2026, 3, 2), periods=[(D(2026, 4, 13), D(2026, 4, 14))])
    assert (on_due.due_on, on_due.next_on) == (D(2026, 4, 15), D(2026, 4, 16))
    late = dates(rules, stage=Stage.CHASED, asked_on=D(2026, 3, 2), periods=[(D(2026, 4, 28), D(2026, 5, 8))])
    assert (late.due_on, late.next_on) == (D(2026, 4, 13), D(2026, 4, 27))
