"""An annual review in the browser, as the council's case officer records it: the final plan issued
schedules the review (due by the child's birthday), the meeting arranged, the meeting held with the
four Preparing for Adulthood domains and, in year 9, the transition to adult health services (after
mistakes), the report, the decision to amend, the amended plan, and the next review counted from the
meeting. The invitations and health's report are the advice side's pages."""

import datetime
import re

import pytest
from django.utils import timezone

from assessments import review_schedule
from assessments.models import AnnualReview, CaseStatus
from ehc.models import LocalAuthoritySettings

from ..factories import CaseFactory
from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fill_date(page, legend, date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def test_case_officer_takes_a_review_from_the_plan_to_the_amended_plan(journey, ours, authenticator):
    page = journey.page
    today = timezone.localdate()
    issued = today - datetime.timedelta(days=40)
    # A birthday eight months after the plan: in the second half of the year, so the review is due then.
    born = review_schedule.add_months(issued, 8).replace(year=2013)
    settings_row = LocalAuthoritySettings.for_la(ours.la)
    settings_row.review_birthday_alignment = True
    settings_row.save()
    case = CaseFactory(
        local_authority=ours.la,
        case_officer=ours.case_officer,
        status=CaseStatus.DRAFT_PLAN,
        first_name="Niamh",
        last_name="O'Neill",
        date_of_birth=born,
        received_on=issued - datetime.timedelta(weeks=19),
        draft_plan_sent_on=issued - datetime.timedelta(weeks=3),
    )
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Niamh O'Neill")

    page.get_by_role("link", name="Record the final plan issued").click()
    fill_date(page, "Date the final plan was issued", issued)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Final plan issued recorded")
    due = review_schedule.review_due(born, issued, birthday_alignment=True)
    section = page.locator("main")
    expect(page.get_by_role("heading", level=2, name="Annual reviews")).to_be_visible()
    expect(section).to_contain_text(f"{due:%-d %B %Y}")
    expect(section).to_contain_text("The child's birthday")
    # Born in 2013: year 9 or above, so the review prepares for adulthood and the move to adult services.
    expect(section).to_contain_text("Preparing for adulthood")
    journey.check("case page with the review scheduled")

    page.get_by_role("link", name="Arrange the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrange the review meeting")
    fill_date(page, "Date of the review meeting", today - datetime.timedelta(days=1))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be today or later")
    journey.check("meeting date in the past")
    fill_date(page, "Date of the review meeting", today)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review meeting date saved")

    page.get_by_role("link", name="Review meeting held").click()
    fill_date(page, "Date the meeting was held", today)
    page.get_by_label("Preparing for adulthood: employment").fill("Work experience in a bike shop")
    page.get_by_label("Preparing for adulthood: community inclusion").fill("Youth club on Fridays")
    page.get_by_label("Preparing for adulthood: good health").fill("Annual health check booked")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter preparing for adulthood: independent living")
    expect(summary).to_contain_text("the young person is in year 9 or above")
    # Nothing typed is lost.
    expect(page.get_by_label("Preparing for adulthood: employment")).to_have_value("Work experience in a bike shop")
    journey.check("meeting held, a domain missing")
    summary.get_by_role("link", name="Enter preparing for adulthood: independent living").click()
    expect(page.get_by_label("Preparing for adulthood: independent living")).to_be_focused()
    page.get_by_label("Preparing for adulthood: independent living").fill("Travel training")
    page.get_by_label("Transition to adult health services").fill("Referral to the adult team at 17")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review meeting recorded")

    page.get_by_role("link", name="Review report circulated").click()
    fill_date(page, "Date the report was circulated", today)
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Decision notified").click()
    page.get_by_label("Amend the plan").check()
    fill_date(page, "Date the decision was notified", today)
    page.get_by_label("Reasons for the decision").fill("Section F changes for the move to college")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision recorded")
    journey.check("case page awaiting the amended plan")

    page.get_by_role("link", name="Amended plan issued").click()
    fill_date(page, "Date the amended plan was issued", today)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Amended plan recorded")
    nxt = AnnualReview.objects.get(case=case, closed_on__isnull=True)
    assert nxt.anchor_on == today
    expect(section).to_contain_text(f"{nxt.due_on:%-d %B %Y}")
    expect(section).to_contain_text(re.compile(rf"held {today:%-d %b %Y}, amend the plan"))
    journey.check("case page with the next review")
