"""Figures by month and by service (Torbay's slide), checked against the rows themselves."""

import csv
import datetime
import io
import random
import statistics

import pytest
from django.urls import reverse

from advice.models import AdviceItem, AdviceRequest, ItemStatus, KnownStatus
from assessments.models import Case, Child, Requester
from ehc.models import Service

from .helpers import bulk_items, item

DAY = datetime.timedelta(days=1)
KNOWN = {KnownStatus.KNOWN_OPEN, KnownStatus.KNOWN_CLOSED}


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


def item_figures(items, today):
    live = [i for i in items if i.status not in (ItemStatus.REMOVED, ItemStatus.CANCELLED)]
    returned = [i for i in items if i.status == ItemStatus.RETURNED]
    within = [i for i in returned if i.returned_on <= i.due_on]
    decided = [
        i
        for i in items
        if i.status in (ItemStatus.RETURNED, ItemStatus.NOT_PROVIDED)
        or (i.status == ItemStatus.OUTSTANDING and i.due_on < today)
    ]
    days = [(i.returned_on - i.request.notified_on).days for i in returned]
    return {
        "items": len(live),
        "returned": len(returned),
        "within": len(within),
        "decided": len(decided),
        "median_days": float(statistics.median(days)) if days else None,
        "share_within": round(100 * len(within) / len(decided), 1) if decided else None,
    }


@pytest.fixture
def year(ours, theirs, on_today):
    start = datetime.date(2025, 11, 1)
    bulk_items(ours, count=300, start=start, days=387, today=on_today, seed=31)
    bulk_items(theirs, count=40, start=start, days=387, today=on_today, seed=32)


def test_months_services_and_teams_match_the_rows(ours, login, on_today, year):
    start, end = datetime.date(2025, 11, 1), datetime.date(2026, 10, 31)
    report = login(ours.dco).get(reverse("reports:monthly"), period(start, end)).context["report"]
    requests = list(
        AdviceRequest.objects.filter(
            local_authority=ours.la, notified_on__range=(start, end)
        ).prefetch_related("items")
    )
    items = list(
        AdviceItem.objects.filter(
            local_authority=ours.la, request__notified_on__range=(start, end)
        ).select_related("request", "team")
    )
    assert [row["month"] for row in report.months] == [
        datetime.date(2025 + (10 + m) // 12, (10 + m) % 12 + 1, 1) for m in range(12)
    ]
    for row in report.months:
        month_requests = [r for r in requests if r.notified_on.replace(day=1) == row["month"]]
        assert row["requests"] == len(month_requests)
        known = [r for r in month_requests if any(i.known_status in KNOWN for i in r.items.all())]
        assert row["known"] == len(known)
        assert row["not_known"] == len(month_requests) - len(known)
        expected = item_figures(
            [i for i in items if i.request.notified_on.replace(day=1) == row["month"]], on_today
        )
        assert {key: row[key] for key in expected} == pytest.approx(expected), row["month"]
    assert report.totals["requests"] == len(requests)
    assert {key: report.totals[key] for key in ("items", "returned", "within", "decided")} == {
        key: value
        for key, value in item_figures(items, on_today).items()
        if key in ("items", "returned", "within", "decided")
    }
    assert report.totals["median_days"] == pytest.approx(item_figures(items, on_today)["median_days"])

    labels = dict(Service.choices)
    services = {row["label"]: row for row in report.by_service}
    for service in {i.team.service for i in items}:
        expected = item_figures([i for i in items if i.team.service == service], on_today)
        assert {key: services[labels[service]][key] for key in expected} == pytest.approx(expected)
    for row in report.by_team:
        expected = item_figures([i for i in items if i.team_id == row["team_id"]], on_today)
        assert {key: row[key] for key in expected} == pytest.approx(expected)


def test_median_interpolates_an_even_count(ours, login, on_today):
    notified = datetime.date(2026, 5, 4)
    for days, team in ((10, ours.slt), (13, ours.ot)):
        item(
            ours,
            notified_on=notified,
            team=team,
            status=ItemStatus.RETURNED,
            returned_on=notified + days * DAY,
        )
    report = (
        login(ours.dco)
        .get(
            reverse("reports:monthly"),
            period(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)),
        )
        .context["report"]
    )
    assert report.months[0]["median_days"] == 11.5
    assert report.months[0]["share_within"] == 100.0


