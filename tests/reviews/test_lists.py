"""The review work lists (reviews.selectors): each list's definition on its edges, the counts
side by side agreeing with each list's own rows, and the need-to-know scope."""

import datetime

import pytest

from assessments.models import ReviewDecision
from ehc.models import LocalAuthoritySettings
from reviews import selectors

from .helpers import review

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)


def _keys(world, key, today=TODAY, **options):
    return set(
        selectors.work_list_reviews(user=world.case_officer, today=today, key=key, **options).values_list(
            "id", flat=True
        )
    )


def test_due_in_the_next_12_weeks_includes_the_day_12_weeks_on_and_the_past_not_a_day_later(ours):
    on_the_day = review(ours, due_on=TODAY + datetime.timedelta(weeks=12))
    day_after = review(ours, due_on=TODAY + datetime.timedelta(weeks=12) + DAY)
    past = review(ours, due_on=TODAY - 30 * DAY)
    held = review(ours, due_on=TODAY, held_on=TODAY - DAY)
    closed = review(ours, due_on=TODAY, closed_on=TODAY - DAY, cancelled_reason="Moved away")
    found = _keys(ours, "due")
    assert on_the_day.pk in found and past.pk in found
    assert not {day_after.pk, held.pk, closed.pk} & found
    # Time travel: a day later the review due a day after 12 weeks is in.
    assert day_after.pk in _keys(ours, "due", today=TODAY + DAY)


def test_invitations_listed_two_weeks_before_the_notice_date_counted_from_the_meeting_else_the_due_date(ours):
    # The invitations and health's requests go together: the longer notice, health's 6 weeks by default.
    la_settings = LocalAuthoritySettings.for_la(ours.la)
    weeks = max(la_settings.review_notice_weeks, la_settings.review_health_notice_weeks)
    notice = datetime.timedelta(weeks=weeks)
    # No meeting arranged: notice counts back from the due date.
    edge = review(ours, due_on=TODAY + 14 * DAY + notice)
    beyond = review(ours, due_on=TODAY + 15 * DAY + notice)
    # A meeting arranged earlier than the due date: notice counts back from the meeting.
    meeting_sooner = review(ours, due_on=TODAY + 200 * DAY, meeting_on=TODAY + 14 * DAY + notice)
    sent = review(ours, due_on=TODAY + 10 * DAY, invitations_sent_on=TODAY - DAY)
    overdue = review(ours, due_on=TODAY + DAY)
    found = _keys(ours, "invitations")
    assert {edge.pk, meeting_sooner.pk, overdue.pk} <= found
    assert not {beyond.pk, sent.pk} & found
    assert beyond.pk in _keys(ours, "invitations", today=TODAY + DAY)


def test_invitations_follow_the_las_notice_setting(ours):
    settings_row = LocalAuthoritySettings.for_la(ours.la)
    settings_row.review_notice_weeks = 8
    settings_row.save()
    eight_weeks = review(ours, due_on=TODAY + 14 * DAY + datetime.timedelta(weeks=8))
    assert eight_weeks.pk in _keys(ours, "invitations")
    settings_row.review_notice_weeks, settings_row.review_health_notice_weeks = 2, 10
    settings_row.save()
    assert eight_weeks.pk in _keys(ours, "invitations")
    ten_weeks = review(ours, due_on=TODAY + 14 * DAY + datetime.timedelta(weeks=10))
    assert ten_weeks.pk in _keys(ours, "invitations")


def test_reports_decisions_and_amended_plans_late_only_once_their_day_after_the_meeting_has_passed(ours):
    def held(days_ago, **fields):
        return review(ours, due_on=TODAY, held_on=TODAY - days_ago * DAY, **fields)

    report_due_today, report_late = held(14), held(15)
    report_done = held(20, report_circulated_on=TODAY - 10 * DAY)
    decision_due_today, decision_late = held(28), held(29)
    decided = held(40, decision=ReviewDecision.MAINTAIN, decision_notified_on=TODAY - 15 * DAY)
    amend_due_today = held(84, decision=ReviewDecision.AMEND, decision_notified_on=TODAY - 60 * DAY)
    amend_late = held(85, decision=ReviewDecision.AMEND, decision_notified_on=TODAY - 60 * DAY)
    amended = held(
        100, decision=ReviewDecision.AMEND, decision_notified_on=TODAY - 80 * DAY, amended_plan_issued_on=TODAY - DAY
    )
    reports = _keys(ours, "reports")
    assert report_late.pk in reports and not {report_due_today.pk, report_done.pk} & reports
    decisions = _keys(ours, "decisions")
    assert decision_late.pk in decisions and not {decision_due_today.pk, decided.pk, amend_late.pk} & decisions
    amended_plans = _keys(ours, "amended_plans")
    assert amend_late.pk in amended_plans and not {amend_due_today.pk, amended.pk, decided.pk} & amended_plans
    # The held + 28 boundary by time travel: the day after, the decision is overdue.
    assert decision_due_today.pk in _keys(ours, "decisions", today=TODAY + DAY)


def test_counts_side_by_side_are_each_lists_own_count(ours):
    review(ours, due_on=TODAY + DAY)
    review(ours, due_on=TODAY - 3 * DAY, held_on=TODAY - 40 * DAY)
    review(
        ours,
        due_on=TODAY,
        held_on=TODAY - 90 * DAY,
        report_circulated_on=TODAY - 80 * DAY,
        decision=ReviewDecision.AMEND,
        decision_notified_on=TODAY - 70 * DAY,
    )
    counts = selectors.work_list_counts(user=ours.case_officer, today=TODAY)
    for work_list in selectors.WORK_LISTS:
        own = selectors.work_list_reviews(user=ours.case_officer, today=TODAY, key=work_list.key).count()
        assert counts[work_list.key] == own, work_list.key
    assert all(counts.values())


def test_another_las_reviews_and_health_see_none(ours, theirs):
    review(theirs, due_on=TODAY)
    mine = review(ours, due_on=TODAY)
    assert _keys(ours, "due") == {mine.pk}
    for outsider in (theirs.spoc, ours.spoc, ours.slt_practitioner, ours.dco):
        assert not selectors.work_list_reviews(user=outsider, today=TODAY, key="due").exists()


def test_restricted_la_case_officer_sees_their_own_and_unassigned_cases_reviews_only(ours):
    other = ours.business_support
    own = review(ours, due_on=TODAY)
    someone_elses = review(ours, due_on=TODAY, officer=other)
    settings_row = LocalAuthoritySettings.for_la(ours.la)
    settings_row.case_access_restricted_to_team = True
    settings_row.save()
    ours.case_officer.organisation.la_settings = settings_row
    assert own.pk in _keys(ours, "due") and someone_elses.pk not in _keys(ours, "due")
    # The whole-caseload roles still see every review.
    assert selectors.work_list_reviews(user=other, today=TODAY, key="due").filter(pk=someone_elses.pk).exists()


def test_mine_is_the_officers_own_cases(ours):
    own = review(ours, due_on=TODAY)
    other = review(ours, due_on=TODAY, officer=ours.business_support)
    assert _keys(ours, "due", mine=True) == {own.pk}
    assert other.pk in _keys(ours, "due")


def test_next_step_is_the_lists_own_else_the_earliest(ours):
    row = review(ours, due_on=TODAY + 10 * DAY)
    row.notice_on = TODAY - 4 * DAY
    step = selectors.next_step(row, today=TODAY)
    assert step.label == "Send the invitations" and step.rag == "red"
    assert selectors.next_step(row, today=TODAY, step="meeting").due == TODAY + 10 * DAY
