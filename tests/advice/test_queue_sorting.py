"""The SPOC and team queues sorted by their columns and narrowed to a team (ehc.sorting), kept in
the URL and in a saved filter."""

import datetime

import pytest
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse

from advice import selectors
from advice.models import AdviceItem, AdviceRequest, ItemStatus
from ehc.models import SavedFilter

from .test_queues import TODAY, _request

KEYS = {key.key: key for key in selectors.QUEUE_SORT_KEYS}
SORTS = [f"{sign}{key}" for key in KEYS for sign in ("", "-")]
DAY = datetime.timedelta(days=1)


@pytest.fixture
def many(ours, theirs, travel):
    travel(TODAY)
    surnames = ["O'Neill", "o'neill", "Adams", "adams", "Zed", "Brown"]
    for n in range(12):
        advice_request = _request(ours, TODAY - (45 + n % 4) * DAY, [ours.slt, ours.ot] if n % 2 else [ours.paeds])
        child = advice_request.case.child
        child.last_name = surnames[n % len(surnames)]
        child.save()
    _request(theirs, TODAY - 50 * DAY, [theirs.slt])
    ours.slt_practitioner.teams.add(ours.ot)


def _expected(items, sort):
    key = KEYS[sort.removeprefix("-")]
    column = Lower(key.field) if key.kind == "text" else F(key.field)
    down = sort.startswith("-")
    first = column.desc(nulls_last=True) if down else column.asc(nulls_last=True)
    return list(items.order_by(first, "-id" if down else "id").values_list("id", flat=True))


def _walk(fetch):
    ids, cursor = [], None
    while True:
        page = fetch(cursor)
        ids += [row.pk for row in page.rows]
        if not page.next_cursor:
            return ids
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", SORTS)
def test_the_team_queue_pages_in_every_order(ours, many, sort):
    order = selectors.queue_sort(sort)
    walked = _walk(
        lambda cursor: selectors.team_queue(user=ours.slt_practitioner, cursor=cursor, page_size=3, sort=order)
    )
    outstanding = AdviceItem.objects.filter(status=ItemStatus.OUTSTANDING, team__in=[ours.slt, ours.ot])
    assert walked == _expected(outstanding, sort)
    assert len(walked) == len(set(walked)) == 12


@pytest.mark.parametrize("sort", SORTS)
def test_the_spoc_overdue_list_pages_in_every_order(ours, many, sort):
    order = selectors.queue_sort(sort)
    walked = _walk(
        lambda cursor: selectors.spoc_queue(
            provider=ours.provider, today=TODAY, cursors={"overdue": cursor}, page_size=4, sort=order
        ).overdue
    )
    outstanding = AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING, provider=ours.provider, due_on__lt=TODAY
    )
    assert walked == _expected(outstanding, sort)
    assert len(walked) == len(set(walked)) == 18


def test_the_team_filter_narrows_the_lists_and_their_counts(ours, many, login):
    page = login(ours.spoc).get(reverse("advice:spoc_queue"), {"team": ours.paeds.pk, "sort": "-child"})
    overdue = page.context["overdue"]
    assert {row.team_name for row in overdue["page"].rows} == {ours.paeds.name}
    assert overdue["count"] == 6
    html = page.content.decode()
    assert 'aria-sort="descending"' in html
    assert f'href="?team={ours.paeds.pk}&amp;sort=child"' in html
    assert '<input type="hidden" name="sort" value="-child">' in html
    mine = login(ours.slt_practitioner).get(reverse("advice:team_queue"), {"team": ours.ot.pk})
    assert {row.team_name for row in mine.context["items"]["page"].rows} == {ours.ot.name}


