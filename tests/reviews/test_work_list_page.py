"""The review work list page (/reviews/): who may open it, what a row shows (O'Neill as typed), each
list chosen in the address, sorting and paging, and a fixed number of queries whatever the rows."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import ReviewDecision
from ehc.models import Role
from tests.factories import UserFactory

from .helpers import review

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)


def _get(client, **query):
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("reviews:work_list"), query)


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad"])
def test_the_las_case_work_roles_may_open_it(ours, login, who):
    assert _get(login(getattr(ours, who))).status_code == 200


def test_a_send_manager_may_open_it(ours, login):
    manager = UserFactory(username="manager-reviews", organisation=ours.la, roles=[Role.SEND_MANAGER])
    assert _get(login(manager)).status_code == 200


@pytest.mark.parametrize("who", ["spoc", "slt_practitioner", "head_of_service", "dco"])
def test_health_and_the_icb_get_a_404(ours, login, who):
    assert _get(login(getattr(ours, who))).status_code == 404


def test_an_la_administrator_without_a_case_work_role_gets_a_404(ours, login):
    admin = UserFactory(username="admin-reviews", organisation=ours.la, roles=[Role.ADMINISTRATOR])
    assert _get(login(admin)).status_code == 404


def test_signed_out_is_sent_to_sign_in(client):
    response = _get(client)
    assert response.status_code == 302


def test_another_las_case_officer_sees_none_of_our_reviews(ours, theirs, login):
    review(ours, due_on=TODAY + DAY, last_name="O'Neill")
    html = _get(login(theirs.case_officer)).content.decode()
    assert "O&#x27;Neill" not in html and "O'Neill" not in html
    assert "No reviews in this list." in html


def test_a_row_shows_the_child_linked_to_the_case_its_dates_and_next_step_with_its_rag(ours, login):
    row = review(ours, due_on=TODAY + 20 * DAY, meeting_on=TODAY + 18 * DAY, last_name="O'Neill")
    html = _get(login(ours.case_officer)).content.decode()
    assert "O&#x27;Neill" in html
    assert reverse("assessments:case_detail", args=[row.case_id]) in html
    assert row.case.reference in html
    assert 'Hold the review meeting<span class="govuk-visually-hidden"> for ' in html and ", by 13 Dec 2026" in html
    assert reverse("reviews:detail", args=[row.pk]) in html
    assert "On track" in html
    # The invitations list: invitations and health's requests go together, by health's 6 weeks before
    # the meeting (Friday 30 Oct 2026): late.
    html = _get(login(ours.case_officer), list="invitations").content.decode()
    assert "Send the invitations<span" in html and ", by 30 Oct 2026" in html and "Late" in html


def test_an_invitations_day_that_is_no_working_day_shows_the_working_day_before(ours, login):
    # 6 weeks before Monday 10 May 2027 is Easter Monday: Thursday 25 March, before Good Friday.
    review(ours, due_on=datetime.date(2027, 5, 12), meeting_on=datetime.date(2027, 5, 10), last_name="Easter")
    html = _get(login(ours.case_officer), list="invitations").content.decode()
    assert "Easter" not in html  # listed 2 weeks ahead of the day, not yet on 23 November
    with time_machine.travel(datetime.datetime(2027, 3, 16, 10, tzinfo=datetime.UTC), tick=False):
        html = login(ours.case_officer).get(reverse("reviews:work_list"), {"list": "invitations"}).content.decode()
    assert "Easter" in html and ", by 25 Mar 2027" in html


def test_each_list_in_the_address_and_an_unknown_one_is_the_first(ours, login):
    review(ours, due_on=TODAY, held_on=TODAY - 30 * DAY, last_name="Decisionless")
    client = login(ours.case_officer)
    html = _get(client, list="decisions").content.decode()
    assert (
        "Decisions overdue" in html
        and "Decisionless" in html
        and "Notify the decision<span" in html
        and ", by 21 Nov 2026" in html
    )
    assert "Late" in html
    html = _get(client, list="sideways").content.decode()
    assert 'aria-current="page"><strong>Due in the next 12 weeks (0)' in html and "Decisionless" not in html


def test_sorted_by_due_date_either_way_and_paged(ours, login):
    for days in (30, 10, 20):
        review(ours, due_on=TODAY + days * DAY, last_name=f"Child{days}")
    client = login(ours.case_officer)
    html = _get(client).content.decode()
    assert html.index("Child10") < html.index("Child20") < html.index("Child30")
    html = _get(client, sort="-due").content.decode()
    assert html.index("Child30") < html.index("Child20") < html.index("Child10")


def _queries(client, **query):
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, **query)
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_one_row_as_for_sixty(ours, login):
    client = login(ours.case_officer)
    review(ours, due_on=TODAY + DAY)
    review(ours, due_on=TODAY - DAY, held_on=TODAY - 100 * DAY, decision=ReviewDecision.AMEND,
           decision_notified_on=TODAY - 90 * DAY)  # fmt: skip
    few = {key: _queries(client, list=key) for key in ("due", "amended_plans")}
    for index in range(60):
        review(ours, due_on=TODAY + index * DAY)
        review(ours, due_on=TODAY - DAY, held_on=TODAY - (90 + index) * DAY, decision=ReviewDecision.AMEND,
               decision_notified_on=TODAY - 80 * DAY)  # fmt: skip
    many = {key: _queries(client, list=key) for key in ("due", "amended_plans")}
    assert many == few
    assert max(many.values()) <= 8
    html = _get(client, list="due").content.decode()
    assert "Next page" in html
