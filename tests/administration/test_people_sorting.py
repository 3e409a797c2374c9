"""The People list sorted by name, email or last sign-in (ehc.sorting), the active always first."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ehc.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(ours):
    now = timezone.now()
    made = [
        UserFactory(username="p-oneill", last_name="O'Neill", email="zz@people.example", organisation=ours.la),
        UserFactory(username="p-adams", last_name="adams", email="Bb@people.example", organisation=ours.la,
                    last_login=now - datetime.timedelta(days=3)),
        UserFactory(username="p-brown", last_name="Brown", email="aa@people.example", organisation=ours.la,
                    last_login=now - datetime.timedelta(days=1)),
        UserFactory(username="p-gone", last_name="Aaron", email="cc@people.example", organisation=ours.la,
                    is_active=False, roles=[Role.CASE_OFFICER]),
    ]
    return made


def _listed(client, sort):
    response = client.get(reverse("administration:people"), {"sort": sort} if sort is not None else {})
    assert response.status_code == 200
    return [person.username for person in response.context["people"] if person.username.startswith("p-")]


def test_every_order_with_the_active_first(our_admins, staff, login):
    client = login(our_admins.la)
    assert _listed(client, None) == ["p-adams", "p-brown", "p-oneill", "p-gone"]
    assert _listed(client, "-name") == ["p-oneill", "p-brown", "p-adams", "p-gone"]
    assert _listed(client, "email") == ["p-brown", "p-adams", "p-oneill", "p-gone"]
    assert _listed(client, "-email") == ["p-oneill", "p-adams", "p-brown", "p-gone"]
    # Never signed in comes last either way.
    assert _listed(client, "signed-in") == ["p-adams", "p-brown", "p-oneill", "p-gone"]
    assert _listed(client, "-signed-in") == ["p-brown", "p-adams", "p-oneill", "p-gone"]
    assert _listed(client, "password") == _listed(client, "name")


def test_the_headers_and_no_extra_query(our_admins, staff, login):
    client = login(our_admins.la)
    page = client.get(reverse("administration:people"), {"sort": "-signed-in"}).content.decode()
    assert 'aria-sort="descending"><a class="govuk-link app-sort-link" href="?sort=signed-in">Last signed in' in page
    counts = set()
    for sort in ("name", "-email", "signed-in"):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("administration:people"), {"sort": sort})
        counts.add(len(queries))
    assert len(counts) == 1


@pytest.mark.parametrize("who", ["case_officer", "spoc", "dco"])
def test_a_sorted_people_list_is_still_closed_to_others(ours, staff, login, who):
    response = login(getattr(ours, who)).get(reverse("administration:people"), {"sort": "-email"})
    assert response.status_code == 404
