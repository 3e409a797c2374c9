"""Recording the draft plan (behind the drafting gate) and the teams' comments on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from assessments.access import visible_cases
from assessments.models import CaseStatus, DraftPlan
from ehc.access import get_visible_or_404
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import OrganisationKind

from .. import selectors, services
from ..forms import DraftCommentForm, DraftPlanForm
from ..gate import draft_gate_outstanding
from .common import LA_EDITORS, _apply_error, _own_case_or_404


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def draft_plan_record(request, case_pk):
    case = _own_case_or_404(request, case_pk)
    if case.status != CaseStatus.ASSESSING:
        messages.info(request, "A draft plan can only be recorded while the case is being assessed")
        return redirect("assessments:case_detail", pk=case.pk)
    outstanding = draft_gate_outstanding(case=case)
    form = DraftPlanForm(request.POST or None, case=case)
    if request.method == "POST" and not outstanding and form.is_valid():
        try:
            services.draft_plan_record(case=case, user=request.user, **form.cleaned_data)
        except services.DraftGateClosed as closed:
            outstanding = closed.items
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Draft plan recorded: the teams that gave advice have been told")
            return redirect("assessments:case_detail", pk=case.pk)
    return render(
        request,
        "advice/draft_plan_form.html",
        {
            "form": form,
            "case": case,
            "outstanding": outstanding,
            "today": timezone.localdate(),
            "title": "Record the draft plan",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_comment(request, case_pk):
    case = get_visible_or_404(visible_cases(request.user), request, pk=case_pk)
    draft_plan = DraftPlan.objects.filter(case=case).first()
    teams = selectors.draft_teams_for(user=request.user, case=case) if draft_plan else []
    if not teams:
        raise Http404
    if not draft_plan.comments_open(timezone.localdate()):
        messages.info(request, f"The comment period ended on {draft_plan.comments_close_on:%-d %B %Y}")
        return redirect("assessments:case_detail", pk=case.pk)
    form = DraftCommentForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_comment_add(draft_plan=draft_plan, user=request.user, **form.cleaned_data)
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Comment sent to the local authority")
            return redirect(reverse("assessments:case_detail", args=[case.pk]) + "#draft-plan")
    audit_view(request, case, "the health sections of the draft plan")
    return render(
        request,
        "advice/draft_comment.html",
        {"form": form, "case": case, "draft_plan": draft_plan, "title": "Comment on the draft plan"},
    )
