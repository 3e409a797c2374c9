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


def _view_request(user, params=None):
    """A GET for the SPOC queue view itself, without the middleware: the user is loaded with their
    organisation, as the auth layer hands it over, so only the view's own queries are counted."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory

    from ehc.models import User

    request = RequestFactory().get(reverse("advice:spoc_queue"), params or {})
    request.user = User.objects.select_related("organisation").get(pk=user.pk)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_spoc_queue_view_makes_six_queries_at_any_size(ours, travel, django_assert_num_queries):
    """The view itself (permission checks, the three lists, their counts, the template) makes six
    queries: the requests awaiting acknowledgement, the items due soon, the overdue items, one count
    of both item lists, the team filter's choices and the user's saved filters (decision 0038). The
    middleware's session, user and two-factor queries are not counted here;
    test_the_spoc_queue_costs_the_same_queries_at_any_size counts the whole request."""
    from advice.views import spoc_queue

    travel(TODAY)
    for n in range(60):
        _request(ours, TODAY - datetime.timedelta(days=50 - n % 3), [ours.slt, ours.ot])
        _request(ours, TODAY - datetime.timedelta(days=30 + n % 5), [ours.paeds])
    request = _view_request(ours.spoc)
    with django_assert_num_queries(6):
        response = spoc_queue(request)
    page = response.content.decode()
    assert page.count("/advice/items/") == 2 * selectors.PAGE_SIZE
    assert "120 items, 50 on this page" in page and "60 items, 50 on this page" in page

    # The next pages cost the same.
    first = selectors.spoc_queue(provider=ours.provider, today=TODAY)
    cursors = {
        "overdue": first.overdue.next_cursor,
        "soon": first.due_soon.next_cursor,
        "awaiting": first.awaiting_acknowledgement.next_cursor,
    }
    request = _view_request(ours.spoc, cursors)
    with django_assert_num_queries(6):
        response = spoc_queue(request)
    assert response.status_code == 200 and response.content.decode().count("/advice/items/") == 50 + 10


def test_the_spoc_queue_pages_hold_50_and_count_every_item(ours, travel, login):
    travel(TODAY)
    for _ in range(26):
        _request(ours, TODAY - datetime.timedelta(days=50), [ours.slt, ours.ot])
    queue = selectors.spoc_queue(provider=ours.provider, today=TODAY)
    assert len(queue.overdue.rows) == 50 and queue.overdue.next_cursor
    assert queue.overdue_count == 52 and queue.due_soon_count == 0
    rest = selectors.spoc_queue(provider=ours.provider, today=TODAY, cursors={"overdue": queue.overdue.next_cursor})
    assert len(rest.overdue.rows) == 2 and rest.overdue.next_cursor is None
    assert rest.overdue_count == 52

    page = login(ours.spoc).get(reverse("advice:spoc_queue")).content.decode()
    assert "52 items, 50 on this page" in page
    assert "0 items" in page


def test_a_queue_row_shows_what_the_item_shows(queue, ours, login):
    """The queue rows are plain values, not model instances: they must read as the item page does."""
    from advice.models import AdviceItem, Stage

    overdue, soon, later = queue
    item = overdue.items.get(team=ours.slt)
    AdviceItem.objects.filter(pk=item.pk).update(stage=Stage.ESCALATION_1, exception_reason="holiday")
    row = next(r for r in selectors.spoc_queue(provider=ours.provider, today=TODAY).overdue.rows if r.pk == item.pk)
    assert (row.case_reference, row.child_name, row.team_name) == (
        overdue.case.reference,
        overdue.case.child_name,
        ours.slt.name,
    )
    assert row.stage_label == "Escalation 1" and row.is_excepted and row.request_acknowledged
    waiting = selectors.spoc_queue(provider=ours.provider, today=TODAY).awaiting_acknowledgement.rows[0]
    assert waiting.services_named_labels == soon.services_named_labels
    assert waiting.local_authority_label == ours.la.short_name

    page = login(ours.spoc).get(reverse("advice:spoc_queue")).content.decode()
    assert "Escalation 1" in page and "Excepted" in page
    assert "Request not yet acknowledged" in page


def test_queue_rows_write_dates_and_links_as_the_date_filter_and_reverse_would():
    import datetime

    from django.urls import reverse
    from django.utils import dateformat

    from advice.selectors import AwaitingRequest, QueueItem

    for month in range(1, 13):
        day = datetime.date(2026, month, 9 if month % 2 else 30 if month != 2 else 28)
        item = QueueItem(123456, day, "requested", "", 7, "R", "A", "B", "T", None)
        assert item.due_label == dateformat.format(day, "j M Y")
        assert item.url == reverse("advice:item_detail", args=[123456])
    request = AwaitingRequest(42, day, day, [], "R", "A", "B", "LA", "")
    assert request.url == reverse("advice:request_detail", args=[42])
    assert request.notified_label == request.due_label == dateformat.format(day, "j M Y")
