"""Reports count excepted advice in every outcome and mark it, with the exception's reason (decision
0017): the quarterly audit, the monthly figures and the outstanding list with its CSV."""

import csv
import datetime
import io

import pytest
import time_machine

from assessments.models import ExceptionReason
from escalation.exceptions import exception_record
from reports.selectors.audit import non_return_audit
from reports.selectors.items import item_export
from reports.selectors.monthly import monthly_figures
from reports.tables import audit_tables

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 20)


@pytest.fixture
def excepted(ours):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        case = CaseFactory(local_authority=ours.la, last_name="O'Neill", received_on=D(2026, 2, 2))
        request = AdviceRequestFactory(case=case, provider=ours.provider, notified_on=D(2026, 3, 2))
        slt = AdviceItemFactory(request=request, team=ours.slt, named_by_family=True, next_action_on=request.due_on)
        ot = AdviceItemFactory(request=request, team=ours.ot, named_by_family=True, next_action_on=request.due_on)
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, tzinfo=datetime.UTC), tick=False):
        exception_record(
            case=case,
            user=ours.case_officer,
            reason=ExceptionReason.AWAY_FROM_AREA,
            detail="Family abroad",
            agreed_by="Parent",
            starts_on=D(2026, 4, 20),
            covers_all_advice=False,
            items=[slt],
        )
    return slt, ot


def test_the_audit_counts_excepted_advice_in_its_outcome_and_lists_it_by_reason(ours, excepted):
    slt, _ = excepted
    report = non_return_audit(user=ours.dco, start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert (report.totals["requested"], report.totals["outstanding"], report.totals["excepted"]) == (2, 2, 1)
    assert dict(report.exception_reasons)["Child or family away from the area for 4 weeks or more"] == 1
    assert [item.pk for item in report.excepted_items] == [slt.pk]
    tables = {table.key: table for table in audit_tables(report).tables}
    assert tables["excepted"].rows[0][5] == "Child or family away from the area for 4 weeks or more"
    assert "Excepted" in tables["providers"].header


def test_the_monthly_figures_count_it_and_mark_how_many(ours, excepted):
    report = monthly_figures(user=ours.dco, today=TODAY, start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert (report.totals["items"], report.totals["excepted"]) == (2, 1)
    assert report.months[0]["excepted"] == 1


def test_the_outstanding_list_marks_it_and_says_its_clock_is_stopped(ours, excepted):
    slt, ot = excepted
    rows = {item.pk: item for item in item_export(user=ours.dco, today=TODAY, filters=None)}
    assert (rows[slt.pk].excepted_label, rows[slt.pk].clock_stopped) == (
        "Child or family away from the area for 4 weeks or more",
        True,
    )
    assert (rows[ot.pk].excepted_label, rows[ot.pk].clock_stopped) == ("", False)


def test_the_csv_names_the_reason(ours, excepted, login):
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, tzinfo=datetime.UTC), tick=False):
        response = login(ours.dco).get("/reports/dashboard/advice.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()
                                        if response.streaming else response.content.decode())))  # fmt: skip
    header, body = rows[0], rows[1:]
    column = next(i for i, name in enumerate(header) if "xception" in name or "xcepted" in name)
    assert sorted(row[column] for row in body) == [
        "",
        "Child or family away from the area for 4 weeks or more (clock stopped today)",
    ]


def test_the_dco_dashboard_marks_the_items_whose_clock_is_stopped_and_lists_exactly_those(ours, excepted, login):
    slt, _ = excepted
    client = login(ours.dco)
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, tzinfo=datetime.UTC), tick=False):
        figures = client.get("/reports/dashboard/").context["figures"]
        listed = client.get("/reports/dashboard/advice/", {"stage": "excepted"})
    stages = {key: (label, count) for key, label, count in figures.stages}
    # Still counted as outstanding and past due; marked in a bucket of its own.
    assert stages["excepted"] == ("Clock stopped by an exception", 1)
    assert stages["past_due"][1] == 2 and figures.total == 2
    assert [item.pk for item in listed.context["page"].rows] == [slt.pk]
    # Once the exception has ended the clock runs again: no longer marked on the dashboard.
    slt.timeline_exceptions.update(ends_on=D(2026, 5, 1))
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, tzinfo=datetime.UTC), tick=False):
        figures = client.get("/reports/dashboard/").context["figures"]
    assert {key: count for key, _, count in figures.stages}["excepted"] == 0
