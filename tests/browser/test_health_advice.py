"""Health advice in the browser: the case officer asks, the SPOC acknowledges, practitioners return."""

import datetime
import io
import re

import pytest
from django.utils import timezone

from ehc.models import OutboundEmail, Service

from . import scenes
from .helpers import (
    choose_radio,
    expect,
    focused,
    press_enter_on,
    sign_in,
    sign_in_with_keyboard,
    skip_to_main,
    start_from_home,
    tab_to,
    type_into,
    url_or_skip,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _advice_pages_exist():
    url_or_skip("advice:spoc_queue")


def small_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_case_officer_asks_the_provider_for_health_advice(journey, ours, authenticator):
    from advice.models import AdviceRequest, ItemStatus

    page = journey.page
    case = scenes.open_case(ours)
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    start_from_home(page, "Your caseload")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("link", name="Request health advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request health advice")
    journey.check("health advice request form")

    page.get_by_role("button", name="Send the request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the health provider to ask")
    expect(summary).to_contain_text("Select the health services the family says are involved")
    journey.check("health advice request form, nothing chosen")
    assert not AdviceRequest.objects.exists()

    page.get_by_label("Health provider").select_option(label=ours.provider.name)
    page.get_by_label(Service.SLT.label).check()
    page.get_by_label(Service.OT.label).check()
    page.get_by_label("Message to the SPOC (optional)").fill("The school has seen a speech therapist this year.")
    page.get_by_role("button", name="Send the request").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"Request for health advice sent to {ours.provider.name}")

    advice_request = AdviceRequest.objects.get(case=case)
    due = advice_request.due_on
    assert due == timezone.localdate() + datetime.timedelta(days=42)
    expect(banner).to_contain_text(f"due {due.day} {due:%B %Y}")
    advice_table = page.get_by_role("table", name=f"Health advice from {ours.provider.name} by team")
    expect(advice_table.locator("tbody tr")).to_have_count(2)
    # The health advice section and the professionals on the case both say so.
    expect(page.get_by_text("Awaiting acknowledgement")).to_have_count(2)
    journey.check("case page, health advice requested")
    assert sorted(advice_request.items.values_list("team__name", flat=True)) == ["OT Ours", "SLT Ours"]
    assert set(advice_request.items.values_list("status", flat=True)) == {ItemStatus.OUTSTANDING}
    assert OutboundEmail.objects.filter(to__contains=[ours.provider.spoc_email]).count() == 1


def test_spoc_acknowledges_and_adjusts_the_teams_with_the_keyboard_only(journey, ours, theirs, authenticator):
    from advice.models import ItemStatus, KnownStatus

    page = journey.page
    case = scenes.open_case(ours)
    advice_request = scenes.advice_requested(
        ours, case, services=[Service.SLT, Service.OT], on=timezone.localdate() - datetime.timedelta(days=2)
    )
    # Another provider's request never shows in this SPOC's queue.
    scenes.advice_requested(theirs, scenes.open_case(theirs), services=[Service.SLT], on=timezone.localdate())
    sign_in_with_keyboard(journey, ours.spoc, authenticator(ours.spoc))
    # Home says what is waiting, and leads to it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    skip_to_main(page)
    press_enter_on(page, text="1 request for health advice to acknowledge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for health advice")
    awaiting = page.get_by_role("table", name="Awaiting acknowledgement")
    expect(awaiting.locator("tbody tr")).to_have_count(1)
    expect(awaiting).to_contain_text(case.reference)
    expect(page.get_by_role("table", name="Overdue")).to_contain_text("No advice is overdue")
    journey.check("SPOC queue")

    skip_to_main(page)
    # Past the request's checkbox (its label names the case too) to the link to the request.
    press_enter_on(page, f'a[href="/advice/requests/{advice_request.pk}/"]')
    expect(page.get_by_role("heading", level=1)).to_have_text("Request for health advice")
    journey.check("request for advice, awaiting acknowledgement")

    press_enter_on(page, text="Acknowledge the request")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledge the request for health advice")
    journey.check("acknowledgement form")

    # The family named OT, but OT is not involved: say so, first forgetting the reason.
    choose_radio(page, f"team_{ours.ot.pk}", "Not involved")
    choose_radio(page, f"team_{ours.paeds.pk}", "Will respond: not known to the team")
    choose_radio(page, f"team_{ours.slt.pk}", "Will respond: known, open to the team now")
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why OT Ours is not involved")
    journey.check("acknowledgement form, reason missing")

    press_enter_on(page, text="Enter why OT Ours is not involved")
    assert focused(page)["name"] == f"reason_{ours.ot.pk}"
    page.keyboard.type("Discharged from OT two years ago; no current involvement.")
    type_into(page, "#id_note", "Paediatrics added: the child is on their list from a GP referral.")
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Request acknowledged")
    teams = page.get_by_role("table", name="Teams asked for advice")
    expect(teams.get_by_role("row", name=re.compile("Paediatrics Ours"))).to_contain_text("Added by the SPOC")
    journey.check("request for advice, acknowledged")

    items = {item.team_id: item for item in advice_request.items.all()}
    assert items[ours.slt.pk].known_status == KnownStatus.KNOWN_OPEN
    assert items[ours.paeds.pk].known_status == KnownStatus.NOT_KNOWN and items[ours.paeds.pk].added_by_spoc
    assert items[ours.ot.pk].status == ItemStatus.REMOVED
    assert items[ours.ot.pk].removed_reason.startswith("Discharged from OT")


