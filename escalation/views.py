from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advice.access import visible_advice_items
from advice.models import ItemStatus, Stage
from ehc.access import can_answer_escalation, get_visible_or_404
from ehc.audit import audit_record, audit_view
from ehc.decorators import role_required
from ehc.models import AuditAction, OrganisationKind, Role
from ehc.text import possessive

from . import access, resolutions, selectors, services
from .forms import Escalation2ResolutionForm, EscalationResponseForm, HeadOfServiceOutcomeForm
from .letters import letter_preview, letter_render
from .services import Outcome


@role_required(Role.HEAD_OF_SERVICE, Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_http_methods(["GET"])
def hos_queue(request):
    today = timezone.localdate()
    sort = selectors.list_sort("hos", request.GET.get("sort"))
    page = selectors.hos_queue(user=request.user, today=today, cursor=request.GET.get("after"), sort=sort)
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "today": today, "sort": sort, "query": query.urlencode()}
    return render(request, "escalation/hos_queue.html", context)


@role_required(Role.HEAD_OF_SERVICE, Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_http_methods(["GET", "POST"])
def hos_outcome(request, pk):
    item = get_visible_or_404(
        visible_advice_items(request.user).select_related("team", "case__child", "provider", "request"),
        request,
        pk=pk,
    )
    if not can_answer_escalation(request.user, item.team):
        raise Http404
    if item.status != ItemStatus.OUTSTANDING or item.stage != Stage.ESCALATION_2:
        messages.info(
            request,
            f"{possessive(item.team.name)} advice for {item.case.reference} is no longer waiting for a head of service",
        )
        return redirect("escalation:hos_queue")
    form = HeadOfServiceOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.head_of_service_outcome_record(item=item, user=request.user, **form.service_arguments())
        if data["outcome"] == Outcome.PROMISED:
            promised = data["promised_on"]
            messages.success(
                request, f"Recorded: {item.team.name} will provide the advice by {promised:%-d %B %Y}"
            )
        else:
            messages.success(request, f"Recorded: {item.team.name} will not provide the advice")
        return redirect("escalation:hos_queue")
    audit_view(request, item.case, what=f"the escalation of {possessive(item.team.name)} advice")
    today = timezone.localdate()
    return render(
        request,
        "escalation/hos_outcome.html",
        {"form": form, "item": item, "today": today, "flags": selectors.item_flags(item, today)},
    )


@role_required(Role.DCO, org_kind=OrganisationKind.ICB)
@require_http_methods(["GET"])
def responses_owed(request):
    today = timezone.localdate()
    sort = selectors.list_sort("owed", request.GET.get("sort"))
    return render(
        request,
        "escalation/responses_owed.html",
        {
            "sort": sort,
            "escalations": selectors.responses_owed(user=request.user, today=today, sort=sort),
            "failing": selectors.failing_emails(user=request.user),
            "today": today,
        },
    )


@role_required(Role.DCO, org_kind=OrganisationKind.ICB)
@require_http_methods(["GET", "POST"])
def respond(request, pk):
    escalation = get_visible_or_404(
        access.respondable_escalations(request.user).select_related(
            "request__case", "provider", "responded_by"
        ),
        request,
        pk=pk,
    )
    case = escalation.request.case
    if escalation.responded_at is not None:
        messages.info(request, "The DCO/DMO office's response to this escalation is already recorded")
        return redirect("assessments:case_detail", pk=case.pk)
    form = EscalationResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.escalation_response_record(
            escalation=escalation, user=request.user, response=form.cleaned_data["response"]
        )
        messages.success(request, f"Response to the escalation for {case.reference} recorded")
        return redirect("assessments:case_detail", pk=case.pk)
    audit_view(request, case, what="an escalation 1 letter's details")
    return render(
        request,
        "escalation/respond.html",
        {"form": form, "escalation": escalation, "case": case, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET"])
def letter_download(request, pk):
    letter = get_visible_or_404(
        access.downloadable_letters(request.user).select_related("escalation__request__case"),
        request,
        pk=pk,
    )
    case = letter.escalation.request.case
    if letter.is_awaiting_approval:
        # A draft for the AD Education to read: rendered, never stored, since the letter is dated and
        # frozen only when it is sent (escalation.approvals).
        pdf, filename = letter_preview(letter), f"draft-{letter.filename}"
        summary = "Downloaded the draft of an escalation 1 letter waiting for approval"
    else:
        if not letter.is_rendered:
            letter = letter_render(letter_id=letter.pk)
        pdf, filename = bytes(letter.pdf), letter.filename
        summary = f"Downloaded the escalation 1 letter of {letter.dated:%-d %b %Y}"
    audit_record(request=request, action=AuditAction.DOWNLOAD, case=case, obj=letter, summary=summary)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.DCO, org_kind=OrganisationKind.ICB)
@require_http_methods(["GET"])
def resolutions_due(request):
    """The DCO's list of advice at escalation 1, by escalation 2 date: where a resolution can still stop it."""
    sort = selectors.list_sort("resolutions", request.GET.get("sort"))
    items = selectors.escalation_2_due(user=request.user, sort=sort)
    context = {"items": items, "sort": sort, "today": timezone.localdate()}
    return render(request, "escalation/resolutions_due.html", context)


@role_required(Role.DCO, org_kind=OrganisationKind.ICB)
@require_http_methods(["GET", "POST"])
def resolve(request, pk):
    """The DCO office records a resolution before escalation 2: view -> access -> form -> service -> audit."""
    item = get_visible_or_404(
        access.resolvable_items(request.user).select_related("team", "case__child", "provider", "request"),
        request,
        pk=pk,
    )
    form = Escalation2ResolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resolutions.escalation_2_resolution_record(
                item=item,
                user=request.user,
                kind=data["kind"],
                agreed_date=data.get("agreed_date"),
                reason=data["reason"],
            )
        except resolutions.ResolutionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Resolution recorded for {item.case.reference}: escalation 2 will not go")
            return redirect("escalation:resolutions_due")
    audit_view(request, item.case, what=f"the escalation of {possessive(item.team.name)} advice")
    return render(
        request,
        "escalation/resolve.html",
        {"form": form, "item": item, "case": item.case, "today": timezone.localdate()},
    )