def test_requests_on_a_months_edges(ours, login, on_today):
    item(ours, notified_on=datetime.date(2026, 4, 30), known_status=KnownStatus.KNOWN_OPEN)
    item(ours, notified_on=datetime.date(2026, 5, 1), known_status=KnownStatus.NOT_KNOWN)
    report = (
        login(ours.dco)
        .get(
            reverse("reports:monthly"),
            period(datetime.date(2026, 4, 1), datetime.date(2026, 5, 31)),
        )
        .context["report"]
    )
    assert [(r["requests"], r["known"], r["not_known"]) for r in report.months] == [(1, 1, 0), (1, 0, 1)]


def torbay_year(world, *, requests=230, known=180, seed=7):
    """Torbay's year (DOMAIN.md): 230 new requests March 2021 to February 2022, 180 of them for children
    known to services, spread over the services on its slide."""
    rng = random.Random(seed)
    start = datetime.date(2021, 3, 1)
    days = (datetime.date(2022, 2, 28) - start).days + 1
    notified = sorted(start + rng.randrange(days) * DAY for _ in range(requests))
    children = Child.objects.bulk_create(
        Child(
            local_authority=world.la, first_name="Test", last_name=f"Child{n}", date_of_birth=datetime.date(2012, 1, 1)
        )
        for n in range(len(notified))
    )
    cases = Case.objects.bulk_create(
        Case(
            reference=f"TORBAY-{n:04d}",
            local_authority=world.la,
            child=child,
            requested_by=Requester.PARENT,
            received_on=on - 7 * DAY,
        )
        for n, (on, child) in enumerate(zip(notified, children, strict=True))
    )
    advice_requests = AdviceRequest.objects.bulk_create(
        AdviceRequest(
            case=case,
            provider=world.provider,
            local_authority=world.la,
            notified_on=on,
            due_on=on + 42 * DAY,
            requested_by=world.case_officer,
        )
        for case, on in zip(cases, notified, strict=True)
    )
    teams = [world.slt, world.ot, world.paeds]
    items = []
    for n, request in enumerate(advice_requests):
        is_known = n < known
        for index, team in enumerate(rng.sample(teams, rng.randint(1, 3))):
            status = KnownStatus.KNOWN_OPEN if is_known and index == 0 else KnownStatus.NOT_KNOWN
            items.append(
                AdviceItem(
                    request=request,
                    team=team,
                    provider=world.provider,
                    local_authority=world.la,
                    case=request.case,
                    due_on=request.due_on,
                    known_status=status,
                    status=ItemStatus.RETURNED,
                    returned_on=request.notified_on + rng.randint(20, 70) * DAY,
                )
            )
    AdviceItem.objects.bulk_create(items)


def test_a_torbay_shaped_year_shows_its_shape(ours, login, on_today):
    torbay_year(ours)
    client = login(ours.dco)
    params = period(datetime.date(2021, 3, 1), datetime.date(2022, 2, 28))
    response = client.get(reverse("reports:monthly"), params)
    report = response.context["report"]
    assert (report.totals["requests"], report.totals["known"], report.totals["not_known"]) == (230, 180, 50)
    assert len(report.months) == 12
    page = response.content.decode()
    assert "230 new health requests, 180 of them for children known to services" in page
    # The trend chart and its table, side by side, with the same figures.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" id="chart-trend"' in page
    assert '<title id="chart-trend-title">New health requests per month</title>' in page
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(
                        reverse("reports:monthly"), {**params, "format": "csv", "table": "trend"}
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == ["Month", "Requests", "Known to services", "Not known"]
    assert rows[-1] == ["Total", "230", "180", "50"]
    assert sum(int(row[1]) for row in rows[1:-1]) == 230


def test_page_works_without_javascript_and_has_no_inline_style_or_script(ours, login, on_today, year):
    page = login(ours.dco).get(reverse("reports:monthly")).content.decode()
    assert "style=" not in page
    assert "<style" not in page
    assert page.count("<script") == 1  # base.html's module, an enhancement only
    assert 'role="img"' in page
    assert "Share of advice returned within 6 weeks, by team" in page
