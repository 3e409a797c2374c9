"""The case page's "Annual reviews" section: the open review's steps with due dates and RAG, the
birthday, an early review's reason, the year 9 marker, earlier reviews; links to record a step for
the LA's editors only, read-only for a DCO who may see the case."""

import pytest

from assessments.models import AnnualReview
from reviews import services
from tests.assessments.test_case_page import MIDDLEWARE_QUERIES, VIEW_QUERIES
from tests.factories import AdviceRequestFactory

from .conftest import D, alignment
from .test_services import PFA

pytestmark = pytest.mark.django_db

# The case page's queries, as tests/assessments/test_case_page.py counts them: the section adds none.
PAGE_QUERIES = MIDDLEWARE_QUERIES + VIEW_QUERIES


@pytest.fixture
def case(ours, issue_plan, travel):
    alignment(ours.la, True)
    case = issue_plan(D(2026, 1, 15), date_of_birth=D(2012, 12, 1), last_name="O'Neill")
    travel(D(2026, 9, 1))
    return case


def _section(html):
    start = html.index('id="annual-reviews"')
    return html[start:]


def test_the_case_officer_sees_the_steps_and_the_links(ours, case, login):
    review = AnnualReview.objects.get(case=case)
    html = _section(login(ours.case_officer).get(f"/cases/{case.pk}/").content.decode())
    assert "1 December 2026" in html and "The child's birthday" in html
    assert "Preparing for adulthood" in html
    assert f'href="/reviews/{review.pk}/held/"' in html
    assert f'href="/reviews/{review.pk}/meeting/"' in html
    assert f'href="/reviews/{review.pk}/early/"' in html
    assert "Once the meeting is arranged" in html
    assert "/invitations/" not in html
    assert "app-rag--green" in html


def test_a_dco_sees_the_section_without_links(ours, case, login):
    html = _section(login(ours.dco).get(f"/cases/{case.pk}/").content.decode())
    assert "/reviews/" not in html
    assert "1 December 2026" in html


def test_another_las_case_officer_and_a_spoc_not_party_see_no_case(theirs, ours, case, login):
    assert login(theirs.case_officer).get(f"/cases/{case.pk}/").status_code == 404
    assert login(ours.spoc).get(f"/cases/{case.pk}/").status_code == 404


def test_late_early_and_earlier_reviews(ours, case, login, travel):
    review = AnnualReview.objects.get(case=case)
    services.review_bring_forward(
        review=review, user=ours.case_officer, due_on=D(2026, 10, 1), early_reason="Placement breaking down"
    )
    services.review_arrange_meeting(review=review, user=ours.case_officer, meeting_on=D(2026, 10, 5))
    travel(D(2026, 10, 5))
    services.review_record_held(
        review=review, user=ours.case_officer, held_on=D(2026, 10, 5), adult_services_transition="CHC screen", **PFA
    )
    services.review_record_report(review=review, user=ours.case_officer, report_circulated_on=D(2026, 10, 5))
    services.review_record_decision(
        review=review,
        user=ours.case_officer,
        decision="maintain",
        decision_notified_on=D(2026, 10, 5),
        decision_reason="x",
    )
    html = _section(login(ours.case_officer).get(f"/cases/{case.pk}/").content.decode())
    assert "Early review due 1 Oct 2026" in html
    assert "held 5 Oct 2026, keep the plan as it is" in html
    assert "Annual review" in html


def test_a_meeting_arranged_after_the_due_date_is_shown_late(ours, case, login):
    review = AnnualReview.objects.get(case=case)
    services.review_arrange_meeting(review=review, user=ours.case_officer, meeting_on=D(2026, 12, 10))
    html = _section(login(ours.case_officer).get(f"/cases/{case.pk}/").content.decode())
    assert "Late: after the due date" in html
    # The step is the invitations page's once the meeting is arranged (a link once that page exists).
    assert "Sent from the invitations page" in html or f"/reviews/{review.pk}/invitations/" in html
    # The invitations' last day: 6 weeks before 10 December 2026, a Thursday.
    assert "29 Oct 2026" in html


def test_a_spoc_whose_provider_was_asked_sees_the_reviews_read_only(ours, case, login):
    AdviceRequestFactory(case=case, provider=ours.provider, requested_by=ours.case_officer)
    response = login(ours.spoc).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = _section(response.content.decode())
    assert "1 December 2026" in html and "Preparing for adulthood" in html
    assert "/reviews/" not in html


def test_the_section_costs_no_query_however_many_reviews(ours, case, login, travel, django_assert_num_queries):
    client = login(ours.case_officer)
    client.get(f"/cases/{case.pk}/")
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(f"/cases/{case.pk}/")
    review = AnnualReview.objects.get(case=case)
    for n in range(3):
        AnnualReview.objects.filter(pk=review.pk).update(
            closed_on=D(2026, 9, 1), cancelled_reason=f"Test {n}", held_on=D(2026, 8, 1)
        )
        review = AnnualReview.objects.create(
            case=case, local_authority=ours.la, anchor_on=D(2026, 8, 1), due_on=D(2027, 8, 1), recorded_by=None
        )
    with django_assert_num_queries(PAGE_QUERIES):
        html = client.get(f"/cases/{case.pk}/").content.decode()
    assert html.count("cancelled") >= 3


def test_after_the_invitations_the_meeting_is_moved_on_healths_side(ours, case, login):
    review = AnnualReview.objects.get(case=case)
    services.review_arrange_meeting(review=review, user=ours.case_officer, meeting_on=D(2026, 11, 30))
    html = _section(login(ours.case_officer).get(f"/cases/{case.pk}/").content.decode())
    assert f'href="/reviews/{review.pk}/invitations/"' in html
    assert f'href="/reviews/{review.pk}/meeting/"' in html
    AnnualReview.objects.filter(pk=review.pk).update(invitations_sent_on=D(2026, 9, 1))
    html = _section(login(ours.case_officer).get(f"/cases/{case.pk}/").content.decode())
    assert f'href="/reviews/{review.pk}/meeting/move/"' in html
    assert f'href="/reviews/{review.pk}/meeting/"' not in html
    assert f'href="/reviews/{review.pk}/invitations/"' not in html
