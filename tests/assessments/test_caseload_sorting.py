"""The caseload sorted by its columns (ehc.sorting), kept in the URL and in a saved filter."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext

from assessments import selectors
from assessments.models import CLOSED_STATUSES, Case, CaseStatus
from ehc.models import Role, SavedFilter

from ..factories import CaseFactory, UserFactory

KEYS = {key.key: key for key in selectors.CASELOAD_SORT_KEYS}
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cases(ours):
    rng = random.Random(7)
    officers = [
        ours.case_officer,
        UserFactory(organisation=ours.la, roles=[Role.CASE_OFFICER], last_name="O'Neill"),
        UserFactory(organisation=ours.la, roles=[Role.CASE_OFFICER], last_name="o'neill"),
        None,
    ]
    made = []
    for index in range(22):
        case = CaseFactory(
            local_authority=ours.la,
            case_officer=rng.choice(officers),
            received_on=datetime.date(2026, 8, 1) + rng.randrange(5) * DAY,
            status=CaseStatus.PLAN_ISSUED if index % 4 == 0 else CaseStatus.ASSESSING,
        )
        # Ties on dates, and some with none (no next date, no reference yet).
        case.next_statutory_date = None if index % 5 == 0 else datetime.date(2026, 10, 1) + rng.randrange(4) * DAY
        case.reference = None if index % 7 == 3 else case.reference
        Case.objects.filter(pk=case.pk).update(next_statutory_date=case.next_statutory_date, reference=case.reference)
        made.append(case)
    return made


def _expected(la, show, sort):
    key = KEYS[sort.removeprefix("-")]
    column = Lower(key.field) if key.kind == "text" else F(key.field)
    down = sort.startswith("-")
    rows = Case.objects.filter(local_authority=la)
    rows = rows.filter(status__in=CLOSED_STATUSES) if show == "closed" else rows.exclude(status__in=CLOSED_STATUSES)
    return list(
        rows.order_by(column.desc(nulls_last=True) if down else column.asc(nulls_last=True), "-id" if down else "id")
        .values_list("id", flat=True)
    )


def _walk(client, params):
    ids, query = [], dict(params)
    while True:
        response = client.get("/cases/", query)
        assert response.status_code == 200
        page = response.context["page"]
        ids += [case.id for case in page.rows]
        if not page.next_cursor:
            return ids
        query = {**params, "after": page.next_cursor}


@pytest.mark.parametrize("show", ["open", "closed"])
@pytest.mark.parametrize("sort", [f"{sign}{key}" for key in KEYS for sign in ("", "-")])
def test_every_sort_pages_through_every_case_once_in_order(ours, login, cases, monkeypatch, show, sort):
    monkeypatch.setattr(selectors, "CASELOAD_PAGE_SIZE", 3)
    walked = _walk(login(ours.case_officer), {"show": show, "sort": sort})
    assert walked == _expected(ours.la, show, sort)
    assert len(walked) == len(set(walked)) > 3


def test_the_default_orders_and_an_unknown_sort(ours, login, cases):
    client = login(ours.case_officer)
    assert _walk(client, {}) == _expected(ours.la, "open", "next")
    assert _walk(client, {"show": "closed"}) == _expected(ours.la, "closed", "-recent")
    for junk in ("sideways", "--next", "-", "next;drop"):
        response = client.get("/cases/", {"sort": junk})
        assert response.status_code == 200
        assert response.context["sort"].value == "next"


def test_sorting_adds_no_query(ours, login, cases):
    client = login(ours.case_officer)
    counts = set()
    for sort in ("next", "-officer", "child", "-reference"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/", {"sort": sort}).status_code == 200
        counts.add(len(queries))
    assert len(counts) == 1


def test_headers_and_the_filter_form_keep_the_sort(ours, login, cases):
    page = login(ours.case_officer).get("/cases/", {"sort": "-officer", "rag": "red"}).content.decode()
    link = '<a class="govuk-link app-sort-link" href="?rag=red&amp;sort=officer">Case officer'
    assert f'aria-sort="descending">{link}' in page
    assert '<input type="hidden" name="sort" value="-officer">' in page
    assert "Open cases</caption>" in page
    default = login(ours.case_officer).get("/cases/").content.decode()
    assert "Open cases by next statutory date</caption>" in default
    assert 'aria-sort="ascending"><a class="govuk-link app-sort-link" href="?sort=-next">Next statutory date' in default


def test_a_saved_filter_keeps_the_sort(ours, login, cases):
    client = login(ours.case_officer)
    client.post("/saved-filters/", {"page": "assessments:caseload", "query": "show=closed&sort=-child", "name": "Mine"})
    saved = SavedFilter.objects.get(user=ours.case_officer)
    assert saved.query == "show=closed&sort=-child"
    response = client.get("/cases/?" + saved.query)
    assert response.context["sort"].value == "-child"
    assert [case.id for case in response.context["page"].rows] == _expected(ours.la, "closed", "-child")[:50]


def test_a_sorted_caseload_still_shows_only_the_own_la(ours, theirs, login):
    mine = CaseFactory(local_authority=ours.la)
    CaseFactory(local_authority=theirs.la)
    for sort in ("officer", "-child", "received"):
        rows = login(ours.case_officer).get("/cases/", {"sort": sort}).context["page"].rows
        assert [case.pk for case in rows] == [mine.pk]
