"""The annual review's dates (assessments.review_schedule): the rules of decision 0044 on their edges."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import review_schedule as rs
from ehc.workdays import WorkingCalendar

D = datetime.date
working = WorkingCalendar().is_working_day


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 1, 31), 12, D(2027, 1, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
    ],
)
def test_months_later_keep_the_day_or_take_the_months_last(day, months, expected):
    assert rs.add_months(day, months) == expected


def test_a_29_february_birthday_is_28_february_in_other_years_and_the_age_changes_on_1_march():
    born = D(2012, 2, 29)
    assert rs.birthday_in(born, 2027) == D(2027, 2, 28)
    assert rs.birthday_in(born, 2028) == D(2028, 2, 29)
    assert rs.age_on(born, D(2027, 2, 28)) == 14
    assert rs.age_on(born, D(2027, 3, 1)) == 15
    assert rs.age_on(born, D(2028, 2, 29)) == 16


def test_under_five_on_the_day_the_period_starts_is_reviewed_within_6_months_else_12():
    born = D(2022, 6, 1)
    assert rs.review_limit(born, D(2027, 5, 31)) == D(2027, 11, 30)  # 4 the day before the 5th birthday
    assert rs.review_limit(born, D(2027, 6, 1)) == D(2028, 6, 1)  # 5 that day


def test_without_alignment_the_review_is_due_at_the_limit():
    assert rs.review_due(D(2015, 11, 15), D(2026, 3, 1), birthday_alignment=False) == D(2027, 3, 1)


def test_aligned_a_birthday_in_the_second_half_of_the_period_is_the_due_date():
    assert rs.review_due(D(2015, 11, 15), D(2026, 3, 1), birthday_alignment=True) == D(2026, 11, 15)


def test_aligned_a_birthday_soon_after_the_plan_leaves_the_limit_which_lies_just_before_the_next_birthday():
    due = rs.review_due(D(2015, 1, 20), D(2026, 1, 10), birthday_alignment=True)
    assert due == D(2027, 1, 10)
    # The next period starts at that meeting, and its limit again falls in the days before the birthday.
    assert rs.review_due(D(2015, 1, 20), due, birthday_alignment=True) == D(2028, 1, 10)


def test_aligned_a_birthday_on_the_limit_itself_is_the_due_date():
    assert rs.review_due(D(2015, 3, 1), D(2026, 3, 1), birthday_alignment=True) == D(2027, 3, 1)


def test_aligned_29_february_birthday_in_a_year_without_one_is_due_on_28_february():
    assert rs.review_due(D(2016, 2, 29), D(2026, 6, 1), birthday_alignment=True) == D(2027, 2, 28)
    assert rs.review_due(D(2016, 2, 29), D(2027, 6, 1), birthday_alignment=True) == D(2028, 2, 29)


def test_aligned_under_five_uses_the_6_month_period_and_its_second_half():
    born = D(2023, 5, 1)
    assert rs.review_due(born, D(2026, 1, 1), birthday_alignment=True) == D(2026, 5, 1)
    # A birthday in the first 3 months: the 6-month limit.
    assert rs.review_due(born, D(2026, 4, 1), birthday_alignment=True) == D(2026, 10, 1)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    born=st.dates(min_value=D(2001, 1, 1), max_value=D(2026, 1, 1)),
    offset=st.integers(min_value=0, max_value=25 * 366),
    aligned=st.booleans(),
)
def test_the_due_date_is_never_after_the_limit_nor_in_the_first_half_of_the_period(born, offset, aligned):
    anchor = born + datetime.timedelta(days=offset)
    limit = rs.review_limit(born, anchor)
    due = rs.review_due(born, anchor, birthday_alignment=aligned)
    assert due <= limit
    assert due >= rs.add_months(anchor, rs.review_months(born, anchor) // 2)
    if not aligned:
        assert due == limit
    elif due != limit:
        assert (due.month, due.day) in {(born.month, born.day), (2, 28)}


@pytest.mark.parametrize(
    ("born", "day", "year"),
    [
        (D(2013, 9, 1), D(2026, 9, 1), 8),  # the youngest of their cohort
        (D(2013, 8, 31), D(2026, 9, 1), 9),  # the oldest of the cohort above
        (D(2013, 8, 31), D(2026, 8, 31), 8),  # the last day of year 8
        (D(2020, 9, 1), D(2026, 9, 7), 1),
        (D(2021, 9, 1), D(2026, 9, 7), 0),
        (D(2022, 8, 31), D(2026, 9, 7), 0),  # Reception
    ],
)
def test_school_year_is_the_age_on_31_august_before_the_school_year_less_4(born, day, year):
    assert rs.school_year(born, day) == year
    assert rs.covers_preparing_for_adulthood(born, day) is (year >= 9)


def test_notice_due_on_easter_monday_goes_the_working_day_before_good_friday():
    meeting = D(2027, 5, 10)  # 6 weeks before: Easter Monday 29 March 2027
    assert meeting - datetime.timedelta(weeks=6) == D(2027, 3, 29)
    assert rs.notice_send_by(meeting, 6, working) == D(2027, 3, 25)
    assert rs.notice_send_by(meeting, 2, working) == D(2027, 4, 26)


def test_reports_due_on_christmas_day_are_due_the_working_day_before():
    assert rs.advice_due_by(D(2027, 1, 8), 14, working) == D(2026, 12, 24)


def test_an_la_closure_day_counts_like_a_bank_holiday_for_notice():
    meeting = D(2027, 6, 14)  # 6 weeks before: Monday 3 May 2027, a bank holiday
    closure = WorkingCalendar([D(2027, 4, 30)]).is_working_day
    assert rs.notice_send_by(meeting, 6, working) == D(2027, 4, 30)
    assert rs.notice_send_by(meeting, 6, closure) == D(2027, 4, 29)


def test_report_decision_and_amended_plan_count_from_the_meeting_in_calendar_days():
    meeting = D(2026, 12, 17)
    assert rs.report_due(meeting) == D(2026, 12, 31)
    assert rs.decision_due(meeting) == D(2027, 1, 14)
    assert rs.amended_plan_due(meeting) == D(2027, 3, 11)
