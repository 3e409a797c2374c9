"""The DCO's page of health reports for annual reviews (reports.selectors.review_health): on screen
with the list behind each number, and as CSV. Access as the overdue dashboard's (the DCO of the area,
the LA's managers and business support); anyone else gets the same 404 as a missing page. Reads the
replica when there is one (decision 0040)."""

import datetime
from urllib.parse import urlencode

from django.shortcuts import redirect, render

from ehc.models import today_london
from ehc.replica import replica_reads

from .csv import csv_response
from .forms import PeriodForm
from .selectors.review_health import OUTCOME_LABELS, OUTCOMES, review_health_figures, review_health_list
from .views import dashboard_access

TITLE = "Health reports for annual reviews"
LIST_LABELS = {**OUTCOME_LABELS, "overdue": "Outstanding past the due date"}
CSV_HEADER = [
    "Reference",
    "Child",
    "Local authority",
    "Provider",
    "Team",
    "Review meeting",
    "Report due",
    "Returned",
    "Status",
    "Days late",
]


def _form(request, today):
    # Reports due from a year ago to 8 weeks ahead: the reviews held lately and those coming up.
    return PeriodForm(
        request.GET,
        user=request.user,
        default_start=today - datetime.timedelta(days=365),
        default_end=today + datetime.timedelta(weeks=8),
    )


def _days_late(item, today):
    end = item.returned_on or (today if item.is_outstanding else item.closed_on) or today
    return max(0, (end - item.due_on).days)


@dashboard_access
@replica_reads
def review_health(request):
    today = today_london()
    form = _form(request, today)
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in LIST_LABELS else ""
    context = {"form": form, "title": TITLE, "today": today, "outcomes": OUTCOMES, "report": None}
    if not form.is_valid():
        if request.GET.get("format"):
            query = request.GET.copy()
            query.pop("format", None)
            return redirect(f"{request.path}?{query.urlencode()}")
        return render(request, "reports/review_health.html", context)
    data = form.cleaned_data
    scope = {"start": data["start"], "end": data["end"], "local_authority": data.get("la")}
    chosen_provider = data.get("provider")
    if request.GET.get("format") == "csv":
        rows = review_health_list(
            user=request.user, today=today, outcome=outcome or "requested", provider=chosen_provider, **scope
        )
        return csv_response(
            filename=f"review-health-reports-{data['start']:%Y-%m-%d}-to-{data['end']:%Y-%m-%d}.csv",
            header=CSV_HEADER,
            rows=(
                [
                    item.case.reference,
                    item.case.child_name,
                    item.local_authority.name,
                    item.provider.name,
                    item.team.name,
                    item.review.meeting_on,
                    item.due_on,
                    item.returned_on,
                    item.get_status_display(),
                    _days_late(item, today),
                ]
                for item in rows.iterator(chunk_size=500)
            ),
        )
    report = review_health_figures(user=request.user, today=today, provider=chosen_provider, **scope)
    keep = {key: request.GET[key] for key in request.GET if key not in ("outcome", "provider", "format")}
    rows = None
    if outcome:
        rows = list(
            review_health_list(user=request.user, today=today, outcome=outcome, provider=chosen_provider, **scope)
        )
        for item in rows:
            item.days_late = _days_late(item, today)
    context.update(
        report=report,
        totals_row=[(key, report.totals[key]) for key, _label, _q in OUTCOMES],
        rows=rows,
        outcome=outcome,
        outcome_label=LIST_LABELS.get(outcome, ""),
        period=f"Reports due {data['start']:%-d %B %Y} to {data['end']:%-d %B %Y}",
        keep_query=urlencode(keep),
        query=request.GET.urlencode(),
        provider=chosen_provider,
    )
    return render(request, "reports/review_health.html", context)
