"""Work saved and shared (issue 23) in the browser: a practitioner saves Appendix C as a draft, the
SPOC finishes it with two documents and returns it, the practitioner amends it, and the case officer
reads the new version with the earlier one kept, superseded. A team lead's sign-off: test_sign_off.py."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ehc.models import Service

from . import scenes
from .helpers import expect, sign_in
from .test_health_advice import small_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_draft_then_finished_by_a_colleague_then_amended(journey, ours, authenticator, tmp_path):
    from advice.drafts import ReturnDraft
    from advice.models import AdviceReturn, ItemStatus, KnownStatus

    page = journey.page
    case = scenes.open_case(ours)
    notified = timezone.localdate() - datetime.timedelta(days=10)
    advice_request = scenes.advice_requested(ours, case, services=[Service.SLT], on=notified)
    scenes.advice_acknowledged(ours, advice_request, teams={ours.slt: KnownStatus.KNOWN_OPEN}, on=notified)
    item = advice_request.items.get(team=ours.slt)

    # The practitioner starts Appendix C and saves it as a draft: nothing else asked for.
    authenticator(ours.slt_practitioner)
    sign_in(journey, ours.slt_practitioner)
    page.goto(reverse("advice:item_return", args=[item.pk]))
    page.get_by_label("Description of needs").fill("Robin's speech is hard to follow for adults who do not know him.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved")
    expect(page.locator("#return-draft")).to_contain_text("It is not returned")
    journey.check("advice item with a draft")
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING and ReturnDraft.objects.filter(item=item).exists()

    # The SPOC finishes it another day: the draft's text is there; two documents go with it.
    page.context.clear_cookies()
    authenticator(ours.spoc)
    sign_in(journey, ours.spoc)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    expect(page.locator("#return-draft")).to_contain_text(f"Saved by {ours.slt_practitioner.get_full_name()}")
    page.get_by_role("link", name="Finish the draft and return the advice").click()
    expect(page.get_by_label("Description of needs")).to_have_value(
        "Robin's speech is hard to follow for adults who do not know him."
    )
    journey.check("return form opened on the draft")
    page.get_by_label("Provision required to meet the needs").fill("Weekly speech therapy in school.")
    page.get_by_label("The difference the provision should make (outcomes)").fill("Robin is understood by staff.")
    first, second = tmp_path / "report.pdf", tmp_path / "plan.pdf"
    first.write_bytes(small_pdf())
    second.write_bytes(small_pdf())
    page.get_by_label(re.compile("Upload the advice")).set_input_files([str(first), str(second)])
    page.get_by_role("button", name="Return the advice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")
    expect(page.get_by_role("link", name=re.compile("document 2"))).to_be_visible()
    journey.check("advice returned with two documents")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and not ReturnDraft.objects.filter(item=item).exists()
    returned_on = item.returned_on

    # The practitioner amends it, with the reason; a reason is required.
    page.context.clear_cookies()
    sign_in(journey, ours.slt_practitioner)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    page.get_by_role("link", name="Amend the advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amend the health advice")
    page.get_by_role("button", name="Amend the advice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are amending the advice")
    journey.check("amend form, no reason")
    page.get_by_label("Why are you amending the advice?").fill("The provision was weekly, not fortnightly.")
    page.get_by_label("Provision required to meet the needs").fill("Weekly speech therapy in school, 30 minutes.")
    page.get_by_role("button", name="Amend the advice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice amended")

    # The case officer reads version 2 and, folded under it, version 1 superseded.
    page.context.clear_cookies()
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    expect(page.get_by_role("heading", name="The advice: version 2")).to_be_visible()
    expect(page.locator("main")).to_contain_text("The provision was weekly, not fortnightly.")
    page.get_by_text("Version 1: superseded").click()
    expect(page.locator(".app-superseded")).to_contain_text("Weekly speech therapy in school.")
    journey.check("advice amended, the earlier version superseded")
    assert AdviceReturn.objects.get(item=item).version == 2
    item.refresh_from_db()
    assert item.returned_on == returned_on
