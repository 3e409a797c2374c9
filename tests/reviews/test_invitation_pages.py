"""The case officer's invitations and move-the-meeting pages, and the DCO's page of health reports
for reviews: each person as the demo makes them reaches exactly what they should; bad input shows
the GOV.UK error summary and changes nothing; O'Neill comes through escaped."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from advice.models import AdviceItem, AdviceRequest, ItemStatus
from ehc.demo import seed_organisations, seed_users
from ehc.models import OutboundEmail
from reviews.invitations import invitations_send
from tests.factories import verified_login

from .conftest import MEETING, REPORT_DUE, issued_case, open_review

D = datetime.date
pytestmark = pytest.mark.django_db
SENT = D(2027, 3, 1)


@pytest.fixture
def demo():
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    world = SimpleNamespace(
        la=la,
        provider=provider,
        case_officer=users["case.officer"],
        slt=teams["Speech and language therapy"],
        ot=teams["Occupational therapy"],
    )
    review = open_review(issued_case(world))
    return SimpleNamespace(users=users, review=review, world=world)


def date_fields(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


# Who may send the invitations and move the meeting: the LA's people who record steps on a case.
EDITORS = {"case.officer", "business.support"}
OTHERS = [
    "send.manager",
    "ad.education",
    "spoc",
    "slt.practitioner",
    "ot.lead",
    "head.of.service",
    "alliance.director",
    "dco",
    "admin",
    "icb.admin",
    "provider.admin",
]


@pytest.mark.parametrize("username", sorted(EDITORS) + OTHERS)
def test_the_invitations_page_is_for_the_las_editors_only(demo, travel, client, username):
    travel(SENT)
    verified_login(client, demo.users[username])
    response = client.get(reverse("reviews:invitations", args=[demo.review.pk]))
    assert response.status_code == (200 if username in EDITORS else 404)
    response = client.get(reverse("reviews:meeting_move", args=[demo.review.pk]))
    # Before the invitations the move page sends the editor back to the case.
    assert response.status_code == (302 if username in EDITORS else 404)


def test_another_las_case_officer_gets_a_404(ours, theirs, travel, client):
    travel(SENT)
    review = open_review(issued_case(ours))
    verified_login(client, theirs.case_officer)
    assert client.get(reverse("reviews:invitations", args=[review.pk])).status_code == 404
    assert client.post(reverse("reviews:invitations", args=[review.pk]), {}).status_code == 404
    assert client.get(reverse("reviews:meeting_move", args=[review.pk])).status_code == 404
    assert client.get(reverse("reviews:invitations", args=[999999])).status_code == 404


def test_the_case_officer_sends_the_invitations_with_the_providers_asked_before_ticked(ours, travel, client):
    travel(SENT)
    review = open_review(issued_case(ours))
    verified_login(client, ours.case_officer)
    url = reverse("reviews:invitations", args=[review.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "O&#x27;Neill" in html and "O'Neill" not in html
    assert page.context["form"].initial["providers"] == [ours.provider.pk]
    assert "26 April 2027" in html and "25 March 2027" in html  # report due; health's notice by
    response = client.post(url, {"providers": [ours.provider.pk], "message": "See you at O'Neill's review"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.invitations_sent_on == SENT
    advice_request = AdviceRequest.objects.get(review=review)
    assert (advice_request.due_on, advice_request.message) == (REPORT_DUE, "See you at O'Neill's review")
    # The SPOC sees it in the queue, saying which meeting it is for.
    verified_login(client, ours.spoc)
    queue = client.get(reverse("advice:spoc_queue")).content.decode()
    assert "Annual review: meeting on 10 May 2027, report due 26 Apr 2027" in queue
    detail = client.get(reverse("advice:request_detail", args=[advice_request.pk])).content.decode()
    assert "meeting on 10 May 2027" in detail and reverse("advice:acknowledge", args=[advice_request.pk]) in detail


def test_arrange_the_meeting_first(ours, travel, client):
    travel(SENT)
    review = open_review(issued_case(ours), meeting_on=None)
    verified_login(client, ours.case_officer)
    page = client.get(reverse("reviews:invitations", args=[review.pk]))
    assert page.status_code == 200 and "Arrange the review meeting first" in page.content.decode()
    assert "form" not in page.context


def test_short_notice_warns_and_needs_the_box_ticked(ours, travel, client):
    late = D(2027, 4, 1)  # after 25 March: health gets less than 6 weeks
    travel(late)
    review = open_review(issued_case(ours))
    verified_login(client, ours.case_officer)
    url = reverse("reviews:invitations", args=[review.pk])
    html = client.get(url).content.decode()
    assert "govuk-warning-text" in html and "Health gets less than" in html
    response = client.post(url, {"providers": [ours.provider.pk], "message": "Kept O'Neill"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Confirm that you are sending" in html
    assert "Kept O&#x27;Neill" in html  # what was typed is not lost
    review.refresh_from_db()
    assert review.invitations_sent_on is None and not AdviceRequest.objects.filter(review=review).exists()
    response = client.post(url, {"providers": [ours.provider.pk], "short_notice_confirmed": "on"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.invitations_sent_on == late


@pytest.mark.parametrize("bad", [{"providers": ["junk"]}, {"providers": ["999999"]}, {"message": "x" * 5001}])
def test_bad_input_changes_nothing(ours, theirs, travel, client, bad):
    travel(SENT)
    review = open_review(issued_case(ours))
    verified_login(client, ours.case_officer)
    response = client.post(reverse("reviews:invitations", args=[review.pk]), bad)
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    review.refresh_from_db()
    assert review.invitations_sent_on is None
    assert not AdviceRequest.objects.filter(review=review).exists()


def test_another_las_provider_is_no_choice(ours, theirs, travel, client):
    travel(SENT)
    review = open_review(issued_case(ours))
    verified_login(client, ours.case_officer)
    response = client.post(reverse("reviews:invitations", args=[review.pk]), {"providers": [theirs.provider.pk]})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not AdviceRequest.objects.filter(review=review).exists()


def test_moving_the_meeting_through_the_page(ours, travel, client):
    travel(SENT)
    review = open_review(issued_case(ours))
    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    verified_login(client, ours.case_officer)
    url = reverse("reviews:meeting_move", args=[review.pk])
    assert client.get(url).status_code == 200
    emails = OutboundEmail.objects.count()
    # Bad input: no reason, a date that is not one, a date in the past: nothing moves.
    for bad in (
        {**date_fields("meeting_on", D(2027, 6, 7)), "reason": ""},
        {"meeting_on_0": "31", "meeting_on_1": "2", "meeting_on_2": "2027", "reason": "O'Neill family away"},
        {**date_fields("meeting_on", D(2027, 2, 1)), "reason": "O'Neill family away"},
    ):
        response = client.post(url, bad)
        assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
        review.refresh_from_db()
        assert review.meeting_on == MEETING
        assert OutboundEmail.objects.count() == emails
    response = client.post(url, {**date_fields("meeting_on", D(2027, 6, 7)), "reason": "O'Neill family away"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.meeting_on == D(2027, 6, 7)
    assert set(AdviceItem.objects.filter(review=review).values_list("due_on", flat=True)) == {D(2027, 5, 24)}


# The DCO's page of health reports for reviews.


@pytest.fixture
def reports(ours, theirs):
    """Ours: two reports returned (one on time, one late), one outstanding past its due date. Theirs:
    one outstanding, never shown to our DCO."""
    review = open_review(issued_case(ours))
    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    ot, slt = AdviceItem.objects.filter(review=review).order_by("team__name")
    AdviceItem.objects.filter(pk=ot.pk).update(status=ItemStatus.RETURNED, returned_on=REPORT_DUE, next_action_on=None)
    other = open_review(issued_case(ours, last_name="Ó Briain"), meeting_on=D(2027, 5, 17))
    invitations_send(other, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    late = AdviceItem.objects.filter(review=other).order_by("team__name").first()
    AdviceItem.objects.filter(pk=late.pk).update(
        status=ItemStatus.RETURNED, returned_on=D(2027, 5, 10), next_action_on=None
    )
    AdviceItem.objects.filter(review=other).exclude(pk=late.pk).update(
        status=ItemStatus.RETURNED, returned_on=D(2027, 4, 30), next_action_on=None
    )
    theirs_review = open_review(issued_case(theirs))
    invitations_send(theirs_review, providers=[theirs.provider], message="", by=theirs.case_officer, today=SENT)
    return slt


def test_the_dcos_page_counts_the_areas_review_reports_by_provider(ours, reports, travel, client):
    travel(D(2027, 5, 20))
    verified_login(client, ours.dco)
    url = reverse("reports:review_health")
    page = client.get(url)
    assert page.status_code == 200
    report = page.context["report"]
    assert [row["name"] for row in report.by_provider] == [ours.provider.name]
    totals = report.totals
    assert (totals["requested"], totals["within"], totals["late"], totals["outstanding"], totals["overdue"]) == (
        4,
        2,
        1,
        1,
        1,
    )
    # The list behind a number is exactly its rows.
    listed = client.get(url, {"outcome": "overdue", "provider": ours.provider.pk})
    assert [item.pk for item in listed.context["rows"]] == [reports.pk]
    assert "O&#x27;Neill" in listed.content.decode()
    late = client.get(url, {"outcome": "late"}).context["rows"]
    # 14 days before 17 May is the early May bank holiday: due Friday 30 April, returned 10 May.
    assert len(late) == 1 and late[0].due_on == D(2027, 4, 30) and late[0].days_late == 10
    body = b"".join(client.get(url, {"outcome": "overdue", "format": "csv"}).streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and "O'Neill" in lines[1] and "2027-05-10" in lines[1]
    # Not in the assessment's figures, and junk does not break the page.
    assert client.get(url, {"outcome": "junk", "start_0": "99"}).status_code == 200


@pytest.mark.parametrize(
    "username, status",
    [("dco", 200), ("business_support", 200), ("ad", 200), ("case_officer", 404), ("spoc", 404),
     ("slt_practitioner", 404), ("head_of_service", 404)],
)  # fmt: skip
def test_the_dcos_page_is_for_whom_the_dashboard_is(ours, username, status, client):
    verified_login(client, getattr(ours, username))
    assert client.get(reverse("reports:review_health")).status_code == status


def test_another_areas_dco_sees_none_of_ours(ours, theirs, reports, travel, client):
    travel(D(2027, 5, 20))
    verified_login(client, theirs.dco)
    page = client.get(reverse("reports:review_health"))
    assert [row["name"] for row in page.context["report"].by_provider] == [theirs.provider.name]
    # Our provider is no choice of theirs: an error on the form, no figures, never our rows.
    listed = client.get(reverse("reports:review_health"), {"outcome": "requested", "provider": ours.provider.pk})
    assert listed.status_code == 200 and listed.context["report"] is None
    assert "govuk-error-summary" in listed.content.decode()
