"""Pages of health advice. Every object is looked up through what the user may see, so anything
else (another provider's request, item or file) answers 404 exactly like a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from assessments.access import visible_cases
from assessments.models import CaseStatus, DraftPlan
from ehc.access import can_act_as_spoc, can_return_for_team, get_visible_or_404
from ehc.audit import audit_record, audit_view
from ehc.decorators import role_required
from ehc.models import AuditAction, OrganisationKind, Role

from . import selectors, services
from .access import advice_items_for, visible_advice_requests
from .forms import (
    AcknowledgeForm,
    AdviceRequestForm,
    DraftCommentForm,
    DraftPlanForm,
    ExceptionForm,
    NotProvidedForm,
    ReturnForm,
)
from .models import AdviceReturn
from .uploads import CONTENT_TYPES

LA_EDITORS = selectors.LA_EDITORS


def _apply_error(form, error: services.AdviceError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _own_case_or_404(request, case_pk):
    case = get_visible_or_404(visible_cases(request.user), request, pk=case_pk)
    if case.local_authority_id != request.user.organisation_id:
        raise Http404
    return case


def _item_or_404(request, pk):
    return get_visible_or_404(
        advice_items_for(request.user).select_related(
            "team", "provider", "case", "request", "local_authority", "advice_return", "returned_by"
        ),
        request,
        pk=pk,
    )


def _page_links(request, key, page, count=None):
    """Links for one keyset-paginated list on a page that has several: only `key` moves."""
    following = first = None
    if page.next_cursor:
        query = request.GET.copy()
        query[key] = page.next_cursor
        following = f"?{query.urlencode()}"
    if page.has_previous:
        query = request.GET.copy()
        query.pop(key, None)
        first = f"?{query.urlencode()}"
    return {"page": page, "next_url": following, "first_url": first, "count": count}


# Queues ------------------------------------------------------------------------------------------


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def spoc_queue(request):
    """Four queries (tests/advice/test_queues.py): the three lists and their counts. The permission
    checks read the signed-in user's own row (ehc.access.can_act_as_spoc)."""
    provider = request.user.organisation
    if not can_act_as_spoc(request.user, provider):
        raise Http404
    today = timezone.localdate()
    keys = ("awaiting", "soon", "overdue")
    queue = selectors.spoc_queue(
        provider=provider, today=today, cursors={key: request.GET.get(key) for key in keys}
    )
    return render(
        request,
        "advice/spoc_queue.html",
        {
            "provider": provider,
            "today": today,
            "awaiting": _page_links(request, "awaiting", queue.awaiting_acknowledgement),
            "soon": _page_links(request, "soon", queue.due_soon, queue.due_soon_count),
            "overdue": _page_links(request, "overdue", queue.overdue, queue.overdue_count),
        },
    )


@role_required(Role.PRACTITIONER, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def team_queue(request):
    page = selectors.team_queue(user=request.user, cursor=request.GET.get("after"))
    return render(
        request,
        "advice/team_queue.html",
        {
            "today": timezone.localdate(),
            "teams": list(request.user.teams.filter(provider_id=request.user.organisation_id)),
            "items": _page_links(request, "after", page),
        },
    )


# Request and acknowledgement ---------------------------------------------------------------------


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def request_create(request, case_pk):
    case = _own_case_or_404(request, case_pk)
    if case.status not in selectors.REQUESTABLE_CASE_STATUSES:
        messages.info(
            request, "Health advice can only be requested while the case is open and before the draft plan"
        )
        return redirect("assessments:case_detail", pk=case.pk)
    form = AdviceRequestForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            advice_request = services.advice_request_send(
                case=case,
                provider=form.cleaned_data["provider"],
                services_named=form.cleaned_data["services_named"],
                message=form.cleaned_data["message"],
                user=request.user,
            )
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                f"Request for health advice sent to {advice_request.provider}: "
                f"due {advice_request.due_on:%-d %B %Y}",
            )
            return redirect("assessments:case_detail", pk=case.pk)
    return render(
        request, "advice/request_form.html", {"form": form, "case": case, "title": "Request health advice"}
    )


