"""The case officer's review counts on the home page: each is the number of rows of the review list its
link opens (reviews.selectors), on the officer's own cases."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from assessments.models import ReviewDecision
from ehc.models import Role
from reviews.selectors import WORK_LISTS, work_list_reviews
from tests.factories import UserFactory
from tests.reviews.helpers import review

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)
TASK = re.compile(r'<a class="govuk-link" href="([^"]+)" data-count="(\d+)" data-list="([^"]+)">')


def _get(client, url):
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_review_count_is_the_length_of_the_list_it_links_to(ours, login):
    officer = ours.case_officer
    review(ours, due_on=TODAY + 3 * DAY, last_name="O'Neill")
    review(ours, due_on=TODAY + 70 * DAY)
    review(ours, due_on=TODAY - DAY, held_on=TODAY - 30 * DAY)
    review(ours, due_on=TODAY - DAY, held_on=TODAY - 90 * DAY, report_circulated_on=TODAY - 80 * DAY,
           decision=ReviewDecision.AMEND, decision_notified_on=TODAY - 70 * DAY)  # fmt: skip
    # Someone else's case: not counted on this officer's home page.
    review(ours, due_on=TODAY + DAY, officer=ours.business_support)
    client = login(officer)
    home = _get(client, reverse("home"))
    found = {}
    for url, count, caption in TASK.findall(home):
        url, caption = unescape(url), unescape(caption)
        if not url.startswith(reverse("reviews:work_list")):
            continue
        page = _get(client, url)
        body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
        assert caption in page
        assert body.count('<tr class="govuk-table__row"') == int(count), url
        found[re.search(r"list=(\w+)", url)[1]] = int(count)
    expected = {
        work_list.key: work_list_reviews(user=officer, today=TODAY, key=work_list.key, mine=True).count()
        for work_list in WORK_LISTS
    }
    assert found == {key: count for key, count in expected.items() if count}
    assert set(found) == {"due", "invitations", "reports", "decisions", "amended_plans"}
    assert found["due"] == 2


def _review_counts(client):
    home = _get(client, reverse("home"))
    found = {}
    for url, count, _caption in TASK.findall(home):
        url = unescape(url)
        if url.startswith(reverse("reviews:work_list")):
            page = _get(client, url)
            body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
            assert body.count('<tr class="govuk-table__row"') == int(count), url
            found[re.search(r"list=(\w+)", url)[1]] = (int(count), "mine=on" in url)
    return found


def test_business_support_and_the_send_manager_count_the_councils_reviews(ours, login):
    manager = UserFactory(username="manager-home-reviews", organisation=ours.la, roles=[Role.SEND_MANAGER])
    review(ours, due_on=TODAY + 3 * DAY)  # invitations to send
    review(ours, due_on=TODAY - DAY, held_on=TODAY - 30 * DAY, officer=manager)  # report late, decision overdue
    review(ours, due_on=TODAY - DAY, held_on=TODAY - 90 * DAY, report_circulated_on=TODAY - 80 * DAY,
           decision=ReviewDecision.AMEND, decision_notified_on=TODAY - 70 * DAY)  # fmt: skip
    assert _review_counts(login(ours.business_support)) == {"invitations": (1, False), "reports": (1, False)}
    assert _review_counts(login(manager)) == {"decisions": (1, False), "amended_plans": (1, False)}
