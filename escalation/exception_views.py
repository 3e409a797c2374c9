"""Recording, changing and ending an exception (escalation.exceptions). The LA's case officers and
business support, on their own LA's cases: the exception is the LA's decision (reg 10(4)), agreed
with whoever the form names."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from advice.models import AdviceItem
from assessments.access import visible_cases
from assessments.models import TimelineException
from ehc.access import get_visible_or_404
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role

from . import exceptions
from .exception_forms import ALL_ADVICE, CHOSEN_ADVICE, ExceptionEndForm, ExceptionForm

EXCEPTION_EDITORS = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT)
TEMPLATE = "escalation/exception_form.html"


def _own_case_or_404(request, pk):
    case = get_visible_or_404(visible_cases(request.user).select_related("local_authority"), request, pk=pk)
    if case.local_authority_id != request.user.organisation_id:
        raise Http404
    return case


def _own_exception_or_404(request, pk):
    exception = TimelineException.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if exception is None:
        raise Http404
    case = _own_case_or_404(request, exception)
    return TimelineException.objects.get(pk=pk, case=case), case


def _items(case):
    return AdviceItem.objects.filter(case=case).select_related("team", "provider").order_by("team__name", "id")


@role_required(*EXCEPTION_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def exception_new(request, pk):
    case = _own_case_or_404(request, pk)
    initial = {}
    # From one team's advice page (?item=): that team's advice chosen.
    chosen = request.GET.get("item", "")
    if chosen.isdigit() and _items(case).filter(pk=int(chosen)).exists():
        initial = {"covers": CHOSEN_ADVICE, "items": [int(chosen)]}
    form = ExceptionForm(request.POST or None, case=case, items=_items(case), initial=initial)
    if request.method == "POST" and form.is_valid():
        exceptions.exception_record(case=case, user=request.user, **form.service_arguments())
        messages.success(request, "Exception recorded: the advice it covers is not chased while it runs")
        return redirect("assessments:case_detail", pk=case.pk)
    return render(request, TEMPLATE, {"form": form, "case": case, "title": "Record an exception"})


@role_required(*EXCEPTION_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def exception_change(request, pk):
    exception, case = _own_exception_or_404(request, pk)
    initial = {
        "reason": exception.reason,
        "detail": exception.detail,
        "agreed_by": exception.agreed_by,
        "starts_on": exception.starts_on,
        "ends_on": exception.ends_on,
        "covers": ALL_ADVICE if exception.covers_all_advice else CHOSEN_ADVICE,
        "items": list(exception.advice_items.values_list("pk", flat=True)),
    }
    form = ExceptionForm(request.POST or None, case=case, items=_items(case), initial=initial)
    if request.method == "POST" and form.is_valid():
        exceptions.exception_change(exception=exception, user=request.user, **form.service_arguments())
        messages.success(request, "Exception changed: the dates it moves are worked out again")
        return redirect("assessments:case_detail", pk=case.pk)
    return render(request, TEMPLATE, {"form": form, "case": case, "title": "Change the exception"})


@role_required(*EXCEPTION_EDITORS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def exception_end(request, pk):
    exception, case = _own_exception_or_404(request, pk)
    form = ExceptionEndForm(request.POST or None, exception=exception, initial={"ends_on": exceptions.today()})
    if request.method == "POST" and form.is_valid():
        exceptions.exception_end(exception=exception, user=request.user, ends_on=form.cleaned_data["ends_on"])
        messages.success(request, "Exception ended: the timers run again from their moved dates")
        return redirect("assessments:case_detail", pk=case.pk)
    return render(request, TEMPLATE, {"form": form, "case": case, "exception": exception, "title": "End the exception"})
