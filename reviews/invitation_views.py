"""The case officer's pages for health's side of a review: sending the invitations and requests for
advice, and moving the meeting after they went. For the LA's people who may record steps on the case
(reviews.access.editable_reviews, as the review's own pages), on a review of their own LA's case;
anyone else gets a 404."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advice.models import AdviceRequest
from advice.services import AdviceError, review_advice_due
from assessments.access import LA_EDITORS
from ehc.access import get_visible_or_404
from ehc.decorators import role_required
from ehc.models import LocalAuthoritySettings, OrganisationKind

from .access import editable_reviews
from .invitation_forms import InvitationsForm, MeetingMoveForm
from .invitations import invitations_send, providers_asked_before, review_meeting_move, review_notice


def _own_review_or_404(request, pk):
    return get_visible_or_404(
        editable_reviews(request.user).select_related("case__child", "local_authority"), request, pk=pk
    )


def _apply_error(form, error: AdviceError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _case_page(review):
    return redirect("assessments:case_detail", pk=review.case_id)


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def invitations(request, pk):
    review = _own_review_or_404(request, pk)
    if review.closed_on is not None:
        messages.info(request, "The review has ended: there is nothing more to send")
        return _case_page(review)
    today = timezone.localdate()
    context = {"review": review, "case": review.case, "today": today}
    if review.meeting_on is None:
        # Nothing to send before the date is set: the page says so rather than offering a form.
        return render(request, "reviews/invitations.html", context)
    asked = list(AdviceRequest.objects.filter(review=review).select_related("provider").order_by("provider__name"))
    notice = review_notice(review)
    form = InvitationsForm(
        request.POST or None,
        review=review,
        asked_ids=[advice_request.provider_id for advice_request in asked],
        initial_providers=providers_asked_before(review),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = invitations_send(
                review,
                providers=list(form.cleaned_data["providers"]),
                message=form.cleaned_data["message"],
                by=request.user,
                today=today,
                short_notice_confirmed=form.cleaned_data["short_notice_confirmed"],
            )
        except AdviceError as error:
            _apply_error(form, error)
        else:
            asked_now = ", ".join(str(advice_request.provider) for advice_request in sent)
            messages.success(
                request,
                "Invitations recorded as sent"
                + (f"; health's report asked of {asked_now}, due {sent[0].due_on:%-d %B %Y}" if sent else ""),
            )
            return _case_page(review)
    context.update(
        form=form,
        asked=asked,
        notice=notice,
        late=notice.invitations_late(today),
        health_late=notice.health_late(today),
        report_due_on=review_advice_due(review),
        timings=LocalAuthoritySettings.for_la(review.local_authority).timings(),
    )
    return render(request, "reviews/invitations.html", context)


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def meeting_move(request, pk):
    review = _own_review_or_404(request, pk)
    if review.closed_on is not None or review.meeting_on is None or review.invitations_sent_on is None:
        messages.info(request, "The meeting can be moved here once the invitations have gone")
        return _case_page(review)
    form = MeetingMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_meeting_move(
                review,
                meeting_on=form.cleaned_data["meeting_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                today=timezone.localdate(),
            )
        except AdviceError as error:
            _apply_error(form, error)
        else:
            review.refresh_from_db()
            messages.success(
                request,
                f"Meeting moved to {review.meeting_on:%-d %B %Y}; health's reports now due "
                f"{review_advice_due(review):%-d %B %Y} and each SPOC told",
            )
            return _case_page(review)
    asked = list(AdviceRequest.objects.filter(review=review).select_related("provider").order_by("provider__name"))
    return render(
        request, "reviews/meeting_move.html", {"review": review, "case": review.case, "form": form, "asked": asked}
    )
