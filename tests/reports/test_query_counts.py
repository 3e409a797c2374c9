"""Every dashboard and report page runs the same number of queries for 10 items as for 1,000:
the figures are counted by PostgreSQL, and lists load their related rows in the same query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Case, TimelineException

from .helpers import bulk_items, bulk_owed

DAY = datetime.timedelta(days=1)
PERIOD = {"start_0": 1, "start_1": 1, "start_2": 2026, "end_0": 31, "end_1": 10, "end_2": 2026}
PAGES = [
    ("reports:dashboard", {}),
    ("reports:dashboard", {"provider": "ours"}),
    ("reports:items", {}),
    ("reports:items", {"stage": "past_due", "sort": "-due"}),
    ("reports:items", {"sort": "-provider"}),
    ("reports:items", {"sort": "child", "after": "vchild5.1"}),
    ("reports:items_csv", {}),
    ("reports:items_csv", {"ticked": "yes", "row": ["1", "2"], "sort": "-team"}),
    ("reports:index", {}),
    ("reports:audit", PERIOD),
    ("reports:audit", {**PERIOD, "format": "csv", "table": "not-provided"}),
    ("reports:audit", {**PERIOD, "format": "pdf"}),
    ("reports:monthly", PERIOD),
    ("reports:monthly", {**PERIOD, "format": "csv"}),
    ("reports:timeliness", PERIOD),
    ("reports:timeliness", {**PERIOD, "format": "csv"}),
]
# Sign-in, session and permission reads, the filter forms' choices, then one query per figure set.
MOST_QUERIES = 25


def _count(client, name, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def _add(world, count, today, seed):
    items = bulk_items(world, count=count, start=today - 330 * DAY, days=330, today=today, seed=seed)
    bulk_owed(world, items, today=today)
    cases = Case.objects.filter(pk__in={i.case_id for i in items})
    TimelineException.objects.bulk_create(
        TimelineException(
            case=case, reason="away", detail="Away", agreed_by="Head of SEND", starts_on=case.received_on,
            recorded_by=world.case_officer,
        )
        for case in cases[::5]
    )  # fmt: skip
    return items


@pytest.mark.parametrize("who", ["dco", "ad"])
def test_query_count_does_not_grow_with_the_data(ours, theirs, login, on_today, who):
    client = login(getattr(ours, who))
    _add(ours, 10, on_today, seed=1)
    _add(theirs, 10, on_today, seed=2)
    # WeasyPrint takes seconds over a large audit: one role's PDF is enough to count its queries.
    pages = PAGES if who == "dco" else [(n, p) for n, p in PAGES if p.get("format") != "pdf"]
    pages = [(n, {**p, "provider": ours.provider.pk} if p.get("provider") == "ours" else p) for n, p in pages]
    for name, params in pages:  # warm: first-request work (session, permissions cache) is not data
        client.get(reverse(name), params)
    small = {(name, str(params)): _count(client, name, params) for name, params in pages}

    items = _add(ours, 990, on_today, seed=3)
    assert len(items) == 990
    large = {(name, str(params)): _count(client, name, params) for name, params in pages}
    assert large == small
    assert max(small.values()) <= MOST_QUERIES, small


@pytest.mark.parametrize("narrowed", [False, True])
def test_the_dashboard_figures_are_four_queries_however_many_items(ours, theirs, on_today, narrowed):
    """One GROUPING SETS scan for every figure, then the two "responses owed" lists, the failed emails
    and the escalation 2 outcomes (the LAs in scope are read once per request and kept on the user).
    Issue 14 added the last: five, from four."""
    from reports.selectors import overdue, scope

    provider = ours.provider if narrowed else None
    _add(ours, 30, on_today, seed=4)
    _add(theirs, 30, on_today, seed=5)
    scope.scope_la_ids(ours.dco)
    with CaptureQueriesContext(connection) as queries:
        small = overdue.dashboard(user=ours.dco, today=on_today, provider=provider)
    assert len(queries) == 5
    _add(ours, 600, on_today, seed=6)
    with CaptureQueriesContext(connection) as queries:
        large = overdue.dashboard(user=ours.dco, today=on_today, provider=provider)
    assert len(queries) == 5
    assert large.total > small.total
