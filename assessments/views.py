from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ehc.access import get_visible_or_404, works_on_cases
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role

from . import selectors, services, sharing
from .access import LA_EDITORS, can_edit_case, visible_cases
from .children import IDENTITY_FIELDS
from .duplicates import possible_duplicates
from .forms import (
    CaseFilterForm,
    CaseForm,
    CaseOfficerForm,
    CloseForm,
    DecisionForm,
    FinalPlanForm,
    NotIssuingForm,
    SearchForm,
    ShareForm,
)
from .identifiers import nhs_number_display
from .models import CaseShare, CaseStatus
from .search import RESULTS_SHOWN, SearchError, search_cases, search_parse
from .sections import case_sections

LA_ROLES = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT, Role.AD_EDUCATION, Role.SEND_MANAGER)


def _editable_case_or_404(request, pk):
    """A case of the user's own LA, for people who may record steps on it."""
    case = get_visible_or_404(visible_cases(request.user), request, pk=pk)
    if case.local_authority_id != request.user.organisation_id:
        raise Http404
    return case


@role_required(*LA_ROLES, org_kind=OrganisationKind.LOCAL_AUTHORITY)
def caseload(request):
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = services.today()
    show = filters.get("show") or "open"
    sort = selectors.caseload_sort(request.GET.get("sort"), show=show)
    page = selectors.caseload(
        user=request.user,
        today=today,
        show=filters.get("show") or "open",
        mine=filters.get("mine", False),
        rag=filters.get("rag", ""),
        q=filters.get("q", ""),
        stage=filters.get("stage", ""),
        sort=sort,
        cursor=request.GET.get("after"),
        page_size=selectors.CASELOAD_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "assessments/caseload.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "query": query.urlencode(),
            "show": show,
            "sort": sort,
            "default_sort": sort.value == selectors.caseload_sort(None, show=show).value,
        },
    )


@login_required
@require_http_methods(["GET"])
def search(request):
    """The header's search: the cases the user may see whose child matches (assessments.search)."""
    if not works_on_cases(request.user):
        raise Http404
    form = SearchForm(request.GET or None)
    found, searched = None, None
    if form.is_valid():
        try:
            searched = search_parse(form.cleaned_data["q"], today=services.today())
        except SearchError as error:
            form.add_error("q", str(error))
        else:
            found = search_cases(user=request.user, search=searched)
    return render(
        request,
        "assessments/search.html",
        {
            "form": form,
            "searched": searched,
            "cases": found[:RESULTS_SHOWN] if found is not None else None,
            "more": found is not None and len(found) > RESULTS_SHOWN,
            "shown": RESULTS_SHOWN,
            "search_query": request.GET.get("q", "")[:100],
        },
    )


DUPLICATE_CHOICE = "Select whether the request is for one of these children or for a different child"
SAME_NHS_NUMBER = (
    "A different child cannot have the NHS number of a child already recorded: choose that child, or check the "
    "NHS number"
)


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def case_create(request):
    """A new request. When the LA already has a child with the same NHS number, or born the same day with
    a similar name (assessments.duplicates), the officer first says whether it is one of them: the
    form comes back with them listed and `same_child` to answer (a child's id, or "new")."""
    form = CaseForm(request.POST or None)
    duplicates, choice_error = [], None
    if request.method == "POST" and form.is_valid():
        la = request.user.organisation
        duplicates = possible_duplicates(local_authority=la, data=form.cleaned_data)
        choice = request.POST.get("same_child", "")
        by_id = {str(child.pk): child for child in duplicates}
        if duplicates and choice not in by_id and choice != "new":
            choice_error = DUPLICATE_CHOICE if choice else None
        elif choice == "new" and any(child.same_nhs_number for child in duplicates):
            choice_error = SAME_NHS_NUMBER
        else:
            try:
                case = services.case_create(
                    user=request.user, local_authority=la, data=form.cleaned_data, child=by_id.get(choice)
                )
            except ValidationError as error:  # the chosen child cannot take these details (an NHS number)
                form.add_error(None, error)
            else:
                messages.success(request, f"Request {case.reference} recorded")
                return redirect("assessments:case_detail", pk=case.pk)
        if choice_error:
            form.add_error(None, choice_error)
    return render(
        request,
        "assessments/case_form.html",
        {
            "form": form,
            "title": "Record a request for an EHC needs assessment",
            "duplicates": duplicates,
            "chosen": request.POST.get("same_child", ""),
        },
    )


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = _editable_case_or_404(request, pk)
    initial = {
        name: getattr(case.child if name in IDENTITY_FIELDS else case, name) for name in CaseForm.base_fields
    }
    initial["nhs_number"] = nhs_number_display(initial["nhs_number"])
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, user=request.user, data=form.cleaned_data)
        except ValidationError as error:  # another child of the LA has this NHS number or ID
            form.add_error(None, error)
        else:
            messages.success(request, "Case details saved")
            return redirect("assessments:case_detail", pk=case.pk)
    other_requests = case.child.cases.exclude(pk=case.pk).order_by("received_on", "id")
    return render(
        request,
        "assessments/case_form.html",
        {
            "form": form,
            "case": case,
            "title": "Change case details",
            "other_requests": [other.reference for other in other_requests],
        },
    )


