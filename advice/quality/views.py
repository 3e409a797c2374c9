"""The case officer's check of a team's returned advice: accept it, or send it back (advice.quality.services)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments.access import can_edit_case
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import OrganisationKind
from ehc.text import possessive

from ..services import AdviceError
from ..views.common import LA_EDITORS, _apply_error, _item_or_404
from . import services
from .forms import SendBackForm
from .selectors import current_return_unchecked


@role_required(*LA_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def item_quality(request, pk):
    item = _item_or_404(request, pk)
    if not can_edit_case(request.user, item.case):
        raise Http404
    current = current_return_unchecked(item)
    if current is None:
        messages.info(request, f"{possessive(item.team.name)} advice has no returned version waiting for a check")
        return redirect("advice:item_detail", pk=item.pk)
    action = request.POST.get("action") if request.method == "POST" else None
    form = SendBackForm(request.POST if action == "send_back" else None)
    if action == "accept":
        try:
            services.advice_accept(item=item, user=request.user)
        except AdviceError as error:
            messages.info(request, error.message)
        else:
            messages.success(request, f"{possessive(item.team.name)} advice accepted")
        return redirect("advice:item_detail", pk=item.pk)
    if action == "send_back" and form.is_valid():
        try:
            check = services.advice_send_back(
                item=item, user=request.user, reasons=form.cleaned_data["reasons"], note=form.cleaned_data["note"]
            )
        except AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                f"{possessive(item.team.name)} advice sent back: due again on {check.due_on:%-d %B %Y}",
            )
            return redirect("advice:item_detail", pk=item.pk)
    if request.method == "GET":
        audit_view(request, item.case, f"{possessive(item.team.name)} health advice: quality check")
    return render(
        request,
        "advice/quality.html",
        {"form": form, "item": item, "case": item.case, "advice": current},
    )
