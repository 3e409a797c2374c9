"""The review's workflow as the case officer records it, in time order: each step refused when the
review's state forbids it or its date cannot be right, with nothing changed."""

import pytest
from django.core.exceptions import ValidationError

from assessments.models import AnnualReview, ReviewDecision, ReviewKind
from ehc.models import AuditEvent
from reviews import services

from .conftest import D, alignment

pytestmark = pytest.mark.django_db

PFA = {
    "pfa_employment": "Work experience at the garden centre",
    "pfa_independent_living": "Travel training",
    "pfa_community_inclusion": "Scouts on Thursdays",
    "pfa_health": "Annual health check",
}


@pytest.fixture
def review(ours, issue_plan):
    """Our LA's review of a plan issued 10 March 2026, for a child born 15 November 2014: due by the
    birthday, 15 November 2026."""
    alignment(ours.la, True)
    case = issue_plan(D(2026, 3, 10), date_of_birth=D(2014, 11, 15), last_name="O'Neill")
    return AnnualReview.objects.get(case=case)


def _refused(call, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value


def _unchanged(review):
    before = {field.attname: getattr(review, field.attname) for field in AnnualReview._meta.concrete_fields}
    after = AnnualReview.objects.get(pk=review.pk)
    return before == {name: getattr(after, name) for name in before}


def test_the_whole_review_amended_then_the_next_anchored_on_the_meeting(ours, review, travel):
    user = ours.case_officer
    travel(D(2026, 9, 1))
    services.review_arrange_meeting(review=review, user=user, meeting_on=D(2026, 11, 2))
    travel(D(2026, 11, 2))
    services.review_record_held(review=review, user=user, held_on=D(2026, 11, 2), **PFA)
    travel(D(2026, 11, 12))
    services.review_record_report(review=review, user=user, report_circulated_on=D(2026, 11, 12))
    travel(D(2026, 11, 27))
    services.review_record_decision(
        review=review,
        user=user,
        decision=ReviewDecision.AMEND,
        decision_notified_on=D(2026, 11, 27),
        decision_reason="Section F changes with the new setting",
    )
    review.refresh_from_db()
    assert review.is_open and review.amended_plan_due_on == D(2027, 1, 25)
    travel(D(2027, 1, 20))
    services.review_record_amended_plan(review=review, user=user, amended_plan_issued_on=D(2027, 1, 20))
    review.refresh_from_db()
    assert review.closed_on == D(2027, 1, 20)
    nxt = AnnualReview.objects.get(case=review.case, closed_on__isnull=True)
    # Within 12 months of the meeting, by the birthday in its second half.
    assert (nxt.anchor_on, nxt.due_on, nxt.birthday_aligned) == (D(2026, 11, 2), D(2027, 11, 2), False)
    summaries = list(AuditEvent.objects.filter(case=review.case).values_list("summary", flat=True))
    for summary in (
        "Review meeting arranged for 02/11/2026",
        "Review meeting held on 02/11/2026",
        "Review report circulated on 12/11/2026",
        "Decision notified on 27/11/2026: Amend the plan",
        "Amended plan issued on 20/01/2027",
    ):
        assert summary in summaries


def test_keeping_the_plan_closes_the_review_and_schedules_the_next(ours, review, travel):
    user = ours.case_officer
    travel(D(2026, 11, 20))
    services.review_record_held(review=review, user=user, held_on=D(2026, 11, 20), **PFA)
    services.review_record_report(review=review, user=user, report_circulated_on=D(2026, 11, 20))
    services.review_record_decision(
        review=review, user=user, decision="maintain", decision_notified_on=D(2026, 11, 20), decision_reason="Fine"
    )
    review.refresh_from_db()
    assert review.closed_on == D(2026, 11, 20)
    assert (
        "late: due by 15/11/2026" in AuditEvent.objects.filter(summary__startswith="Review meeting held").get().summary
    )
    nxt = AnnualReview.objects.get(case=review.case, closed_on__isnull=True)
    # Born 15 November: the birthday in the second half of the year from 20 November 2026.
    assert (nxt.anchor_on, nxt.due_on, nxt.birthday_aligned) == (D(2026, 11, 20), D(2027, 11, 15), True)


def test_ceasing_closes_the_review_with_none_after(ours, review, travel):
    user = ours.case_officer
    travel(D(2026, 11, 10))
    services.review_record_held(review=review, user=user, held_on=D(2026, 11, 10), **PFA)
    services.review_record_report(review=review, user=user, report_circulated_on=D(2026, 11, 10))
    services.review_record_decision(
        review=review, user=user, decision="cease", decision_notified_on=D(2026, 11, 10), decision_reason="Needs met"
    )
    assert not AnnualReview.objects.filter(case=review.case, closed_on__isnull=True).exists()
    error = _refused(
        services.review_record_amended_plan, review=review, user=user, amended_plan_issued_on=D(2026, 11, 10)
    )
    assert "closed" in error.messages[0]


def test_an_early_review_with_its_reason(ours, review, travel):
    travel(D(2026, 5, 1))
    services.review_bring_forward(
        review=review, user=ours.case_officer, due_on=D(2026, 7, 10), early_reason="Moving to secondary school"
    )
    review.refresh_from_db()
    assert (review.kind, review.due_on, review.early_reason) == (
        ReviewKind.EARLY,
        D(2026, 7, 10),
        "Moving to secondary school",
    )
    assert not review.birthday_aligned


@pytest.mark.parametrize(
    ("due_on", "reason", "field", "message"),
    [
        (D(2026, 12, 1), "Needs changed", "due_on", "must be before 15 November 2026"),
        (D(2026, 3, 1), "Needs changed", "due_on", "on or after 10 March 2026"),
        (D(2026, 4, 1), "Needs changed", "due_on", "today or later"),
        (D(2026, 7, 1), "   ", "early_reason", "Enter why the review is early"),
    ],
)
def test_an_early_review_refused(ours, review, travel, due_on, reason, field, message):
    travel(D(2026, 5, 1))
    error = _refused(
        services.review_bring_forward, review=review, user=ours.case_officer, due_on=due_on, early_reason=reason
    )
    assert message in error.message_dict[field][0]
    assert _unchanged(review)


def test_a_meeting_after_the_due_date_is_allowed_and_said_late(ours, review, travel):
    travel(D(2026, 10, 1))
    services.review_arrange_meeting(review=review, user=ours.case_officer, meeting_on=D(2026, 12, 1))
    assert AuditEvent.objects.filter(summary__contains="(after the due date, 15/11/2026)").exists()


def test_the_meeting_cannot_be_arranged_in_the_past_or_after_invitations(ours, review, travel):
    travel(D(2026, 10, 1))
    error = _refused(services.review_arrange_meeting, review=review, user=ours.case_officer, meeting_on=D(2026, 9, 1))
    assert "today or later" in error.message_dict["meeting_on"][0]
    AnnualReview.objects.filter(pk=review.pk).update(meeting_on=D(2026, 11, 2), invitations_sent_on=D(2026, 9, 20))
    error = _refused(services.review_arrange_meeting, review=review, user=ours.case_officer, meeting_on=D(2026, 11, 9))
    assert "Invitations have been sent" in error.messages[0]
    assert AnnualReview.objects.get(pk=review.pk).meeting_on == D(2026, 11, 2)


def test_the_meeting_held_needs_every_domain_and_a_sane_date(ours, review, travel):
    travel(D(2026, 11, 2))
    error = _refused(
        services.review_record_held,
        review=review,
        user=ours.case_officer,
        held_on=D(2026, 11, 3),
        **{**PFA, "pfa_health": " "},
    )
    assert error.message_dict["held_on"] == ["The date the meeting was held must be today or in the past"]
    assert error.message_dict["pfa_health"] == ["Enter what the review said about good health"]
    error = _refused(services.review_record_held, review=review, user=ours.case_officer, held_on=D(2026, 3, 9), **PFA)
    assert "on or after 10 March 2026" in error.message_dict["held_on"][0]
    assert _unchanged(review)


def test_year_9_records_the_transition_to_adult_health_services(ours, issue_plan, travel):
    # Born 1 December 2012: year 9 from September 2026.
    case = issue_plan(D(2026, 1, 15), date_of_birth=D(2012, 12, 1))
    review = AnnualReview.objects.get(case=case)
    assert review.covers_preparing_for_adulthood(case.child.date_of_birth)
    travel(D(2026, 11, 20))
    error = _refused(services.review_record_held, review=review, user=ours.case_officer, held_on=D(2026, 11, 20), **PFA)
    assert "year 9 or above" in error.message_dict["adult_services_transition"][0]
    services.review_record_held(
        review=review,
        user=ours.case_officer,
        held_on=D(2026, 11, 20),
        adult_services_transition="Referral to the adult learning disability team at 17",
        **PFA,
    )
    assert AnnualReview.objects.get(pk=review.pk).adult_services_transition.startswith("Referral")


def test_a_younger_child_needs_no_transition(ours, review, travel):
    assert not review.covers_preparing_for_adulthood(review.case.child.date_of_birth)
    travel(D(2026, 11, 2))
    services.review_record_held(review=review, user=ours.case_officer, held_on=D(2026, 11, 2), **PFA)


def test_steps_out_of_order_are_refused(ours, review, travel):
    user = ours.case_officer
    travel(D(2026, 11, 20))
    assert (
        "meeting held first"
        in _refused(
            services.review_record_report, review=review, user=user, report_circulated_on=D(2026, 11, 20)
        ).messages[0]
    )
    services.review_record_held(review=review, user=user, held_on=D(2026, 11, 10), **PFA)
    assert (
        "already recorded as held"
        in _refused(services.review_record_held, review=review, user=user, held_on=D(2026, 11, 10), **PFA).messages[0]
    )
    assert (
        "report circulated first"
        in _refused(
            services.review_record_decision,
            review=review,
            user=user,
            decision="maintain",
            decision_notified_on=D(2026, 11, 20),
            decision_reason="x",
        ).messages[0]
    )
    assert (
        "after a decision to amend"
        in _refused(
            services.review_record_amended_plan, review=review, user=user, amended_plan_issued_on=D(2026, 11, 20)
        ).messages[0]
    )
    error = _refused(services.review_record_report, review=review, user=user, report_circulated_on=D(2026, 11, 9))
    assert "on or after 10 November 2026" in error.message_dict["report_circulated_on"][0]
    services.review_record_report(review=review, user=user, report_circulated_on=D(2026, 11, 12))
    error = _refused(
        services.review_record_decision,
        review=review,
        user=user,
        decision="amend",
        decision_notified_on=D(2026, 11, 9),
        decision_reason="",
    )
    assert set(error.message_dict) == {"decision_notified_on", "decision_reason"}
    services.review_record_decision(
        review=review, user=user, decision="amend", decision_notified_on=D(2026, 11, 13), decision_reason="x"
    )
    error = _refused(
        services.review_record_amended_plan, review=review, user=user, amended_plan_issued_on=D(2026, 11, 12)
    )
    assert "on or after 13 November 2026" in error.message_dict["amended_plan_issued_on"][0]
    assert (
        "cannot be brought forward"
        in _refused(
            services.review_bring_forward, review=review, user=user, due_on=D(2026, 11, 1), early_reason="x"
        ).messages[0]
    )
