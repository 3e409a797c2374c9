"""The demo has plans with reviews in every state (issue 21), each work list has rows, and every issued
plan of the demo's year has its review scheduled."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from advice.models import AdviceRequest
from assessments.models import AnnualReview, Case, CaseStatus, ReviewDecision, ReviewKind
from ehc.demo import DEMO_USERS
from ehc.models import User
from escalation.demo import seed_demo
from reviews.selectors import WORK_LISTS, work_list_counts
from tests.factories import verified_login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        seed_demo(today=TODAY, months=12)
    return AnnualReview.objects.all()


def test_reviews_in_every_state(demo):
    open_ = demo.filter(closed_on__isnull=True)
    states = {
        "due, not arranged": open_.filter(meeting_on__isnull=True, held_on__isnull=True, due_on__gt=TODAY),
        "overdue, not held": open_.filter(held_on__isnull=True, due_on__lt=TODAY),
        "meeting arranged": open_.filter(meeting_on__gt=TODAY, invitations_sent_on__isnull=True),
        "invitations sent": open_.filter(invitations_sent_on__isnull=False, held_on__isnull=True),
        "held": open_.filter(held_on__isnull=False, report_circulated_on__isnull=True),
        "report circulated": open_.filter(report_circulated_on__isnull=False, decision=""),
        "kept and closed": demo.filter(decision=ReviewDecision.MAINTAIN, closed_on__isnull=False),
        "amending, plan to come": open_.filter(decision=ReviewDecision.AMEND, amended_plan_issued_on__isnull=True),
        "amended plan issued": demo.filter(amended_plan_issued_on__isnull=False, closed_on__isnull=False),
        "ceased": demo.filter(decision=ReviewDecision.CEASE),
        "early, with its reason": demo.filter(kind=ReviewKind.EARLY).exclude(early_reason=""),
        "preparing for adulthood": demo.exclude(pfa_employment="").exclude(adult_services_transition=""),
    }
    for state, reviews in states.items():
        assert reviews.exists(), state
    # The invitations of a review still to meet went by their service: health's request waits for the SPOC.
    sent = states["invitations sent"].get()
    request = AdviceRequest.objects.get(review=sent)
    assert request.acknowledged_at is None and request.due_on < sent.meeting_on
    # Kept, and amended and issued: the next review scheduled from the meeting.
    for closed in demo.filter(closed_on__isnull=False).exclude(decision=ReviewDecision.CEASE):
        assert demo.filter(case=closed.case, closed_on__isnull=True, anchor_on=closed.held_on).exists()
    # The four Preparing for Adulthood domains at every meeting; the move to adult services from year 9.
    assert not demo.filter(held_on__isnull=False, pfa_health="").exists()
    for review in demo.exclude(adult_services_transition="").select_related("case__child"):
        assert review.covers_preparing_for_adulthood(review.case.child.date_of_birth)


def test_every_work_list_has_rows_for_the_demos_case_officers(demo):
    for username in ("case.officer", "business.support"):
        counts = work_list_counts(user=User.objects.get(username=username), today=TODAY)
        assert all(counts[work_list.key] for work_list in WORK_LISTS), (username, counts)


def test_every_issued_plan_has_a_review(demo):
    issued = Case.objects.filter(status=CaseStatus.PLAN_ISSUED)
    assert issued.count() > 20
    assert not issued.exclude(pk__in=demo.values("case_id")).exists()


# As the demo's users are made: the council's case-work roles open the work lists and the report; the
# council's administrator, health and the platform operator do not; the DCO reads the area's report only.
WORK_LIST_OPENS = {"case.officer", "case.officer2", "business.support", "ad.education", "send.manager"}
REPORT_OPENS = WORK_LIST_OPENS | {"dco"}


def test_who_opens_the_work_lists_and_the_report_as_the_demo_users_are_made(demo):
    with time_machine.travel(NOW, tick=False):
        for user in User.objects.filter(username__in=[row[0] for row in DEMO_USERS]):
            client = verified_login(Client(), user)
            lists = client.get(reverse("reviews:work_list")).status_code
            report = client.get(reverse("reports:reviews")).status_code
            assert lists == (200 if user.username in WORK_LIST_OPENS else 404), (user.username, lists)
            if user.is_superuser:
                continue
            assert report == (200 if user.username in REPORT_OPENS else 404), (user.username, report)


def test_another_councils_case_officer_sees_none_of_the_demos_reviews(demo, theirs):
    with time_machine.travel(NOW, tick=False):
        client = verified_login(Client(), theirs.case_officer)
        for work_list in WORK_LISTS:
            html = client.get(reverse("reviews:work_list"), {"list": work_list.key}).content.decode()
            assert "No reviews in this list." in html and "EHC-2025-R0" not in html
