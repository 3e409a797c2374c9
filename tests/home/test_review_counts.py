"""The case officer's review counts on the home page: each is the number of rows of the review list its
link opens (reviews.selectors), on the officer's own cases."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from assessments.models import ReviewDecision
from reviews.selectors import WORK_LISTS, work_list_reviews
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
