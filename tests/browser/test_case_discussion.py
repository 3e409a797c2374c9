"""The case discussion in the browser (issue 20, decision 0046): the case officer finds the professionals
on the case and starts the discussion from the case page, a message with no words is refused with the
error summary, a message mentioning the SLT practitioner goes with a document; the practitioner reads it
as new, and the officer sees it read. axe on each state."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ehc.models import Service

from . import scenes
from .helpers import expect, sign_in
from .test_health_advice import small_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_discussion_instead_of_a_meeting(journey, ours, authenticator, tmp_path):
    from advice.discussion.models import CaseMessage, MessageAttachment

    page = journey.page
    case = scenes.open_case(ours)
    scenes.advice_requested(ours, case, services=[Service.SLT], on=timezone.localdate())

    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto(reverse("assessments:case_detail", args=[case.pk]))
    expect(page.locator("#professionals + .app-table-region")).to_contain_text(ours.slt.name)
    expect(page.locator("#case-discussion")).to_contain_text("No messages yet")
    journey.check("case page with the professionals and the discussion link")
    page.get_by_role("link", name="Start the case discussion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case discussion")
    journey.check("an empty discussion")

    page.get_by_role("button", name="Post message").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your message")
    journey.check("a message with no words")
    assert not CaseMessage.objects.exists()

    report = tmp_path / "notes.pdf"
    report.write_bytes(small_pdf())
    page.get_by_label("Your message").fill(
        f"@{ours.slt_practitioner.username} is 6 sessions a half term what you recommend? Notes attached."
    )
    page.get_by_label("Attach files (optional)").set_input_files([str(report)])
    page.get_by_role("button", name="Post message").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Message posted")
    expect(page.locator(".govuk-summary-card")).to_contain_text("Not read by anyone else yet")
    journey.check("a message posted with a document")
    assert MessageAttachment.objects.count() == 1

    page.context.clear_cookies()
    authenticator(ours.slt_practitioner)
    sign_in(journey, ours.slt_practitioner)
    page.goto(reverse("advice:discussion", args=[case.pk]))
    card = page.locator(".govuk-summary-card")
    expect(card).to_contain_text("New")
    expect(card).to_contain_text(f"Mentioned: {ours.slt_practitioner.get_full_name()}")
    expect(card.get_by_role("link", name=re.compile("notes.pdf"))).to_be_visible()
    journey.check("the practitioner reads the message")

    page.context.clear_cookies()
    sign_in(journey, ours.case_officer)
    page.goto(reverse("advice:discussion", args=[case.pk]))
    expect(page.locator(".govuk-summary-card")).to_contain_text(f"Read by {ours.slt_practitioner.get_full_name()}")
