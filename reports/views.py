"""The DCO's overdue dashboard, its filtered list, and the reports (on screen, CSV and PDF).
Every page here reads the replica when there is one (ehc.replica.replica_reads, decision 0040).

ICB and LA users only: a provider's staff have their own work queues, and everyone else gets
the same 404 as a missing page.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ehc.audit import audit_record
from ehc.models import AuditAction, OrganisationKind, Role, today_london
from ehc.outbox import FAILING_AFTER_ATTEMPTS
from ehc.replica import replica_reads
from ehc.text import possessive

from . import tables
from .csv import csv_response, outstanding_advice_csv
from .forms import DashboardForm, ItemFilterForm, PeriodForm
from .pdf import pdf_response
from .selectors import items, overdue, periods
from .selectors.audit import non_return_audit
from .selectors.monthly import monthly_figures
from .selectors.timeliness import la_timeliness
from .sen2.views import can_make_sen2

ICB_ROLES = {Role.DCO}
DASHBOARD_LA_ROLES = {Role.AD_EDUCATION, Role.BUSINESS_SUPPORT, Role.SEND_MANAGER}
REPORT_LA_ROLES = DASHBOARD_LA_ROLES | {Role.CASE_OFFICER}


def _allowed(user, la_roles):
    if user.organisation_id is None:
        return False
    kind = user.organisation.kind
    if kind == OrganisationKind.ICB:
        return user.has_role(*ICB_ROLES)
    if kind == OrganisationKind.LOCAL_AUTHORITY:
        return user.has_role(*la_roles)
    return False


def _for(la_roles):
    def decorator(view):
        @login_required
        @require_GET
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_active or not _allowed(request.user, la_roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


dashboard_access = _for(DASHBOARD_LA_ROLES)
report_access = _for(REPORT_LA_ROLES)


def _query_without(request, *names):
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# Dashboard ---------------------------------------------------------------------------------


@dashboard_access
@replica_reads
def dashboard(request):
    form = DashboardForm(request.GET or None, user=request.user)
    # A choice the user may not see (or junk) is an error on the form and the whole scope is shown:
    # never another area's or provider's figures, never a half-applied filter.
    chosen = form.cleaned_data if form.is_valid() else {}
    local_authority, provider = chosen.get("la"), chosen.get("provider")
    today = today_london()
    figures = overdue.dashboard(user=request.user, today=today, local_authority=local_authority, provider=provider)
    la_only = {"la": local_authority.pk} if local_authority else {}
    base = {**la_only, **({"provider": provider.pk} if provider else {})}
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "today": today,
            "figures": figures,
            "base_query": urlencode(base),
            # The by-provider table links carry their own provider.
            "la_query": urlencode(la_only),
            "local_authority": local_authority,
            "provider": provider,
            "failing_attempts": FAILING_AFTER_ATTEMPTS,
        },
    )


ITEM_FILTER_PARAMS = ("la", "provider", "team", "stage", "age")


@dashboard_access
@replica_reads
def item_list(request):
    form = ItemFilterForm(request.GET, user=request.user)
    sort = items.item_sort(request.GET.get("sort"))
    today = today_london()
    page = None
    if form.is_valid():
        page = items.item_page(
            user=request.user,
            today=today,
            filters=form.filters(),
            sort=sort,
            cursor=request.GET.get("after"),
            page_size=items.PAGE_SIZE,
        )
    return render(
        request,
        "reports/item_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "query": _query_without(request, "after"),
            "sort": sort,
            # The filters on screen, carried by the ticked-rows form (the CSV is of the same list).
            "filter_fields": [(key, value) for key, value in request.GET.items() if key in ITEM_FILTER_PARAMS],
            "description": _describe(form) if form.is_valid() else "",
        },
    )


def _describe(form):
    data = form.cleaned_data
    parts = []
    if data.get("stage"):
        parts.append(overdue.STAGE_LABELS[data["stage"]].lower())
    if data.get("age"):
        parts.append(f"requested {overdue.AGE_LABELS[data['age']].lower()} ago")
    for name in ("la", "provider", "team"):
        if data.get(name):
            parts.append(str(form.fields[name].label_from_instance(data[name])))
    return ", ".join(parts)


# At most this many ticked rows in one download: a page holds 50, so more is not a person ticking.
MOST_TICKED = 500


def _ticked_ids(request):
    """The ids of the rows ticked, as whole numbers; anything else is dropped."""
    return [int(value) for value in request.GET.getlist("row")[:MOST_TICKED] if value.isdigit()][:MOST_TICKED]


@dashboard_access
@replica_reads
def item_csv(request):
    """The whole filtered list as CSV, or (`ticked`) the rows ticked on the list's page. A ticked
    row is found only within the user's filtered list, so an id of a row the user may not see
    (typed into the address) is not in the file."""
    form = ItemFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        # The list page shows what is wrong with the filters, with what was typed kept.
        return redirect(f"{reverse('reports:items')}?{request.GET.urlencode()}")
    ticked = request.GET.get("ticked") == "yes"
    ids = _ticked_ids(request) if ticked else None
    if ticked and not ids:
        messages.error(request, "Tick the rows to download first, or download every row of this list")
        return redirect(f"{reverse('reports:items')}?{_query_without(request, 'row', 'ticked')}")
    today = today_london()
    rows = items.item_export(
        user=request.user, today=today, filters=form.filters(), sort=items.item_sort(request.GET.get("sort")), ids=ids
    )
    what = f"{len(ids)} ticked rows of " if ticked else ""
    audit_record(
        request=request,
        action=AuditAction.DOWNLOAD,
        summary=f"Downloaded {what}the outstanding health advice list as CSV ({_describe(form) or 'no filters'})",
    )
    return outstanding_advice_csv(filename=f"outstanding-health-advice-{today:%Y-%m-%d}.csv", items=rows)


# Reports -----------------------------------------------------------------------------------


@report_access
@replica_reads
def report_index(request):
    today = today_london()
    return render(
        request,
        "reports/index.html",
        {
            "can_see_dashboard": _allowed(request.user, DASHBOARD_LA_ROLES),
            "can_make_sen2": can_make_sen2(request.user),
            "quarters": periods.previous_quarters(today),
            "twelve_months": periods.last_twelve_months(today),
        },
    )


def _period_form(request, *, default, with_provider=True):
    start, end = default
    return PeriodForm(
        request.GET,
        user=request.user,
        default_start=start,
        default_end=end,
        with_provider=with_provider,
    )


def _period_label(start, end):
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def _period_slug(start, end):
    return f"{start:%Y-%m-%d}-to-{end:%Y-%m-%d}"


def _period_links(request, periods):
    """Quick links to common periods, keeping the scope chosen on the page."""
    keep = {key: request.GET[key] for key in ("la", "provider") if request.GET.get(key)}
    links = []
    for start, end in periods:
        params = {**keep}
        for name, value in (("start", start), ("end", end)):
            params.update({f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year})
        links.append((_period_label(start, end), urlencode(params)))
    return links


def _scope_description(form):
    data = form.cleaned_data
    parts = [str(data[name]) for name in ("la", "provider") if data.get(name)]
    return ", ".join(parts)


def _report(request, *, kind, default, build, template, with_provider=True, periods=()):
    """Shared by the three reports: validate the period, build the figures, render as asked."""
    form = _period_form(request, default=default, with_provider=with_provider)
    fmt = request.GET.get("format", "")
    title = TITLES[kind]
    if not form.is_valid():
        if fmt:
            return redirect(f"{request.path}?{_query_without(request, 'format', 'table')}")
        return render(request, template, {"form": form, "report": None, "periods": periods, "title": title})
    data = form.cleaned_data
    today = today_london()
    report = build(today=today, start=data["start"], end=data["end"], data=data)
    context = {
        "form": form,
        "report": report,
        "today": today,
        "period": _period_label(data["start"], data["end"]),
        "scope": _scope_description(form) or _default_scope(request.user),
        "title": title,
        "query": _query_without(request, "format", "table"),
        # The period on screen is not offered again as a choice (it read as a duplicate).
        "periods": [(label, query) for label, query in periods if label != _period_label(data["start"], data["end"])],
        "tables": TABLES[kind](report),
    }
    filename = f"{kind}-{_period_slug(data['start'], data['end'])}"
    if fmt == "csv":
        key = request.GET.get("table") or context["tables"].csv_default
        table = context["tables"].get(key)
        if table is None:
            raise Http404
        audit_record(
            request=request,
            action=AuditAction.DOWNLOAD,
            summary=f"Downloaded the {kind} report ({key}) as CSV ({context['period']}, {context['scope']})",
        )
        return csv_response(filename=f"{filename}-{key}.csv", header=table.header, rows=table.csv_rows)
    if fmt == "pdf":
        audit_record(
            request=request,
            action=AuditAction.DOWNLOAD,
            summary=f"Downloaded the {kind} report as PDF ({context['period']}, {context['scope']})",
        )
        return pdf_response(template_name="reports/pdf/report.html", context=context, filename=f"{filename}.pdf")
    if fmt:
        raise Http404
    return render(request, template, context)


def _default_scope(user):
    org = user.organisation
    if org.kind == OrganisationKind.ICB:
        return f"All local authorities in {possessive(org.short_name or org.name)} area"
    return org.name


@report_access
@replica_reads
def audit_report(request):
    def build(*, today, start, end, data):
        return non_return_audit(
            user=request.user,
            start=start,
            end=end,
            local_authority=data.get("la"),
            provider=data.get("provider"),
        )

    quarters = periods.previous_quarters(today_london())
    return _report(
        request,
        kind="non-return-audit",
        default=quarters[0],
        build=build,
        template="reports/audit.html",
        periods=_period_links(request, quarters),
    )


@report_access
@replica_reads
def monthly_report(request):
    def build(*, today, start, end, data):
        return monthly_figures(
            user=request.user,
            today=today,
            start=start,
            end=end,
            local_authority=data.get("la"),
            provider=data.get("provider"),
        )

    twelve = periods.last_twelve_months(today_london())
    return _report(
        request,
        kind="monthly",
        default=twelve,
        build=build,
        template="reports/monthly.html",
        periods=_period_links(request, [twelve]),
    )


@report_access
@replica_reads
def timeliness_report(request):
    def build(*, today, start, end, data):
        return la_timeliness(user=request.user, start=start, end=end, local_authority=data.get("la"))

    today = today_london()
    twelve = periods.last_twelve_months(today)
    return _report(
        request,
        kind="timeliness",
        default=twelve,
        build=build,
        template="reports/timeliness.html",
        with_provider=False,
        periods=_period_links(request, [twelve, *periods.previous_quarters(today)]),
    )


TITLES = {
    "non-return-audit": "Quarterly non-return audit",
    "monthly": "Health advice by month and by service",
    "timeliness": "Local authority timeliness",
}
TABLES = {
    "non-return-audit": tables.audit_tables,
    "monthly": tables.monthly_tables,
    "timeliness": tables.timeliness_tables,
}
