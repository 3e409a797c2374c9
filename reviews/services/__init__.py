"""Workflows of the annual review (docs/decisions/0044-annual-reviews.md): scheduling each review
(`scheduling`) and the steps the case officer records (`workflow`). Every name is re-exported here,
so `from reviews import services` and `from reviews.services import X` work."""

from django.utils import timezone

from .scheduling import (
    first_review_on_plan_issued,
    missing_review_anchor,
    open_review_cancel_on_case_ended,
    review_due_for,
    review_schedule_next,
    reviews_schedule_missing,
)
from .workflow import (
    PFA_FIELDS,
    plan_end_moved_away,
    review_arrange_meeting,
    review_bring_forward,
    review_record_amended_plan,
    review_record_decision,
    review_record_held,
    review_record_report,
)


def today():
    return timezone.localdate()


__all__ = [
    "PFA_FIELDS",
    "first_review_on_plan_issued",
    "missing_review_anchor",
    "open_review_cancel_on_case_ended",
    "plan_end_moved_away",
    "review_arrange_meeting",
    "review_bring_forward",
    "review_due_for",
    "review_record_amended_plan",
    "review_record_decision",
    "review_record_held",
    "review_record_report",
    "review_schedule_next",
    "reviews_schedule_missing",
    "today",
]
