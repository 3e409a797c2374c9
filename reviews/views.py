"""The review's pages: its detail, and one page a step for the LA's case officers and business
support (reviews.access). Each runs access -> form -> service -> audit; a refusal from the service
comes back on the form with nothing changed and nothing the user typed lost."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments.access import LA_EDITORS, can_edit_case, case_visibility_q
from assessments.models import AnnualReview
from ehc.access import get_visible_or_404
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import LocalAuthoritySettings, OrganisationKind, Role
from ehc.workdays import WorkingCalendar

from . import forms, services
from .access import editable_reviews
from .steps import review_view

LA_ROLES = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT, Role.AD_EDUCATION, Role.SEND_MANAGER)
RELATED = ("case__child", "case__local_authority__la_settings", "recorded_by")


def _view_of(review, user):
    case = review.case
    return review_view(
        review,
        date_of_birth=case.child.date_of_birth,
        today=services.today(),
        la_settings=LocalAuthoritySettings.of(case.local_authority),
        calendar=WorkingCalendar.for_la(case.local_authority_id),
        can_edit=can_edit_case(user, case),
    )


@role_required(*LA_ROLES, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET"])
def review_detail(request, pk):
    """The review as the LA sees it: its dates, steps and what each recorded."""
    reviews = AnnualReview.objects.filter(
        case_visibility_q(request.user, prefix="case__"), local_authority_id=request.user.organisation_id
    ).select_related(*RELATED)
    review = get_visible_or_404(reviews, request, pk=pk)
    audit_view(request, review.case, what=f"the review due {review.due_on:%d/%m/%Y}")
    view = _view_of(review, request.user)
    return render(
        request,
        "reviews/review_detail.html",
        {"case": review.case, "view": view, "review": review, "can_edit": can_edit_case(request.user, review.case)},
    )


def _step_page(request, pk, *, form_class, title, service, done, form_kwargs=None, intro=""):
    review = get_visible_or_404(editable_reviews(request.user).select_related(*RELATED), request, pk=pk)
    if not review.is_open:
        messages.info(request, "This review is closed: nothing more can be recorded on it")
        return redirect("reviews:detail", pk=review.pk)
    kwargs = (form_kwargs or (lambda review: {}))(review)
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(review=review, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("assessments:case_detail", pk=review.case_id)
    return render(
        request,
        "reviews/step_form.html",
        {"form": form, "case": review.case, "review": review, "title": title, "intro": intro},
    )


EDIT = {"org_kind": OrganisationKind.LOCAL_AUTHORITY}


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def arrange_meeting(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.MeetingForm,
        title="Arrange the review meeting",
        service=services.review_arrange_meeting,
        done="Review meeting date saved",
        intro="Arrange it before the invitations and requests for advice go: health needs at least 6 weeks' notice.",
    )


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def bring_forward(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.EarlyForm,
        title="Bring the review forward",
        service=services.review_bring_forward,
        done="The review is now an early review",
    )


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def record_held(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.HeldForm,
        title="Record the review meeting held",
        service=services.review_record_held,
        done="Review meeting recorded",
        form_kwargs=lambda review: {
            "date_of_birth": review.case.child.date_of_birth,
            "planned_on": review.meeting_date,
        },
        intro="Record what the review said under each of the four Preparing for Adulthood domains, whatever the "
        "child's age.",
    )


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def record_report(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.ReportForm,
        title="Record the review report circulated",
        service=services.review_record_report,
        done="Review report recorded",
    )


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def record_decision(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.DecisionForm,
        title="Record the local authority's decision",
        service=services.review_record_decision,
        done="Decision recorded",
    )


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def record_amended_plan(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.AmendedPlanForm,
        title="Record the amended plan issued",
        service=services.review_record_amended_plan,
        done="Amended plan recorded",
    )


@role_required(*LA_EDITORS, **EDIT)
@require_http_methods(["GET", "POST"])
def moved_away(request, pk):
    return _step_page(
        request,
        pk,
        form_class=forms.MovedAwayForm,
        title="The child moved to another council",
        service=services.plan_end_moved_away,
        done="The case has ended: moved away. Its review is cancelled",
        intro="The new council takes the plan on and reviews it. This ends the case here and cancels the open review.",
    )
