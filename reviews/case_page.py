"""The case page's "Annual reviews" section (registered in `ReviewsConfig.ready()`; see
assessments.sections): the open review's steps with their due dates and RAG, and the earlier reviews.
Its rows travel with the case row, so the page makes no more queries. Whoever may see the case sees
the section; only the LA's own editors get the links that record a step."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from assessments.access import can_edit_case
from assessments.models import AnnualReview, CaseStatus
from assessments.sections import CaseSection
from ehc.json_rows import as_instances, concrete_fields, json_rows
from ehc.models import ClosureDay, LocalAuthoritySettings
from ehc.workdays import WorkingCalendar

from .steps import review_view


def _annotate(user, case):
    return {
        "review_rows": json_rows(
            AnnualReview.objects.filter(case_id=case).order_by("-due_on", "-id"), *concrete_fields(AnnualReview)
        ),
        # The LA's closure days, for the last working day to send the invitations.
        "review_closure_days": ArraySubquery(
            ClosureDay.objects.filter(local_authority_id=OuterRef("local_authority_id")).values("date")
        ),
    }


def _build(*, case, user, today, read):
    reviews = as_instances(AnnualReview, case.review_rows)
    if not reviews and case.status != CaseStatus.PLAN_ISSUED:
        return None
    can_edit = can_edit_case(user, case)
    la_settings = LocalAuthoritySettings.of(case.local_authority)
    calendar = WorkingCalendar(case.review_closure_days or ())
    dob = case.child.date_of_birth
    open_review = next((review for review in reviews if review.is_open), None)
    return {
        "open": review_view(
            open_review, date_of_birth=dob, today=today, la_settings=la_settings, calendar=calendar, can_edit=can_edit
        )
        if open_review
        else None,
        "earlier": [review for review in reviews if not review.is_open],
        "can_edit": can_edit,
        # The review's own page is the LA's (reviews.views.review_detail).
        "is_la": user.organisation_id == case.local_authority_id,
        "birthday_alignment": la_settings.review_birthday_alignment,
    }


REVIEWS_SECTION = CaseSection(
    name="reviews_panel",
    template="reviews/_case_reviews.html",
    order=3,
    annotate=_annotate,
    build=_build,
    build_order=50,
)
