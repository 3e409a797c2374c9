"""Excepted days (docs/decisions/0017): overlapping exceptions count each day once, from the day the
clock started; a running exception counts to the day asked. Pure: no database."""

import datetime

from assessments.exception_days import excepted_days, merged_periods, moved_on

D = datetime.date


def test_one_exception_inside_the_window_counts_its_days_inclusive():
    assert excepted_days([(D(2026, 3, 10), D(2026, 3, 19))], since=D(2026, 3, 2)) == 10


def test_overlapping_exceptions_count_each_day_once():
    periods = [(D(2026, 3, 10), D(2026, 3, 19)), (D(2026, 3, 15), D(2026, 3, 24))]
    assert excepted_days(periods, since=D(2026, 3, 2)) == 15
    assert merged_periods(periods, since=D(2026, 3, 2)) == [(D(2026, 3, 10), D(2026, 3, 24))]


def test_exceptions_that_touch_merge_and_apart_stay_apart():
    touching = [(D(2026, 3, 1), D(2026, 3, 5)), (D(2026, 3, 6), D(2026, 3, 8))]
    apart = [(D(2026, 3, 1), D(2026, 3, 5)), (D(2026, 3, 7), D(2026, 3, 8))]
    assert merged_periods(touching, since=D(2026, 2, 1)) == [(D(2026, 3, 1), D(2026, 3, 8))]
    assert excepted_days(apart, since=D(2026, 2, 1)) == 7


def test_one_exception_inside_another_adds_nothing():
    periods = [(D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 3, 10), D(2026, 3, 12))]
    assert excepted_days(periods, since=D(2026, 2, 1)) == 31


def test_days_before_the_team_was_asked_do_not_count():
    assert excepted_days([(D(2026, 2, 20), D(2026, 3, 5))], since=D(2026, 3, 1)) == 5
    assert excepted_days([(D(2026, 1, 1), D(2026, 2, 28))], since=D(2026, 3, 1)) == 0


def test_a_running_exception_counts_up_to_the_day_asked_and_nothing_without_one():
    running = [(D(2026, 3, 10), None)]
    assert excepted_days(running, since=D(2026, 3, 1), until=D(2026, 3, 12)) == 3
    assert excepted_days(running, since=D(2026, 3, 1)) == 0
    # Not begun yet: nothing.
    assert excepted_days(running, since=D(2026, 3, 1), until=D(2026, 3, 9)) == 0


def test_bank_holidays_and_weekends_are_ordinary_excepted_days():
    # 25 Dec 2026 to 1 Jan 2027: Christmas, Boxing Day's substitute and New Year's Day included.
    assert excepted_days([(D(2026, 12, 25), D(2027, 1, 1))], since=D(2026, 12, 1)) == 8


def test_an_exception_over_the_leap_day():
    assert excepted_days([(D(2028, 2, 27), D(2028, 3, 1))], since=D(2028, 1, 1)) == 4


def test_a_date_moves_on_by_the_excepted_days_on_or_before_it_as_a_stopped_clock():
    since = D(2026, 3, 2)
    assert moved_on(D(2026, 4, 13), [(D(2026, 3, 10), D(2026, 3, 19))], since=since) == D(2026, 4, 23)
    # After the date: nothing moves. On the date itself: the clock stops that day.
    assert moved_on(D(2026, 4, 13), [(D(2026, 4, 14), D(2026, 4, 20))], since=since) == D(2026, 4, 13)
    assert moved_on(D(2026, 4, 13), [(D(2026, 4, 13), D(2026, 4, 14))], since=since) == D(2026, 4, 15)
    # A second exception the moved date reaches moves it on again; one it does not reach, not.
    chained = [(D(2026, 4, 10), D(2026, 4, 12)), (D(2026, 4, 15), D(2026, 4, 16))]
    assert moved_on(D(2026, 4, 13), chained, since=since) == D(2026, 4, 18)
    apart = [(D(2026, 4, 10), D(2026, 4, 12)), (D(2026, 4, 17), D(2026, 4, 18))]
    assert moved_on(D(2026, 4, 13), apart, since=since) == D(2026, 4, 16)
