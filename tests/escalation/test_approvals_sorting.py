"""The AD Education's letters to approve sorted by a column and keyset-paged (decision 0038, issue 23):
every order pages through every letter once, in the order a plain ORDER BY of the same rows gives;
the order is kept in the URL; an unknown sort or cursor falls back; only the council's own letters."""

import datetime

import pytest
from django.urls import reverse

from escalation import selectors
from escalation.approvals import approvals_page
from escalation.models import Letter

from .test_approvals import approval, waiting_letter  # noqa: F401  (the fixture)
from .test_list_sorting import SURNAMES, _expected, _sorts

pytestmark = pytest.mark.django_db
URL = reverse("escalation:approvals")


@pytest.fixture
def letters(ours, approval):  # noqa: F811
    """Five letters waiting, two of them due at the same instant (a tie the id breaks)."""
    made = [waiting_letter(ours, last_name=SURNAMES[n])[1] for n in range(5)]
    base = made[0].approval_due_at
    for n, letter in enumerate(made):
        Letter.objects.filter(pk=letter.pk).update(approval_due_at=base + datetime.timedelta(hours=(n * 7) % 3))
    return made


@pytest.mark.parametrize("sort", _sorts(selectors.APPROVAL_SORT_KEYS))
def test_the_approvals_queue_pages_through_every_letter_in_every_order(ours, letters, sort):
    order = selectors.list_sort("approvals", sort)
    walked, cursor = [], None
    while True:
        page = approvals_page(user=ours.ad, sort=order, cursor=cursor, page_size=2)
        walked += [letter.pk for letter in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    waiting = Letter.objects.filter(pk__in=[each.pk for each in letters])
    assert walked == _expected(waiting, selectors.APPROVAL_SORT_KEYS, sort)
    assert len(walked) == len(set(walked)) == 5


def test_the_page_keeps_its_order_in_the_url_and_says_it(ours, letters, login):
    client = login(ours.ad)
    html = client.get(URL).content.decode()
    assert "5 letters waiting, oldest first</caption>" in html
    assert 'aria-sort="ascending"><a class="govuk-link app-sort-link" href="?sort=-due">Approve by' in html
    html = client.get(URL, {"sort": "-reference"}).content.decode()
    assert "5 letters waiting</caption>" in html
    assert 'aria-sort="descending"><a class="govuk-link app-sort-link" href="?sort=reference">Reference' in html
    # Unknown orders and cursors are the default's first page, never an error.
    assert client.get(URL, {"sort": "--due"}).context["sort"].value == "due"
    response = client.get(URL, {"after": "vnot-a-date.x"})
    assert response.status_code == 200 and len(response.context["letters"]) == 5


def test_another_councils_ad_sees_none_of_them_in_any_order(ours, theirs, letters, login):
    client = login(theirs.ad)
    for sort in _sorts(selectors.APPROVAL_SORT_KEYS):
        html = client.get(URL, {"sort": sort}).content.decode()
        assert not any(letter.escalation.request.case.reference in html for letter in letters)


@pytest.mark.parametrize("who", ["case_officer", "dco", "spoc"])
def test_the_sorted_queue_is_only_the_ads(ours, letters, login, who):
    assert login(getattr(ours, who)).get(URL, {"sort": "-provider"}).status_code == 404
