"""The SPOC and team queues: the right rows, keyset pages, and a query count that does not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advice import selectors
from advice.models import ItemStatus
from assessments.models import CaseStatus
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

TODAY = datetime.date(2026, 11, 23)


def _request(world, notified_on, teams, *, acknowledged=False):
    case = CaseFactory(local_authority=world.la, status=CaseStatus.ASSESSING)
    advice_request = AdviceRequestFactory(
        case=case,
        provider=world.provider,
        notified_on=notified_on,
        requested_by=world.case_officer,
        acknowledged_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC) if acknowledged else None,
    )
    for team in teams:
        AdviceItemFactory(request=advice_request, team=team)
    return advice_request


@pytest.fixture
def queue(ours, theirs, travel):
    travel(TODAY)
    overdue = _request(ours, TODAY - datetime.timedelta(days=50), [ours.slt, ours.ot], acknowledged=True)
    soon = _request(ours, TODAY - datetime.timedelta(days=35), [ours.slt])
    later = _request(ours, TODAY - datetime.timedelta(days=2), [ours.paeds])
    returned = _request(ours, TODAY - datetime.timedelta(days=60), [ours.slt], acknowledged=True)
    returned.items.update(status=ItemStatus.RETURNED, next_action_on=None, returned_on=TODAY)
    _request(theirs, TODAY - datetime.timedelta(days=50), [theirs.slt])
    return overdue, soon, later


def test_the_spoc_queue_sorts_requests_and_items_for_the_provider_only(queue, ours):
    overdue, soon, later = queue
    result = selectors.spoc_queue(provider=ours.provider, today=TODAY)
    assert [r.pk for r in result.awaiting_acknowledgement.rows] == [soon.pk, later.pk]
    assert {i.request_id for i in result.overdue.rows} == {overdue.pk}
    assert len(result.overdue.rows) == 2
    assert [i.request_id for i in result.due_soon.rows] == [soon.pk]


def test_a_request_whose_case_ended_needs_no_acknowledgement(queue, ours):
    _, soon, _ = queue
    soon.items.update(status=ItemStatus.CANCELLED, next_action_on=None)
    result = selectors.spoc_queue(provider=ours.provider, today=TODAY)
    assert soon.pk not in [r.pk for r in result.awaiting_acknowledgement.rows]


def test_the_queues_are_keyset_paginated(ours, travel, login):
    travel(TODAY)
    requests = [_request(ours, TODAY - datetime.timedelta(days=50 + n % 3), [ours.slt]) for n in range(7)]
    seen = []
    cursor = None
    while True:
        page = selectors.spoc_queue(
            provider=ours.provider, today=TODAY, cursors={"overdue": cursor}, page_size=3
        )
        seen += [item.pk for item in page.overdue.rows]
        assert page.overdue.has_previous == (cursor is not None)
        cursor = page.overdue.next_cursor
        if cursor is None:
            break
    expected = sorted(
        (item for r in requests for item in r.items.all()), key=lambda item: (item.due_on, item.pk)
    )
    assert seen == [item.pk for item in expected]

    # The page links move one list and leave the others where they are.
    response = login(ours.spoc).get(reverse("advice:spoc_queue"), {"awaiting": "2026-09-01.1"})
    assert response.status_code == 200
    # A cursor that is not one starts from the top rather than failing.
    assert login(ours.spoc).get(reverse("advice:spoc_queue"), {"overdue": "nonsense"}).status_code == 200

    page = selectors.team_queue(user=ours.slt_practitioner, page_size=4)
    assert len(page.rows) == 4 and page.next_cursor
    rest = selectors.team_queue(user=ours.slt_practitioner, cursor=page.next_cursor, page_size=4)
    assert [i.pk for i in page.rows + rest.rows] == [item.pk for item in expected]


def test_the_team_queue_lists_only_the_practitioners_teams(queue, ours, login):
    page = login(ours.ot_practitioner).get(reverse("advice:team_queue")).content.decode()
    overdue, soon, later = queue
    assert overdue.case.reference in page
    assert soon.case.reference not in page and later.case.reference not in page


def _spoc_queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("advice:spoc_queue"))
    assert response.status_code == 200
    return len(queries)


def test_the_spoc_queue_costs_the_same_queries_at_any_size(ours, travel, login):
    travel(TODAY)
    client = login(ours.spoc)
    for _ in range(2):
        _request(ours, TODAY - datetime.timedelta(days=50), [ours.slt, ours.ot])
        _request(ours, TODAY - datetime.timedelta(days=35), [ours.paeds])
    small = _spoc_queue_queries(client)
    for n in range(20):
        _request(ours, TODAY - datetime.timedelta(days=50 - n % 3), [ours.slt, ours.ot])
        _request(ours, TODAY - datetime.timedelta(days=30 + n % 5), [ours.paeds, ours.slt])
    page = client.get(reverse("advice:spoc_queue")).content.decode()
    assert page.count("/advice/items/") >= 40
    assert _spoc_queue_queries(client) == small
