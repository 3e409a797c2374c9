"""A user's notifications sorted by a column and keyset-paged (decision 0038, issue 23): newest first
by default, by date or by the notification's words either way, each notification once across the
pages; an address from before (`?before=`) or a foreign cursor is the first page; only one's own."""

import datetime

import pytest
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from ehc import views_notifications
from ehc.models import MessageKind, Notification

pytestmark = pytest.mark.django_db
URL = reverse("notifications")
HEADLINES = ["Escalation answered", "advice returned", "Advice returned", "Zed", "escalation answered", "Chase"]


@pytest.fixture
def mine(ours):
    start = timezone.now() - datetime.timedelta(days=10)
    rows = []
    for n, headline in enumerate(HEADLINES * 2):
        rows.append(
            Notification.objects.create(
                kind=MessageKind.ACKNOWLEDGED,
                event=f"test:{n}",
                user=ours.case_officer,
                reference=f"EHC-{n:03}",
                path="/",
                headline=headline,
                # Dated out of their order of arrival (as a sweep run as of another day dates them):
                # "Date" sorts by arrival, the order the list always had.
                created_at=start + datetime.timedelta(hours=(n * 5) % 7),
            )
        )
    return rows


def _walk(client, sort):
    walked, query = [], {"sort": sort}
    while True:
        response = client.get(URL, query)
        assert response.status_code == 200
        walked += [notification.pk for notification in response.context["notifications"]]
        cursor = response.context["page"].next_cursor
        if not cursor:
            return walked
        query = {"sort": sort, "after": cursor}


@pytest.mark.parametrize("sort", ["date", "-date", "notification", "-notification"])
def test_every_order_pages_through_each_notification_once(ours, mine, login, monkeypatch, sort):
    monkeypatch.setattr(views_notifications, "PAGE_SIZE", 5)
    walked = _walk(login(ours.case_officer), sort)
    column = Lower("headline") if "notification" in sort else F("id")
    down = sort.startswith("-")
    expected = Notification.objects.filter(user=ours.case_officer).order_by(
        column.desc() if down else column.asc(), "-id" if down else "id"
    )
    assert walked == list(expected.values_list("id", flat=True))
    assert len(walked) == len(set(walked)) == len(mine)


def test_newest_first_by_default_with_the_headers_and_old_addresses_kept_working(ours, mine, login):
    client = login(ours.case_officer)
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["sort"].value == "-date"
    assert [n.pk for n in response.context["notifications"]][:2] == [mine[-1].pk, mine[-2].pk]
    assert 'aria-sort="descending"><a class="govuk-link app-sort-link" href="?sort=date">Date' in html
    assert "newest first." in html
    # The old "Older" address, an unknown order, a cursor from another order: the first page, no error.
    for query in ({"before": mine[3].pk}, {"sort": "sideways"}, {"sort": "notification", "after": "v2026-01-01.5"}):
        assert client.get(URL, query).status_code == 200


def test_only_ones_own_notifications_in_any_order(ours, theirs, mine, login):
    client = login(theirs.case_officer)
    for sort in ("date", "-notification"):
        html = client.get(URL, {"sort": sort}).content.decode()
        assert "EHC-000" not in html and "You have no notifications." in html


def test_signed_out_visitors_are_sent_to_sign_in(mine, client):
    response = client.get(URL, {"sort": "notification"})
    assert response.status_code == 302 and response.headers["Location"].startswith(reverse("login"))
