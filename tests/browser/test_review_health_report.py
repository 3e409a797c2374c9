"""Health's report for an annual review in the browser, on the days each step happens: the case
officer arranges the meeting and sends the invitations (health asked by the LA's notice); the SPOC
sees the request marked as a review's, with its meeting; the report is due before the meeting, and
when it is late the sweep chases it once; it comes in; the meeting is held, the LA decides to amend
and the amended plan is issued, and the next review is counted from the meeting."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessments import review_schedule
from assessments.models import AnnualReview, CaseStatus
from ehc.models import LocalAuthoritySettings, MessageKind, OutboundEmail, Service
from ehc.workdays import WorkingCalendar

from . import scenes
from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT = {"description_of_needs": "N", "provision_required": "P", "outcomes": "O"}


def fill_date(page, legend, date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def test_health_is_asked_chased_once_and_the_review_ends_in_an_amended_plan(journey, ours, authenticator):
    from advice.models import AdviceRequest, KnownStatus, Stage
    from advice.services import TeamAnswer, advice_acknowledge, advice_return
    from assessments.services import case_record_final_plan

    page = journey.page
    calendar = WorkingCalendar.for_la(ours.la.pk)
    la_settings = LocalAuthoritySettings.for_la(ours.la)
    start = calendar.on_or_after(timezone.localdate() + datetime.timedelta(days=1))
    issued = start - datetime.timedelta(days=300)
    for user in (ours.case_officer, ours.spoc):
        authenticator(user)

    # The assessment: health asked about the child, then the plan issued, which schedules the review.
    case = scenes.open_case(
        ours, received_days_ago=(timezone.localdate() - issued).days + 140, first_name="Aoife", last_name="O'Neill"
    )
    case.decided_to_assess = True
    case.decision_on = case.received_on + datetime.timedelta(weeks=6)
    case.status = CaseStatus.ASSESSING
    case.save()
    assessment_request = scenes.advice_requested(ours, case, services=[Service.SLT], on=case.decision_on)
    advice_acknowledge(
        advice_request=assessment_request,
        user=ours.spoc,
        answers=[TeamAnswer(team=ours.slt, known_status=KnownStatus.KNOWN_OPEN)],
    )
    advice_return(
        item=assessment_request.items.get(team=ours.slt),
        user=ours.slt_practitioner,
        returned_on=case.decision_on + datetime.timedelta(days=30),
        content=CONTENT,
    )
    case_record_final_plan(case=case, user=ours.case_officer, final_plan_issued_on=issued)
    review = AnnualReview.objects.get(case=case, closed_on__isnull=True)

    meeting = calendar.on_or_after(start + datetime.timedelta(weeks=7))
    with time_machine.travel(scenes.at_nine(start), tick=True) as traveller:
        sign_in(journey, ours.case_officer)
        page.goto(reverse("assessments:case_detail", args=[case.pk]))
        page.get_by_role("link", name="Arrange the meeting").click()
        fill_date(page, "Date of the review meeting", meeting)
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review meeting date saved")

        page.goto(reverse("reviews:invitations", args=[review.pk]))
        expect(page.get_by_role("heading", level=1)).to_have_text("Invitations and requests for advice")
        # The provider asked during the assessment is ticked already; health's 6 weeks are still ahead.
        expect(page.get_by_label(ours.provider.name)).to_be_checked()
        expect(page.locator("#short-notice")).to_have_count(0)
        journey.check("invitations, health's notice in time")
        page.get_by_role("button", name="Send the invitations").click()
        expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
        advice_request = AdviceRequest.objects.get(review=review)
        report_due = review_schedule.advice_due_by(
            meeting, la_settings.review_advice_days_before_meeting, calendar.is_working_day
        )
        assert advice_request.due_on == report_due and advice_request.notified_on == start
        spoc_emails = OutboundEmail.objects.filter(to__contains=[ours.provider.spoc_email])
        assert spoc_emails.filter(kind=MessageKind.ADVICE_REQUESTED).count() == 2  # the assessment's and this

        # The SPOC sees it as a review's request, with the meeting.
        traveller.move_to(scenes.at_nine(calendar.after(start)))
        page.context.clear_cookies()
        sign_in(journey, ours.spoc)
        page.goto(reverse("advice:spoc_queue"))
        awaiting = page.get_by_role("table", name="Awaiting acknowledgement")
        expect(awaiting).to_contain_text(case.reference)
        expect(awaiting).to_contain_text(
            f"Annual review: meeting on {meeting:%-d %b %Y}, report due {report_due:%-d %b %Y}"
        )
        journey.check("SPOC queue, a review's request")
        advice_acknowledge(
            advice_request=advice_request,
            user=ours.spoc,
            answers=[TeamAnswer(team=ours.slt, known_status=KnownStatus.KNOWN_OPEN)],
        )

    # The report is late: chased on the first working day after its due date, once.
    item = advice_request.items.get(team=ours.slt)
    assert item.review_id == review.pk
    chase_day = calendar.after(report_due)
    scenes.sweep_at(report_due)
    item.refresh_from_db()
    assert item.stage == Stage.REQUESTED
    scenes.sweep_at(chase_day)
    scenes.sweep_at(calendar.after(chase_day))
    item.refresh_from_db()
    assert item.stage == Stage.CHASED and item.chased_on == chase_day
    chases = OutboundEmail.objects.filter(kind=MessageKind.CHASE, to__contains=[ours.provider.spoc_email])
    assert chases.count() == 1

    with time_machine.travel(scenes.at_nine(calendar.after(chase_day)), tick=False):
        advice_return(
            item=item,
            user=ours.slt_practitioner,
            returned_on=calendar.after(chase_day),
            content=CONTENT,
        )

    # The meeting, the report, the decision to amend and the amended plan, each on its day.
    with time_machine.travel(scenes.at_nine(meeting), tick=True) as traveller:
        sign_in(journey, ours.case_officer)
        page.goto(reverse("assessments:case_detail", args=[case.pk]))
        section = page.locator("main")
        expect(section).to_contain_text("Returned")
        page.get_by_role("link", name="Review meeting held").click()
        fill_date(page, "Date the meeting was held", meeting)
        page.get_by_label("Preparing for adulthood: employment").fill("Talks about being a vet")
        page.get_by_label("Preparing for adulthood: independent living").fill("Dresses with a visual timetable")
        page.get_by_label("Preparing for adulthood: community inclusion").fill("Brownies on Tuesdays")
        page.get_by_label("Preparing for adulthood: good health").fill("Eats a wider range of foods")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review meeting recorded")

        page.get_by_role("link", name="Review report circulated").click()
        fill_date(page, "Date the report was circulated", meeting)
        page.get_by_role("button", name="Save").click()

        decided = calendar.after(calendar.after(meeting))
        traveller.move_to(scenes.at_nine(decided))
        page.context.clear_cookies()
        sign_in(journey, ours.case_officer)
        page.goto(reverse("assessments:case_detail", args=[case.pk]))
        page.get_by_role("link", name="Decision notified").click()
        page.get_by_label("Amend the plan").check()
        fill_date(page, "Date the decision was notified", decided)
        page.get_by_label("Reasons for the decision").fill("Section F: the speech and language programme changes")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision recorded")

        page.get_by_role("link", name="Amended plan issued").click()
        fill_date(page, "Date the amended plan was issued", decided)
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Amended plan recorded")
        journey.check("case page, the amended plan issued and the next review scheduled")

    review.refresh_from_db()
    assert review.closed_on == decided and review.amended_plan_issued_on == decided
    nxt = AnnualReview.objects.get(case=case, closed_on__isnull=True)
    assert nxt.anchor_on == meeting
    # Health's report for the review was never part of the assessment's figures.
    assert AdviceRequest.objects.for_assessment().filter(case=case).count() == 1
    assert OutboundEmail.objects.filter(kind=MessageKind.CHASE, to__contains=[ours.provider.spoc_email]).count() == 1
