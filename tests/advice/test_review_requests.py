"""A review's request for health advice: the same request and acknowledgement as an assessment's,
due before the meeting, and no part of the assessment's 6-week figures (advice.querysets)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from advice.gate import draft_gate_outstanding, gate_items
from advice.models import AdviceItem, AdviceRequest, ItemStatus, KnownStatus
from advice.services import AdviceError, TeamAnswer, advice_acknowledge, review_advice_request_send
from assessments.models import CaseStatus
from ehc.models import AuditEvent, OutboundEmail
from ehc.outbox import email_send_due
from reports.selectors.audit import non_return_audit
from reports.selectors.monthly import monthly_figures
from reports.selectors.outcomes import period_items, period_requests
from reports.selectors.overdue import dashboard
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory, ProviderFactory
from tests.reviews.conftest import MEETING, REPORT_DUE, issued_case, open_review

D = datetime.date
pytestmark = pytest.mark.django_db
TODAY = D(2027, 3, 1)


def _send(review, world, provider=None, today=TODAY):
    return review_advice_request_send(
        review, provider or world.provider, by=world.case_officer, today=today, message="Please report for the review."
    )


def test_a_review_request_is_due_before_the_meeting_and_tracks_the_teams_that_advised_before(ours):
    review = open_review(issued_case(ours))
    advice_request = _send(review, ours)
    assert (advice_request.review, advice_request.case, advice_request.notified_on) == (review, review.case, TODAY)
    assert advice_request.due_on == REPORT_DUE == MEETING - datetime.timedelta(days=14)
    items = list(advice_request.items.order_by("team__name"))
    assert [item.team for item in items] == [ours.ot, ours.slt]
    for item in items:
        assert (item.review, item.due_on, item.next_action_on, item.status) == (
            review,
            REPORT_DUE,
            REPORT_DUE,
            ItemStatus.OUTSTANDING,
        )
    # The SPOC mailbox hears as for an assessment: the reference, the dates and a link, no name.
    email_send_due()
    (notice,) = mail.outbox
    assert notice.to == [ours.provider.spoc_email]
    text = notice.subject + notice.body + notice.alternatives[0][0]
    assert review.case.reference in notice.subject and "annual review" in text
    assert "10 May 2027" in notice.body and "26 April 2027" in notice.body
    assert reverse("advice:request_detail", args=[advice_request.pk]) in notice.body
    assert "O'Neill" not in text and "O&#x27;Neill" not in text and "Siobhan" not in text
    assert AuditEvent.objects.filter(case=review.case, summary__contains="review meeting on 10/05/2027").exists()


def test_the_report_due_on_a_bank_holiday_is_due_the_working_day_before(ours):
    # 14 days before 14 June 2027 is the spring bank holiday, Monday 31 May: due Friday 28 May.
    review = open_review(issued_case(ours), meeting_on=D(2027, 6, 14))
    assert _send(review, ours).due_on == D(2027, 5, 28)


def test_the_las_setting_sets_the_days_before_the_meeting(ours):
    ours.la.la_settings.review_advice_days_before_meeting = 21
    ours.la.la_settings.save()
    review = open_review(issued_case(ours))
    assert _send(review, ours).due_on == D(2027, 4, 19)


def test_acknowledgement_copies_the_review_onto_the_teams_the_spoc_adds(ours):
    review = open_review(issued_case(ours))
    advice_request = _send(review, ours)
    advice_acknowledge(
        advice_request=advice_request,
        user=ours.spoc,
        answers=[
            TeamAnswer(ours.slt, KnownStatus.KNOWN_OPEN),
            TeamAnswer(ours.ot, KnownStatus.KNOWN_CLOSED),
            TeamAnswer(ours.paeds, KnownStatus.KNOWN_OPEN),
        ],
    )
    paeds = AdviceItem.objects.get(request=advice_request, team=ours.paeds)
    assert (paeds.review, paeds.due_on, paeds.added_by_spoc) == (review, REPORT_DUE, True)
    assert AdviceItem.objects.filter(review=review).count() == 3


def test_a_closed_review_cannot_be_acknowledged(ours):
    review = open_review(issued_case(ours))
    advice_request = _send(review, ours)
    review.closed_on = TODAY
    review.save()
    with pytest.raises(AdviceError, match="review has ended"):
        advice_acknowledge(
            advice_request=advice_request, user=ours.spoc, answers=[TeamAnswer(ours.slt, KnownStatus.KNOWN_OPEN)]
        )
    assert not AdviceRequest.objects.get(pk=advice_request.pk).is_acknowledged


@pytest.mark.parametrize("problem", ["no_meeting", "closed", "other_provider", "twice", "too_late"])
def test_a_refused_request_changes_nothing(ours, theirs, problem):
    review = open_review(issued_case(ours))
    provider, today = ours.provider, TODAY
    if problem == "no_meeting":
        review.meeting_on = None
        review.save()
    elif problem == "closed":
        review.closed_on = TODAY
        review.save()
    elif problem == "other_provider":
        provider = theirs.provider
    elif problem == "twice":
        _send(review, ours)
    elif problem == "too_late":
        today = REPORT_DUE + datetime.timedelta(days=1)
    requests, items, emails = AdviceRequest.objects.count(), AdviceItem.objects.count(), OutboundEmail.objects.count()
    with pytest.raises(AdviceError):
        _send(review, ours, provider=provider, today=today)
    assert (AdviceRequest.objects.count(), AdviceItem.objects.count(), OutboundEmail.objects.count()) == (
        requests,
        items,
        emails,
    )


def test_a_new_provider_with_no_history_gets_a_request_for_the_spoc_to_name_teams(ours):
    other = ProviderFactory(name="Another Trust", spoc_email="spoc@another.example")
    other.served_las.add(ours.la)
    review = open_review(issued_case(ours))
    advice_request = _send(review, ours, provider=other)
    assert advice_request.items.count() == 0 and advice_request.services_named == []


@pytest.fixture
def both(ours):
    """An assessment being assessed with one outstanding item, and a review with one returned late
    and one outstanding: the assessment's figures count the first only."""
    case = CaseFactory(local_authority=ours.la, status=CaseStatus.ASSESSING, received_on=D(2027, 1, 4))
    assessment = AdviceRequestFactory(
        case=case, provider=ours.provider, notified_on=TODAY, requested_by=ours.case_officer
    )
    AdviceItemFactory(request=assessment, team=ours.slt, next_action_on=assessment.due_on)
    review = open_review(issued_case(ours))
    advice_request = _send(review, ours)
    late = advice_request.items.get(team=ours.slt)
    AdviceItem.objects.filter(pk=late.pk).update(
        status=ItemStatus.RETURNED, returned_on=REPORT_DUE + datetime.timedelta(days=3), next_action_on=None
    )
    return case, review


