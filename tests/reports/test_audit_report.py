"""The quarterly non-return audit, checked against counts made here from the rows themselves."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.urls import reverse
from pypdf import PdfReader

from advice.models import AdviceItem, DelayReason, ItemStatus, NotProvidedReason, Stage
from reports.selectors import periods

from .helpers import bulk_items, item

DAY = datetime.timedelta(days=1)
Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
QUARTERS = [
    Q1,
    Q2,
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
]


def period(start, end, **extra):
    return {
        "start_0": start.day,
        "start_1": start.month,
        "start_2": start.year,
        "end_0": end.day,
        "end_1": end.month,
        "end_2": end.year,
        **extra,
    }


def stage_reached(i):
    if i.escalation_2_on or i.stage == Stage.ESCALATION_2:
        return Stage.ESCALATION_2
    if i.escalation_1_on or i.stage == Stage.ESCALATION_1:
        return Stage.ESCALATION_1
    if i.chased_on or i.stage == Stage.CHASED:
        return Stage.CHASED
    return Stage.REQUESTED


def expected_outcomes(items):
    returned = [i for i in items if i.status == ItemStatus.RETURNED]
    late = [i for i in returned if i.returned_on > i.due_on]
    counts = {
        "requested": len(items),
        "within": sum(i.returned_on <= i.due_on for i in returned),
        "late": len(late),
        "not_provided": sum(i.status == ItemStatus.NOT_PROVIDED for i in items),
        "outstanding": sum(i.status == ItemStatus.OUTSTANDING for i in items),
        "withdrawn": sum(i.status in (ItemStatus.REMOVED, ItemStatus.CANCELLED) for i in items),
    }
    for stage in Stage:
        counts[f"late_{stage}"] = sum(stage_reached(i) == stage for i in late)
    return counts


def in_period(items, start, end):
    return [i for i in items if start <= i.request.notified_on <= end]


@pytest.fixture
def year(ours, theirs, on_today):
    start = datetime.date(2025, 10, 1)
    bulk_items(ours, count=420, start=start, days=365, today=on_today, seed=21)
    bulk_items(theirs, count=60, start=start, days=365, today=on_today, seed=22)
    return list(
        AdviceItem.objects.filter(local_authority=ours.la).select_related("request", "team", "provider")
    )


def test_every_quarter_matches_the_rows(ours, login, on_today, year):
    client = login(ours.dco)
    for start, end in QUARTERS:
        rows = in_period(year, start, end)
        assert rows, "the dataset covers every quarter"
        report = client.get(reverse("reports:audit"), period(start, end)).context["report"]
        expected = expected_outcomes(rows)
        assert {key: report.totals[key] for key in expected} == expected
        # Every item lands in exactly one outcome.
        assert expected["requested"] == sum(
            expected[key] for key in ("within", "late", "not_provided", "outstanding", "withdrawn")
        )
        assert expected["late"] == sum(expected[f"late_{stage}"] for stage in Stage)
        for row in report.by_team:
            team_rows = [i for i in rows if i.team_id == row["team_id"]]
            assert {key: row[key] for key in expected} == expected_outcomes(team_rows)
        assert [row["provider_id"] for row in report.by_provider] == [ours.provider.pk]
        assert {key: report.by_provider[0][key] for key in expected} == expected

        not_provided = [i for i in rows if i.status == ItemStatus.NOT_PROVIDED]
        reasons = Counter(i.not_provided_reason for i in not_provided)
        counted = dict(report.not_provided_reasons)
        for value, label in NotProvidedReason.choices:
            assert counted[label] == reasons[value]
        assert counted.get("No reason recorded", 0) == reasons[""]
        assert sorted(i.pk for i in report.not_provided_items) == sorted(i.pk for i in not_provided)

        delayed = [i for i in rows if i.delay_reason]
        delays = Counter(i.delay_reason for i in delayed)
        assert dict(report.delay_reasons) == {label: delays[value] for value, label in DelayReason.choices}
        assert sorted(i.pk for i in report.delayed_items) == sorted(i.pk for i in delayed)


def test_period_edges(ours, login, on_today):
    # Requested on the last day of Q1 and returned on the first day of Q2: Q1's, returned in time.
    edge = item(ours, notified_on=Q1[1], status=ItemStatus.RETURNED, returned_on=Q2[0])
    # Requested on the first day of Q2, returned exactly on its due date: in time, and Q2's.
    on_due = item(ours, notified_on=Q2[0], status=ItemStatus.RETURNED, returned_on=Q2[0] + 42 * DAY)
    # Returned the day after its due date: late, before any chase was recorded.
    day_late = item(ours, notified_on=Q2[0] + DAY, status=ItemStatus.RETURNED, returned_on=Q2[0] + 44 * DAY)
    client = login(ours.dco)
    q1 = client.get(reverse("reports:audit"), period(*Q1)).context["report"]
    assert (q1.totals["requested"], q1.totals["within"], q1.totals["late"]) == (1, 1, 0)
    assert edge.due_on == Q1[1] + 42 * DAY
    q2 = client.get(reverse("reports:audit"), period(*Q2)).context["report"]
    assert (q2.totals["requested"], q2.totals["within"], q2.totals["late"]) == (2, 1, 1)
    assert q2.totals[f"late_{Stage.REQUESTED}"] == 1
    assert on_due.pk != day_late.pk


def test_late_items_are_split_by_the_furthest_stage_reached(ours, login, on_today):
    notified = Q2[0]
    due = notified + 42 * DAY
    item(
        ours, notified_on=notified, status=ItemStatus.RETURNED, returned_on=due + 5 * DAY, chased_on=due + DAY
    )
    item(
        ours,
        notified_on=notified,
        team=ours.ot,
        status=ItemStatus.RETURNED,
        returned_on=due + 20 * DAY,
        stage=Stage.ESCALATION_1,
        chased_on=due + DAY,
        escalation_1_on=due + 14 * DAY,
    )
    item(
        ours,
        notified_on=notified,
        team=ours.paeds,
        status=ItemStatus.RETURNED,
        returned_on=due + 40 * DAY,
        escalation_2_on=due + 28 * DAY,
    )
    totals = login(ours.dco).get(reverse("reports:audit"), period(*Q2)).context["report"].totals
    assert [totals[f"late_{stage}"] for stage in Stage] == [0, 1, 1, 1]


def test_provider_filter_and_scope(ours, login, on_today, year):
    client = login(ours.ad)
    rows = in_period(year, *Q2)
    report = client.get(reverse("reports:audit"), period(*Q2, provider=ours.provider.pk)).context[
        "report"
    ]
    assert report.totals["requested"] == len(rows)


def test_csv_tables(ours, login, on_today, year):
    client = login(ours.dco)
    response = client.get(reverse("reports:audit"), period(*Q2, format="csv"))
    assert response["Content-Disposition"] == (
        'attachment; filename="non-return-audit-2026-04-01-to-2026-06-30-teams.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Provider", "Team", "Requested", "Returned within 6 weeks"]
    expected = expected_outcomes(in_period(year, *Q2))
    assert rows[-1][:3] == ["All providers", "All teams", str(expected["requested"])]
    assert len(rows) == 1 + 3 + 1  # header, three teams, total

    reasons = client.get(reverse("reports:audit"), period(*Q2, format="csv", table="not-provided"))
    reason_rows = list(csv.reader(io.StringIO(b"".join(reasons.streaming_content).decode("utf-8-sig"))))
    assert len(reason_rows) - 1 == expected["not_provided"]
    assert (
        client.get(reverse("reports:audit"), period(*Q2, format="csv", table="nope")).status_code
        == 404
    )


def test_pdf(ours, login, on_today, year):
    response = login(ours.dco).get(reverse("reports:audit"), period(*Q2, format="pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height  # landscape
    assert round(width / 72 * 25.4) == 297
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Quarterly non-return audit" in text
    assert "By team" in text


def test_an_invalid_period_is_an_error_and_downloads_go_back_to_the_page(ours, login, on_today):
    client = login(ours.dco)
    bad = {"start_0": "31", "start_1": "2", "start_2": "2026", "end_0": "1", "end_1": "1", "end_2": "2026"}
    response = client.get(reverse("reports:audit"), bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Start date must be a real date" in page
    assert 'value="31"' in page  # what was typed is kept
    backwards = {**bad, "start_0": "1", "start_1": "3"}
    assert (
        "End date must be the same as or after the start date"
        in client.get(reverse("reports:audit"), backwards).content.decode()
    )
    assert client.get(reverse("reports:audit"), {**bad, "format": "pdf"}).status_code == 302


def test_default_period_is_the_last_complete_quarter(ours, login, on_today):
    report = login(ours.dco).get(reverse("reports:audit")).context["report"]
    assert (report.start, report.end) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert periods.previous_quarters(datetime.date(2026, 1, 15), count=2) == [
        (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
    ]