@login_required
@require_http_methods(["GET"])
def case_detail(request, pk):
    """A fixed number of queries however much the case holds: the case row carries the page's short
    lists (assessments.selectors.case_page_cases), then the audit INSERT and the advice items."""
    case = get_visible_or_404(selectors.case_page_cases(user=request.user), request, pk=pk)
    viewed = audit_view(request, case)
    today = services.today()
    page = selectors.case_page(case=case, user=request.user, today=today, viewed=viewed)
    can_edit = can_edit_case(request.user, case)
    context = {
        "case": case,
        "today": today,
        "steps": case.steps(),
        "exceptions": page.exceptions,
        "audit_events": page.audit_events,
        # The sections the apps above add (assessments.sections), each under its own name.
        **page.sections,
        "case_section_templates": [section.template for section in case_sections()],
        "can_edit": can_edit,
        "is_la": request.user.organisation_id == case.local_authority_id,
        "officers": page.officers if can_edit else None,
        "shares": page.shares if can_edit else None,
        "child_cases": page.child_cases,
    }
    return render(request, "assessments/case_detail.html", context)


def _step_view(request, pk, form_class, template_title, apply, *, allowed_statuses=None, initial=None):
    case = _editable_case_or_404(request, pk)
    if allowed_statuses is not None and case.status not in allowed_statuses:
        messages.info(request, "That step does not apply to the case as it stands")
        return redirect("assessments:case_detail", pk=case.pk)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        error = _check_after_received(case, form)
        if error is None:
            apply(case, form.cleaned_data)
            messages.success(request, f"{template_title} recorded")
            return redirect("assessments:case_detail", pk=case.pk)
    return render(
        request, "assessments/step_form.html", {"form": form, "case": case, "title": template_title}
    )


def _check_after_received(case, form):
    for name, value in form.cleaned_data.items():
        if name.endswith("_on") and value is not None and value < case.received_on:
            form.add_error(
                name, f"{form.fields[name].label} must be on or after the date the request was received"
            )
            return name
    return None


OPEN = {CaseStatus.AWAITING_DECISION, CaseStatus.ASSESSING, CaseStatus.DRAFT_PLAN}


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def record_decision(request, pk):
    def apply(case, data):
        services.case_record_decision(case=case, user=request.user, **data)

    return _step_view(
        request,
        pk,
        DecisionForm,
        "Decision whether to assess",
        apply,
        allowed_statuses={CaseStatus.AWAITING_DECISION},
    )


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def record_not_issuing(request, pk):
    def apply(case, data):
        services.case_record_not_issuing(case=case, user=request.user, **data)

    return _step_view(
        request,
        pk,
        NotIssuingForm,
        "Notice not to issue a plan",
        apply,
        allowed_statuses={CaseStatus.ASSESSING},
    )


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def record_final_plan(request, pk):
    def apply(case, data):
        services.case_record_final_plan(case=case, user=request.user, **data)

    return _step_view(
        request, pk, FinalPlanForm, "Final plan issued", apply, allowed_statuses={CaseStatus.DRAFT_PLAN}
    )


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def close_case(request, pk):
    def apply(case, data):
        services.case_close(case=case, user=request.user, **data)

    return _step_view(request, pk, CloseForm, "Case ended", apply, allowed_statuses=OPEN)


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["POST"])
def assign_officer(request, pk):
    case = _editable_case_or_404(request, pk)
    form = CaseOfficerForm(request.POST, local_authority=case.local_authority)
    if form.is_valid():
        services.case_assign_officer(
            case=case, user=request.user, case_officer=form.cleaned_data["case_officer"]
        )
        messages.success(request, "Case officer saved")
    else:
        messages.error(request, "Select a case officer from the list")
    return redirect("assessments:case_detail", pk=case.pk)


SHARE_SENT = (
    "If that address belongs to someone who works on cases in an organisation involved in this case "
    "or a partner of the council, the case is now shared with them for 90 days"
)


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def share_case(request, pk):
    """The same answer whether or not the address has an account there (no account enumeration)."""
    case = _editable_case_or_404(request, pk)
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = sharing.share_recipient(case=case, email=form.cleaned_data["email"])
        if target is not None and target.pk != request.user.pk:
            sharing.case_share(case=case, user=request.user, with_user=target)
        messages.success(request, SHARE_SENT)
        return redirect("assessments:case_detail", pk=case.pk)
    return render(
        request, "assessments/step_form.html", {"form": form, "case": case, "title": "Share the case"}
    )


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["POST"])
def revoke_share(request, pk, share_pk):
    case = _editable_case_or_404(request, pk)
    share = get_visible_or_404(CaseShare.objects.filter(case=case).select_related("user", "case"), request, pk=share_pk)
    if sharing.case_share_revoke(share=share, user=request.user):
        name = share.user.get_full_name() or share.user.username
        messages.success(request, f"The case is no longer shared with {name}")
    return redirect("assessments:case_detail", pk=case.pk)