def test_the_assessments_figures_leave_the_reviews_advice_out(ours, both):
    case, review = both
    start, end = TODAY - datetime.timedelta(days=10), TODAY  # after the issued case's assessment
    items = period_items(user=ours.dco, start=start, end=end)
    assert set(items.values_list("case_id", flat=True)) == {case.pk}
    assert set(period_requests(user=ours.dco, start=start, end=end).values_list("case_id", flat=True)) == {case.pk}
    monthly = monthly_figures(user=ours.dco, today=D(2027, 5, 1), start=start, end=end)
    assert (monthly.totals["requests"], monthly.totals["items"], monthly.totals["returned"]) == (1, 1, 0)
    audit = non_return_audit(user=ours.dco, start=start, end=end)
    assert audit.totals["requested"] == 1
    # One definition, on both models.
    assert AdviceItem.objects.for_reviews().filter(review=review).count() == 2
    assert not AdviceItem.objects.for_assessment().filter(review=review).exists()
    assert AdviceRequest.objects.for_reviews().get().review == review


def test_a_reviews_report_holds_no_draft_plan_back(ours, both):
    case, review = both
    assert draft_gate_outstanding(case=review.case) == []
    assert [item.case for item in draft_gate_outstanding(case=case)] == [case]
    assert not gate_items().filter(review__isnull=False).exists()


def test_the_dashboard_keeps_review_items_in_view_counted_apart(ours, both):
    figures = dashboard(user=ours.dco, today=D(2027, 5, 1))
    stages = {key: count for key, _label, count in figures.stages}
    # Two outstanding: the assessment's and the review's OT item; one of them is a review's.
    assert figures.total == 2 and stages["review"] == 1


def test_the_apis_advice_item_says_which_review_it_is_for(ours, both):
    from api.serializers import AdviceItemSerializer

    case, review = both
    for item in AdviceItem.objects.filter(review=review):
        assert AdviceItemSerializer(item).data["review"] == review.pk
    assessment_item = AdviceItem.objects.get(case=case)
    assert AdviceItemSerializer(assessment_item).data["review"] is None