def _acknowledged_request(world, *, days_ago=10):
    from advice.models import KnownStatus

    case = scenes.open_case(world)
    notified = timezone.localdate() - datetime.timedelta(days=days_ago)
    advice_request = scenes.advice_requested(world, case, services=[Service.SLT, Service.OT], on=notified)
    scenes.advice_acknowledged(
        world,
        advice_request,
        teams={world.slt: KnownStatus.KNOWN_OPEN, world.ot: KnownStatus.KNOWN_CLOSED},
        on=notified + datetime.timedelta(days=1),
    )
    return case, advice_request


def test_practitioner_returns_advice_as_an_uploaded_document(journey, ours, authenticator, tmp_path):
    from advice.models import AdviceReturn, ItemStatus

    page = journey.page
    case, advice_request = _acknowledged_request(ours)
    item = advice_request.items.get(team=ours.slt)
    authenticator(ours.slt_practitioner)
    sign_in(journey, ours.slt_practitioner)
    start_from_home(page, "Your team's advice")
    expect(page.get_by_role("heading", level=1)).to_have_text("My team's advice")
    queue = page.get_by_role("table", name="Advice to write, by due date")
    expect(queue.locator("tbody tr")).to_have_count(1)
    journey.check("team queue")

    queue.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SLT Ours: health advice")
    journey.check("advice item, outstanding")

    page.get_by_role("link", name="Return the advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return health advice")
    journey.check("return form")

    page.get_by_role("button", name="Return the advice").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Upload the advice, or complete the needs, provision and outcomes")
    journey.check("return form, nothing given")

    not_a_pdf = tmp_path / "advice.pdf"
    not_a_pdf.write_text("<html>This is a web page saved with the wrong name</html>")
    page.get_by_label(re.compile("Upload the advice")).set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Return the advice").click()
    expect(summary).to_contain_text("must be a PDF or a Word document")
    journey.check("return form, a file that is not a PDF")

    real_pdf = tmp_path / "slt-advice.pdf"
    real_pdf.write_bytes(small_pdf())
    page.get_by_label(re.compile("Upload the advice")).set_input_files(str(real_pdf))
    page.get_by_role("button", name="Return the advice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")
    journey.check("advice item, returned by upload")

    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    advice_return = AdviceReturn.objects.get(item=item)
    assert advice_return.document_type == "pdf" and advice_return.returned_by == ours.slt_practitioner


def test_practitioner_writes_the_structured_advice_with_the_keyboard_only(journey, ours, authenticator):
    from advice.models import AdviceReturn, ItemStatus

    page = journey.page
    case, advice_request = _acknowledged_request(ours)
    item = advice_request.items.get(team=ours.ot)
    sign_in_with_keyboard(journey, ours.ot_practitioner, authenticator(ours.ot_practitioner))
    start_from_home(page, "Your team's advice", keyboard=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("My team's advice")

    skip_to_main(page)
    press_enter_on(page, text=case.reference)
    expect(page.get_by_role("heading", level=1)).to_have_text("OT Ours: health advice")
    press_enter_on(page, text="Return the advice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Return health advice")

    # Needs and outcomes written, provision forgotten.
    type_into(page, "#id_description_of_needs", "Difficulty with fine motor tasks such as writing and cutting.")
    type_into(page, "#id_outcomes", "Robin writes a short paragraph independently by the end of year 4.")
    press_enter_on(page, "button[name=action][value=return]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter provision required to meet the needs")
    journey.check("keyboard: return form, provision missing")

    press_enter_on(page, text="Enter provision required to meet the needs")
    assert focused(page)["name"] == "provision_required"
    page.keyboard.type("Weekly fine motor programme delivered by a teaching assistant, reviewed by OT termly.")
    type_into(page, "#id_how_often_seen", "Termly")
    type_into(page, "#id_seen_over_period", "Since September 2025")
    tab_to(page, "button[name=action][value=return]")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")
    expect(page.get_by_role("heading", name="The advice")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Weekly fine motor programme")
    journey.check("keyboard: advice item, returned with the structured form")

    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    advice_return = AdviceReturn.objects.get(item=item)
    assert advice_return.document_type == "" and advice_return.how_often_seen == "Termly"
