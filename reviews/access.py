"""Who may see and act on a review: a review is seen by whoever may see its case
(assessments.access), and recorded by the LA's own staff who may record the case's steps
(assessments.access.can_edit_case). Anyone else gets a 404."""

from assessments.access import LA_EDITORS, case_visibility_q
from assessments.models import AnnualReview


def editable_reviews(user):
    """The reviews `user` may record steps on: those of their own LA's cases they may see."""
    if user.organisation_id is None or not user.has_role(*LA_EDITORS):
        return AnnualReview.objects.none()
    return AnnualReview.objects.filter(
        case_visibility_q(user, prefix="case__"), local_authority_id=user.organisation_id
    )
