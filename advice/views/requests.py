"""Requesting health advice, the request's page and the SPOC's acknowledgement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ehc.access import can_act_as_spoc, get_visible_or_404
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import LocalAuthoritySettings, OrganisationKind, Role

from .. import selectors, services
from ..access import advice_items_for, visible_advice_requests
from ..ack_forms import AcknowledgeForm
from ..forms import AdviceRequestForm
from .common import LA_EDITORS, _apply_error, _own_case_or_404


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def request_create(request, case_pk):
    case = _own_case_or_404(request, case_pk)
    if case.status not in selectors.REQUESTABLE_CASE_STATUSES:
        messages.info(request, "Health advice can only be requested while the case is open and before the draft plan")
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
                f"Request for health advice sent to {advice_request.provider}: due {advice_request.due_on:%-d %B %Y}",
            )
            return redirect("assessments:case_detail", pk=case.pk)
    return render(
        request,
        "advice/request_form.html",
        {
            "form": form,
            "case": case,
            "title": "Request health advice",
            "timings": LocalAuthoritySettings.for_la(case.local_authority).timings(),
        },
    )


@login_required
@require_GET
def request_detail(request, pk):
    advice_request = get_visible_or_404(
        visible_advice_requests(request.user).select_related(
            "case__child", "provider", "local_authority", "requested_by", "acknowledged_by", "review"
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
            and services.acknowledgement_open(advice_request, case)
            and can_act_as_spoc(request.user, advice_request.provider),
        },
    )


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_http_methods(["GET", "POST"])
def acknowledge(request, pk):
    advice_request = get_visible_or_404(
        visible_advice_requests(request.user).select_related("case__child", "provider"), request, pk=pk
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
