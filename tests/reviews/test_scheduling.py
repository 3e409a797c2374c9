"""The first review is scheduled with the plan, by the LA's rules; a case that ends cancels its review;
the daily run schedules the reviews of plans issued before, once however often it runs."""

import datetime

import pytest

from assessments.models import AnnualReview, CaseStatus, ReviewKind
from assessments.services import case_close
from ehc.models import AuditEvent
from reviews.services import missing_review_anchor, review_schedule_next, reviews_schedule_missing
from reviews.tasks import reviews_schedule_missing_task
from tests.factories import CaseFactory

from .conftest import BORN, D, alignment

pytestmark = pytest.mark.django_db


def _open(case):
    return AnnualReview.objects.get(case=case, closed_on__isnull=True)


def test_a_plan_issued_has_its_review_due_by_the_birthday_in_the_second_half_of_the_year(ours, issue_plan):
    alignment(ours.la, True)
    case = issue_plan(D(2026, 3, 10), date_of_birth=D(2014, 11, 15))
    review = _open(case)
    assert (review.anchor_on, review.due_on, review.birthday_aligned) == (D(2026, 3, 10), D(2026, 11, 15), True)
    assert review.kind == ReviewKind.ANNUAL
    assert review.recorded_by == ours.case_officer
    assert review.local_authority_id == ours.la.pk
    assert AuditEvent.objects.filter(
        case=case, summary__startswith="Annual review scheduled: due by 15/11/2026"
    ).exists()


def test_without_alignment_the_review_is_due_12_months_after_the_plan(ours, issue_plan):
    alignment(ours.la, False)
    review = _open(issue_plan(D(2026, 3, 10), date_of_birth=D(2014, 11, 15)))
    assert (review.due_on, review.birthday_aligned) == (D(2027, 3, 10), False)


def test_a_birthday_in_the_first_half_of_the_year_leaves_the_review_at_12_months(ours, issue_plan):
    alignment(ours.la, True)
    review = _open(issue_plan(D(2026, 3, 10), date_of_birth=D(2014, 6, 20)))
    assert (review.due_on, review.birthday_aligned) == (D(2027, 3, 10), False)


def test_a_29_february_birthday_is_due_on_28_february_in_a_common_year(ours, issue_plan):
    alignment(ours.la, True)
    review = _open(issue_plan(D(2026, 6, 1), date_of_birth=D(2016, 2, 29)))
    assert (review.due_on, review.birthday_aligned) == (D(2027, 2, 28), True)


def test_a_29_february_birthday_in_a_leap_year(ours, issue_plan):
    alignment(ours.la, True)
    review = _open(issue_plan(D(2027, 6, 1), date_of_birth=D(2016, 2, 29)))
    assert (review.due_on, review.birthday_aligned) == (D(2028, 2, 29), True)


def test_a_child_under_5_is_reviewed_within_6_months(ours, issue_plan):
    alignment(ours.la, False)
    review = _open(issue_plan(D(2026, 9, 1), date_of_birth=D(2023, 1, 10)))
    assert review.due_on == D(2027, 3, 1)


def test_a_child_under_5_with_alignment_by_the_birthday_in_the_second_half_of_6_months(ours, issue_plan):
    alignment(ours.la, True)
    review = _open(issue_plan(D(2026, 9, 1), date_of_birth=D(2023, 1, 10)))
    assert (review.due_on, review.birthday_aligned) == (D(2027, 1, 10), True)


def test_an_la_that_never_saved_its_settings_aligns_by_default(issue_plan, ours):
    from ehc.models import LocalAuthoritySettings

    LocalAuthoritySettings.objects.filter(local_authority=ours.la).delete()
    review = _open(issue_plan(D(2026, 3, 10), date_of_birth=D(2014, 11, 15)))
    assert review.due_on == D(2026, 11, 15)


def test_a_second_open_review_is_refused(ours, issue_plan):
    case = issue_plan(D(2026, 3, 10))
    with pytest.raises(ValueError, match="already has an open review"):
        review_schedule_next(case=case, anchor_on=D(2026, 4, 1), by=ours.case_officer)
    assert AnnualReview.objects.filter(case=case).count() == 1


def test_a_case_that_ends_cancels_its_open_review_with_the_reason(ours, issue_plan, travel):
    case = issue_plan(D(2026, 3, 10))
    travel(D(2026, 7, 1))
    case_close(
        case=case,
        user=ours.case_officer,
        status=CaseStatus.MOVED_AWAY,
        closed_on=D(2026, 7, 1),
        reason="Moved to Leeds",
    )
    review = AnnualReview.objects.get(case=case)
    assert review.closed_on == D(2026, 7, 1)
    assert review.cancelled_reason == "Moved away: Moved to Leeds"
    assert not AnnualReview.objects.filter(case=case, closed_on__isnull=True).exists()
    assert AuditEvent.objects.filter(case=case, summary__contains="cancelled: the case ended").exists()


def _imported_plan(ours, issued_on, date_of_birth=BORN):
    """A plan the product never saw issued: recorded straight on the case, as an import does."""
    return CaseFactory(
        local_authority=ours.la,
        status=CaseStatus.PLAN_ISSUED,
        date_of_birth=date_of_birth,
        received_on=issued_on - datetime.timedelta(weeks=20),
        final_plan_issued_on=issued_on,
        closed_on=issued_on,
    )


def test_the_daily_run_schedules_missing_reviews_and_twice_changes_nothing(ours, travel):
    alignment(ours.la, False)
    travel(D(2026, 12, 8))
    recent = _imported_plan(ours, D(2026, 5, 4))
    old = _imported_plan(ours, D(2024, 3, 1))
    assessing = CaseFactory(local_authority=ours.la, status=CaseStatus.ASSESSING)
    reviews_schedule_missing_task.delay()
    assert AnnualReview.objects.get(case=recent).due_on == D(2027, 5, 4)
    # Over 12 months old: taken as reviewed on each due date, due on the first not yet passed.
    assert (AnnualReview.objects.get(case=old).anchor_on, AnnualReview.objects.get(case=old).due_on) == (
        D(2026, 3, 1),
        D(2027, 3, 1),
    )
    assert AnnualReview.objects.get(case=old).recorded_by is None
    assert not AnnualReview.objects.filter(case=assessing).exists()
    before = (AnnualReview.objects.count(), AuditEvent.objects.count())
    reviews_schedule_missing_task.delay()
    assert reviews_schedule_missing() == 0
    assert (AnnualReview.objects.count(), AuditEvent.objects.count()) == before


def test_the_daily_run_leaves_a_plan_whose_review_closed(ours, issue_plan):
    case = issue_plan(D(2026, 3, 10))
    AnnualReview.objects.filter(case=case).update(closed_on=D(2026, 6, 1), cancelled_reason="Ceased")
    assert reviews_schedule_missing() == 0


def test_the_anchor_of_an_old_plan_with_birthday_alignment():
    # Born 15 November: each review is due by the birthday; the last passed was 15/11/2026.
    anchor = missing_review_anchor(
        date_of_birth=D(2014, 11, 15), plan_issued_on=D(2024, 3, 1), today=D(2026, 12, 8), aligned=True
    )
    assert anchor == D(2026, 11, 15)


def test_a_plan_under_12_months_old_counts_from_its_issue_even_when_its_review_is_late():
    anchor = missing_review_anchor(
        date_of_birth=D(2014, 11, 15), plan_issued_on=D(2026, 3, 1), today=D(2026, 12, 8), aligned=True
    )
    assert anchor == D(2026, 3, 1)