@pytest.mark.parametrize("who", ["spoc", "slt_practitioner"])
def test_a_team_not_the_users_is_an_error_and_shows_nothing_of_it(ours, theirs, many, login, who):
    other = theirs.slt if who == "spoc" else ours.paeds
    url = reverse("advice:spoc_queue" if who == "spoc" else "advice:team_queue")
    response = login(getattr(ours, who)).get(url, {"team": other.pk, "sort": "sideways"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a team from the list" in html and "There is a problem" in html
    rows = (response.context["overdue"] if who == "spoc" else response.context["items"])["page"].rows
    assert rows and other.name not in {row.team_name for row in rows}
    assert response.context["sort"].value == "due"


@pytest.mark.parametrize("who", ["case_officer", "dco", "head_of_service", "ot_practitioner"])
def test_the_spoc_queue_with_filters_is_still_closed_to_others(ours, many, login, who):
    response = login(getattr(ours, who)).get(reverse("advice:spoc_queue"), {"team": ours.ot.pk, "sort": "-team"})
    assert response.status_code in (403, 404)


def test_the_team_queue_with_filters_is_closed_to_others(ours, many, login):
    for who in ("case_officer", "dco", "spoc"):
        response = login(getattr(ours, who)).get(reverse("advice:team_queue"), {"team": ours.slt.pk, "sort": "case"})
        assert response.status_code in (403, 404)


def test_a_saved_queue_filter_keeps_team_and_sort(ours, many, login):
    client = login(ours.spoc)
    query = f"team={ours.ot.pk}&sort=-case&overdue=v2026.1"
    client.post(reverse("saved_filter_save"), {"page": "advice:spoc_queue", "query": query, "name": "OT"})
    saved = SavedFilter.objects.get(user=ours.spoc)
    assert saved.query == f"team={ours.ot.pk}&sort=-case"
    response = client.get(reverse("advice:spoc_queue") + "?" + saved.query)
    assert response.context["sort"].value == "-case"
    assert "Your saved filters" in response.content.decode()


AWAITING_KEYS = {key.key: key for key in selectors.AWAITING_SORT_KEYS}


@pytest.mark.parametrize("sort", [f"{sign}{key}" for key in AWAITING_KEYS for sign in ("", "-")])
def test_the_requests_awaiting_acknowledgement_page_in_every_order(ours, many, sort):
    order = selectors.awaiting_sort(sort)
    assert order.value == sort
    walked = _walk(
        lambda cursor: selectors.spoc_queue(
            provider=ours.provider, today=TODAY, cursors={"awaiting": cursor}, page_size=5, sort_awaiting=order
        ).awaiting_acknowledgement
    )
    key = AWAITING_KEYS[sort.removeprefix("-")]
    column = Lower(key.field) if key.kind == "text" else F(key.field)
    down = sort.startswith("-")
    expected = list(
        AdviceRequest.objects.filter(provider=ours.provider, acknowledged_at__isnull=True)
        .order_by(column.desc() if down else column.asc(), "-id" if down else "id")
        .values_list("id", flat=True)
    )
    assert walked == expected
    assert len(walked) == len(set(walked)) == 12


def test_the_spoc_sorts_the_awaiting_table_by_its_headers_and_a_filter_keeps_the_order(ours, many, login):
    client = login(ours.spoc)
    url = reverse("advice:spoc_queue")
    page = client.get(url, {"sort": "-notified"}).content.decode()
    assert 'aria-sort="descending"><a class="govuk-link app-sort-link" href="?sort=notified">Notified' in page
    newest_first = list(
        AdviceRequest.objects.filter(provider=ours.provider).order_by("-notified_on", "-id")
        .values_list("case__reference", flat=True)
    )
    shown = [reference for reference in newest_first if reference in page]
    assert shown == newest_first
    assert [page.index(reference) for reference in shown] == sorted(page.index(reference) for reference in shown)
    assert '<input type="hidden" name="sort" value="-notified">' in page
    # The item lists keep their own default order; a key only they have leaves this table in its own.
    assert 'href="?sort=-due">Due' in page
    by_team = client.get(url, {"sort": "team"}).content.decode()
    assert 'aria-sort="ascending"><a class="govuk-link app-sort-link" href="?sort=-notified">Notified' in by_team
    assert client.get(url, {"sort": "'; drop table"}).status_code == 200
