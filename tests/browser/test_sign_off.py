"""A team lead's sign-off in the browser (decision 0036): the practitioner sends the advice for
sign-off, the lead sends it back with a note, the practitioner changes it and sends it again, the
lead signs it off, and the case officer reads the return and who signed it off."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ehc.models import Role, Service
from tests.factories import UserFactory

from . import scenes
from .helpers import expect, sign_in
from .test_health_advice import small_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def _as(journey, authenticator, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    journey.page.context.clear_cookies()
    if not TOTPDevice.objects.filter(user=user).exists():
        authenticator(user)
    sign_in(journey, user)


def test_sent_for_sign_off_sent_back_changed_then_signed_off(journey, ours, authenticator, tmp_path):
    from advice.drafts import ReturnDraft
    from advice.models import ItemStatus, KnownStatus

    page = journey.page
    lead = UserFactory(
        username="lead-ours",
        first_name="Siobhán",
        last_name="O'Neill",
        organisation=ours.provider,
        roles=[Role.PRACTITIONER],
        teams=[ours.slt],
    )
    ours.slt.returns_need_sign_off = True
    ours.slt.save()
    ours.slt.leads.add(lead)
    case = scenes.open_case(ours)
    notified = timezone.localdate() - datetime.timedelta(days=10)
    advice_request = scenes.advice_requested(ours, case, services=[Service.SLT], on=notified)
    scenes.advice_acknowledged(ours, advice_request, teams={ours.slt: KnownStatus.KNOWN_OPEN}, on=notified)
    item = advice_request.items.get(team=ours.slt)
    report = tmp_path / "report.pdf"
    report.write_bytes(small_pdf())

    # The practitioner writes the advice and sends it for sign-off, with a document.
    _as(journey, authenticator, ours.slt_practitioner)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    page.get_by_role("link", name="Write the advice and send it for sign-off").click()
    page.get_by_label("Description of needs").fill("Robin's speech is hard to follow for adults.")
    page.get_by_label("Provision required to meet the needs").fill("Speech therapy in school.")
    page.get_by_label("The difference the provision should make (outcomes)").fill("Robin is understood by staff.")
    page.get_by_label(re.compile("Upload the advice")).set_input_files([str(report)])
    expect(page.get_by_role("button", name="Return the advice")).to_have_count(0)
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Sent for sign-off")
    expect(page.locator("#return-draft")).to_contain_text("Awaiting sign-off")
    journey.check("advice awaiting sign-off, as the practitioner sees it")
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING

    # The lead finds it waiting, reads it, and sends it back: a note is required.
    _as(journey, authenticator, lead)
    page.goto(reverse("advice:team_queue"))
    page.get_by_role("link", name="Awaiting your sign-off (1)").click()
    journey.check("awaiting your sign-off")
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("main")).to_contain_text("Speech therapy in school.")
    expect(page.get_by_role("link", name=re.compile("Download document 1"))).to_be_visible()
    journey.check("sign-off review")
    page.get_by_role("button", name="Send back").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a note saying what needs to change")
    journey.check("send back without a note")
    page.get_by_label("What needs to change?").fill("Say how often: weekly, 30 minutes.")
    page.get_by_role("button", name="Send back").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Sent back")

    # The practitioner reads the note, changes the advice and sends it again.
    _as(journey, authenticator, ours.slt_practitioner)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    expect(page.locator("#sent-back-note")).to_contain_text("Say how often: weekly, 30 minutes.")
    page.get_by_role("link", name="Finish the draft and send it for sign-off").click()
    expect(page.get_by_label("Description of needs")).to_have_value("Robin's speech is hard to follow for adults.")
    journey.check("return form after a send-back")
    page.get_by_label("Provision required to meet the needs").fill("Speech therapy in school, weekly, 30 minutes.")
    page.get_by_label(re.compile("Upload the advice")).set_input_files([str(report)])
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Sent for sign-off")

    # The lead signs it off: it is returned now.
    _as(journey, authenticator, lead)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_role("button", name="Sign off and return").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Signed off and returned")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and not ReturnDraft.objects.filter(item=item).exists()

    # The case officer reads the return, and who signed it off.
    _as(journey, authenticator, ours.case_officer)
    page.goto(reverse("advice:item_detail", args=[item.pk]))
    expect(page.locator("main")).to_contain_text("Speech therapy in school, weekly, 30 minutes.")
    expect(page.locator("main")).to_contain_text("Siobhán O'Neill, team lead")
    journey.check("signed-off advice, as the case officer reads it")
