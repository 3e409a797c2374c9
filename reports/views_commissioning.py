"""The commissioning report (reports.selectors.commissioning): provision asked for in health advice
and whether it is available locally, for the DCO of the area and for commissioners (an ICB's or an
LA's), with the anonymised rows behind each figure; on screen and as CSV. A commissioner's account
has this report and nothing else: every other page refuses them as it refuses anyone without its
role. Reads the replica when there is one (decision 0040)."""

import functools

from django import forms
from django.http import Http404
from django.shortcuts import render

from advice.provision import Availability, ProvisionType
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role, today_london
from ehc.replica import replica_reads

from . import charts
from .csv import csv_response
from .selectors.commissioning import anonymised_rows, commissioning_figures, quarters_back, scope_rows
from .selectors.scope import local_authorities_in_scope

TITLE = "Provision requested and its availability"
PERIODS = [("4", "The last 4 quarters"), ("8", "The last 8 quarters"), ("all", "Every quarter")]
ROWS_SHOWN = 500
ROW_HEADER = [
    "Row",
    "Quarter returned",
    "Type of provision",
    "How much, how often",
    "Who delivers",
    "Setting staff may deliver under supervision",
    "For how long",
    "Available locally",
    "Expected wait (weeks)",
    "Provider",
    "Team",
    "Local authority",
]


def commissioning_access(view):
    """The DCO (an ICB's) and a commissioner (an ICB's or an LA's); anyone else the same 404 as a
    missing page."""

    @role_required(Role.DCO, Role.COMMISSIONER)
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        kind = request.user.organisation.kind
        if request.user.has_role(Role.DCO) and kind == OrganisationKind.ICB:
            return view(request, *args, **kwargs)
        if request.user.has_role(Role.COMMISSIONER) and kind in (
            OrganisationKind.ICB,
            OrganisationKind.LOCAL_AUTHORITY,
        ):
            return view(request, *args, **kwargs)
        raise Http404

    return wrapper


class CommissioningForm(forms.Form):
    period = forms.ChoiceField(label="Advice returned in", choices=PERIODS, required=False)
    la = forms.ModelChoiceField(
        label="Local authority",
        queryset=None,
        required=False,
        empty_label="Every local authority in the area",
        error_messages={"invalid_choice": "Select a local authority from the list"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = local_authorities_in_scope(user).order_by("name")

    def start(self, today):
        period = self.cleaned_data.get("period") or "4"
        return None if period == "all" else quarters_back(today, int(period))


def _rows_for(request):
    """The form and the scoped rows it chooses; a bad choice is the form's error and counts nothing."""
    form = CommissioningForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    start = form.start(today_london()) if form.is_bound else quarters_back(today_london(), 4)
    return form, scope_rows(request.user, start=start, local_authority=data.get("la"))


@commissioning_access
@replica_reads
def commissioning(request):
    form, rows = _rows_for(request)
    context = {"form": form, "title": TITLE, "figures": None}
    if rows is not None:
        context["figures"] = commissioning_figures(rows)
        context["quarter_chart"] = _quarter_chart(context["figures"])
        query = request.GET.copy()
        for key in ("format", "table"):
            query.pop(key, None)
        context["query"] = query.urlencode()
        if request.GET.get("format") == "csv":
            return _figures_csv(context["figures"], request.GET.get("table", "type"))
    return render(request, "reports/commissioning.html", context)


def _quarter_chart(figures):
    """The by-quarter table drawn as stacked columns, from the table's own rows."""
    if not figures.by_quarter:
        return ""
    return charts.stacked_columns(
        chart_id="chart-quarters",
        title="Provision rows by quarter returned, by availability",
        description="Rows available now, on a waiting list and not commissioned in this area, for each quarter. "
        "The same figures are in the table beside this chart.",
        categories=[row["label"] for row in figures.by_quarter],
        series=[
            ("Available now", charts.BLUE, [row["available"] for row in figures.by_quarter]),
            ("Waiting list", charts.DARK_GREY, [row["waiting"] for row in figures.by_quarter]),
            ("Not commissioned", charts.RED, [row["not_commissioned"] for row in figures.by_quarter]),
        ],
        y_label="Provision rows",
    )


def _figures_csv(figures, table):
    counts = ["Children", "Provision rows", "Available now", "Waiting list", "Not commissioned"]

    def numbers(row):
        return [row["children"], row["rows"], row["available"], row["waiting"], row["not_commissioned"]]

    if table == "provider":
        header = ["Provider", "Local authority", *counts]
        rows = (
            [r["advice_return__item__provider__name"], r["advice_return__item__local_authority__name"], *numbers(r)]
            for r in figures.by_provider
        )
    elif table == "quarter":
        header = ["Quarter", *counts]
        rows = ([r["label"], *numbers(r)] for r in figures.by_quarter)
    elif table == "availability":
        header = ["Available locally", "Children", "Provision rows"]
        rows = ([r["label"], r["children"], r["rows"]] for r in figures.by_availability)
    else:
        table = "type"
        header = ["Type of provision", *counts]
        rows = ([r["provision_type__name"] or "Not stated", *numbers(r)] for r in figures.by_type)
    return csv_response(filename=f"commissioning-by-{table}.csv", header=header, rows=rows)


def _row_cells(row):
    return [
        row["number"],
        row["quarter_label"],
        row["provision_type__name"] or "Not stated",
        row["how_much"],
        row["who"],
        row["setting_staff_may_deliver"],
        row["how_long"],
        row["availability_label"],
        row["wait_weeks"],
        row["advice_return__item__provider__name"],
        row["advice_return__item__team__name"],
        row["advice_return__item__local_authority__name"],
    ]


def _int_or_none(value):
    return int(value) if value and value.isdigit() else None


@commissioning_access
@replica_reads
def commissioning_rows(request):
    """The anonymised rows behind a figure: no child, no case, no date finer than the quarter."""
    form, rows = _rows_for(request)
    context = {"form": form, "title": "Provision rows, anonymised", "rows": None}
    if rows is not None:
        availability = request.GET.get("availability")
        availability = availability if availability in Availability.values else None
        chosen = {
            "provision_type": _int_or_none(request.GET.get("type")),
            "availability": availability,
            "provider": _int_or_none(request.GET.get("provider")),
        }
        listed = anonymised_rows(rows, **chosen)
        if request.GET.get("format") == "csv":
            return csv_response(
                filename="commissioning-rows.csv", header=ROW_HEADER, rows=(_row_cells(row) for row in listed)
            )
        shown = []
        for row in listed:
            if len(shown) == ROWS_SHOWN:
                context["more"] = True
                break
            shown.append(row)
        context.update(
            rows=shown,
            row_header=ROW_HEADER,
            query=request.GET.urlencode(),
            availability_label=Availability(availability).label if availability else "",
            type_name=ProvisionType.objects.filter(pk=chosen["provision_type"]).values_list("name", flat=True).first()
            if chosen["provision_type"]
            else "",
        )
    return render(request, "reports/commissioning_rows.html", context)
