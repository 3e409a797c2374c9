"""LA timeliness: decisions within 6 weeks, plans within 20 weeks with and without exceptions."""

import datetime

import pytest
from django.urls import reverse

from assessments.models import Case, TimelineException

from ..factories import CaseFactory, LocalAuthorityFactory, UserFactory
from .helpers import bulk_items

DAY = datetime.timedelta(days=1)
YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 10, 31))


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


def expected(cases, start, end, excepted_ids):
    def share(part, whole):
        return round(100 * part / whole, 1) if whole else None

    decided = [c for c in cases if c.decision_on and start <= c.decision_on <= end]
    decided_ok = [c for c in decided if (c.decision_on - c.received_on).days <= 42]
    issued = [c for c in cases if c.final_plan_issued_on and start <= c.final_plan_issued_on <= end]
    issued_ok = [c for c in issued if (c.final_plan_issued_on - c.received_on).days <= 140]
    issued_ex = [c for c in issued if c.pk not in excepted_ids]
    issued_ok_ex = [c for c in issued_ok if c.pk not in excepted_ids]
    decided_ex = [c for c in decided if c.pk not in excepted_ids]
    decided_ok_ex = [c for c in decided_ok if c.pk not in excepted_ids]
    return {
        "decisions": len(decided),
        "decisions_in_time": len(decided_ok),
        "decisions_to_assess": sum(bool(c.decided_to_assess) for c in decided),
        "decisions_share": share(len(decided_ok), len(decided)),
        "decisions_share_ex": share(len(decided_ok_ex), len(decided_ex)),
        "plans": len(issued),
        "plans_in_time": len(issued_ok),
        "plans_share": share(len(issued_ok), len(issued)),
        "plans_ex": len(issued_ex),
        "plans_in_time_ex": len(issued_ok_ex),
        "plans_share_ex": share(len(issued_ok_ex), len(issued_ex)),
    }


def test_edges_of_the_6_and_20_week_limits_and_exceptions(ours, login, on_today):
    received = datetime.date(2026, 1, 5)
    on_time = CaseFactory(
        local_authority=ours.la,
        received_on=received,
        decision_on=received + 42 * DAY,
        decided_to_assess=True,
        final_plan_issued_on=received + 140 * DAY,
    )
    CaseFactory(
        local_authority=ours.la,
        received_on=received,
        decision_on=received + 43 * DAY,
        decided_to_assess=True,
        final_plan_issued_on=received + 141 * DAY,
    )
    excepted_late = CaseFactory(
        local_authority=ours.la,
        received_on=received,
        decision_on=received + 50 * DAY,
        decided_to_assess=True,
        final_plan_issued_on=received + 170 * DAY,
    )
    TimelineException.objects.create(
        case=excepted_late,
        reason="away",
        detail="Family abroad for six weeks",
        agreed_by="Head of SEND",
        starts_on=received + 10 * DAY,
        recorded_by=ours.case_officer,
    )
    totals = (
        login(ours.case_officer)
        .get(reverse("reports:timeliness"), period(*YEAR))
        .context["report"]
        .totals
    )
    assert (totals["decisions"], totals["decisions_in_time"], totals["decisions_share"]) == (3, 1, 33.3)
    assert (totals["decisions_ex"], totals["decisions_share_ex"]) == (2, 50.0)
    assert (totals["plans"], totals["plans_in_time"], totals["plans_share"]) == (3, 1, 33.3)
    assert (totals["plans_ex"], totals["plans_in_time_ex"], totals["plans_share_ex"]) == (2, 1, 50.0)
    assert on_time.final_plan_due == on_time.final_plan_issued_on


def test_a_plan_counts_in_the_period_it_was_issued(ours, login, on_today):
    CaseFactory(
        local_authority=ours.la,
        received_on=datetime.date(2025, 9, 1),
        decision_on=datetime.date(2025, 10, 6),
        decided_to_assess=True,
        final_plan_issued_on=datetime.date(2026, 1, 1),
    )
    client = login(ours.ad)
    january = client.get(
        reverse("reports:timeliness"), period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    ).context["report"]
    december = client.get(
        reverse("reports:timeliness"),
        period(datetime.date(2025, 12, 1), datetime.date(2025, 12, 31)),
    ).context["report"]
    assert (january.totals["plans"], january.totals["decisions"]) == (1, 0)
    assert (december.totals["plans"], december.totals["decisions"]) == (0, 0)


def test_each_la_in_the_area_against_the_rows(ours, theirs, login, on_today):
    neighbour = LocalAuthorityFactory(name="Council Neighbour", short_name="LA-N", icb=ours.icb)
    ours.provider.served_las.add(neighbour)
    start = datetime.date(2025, 6, 1)
    bulk_items(ours, count=150, start=start, days=500, today=on_today, seed=41)
    bulk_items(ours, count=90, start=start, days=500, today=on_today, seed=42, la=neighbour)
    bulk_items(theirs, count=60, start=start, days=500, today=on_today, seed=43)
    officer = UserFactory(username="officer-n", organisation=neighbour)
    excepted = list(Case.objects.filter(local_authority__icb=ours.icb).order_by("id")[::7])
    TimelineException.objects.bulk_create(
        TimelineException(
            case=case, reason="away", detail="Away", agreed_by="Head of SEND", starts_on=case.received_on,
            recorded_by=officer,
        )
        for case in excepted
    )  # fmt: skip
    excepted_ids = {case.pk for case in excepted}
    report = login(ours.dco).get(reverse("reports:timeliness"), period(*YEAR)).context["report"]
    by_la = {row["local_authority_id"]: row for row in report.by_la}
    assert set(by_la) == {ours.la.pk, neighbour.pk}
    for la in (ours.la, neighbour):
        cases = list(Case.objects.filter(local_authority=la))
        want = expected(cases, *YEAR, excepted_ids)
        assert want["plans"] and want["decisions"] and want["plans_ex"] < want["plans"]
        assert {key: by_la[la.pk][key] for key in want} == want
    everything = list(Case.objects.filter(local_authority__in=[ours.la, neighbour]))
    assert {key: report.totals[key] for key in expected(everything, *YEAR, excepted_ids)} == expected(
        everything, *YEAR, excepted_ids
    )
    page = login(ours.dco).get(reverse("reports:timeliness"), period(*YEAR)).content.decode()
    assert "England 2024: 46.4%" in page
    assert theirs.la.name not in page


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_downloads(ours, login, on_today, fmt):
    CaseFactory(
        local_authority=ours.la,
        received_on=datetime.date(2026, 1, 5),
        decision_on=datetime.date(2026, 2, 9),
        decided_to_assess=True,
    )
    response = login(ours.dco).get(reverse("reports:timeliness"), period(*YEAR, format=fmt))
    assert response.status_code == 200
    if fmt == "csv":
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert body.splitlines()[0].startswith("Local authority,Plans issued,")
        assert body.splitlines()[-1].startswith("All,")
    else:
        assert response.content.startswith(b"%PDF")
