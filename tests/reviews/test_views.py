"""The review's pages as the demo users are made: the LA's case officer and business support record
the steps; a case officer of another LA, a SPOC, a practitioner, a DCO get the same 404 as a missing
page; bad input comes back with the error summary, what was typed kept, nothing changed."""

import pytest

from assessments.models import AnnualReview, CaseStatus
from ehc.models import AuditAction, AuditEvent

from .conftest import D, alignment, date_fields

pytestmark = pytest.mark.django_db

STEPS = ("meeting", "early", "held", "report", "decision", "amended_plan", "moved_away")
PATHS = {
    "detail": "/reviews/{}/",
    "meeting": "/reviews/{}/meeting/",
    "early": "/reviews/{}/early/",
    "held": "/reviews/{}/held/",
    "report": "/reviews/{}/report/",
    "decision": "/reviews/{}/decision/",
    "amended_plan": "/reviews/{}/amended-plan/",
    "moved_away": "/reviews/{}/moved-away/",
}


@pytest.fixture
def review(ours, issue_plan, travel):
    alignment(ours.la, True)
    case = issue_plan(D(2026, 3, 10), date_of_birth=D(2014, 11, 15), first_name="Siobhan", last_name="O'Neill")
    travel(D(2026, 9, 1))
    return AnnualReview.objects.get(case=case)


@pytest.mark.parametrize("page", list(PATHS))
def test_our_case_officer_and_business_support_may(ours, review, login, page):
    for user in (ours.case_officer, ours.business_support):
        response = login(user).get(PATHS[page].format(review.pk))
        assert response.status_code == 200, (user, page)


@pytest.mark.parametrize("page", list(PATHS))
@pytest.mark.parametrize("who", ["their_case_officer", "spoc", "slt_practitioner", "dco", "head_of_service"])
def test_everyone_else_gets_404(ours, theirs, review, login, page, who):
    user = theirs.case_officer if who == "their_case_officer" else getattr(ours, who)
    client = login(user)
    assert client.get(PATHS[page].format(review.pk)).status_code == 404
    if page != "detail":
        assert client.post(PATHS[page].format(review.pk), date_fields("meeting_on", D(2026, 11, 2))).status_code == 404
    assert AnnualReview.objects.get(pk=review.pk).meeting_on is None


@pytest.mark.parametrize("page", STEPS)
def test_the_ad_of_education_sees_the_review_but_records_nothing(ours, review, login, page):
    client = login(ours.ad)
    assert client.get(PATHS["detail"].format(review.pk)).status_code == 200
    assert client.get(PATHS[page].format(review.pk)).status_code == 404


def test_a_missing_review_is_404(ours, login):
    assert login(ours.case_officer).get("/reviews/999999/").status_code == 404


def test_arranging_the_meeting(ours, review, login):
    response = login(ours.case_officer).post(
        PATHS["meeting"].format(review.pk), date_fields("meeting_on", D(2026, 11, 2))
    )
    assert response.status_code == 302
    assert response.url == f"/cases/{review.case_id}/"
    assert AnnualReview.objects.get(pk=review.pk).meeting_on == D(2026, 11, 2)


def test_bad_input_shows_the_error_summary_keeps_what_was_typed_and_changes_nothing(ours, review, login):
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    data = {
        **date_fields("held_on", D(2026, 3, 1)),
        "pfa_employment": "Wants to work with animals",
        "pfa_independent_living": "",
        "pfa_community_inclusion": "Youth club",
        "pfa_health": "Sees the O'Neill family GP",
    }
    response = login(ours.case_officer).post(PATHS["held"].format(review.pk), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter preparing for adulthood: independent living" in html
    assert "Wants to work with animals" in html
    assert "O&#x27;Neill family GP" in html
    assert AnnualReview.objects.get(pk=review.pk).held_on is None
    # The service's refusal, on the field: before the review period started.
    data["pfa_independent_living"] = "Travel training"
    html = login(ours.case_officer).post(PATHS["held"].format(review.pk), data).content.decode()
    assert "There is a problem" in html
    assert "must be on or after 10 March 2026" in html
    assert 'href="#id_held_on_0"' in html
    assert AnnualReview.objects.get(pk=review.pk).held_on is None
    # Nothing recorded on the case.
    assert not AuditEvent.objects.filter(pk__gt=last_event, case=review.case).exclude(action=AuditAction.VIEW).exists()


def test_a_refusal_from_the_state_comes_back_on_the_form(ours, review, login):
    response = login(ours.case_officer).post(
        PATHS["report"].format(review.pk), date_fields("report_circulated_on", D(2026, 9, 1))
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Record the meeting held first" in html
    assert AnnualReview.objects.get(pk=review.pk).report_circulated_on is None


def test_a_closed_review_sends_the_step_pages_to_its_detail(ours, review, login):
    AnnualReview.objects.filter(pk=review.pk).update(closed_on=D(2026, 8, 1), cancelled_reason="Moved away")
    client = login(ours.case_officer)
    response = client.get(PATHS["held"].format(review.pk))
    assert response.status_code == 302 and response.url == PATHS["detail"].format(review.pk)
    assert "Moved away" in client.get(response.url).content.decode()


def test_a_child_named_oneill_is_escaped(ours, review, login):
    client = login(ours.case_officer)
    for page in ("detail", "held"):
        html = client.get(PATHS[page].format(review.pk)).content.decode()
        assert "O&#x27;Neill" in html
        assert "Siobhan O'Neill" not in html
    html = client.get(f"/cases/{review.case_id}/").content.decode()
    assert "O&#x27;Neill" in html and "Siobhan O'Neill" not in html


def test_the_child_moved_away_ends_the_case_and_cancels_the_review(ours, review, login):
    client = login(ours.case_officer)
    response = client.post(
        PATHS["moved_away"].format(review.pk), {**date_fields("moved_on", D(2026, 9, 1)), "reason": ""}
    )
    assert "Enter where the child moved to" in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).is_open
    response = client.post(
        PATHS["moved_away"].format(review.pk),
        {**date_fields("moved_on", D(2026, 8, 28)), "reason": "To Leeds; plan sent 28/08/2026"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    review.case.refresh_from_db()
    assert review.case.status == CaseStatus.MOVED_AWAY
    assert (review.closed_on, review.cancelled_reason) == (D(2026, 8, 28), "Moved away: To Leeds; plan sent 28/08/2026")
    html = client.get(f"/cases/{review.case_id}/").content.decode()
    assert "No review is open" in html and "cancelled" in html


def test_year_9_asks_for_the_transition_with_the_other_mistakes(ours, issue_plan, travel, login):
    case = issue_plan(D(2026, 1, 15), date_of_birth=D(2012, 12, 1))
    review = AnnualReview.objects.get(case=case)
    travel(D(2026, 11, 20))
    response = login(ours.case_officer).post(
        PATHS["held"].format(review.pk), {**date_fields("held_on", D(2026, 11, 20)), "pfa_employment": "Work"}
    )
    html = response.content.decode()
    assert "Enter preparing for adulthood: good health" in html
    assert "the young person is in year 9 or above" in html
    assert "(optional before year 9)" not in html
    assert AnnualReview.objects.get(pk=review.pk).held_on is None
