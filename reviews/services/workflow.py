"""The review's workflow, as the council's case officers record it: the meeting arranged (or the review
brought forward), the meeting held, the report circulated, the LA's decision, the amended plan.

Each service is one transaction on the review's locked row, audited, and refuses what the review's
state forbids or dates that cannot be right with a `ValidationError` whose messages name the form's
fields (nothing is written then). Keeping the plan, or issuing the amended plan, closes the review and
schedules the next, counted from the meeting (s.44(1): within 12 months of the previous review);
ceasing closes it with none. Sending invitations and requests for advice, and moving the meeting
after they went, are the advice app's (health's notice, reg. 20(3)).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments import review_schedule
from assessments.models import AnnualReview, CaseStatus, ReviewDecision, ReviewKind
from assessments.services import case_close
from ehc.audit import audit_record
from ehc.models import AuditAction

from .scheduling import review_schedule_next

TRANSITION_NEEDED = "Enter how health will plan the move to adult services: the young person is in year 9 or above"
PFA_FIELDS = ("pfa_employment", "pfa_independent_living", "pfa_community_inclusion", "pfa_health")


def _locked(review) -> AnnualReview:
    return AnnualReview.objects.select_for_update().select_related("case__child").get(pk=review.pk)


def _refuse_unless_open(review):
    if not review.is_open:
        raise ValidationError("This review is closed: nothing more can be recorded on it")


def _check(errors: dict):
    if errors:
        raise ValidationError(errors)


def _not_future(errors, name, value, label):
    if value > timezone.localdate():
        errors.setdefault(name, f"{label} must be today or in the past")


def _on(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _audit(review, user, summary, action=AuditAction.CHANGE):
    audit_record(user=user, action=action, case=review.case, obj=review, summary=summary)


@transaction.atomic
def review_arrange_meeting(*, review, user, meeting_on: datetime.date) -> AnnualReview:
    """The day the meeting is planned for, before invitations go (after that, moving it is the
    advice app's, which tells those invited). A day after the review is due is allowed: the review
    then shows late."""
    review = _locked(review)
    _refuse_unless_open(review)
    if review.held_on is not None:
        raise ValidationError("The meeting has been held: record what followed it instead")
    if review.invitations_sent_on is not None:
        raise ValidationError(
            'Invitations have been sent for this meeting: move it with "Move the meeting", so that everyone '
            "invited is told"
        )
    errors = {}
    if meeting_on < review.anchor_on:
        errors["meeting_on"] = (
            f"The date of the review meeting must be on or after {review.anchor_on:%-d %B %Y}, when the review "
            "period started"
        )
    elif meeting_on < timezone.localdate():
        errors["meeting_on"] = (
            "The date of the review meeting must be today or later: for a meeting already held, record the meeting held"
        )
    _check(errors)
    before = review.meeting_on
    review.meeting_on = meeting_on
    review.save(update_fields=["meeting_on", "updated_at"])
    late = f" (after the due date, {_on(review.due_on)})" if meeting_on > review.due_on else ""
    moved = f", was {_on(before)}" if before else ""
    _audit(review, user, f"Review meeting arranged for {_on(meeting_on)}{late}{moved}")
    return review


@transaction.atomic
def review_bring_forward(*, review, user, due_on: datetime.date, early_reason: str) -> AnnualReview:
    """An early review (Code of Practice 9.174: when needs change, or at a school or college
    transfer): due earlier than it was, with the reason kept."""
    review = _locked(review)
    _refuse_unless_open(review)
    if review.held_on is not None:
        raise ValidationError("The meeting has been held: the review cannot be brought forward")
    errors = {}
    if due_on >= review.due_on:
        errors["due_on"] = f"The new due date must be before {review.due_on:%-d %B %Y}, when the review is due now"
    elif due_on < review.anchor_on:
        errors["due_on"] = f"The new due date must be on or after {review.anchor_on:%-d %B %Y}, when the period started"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The new due date must be today or later"
    if not early_reason.strip():
        errors["early_reason"] = "Enter why the review is early"
    _check(errors)
    before = review.due_on
    review.kind = ReviewKind.EARLY
    review.early_reason = early_reason.strip()
    review.due_on = due_on
    review.birthday_aligned = False
    review.save(update_fields=["kind", "early_reason", "due_on", "birthday_aligned", "updated_at"])
    _audit(review, user, f"Review brought forward: due by {_on(due_on)}, was {_on(before)}")
    return review


@transaction.atomic
def review_record_held(
    *,
    review,
    user,
    held_on: datetime.date,
    pfa_employment: str,
    pfa_independent_living: str,
    pfa_community_inclusion: str,
    pfa_health: str,
    adult_services_transition: str = "",
) -> AnnualReview:
    """The meeting held, with the four Preparing for Adulthood domains at every review whatever the
    child's age (Torbay's ask), and from year 9 how health moves the young person to adult services
    (Code of Practice 8.9, 9.166)."""
    review = _locked(review)
    _refuse_unless_open(review)
    if review.held_on is not None:
        raise ValidationError(f"The meeting is already recorded as held on {review.held_on:%-d %B %Y}")
    domains = {
        "pfa_employment": pfa_employment,
        "pfa_independent_living": pfa_independent_living,
        "pfa_community_inclusion": pfa_community_inclusion,
        "pfa_health": pfa_health,
    }
    errors = {}
    if held_on < review.anchor_on:
        errors["held_on"] = (
            f"The date the meeting was held must be on or after {review.anchor_on:%-d %B %Y}, when the review period "
            "started"
        )
    elif review.invitations_sent_on and held_on < review.invitations_sent_on:
        errors["held_on"] = (
            f"The date the meeting was held must be on or after {review.invitations_sent_on:%-d %B %Y}, when the "
            "invitations were sent"
        )
    _not_future(errors, "held_on", held_on, "The date the meeting was held")
    for name, text in domains.items():
        if not text.strip():
            label = AnnualReview._meta.get_field(name).verbose_name.split(": ")[1]
            errors[name] = f"Enter what the review said about {label}"
    transition = review_schedule.covers_preparing_for_adulthood(review.case.child.date_of_birth, held_on)
    if transition and not adult_services_transition.strip():
        errors["adult_services_transition"] = TRANSITION_NEEDED
    _check(errors)
    review.held_on = held_on
    for name, text in domains.items():
        setattr(review, name, text.strip())
    review.adult_services_transition = adult_services_transition.strip()
    review.save(update_fields=["held_on", *PFA_FIELDS, "adult_services_transition", "updated_at"])
    late = "" if held_on <= review.due_on else f" (late: due by {_on(review.due_on)})"
    _audit(review, user, f"Review meeting held on {_on(held_on)}{late}")
    return review


def _refuse_unless_held(review):
    if review.held_on is None:
        raise ValidationError("Record the meeting held first")


@transaction.atomic
def review_record_report(*, review, user, report_circulated_on: datetime.date) -> AnnualReview:
    """The review report sent to everyone invited (reg. 20(7): within 2 weeks of the meeting)."""
    review = _locked(review)
    _refuse_unless_open(review)
    _refuse_unless_held(review)
    if review.report_circulated_on is not None:
        raise ValidationError(
            f"The report is already recorded as circulated on {review.report_circulated_on:%-d %B %Y}"
        )
    errors = {}
    if report_circulated_on < review.held_on:
        errors["report_circulated_on"] = (
            f"The date the report was circulated must be on or after {review.held_on:%-d %B %Y}, when the meeting "
            "was held"
        )
    _not_future(errors, "report_circulated_on", report_circulated_on, "The date the report was circulated")
    _check(errors)
    review.report_circulated_on = report_circulated_on
    review.save(update_fields=["report_circulated_on", "updated_at"])
    late = "" if report_circulated_on <= review.report_due_on else f" (late: due by {_on(review.report_due_on)})"
    _audit(review, user, f"Review report circulated on {_on(report_circulated_on)}{late}")
    return review


def _close_and_schedule_next(review, user, closed_on):
    review.closed_on = closed_on
    review.save(update_fields=["closed_on", "updated_at"])
    return review_schedule_next(case=review.case, anchor_on=review.held_on, by=user)


@transaction.atomic
def review_record_decision(
    *, review, user, decision: str, decision_notified_on: datetime.date, decision_reason: str
) -> AnnualReview:
    """The LA's decision to keep, amend or cease the plan, notified to the child's parent or the young
    person (reg. 20(10): within 4 weeks of the meeting), after the report. Keeping the plan closes the
    review and schedules the next from the meeting; ceasing closes it with none (the plan ends);
    amending leaves it open for the amended plan."""
    review = _locked(review)
    _refuse_unless_open(review)
    _refuse_unless_held(review)
    if review.decision:
        raise ValidationError(f"The decision is already recorded: {review.get_decision_display().lower()}")
    if review.report_circulated_on is None:
        raise ValidationError("Record the review report circulated first: the decision follows the report")
    errors = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = "Select the local authority's decision"
    if decision_notified_on < review.held_on:
        errors["decision_notified_on"] = (
            f"The date the decision was notified must be on or after {review.held_on:%-d %B %Y}, when the meeting "
            "was held"
        )
    _not_future(errors, "decision_notified_on", decision_notified_on, "The date the decision was notified")
    if not decision_reason.strip():
        errors["decision_reason"] = "Enter the reasons for the decision"
    _check(errors)
    review.decision = decision
    review.decision_notified_on = decision_notified_on
    review.decision_reason = decision_reason.strip()
    review.save(update_fields=["decision", "decision_notified_on", "decision_reason", "updated_at"])
    late = "" if decision_notified_on <= review.decision_due_on else f" (late: due by {_on(review.decision_due_on)})"
    _audit(review, user, f"Decision notified on {_on(decision_notified_on)}: {review.get_decision_display()}{late}")
    if decision == ReviewDecision.MAINTAIN:
        _close_and_schedule_next(review, user, decision_notified_on)
    elif decision == ReviewDecision.CEASE:
        review.closed_on = decision_notified_on
        review.save(update_fields=["closed_on", "updated_at"])
    return review


@transaction.atomic
def review_record_amended_plan(*, review, user, amended_plan_issued_on: datetime.date) -> AnnualReview:
    """The amended plan issued (reg. 22(3) read with 20(10): within 12 weeks of the meeting). Closes
    the review and schedules the next from the meeting."""
    review = _locked(review)
    _refuse_unless_open(review)
    if review.decision != ReviewDecision.AMEND:
        raise ValidationError("An amended plan is recorded only after a decision to amend the plan")
    errors = {}
    if amended_plan_issued_on < review.decision_notified_on:
        errors["amended_plan_issued_on"] = (
            f"The date the amended plan was issued must be on or after {review.decision_notified_on:%-d %B %Y}, when "
            "the decision to amend was notified"
        )
    _not_future(errors, "amended_plan_issued_on", amended_plan_issued_on, "The date the amended plan was issued")
    _check(errors)
    review.amended_plan_issued_on = amended_plan_issued_on
    review.save(update_fields=["amended_plan_issued_on", "updated_at"])
    due = review.amended_plan_due_on
    late = "" if amended_plan_issued_on <= due else f" (late: due by {_on(due)})"
    _audit(review, user, f"Amended plan issued on {_on(amended_plan_issued_on)}{late}")
    _close_and_schedule_next(review, user, amended_plan_issued_on)
    return review


@transaction.atomic
def plan_end_moved_away(*, review, user, moved_on: datetime.date, reason: str):
    """The child or young person moved to another LA, which takes the plan on (reg. 15): the case
    ends as moved away (assessments.services.case_close), which cancels the open review with the
    reason (`case_ended`) and stops any advice timer."""
    review = _locked(review)
    _refuse_unless_open(review)
    case = review.case
    if case.status != CaseStatus.PLAN_ISSUED:
        raise ValidationError("Only a case whose plan has been issued ends here")
    errors = {}
    if case.final_plan_issued_on and moved_on < case.final_plan_issued_on:
        errors["moved_on"] = (
            f"The date the child moved must be on or after {case.final_plan_issued_on:%-d %B %Y}, when the plan "
            "was issued"
        )
    _not_future(errors, "moved_on", moved_on, "The date the child moved")
    if not reason.strip():
        errors["reason"] = "Enter where the child moved to and what was sent to the new council"
    _check(errors)
    return case_close(case=case, user=user, status=CaseStatus.MOVED_AWAY, closed_on=moved_on, reason=reason.strip())