@login_required
@require_GET
def request_detail(request, pk):
    advice_request = get_visible_or_404(
        visible_advice_requests(request.user).select_related(
            "case", "provider", "local_authority", "requested_by", "acknowledged_by"
        ),
        request,
        pk=pk,
    )
    case = advice_request.case
    audit_view(request, case, f"the request for health advice from {advice_request.provider}")
    items = list(
        advice_items_for(request.user)
        .filter(request=advice_request)
        .select_related("team", "request", "advice_return")
        .order_by("team__name", "id")
    )
    return render(
        request,
        "advice/request_detail.html",
        {
            "advice_request": advice_request,
            "case": case,
            "items": items,
            "today": timezone.localdate(),
            "can_acknowledge": not advice_request.is_acknowledged
            and case.status in selectors.REQUESTABLE_CASE_STATUSES
            and can_act_as_spoc(request.user, advice_request.provider),
        },
    )


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_http_methods(["GET", "POST"])
def acknowledge(request, pk):
    advice_request = get_visible_or_404(
        visible_advice_requests(request.user).select_related("case", "provider"), request, pk=pk
    )
    if not can_act_as_spoc(request.user, advice_request.provider):
        raise Http404
    if advice_request.is_acknowledged:
        messages.info(request, "This request has already been acknowledged")
        return redirect("advice:request_detail", pk=advice_request.pk)
    form = AcknowledgeForm(request.POST or None, advice_request=advice_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.advice_acknowledge(
                advice_request=advice_request,
                user=request.user,
                answers=form.answers(),
                note=form.cleaned_data["note"],
            )
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Request acknowledged: the local authority has been told")
            return redirect("advice:request_detail", pk=advice_request.pk)
    return render(
        request,
        "advice/acknowledge.html",
        {"form": form, "advice_request": advice_request, "case": advice_request.case},
    )


# Items -------------------------------------------------------------------------------------------


@login_required
@require_GET
def item_detail(request, pk):
    item = _item_or_404(request, pk)
    audit_view(request, item.case, f"{item.team.name}'s health advice")
    can_return = item.is_outstanding and can_return_for_team(request.user, item.team)
    return render(
        request,
        "advice/item_detail.html",
        {
            "item": item,
            "case": item.case,
            "today": timezone.localdate(),
            "can_return": can_return,
            "can_close": item.is_outstanding
            and (can_return or selectors.may_answer_for_la(request.user, item)),
            # Stopping the team's clock is the LA's exception on the case (escalation.exception_views).
            "can_stop_clock": item.is_outstanding
            and request.user.organisation_id == item.local_authority_id
            and request.user.has_role(Role.CASE_OFFICER, Role.BUSINESS_SUPPORT),
        },
    )


def _item_action(request, pk, *, form_class, template, title, may_act, apply, success, files=False):
    item = _item_or_404(request, pk)
    if not may_act(item):
        raise Http404
    if not item.is_outstanding:
        messages.info(request, f"{item.team.name}'s advice is already {item.get_status_display().lower()}")
        return redirect("advice:item_detail", pk=item.pk)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, request.FILES if files and data is not None else None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            apply(item, form)
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, success)
            return redirect("advice:item_detail", pk=item.pk)
    return render(request, template, {"form": form, "item": item, "case": item.case, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def item_return(request, pk):
    def apply(item, form):
        services.advice_return(
            item=item,
            user=request.user,
            returned_on=form.cleaned_data["returned_on"],
            content=form.content(),
            document=form.cleaned_data.get("document") or None,
            checked=form.checked_upload,
        )

    return _item_action(
        request,
        pk,
        form_class=ReturnForm,
        template="advice/return_form.html",
        title="Return health advice",
        may_act=lambda item: can_return_for_team(request.user, item.team),
        apply=apply,
        success="Advice returned: the local authority has been told",
        files=True,
    )


def _may_close(request):
    return lambda item: (
        can_return_for_team(request.user, item.team) or selectors.may_answer_for_la(request.user, item)
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_not_provided(request, pk):
    def apply(item, form):
        services.advice_not_provided(item=item, user=request.user, **form.cleaned_data)

    return _item_action(
        request,
        pk,
        form_class=NotProvidedForm,
        template="advice/item_form.html",
        title="Advice will not be provided",
        may_act=_may_close(request),
        apply=apply,
        success="Recorded that the advice will not be provided",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_exception(request, pk):
    def apply(item, form):
        services.advice_exception_record(item=item, user=request.user, **form.cleaned_data)

    return _item_action(
        request,
        pk,
        form_class=ExceptionForm,
        template="advice/item_form.html",
        title="Exception under regulation 8(2)",
        may_act=_may_close(request),
        apply=apply,
        success="Exception recorded: the advice stays outstanding, marked as excepted",
    )


@login_required
@require_GET
def document_download(request, pk):
    item = _item_or_404(request, pk)
    try:
        advice_return = item.advice_return
    except AdviceReturn.DoesNotExist:
        raise Http404 from None
    if not advice_return.document_name or advice_return.document_type not in CONTENT_TYPES:
        raise Http404
    if not advice_return.document_available:
        # Withheld from everyone until the virus scanner says it is clean (advice.scanning).
        messages.info(request, f"{item.team.name}'s advice document: {advice_return.get_scan_status_display()}")
        return redirect("advice:item_detail", pk=item.pk)
    try:
        handle = advice_return.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        request=request,
        action=AuditAction.DOWNLOAD,
        case=item.case,
        obj=item,
        summary=f"Downloaded {item.team.name}'s advice document",
    )
    # The name sent is ours, never the uploader's: nothing they typed reaches a header.
    filename = f"{item.case.reference}-{slugify(item.team.name) or 'advice'}.{advice_return.document_type}"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[advice_return.document_type]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The draft plan ----------------------------------------------------------------------------------


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def draft_plan_record(request, case_pk):
    case = _own_case_or_404(request, case_pk)
    if case.status != CaseStatus.ASSESSING:
        messages.info(request, "A draft plan can only be recorded while the case is being assessed")
        return redirect("assessments:case_detail", pk=case.pk)
    outstanding = selectors.draft_gate_outstanding(case=case)
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
