"""When each plan's review falls due: the first when the final plan is issued, the next when a review
closes, and those of plans issued before the product scheduled reviews (the daily run). The dates are
`assessments.review_schedule`'s, with the LA's choice of birthday alignment read at scheduling
(docs/decisions/0044-annual-reviews.md)."""

import datetime
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from assessments import review_schedule
from assessments.models import AnnualReview, Case, CaseStatus, ReviewKind
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings

logger = logging.getLogger(__name__)


def birthday_alignment_of(local_authority_id) -> bool:
    """The LA's setting, or the default (aligned) for an LA that never saved its settings."""
    aligned = (
        LocalAuthoritySettings.objects.filter(local_authority_id=local_authority_id)
        .values_list("review_birthday_alignment", flat=True)
        .first()
    )
    if aligned is None:
        return LocalAuthoritySettings._meta.get_field("review_birthday_alignment").default
    return aligned


def review_due_for(*, date_of_birth: datetime.date, anchor_on: datetime.date, aligned: bool):
    """(due date, whether it landed on the child's birthday)."""
    due_on = review_schedule.review_due(date_of_birth, anchor_on, birthday_alignment=aligned)
    on_birthday = aligned and due_on == review_schedule.birthday_in(date_of_birth, due_on.year)
    return due_on, on_birthday


def _create(*, case, anchor_on, by, aligned: bool, why: str) -> AnnualReview:
    due_on, on_birthday = review_due_for(date_of_birth=case.child.date_of_birth, anchor_on=anchor_on, aligned=aligned)
    review = AnnualReview.objects.create(
        case=case,
        local_authority_id=case.local_authority_id,
        kind=ReviewKind.ANNUAL,
        anchor_on=anchor_on,
        due_on=due_on,
        birthday_aligned=on_birthday,
        recorded_by=by,
    )
    audit_record(
        user=by,
        action=AuditAction.CREATE,
        case=case,
        obj=review,
        summary=f"Annual review scheduled: due by {due_on:%d/%m/%Y}"
        + (" (the child's birthday)" if on_birthday else "")
        + f", {why}",
    )
    return review


@transaction.atomic
def review_schedule_next(*, case, anchor_on: datetime.date, by) -> AnnualReview:
    """The case's next review, due within 12 months (6 under 5) of `anchor_on`: the plan's issue or
    the previous review's meeting (Children and Families Act 2014 s.44(1)). One open review a case:
    refused while one is open."""
    if AnnualReview.objects.filter(case=case, closed_on__isnull=True).exists():
        raise ValueError(f"{case.reference} already has an open review")
    return _create(
        case=case,
        anchor_on=anchor_on,
        by=by,
        aligned=birthday_alignment_of(case.local_authority_id),
        why=f"counted from {anchor_on:%d/%m/%Y}",
    )


def first_review_on_plan_issued(sender, *, case, on, by=None, **kwargs):
    """`assessments.signals.plan_issued`: the plan's first review, in the transaction that recorded
    the plan. A case that has had reviews already (a plan recorded again) keeps them."""
    if not AnnualReview.objects.filter(case=case).exists():
        review_schedule_next(case=case, anchor_on=on, by=by)


def missing_review_anchor(*, date_of_birth, plan_issued_on, today, aligned) -> datetime.date:
    """Where the first review the product schedules for an older plan counts from.

    A plan issued in the last 12 months counts from its issue, like a new one: its review may then
    already be late, and shows so. A plan over 12 months old has had reviews the product never saw;
    we take each as held on its due date, so the review counts from the last due date that has
    passed and is due on the first that has not (due dates by the LA's rules: 12 months, 6 under 5,
    its birthday alignment). The case officer corrects it by bringing the review forward.
    """
    anchor = plan_issued_on
    if review_schedule.add_months(plan_issued_on, review_schedule.REVIEW_MONTHS) >= today:
        return anchor
    while (due := review_schedule.review_due(date_of_birth, anchor, birthday_alignment=aligned)) < today:
        anchor = due
    return anchor


def _cases_missing_a_review():
    return Case.objects.filter(status=CaseStatus.PLAN_ISSUED, final_plan_issued_on__isnull=False).filter(
        ~Exists(AnnualReview.objects.filter(case_id=OuterRef("pk")))
    )


def reviews_schedule_missing(*, today: datetime.date | None = None) -> int:
    """Schedule the review of every issued plan that has none (imported caseloads, plans issued
    before reviews were scheduled). Safe to run twice, and side by side: each case is locked and
    checked again in its own transaction, so a case gets one review however many runs see it.
    Returns how many it scheduled."""
    today = today or timezone.localdate()
    scheduled = 0
    aligned_by_la = {}
    for case_id in _cases_missing_a_review().order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = (
                _cases_missing_a_review()
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("child")
                .filter(pk=case_id)
                .first()
            )
            if case is None:  # another run has it, or scheduled it
                continue
            la_id = case.local_authority_id
            if la_id not in aligned_by_la:
                aligned_by_la[la_id] = birthday_alignment_of(la_id)
            anchor_on = missing_review_anchor(
                date_of_birth=case.child.date_of_birth,
                plan_issued_on=case.final_plan_issued_on,
                today=today,
                aligned=aligned_by_la[la_id],
            )
            _create(
                case=case,
                anchor_on=anchor_on,
                by=None,
                aligned=aligned_by_la[la_id],
                why=f"counted from {anchor_on:%d/%m/%Y} (plan issued {case.final_plan_issued_on:%d/%m/%Y}; daily run)",
            )
            scheduled += 1
    if scheduled:
        logger.info("reviews scheduled for issued plans without one", extra={"scheduled": scheduled})
    return scheduled


def open_review_cancel_on_case_ended(sender, *, case, on, **kwargs):
    """`assessments.signals.case_ended` (moved away, withdrawn): the open review will not happen.
    Closed with the case's reason, in the transaction that ended the case."""
    review = AnnualReview.objects.select_for_update().filter(case=case, closed_on__isnull=True).first()
    if review is None:
        return
    reason = case.closed_reason or CaseStatus(case.status).label
    review.cancelled_reason = f"{CaseStatus(case.status).label}: {reason}" if case.closed_reason else reason
    review.closed_on = on
    review.save(update_fields=["cancelled_reason", "closed_on", "updated_at"])
    audit_record(
        user=None,
        action=AuditAction.CHANGE,
        case=case,
        obj=review,
        summary=f"Review due {review.due_on:%d/%m/%Y} cancelled: the case ended ({CaseStatus(case.status).label})",
    )
