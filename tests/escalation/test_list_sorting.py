"""The heads of service's queue and the DCO's two lists sorted by their columns (ehc.sorting)."""

import datetime

import pytest
import time_machine
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus, Stage
from escalation import selectors
from escalation.models import Escalation

from .conftest import make_request, sweep

D = datetime.date
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db
SURNAMES = ["O'Neill", "o'neill", "Adams", "Zed", "brown"]


def _sorts(keys):
    return [f"{sign}{key.key}" for key in keys for sign in ("", "-")]


def _expected(queryset, keys, sort):
    key = {key.key: key for key in keys}[sort.removeprefix("-")]
    column = Lower(key.field) if key.kind == "text" else F(key.field)
    down = sort.startswith("-")
    first = column.desc(nulls_last=True) if down else column.asc(nulls_last=True)
    return list(queryset.order_by(first, "-id" if down else "id").values_list("id", flat=True))


@pytest.fixture
def at_escalation_1(ours):
    """Ten requests a few days apart, two teams each, at escalation 1 on 22 January 2027."""
    for n in range(10):
        make_request(
            ours, notified_on=D(2026, 11, 16) + (n % 4) * DAY, teams=[ours.slt, ours.ot], last_name=SURNAMES[n % 5]
        )
    sweep(D(2027, 1, 22))


@pytest.fixture
def at_escalation_2(at_escalation_1):
    sweep(D(2027, 2, 5))
    with time_machine.travel(datetime.datetime(2027, 2, 8, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize("sort", _sorts(selectors.HOS_SORT_KEYS))
def test_the_hos_queue_pages_in_every_order(ours, at_escalation_2, sort):
    order = selectors.list_sort("hos", sort)
    walked, cursor = [], None
    while True:
        page = selectors.hos_queue(
            user=ours.head_of_service, today=D(2027, 2, 8), cursor=cursor, page_size=3, sort=order
        )
        walked += [item.pk for item in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    escalated = AdviceItem.objects.filter(status=ItemStatus.OUTSTANDING, stage=Stage.ESCALATION_2)
    assert walked == _expected(escalated, selectors.HOS_SORT_KEYS, sort)
    assert len(walked) == len(set(walked)) == 20


def test_the_hos_queue_page_keeps_the_sort_across_pages(ours, at_escalation_2, login):
    client = login(ours.head_of_service)
    response = client.get(reverse("escalation:hos_queue"), {"sort": "-child"})
    html = response.content.decode()
    assert 'aria-sort="descending"><a class="govuk-link app-sort-link" href="?sort=child">Child' in html
    assert "Waiting for the advice</caption>" in html
    assert client.get(reverse("escalation:hos_queue"), {"sort": "junk"}).context["sort"].value == "response"


@pytest.mark.parametrize("sort", _sorts(selectors.OWED_SORT_KEYS))
def test_responses_owed_in_every_order(ours, at_escalation_1, login, sort):
    with time_machine.travel(datetime.datetime(2027, 1, 25, 10, tzinfo=datetime.UTC), tick=False):
        response = login(ours.dco).get(reverse("escalation:responses_owed"), {"sort": sort})
    assert response.status_code == 200
    shown = [escalation.pk for escalation in response.context["escalations"]]
    assert len(shown) == 10
    assert shown == _expected(Escalation.objects.filter(pk__in=shown), selectors.OWED_SORT_KEYS, sort)


@pytest.mark.parametrize("sort", _sorts(selectors.RESOLUTION_SORT_KEYS))
def test_resolutions_due_in_every_order(ours, at_escalation_1, login, sort):
    with time_machine.travel(datetime.datetime(2027, 1, 25, 10, tzinfo=datetime.UTC), tick=False):
        response = login(ours.dco).get(reverse("escalation:resolutions_due"), {"sort": sort})
    shown = [item.pk for item in response.context["items"]]
    assert len(shown) == 20
    assert shown == _expected(AdviceItem.objects.filter(pk__in=shown), selectors.RESOLUTION_SORT_KEYS, sort)


def test_the_dco_lists_fall_back_and_say_their_order(ours, at_escalation_1, login):
    with time_machine.travel(datetime.datetime(2027, 1, 25, 10, tzinfo=datetime.UTC), tick=False):
        client = login(ours.dco)
        owed = client.get(reverse("escalation:responses_owed"), {"sort": "-nothing"})
        due = client.get(reverse("escalation:resolutions_due"), {"sort": "-la"})
    assert owed.status_code == 200 and owed.context["sort"].value == "due"
    assert "Responses owed, by due date</caption>" in owed.content.decode()
    html = due.content.decode()
    assert 'aria-sort="descending"><a class="govuk-link app-sort-link" href="?sort=la">Local authority' in html
    assert "Escalation 2 due</caption>" in html


@pytest.mark.parametrize("who", ["case_officer", "spoc", "head_of_service"])
def test_the_dco_lists_with_a_sort_stay_closed_to_others(ours, at_escalation_1, login, who):
    client = login(getattr(ours, who))
    for name in ("escalation:responses_owed", "escalation:resolutions_due"):
        assert client.get(reverse(name), {"sort": "-provider"}).status_code == 404


def test_the_hos_queue_with_a_sort_shows_only_own_teams(ours, theirs, at_escalation_2, login):
    response = login(theirs.head_of_service).get(reverse("escalation:hos_queue"), {"sort": "team"})
    assert response.status_code == 200 and not response.context["page"].rows
    for who in ("case_officer", "dco", "slt_practitioner"):
        assert login(getattr(ours, who)).get(reverse("escalation:hos_queue"), {"sort": "team"}).status_code == 404


@pytest.mark.parametrize("sort", _sorts(selectors.LETTER_SORT_KEYS))
def test_a_directors_letters_in_every_order_and_only_theirs(ours, theirs, at_escalation_1, sort):
    from django.test import Client

    from ehc.models import Role, User
    from escalation.models import Letter
    from tests.factories import verified_login

    make_request(theirs, notified_on=D(2026, 11, 18))
    sweep(D(2027, 1, 22))
    mine = Letter.objects.filter(addressed_to__iexact=ours.provider.director_email)
    director = User.objects.create(
        username="director-sorting",
        email=ours.provider.director_email,
        organisation=ours.provider,
        roles=[Role.LETTERS_ONLY],
    )
    response = verified_login(Client(), director).get(reverse("escalation:my_letters"), {"sort": sort})
    shown = [letter.pk for letter in response.context["letters"]]
    assert len(shown) == mine.count() == 10
    assert shown == _expected(mine, selectors.LETTER_SORT_KEYS, sort)
    assert Letter.objects.exclude(pk__in=shown).exists()  # their provider's letter, not shown
